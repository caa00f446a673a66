//! Engines, measurements and the in-process runs of rvdbt's engines.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::time::Instant;

use runtime::machine::{run_program, Config, RunExit};

use crate::suite::{elf_path, Program, RAM_SIZE};

/// rvdbt's engines the runner measures, each on every program, in report
/// order: the one list to extend. An engine of [`REPORTED_ENGINES`] missing
/// from it (because a build of the runtime lacks it) is reported as `n/a
/// (engine not built)` instead of failing. (`runtime::Engine::Reference`,
/// one instruction at a time, is a testing aid, not a contender.)
pub const RVDBT_ENGINES: &[runtime::Engine] = &[
    runtime::Engine::Interp,
    runtime::Engine::Jit,
    runtime::Engine::Tiered,
];

/// The engines the report names, in report order, whether the
/// runtime has them yet or not (matched by [`Engine::name`]).
pub const REPORTED_ENGINES: &[&str] = &["interp", "jit", "tiered"];

/// An execution engine. rvdbt's engines run in-process through the
/// `runtime` crate and count instructions; QEMU is an external reference
/// that does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// One of rvdbt's engines ([`RVDBT_ENGINES`]).
    Rvdbt(runtime::Engine),
    /// An engine of [`REPORTED_ENGINES`] that is not in [`RVDBT_ENGINES`]
    /// (not built yet): never run, reported as `n/a (engine not built)`.
    Missing(&'static str),
    /// `qemu-system-riscv64` (TCG), timed as a whole process.
    Qemu,
}

/// The interpreter, the engine every ratio is measured against.
pub const INTERP: Engine = Engine::Rvdbt(runtime::Engine::Interp);

impl Engine {
    /// The name on the command line and in the report: a runtime engine's
    /// variant name in lower case (`Interp` is `interp`, as for `rvdbt run
    /// --engine`).
    pub fn name(self) -> String {
        match self {
            Engine::Rvdbt(e) => format!("{e:?}").to_ascii_lowercase(),
            Engine::Missing(name) => name.to_string(),
            Engine::Qemu => "qemu".to_string(),
        }
    }

    /// Every engine in report order: [`REPORTED_ENGINES`] (built or
    /// [`Engine::Missing`]), any other engine of [`RVDBT_ENGINES`], QEMU.
    pub fn all() -> Vec<Engine> {
        let built = || RVDBT_ENGINES.iter().map(|&e| Engine::Rvdbt(e));
        let mut all: Vec<Engine> = REPORTED_ENGINES
            .iter()
            .map(|&n| {
                built()
                    .find(|e| e.name() == n)
                    .unwrap_or(Engine::Missing(n))
            })
            .collect();
        let others: Vec<Engine> = built().filter(|e| !all.contains(e)).collect();
        all.extend(others);
        all.push(Engine::Qemu);
        all
    }

    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::all().into_iter().find(|e| e.name() == name)
    }

    /// Whether the engine reports the guest's instruction count.
    pub fn counts_insns(self) -> bool {
        matches!(self, Engine::Rvdbt(_))
    }
}

/// How one run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The guest passed its self-check.
    Passed,
    /// The instruction cap ended the run first (quick mode or `--max-insns`):
    /// timed, but not self-checked.
    Capped,
    /// The engine is not in the runtime yet ([`Engine::Missing`]): not run.
    NotBuilt,
    /// The guest failed or could not run; the reason, for the report.
    Failed(String),
}

/// One timed run of one program on one engine.
#[derive(Clone, Debug)]
pub struct Measurement {
    pub program: &'static str,
    pub engine: Engine,
    /// Instructions the engine executed (None for QEMU).
    pub insns: Option<u64>,
    /// Wall time of the whole run.
    pub secs: f64,
    /// QEMU only: wall time of the same command at `bench.scale=0` (process
    /// and machine start-up, ELF load, no benchmark work), which the MIPS
    /// and speed ratios leave out. None for the assembly programs.
    pub startup_secs: Option<f64>,
    pub status: Status,
    /// What the guest printed on the UART (shown when it failed).
    pub output: String,
}

/// What a guest's nonzero exit code means (see `guest/common/bench.h`).
pub fn describe_exit(code: u32) -> String {
    let what = match code {
        1 => "self-check mismatch",
        2 => "satp did not accept Sv39 (translation not implemented?)",
        3 => "unexpected trap",
        _ => "unknown failure",
    };
    format!("exit code {code}: {what}")
}

/// A `Write` sink that keeps what the guest printed.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The kernel command line that asks a suite program for `scale`
/// repetitions (empty at scale 1, the programs' default, and for the
/// assembly programs, which ignore it).
pub fn bootargs(program: &Program, scale: u32) -> String {
    if program.c && scale != 1 {
        format!("bench.scale={scale}")
    } else {
        String::new()
    }
}

/// The row of an engine that is not built: not run.
pub fn not_built(program: &Program, engine: Engine) -> Measurement {
    Measurement {
        program: program.name,
        engine,
        insns: None,
        secs: 0.0,
        startup_secs: None,
        status: Status::NotBuilt,
        output: String::new(),
    }
}

/// Runs `program` on an in-process engine at `scale`, stopping after
/// `max_insns` instructions. `capped` says whether hitting that limit is
/// expected (quick mode) rather than a failure.
pub fn run_in_process(
    engine: Engine,
    program: &Program,
    scale: u32,
    max_insns: u64,
    capped: bool,
) -> Measurement {
    let Engine::Rvdbt(rt_engine) = engine else {
        panic!("{} is not in-process", engine.name());
    };
    let mut cfg = Config::new(elf_path(program));
    cfg.engine = rt_engine;
    cfg.ram_size = RAM_SIZE;
    cfg.max_insns = Some(max_insns);
    cfg.bootargs = bootargs(program, scale);
    let cap = Capture::default();
    let out_cap = cap.clone();
    let out = move || -> Box<dyn Write> { Box::new(out_cap.clone()) };
    let start = Instant::now();
    let result = run_program(&cfg, &out, &|_| {});
    let secs = start.elapsed().as_secs_f64();
    let output = String::from_utf8_lossy(&cap.0.borrow()).into_owned();
    let (insns, status) = match result {
        Ok((RunExit::Exited(0), n)) => (Some(n), Status::Passed),
        Ok((RunExit::Exited(code), n)) => (Some(n), Status::Failed(describe_exit(code))),
        Ok((RunExit::InsnLimit, n)) if capped => (Some(n), Status::Capped),
        Ok((RunExit::InsnLimit, n)) => (
            Some(n),
            Status::Failed(format!("did not exit within {max_insns} instructions")),
        ),
        // The runner never asks for an output match, --no-reboot or a stop.
        Ok((RunExit::OutputMatched, n)) => (Some(n), Status::Failed("output matched".into())),
        Ok((RunExit::Rebooted, n)) => (Some(n), Status::Failed("rebooted".into())),
        Ok((RunExit::Stopped, n)) => (Some(n), Status::Failed("stopped".into())),
        Err(e) => (None, Status::Failed(format!("machine did not build: {e}"))),
    };
    Measurement {
        program: program.name,
        engine,
        insns,
        secs,
        startup_secs: None,
        status,
        output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{suite, PROGRAMS};

    #[test]
    fn engines_in_report_order_built_or_not() {
        let names: Vec<String> = Engine::all().iter().map(|e| e.name()).collect();
        assert_eq!(&names[..3], REPORTED_ENGINES);
        assert_eq!(names.last().map(String::as_str), Some("qemu"));
        for &e in RVDBT_ENGINES {
            assert!(Engine::all().contains(&Engine::Rvdbt(e)), "{e:?}");
        }
        for e in Engine::all() {
            assert_eq!(Engine::from_name(&e.name()), Some(e));
            // built engines are never also reported as missing
            if let Engine::Missing(n) = e {
                assert!(!RVDBT_ENGINES.iter().any(|&b| Engine::Rvdbt(b).name() == n));
            }
        }
        assert_eq!(INTERP.name(), "interp");
    }

    #[test]
    fn suite_programs_take_the_scale_on_the_command_line() {
        let matmul = PROGRAMS.iter().find(|p| p.name == "bench_matmul").unwrap();
        let bare = PROGRAMS.iter().find(|p| p.name == "intloop_bare").unwrap();
        assert_eq!(bootargs(matmul, 1), "");
        assert_eq!(bootargs(matmul, 10), "bench.scale=10");
        assert_eq!(bootargs(matmul, 0), "bench.scale=0");
        assert_eq!(bootargs(bare, 10), "");
        assert_eq!(suite().count(), 9);
    }
}

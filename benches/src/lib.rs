//! The benchmark runner behind `cargo bench -p rvdbt-benches --bench mips`: guest programs, engines, timing and the report.
//!
//! Each guest program in `benches/guest/` is self-checking and ends through
//! the SiFive test finisher (exit codes in `benches/guest/common/bench.h`).
//! Every rvdbt engine in [`RVDBT_ENGINES`] runs every selected program
//! in-process through [`runtime::machine::run_program`]; when
//! `qemu-system-riscv64` is on the `PATH` the same ELFs are timed on QEMU as
//! a reference. The report is a table (program, engine, instructions,
//! seconds, MIPS; engines the runtime does not have yet as `n/a (engine not
//! built)` rows) followed by ratios measured in the same run (jit/interp,
//! tiered/jit, rvdbt/QEMU per program and their geometric means over the C
//! suite) and the target checks.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use runtime::machine::{run_program, Config, RunExit};

/// Guest RAM for every program, in rvdbt and on QEMU (`-m 256M`). The
/// tlbwalk programs need at least 128 MiB.
pub const RAM_SIZE: u64 = 256 << 20;
/// `-m` argument matching [`RAM_SIZE`].
pub const QEMU_MEM: &str = "256M";

/// Instruction cap of a full run at scale 1: a safety net only (the largest
/// program executes about 0.55 billion instructions), so a broken engine
/// that never reaches the finisher still ends. Multiplied by `--scale`.
pub const SAFETY_MAX_INSNS: u64 = 2_000_000_000;
/// Instruction cap per program in quick mode.
pub const QUICK_MAX_INSNS: u64 = 20_000_000;
/// Runs per (program, engine) by default; the fastest counts. Quick mode
/// runs each once.
pub const DEFAULT_REPEAT: u32 = 3;
/// Wall-time limit of one QEMU run at scale 1 (multiplied by `--scale`).
pub const QEMU_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest `--scale` (the guests accept `bench.scale` up to 1000).
pub const MAX_SCALE: u32 = 1000;

/// A benchmark guest program (`benches/guest/<name>.elf`).
#[derive(Clone, Copy, Debug)]
pub struct Program {
    pub name: &'static str,
    /// One line: what the program measures.
    pub measures: &'static str,
    /// One of the C benchmarks (`guest/src/bench_*.c`): counted in
    /// the geometric means and target checks, and reads `bench.scale=N`
    /// from the kernel command line (N repetitions; 0 runs nothing, which
    /// times QEMU's start-up). The assembly programs ignore the command line.
    pub suite: bool,
}

/// Every program, in the order they run and are reported.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "bench_matmul",
        measures: "C: 96x96 uint32 matrix multiply (i-j-k), 80 products",
        suite: true,
    },
    Program {
        name: "bench_sort",
        measures: "C: quicksort of 128K random uint32 keys, 24 times",
        suite: true,
    },
    Program {
        name: "bench_crc",
        measures: "C: table CRC-32 + FNV-1a over a 256 KiB buffer, 128 passes",
        suite: true,
    },
    Program {
        name: "bench_list",
        measures: "C: walk a randomly linked list of 128K nodes over 4 MiB, 160 times",
        suite: true,
    },
    Program {
        name: "bench_memcpy",
        measures: "C: byte-by-byte copy of 4 MiB, 24 times",
        suite: true,
    },
    Program {
        name: "bench_bytecode",
        measures: "C: switch-dispatched register VM running a sieve and a hash",
        suite: true,
    },
    Program {
        name: "intloop_bare",
        measures: "integer loop, M-mode, satp Bare",
        suite: false,
    },
    Program {
        name: "intloop_sv39",
        measures: "same integer loop, S-mode under Sv39 (4 KiB pages)",
        suite: false,
    },
    Program {
        name: "tlbwalk_4k",
        measures: "S-mode Sv39, one dword per 4 KiB page over 64 MiB, 4 KiB pages",
        suite: false,
    },
    Program {
        name: "tlbwalk_2m",
        measures: "same walk, the 64 MiB mapped with 2 MiB megapages",
        suite: false,
    },
];

/// The C suite's programs (the geometric means are over these).
pub fn suite() -> impl Iterator<Item = &'static Program> {
    PROGRAMS.iter().filter(|p| p.suite)
}

/// The directory holding the guest programs.
pub fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guest")
}

/// The ELF of `program`.
pub fn elf_path(program: &Program) -> PathBuf {
    guest_dir().join(format!("{}.elf", program.name))
}

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
    if program.suite && scale != 1 {
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

/// `qemu-system-riscv64` if it is on the `PATH`.
pub fn find_qemu() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("qemu-system-riscv64"))
        .find(|p| p.is_file())
}

/// The first line of `qemu --version`, for the report header.
pub fn qemu_version(qemu: &Path) -> Option<String> {
    let out = Command::new(qemu).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(|l| l.trim().to_string())
}

/// Times `program` on QEMU at `scale`: the wall time of
/// `qemu -M virt -bios none -nographic -m 256M -kernel X [-append
/// bench.scale=N]`, process start-up included (see
/// [`Measurement::startup_secs`] for how the report leaves it out).
pub fn run_qemu(qemu: &Path, program: &Program, scale: u32) -> Measurement {
    let mut m = Measurement {
        program: program.name,
        engine: Engine::Qemu,
        insns: None,
        secs: 0.0,
        startup_secs: None,
        status: Status::Passed,
        output: String::new(),
    };
    let timeout = QEMU_TIMEOUT * scale.max(1);
    let mut cmd = Command::new(qemu);
    cmd.args(["-M", "virt", "-bios", "none", "-nographic", "-m", QEMU_MEM])
        .arg("-kernel")
        .arg(elf_path(program));
    let append = bootargs(program, scale);
    if !append.is_empty() {
        cmd.arg("-append").arg(append);
    }
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            m.status = Status::Failed(format!("cannot start {}: {e}", qemu.display()));
            return m;
        }
    };
    // Drain the pipes on threads so a chatty guest cannot block QEMU.
    let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as _));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as _));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_micros(200)),
            Err(e) => break Err(format!("waiting for QEMU: {e}")),
        }
    };
    m.secs = start.elapsed().as_secs_f64();
    let mut text = out.join().unwrap_or_default();
    text.extend(err.join().unwrap_or_default());
    m.output = String::from_utf8_lossy(&text).into_owned();
    m.status = match status {
        Ok(s) if s.success() => Status::Passed,
        Ok(s) => match s.code() {
            Some(code) => Status::Failed(describe_exit(code as u32)),
            None => Status::Failed(format!("QEMU ended by a signal ({s})")),
        },
        Err(e) => Status::Failed(e),
    };
    m
}

/// Command-line and environment options of the runner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Substrings of program names to run (all when empty).
    pub filters: Vec<String>,
    /// Engines to report, in [`Engine::all`] order (all of them unless
    /// `--engine` chose some); [`Engine::Missing`] ones get `n/a` rows.
    pub engines: Vec<Engine>,
    /// Repetitions asked of the suite programs (`bench.scale`); 1 = as built.
    pub scale: u32,
    /// Instruction cap per in-process run; hitting it is not a failure.
    pub max_insns: Option<u64>,
    /// Runs per (program, engine); the fastest counts.
    pub repeat: u32,
    /// Quick mode (capped runs, no QEMU, one run per row unless `--repeat`).
    pub quick: bool,
    /// Exit nonzero when a target is missed, not only when a program fails.
    pub enforce_targets: bool,
    pub list: bool,
    pub help: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            filters: Vec::new(),
            engines: Vec::new(),
            scale: 1,
            max_insns: None,
            repeat: DEFAULT_REPEAT,
            quick: false,
            enforce_targets: false,
            list: false,
            help: false,
        }
    }
}

pub const USAGE: &str = "\
usage: cargo bench -p rvdbt-benches --bench mips -- [OPTIONS] [PROGRAM-FILTER...]

  PROGRAM-FILTER      run only programs whose name contains one of these
  --quick             cap each in-process run at 20M instructions (not
                      self-checked) and skip QEMU, which cannot be capped
  --max-insns N       cap each in-process run at N instructions
  --engine NAME       run only this engine (repeatable): interp, jit, tiered,
                      qemu (an engine the runtime lacks is reported as n/a)
  --no-qemu           do not time the programs on QEMU
  --scale N           run the C suite programs N times over (bench.scale=N on
                      the kernel command line, rvdbt and QEMU alike) for
                      longer runs; the assembly programs run once
  --repeat N          run each program N times, report the fastest
                      (default 3; 1 with --quick)
  --enforce-targets   exit nonzero when a measured target is missed
  --list              list the programs and exit

environment: RVDBT_BENCH_QUICK=1, RVDBT_BENCH_FILTER=a,b, RVDBT_BENCH_QEMU=0,
RVDBT_BENCH_MAX_INSNS=N, RVDBT_BENCH_REPEAT=N, RVDBT_BENCH_SCALE=N
(command-line flags add to them)
";

fn parse_scale(what: &str, v: &str) -> Result<u32, String> {
    match parse_count(what, v)? {
        n if n <= MAX_SCALE as u64 => Ok(n as u32),
        n => Err(format!("{what} must be at most {MAX_SCALE}, got {n}")),
    }
}

fn parse_count(what: &str, v: &str) -> Result<u64, String> {
    let v = v.replace('_', "");
    match v.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{what} needs a positive number, got {v:?}")),
    }
}

/// Parses the runner's arguments (`--bench`, which `cargo bench` appends, is
/// ignored) on top of the environment variables `env` returns.
pub fn parse_options(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Options, String> {
    let mut o = Options::default();
    let truthy = |v: Option<String>| v.is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    let mut no_qemu = env("RVDBT_BENCH_QEMU").is_some_and(|v| v == "0" || v == "false");
    o.quick = truthy(env("RVDBT_BENCH_QUICK"));
    let mut repeat = None;
    if let Some(v) = env("RVDBT_BENCH_MAX_INSNS") {
        o.max_insns = Some(parse_count("RVDBT_BENCH_MAX_INSNS", &v)?);
    }
    if let Some(v) = env("RVDBT_BENCH_REPEAT") {
        repeat = Some(parse_count("RVDBT_BENCH_REPEAT", &v)? as u32);
    }
    if let Some(v) = env("RVDBT_BENCH_SCALE") {
        o.scale = parse_scale("RVDBT_BENCH_SCALE", &v)?;
    }
    if let Some(v) = env("RVDBT_BENCH_FILTER") {
        o.filters
            .extend(v.split(',').filter(|s| !s.is_empty()).map(String::from));
    }
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--bench" => {}
            "--quick" => o.quick = true,
            "--no-qemu" => no_qemu = true,
            "--enforce-targets" => o.enforce_targets = true,
            "--list" => o.list = true,
            "-h" | "--help" => o.help = true,
            "--max-insns" => {
                o.max_insns = Some(parse_count("--max-insns", &value("--max-insns")?)?)
            }
            "--repeat" => repeat = Some(parse_count("--repeat", &value("--repeat")?)? as u32),
            "--scale" => o.scale = parse_scale("--scale", &value("--scale")?)?,
            "--engine" => {
                let v = value("--engine")?;
                let e = Engine::from_name(&v).ok_or_else(|| format!("unknown engine {v:?}"))?;
                o.engines.push(e);
            }
            f if f.starts_with('-') => return Err(format!("unknown option {f}")),
            _ => o.filters.push(a),
        }
    }
    if o.quick {
        o.max_insns = o.max_insns.or(Some(QUICK_MAX_INSNS));
        no_qemu = true;
    }
    o.repeat = repeat.unwrap_or(if o.quick { 1 } else { DEFAULT_REPEAT });
    let chosen = std::mem::take(&mut o.engines);
    o.engines = Engine::all()
        .into_iter()
        .filter(|e| chosen.is_empty() || chosen.contains(e))
        .filter(|&e| !(no_qemu && e == Engine::Qemu))
        .collect();
    Ok(o)
}

impl Options {
    /// The programs the filters select, in [`PROGRAMS`] order.
    pub fn programs(&self) -> Vec<Program> {
        PROGRAMS
            .iter()
            .filter(|p| self.filters.is_empty() || self.filters.iter().any(|f| p.name.contains(f)))
            .copied()
            .collect()
    }
}

/// A guest-MIPS target of the issue: `program` on `engine` must reach `mips`.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub label: &'static str,
    pub program: &'static str,
    pub engine: Engine,
    pub mips: f64,
}

pub const TARGETS: &[Target] = &[
    Target {
        label: "bare",
        program: "intloop_bare",
        engine: INTERP,
        mips: 300.0,
    },
    Target {
        label: "Sv39",
        program: "intloop_sv39",
        engine: INTERP,
        mips: 250.0,
    },
];

/// A speed-ratio target of the issue: over the C suite, the geometric mean
/// of `num`'s speed divided by `den`'s must reach `min`.
#[derive(Clone, Copy, Debug)]
pub struct RatioTarget {
    pub label: &'static str,
    /// Engine names ([`Engine::name`]).
    pub num: &'static str,
    pub den: &'static str,
    pub min: f64,
}

/// The JIT targets, which are also the first columns of the ratio
/// table.
pub const RATIO_TARGETS: &[RatioTarget] = &[
    RatioTarget {
        label: "jit >= 10x interp",
        num: "jit",
        den: "interp",
        min: 10.0,
    },
    RatioTarget {
        label: "tiered within 10% of jit",
        num: "tiered",
        den: "jit",
        min: 0.9,
    },
    RatioTarget {
        label: "tiered no slower than QEMU",
        num: "tiered",
        den: "qemu",
        min: 1.0,
    },
];

/// Runs of the tiered engine shorter than this get a reminder on the
/// tiered/jit target, which the issue states for runs of a few seconds.
pub const FEW_SECONDS: f64 = 2.0;

/// All measurements of one run of the runner.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: Vec<Measurement>,
}

/// A measured speed ratio.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratio {
    pub value: f64,
    /// At least one of the runs behind it was capped (a rate over part of
    /// the program, not the whole).
    pub capped: bool,
}

/// `a / b` when both are known and `b` is not zero.
fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// A ratio, or why there is none.
fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a (a run failed)".to_string(), |r| format!("{r:.3}"))
}

/// A speed ratio, or why there is none (`n/a (engine not built)`, ...).
fn fmt_speed(r: &Result<Ratio, String>) -> String {
    match r {
        Ok(r) if r.capped => format!("{:.3} (capped)", r.value),
        Ok(r) => format!("{:.3}", r.value),
        Err(why) => why.clone(),
    }
}

fn fmt_opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.prec$}"))
}

/// The text for an engine that is not built.
pub const NOT_BUILT: &str = "n/a (engine not built)";

impl Report {
    pub fn row(&self, program: &str, engine: Engine) -> Option<&Measurement> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine == engine)
    }

    /// The row of the engine called `name` ([`Engine::name`]).
    pub fn row_named(&self, program: &str, name: &str) -> Option<&Measurement> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine.name() == name)
    }

    /// The instruction count of `program`: from the first in-process engine
    /// that ran it to the end (the programs are deterministic, so every
    /// engine executes the same instructions). None for capped or failed runs.
    pub fn reference_insns(&self, program: &str) -> Option<u64> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine.counts_insns() && m.status == Status::Passed)
            .and_then(|m| m.insns)
    }

    /// Instructions and whether they are the engine's own count.
    fn insns_of(&self, m: &Measurement) -> Option<(u64, bool)> {
        if m.engine.counts_insns() {
            m.insns.map(|n| (n, true))
        } else {
            self.reference_insns(m.program).map(|n| (n, false))
        }
    }

    /// The wall time that counts: QEMU's without its start-up when that
    /// was measured, otherwise the whole run.
    pub fn net_secs(m: &Measurement) -> f64 {
        match m.startup_secs {
            Some(s) if m.secs > s => m.secs - s,
            _ => m.secs,
        }
    }

    /// Guest MIPS of a row that ran to the end (or to its cap).
    pub fn mips(&self, m: &Measurement) -> Option<f64> {
        if matches!(m.status, Status::Failed(_) | Status::NotBuilt) || m.secs <= 0.0 {
            return None;
        }
        self.insns_of(m)
            .map(|(n, _)| n as f64 / Report::net_secs(m) / 1e6)
    }

    fn mips_of(&self, program: &str, engine: Engine) -> Option<f64> {
        self.row(program, engine).and_then(|m| self.mips(m))
    }

    fn secs_of(&self, program: &str, engine: Engine) -> Option<f64> {
        self.row(program, engine)
            .filter(|m| !matches!(m.status, Status::Failed(_) | Status::NotBuilt))
            .map(|m| m.secs)
    }

    /// The speed of the engine called `name` on `program` (MIPS) and
    /// whether its run was capped, or why there is none.
    fn speed_of(&self, program: &str, name: &str) -> Result<(f64, bool), String> {
        let Some(m) = self.row_named(program, name) else {
            let missing = matches!(Engine::from_name(name), Some(Engine::Missing(_)));
            return Err(if missing { NOT_BUILT } else { "n/a (not run)" }.to_string());
        };
        match &m.status {
            Status::NotBuilt => Err(NOT_BUILT.to_string()),
            Status::Failed(_) => Err("n/a (a run failed)".to_string()),
            status => match self.mips(m) {
                Some(v) if v > 0.0 => Ok((v, *status == Status::Capped)),
                _ => Err("n/a (no complete run to count instructions)".to_string()),
            },
        }
    }

    /// How many times faster `num` ran `program` than `den` (engine names):
    /// the ratio of their MIPS, which for complete runs is `den`'s time over
    /// `num`'s (QEMU's without its start-up).
    pub fn speed_ratio(&self, program: &str, num: &str, den: &str) -> Result<Ratio, String> {
        let (a, a_capped) = self.speed_of(program, num)?;
        let (b, b_capped) = self.speed_of(program, den)?;
        Ok(Ratio {
            value: a / b,
            capped: a_capped || b_capped,
        })
    }

    /// The suite programs this report has rows for.
    fn suite_ran(&self) -> Vec<&'static str> {
        suite()
            .filter(|p| self.rows.iter().any(|m| m.program == p.name))
            .map(|p| p.name)
            .collect()
    }

    /// The geometric mean of [`Report::speed_ratio`] over the suite programs
    /// that ran, and how many they were; n/a when any of them has none.
    pub fn suite_geomean(&self, num: &str, den: &str) -> Result<(Ratio, usize), String> {
        let programs = self.suite_ran();
        if programs.is_empty() {
            return Err("n/a (no suite program ran)".to_string());
        }
        let mut log_sum = 0.0;
        let mut capped = false;
        for p in &programs {
            let r = self.speed_ratio(p, num, den)?;
            log_sum += r.value.ln();
            capped |= r.capped;
        }
        let value = (log_sum / programs.len() as f64).exp();
        Ok((Ratio { value, capped }, programs.len()))
    }

    pub fn any_failed(&self) -> bool {
        self.rows
            .iter()
            .any(|m| matches!(m.status, Status::Failed(_)))
    }

    pub fn table_header() -> String {
        format!(
            "{:<14} {:<7} {:>14} {:>9} {:>9}  result",
            "program", "engine", "instructions", "seconds", "MIPS"
        )
    }

    /// One table line; QEMU's instruction count is rvdbt's, in parentheses,
    /// and its seconds leave out its start-up when that was measured.
    pub fn table_line(&self, m: &Measurement) -> String {
        if m.status == Status::NotBuilt {
            return format!(
                "{:<14} {:<7} {:>14} {:>9} {:>9}  {NOT_BUILT}",
                m.program,
                m.engine.name(),
                "n/a",
                "n/a",
                "n/a"
            );
        }
        let insns = match self.insns_of(m) {
            Some((n, true)) => n.to_string(),
            Some((n, false)) => format!("({n})"),
            None => "n/a".to_string(),
        };
        let mut result = match &m.status {
            Status::Passed => "ok".to_string(),
            Status::Capped => "capped (not self-checked)".to_string(),
            Status::NotBuilt => NOT_BUILT.to_string(),
            Status::Failed(why) => format!("FAILED: {why}"),
        };
        if let Some(s) = m.startup_secs.filter(|&s| m.secs > s) {
            let _ = write!(result, " (start-up {s:.3} s left out)");
        }
        format!(
            "{:<14} {:<7} {:>14} {:>9.3} {:>9}  {result}",
            m.program,
            m.engine.name(),
            insns,
            Report::net_secs(m),
            fmt_opt(self.mips(m), 1),
        )
    }

    /// The table, the ratios and the target checks.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}", Report::table_header());
        for m in &self.rows {
            let _ = writeln!(s, "{}", self.table_line(m));
        }
        s.push_str(&self.render_summary());
        s
    }

    /// The columns of the ratio table: the targets' ratios, then every
    /// other in-process engine that ran against QEMU, when QEMU ran.
    fn ratio_columns(&self) -> Vec<(String, String)> {
        let mut cols: Vec<(String, String)> = Vec::new();
        let mut add = |n: String, d: String| {
            if !cols.contains(&(n.clone(), d.clone())) {
                cols.push((n, d));
            }
        };
        for t in RATIO_TARGETS {
            add(t.num.to_string(), t.den.to_string());
        }
        if self.rows.iter().any(|m| m.engine == Engine::Qemu) {
            for e in Engine::all().into_iter().filter(|e| e.counts_insns()) {
                if self.rows.iter().any(|m| m.engine == e) {
                    add(e.name(), Engine::Qemu.name());
                }
            }
        }
        cols
    }

    /// Per-program speed ratios and their geometric means over the suite.
    pub fn render_ratio_table(&self) -> String {
        let mut programs: Vec<&'static str> = Vec::new();
        for m in &self.rows {
            if !programs.contains(&m.program) {
                programs.push(m.program);
            }
        }
        if programs.is_empty() {
            return String::new();
        }
        let cols = self.ratio_columns();
        let mut lines: Vec<Vec<String>> = vec![std::iter::once("program".to_string())
            .chain(cols.iter().map(|(n, d)| format!("{n}/{d}")))
            .collect()];
        for p in &programs {
            lines.push(
                std::iter::once(p.to_string())
                    .chain(
                        cols.iter()
                            .map(|(n, d)| fmt_speed(&self.speed_ratio(p, n, d))),
                    )
                    .collect(),
            );
        }
        let ran = self.suite_ran().len();
        if ran > 0 {
            lines.push(
                std::iter::once(format!("geomean ({ran} C)"))
                    .chain(
                        cols.iter()
                            .map(|(n, d)| fmt_speed(&self.suite_geomean(n, d).map(|(r, _)| r))),
                    )
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..=cols.len())
            .map(|i| lines.iter().map(|l| l[i].len()).max().unwrap_or(0))
            .collect();
        let mut s = String::from(
            "\nspeed ratios (same run; MIPS over MIPS, which for QEMU is its time \
             without start-up over rvdbt's; geomean over the C suite programs that ran):\n",
        );
        for l in &lines {
            let cells: Vec<String> = l
                .iter()
                .zip(&widths)
                .map(|(c, &w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(s, "  {}", cells.join("   ").trim_end());
        }
        s
    }

    /// Everything after the table: failures' output, ratios, targets.
    pub fn render_summary(&self) -> String {
        let mut s = String::new();
        for m in self
            .rows
            .iter()
            .filter(|m| matches!(m.status, Status::Failed(_)))
        {
            let Status::Failed(why) = &m.status else {
                continue;
            };
            let _ = writeln!(s, "\nFAILED: {} on {}: {why}", m.program, m.engine.name());
            for line in m.output.lines() {
                let _ = writeln!(s, "  | {line}");
            }
        }

        s.push_str(&self.render_ratio_table());

        let mut engines: Vec<Engine> = Vec::new();
        for m in &self.rows {
            if !engines.contains(&m.engine) && m.status != Status::NotBuilt {
                engines.push(m.engine);
            }
        }
        let mut ratios = String::new();
        for &e in &engines {
            let has = |p: &str| self.row(p, e).is_some();
            let mut parts = Vec::new();
            if has("intloop_sv39") && has("intloop_bare") {
                let r = ratio(
                    self.mips_of("intloop_sv39", e),
                    self.mips_of("intloop_bare", e),
                );
                parts.push(format!("intloop_sv39/intloop_bare MIPS = {}", fmt_ratio(r)));
            }
            if has("tlbwalk_2m") && has("tlbwalk_4k") {
                let r = ratio(self.secs_of("tlbwalk_2m", e), self.secs_of("tlbwalk_4k", e));
                parts.push(format!("tlbwalk_2m/tlbwalk_4k time = {}", fmt_ratio(r)));
            }
            if !parts.is_empty() {
                let _ = writeln!(ratios, "  {:<7} {}", e.name(), parts.join("   "));
            }
        }
        if !ratios.is_empty() {
            let _ = write!(s, "\nsoftmmu ratios measured in this run:\n{ratios}");
        }

        let mut targets = String::new();
        for t in TARGETS {
            let Some(m) = self.row(t.program, t.engine) else {
                continue;
            };
            let verdict = match (&m.status, self.mips(m)) {
                (Status::Failed(why), _) => format!("NOT MEASURED ({} failed: {why})", t.program),
                (_, Some(v)) if v >= t.mips => format!("MET ({v:.1} MIPS)"),
                (_, Some(v)) => format!("MISSED ({v:.1} MIPS)"),
                (_, None) => "NOT MEASURED".to_string(),
            };
            let capped = if m.status == Status::Capped {
                " [capped run]"
            } else {
                ""
            };
            let _ = writeln!(
                targets,
                "  >= {:.0} MIPS {} ({} {}): {verdict}{capped}",
                t.mips,
                t.label,
                t.engine.name(),
                t.program
            );
        }
        let total = suite().count();
        let ratio_targets = if self.suite_ran().is_empty() {
            &[][..]
        } else {
            RATIO_TARGETS
        };
        for t in ratio_targets {
            let verdict = match self.suite_geomean(t.num, t.den) {
                Err(why) => why,
                Ok((r, n)) => {
                    let mut v = if r.value >= t.min {
                        format!("MET ({:.3})", r.value)
                    } else {
                        format!("MISSED ({:.3})", r.value)
                    };
                    if r.capped {
                        v.push_str(" [capped runs]");
                    }
                    if n < total {
                        let _ = write!(v, " [{n} of {total} suite programs]");
                    }
                    if let Some(note) = self.run_length_note(t) {
                        v.push_str(&note);
                    }
                    v
                }
            };
            let _ = writeln!(
                targets,
                "  {} (geomean {}/{} >= {:.2}): {verdict}",
                t.label, t.num, t.den, t.min
            );
        }
        if !targets.is_empty() {
            let _ = write!(s, "\ntargets:\n{targets}");
        }
        s
    }

    /// For the tiered/jit target: the length of the tiered runs, and a hint
    /// when they are shorter than the few seconds the issue asks for.
    fn run_length_note(&self, t: &RatioTarget) -> Option<String> {
        if (t.num, t.den) != ("tiered", "jit") {
            return None;
        }
        let secs: Vec<f64> = self
            .suite_ran()
            .iter()
            .filter_map(|p| self.row_named(p, t.num))
            .map(|m| m.secs)
            .collect();
        let min = secs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = secs.iter().copied().fold(0.0, f64::max);
        if secs.is_empty() || max >= FEW_SECONDS {
            return None;
        }
        Some(format!(
            " [tiered runs of {min:.2}-{max:.2} s; the issue means runs of a few seconds: add --scale N]"
        ))
    }

    /// Whether every target that was measured was met (a target without
    /// rows, or whose engine is not built, does not count).
    pub fn targets_met(&self) -> bool {
        let mips = TARGETS.iter().all(|t| match self.row(t.program, t.engine) {
            None => true,
            Some(m) => self.mips(m).is_some_and(|v| v >= t.mips),
        });
        let ratios = RATIO_TARGETS
            .iter()
            .all(|t| match self.suite_geomean(t.num, t.den) {
                Ok((r, _)) => r.value >= t.min,
                Err(_) => true,
            });
        mips && ratios
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(args: &[&str], env: &[(&str, &str)]) -> Result<Options, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_options(args.iter().map(|s| s.to_string()), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn cargo_bench_flag_is_ignored_and_defaults_run_everything() {
        let o = opts(&["--bench"], &[]).unwrap();
        assert_eq!(o.programs().len(), PROGRAMS.len());
        assert_eq!(o.engines, Engine::all());
        assert_eq!(o.engines.first(), Some(&INTERP));
        assert_eq!(o.engines.last(), Some(&Engine::Qemu));
        assert_eq!(o.max_insns, None);
        assert_eq!(o.scale, 1);
    }

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
    fn filters_quick_scale_and_engines() {
        let o = opts(&["tlbwalk", "--quick", "--bench"], &[]).unwrap();
        let names: Vec<_> = o.programs().iter().map(|p| p.name).collect();
        assert_eq!(names, ["tlbwalk_4k", "tlbwalk_2m"]);
        assert_eq!(o.max_insns, Some(QUICK_MAX_INSNS));
        assert!(!o.engines.contains(&Engine::Qemu));
        assert!(o.engines.contains(&INTERP));

        let o = opts(
            &["--max-insns=1_000", "--engine", "qemu"],
            &[("RVDBT_BENCH_FILTER", "bare")],
        )
        .unwrap();
        assert_eq!(o.max_insns, Some(1000));
        assert_eq!(o.engines, vec![Engine::Qemu]);
        assert_eq!(o.programs()[0].name, "intloop_bare");

        // engines come out in report order whatever order they were asked in
        let o = opts(
            &["--engine", "qemu", "--engine", "tiered", "--engine=interp"],
            &[],
        )
        .unwrap();
        let names: Vec<String> = o.engines.iter().map(|e| e.name()).collect();
        assert_eq!(names, ["interp", "tiered", "qemu"]);

        let o = opts(&["--scale", "7"], &[("RVDBT_BENCH_QUICK", "1")]).unwrap();
        assert_eq!(o.max_insns, Some(QUICK_MAX_INSNS));
        assert_eq!(o.scale, 7);
        assert_eq!(opts(&[], &[("RVDBT_BENCH_SCALE", "3")]).unwrap().scale, 3);
        assert!(opts(&["--frobnicate"], &[]).is_err());
        assert!(opts(&["--repeat", "0"], &[]).is_err());
        assert!(opts(&["--scale", "0"], &[]).is_err());
        assert!(opts(&["--scale", "1001"], &[]).is_err());
        assert!(opts(&["--engine", "jit9"], &[]).is_err());
    }

    #[test]
    fn suite_programs_take_the_scale_on_the_command_line() {
        let matmul = PROGRAMS.iter().find(|p| p.name == "bench_matmul").unwrap();
        let bare = PROGRAMS.iter().find(|p| p.name == "intloop_bare").unwrap();
        assert_eq!(bootargs(matmul, 1), "");
        assert_eq!(bootargs(matmul, 10), "bench.scale=10");
        assert_eq!(bootargs(matmul, 0), "bench.scale=0");
        assert_eq!(bootargs(bare, 10), "");
        assert_eq!(suite().count(), 6);
    }

    fn row(
        program: &'static str,
        engine: Engine,
        insns: Option<u64>,
        secs: f64,
        status: Status,
    ) -> Measurement {
        Measurement {
            program,
            engine,
            insns,
            secs,
            startup_secs: None,
            status,
            output: String::new(),
        }
    }

    #[test]
    fn report_ratios_targets_and_qemu_counts() {
        let r = Report {
            rows: vec![
                row(
                    "intloop_bare",
                    INTERP,
                    Some(600_000_000),
                    2.0,
                    Status::Passed,
                ),
                row("intloop_bare", Engine::Qemu, None, 0.5, Status::Passed),
                row(
                    "intloop_sv39",
                    INTERP,
                    Some(1000),
                    0.001,
                    Status::Failed(describe_exit(2)),
                ),
                row("tlbwalk_4k", INTERP, Some(100), 4.0, Status::Passed),
                row("tlbwalk_2m", INTERP, Some(100), 1.0, Status::Passed),
            ],
        };
        assert!(r.any_failed());
        assert_eq!(r.mips(&r.rows[0]), Some(300.0));
        // QEMU borrows rvdbt's instruction count for the same program.
        assert_eq!(r.mips(&r.rows[1]), Some(1200.0));
        assert_eq!(r.mips(&r.rows[2]), None);
        assert!(!r.targets_met());
        let text = r.render();
        assert!(text.contains("(600000000)"), "{text}");
        assert!(
            text.contains(">= 300 MIPS bare (interp intloop_bare): MET (300.0 MIPS)"),
            "{text}"
        );
        assert!(
            text.contains(">= 250 MIPS Sv39 (interp intloop_sv39): NOT MEASURED"),
            "{text}"
        );
        assert!(
            text.contains("tlbwalk_2m/tlbwalk_4k time = 0.250"),
            "{text}"
        );
        assert_eq!(
            r.speed_ratio("intloop_bare", "interp", "qemu"),
            Ok(Ratio {
                value: 0.25,
                capped: false
            })
        );
        assert!(text.contains("interp/qemu"), "{text}");
        assert!(
            text.contains("intloop_sv39/intloop_bare MIPS = n/a (a run failed)"),
            "{text}"
        );
        // no suite program ran: no geomean, no ratio target lines
        assert!(!text.contains("geomean ("), "{text}");
        assert!(!text.contains("jit >= 10x interp"), "{text}");
    }

    /// A full suite: interp and QEMU measured, jit and tiered as the report
    /// sees them when the runtime does (or does not) have them.
    fn suite_report(jit: Option<f64>, tiered: Option<f64>) -> Report {
        let mut rows = Vec::new();
        for p in suite() {
            rows.push(row(p.name, INTERP, Some(600_000_000), 2.0, Status::Passed));
            for (name, secs) in [("jit", jit), ("tiered", tiered)] {
                rows.push(match secs {
                    // stand-ins: the ratio code only looks at names
                    Some(s) => Measurement {
                        engine: Engine::Missing(name),
                        ..row(p.name, INTERP, Some(600_000_000), s, Status::Passed)
                    },
                    None => not_built(p, Engine::Missing(name)),
                });
            }
            let mut q = row(p.name, Engine::Qemu, None, 0.55, Status::Passed);
            q.startup_secs = Some(0.05);
            rows.push(q);
        }
        Report { rows }
    }

    #[test]
    fn unbuilt_engines_are_reported_not_failed() {
        let r = suite_report(None, None);
        assert!(!r.any_failed());
        assert!(r.targets_met());
        let text = r.render();
        assert!(
            text.contains(
                "bench_matmul   jit                n/a       n/a       n/a  n/a (engine not built)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "jit >= 10x interp (geomean jit/interp >= 10.00): n/a (engine not built)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "tiered no slower than QEMU (geomean tiered/qemu >= 1.00): n/a (engine not built)"
            ),
            "{text}"
        );
        // QEMU's start-up is left out: 0.5 s, 1200 MIPS, interp at 0.25x
        assert!(
            text.contains("0.500    1200.0  ok (start-up 0.050 s left out)"),
            "{text}"
        );
        assert!(text.contains("geomean (6 C)"), "{text}");
        let (g, n) = r.suite_geomean("interp", "qemu").unwrap();
        assert_eq!(n, 6);
        assert!((g.value - 0.25).abs() < 1e-9, "{g:?}");
    }

    #[test]
    fn jit_targets_from_the_geometric_mean() {
        // jit 12x interp, tiered 0.95x jit and 2.85x QEMU
        let jit = 2.0 / 12.0;
        let r = suite_report(Some(jit), Some(jit / 0.95));
        let text = r.render();
        assert!(
            text.contains("jit >= 10x interp (geomean jit/interp >= 10.00): MET (12.000)"),
            "{text}"
        );
        assert!(
            text.contains("tiered within 10% of jit (geomean tiered/jit >= 0.90): MET (0.950) [tiered runs of 0.18-0.18 s;"),
            "{text}"
        );
        assert!(
            text.contains("tiered no slower than QEMU (geomean tiered/qemu >= 1.00): MET (2.850)"),
            "{text}"
        );
        assert!(r.targets_met());
        // tiered 20% behind jit misses
        let r = suite_report(Some(jit), Some(jit / 0.8));
        assert!(!r.targets_met());
        assert!(r.render().contains("MISSED (0.800)"));
    }

    #[test]
    fn every_program_is_committed() {
        for p in PROGRAMS {
            assert!(elf_path(p).is_file(), "{} missing", elf_path(p).display());
        }
    }
}

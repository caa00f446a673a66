//! The benchmark runner behind `cargo bench -p rvdbt-benches --bench mips`: guest programs, engines, timing and the report.
//!
//! Each guest program in `benches/guest/` is self-checking and ends through
//! the SiFive test finisher (exit codes in `benches/guest/common/bench.h`).
//! Every in-process engine runs every selected program through
//! [`runtime::machine::run_program`]; when `qemu-system-riscv64` is on the
//! `PATH` the same ELFs are timed on QEMU as a reference. The report is a
//! table (program, engine, instructions, seconds, MIPS) followed by ratios
//! measured in the same run and the target checks.

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

/// Instruction cap of a full run: a safety net only (the largest program
/// executes about 0.2 billion instructions), so a broken engine that never
/// reaches the finisher still ends.
pub const SAFETY_MAX_INSNS: u64 = 2_000_000_000;
/// Instruction cap per program in quick mode.
pub const QUICK_MAX_INSNS: u64 = 20_000_000;
/// Runs per (program, engine) by default; the fastest counts. Quick mode
/// runs each once.
pub const DEFAULT_REPEAT: u32 = 3;
/// Wall-time limit of one QEMU run.
pub const QEMU_TIMEOUT: Duration = Duration::from_secs(60);

/// A benchmark guest program (`benches/guest/<name>.elf`).
#[derive(Clone, Copy, Debug)]
pub struct Program {
    pub name: &'static str,
    /// One line: what the program measures.
    pub measures: &'static str,
}

/// Every program, in the order they run and are reported.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "intloop_bare",
        measures: "integer loop, M-mode, satp Bare",
    },
    Program {
        name: "intloop_sv39",
        measures: "same integer loop, S-mode under Sv39 (4 KiB pages)",
    },
    Program {
        name: "tlbwalk_4k",
        measures: "S-mode Sv39, one dword per 4 KiB page over 64 MiB, 4 KiB pages",
    },
    Program {
        name: "tlbwalk_2m",
        measures: "same walk, the 64 MiB mapped with 2 MiB megapages",
    },
];

/// The directory holding the guest programs.
pub fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guest")
}

/// The ELF of `program`.
pub fn elf_path(program: &Program) -> PathBuf {
    guest_dir().join(format!("{}.elf", program.name))
}

/// An execution engine. In-process engines run through the `runtime` crate
/// and count instructions; QEMU is an external reference that does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// rvdbt's decoding interpreter.
    Interp,
    /// `qemu-system-riscv64` (TCG), timed as a whole process.
    Qemu,
}

impl Engine {
    /// rvdbt's engines, each run on every program. The JIT joins this list.
    pub const IN_PROCESS: &'static [Engine] = &[Engine::Interp];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Interp => "interp",
            Engine::Qemu => "qemu",
        }
    }

    pub fn from_name(name: &str) -> Option<Engine> {
        [Engine::Interp, Engine::Qemu]
            .into_iter()
            .find(|e| e.name() == name)
    }

    /// Whether the engine reports the guest's instruction count.
    pub fn counts_insns(self) -> bool {
        self != Engine::Qemu
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
    pub secs: f64,
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

/// Runs `program` on an in-process engine, stopping after `max_insns`
/// instructions. `capped` says whether hitting that limit is expected
/// (quick mode) rather than a failure.
pub fn run_in_process(
    engine: Engine,
    program: &Program,
    max_insns: u64,
    capped: bool,
) -> Measurement {
    assert!(engine.counts_insns(), "{} is not in-process", engine.name());
    let mut cfg = Config::new(elf_path(program));
    cfg.ram_size = RAM_SIZE;
    cfg.max_insns = Some(max_insns);
    let cap = Capture::default();
    let out_cap = cap.clone();
    let out = move || -> Box<dyn Write> { Box::new(out_cap.clone()) };
    let start = Instant::now();
    // The runtime has no engine selection yet: run_program always
    // interprets. A JIT engine will pass its choice through `cfg` here.
    let result = match engine {
        Engine::Interp => run_program(&cfg, &out, &|_| {}),
        Engine::Qemu => unreachable!(),
    };
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

/// Times `program` on QEMU: the wall time of
/// `qemu -M virt -bios none -nographic -m 256M -kernel X`, process start-up
/// included.
pub fn run_qemu(qemu: &Path, program: &Program) -> Measurement {
    let mut m = Measurement {
        program: program.name,
        engine: Engine::Qemu,
        insns: None,
        secs: 0.0,
        status: Status::Passed,
        output: String::new(),
    };
    let start = Instant::now();
    let child = Command::new(qemu)
        .args(["-M", "virt", "-bios", "none", "-nographic", "-m", QEMU_MEM])
        .arg("-kernel")
        .arg(elf_path(program))
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
            Ok(None) if start.elapsed() > QEMU_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {}s", QEMU_TIMEOUT.as_secs()));
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
    /// Engines to run (all available when empty).
    pub engines: Vec<Engine>,
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
  --engine NAME       run only this engine (repeatable): interp, qemu
  --no-qemu           do not time the programs on QEMU
  --repeat N          run each program N times, report the fastest
                      (default 3; 1 with --quick)
  --enforce-targets   exit nonzero when a MIPS target is missed
  --list              list the programs and exit

environment: RVDBT_BENCH_QUICK=1, RVDBT_BENCH_FILTER=a,b, RVDBT_BENCH_QEMU=0,
RVDBT_BENCH_MAX_INSNS=N, RVDBT_BENCH_REPEAT=N (command-line flags add to them)
";

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
    if o.engines.is_empty() {
        o.engines.extend_from_slice(Engine::IN_PROCESS);
        if !no_qemu {
            o.engines.push(Engine::Qemu);
        }
    } else if no_qemu {
        o.engines.retain(|&e| e != Engine::Qemu);
    }
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
        engine: Engine::Interp,
        mips: 300.0,
    },
    Target {
        label: "Sv39",
        program: "intloop_sv39",
        engine: Engine::Interp,
        mips: 250.0,
    },
];

/// All measurements of one run of the runner.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: Vec<Measurement>,
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

fn fmt_opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.prec$}"))
}

impl Report {
    pub fn row(&self, program: &str, engine: Engine) -> Option<&Measurement> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine == engine)
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

    /// Guest MIPS of a row that ran to the end (or to its cap).
    pub fn mips(&self, m: &Measurement) -> Option<f64> {
        if matches!(m.status, Status::Failed(_)) || m.secs <= 0.0 {
            return None;
        }
        self.insns_of(m).map(|(n, _)| n as f64 / m.secs / 1e6)
    }

    fn mips_of(&self, program: &str, engine: Engine) -> Option<f64> {
        self.row(program, engine).and_then(|m| self.mips(m))
    }

    fn secs_of(&self, program: &str, engine: Engine) -> Option<f64> {
        self.row(program, engine)
            .filter(|m| !matches!(m.status, Status::Failed(_)))
            .map(|m| m.secs)
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

    /// One table line; QEMU's instruction count is rvdbt's, in parentheses.
    pub fn table_line(&self, m: &Measurement) -> String {
        let insns = match self.insns_of(m) {
            Some((n, true)) => n.to_string(),
            Some((n, false)) => format!("({n})"),
            None => "n/a".to_string(),
        };
        let result = match &m.status {
            Status::Passed => "ok".to_string(),
            Status::Capped => "capped (not self-checked)".to_string(),
            Status::Failed(why) => format!("FAILED: {why}"),
        };
        format!(
            "{:<14} {:<7} {:>14} {:>9.3} {:>9}  {result}",
            m.program,
            m.engine.name(),
            insns,
            m.secs,
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

        let mut engines: Vec<Engine> = Vec::new();
        for m in &self.rows {
            if !engines.contains(&m.engine) {
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
        let mut vs_qemu = String::new();
        for &e in engines.iter().filter(|e| e.counts_insns()) {
            for p in PROGRAMS {
                if self.row(p.name, e).is_some() && self.row(p.name, Engine::Qemu).is_some() {
                    let r = ratio(self.secs_of(p.name, Engine::Qemu), self.secs_of(p.name, e));
                    let _ = writeln!(
                        vs_qemu,
                        "    {:<7} {:<14} {}",
                        e.name(),
                        p.name,
                        fmt_ratio(r)
                    );
                }
            }
        }
        if !vs_qemu.is_empty() {
            let _ = writeln!(
                ratios,
                "  rvdbt vs QEMU speed (QEMU seconds / rvdbt seconds, same program; QEMU time includes its start-up):"
            );
            ratios.push_str(&vs_qemu);
        }
        if !ratios.is_empty() {
            let _ = write!(s, "\nratios measured in this run:\n{ratios}");
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
        if !targets.is_empty() {
            let _ = write!(s, "\ntargets:\n{targets}");
        }
        s
    }

    /// Whether every target that has a row was measured and met.
    pub fn targets_met(&self) -> bool {
        TARGETS.iter().all(|t| match self.row(t.program, t.engine) {
            None => true,
            Some(m) => self.mips(m).is_some_and(|v| v >= t.mips),
        })
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
        assert_eq!(o.engines, vec![Engine::Interp, Engine::Qemu]);
        assert_eq!(o.max_insns, None);
    }

    #[test]
    fn filters_quick_and_engines() {
        let o = opts(&["tlbwalk", "--quick", "--bench"], &[]).unwrap();
        let names: Vec<_> = o.programs().iter().map(|p| p.name).collect();
        assert_eq!(names, ["tlbwalk_4k", "tlbwalk_2m"]);
        assert_eq!(o.max_insns, Some(QUICK_MAX_INSNS));
        assert_eq!(o.engines, vec![Engine::Interp]);

        let o = opts(
            &["--max-insns=1_000", "--engine", "qemu"],
            &[("RVDBT_BENCH_FILTER", "bare")],
        )
        .unwrap();
        assert_eq!(o.max_insns, Some(1000));
        assert_eq!(o.engines, vec![Engine::Qemu]);
        assert_eq!(o.programs()[0].name, "intloop_bare");

        let o = opts(&[], &[("RVDBT_BENCH_QUICK", "1")]).unwrap();
        assert_eq!(o.max_insns, Some(QUICK_MAX_INSNS));
        assert!(opts(&["--frobnicate"], &[]).is_err());
        assert!(opts(&["--repeat", "0"], &[]).is_err());
        assert!(opts(&["--engine", "jit9"], &[]).is_err());
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
                    Engine::Interp,
                    Some(600_000_000),
                    2.0,
                    Status::Passed,
                ),
                row("intloop_bare", Engine::Qemu, None, 0.5, Status::Passed),
                row(
                    "intloop_sv39",
                    Engine::Interp,
                    Some(1000),
                    0.001,
                    Status::Failed(describe_exit(2)),
                ),
                row("tlbwalk_4k", Engine::Interp, Some(100), 4.0, Status::Passed),
                row("tlbwalk_2m", Engine::Interp, Some(100), 1.0, Status::Passed),
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
        assert!(text.contains("intloop_bare   0.250"), "{text}");
        assert!(
            text.contains("intloop_sv39/intloop_bare MIPS = n/a (a run failed)"),
            "{text}"
        );
        // no QEMU rows for the walks: no speed line for them
        assert!(!text.contains("interp  tlbwalk_4k"), "{text}");
    }

    #[test]
    fn every_program_is_committed() {
        for p in PROGRAMS {
            assert!(elf_path(p).is_file(), "{} missing", elf_path(p).display());
        }
    }
}

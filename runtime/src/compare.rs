//! `rvdbt compare`: runs one program under several engines (and QEMU 7.2
//! when it is installed and the machine options allow), checks that they
//! agree on the console output and the exit status, and reports wall time,
//! guest instructions, MIPS and speed ratios.
//!
//! Each engine runs as a child process, `rvdbt run --engine E --stats
//! <run options> PROGRAM` (this same executable), exactly what a user
//! would type; QEMU as `qemu-system-riscv64 -M virt -nographic ...` with
//! the equivalent options. Children read no input and are killed at the
//! `--timeout`.

use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

use crate::cli::{RunArgs, EXIT_USAGE};
use crate::config::{Bios, Engine};

/// Exit status when the runs disagree (or one could not finish).
pub const EXIT_DISAGREE: u8 = 1;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Every argument after the compare options is handed to `rvdbt run` (put --engine, --qemu, --json and --timeout first)."
)]
pub struct CompareArgs {
    /// An engine to run (repeatable; default: interp, jit and tiered).
    #[arg(long = "engine", value_enum)]
    pub engines: Vec<Engine>,
    /// Require QEMU 7.2 (`qemu-system-riscv64`): an error when it is not
    /// installed or the options have no QEMU equivalent. By default QEMU
    /// runs when it can.
    #[arg(long, conflicts_with = "no_qemu")]
    pub qemu: bool,
    /// Do not run QEMU.
    #[arg(long)]
    pub no_qemu: bool,
    /// Print the results as JSON on stdout (layout `rvdbt-compare/1`).
    #[arg(long)]
    pub json: bool,
    /// Kill a run after this many seconds (it then counts as a failure).
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
    /// `rvdbt run` options and the program.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "RUN OPTIONS... PROGRAM"
    )]
    pub run: Vec<String>,
}

/// `rvdbt run`'s arguments on their own, to check and read the run
/// options before any child starts.
#[derive(Parser, Debug)]
#[command(name = "rvdbt run")]
struct RunOnly {
    #[command(flatten)]
    args: RunArgs,
}

/// How one run ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Ending {
    /// The process exited with this status (rvdbt's or QEMU's).
    Exit(i32),
    /// It was killed by a signal, or could not be waited for.
    Killed,
    /// It did not finish within `--timeout`.
    Timeout,
    /// It could not be started.
    NotStarted(String),
}

/// One program run under one engine.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Run {
    /// `interp`, `jit`, `tiered`, `reference` or `qemu`.
    pub engine: String,
    pub ending: Ending,
    pub secs: f64,
    /// Guest instructions (`--stats`; QEMU does not count them).
    pub insns: Option<u64>,
    pub mips: Option<f64>,
    /// Console output (stdout), lossily decoded for the report.
    #[serde(skip)]
    pub output: Vec<u8>,
    pub output_bytes: usize,
}

/// The report `--json` prints.
#[derive(Debug, serde::Serialize)]
struct Report<'a> {
    layout: &'static str,
    program: &'a str,
    runs: &'a [Run],
    agree: bool,
    differences: &'a [String],
    /// Why QEMU did not run, when it did not.
    qemu_skipped: Option<&'a str>,
}

/// `--profile=FILE.json` among the run options names one file per engine
/// (`FILE.<engine>.json`), so the runs do not overwrite each other's.
fn per_engine_profile(arg: &str, engine: &str) -> String {
    let Some(path) = arg.strip_prefix("--profile=") else {
        return arg.to_string();
    };
    let p = std::path::Path::new(path);
    let stem = p
        .file_stem()
        .map_or(String::new(), |s| s.to_string_lossy().into_owned());
    let ext = p
        .extension()
        .map_or("json".into(), |e| e.to_string_lossy().into_owned());
    let name = format!("{stem}.{engine}.{ext}");
    format!("--profile={}", p.with_file_name(name).display())
}

/// Entry point of `rvdbt compare`.
pub fn main(args: CompareArgs) -> ExitCode {
    if args
        .run
        .iter()
        .any(|a| a == "--engine" || a.starts_with("--engine="))
    {
        eprintln!("rvdbt compare: put --engine before the run options and the program");
        return ExitCode::from(EXIT_USAGE);
    }
    let run_args = match RunOnly::try_parse_from(
        std::iter::once("rvdbt run".to_string()).chain(args.run.iter().cloned()),
    ) {
        Ok(r) => r.args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let engines = if args.engines.is_empty() {
        vec![Engine::Interp, Engine::Jit, Engine::Tiered]
    } else {
        args.engines.clone()
    };
    let qemu = if args.no_qemu {
        Err("--no-qemu".to_string())
    } else {
        qemu_command(&run_args)
    };
    if let (true, Err(why)) = (args.qemu, &qemu) {
        eprintln!("rvdbt compare: --qemu: {why}");
        return ExitCode::from(EXIT_USAGE);
    }
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("rvdbt compare: cannot find the rvdbt executable: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let timeout = Duration::from_secs(args.timeout);
    let mut runs = Vec::new();
    for e in &engines {
        let name = engine_name(*e);
        let mut cmd = Command::new(&exe);
        cmd.args(["run", "--engine", name, "--stats"])
            .args(args.run.iter().map(|a| per_engine_profile(a, name)));
        if !args.json {
            eprintln!("rvdbt compare: running {name}...");
        }
        runs.push(run_child(name, &mut cmd, timeout));
    }
    let qemu_skipped = match qemu {
        Ok(mut cmd) => {
            if !args.json {
                eprintln!("rvdbt compare: running qemu...");
            }
            runs.push(run_child("qemu", &mut cmd, timeout));
            None
        }
        Err(why) => Some(why),
    };
    let differences = disagreements(&runs);
    let program = run_args.program.display().to_string();
    if args.json {
        let report = Report {
            layout: "rvdbt-compare/1",
            program: &program,
            runs: &runs,
            agree: differences.is_empty(),
            differences: &differences,
            qemu_skipped: qemu_skipped.as_deref(),
        };
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("rvdbt compare: {e}"),
        }
    } else {
        print!(
            "{}",
            table(&program, &runs, &differences, qemu_skipped.as_deref())
        );
    }
    if differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DISAGREE)
    }
}

fn engine_name(e: Engine) -> &'static str {
    match e {
        Engine::Interp => "interp",
        Engine::Reference => "reference",
        Engine::Jit => "jit",
        Engine::Tiered => "tiered",
    }
}

/// The QEMU command equivalent to `r`, or why there is none.
fn qemu_command(r: &RunArgs) -> Result<Command, String> {
    let qemu = std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("qemu-system-riscv64"))
                .find(|p| p.is_file())
        })
        .ok_or("qemu-system-riscv64 is not installed (Debian: apt-get install qemu-system-misc)")?;
    let unsupported = [
        (r.worldguard, "--worldguard"),
        (r.iopmp, "--iopmp"),
        (r.max_insns.is_some(), "--max-insns"),
        (r.exit_on_output.is_some(), "--exit-on-output"),
        (
            r.pmp_entries != crate::hart::csr::PMP_ENTRIES,
            "--pmp-entries",
        ),
        (
            !r.mem.is_multiple_of(1 << 20),
            "--mem that is not whole MiB",
        ),
    ];
    if let Some((_, flag)) = unsupported.iter().find(|(set, _)| *set) {
        return Err(format!("{flag} has no QEMU equivalent"));
    }
    let cfg = r.config();
    let mut cmd = Command::new(qemu);
    cmd.args(["-M", "virt", "-nographic", "-m"])
        .arg(format!("{}M", r.mem >> 20))
        .arg("-bios");
    match &cfg.bios {
        Bios::None => cmd.arg("none"),
        Bios::Default => cmd.arg("default"),
        Bios::File(p) => cmd.arg(p),
    };
    cmd.arg("-kernel").arg(&r.program);
    if let Some(initrd) = &r.initrd {
        cmd.arg("-initrd").arg(initrd);
    }
    if !r.append.is_empty() {
        cmd.arg("-append").arg(&r.append);
    }
    if r.no_reboot {
        cmd.arg("-no-reboot");
    }
    Ok(cmd)
}

/// Runs `cmd` with no input, its output captured, killed at `timeout`.
fn run_child(engine: &str, cmd: &mut Command, timeout: Duration) -> Run {
    let mut run = Run {
        engine: engine.to_string(),
        ending: Ending::Killed,
        secs: 0.0,
        insns: None,
        mips: None,
        output: Vec::new(),
        output_bytes: 0,
    };
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            run.ending = Ending::NotStarted(format!("{}: {e}", cmd.get_program().display()));
            return run;
        }
    };
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    run.ending = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code().map_or(Ending::Killed, Ending::Exit),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Ending::Timeout;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => break Ending::Killed,
        }
    };
    run.secs = start.elapsed().as_secs_f64();
    run.output = out.join().unwrap_or_default();
    run.output_bytes = run.output.len();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    run.insns = stderr.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (w.next() == Some("instructions"))
            .then(|| w.next()?.parse().ok())
            .flatten()
    });
    run.mips = run.insns.map(|n| n as f64 / run.secs.max(1e-9) / 1e6);
    run
}

/// How the runs disagree with the first one (empty when they all agree):
/// an ending other than a normal exit, another exit status, other console
/// output (with where it first differs).
pub fn disagreements(runs: &[Run]) -> Vec<String> {
    let mut d = Vec::new();
    for r in runs {
        match &r.ending {
            Ending::Exit(_) => {}
            Ending::Killed => d.push(format!("{}: killed by a signal", r.engine)),
            Ending::Timeout => d.push(format!("{}: did not finish (--timeout)", r.engine)),
            Ending::NotStarted(why) => d.push(format!("{}: not started: {why}", r.engine)),
        }
    }
    let Some(first) = runs.first() else { return d };
    for r in &runs[1..] {
        if let (Ending::Exit(a), Ending::Exit(b)) = (&first.ending, &r.ending) {
            if a != b {
                d.push(format!(
                    "exit status: {} {a}, {} {b}",
                    first.engine, r.engine
                ));
            }
        }
        if r.output != first.output {
            let at = first
                .output
                .iter()
                .zip(&r.output)
                .position(|(a, b)| a != b)
                .unwrap_or(first.output.len().min(r.output.len()));
            let line = first.output[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            d.push(format!(
                "console output: {} and {} differ from byte {at} (line {line}; {} and {} bytes)",
                first.engine,
                r.engine,
                first.output.len(),
                r.output.len()
            ));
        }
    }
    d
}

fn table(
    program: &str,
    runs: &[Run],
    differences: &[String],
    qemu_skipped: Option<&str>,
) -> String {
    let secs_of = |name: &str| {
        runs.iter()
            .find(|r| r.engine == name && matches!(r.ending, Ending::Exit(_)))
            .map(|r| r.secs)
    };
    let base = runs.first().map(|r| r.engine.clone()).unwrap_or_default();
    let (base_secs, qemu_secs) = (secs_of(&base), secs_of("qemu"));
    let fmt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut s = format!(
        "\n{program}\n{:<10} {:>9} {:>9} {:>14} {:>9} {:>10} {:>10}\n",
        "engine",
        "status",
        "wall (s)",
        "instructions",
        "MIPS",
        format!("vs {base}"),
        "vs qemu"
    );
    for r in runs {
        let status = match &r.ending {
            Ending::Exit(c) => format!("exit {c}"),
            Ending::Killed => "killed".into(),
            Ending::Timeout => "timeout".into(),
            Ending::NotStarted(_) => "not run".into(),
        };
        let ok = matches!(r.ending, Ending::Exit(_));
        let speed =
            |other: Option<f64>| other.filter(|_| ok).map(|o| format!("{:.2}x", o / r.secs));
        s += &format!(
            "{:<10} {:>9} {:>9.3} {:>14} {:>9} {:>10} {:>10}\n",
            r.engine,
            status,
            r.secs,
            fmt(r.insns.map(|n| n.to_string())),
            fmt(r.mips.map(|m| format!("{m:.1}"))),
            fmt(speed(base_secs)),
            fmt(speed(qemu_secs)),
        );
    }
    s +=
        "(vs X: speed relative to X, its wall time over this one's; QEMU counts no instructions)\n";
    if let Some(why) = qemu_skipped {
        s += &format!("qemu: not run ({why})\n");
    }
    if differences.is_empty() {
        let bytes = runs.first().map_or(0, |r| r.output_bytes);
        s += &format!("agree: the same console output ({bytes} bytes) and exit status\n");
    } else {
        s += "DISAGREE:\n";
        for d in differences {
            s += &format!("  {d}\n");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_files_are_per_engine() {
        assert_eq!(
            per_engine_profile("--profile=out/p.json", "jit"),
            "--profile=out/p.jit.json"
        );
        assert_eq!(
            per_engine_profile("--profile=p", "interp"),
            "--profile=p.interp.json"
        );
        assert_eq!(per_engine_profile("--profile", "jit"), "--profile");
        assert_eq!(per_engine_profile("--stats", "jit"), "--stats");
    }

    fn run(engine: &str, ending: Ending, output: &str) -> Run {
        Run {
            engine: engine.into(),
            ending,
            secs: 1.0,
            insns: None,
            mips: None,
            output: output.as_bytes().to_vec(),
            output_bytes: output.len(),
        }
    }

    #[test]
    fn disagreements_name_engines_and_places() {
        let same = [
            run("interp", Ending::Exit(0), "a\nb\n"),
            run("jit", Ending::Exit(0), "a\nb\n"),
        ];
        assert!(disagreements(&same).is_empty());
        let d = disagreements(&[
            run("interp", Ending::Exit(0), "a\nb\n"),
            run("jit", Ending::Exit(3), "a\nc\n"),
            run("qemu", Ending::Timeout, "a\nb\n"),
        ]);
        assert_eq!(
            d,
            [
                "qemu: did not finish (--timeout)",
                "exit status: interp 0, jit 3",
                "console output: interp and jit differ from byte 2 (line 2; 4 and 4 bytes)",
            ]
        );
        // A shorter output differs where it ends.
        let d = disagreements(&[
            run("interp", Ending::Exit(0), "abc"),
            run("tiered", Ending::Exit(0), "ab"),
        ]);
        assert_eq!(
            d,
            ["console output: interp and tiered differ from byte 2 (line 1; 3 and 2 bytes)"]
        );
    }
}

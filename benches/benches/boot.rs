//! Linux boot benchmark: boots Debian's kernel to its root-fs panic under QEMU and each rvdbt engine, and checks the targets.
//!
//! `cargo bench -p rvdbt-benches --bench boot [-- OPTIONS]`; see
//! `benches/README.md` and `--help`.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::time::Duration;

use rvdbt_benches::boot::{
    build_rvdbt, qemu_boot, run_child, rvdbt_boot, workspace_root, ChildRun, Payloads, Stats,
    FETCH_COMMAND, PANIC_LINE, PAYLOAD_DIR,
};
use rvdbt_benches::{find_qemu, host_line, qemu_version};

/// Every engine, in report order: QEMU first, the reference the ratios use.
const ENGINES: [&str; 4] = ["qemu", "interp", "jit", "tiered"];

const USAGE: &str = "\
usage: cargo bench -p rvdbt-benches --bench boot -- [OPTIONS]

  --repeat N      boot N times per engine, report the fastest (default 3)
  --engine NAME   boot only under this engine (repeatable): qemu, interp,
                  jit, tiered
  --no-qemu       do not boot under QEMU
  --timeout SECS  kill a boot that has not reached the panic line after
                  SECS seconds and report it as timed out (default 300)
";

struct Options {
    repeat: u32,
    engines: Vec<&'static str>,
    timeout: Duration,
}

fn parse_options(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut repeat = 3;
    let mut timeout = 300;
    let mut chosen = Vec::new();
    let mut no_qemu = false;
    let mut args = args.into_iter();
    let number = |flag: &str, v: Option<String>| match v.as_deref().map(str::parse::<u32>) {
        Some(Ok(n)) if n > 0 => Ok(n),
        _ => Err(format!("{flag} needs a positive number")),
    };
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a, None),
        };
        match flag.as_str() {
            "--bench" => {}
            "-h" | "--help" => return Ok(None),
            "--no-qemu" => no_qemu = true,
            "--repeat" => repeat = number("--repeat", inline.or_else(|| args.next()))?,
            "--timeout" => timeout = number("--timeout", inline.or_else(|| args.next()))?,
            "--engine" => {
                let v = inline.or_else(|| args.next()).unwrap_or_default();
                match ENGINES.iter().find(|&&e| e == v) {
                    Some(&e) => chosen.push(e),
                    None => return Err(format!("unknown engine {v:?} (one of {ENGINES:?})")),
                }
            }
            f => return Err(format!("unknown argument {f}")),
        }
    }
    let engines = ENGINES
        .into_iter()
        .filter(|e| chosen.is_empty() || chosen.contains(e))
        .filter(|&e| !(no_qemu && e == "qemu"))
        .collect();
    Ok(Some(Options {
        repeat,
        engines,
        timeout: Duration::from_secs(timeout.into()),
    }))
}

/// An engine's fastest boot, or the boot that failed (which ends its runs).
struct Row {
    engine: &'static str,
    best: Option<ChildRun>,
    failure: Option<String>,
}

impl Row {
    fn secs(&self) -> Option<f64> {
        self.best.as_ref().map(|r| r.secs)
    }
    fn stats(&self) -> Stats {
        self.best
            .as_ref()
            .map_or_else(Stats::default, |r| Stats::parse(&r.stderr))
    }
    /// A failed boot fails the engine: no figures, no more runs.
    fn fail(&mut self, why: String) {
        eprintln!("  FAILED");
        self.best = None;
        self.failure = Some(why);
    }
    fn mips(&self) -> Option<f64> {
        Some(self.stats().insns? as f64 / self.secs()? / 1e6)
    }
}

fn main() -> ExitCode {
    let opts = match parse_options(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("boot: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Some(payloads) = Payloads::find().or_else(fetch_payloads) else {
        eprintln!(
            "boot: the Linux payloads are missing from {PAYLOAD_DIR} and could not be fetched;\n\
             fetch them as root (Debian's apt) with `{FETCH_COMMAND}`, then run the bench again"
        );
        return ExitCode::FAILURE;
    };
    let rvdbt = match build_rvdbt() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("boot: cannot build rvdbt: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut engines = opts.engines.clone();
    let qemu = engines.contains(&"qemu").then(find_qemu).flatten();
    if engines.contains(&"qemu") && qemu.is_none() {
        println!("(qemu-system-riscv64 not found on PATH: skipping the QEMU comparison)");
        engines.retain(|&e| e != "qemu");
    }

    println!(
        "Linux boot to the root-fs panic ({} profile, best of {}, timeout {} s per boot)",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        },
        opts.repeat,
        opts.timeout.as_secs()
    );
    println!("{}", host_line());
    println!(
        "kernel: {}, rvdbt: {}",
        payloads.kernel_package().as_deref().unwrap_or("Image"),
        rvdbt.display()
    );
    if let Some(q) = &qemu {
        let version = qemu_version(q).unwrap_or_else(|| "version unknown".to_string());
        println!("qemu: {} ({version})", q.display());
    }

    // Rounds interleave the engines, so a change in host load hits all alike.
    let mut rows: Vec<Row> = engines
        .iter()
        .map(|&engine| Row {
            engine,
            best: None,
            failure: None,
        })
        .collect();
    for round in 1..=opts.repeat {
        for row in rows.iter_mut().filter(|r| r.failure.is_none()) {
            let (mut cmd, kill_at) = match &qemu {
                Some(q) if row.engine == "qemu" => (qemu_boot(q, &payloads), Some(PANIC_LINE)),
                _ => (rvdbt_boot(&rvdbt, row.engine, &payloads), None),
            };
            eprint!("round {round}/{}: {:<7}", opts.repeat, row.engine);
            let _ = std::io::stderr().flush();
            match run_child(&mut cmd, kill_at, opts.timeout) {
                Ok(run) if run.reached_panic() => {
                    eprintln!("{:>8.2} s", run.secs);
                    if row.secs().is_none_or(|best| run.secs < best) {
                        row.best = Some(run);
                    }
                }
                Ok(run) => row.fail(run.describe_failure()),
                Err(e) => row.fail(format!("cannot run {}: {e}", cmd.get_program().display())),
            }
        }
    }

    print!("{}", table(&rows));
    print!("{}", targets(&rows));
    let failed: Vec<&Row> = rows.iter().filter(|r| r.failure.is_some()).collect();
    for r in &failed {
        println!(
            "\n{} FAILED: {}",
            r.engine,
            r.failure.as_deref().unwrap_or("")
        );
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs `benches/linux/fetch.sh` (root and apt needed) and looks again.
fn fetch_payloads() -> Option<Payloads> {
    println!("boot: no payloads in {PAYLOAD_DIR}: running benches/linux/fetch.sh");
    let status = Command::new("bash")
        .arg("benches/linux/fetch.sh")
        .current_dir(workspace_root())
        .status();
    match status {
        Ok(s) if s.success() => Payloads::find(),
        _ => None,
    }
}

fn table(rows: &[Row]) -> String {
    let qemu_secs = rows.iter().find(|r| r.engine == "qemu").and_then(Row::secs);
    let fmt = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let mut s = format!(
        "\n{:<8} {:>9} {:>14} {:>7} {:>8} {:>11} {:>13} {:>7}\n",
        "engine",
        "wall (s)",
        "instructions",
        "MIPS",
        "vs QEMU",
        "compile (s)",
        "compile/wall",
        "TBs"
    );
    for r in rows {
        let Some(secs) = r.secs() else {
            s += &format!("{:<8} FAILED (see below)\n", r.engine);
            continue;
        };
        let st = r.stats();
        s += &format!(
            "{:<8} {:>9.2} {:>14} {:>7} {:>8} {:>11} {:>13} {:>7}\n",
            r.engine,
            secs,
            fmt(st.insns.map(|n| n.to_string())),
            fmt(r.mips().map(|m| format!("{m:.0}"))),
            fmt(qemu_secs.map(|q| format!("{:.2}x", secs / q))),
            fmt(st.compile_secs.map(|c| format!("{c:.2}"))),
            fmt(st.compile_secs.map(|c| format!("{:.0}%", c / secs * 100.0))),
            fmt(st.tbs.map(|n| n.to_string())),
        );
    }
    s += "(vs QEMU: wall time over QEMU's; compile: total JIT compile time, on whatever\n\
          threads compiled it, over the engine's wall time; QEMU's instructions are not counted)\n";
    s
}

/// The targets, each with the value this run measured.
fn targets(rows: &[Row]) -> String {
    let row = |e: &str| rows.iter().find(|r| r.engine == e && r.best.is_some());
    let (interp, tiered, qemu) = (row("interp"), row("tiered"), row("qemu"));
    let secs = |r: &Row| r.secs().unwrap_or(f64::NAN);
    let lines: [(&str, Option<(String, bool)>); 4] = [
        (
            "tiered faster than interp",
            interp.zip(tiered).map(|(i, t)| {
                let v = format!("tiered {:.2} s, interp {:.2} s", secs(t), secs(i));
                (v, secs(t) < secs(i))
            }),
        ),
        (
            "tiered <= 1.5x QEMU's time",
            qemu.zip(tiered).map(|(q, t)| {
                let ratio = secs(t) / secs(q);
                (format!("{ratio:.2}x"), ratio <= 1.5)
            }),
        ),
        (
            "interp >= 300 MIPS",
            interp
                .and_then(Row::mips)
                .map(|m| (format!("{m:.0} MIPS"), m >= 300.0)),
        ),
        (
            "tiered compile <= 10% of its wall time",
            tiered.and_then(|t| {
                let share = t.stats().compile_secs? / secs(t);
                Some((format!("{:.0}%", share * 100.0), share <= 0.10))
            }),
        ),
    ];
    let mut s = String::from("\ntargets (this run):\n");
    for (label, result) in lines {
        s += &match result {
            Some((value, met)) => {
                let verdict = if met { "PASS" } else { "MISS" };
                format!("  {label:<40} {value:<32} {verdict}\n")
            }
            None => format!("  {label:<40} {:<32} n/a (engine not run)\n", "-"),
        };
    }
    s
}

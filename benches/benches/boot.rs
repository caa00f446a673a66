//! Linux boot benchmark: boots Debian's kernel under QEMU and each rvdbt engine, to its root-fs panic and, with the test initramfs, to the initramfs marker and the guest's power-off; checks the targets.
//!
//! `cargo bench -p rvdbt-benches --bench boot [-- OPTIONS]`; see
//! `benches/README.md` and `--help`.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::time::Duration;

use rvdbt_benches::boot::{
    build_rvdbt, qemu_boot, qemu_initrd_boot, run_child, run_child_fed, rvdbt_boot,
    rvdbt_initrd_boot, workspace_root, ChildRun, Ending, Payloads, Stats, FETCH_COMMAND,
    INITRAMFS_DONE, INITRAMFS_TEST, PANIC_LINE, PAYLOAD_DIR,
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
  --timeout SECS  kill a boot that has not ended (panic line, power-off)
                  after SECS seconds and report it as timed out (default 300)
  --json FILE     also write the times as JSON (rvdbt-boot/1)
  --svg FILE      also draw them as an SVG chart (seconds per milestone and
                  engine); paths relative to the workspace root

Each round boots every engine twice: without an initrd to the root-fs
panic, and with target/linux-payloads/initramfs-test.cpio.gz, whose /init
runs a few commands, prints the marker RVDBT-INITRAMFS-TEST-DONE and powers
off (both times are taken from that one boot).
";

struct Options {
    repeat: u32,
    engines: Vec<&'static str>,
    timeout: Duration,
    json: Option<std::path::PathBuf>,
    svg: Option<std::path::PathBuf>,
}

fn parse_options(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut repeat = 3;
    let mut timeout = 300;
    let mut chosen = Vec::new();
    let mut no_qemu = false;
    let (mut json, mut svg) = (None, None);
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
            "--json" | "--svg" => {
                let Some(v) = inline.or_else(|| args.next()).filter(|v| !v.is_empty()) else {
                    return Err(format!("{flag} needs a file"));
                };
                *(if flag == "--json" {
                    &mut json
                } else {
                    &mut svg
                }) = Some(v.into());
            }
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
        json,
        svg,
    }))
}

/// An engine's fastest boots, or the boot that failed (which ends its runs).
struct Row {
    engine: &'static str,
    best: Option<ChildRun>,
    /// The fastest initramfs boot (to power-off), when the image exists.
    init: Option<ChildRun>,
    failure: Option<String>,
}

impl Row {
    /// Seconds to the initramfs marker and to power-off.
    fn init_secs(&self) -> Option<(f64, f64)> {
        let r = self.init.as_ref()?;
        Some((r.noted_secs?, r.secs))
    }
    fn init_mips(&self) -> Option<f64> {
        let r = self.init.as_ref()?;
        Some(Stats::parse(&r.stderr).insns? as f64 / r.secs / 1e6)
    }
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
        self.init = None;
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
            init: None,
            failure: None,
        })
        .collect();
    let initramfs = payloads.file(INITRAMFS_TEST);
    if initramfs.is_none() {
        println!("(no {INITRAMFS_TEST} in {PAYLOAD_DIR}: only the boot to the panic; `{FETCH_COMMAND}` builds it)");
    }
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
                Ok(run) => {
                    row.fail(run.describe_failure());
                    continue;
                }
                Err(e) => {
                    row.fail(format!("cannot run {}: {e}", cmd.get_program().display()));
                    continue;
                }
            }
            let Some(initrd) = &initramfs else { continue };
            let mut cmd = match &qemu {
                Some(q) if row.engine == "qemu" => qemu_initrd_boot(q, &payloads, initrd),
                _ => rvdbt_initrd_boot(
                    &rvdbt,
                    row.engine,
                    payloads.firmware.as_os_str(),
                    &payloads,
                    initrd,
                ),
            };
            eprint!("round {round}/{}: {:<7} initramfs", opts.repeat, row.engine);
            let _ = std::io::stderr().flush();
            match run_child_fed(&mut cmd, None, None, Some(INITRAMFS_DONE), opts.timeout) {
                Ok(run)
                    if matches!(run.ending, Ending::Exited(s) if s.success())
                        && run.noted_secs.is_some() =>
                {
                    eprintln!(
                        " {:>6.2} s to the marker, {:.2} s to power-off",
                        run.noted_secs.unwrap_or_default(),
                        run.secs
                    );
                    if row.init.as_ref().is_none_or(|best| run.secs < best.secs) {
                        row.init = Some(run);
                    }
                }
                Ok(run) => row.fail(format!("initramfs boot: {}", run.describe_failure())),
                Err(e) => row.fail(format!("cannot run {}: {e}", cmd.get_program().display())),
            }
        }
    }

    print!("{}", table(&rows));
    print!("{}", targets(&rows));
    if let Err(e) = save(&rows, &opts) {
        eprintln!("boot: {e}");
        return ExitCode::FAILURE;
    }
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
    if rows.iter().any(|r| r.init.is_some()) {
        let qemu_init = rows
            .iter()
            .find(|r| r.engine == "qemu")
            .and_then(Row::init_secs);
        s += &format!(
            "\nwith the test initramfs:\n{:<8} {:>11} {:>8} {:>13} {:>8} {:>7}\n",
            "engine", "marker (s)", "vs QEMU", "power-off (s)", "vs QEMU", "MIPS"
        );
        for r in rows {
            let Some((marker, off)) = r.init_secs() else {
                continue;
            };
            s += &format!(
                "{:<8} {:>11.2} {:>8} {:>13.2} {:>8} {:>7}\n",
                r.engine,
                marker,
                fmt(qemu_init.map(|(q, _)| format!("{:.2}x", marker / q))),
                off,
                fmt(qemu_init.map(|(_, q)| format!("{:.2}x", off / q))),
                fmt(r.init_mips().map(|m| format!("{m:.0}"))),
            );
        }
        s += "(marker: the test /init's last line, RVDBT-INITRAMFS-TEST-DONE; power-off: the\n\
              process exit after the guest's poweroff, the same boot)\n";
    }
    s
}

/// The targets, each with the value this run measured.
fn targets(rows: &[Row]) -> String {
    let row = |e: &str| rows.iter().find(|r| r.engine == e && r.best.is_some());
    let (interp, tiered, qemu) = (row("interp"), row("tiered"), row("qemu"));
    let secs = |r: &Row| r.secs().unwrap_or(f64::NAN);
    let init = |r: &Row| r.init_secs();
    let lines: [(&str, Option<(String, bool)>); 5] = [
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
            "tiered to the initramfs marker <= QEMU",
            qemu.and_then(init)
                .zip(tiered.and_then(init))
                .map(|(q, t)| {
                    let ratio = t.0 / q.0;
                    (
                        format!("{:.2} s vs {:.2} s: {ratio:.2}x", t.0, q.0),
                        ratio <= 1.0,
                    )
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

/// `--json` and `--svg`: the fastest times per engine and milestone.
fn save(rows: &[Row], opts: &Options) -> Result<(), String> {
    let milestones = |r: &Row| -> Vec<(&'static str, f64)> {
        let mut v = Vec::new();
        if let Some(s) = r.secs() {
            v.push(("root-fs panic", s));
        }
        if let Some((marker, off)) = r.init_secs() {
            v.push(("initramfs marker", marker));
            v.push(("power-off", off));
        }
        v
    };
    let root = workspace_root();
    if let Some(path) = &opts.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let m: serde_json::Map<String, serde_json::Value> = milestones(r)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.into()))
                    .collect();
                serde_json::json!({
                    "engine": r.engine,
                    "secs": m,
                    "mips": r.mips(),
                    "failure": r.failure,
                })
            })
            .collect();
        let j = serde_json::json!({ "layout": "rvdbt-boot/1", "host": host_line(), "rows": list });
        let text = serde_json::to_string_pretty(&j).map_err(|e| e.to_string())?;
        let path = root.join(path);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &opts.svg {
        let mut groups: Vec<(String, Vec<(String, f64)>)> = Vec::new();
        for r in rows {
            for (k, v) in milestones(r) {
                match groups.iter_mut().find(|g| g.0 == k) {
                    Some(g) => g.1.push((r.engine.to_string(), v)),
                    None => groups.push((k.to_string(), vec![(r.engine.to_string(), v)])),
                }
            }
        }
        let path = root.join(path);
        rvdbt_benches::chart::bars(
            &groups,
            &format!("Linux boot, best of {} (lower is faster)", opts.repeat),
            "seconds from start",
            &path,
        )?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

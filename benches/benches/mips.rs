//! Guest-throughput benchmark: runs the `benches/guest` programs on every engine and prints MIPS, ratios and target checks.
//!
//! `cargo bench -p rvdbt-benches --bench mips [-- OPTIONS]`; see
//! `benches/README.md` and `--help`.

use std::io::Write;
use std::process::ExitCode;

use rvdbt_benches::{
    elf_path, find_qemu, host_line, not_built, parse_options, qemu_version, run_in_process,
    run_qemu, Engine, Measurement, Program, Report, Status, SAFETY_MAX_INSNS, USAGE,
};

/// Slack over twice the reference instruction count before a later engine
/// counts as stuck.
const STUCK_MARGIN: u64 = 1_000_000;

fn main() -> ExitCode {
    let opts = match parse_options(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mips: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if opts.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let programs = opts.programs();
    if opts.list {
        for p in rvdbt_benches::PROGRAMS {
            let kind = match (p.suite, p.c) {
                (true, _) => "suite",
                (false, true) => "gc",
                (false, false) => "micro",
            };
            println!("{:<14} {kind:<5}  {}", p.name, p.measures);
        }
        return ExitCode::SUCCESS;
    }
    if programs.is_empty() {
        eprintln!("mips: no program matches {:?}", opts.filters);
        return ExitCode::from(2);
    }

    // In report order, QEMU last: its MIPS borrows rvdbt's instruction count.
    let mut engines = opts.engines.clone();
    let qemu = if engines.contains(&Engine::Qemu) {
        let q = find_qemu();
        if q.is_none() {
            println!("(qemu-system-riscv64 not found on PATH: skipping the QEMU comparison)");
            engines.retain(|&e| e != Engine::Qemu);
        }
        q
    } else {
        None
    };
    let (max_insns, capped) = match opts.max_insns {
        Some(n) => (n, true),
        None => (SAFETY_MAX_INSNS.saturating_mul(opts.scale.into()), false),
    };

    println!(
        "rvdbt guest throughput ({} profile, {} run{} per row, fastest kept{})",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        },
        opts.repeat,
        if opts.repeat == 1 { "" } else { "s" },
        if capped {
            format!(", CAPPED at {max_insns} instructions: rates over part of each program")
        } else {
            String::new()
        }
    );
    if opts.scale != 1 {
        println!(
            "scale {}: the C suite programs run {}x over (bench.scale={}); the assembly programs once",
            opts.scale, opts.scale, opts.scale
        );
    }
    println!("{}", host_line());
    let missing: Vec<String> = engines
        .iter()
        .filter(|e| matches!(e, Engine::Missing(_)))
        .map(|e| e.name())
        .collect();
    if !missing.is_empty() {
        println!(
            "not built (not in rvdbt_benches::RVDBT_ENGINES / runtime::Engine yet): {}",
            missing.join(", ")
        );
    }
    if let Some(q) = &qemu {
        let version = qemu_version(q).unwrap_or_else(|| "version unknown".to_string());
        println!("qemu: {} ({version})", q.display());
    }
    println!("{}", Report::table_header());
    let mut report = Report::default();
    for p in &programs {
        if !elf_path(p).is_file() {
            eprintln!("mips: {} is missing", elf_path(p).display());
            return ExitCode::from(2);
        }
        for &e in &engines {
            let m = match e {
                Engine::Missing(_) => not_built(p, e),
                Engine::Qemu => {
                    let q = qemu.as_deref().expect("found above");
                    let mut m = best_of(opts.repeat, || run_qemu(q, p, opts.scale));
                    if p.suite && m.status == Status::Passed {
                        m.startup_secs = qemu_startup(q, p, opts.repeat);
                    }
                    m
                }
                Engine::Rvdbt(_) => {
                    // Once an engine has run the program to the end, a later
                    // one that needs twice as many instructions is stuck:
                    // stop it there rather than at the safety cap.
                    let max_insns = match report.reference_insns(p.name) {
                        Some(n) if !capped => max_insns.min(n.saturating_mul(2) + STUCK_MARGIN),
                        _ => max_insns,
                    };
                    best_of(opts.repeat, || {
                        run_in_process(e, p, opts.scale, max_insns, capped)
                    })
                }
            };
            println!("{}", report.table_line(&m));
            let _ = std::io::stdout().flush();
            report.rows.push(m);
        }
    }
    print!("{}", report.render_summary());
    // Relative to the workspace root (cargo runs benches in `benches/`).
    let out_path = |p: &std::path::Path| {
        let p = rvdbt_benches::boot::workspace_root().join(p);
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        p
    };
    if let Some(path) = opts.json.as_deref().map(out_path) {
        let text = serde_json::to_string_pretty(&rvdbt_benches::chart::json(&report, &host_line()));
        match text
            .map_err(|e| e.to_string())
            .and_then(|t| std::fs::write(&path, t + "\n").map_err(|e| e.to_string()))
        {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => eprintln!("mips: cannot write {}: {e}", path.display()),
        }
    }
    if let Some(path) = opts.svg.as_deref().map(out_path) {
        let title = format!(
            "rvdbt guest throughput (scale {}, best of {})",
            opts.scale, opts.repeat
        );
        match rvdbt_benches::chart::svg(&report, &title, &path) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => eprintln!("mips: cannot draw {}: {e}", path.display()),
        }
    }

    if report.any_failed() {
        println!("\nmips: FAILED: at least one program did not pass (see above)");
        return ExitCode::FAILURE;
    }
    if opts.enforce_targets && !report.targets_met() {
        println!("\nmips: a target was missed (--enforce-targets)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The fastest of `repeat` runs, or the first that failed.
fn best_of(repeat: u32, mut run: impl FnMut() -> Measurement) -> Measurement {
    let mut best: Option<Measurement> = None;
    for _ in 0..repeat {
        let m = run();
        let failed = matches!(m.status, Status::Failed(_));
        let better = best.as_ref().is_none_or(|b| m.secs < b.secs);
        if failed || better {
            best = Some(m);
        }
        if failed {
            break;
        }
    }
    best.expect("repeat >= 1")
}

/// QEMU's start-up for `program`: the fastest of `repeat` runs at
/// `bench.scale=0` (boot, ELF load, exit; no benchmark work).
fn qemu_startup(qemu: &std::path::Path, program: &Program, repeat: u32) -> Option<f64> {
    let m = best_of(repeat, || run_qemu(qemu, program, 0));
    (m.status == Status::Passed).then_some(m.secs)
}

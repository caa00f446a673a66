//! Guest-throughput benchmark: runs the `benches/guest` programs on every engine and prints MIPS, ratios and target checks.
//!
//! `cargo bench -p rvdbt-benches --bench mips [-- OPTIONS]`; see
//! `benches/README.md` and `--help`.

use std::io::Write;
use std::process::ExitCode;

use rvdbt_benches::{
    elf_path, find_qemu, parse_options, run_in_process, run_qemu, Engine, Measurement, Report,
    Status, SAFETY_MAX_INSNS, USAGE,
};

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
            println!("{:<14} {}", p.name, p.measures);
        }
        return ExitCode::SUCCESS;
    }
    if programs.is_empty() {
        eprintln!("mips: no program matches {:?}", opts.filters);
        return ExitCode::from(2);
    }

    // In-process engines first: QEMU's MIPS borrows their instruction count.
    let mut engines = opts.engines.clone();
    engines.sort_by_key(|e| !e.counts_insns());
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
        None => (SAFETY_MAX_INSNS, false),
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
            format!(", capped at {max_insns} instructions")
        } else {
            String::new()
        }
    );
    println!("{}", host_line());
    println!("{}", Report::table_header());
    let mut report = Report::default();
    for p in &programs {
        if !elf_path(p).is_file() {
            eprintln!("mips: {} is missing", elf_path(p).display());
            return ExitCode::from(2);
        }
        for &e in &engines {
            let mut best: Option<Measurement> = None;
            for _ in 0..opts.repeat {
                let m = match e {
                    Engine::Qemu => run_qemu(qemu.as_deref().expect("found above"), p),
                    _ => run_in_process(e, p, max_insns, capped),
                };
                let failed = matches!(m.status, Status::Failed(_));
                let better = best.as_ref().is_none_or(|b| m.secs < b.secs);
                if failed || better {
                    best = Some(m);
                }
                if failed {
                    break;
                }
            }
            let m = best.expect("repeat >= 1");
            println!("{}", report.table_line(&m));
            let _ = std::io::stdout().flush();
            report.rows.push(m);
        }
    }
    print!("{}", report.render_summary());

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

/// CPUs and load: a busy host makes every number here slower.
fn host_line() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(String::from))
        .map_or_else(String::new, |l| {
            format!(", load average {l} (close other jobs for stable numbers)")
        });
    format!("host: {cpus} CPUs{load}")
}

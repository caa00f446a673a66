//! What `rvdbt run --profile` costs: each program under each engine, with
//! and without the profile, alternating (best of `--repeat`), and the
//! ratio measured in the same run.
//!
//! ```text
//! cargo bench -p rvdbt-benches --bench profile -- [--repeat N] [--scale N] [PROGRAM-FILTER...]
//! ```
//!
//! Without `--profile` nothing is counted: generated code carries no
//! counter (the golden test `profiled_load_counts_in_generated_code_and_plain_code_does_not`
//! shows both), the decode cache's hot loop is compiled without counting
//! (a const generic), and softmmu tests one `Option` on the interpreter's
//! fast path. The "off" column is the engine as users run it.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use runtime::machine::{run_program_with, Config, Engine, RunExit};
use rvdbt_benches::{bootargs, elf_path, suite, Program, RAM_SIZE};

/// Programs measured when no filter is given: a mix of memory-bound and
/// call-heavy code, each a second or more under the interpreter.
const DEFAULT: [&str; 4] = ["bench_sort", "bench_crc", "bench_memcpy", "bench_cm_state"];

fn run(program: &Program, engine: Engine, scale: u32, profile: bool) -> Result<(f64, u64), String> {
    let mut cfg = Config::new(elf_path(program));
    cfg.engine = engine;
    cfg.ram_size = RAM_SIZE;
    cfg.bootargs = bootargs(program, scale);
    let out = || -> Box<dyn Write> { Box::new(std::io::sink()) };
    let mut data = runtime::profile::ProfileData::default();
    let start = Instant::now();
    let r = run_program_with(
        &cfg,
        &out,
        &|m| {
            if profile {
                m.enable_profile();
            }
        },
        &mut |m| m.take_profile(&mut data),
    );
    let secs = start.elapsed().as_secs_f64();
    match r {
        Ok((RunExit::Exited(0), n)) => {
            if profile && data.instructions != n {
                return Err(format!(
                    "profile saw {} of {n} instructions",
                    data.instructions
                ));
            }
            Ok((secs, n))
        }
        Ok((e, _)) => Err(format!("{e:?}")),
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> ExitCode {
    let mut repeat = 2u32;
    let mut scale = 1u32;
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().and_then(|v| v.parse().ok()).unwrap_or(2).max(1),
            "--scale" => scale = args.next().and_then(|v| v.parse().ok()).unwrap_or(1).max(1),
            "--bench" => {}
            f if f.starts_with('-') => {
                eprintln!("unknown option {f}");
                return ExitCode::from(2);
            }
            f => filters.push(f.to_string()),
        }
    }
    let programs: Vec<&Program> = suite()
        .filter(|p| {
            if filters.is_empty() {
                DEFAULT.contains(&p.name)
            } else {
                filters.iter().any(|f| p.name.contains(f.as_str()))
            }
        })
        .collect();
    println!("profile overhead: best of {repeat}, scale {scale}, off and on alternating");
    println!(
        "{:<16} {:<8} {:>12} {:>9} {:>9} {:>9}",
        "program", "engine", "insns", "off s", "on s", "on/off"
    );
    let mut failed = false;
    let mut logs: Vec<(Engine, f64)> = Vec::new();
    for p in &programs {
        for engine in [Engine::Interp, Engine::Jit, Engine::Tiered] {
            let (mut off, mut on, mut insns) = (f64::MAX, f64::MAX, 0);
            for _ in 0..repeat {
                for profile in [false, true] {
                    match run(p, engine, scale, profile) {
                        Ok((s, n)) => {
                            insns = n;
                            let best = if profile { &mut on } else { &mut off };
                            *best = best.min(s);
                        }
                        Err(e) => {
                            eprintln!("{} {engine:?} profile={profile}: {e}", p.name);
                            failed = true;
                        }
                    }
                }
            }
            let ratio = on / off;
            logs.push((engine, ratio.ln()));
            println!(
                "{:<16} {:<8} {:>12} {:>9.3} {:>9.3} {:>8.2}x",
                p.name,
                format!("{engine:?}").to_lowercase(),
                insns,
                off,
                on,
                ratio
            );
        }
    }
    for engine in [Engine::Interp, Engine::Jit, Engine::Tiered] {
        let l: Vec<f64> = logs.iter().filter(|l| l.0 == engine).map(|l| l.1).collect();
        if !l.is_empty() {
            let g = (l.iter().sum::<f64>() / l.len() as f64).exp();
            println!(
                "geomean on/off {:<8} {g:.2}x",
                format!("{engine:?}").to_lowercase()
            );
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

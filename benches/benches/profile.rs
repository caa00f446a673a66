//! What `rvdbt run --profile` costs: each program under each engine, with
//! and without the profile, alternating (best of `--repeat`), and the
//! ratio measured in the same run.
//!
//! ```text
//! cargo bench -p rvdbt-benches --bench profile -- [--repeat N] [--scale N] [--baseline REV] [PROGRAM-FILTER...]
//! ```
//!
//! `--baseline REV` also builds `rvdbt` at git revision REV (a worktree
//! under `target/baseline/`, release profile) and times it against this
//! tree's `rvdbt`, both as `rvdbt run` child processes, alternating, in
//! the same run: with REV the commit before profiling existed, the ratio
//! shows what carrying the profiler costs a run that does not use it.
//!
//! Without `--profile` nothing is counted: generated code carries no
//! counter (the golden test `profiled_load_counts_in_generated_code_and_plain_code_does_not`
//! shows both), the decode cache's hot loop is compiled without counting
//! (a const generic), and softmmu tests one `Option` on the interpreter's
//! fast path. The "off" column is the engine as users run it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use runtime::machine::{run_program_with, Config, Engine, RunExit};
use rvdbt_benches::boot::{build_rvdbt, workspace_root};
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

/// Builds `rvdbt` at git revision `rev` in a worktree under
/// `target/baseline/`; returns the binary.
fn build_baseline(rev: &str) -> Result<PathBuf, String> {
    let root = workspace_root();
    let git = |args: &[&str]| -> Result<String, String> {
        let o = Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .map_err(|e| format!("git: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "--verify", &format!("{rev}^{{commit}}")])?;
    let base = root.join("target/baseline");
    let tree = base.join(format!("tree-{}", &commit[..12]));
    if !tree.join("Cargo.toml").is_file() {
        let _ = std::fs::create_dir_all(&base);
        git(&[
            "worktree",
            "add",
            "--force",
            "--detach",
            &tree.display().to_string(),
            &commit,
        ])?;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "runtime",
            "--bin",
            "rvdbt",
        ])
        .env("CARGO_TARGET_DIR", base.join("target"))
        .current_dir(&tree)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building {rev}: {status}"));
    }
    Ok(base.join("target/release/rvdbt"))
}

/// Seconds of one `rvdbt run` child (guest output dropped); the guest
/// must pass.
fn time_child(rvdbt: &Path, program: &Program, engine: &str, scale: u32) -> Result<f64, String> {
    let start = Instant::now();
    let status = Command::new(rvdbt)
        .args(["run", "--engine", engine, "--mem", "256M", "--append"])
        .arg(bootargs(program, scale))
        .arg(elf_path(program))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{}: {e}", rvdbt.display()))?;
    let secs = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!(
            "{} {engine} {}: {status}",
            rvdbt.display(),
            program.name
        ));
    }
    Ok(secs)
}

/// `--baseline`: this tree's `rvdbt` against REV's, alternating.
fn compare_baseline(
    rev: &str,
    programs: &[&Program],
    repeat: u32,
    scale: u32,
) -> Result<(), String> {
    let base = build_baseline(rev)?;
    let current = build_rvdbt()?;
    println!("\nwithout --profile: this tree against {rev} (child processes, best of {repeat}, alternating)");
    println!(
        "{:<16} {:<8} {:>9} {:>9} {:>9}",
        "program", "engine", "base s", "this s", "this/base"
    );
    for engine in ["interp", "jit", "tiered"] {
        let mut logs = Vec::new();
        for p in programs {
            let (mut b, mut c) = (f64::MAX, f64::MAX);
            for _ in 0..repeat {
                b = b.min(time_child(&base, p, engine, scale)?);
                c = c.min(time_child(&current, p, engine, scale)?);
            }
            logs.push((c / b).ln());
            println!(
                "{:<16} {engine:<8} {b:>9.3} {c:>9.3} {:>8.3}x",
                p.name,
                c / b
            );
        }
        let g = (logs.iter().sum::<f64>() / logs.len().max(1) as f64).exp();
        println!("geomean this/base {engine:<8} {g:.3}x");
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut repeat = 2u32;
    let mut scale = 1u32;
    let mut baseline: Option<String> = None;
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().and_then(|v| v.parse().ok()).unwrap_or(2).max(1),
            "--scale" => scale = args.next().and_then(|v| v.parse().ok()).unwrap_or(1).max(1),
            "--baseline" => match args.next() {
                Some(rev) => baseline = Some(rev),
                None => {
                    eprintln!("--baseline needs a git revision");
                    return ExitCode::from(2);
                }
            },
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
    if let Some(rev) = &baseline {
        if let Err(e) = compare_baseline(rev, &programs, repeat, scale) {
            eprintln!("--baseline {rev}: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

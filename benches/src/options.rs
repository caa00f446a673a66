//! The runner's command-line and environment options, their defaults and limits.

use crate::runner::Engine;
use crate::suite::{Program, PROGRAMS};

/// Instruction cap of a full run at scale 1: a safety net only (the largest
/// program, `bench_cm_core`, executes about 7.5 billion instructions), so a
/// broken engine that never reaches the finisher still ends. Multiplied by
/// `--scale`.
pub const SAFETY_MAX_INSNS: u64 = 20_000_000_000;
/// Instruction cap per program in quick mode.
pub const QUICK_MAX_INSNS: u64 = 20_000_000;
/// Runs per (program, engine) by default; the fastest counts. Quick mode
/// runs each once.
pub const DEFAULT_REPEAT: u32 = 3;
/// Largest `--scale` (the guests accept `bench.scale` up to 1000).
pub const MAX_SCALE: u32 = 1000;

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
    /// `--json FILE`: the measurements as JSON.
    pub json: Option<std::path::PathBuf>,
    /// `--svg FILE`: a chart of the MIPS per program and engine.
    pub svg: Option<std::path::PathBuf>,
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
            json: None,
            svg: None,
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
  --json FILE         also write the measurements as JSON (rvdbt-bench/1)
  --svg FILE          also draw the MIPS per program and engine as an SVG chart
                      (relative paths: from the workspace root)
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
            "--json" => o.json = Some(value("--json")?.into()),
            "--svg" => o.svg = Some(value("--svg")?.into()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::INTERP;

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
}

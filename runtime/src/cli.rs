//! The `rvdbt` command line: argument parsing, running a program, exit codes.
//!
//! Exit codes: the guest's own (finisher, HTIF, or SBI system reset: 0 for
//! a poweroff), 0 for a reboot under `--no-reboot` and when
//! `--exit-on-output` matched, 124 when `--max-insns` ran out, 2 for usage
//! and input errors (clap's convention, kept for ours).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Bios, Config, Engine, WgOptions};
use crate::console::{stop_reason, Console, StopReason};
use crate::machine::{run_program_with, RunExit};
use crate::profile::symbols::Symbols;

/// Exit code when the instruction budget ran out (as `timeout(1)` uses).
pub const EXIT_INSN_LIMIT: u8 = 124;
/// Exit code for usage and input errors.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "rvdbt",
    version,
    about = "A full-system RISC-V (RV64) emulator"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a guest program on the QEMU-compatible `virt` machine.
    Run(RunArgs),
    /// Run a program under several engines (and QEMU 7.2), check that the
    /// console output and exit status agree, and compare their speed.
    Compare(crate::compare::CompareArgs),
    /// Re-print a saved profile (`run --profile=FILE.json`) and draw it as SVG flame graphs and a chart.
    Report(crate::report::ReportArgs),
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Execution engine (defaults to the fastest available).
    #[arg(long, value_enum, default_value_t = Engine::default())]
    pub engine: Engine,
    /// Guest RAM size, e.g. 128M, 1G, 65536 (bytes), 512K.
    #[arg(long, default_value = "128M", value_parser = parse_size)]
    pub mem: u64,
    /// Stop after this many instructions (exit code 124).
    #[arg(long)]
    pub max_insns: Option<u64>,
    /// Stop as soon as the guest's console output contains this string
    /// (exit code 0), e.g. a boot marker.
    #[arg(long, value_name = "STR", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub exit_on_output: Option<String>,
    /// Print every executed instruction (pc, encoding, disassembly, written register) to stderr.
    #[arg(long)]
    pub trace: bool,
    /// Firmware: `none` (boot the program directly), `default` (the OpenSBI
    /// `fw_dynamic` of Debian's `opensbi` package, as QEMU's `-bios
    /// default`), or a file (ELF or binary) loaded at the start of RAM.
    #[arg(long, default_value = "none")]
    pub bios: String,
    /// An initial RAM disk (e.g. a gzip'd cpio archive), loaded where QEMU
    /// puts it and named in the device tree's `/chosen`.
    #[arg(long, value_name = "FILE")]
    pub initrd: Option<PathBuf>,
    /// Exit (status 0) when the guest reboots instead of resetting the machine.
    #[arg(long)]
    pub no_reboot: bool,
    /// Write /tmp/perf-<pid>.map naming every compiled block, for host `perf`.
    #[arg(long)]
    pub perf_map: bool,
    /// Tiered engine: executions in the interpreter before a block is compiled.
    #[arg(long, value_name = "N", default_value_t = crate::jit_engine::TIER_THRESHOLD,
          value_parser = clap::value_parser!(u16).range(1..=60000))]
    pub tier_threshold: u16,
    /// Number of PMP entries: 0, 16 or 64.
    #[arg(long, default_value_t = crate::hart::csr::PMP_ENTRIES)]
    pub pmp_entries: usize,
    /// Print the machine's counters (TLB, memory slow paths, JIT) to stderr at exit.
    #[arg(long)]
    pub stats: bool,
    /// Profile the run: at exit, print the hot memory paths (per guest
    /// instruction: fast-path hits and slow-path accesses by reason), hot
    /// pages, TLBs per MMU index, hot code per function, block and tier,
    /// and the JIT's figures to stderr; with `=FILE.json`, also save them
    /// (layout `rvdbt-profile/1`, read by `rvdbt report`). Generated code
    /// is compiled with counters: runs are slower.
    #[arg(long, value_name = "FILE.json", num_args = 0..=1, require_equals = true)]
    pub profile: Option<Option<PathBuf>>,
    /// With `--profile`: name pcs from this ELF's symbols or a Linux
    /// `System.map` (default: the program's own symbols, when it is an ELF).
    #[arg(long, value_name = "FILE", requires = "profile")]
    pub symbols: Option<PathBuf>,
    /// While the guest runs, print a status line to stderr every SECS
    /// seconds: instructions, MIPS, TLB misses and memory slow paths per
    /// thousand instructions, TBs compiled (rates over the interval).
    #[arg(long, value_name = "SECS", value_parser = parse_interval)]
    pub stats_interval: Option<std::time::Duration>,
    /// Kernel command line placed in the device tree's /chosen/bootargs.
    #[arg(long, default_value = "")]
    pub append: String,
    /// Put RISC-V WorldGuard checkers in front of RAM, flash and the UART
    /// (QEMU's `virt,wg=on` layout) and give the hart the WorldGuard CSRs.
    #[arg(long)]
    pub worldguard: bool,
    /// WorldGuard: number of worlds (1..=32).
    #[arg(long, default_value_t = crate::config::WgOptions::default().nworlds, requires = "worldguard")]
    pub wg_worlds: u32,
    /// WorldGuard: the trusted world id, which may program the checkers
    /// (default: the last world).
    #[arg(long, requires = "worldguard")]
    pub wg_trusted_wid: Option<u32>,
    /// WorldGuard: the world id of M-mode accesses (default: the trusted world).
    #[arg(long, requires = "worldguard")]
    pub wg_mwid: Option<u32>,
    /// Put a RISC-V IOPMP in front of RAM.
    #[arg(long, conflicts_with = "worldguard")]
    pub iopmp: bool,
    /// The requester id (RRID) the IOPMP sees on the hart's accesses.
    #[arg(long, default_value_t = 0, requires = "iopmp")]
    pub rrid: u16,
    /// The guest program: an RV64 ELF executable, a RISC-V Linux `Image`,
    /// or (behind firmware) a flat binary.
    pub program: PathBuf,
}

/// Parses a size with an optional K/M/G suffix (binary units).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid size `{s}` (try 128M or 1G)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("size `{s}` is too large"))
}

/// Parses `--stats-interval`: positive seconds, fractions allowed.
fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1e6 => Ok(std::time::Duration::from_secs_f64(v)),
        _ => Err(format!("invalid interval `{s}` (seconds, e.g. 1 or 0.5)")),
    }
}

/// Entry point of the `rvdbt` binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RVDBT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Compare(args) => crate::compare::main(args),
        Command::Report(args) => crate::report::main(args),
    }
}

impl RunArgs {
    /// The machine configuration these arguments ask for.
    pub fn config(&self) -> Config {
        let mut cfg = Config::new(&self.program);
        cfg.engine = self.engine;
        cfg.pmp_entries = self.pmp_entries;
        cfg.ram_size = self.mem;
        cfg.max_insns = self.max_insns;
        cfg.bootargs = self.append.clone();
        cfg.bios = match self.bios.as_str() {
            "none" => Bios::None,
            "default" => Bios::Default,
            path => Bios::File(path.into()),
        };
        cfg.initrd = self.initrd.clone();
        cfg.no_reboot = self.no_reboot;
        let trusted_wid = self
            .wg_trusted_wid
            .unwrap_or(self.wg_worlds.saturating_sub(1));
        cfg.worldguard = self.worldguard.then_some(WgOptions {
            nworlds: self.wg_worlds,
            trusted_wid,
            mwid: self.wg_mwid.unwrap_or(trusted_wid),
        });
        cfg.iopmp = self.iopmp;
        cfg.rrid = self.rrid;
        cfg
    }
}

fn run(args: RunArgs) -> ExitCode {
    let cfg = args.config();
    // A profile's inputs and output are checked before anything runs.
    let profile = match &args.profile {
        None => None,
        Some(out) => {
            let syms = match &args.symbols {
                Some(path) => match Symbols::load(path) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("rvdbt: error: --symbols {e}");
                        return ExitCode::from(EXIT_USAGE);
                    }
                },
                // The program's own symbols, if it has any.
                None => Symbols::load(&args.program).unwrap_or_default(),
            };
            let file = match out.as_ref().map(std::fs::File::create).transpose() {
                Ok(f) => f,
                Err(e) => {
                    let path = out
                        .as_ref()
                        .map_or(String::new(), |p| p.display().to_string());
                    eprintln!("rvdbt: error: cannot write the profile {path}: {e}");
                    return ExitCode::from(EXIT_USAGE);
                }
            };
            Some((syms, file, out.clone()))
        }
    };
    let profiling = profile.is_some();
    let mut prof_data = crate::profile::ProfileData::default();
    let started = std::time::Instant::now();

    // Restores the terminal when dropped, at the end of this function.
    let mut console = Console::start();
    let rx = console.input.clone();
    let stop = console.stop.clone();
    let trace = args.trace;
    let perf_map = args.perf_map;
    let tier_threshold = args.tier_threshold;
    let exit_on_output = args.exit_on_output.clone();
    let stats_interval = args.stats_interval;
    let setup = move |m: &mut crate::Machine| {
        if profiling {
            m.enable_profile();
        }
        if let Some(every) = stats_interval {
            m.set_stats_interval(every);
        }
        m.set_input(rx.clone());
        m.set_stop_flag(stop.clone());
        if let Some(s) = &exit_on_output {
            m.exit_on_output(s.as_bytes());
        }
        if let Some(j) = m.jit.as_mut() {
            j.set_tier_threshold(tier_threshold);
        }
        if perf_map {
            match m.jit.as_mut().map(|j| j.enable_perf_map()) {
                Some(Ok(path)) => tracing::info!("perf map: {}", path.display()),
                Some(Err(e)) => eprintln!("rvdbt: warning: cannot write the perf map: {e}"),
                None => eprintln!("rvdbt: warning: --perf-map needs --engine jit or tiered"),
            }
        }
        if trace {
            m.set_trace(Box::new(std::io::BufWriter::new(std::io::stderr())));
        }
    };
    let out = || -> Box<dyn std::io::Write> { Box::new(std::io::stdout()) };
    let stats = args.stats;
    let mut finish = |m: &mut crate::Machine| {
        if stats {
            eprint!("{}", m.stats_report());
        }
        if profiling {
            m.take_profile(&mut prof_data);
        }
    };
    let result = run_program_with(&cfg, &out, &setup, &mut finish);
    console.restore();
    if let Some((syms, file, path)) = profile {
        let engine = format!("{:?}", cfg.engine).to_lowercase();
        let program = args.program.display().to_string();
        let wall = started.elapsed().as_secs_f64();
        let p = prof_data.build(&engine, &program, &syms, wall);
        let _ = crate::report::print_summary(&p, 20, "slow", &mut std::io::stderr());
        if let (Some(file), Some(path)) = (file, path) {
            let written = serde_json::to_writer(std::io::BufWriter::new(file), &p);
            if let Err(e) = written {
                eprintln!(
                    "rvdbt: error: cannot write the profile {}: {e}",
                    path.display()
                );
                return ExitCode::from(EXIT_USAGE);
            }
            eprintln!(
                "rvdbt: profile saved to {} (`rvdbt report` reads it)",
                path.display()
            );
        }
    }
    match result {
        Ok((RunExit::Exited(code), n)) => {
            tracing::info!("guest exited with code {code} after {n} instructions");
            ExitCode::from(code as u8)
        }
        Ok((RunExit::InsnLimit, n)) => {
            eprintln!("rvdbt: instruction limit reached after {n} instructions");
            ExitCode::from(EXIT_INSN_LIMIT)
        }
        Ok((RunExit::OutputMatched, n)) => {
            tracing::info!("the console output matched after {n} instructions");
            ExitCode::SUCCESS
        }
        Ok((RunExit::Stopped, n)) => match stop_reason(&console.stop) {
            Some(StopReason::Signal(sig)) => {
                eprintln!("rvdbt: stopped by signal {sig} after {n} instructions");
                ExitCode::from((128 + sig) as u8)
            }
            _ => {
                eprintln!("rvdbt: terminated (C-a x) after {n} instructions");
                ExitCode::SUCCESS
            }
        },
        Ok((RunExit::Rebooted, n)) => {
            eprintln!("rvdbt: the guest rebooted after {n} instructions (--no-reboot)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rvdbt: error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("128M"), Ok(128 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }
}

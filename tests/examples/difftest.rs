//! Long lockstep differential runs from the command line: random blocks under several engines, compared after each block.
//!
//! ```text
//! cargo run --release -p rvdbt-tests --example difftest -- --blocks 10000000 --seed 7 --engines reference,interp
//! ```
//!
//! Exit status: 0 when every block agreed, 1 on a divergence (the shrunk
//! block and its report are printed), 2 for bad arguments.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use runtime::Engine;
use rvdbt_tests::difftest::{
    block_seed, coverage, report, run_campaign, BlockSpec, Campaign, EngineRunner, MutantRunner,
    Mutation, Runner,
};

#[derive(Parser, Debug)]
#[command(about = "Lockstep differential testing of rvdbt's engines on random instruction blocks")]
struct Args {
    /// Number of blocks to run.
    #[arg(long, default_value_t = 1_000_000)]
    blocks: u64,
    /// Campaign seed, decimal or 0x-hex (default: from the clock; it is printed).
    #[arg(long, value_parser = parse_u64)]
    seed: Option<u64>,
    /// Index of the first block (replay block N of a seed: --start N --blocks 1 --show).
    #[arg(long, default_value_t = 0, value_parser = parse_u64)]
    start: u64,
    /// Engines to compare, comma-separated; the first is the reference.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "reference,interp"
    )]
    engines: Vec<Engine>,
    /// Also run a deliberately broken engine, to watch the harness catch it.
    #[arg(long, value_enum)]
    mutant: Option<Mutation>,
    /// Most items per block.
    #[arg(long, default_value_t = 32)]
    max_items: usize,
    /// Report a divergence as generated, without shrinking it.
    #[arg(long)]
    no_shrink: bool,
    /// Print every block's listing, initial state and outcome (with small --blocks).
    #[arg(long)]
    show: bool,
    /// Count the instruction forms of the generated blocks instead of running them.
    #[arg(long)]
    coverage: bool,
    /// After the run, list the exceptions that ended blocks, by cause and instruction form.
    #[arg(long)]
    traps: bool,
    /// Do not compare how many instructions each engine executed (the count
    /// `--max-insns` uses; not architectural: minstret is compared anyway),
    /// nor the blocks that stop at the instruction limit (their state
    /// depends on that count).
    #[arg(long)]
    ignore_insn_count: bool,
    /// Give the `jit` engine a fresh JIT every N blocks, so that it
    /// compiles every block (the harness rewrites the code pages for every
    /// block, and after a few rewrites the JIT's SMC back-off interprets
    /// them unless they are hot). 4 compiles every block; about 10x slower.
    #[arg(long, default_value_t = 0)]
    fresh_jit: u64,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    r.map_err(|e| format!("{s}: {e}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let mut campaign = Campaign::new(seed, args.blocks);
    campaign.start = args.start;
    campaign.shrink = !args.no_shrink;
    campaign.gen.max_items = args.max_items;
    campaign.compare_at_insn_limit = !args.ignore_insn_count;

    if args.coverage {
        let seen = coverage(seed, args.blocks, &campaign.gen);
        let total: u64 = seen.values().sum();
        let mut v: Vec<_> = seen.into_iter().collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        println!("{total} instructions in {} blocks:", args.blocks);
        for (form, n) in v {
            println!("{n:>10}  {:>6.3}%  {form}", 100.0 * n as f64 / total as f64);
        }
        return ExitCode::SUCCESS;
    }

    if args.engines.is_empty() || args.engines.len() + args.mutant.iter().len() < 2 {
        eprintln!("difftest: need at least two engines (or one and --mutant)");
        return ExitCode::from(2);
    }
    let mut runners: Vec<Box<dyn Runner>> = args
        .engines
        .iter()
        .map(|&e| {
            let mut r = EngineRunner::new(e);
            r.count_insns = !args.ignore_insn_count;
            r.fresh_jit = args.fresh_jit;
            Box::new(r) as Box<dyn Runner>
        })
        .collect();
    if let Some(m) = args.mutant {
        runners.push(Box::new(MutantRunner::new(m)) as Box<dyn Runner>);
    }
    let names: Vec<String> = runners.iter().map(|r| r.name()).collect();
    eprintln!(
        "difftest: seed {seed:#x}, blocks {}..{}, engines {}",
        args.start,
        args.start.saturating_add(args.blocks),
        names.join(",")
    );

    if args.show {
        for i in args.start..args.start.saturating_add(args.blocks) {
            let spec = BlockSpec::generate(block_seed(seed, i), &campaign.gen);
            println!("=== block {i} of seed {seed:#x}");
            print!("{}", report(&mut runners, &spec));
        }
        return ExitCode::SUCCESS;
    }

    let t0 = Instant::now();
    let mut last = Instant::now();
    let mut progress = |s: &rvdbt_tests::difftest::Stats| {
        if last.elapsed().as_secs() >= 10 {
            last = Instant::now();
            let insns = match s.insns {
                0 => String::new(),
                n => format!(", {n} instructions"),
            };
            eprintln!(
                "[{:>6.0} s] {} / {} blocks, {:.0} blocks/s{insns}",
                t0.elapsed().as_secs_f64(),
                s.blocks,
                args.blocks,
                s.blocks_per_second(),
            );
        }
    };
    match run_campaign(&mut runners, &campaign, &mut progress) {
        Ok(stats) => {
            println!("{stats}");
            for r in &runners {
                if let Some(c) = r.counters() {
                    println!("{}: {c}", r.name());
                }
            }
            if args.traps {
                let mut v: Vec<_> = stats.traps.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1));
                println!("exceptions that ended blocks:");
                for (what, n) in v {
                    println!("{n:>10}  {what}");
                }
            }
            println!("no divergence ({} vs {})", names[0], names[1..].join(", "));
            ExitCode::SUCCESS
        }
        Err(d) => {
            println!("{d}");
            ExitCode::from(1)
        }
    }
}

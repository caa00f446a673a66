//! Campaigns.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use runtime::RunExit;

use super::block::{BlockSpec, GenConfig};
use super::compare::{diverges, end_reason, report, run_all};
use super::coverage::{form_name, is_fp};
use super::machine::Runner;
use super::rng::block_seed;
use super::shrink::shrink;

/// A run of many blocks.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub seed: u64,
    /// Index of the first block.
    pub start: u64,
    pub blocks: u64,
    pub gen: GenConfig,
    /// Shrink a diverging block before reporting it.
    pub shrink: bool,
    /// At most this many shrinking runs.
    pub shrink_budget: usize,
    /// Compare blocks that stop at the instruction limit (their state
    /// depends on every engine counting instructions exactly).
    pub compare_at_insn_limit: bool,
}

impl Campaign {
    pub fn new(seed: u64, blocks: u64) -> Campaign {
        Campaign {
            seed,
            start: 0,
            blocks,
            gen: GenConfig::default(),
            shrink: true,
            shrink_budget: 4000,
            compare_at_insn_limit: true,
        }
    }
}

/// What a campaign did.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub blocks: u64,
    /// Instructions the reference executed.
    pub insns: u64,
    /// F/D instructions and FP CSR accesses in the blocks (as laid out,
    /// each counted once however often it ran).
    pub fp_insns: u64,
    /// How the reference's runs ended.
    pub ends: BTreeMap<&'static str, u64>,
    /// Exceptions by cause and by the form of the instruction at `mepc`.
    pub traps: BTreeMap<String, u64>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn blocks_per_second(&self) -> f64 {
        self.blocks as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} blocks", self.blocks)?;
        if self.insns > 0 {
            write!(
                f,
                ", {} instructions ({:.1} per block)",
                self.insns,
                self.insns as f64 / self.blocks.max(1) as f64
            )?;
        }
        if self.fp_insns > 0 {
            write!(
                f,
                ", {:.1} F/D instructions per block",
                self.fp_insns as f64 / self.blocks.max(1) as f64
            )?;
        }
        write!(
            f,
            " in {:.1} s: {:.0} blocks/s",
            self.elapsed.as_secs_f64(),
            self.blocks_per_second()
        )?;
        let mut ends: Vec<_> = self.ends.iter().collect();
        ends.sort_by(|a, b| b.1.cmp(a.1));
        for (what, n) in ends {
            write!(
                f,
                "\n  {:>6.2}%  {what}",
                100.0 * *n as f64 / self.blocks.max(1) as f64
            )?;
        }
        Ok(())
    }
}

/// A block on which the runners disagreed.
#[derive(Debug)]
pub struct Divergence {
    pub seed: u64,
    pub index: u64,
    pub runners: Vec<String>,
    pub original: BlockSpec,
    pub shrunk: BlockSpec,
    pub shrink_runs: usize,
    /// The report of the shrunk block.
    pub report: String,
    /// The report of the block as generated.
    pub original_report: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "DIVERGENCE in block {} of seed {:#x} ({}).",
            self.index,
            self.seed,
            self.runners.join(" vs ")
        )?;
        writeln!(
            f,
            "replay: cargo run --release -p rvdbt-tests --example difftest -- --seed {:#x} --start {} --blocks 1 --show",
            self.seed, self.index
        )?;
        writeln!(
            f,
            "shrunk from {} to {} items in {} runs:",
            self.original.items.len(),
            self.shrunk.items.len(),
            self.shrink_runs
        )?;
        write!(f, "{}", self.report)?;
        writeln!(f, "--- the block as generated:")?;
        write!(f, "{}", self.original_report)
    }
}

/// Runs `c.blocks` blocks on every runner, comparing each with the first.
/// `progress` is called every 1024 blocks.
pub fn run_campaign(
    runners: &mut [Box<dyn Runner>],
    c: &Campaign,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Stats, Box<Divergence>> {
    assert!(
        runners.len() >= 2,
        "need a reference and at least one engine"
    );
    let t0 = Instant::now();
    let mut stats = Stats::default();
    for index in c.start..c.start.saturating_add(c.blocks) {
        let spec = BlockSpec::generate(block_seed(c.seed, index), &c.gen);
        let asm = spec.assemble();
        let snaps = run_all(runners, &asm);
        let at_limit = snaps[0].exit == Some(RunExit::InsnLimit);
        if diverges(&snaps) && (c.compare_at_insn_limit || !at_limit) {
            return Err(Box::new(divergence(runners, c, index, spec)));
        }
        stats.blocks += 1;
        stats.insns += snaps[0].insns;
        stats.fp_insns += asm.lines.iter().filter(|l| is_fp(l.enc)).count() as u64;
        let why = end_reason(&asm, &snaps[0]);
        *stats.ends.entry(why).or_default() += 1;
        if !matches!(why, "completed" | "interrupt" | "instruction limit") {
            let epc = snaps[0].csr("mepc");
            let form = match asm.lines.iter().find(|l| l.addr == epc) {
                Some(l) => form_name(l.enc),
                None => "(outside the block)".to_string(),
            };
            *stats.traps.entry(format!("{why}: {form}")).or_default() += 1;
        }
        if stats.blocks % 1024 == 0 {
            stats.elapsed = t0.elapsed();
            progress(&stats);
        }
    }
    stats.elapsed = t0.elapsed();
    Ok(stats)
}

fn divergence(
    runners: &mut [Box<dyn Runner>],
    c: &Campaign,
    index: u64,
    spec: BlockSpec,
) -> Divergence {
    let original_report = report(runners, &spec);
    let (shrunk, shrink_runs) = if c.shrink {
        shrink(runners, &spec, c.shrink_budget)
    } else {
        (spec.clone(), 0)
    };
    Divergence {
        seed: c.seed,
        index,
        runners: runners.iter().map(|r| r.name()).collect(),
        report: report(runners, &shrunk),
        original: spec,
        shrunk,
        shrink_runs,
        original_report,
    }
}

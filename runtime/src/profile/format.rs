//! The JSON layout of a saved profile (`rvdbt run --profile=FILE.json`),
//! read back by `rvdbt report`. Versioned by [`FORMAT`]: a change that
//! removes or renames a field bumps it; adding a field does not.
//!
//! Every count is exact for what it names: data accesses per pc and
//! outcome, pages, and instructions executed per pc (an instruction that
//! traps counts as executed, in every engine; generated code counts a
//! guest block's entries and the exits out of its middle).

use serde::{Deserialize, Serialize};

/// The layout's name and version.
pub const FORMAT: &str = "rvdbt-profile/1";

/// The outcomes of a data access, in report order (`MemPc::counts` keys).
///
/// `fast` and `slow` partition the accesses: every access is exactly one
/// of them. The others are reasons a slow-path access had; one access can
/// have several (a TLB miss that then reaches a device counts `tlb_miss`
/// and `mmio`).
pub const OUTCOMES: [&str; 11] = softmmu::profile::OUTCOMES;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Profile {
    /// Always [`FORMAT`].
    pub format: String,
    pub engine: String,
    /// The program (and symbol file) as given on the command line.
    pub program: String,
    pub symbols: Option<String>,
    /// Guest instructions retired, and the run's wall time.
    pub instructions: u64,
    pub wall_seconds: f64,
    /// Data accesses (loads, stores, atomics; instruction fetches are in
    /// `tlb` only) per guest instruction.
    pub mem_by_pc: Vec<MemPc>,
    /// Data accesses per guest physical page and type.
    pub pages: Vec<PageCount>,
    /// Per MMU index.
    pub tlb: Vec<TlbIndex>,
    /// Guest instructions executed, per instruction and tier.
    pub code: Vec<CodeCount>,
    /// Guest blocks of generated code: entries per block.
    pub blocks: Vec<BlockCount>,
    /// Per function (symbol), summed over `code`.
    pub functions: Vec<FunctionCount>,
    pub jit: Option<JitSummary>,
}

/// The data accesses of one guest instruction (one access type).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MemPc {
    pub pc: u64,
    /// `symbol+0xoff`, when a symbol covers the pc.
    pub symbol: Option<String>,
    /// The instruction, as objdump prints it (empty when unknown).
    pub disasm: String,
    /// `read`, `write` (atomics count as both their types).
    pub access: String,
    /// Outcome name ([`OUTCOMES`]) to count; zero counts are left out.
    pub counts: std::collections::BTreeMap<String, u64>,
    /// MMIO accesses per device (region name).
    pub devices: std::collections::BTreeMap<String, u64>,
    /// Blocked accesses per checker, world and requester
    /// (`name world W rrid R`).
    pub blocked: std::collections::BTreeMap<String, u64>,
}

impl MemPc {
    pub fn count(&self, outcome: &str) -> u64 {
        self.counts.get(outcome).copied().unwrap_or(0)
    }
}

/// Accesses to one guest physical page.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PageCount {
    pub page: u64,
    /// The region it belongs to (`ram`, a device, or a checker-guarded
    /// range as `ram (behind wgchecker@...)`).
    pub region: String,
    pub read: u64,
    pub write: u64,
    /// Of these, the ones that took the slow path.
    pub read_slow: u64,
    pub write_slow: u64,
}

/// One MMU index's TLB.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TlbIndex {
    pub index: u8,
    /// `U`, `S`, `S+SUM`, `M`.
    pub name: String,
    /// Fast-path hits: data accesses counted by the profile plus the
    /// interpreter's fetch hits.
    pub hits: u64,
    pub misses: u64,
    pub victim_hits: u64,
    pub fills: u64,
    pub flushes: u64,
    pub page_flushes: u64,
    pub resizes: u64,
    /// Entries of the table at exit.
    pub entries: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CodeCount {
    pub pc: u64,
    pub symbol: Option<String>,
    pub disasm: String,
    /// `reference`, `interp` (also tier 0 of `tiered`), `jit` (a
    /// translation block) or `region` (a block of a region).
    pub tier: String,
    pub count: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BlockCount {
    pub pc: u64,
    pub symbol: Option<String>,
    pub tier: String,
    /// Guest instructions in the block.
    pub len: u64,
    pub entries: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FunctionCount {
    /// The symbol, or `[unknown]` (with the page) when none covers the pc.
    pub name: String,
    /// Instructions per tier (tier name to count).
    pub tiers: std::collections::BTreeMap<String, u64>,
    pub total: u64,
    /// Data accesses that took the slow path in this function.
    pub slow_accesses: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JitSummary {
    /// Compiled functions: plain TBs and regions (more than one block).
    pub tbs_compiled: u64,
    pub regions: u64,
    pub region_blocks: u64,
    pub compile_seconds: f64,
    /// Bytes of host code.
    pub code_bytes: u64,
    /// Exits that reached their successor through a linked cell, through
    /// the jump cache from generated code, and through the dispatcher.
    pub tb_runs: u64,
    pub jc_hits: u64,
    pub dispatcher_lookups: u64,
    /// Entries of TBs' first blocks that did not come from the dispatcher:
    /// chained exits and loop back edges (counted with `--profile` only).
    #[serde(default)]
    pub chained_entries: u64,
    /// Compiled TBs invalidated, by cause (`code_write`, `flush`, ...).
    pub invalidations: std::collections::BTreeMap<String, u64>,
}

impl Profile {
    /// Reads a saved profile, checking its format.
    pub fn from_json(text: &str) -> Result<Profile, String> {
        let p: Profile = serde_json::from_str(text).map_err(|e| format!("not a profile: {e}"))?;
        if p.format != FORMAT {
            return Err(format!(
                "profile format {:?}, this rvdbt reads {FORMAT:?}",
                p.format
            ));
        }
        Ok(p)
    }
}

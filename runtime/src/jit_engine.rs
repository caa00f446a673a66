//! The JIT engine: TB formation, the dispatcher, and the helpers generated code calls.
//!
//! This is the runtime's only module with `unsafe` code: it hands raw
//! pointers to the hart and the memory system to generated code (through
//! `jit::ctx::JitCtx`) and turns them back into references in the
//! `extern "C"` helpers.
//!
//! TBs are keyed by virtual pc, physical pc and the fetch and data MMU
//! indexes, so a TB is only reused where it was translated for the same
//! translation regime (its inline TLB accesses bake in the data index). A
//! direct-mapped jump cache by virtual pc makes the common lookup a few
//! loads; it is cleared whenever the TLB generation changes (any flush) or
//! code is invalidated, so a cached TB never outlives the translation that
//! found it.

#![allow(unsafe_code)]

use rustc_hash::FxHashMap as HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use frontend_riscv::{decode, Decoded, Insn};
use jit::cache::{CodeCache, JitError, JitOptions, TbCode};
use jit::ctx::{JcEntry, JitCtx, TlbView};
use jit::translate::{ends_block, TbSource};
use jit::worker::CompileWorker;
use softmmu::tlb::{NUM_MMU_IDX, PAGE_MASK};
use softmmu::{CodeWrite, GuestPhysAddr, GuestVirtAddr, Mmu, MmuIdx};

use crate::hart::csr::MSTATUS_FS;
use crate::hart::walk::Walker;
use crate::hart::{Exception, Hart};
use crate::interp::fast::{DecodeCache, TierEvent};
use crate::interp::{self, Flow};

mod region;
use region::{grow_region, ExitWatch};

/// Longest TB, in guest instructions.
pub const MAX_TB_INSNS: usize = 64;
/// A region (tiered engine) holds at most this many guest blocks...
const MAX_REGION_BLOCKS: usize = 16;
/// ...and this many guest instructions.
const MAX_REGION_INSNS: usize = 256;
/// A block joins a region when tier 0 counted at least the tier-up
/// threshold over this many runs of it (the edge into it was taken often
/// enough to be worth compiling; a compiled block counts as hot).
const REGION_HEAT_DIVISOR: u16 = 8;
/// Executions in the interpreter before a block is compiled: the `jit`
/// engine's SMC back-off, and the tiered engine's blocks whose code exists
/// for another translation regime.
pub const HOT_THRESHOLD: u32 = 32;
/// Executions in tier 0 before the tiered engine compiles a block (counted
/// by the interpreter, `DecodeCache::run_tiered`); chosen by measurement,
/// see ARCHITECTURE.md "Tier-up".
pub const TIER_THRESHOLD: u16 = 128;
/// Compilations the tiered engine hands the worker at once; the rest wait
/// in its request list, hottest first.
const WORKER_DEPTH: usize = 8;
/// Compile requests waiting at most; beyond it the coolest is dropped (its
/// block counts again from zero).
const MAX_REQUESTS: usize = 64;
const JC_SIZE: usize = 4096;
/// Blocks counted towards tier-up at most; beyond it the counts start over
/// (a guest that keeps executing new code cannot grow the table forever).
const HOT_TABLE_LIMIT: usize = 1 << 20;
/// Under the `jit` engine, a page whose TBs were invalidated this many
/// times (code that keeps writing near itself) is compiled like the tiered
/// engine's: a block only after `HOT_THRESHOLD` runs in the interpreter
/// since the page was last written, so a page rewritten all the time is
/// interpreted instead of recompiled after every write.
const SMC_BACKOFF_EPOCHS: u64 = 4;

/// A TB as its page's list knows it: enough to find what a write overlaps.
#[derive(Clone, Copy, Debug)]
struct PageTb {
    key: TbKey,
    /// The guest bytes its code was made from lie in `[lo, lo + len)`
    /// (physical; a region's blocks may lie before its entry, `key.ppc`).
    /// A write there drops it: for a region this is the span of its
    /// blocks, conservatively including the bytes between them.
    lo: u64,
    len: u16,
    /// Its chaining cells (`TbSource::cells`).
    cells: [u64; 2],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TbKey {
    vpc: u64,
    ppc: u64,
    fetch_idx: u8,
    data_idx: u8,
    /// `mstatus.FS` is Dirty (see `TbSource::fp_dirty`).
    fp_dirty: bool,
}

/// Two words instead of five fields: the derived hash cost FxHash five
/// rounds per look-up, and the dispatcher looks a key up at every entry
/// from tier 0 into code (~3% of a Linux boot's main thread). The small
/// fields go into the physical address's top byte (physical addresses
/// are at most 56 bits); equality still compares every field.
impl std::hash::Hash for TbKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let small = u64::from(self.fetch_idx)
            | u64::from(self.data_idx) << 2
            | u64::from(self.fp_dirty) << 4;
        state.write_u64(self.vpc);
        state.write_u64(self.ppc ^ small << 56);
    }
}

/// Whether `mstatus.FS` is Dirty: TBs formed then may run FP inline.
fn fp_dirty(hart: &Hart) -> bool {
    hart.csr.mstatus & MSTATUS_FS == MSTATUS_FS
}

/// What the helpers need, reached through `JitCtx::opaque`.
struct HelperEnv {
    hart: *mut Hart,
    mmu: *mut Mmu,
    /// Result of the last instruction run by `helper_exec`.
    last: Flow,
    /// Instructions that trapped in a helper (not counted as retired).
    traps: u64,
    /// Instructions run by `helper_exec` (they retire themselves).
    execs: u64,
    /// The MMU generation for which a helper last emptied the jump cache.
    jc_cleared_at: u64,
    /// Jump-cache slots filled since it was last emptied, so emptying it
    /// (at every TLB flush: tens of thousands in a Linux boot) touches
    /// those only; `None` once more than `JC_SIZE / 8` were filled.
    jc_filled: Option<Vec<u32>>,
}

impl HelperEnv {
    fn note_jc_fill(&mut self, slot: usize) {
        if let Some(v) = self.jc_filled.as_mut() {
            if v.len() < JC_SIZE / 8 {
                v.push(slot as u32);
            } else {
                self.jc_filled = None;
            }
        }
    }

    /// Empties `jc` (and `code`, the engine's handles, when given).
    fn empty_jc(&mut self, jc: &mut [JcEntry], mut code: Option<&mut [Option<TbCode>]>) {
        match self.jc_filled.as_mut() {
            Some(v) => {
                for s in v.drain(..) {
                    jc[s as usize] = JcEntry::EMPTY;
                    if let Some(c) = code.as_deref_mut() {
                        c[s as usize] = None;
                    }
                }
            }
            None => {
                jc.fill(JcEntry::EMPTY);
                if let Some(c) = code {
                    c.fill(None);
                }
                self.jc_filled = Some(Vec::with_capacity(JC_SIZE / 8));
            }
        }
    }
}

/// Counters of the JIT engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitEngineStats {
    pub tb_runs: u64,
    pub jc_hits: u64,
    /// Blocks run by the interpreter (the `jit` engine's back-off and
    /// uncacheable code; the tiered engine's count is the decode cache's).
    pub interp_blocks: u64,
    pub invalidated_tbs: u64,
    /// Guest instructions executed by the interpreter and by generated code.
    pub interp_insns: u64,
    pub jit_insns: u64,
    /// Compile requests dropped: stale (page written) or the queue full.
    pub dropped_requests: u64,
    /// Compile requests grown into regions of more than one guest block,
    /// and the guest blocks in them.
    pub regions: u64,
    pub region_blocks: u64,
    /// Regions grown again over exits that turned hot (`region.rs`).
    pub reformed_regions: u64,
}

pub struct JitEngine {
    /// The compiler of the `jit` engine (the tiered engine's lives on its
    /// worker thread).
    cache: Option<CodeCache>,
    tbs: HashMap<TbKey, TbCode>,
    by_page: HashMap<u64, Vec<PageTb>>,
    /// Tier-up counts: executions in the interpreter since the block's page
    /// was last written (the page's epoch when counting started).
    hot: HashMap<TbKey, (u32, u64)>,
    /// The jump cache generated code reads, and the same TBs as handles.
    jc: Vec<JcEntry>,
    jc_code: Vec<Option<TbCode>>,
    jc_mmu_generation: u64,
    /// Tiered: tier 0 stopped before a block with compiled code; the next
    /// jump-cache miss looks the TB up instead of interpreting.
    at_code: bool,
    /// Tier 0 runs of a block before the tiered engine compiles it.
    tier_threshold: u16,
    /// Tiered: compile a hot block's region at once and wait for it (tests).
    sync_tier_up: bool,
    /// Bumped for a page each time its TBs are invalidated, so a background
    /// compilation of stale code is recognised and dropped.
    page_epochs: HashMap<u64, u64>,
    cells: Cells,
    /// `/tmp/perf-<pid>.map`, naming each TB for host `perf` (`--perf-map`).
    perf_map: Option<std::fs::File>,
    background: Option<Background>,
    compile_stats: jit::cache::JitStats,
    ctx: Box<JitCtx>,
    env: Box<HelperEnv>,
    pub stats: JitEngineStats,
    /// `--profile`: the counters compiled into generated code.
    prof: Option<Box<JitProfile>>,
    /// Tiered: the regions' exit counters, for re-formation.
    exits: ExitWatch,
}

/// Turns the context back into the hart and memory system.
///
/// # Safety
///
/// `ctx` must be the engine's own context while `JitEngine::run` is
/// executing a TB: `opaque` then points to its `HelperEnv`, whose pointers were
/// derived from the `&mut Hart` and `&mut Mmu` that `run` holds and does not
/// use until the TB returns. Generated code does not touch them while a
/// helper runs.
unsafe fn helper_env<'a>(
    ctx: *mut JitCtx,
) -> (&'a mut JitCtx, &'a mut HelperEnv, &'a mut Hart, &'a mut Mmu) {
    // SAFETY: per the function's contract.
    unsafe {
        let c = &mut *ctx;
        let g = &mut *(c.opaque as *mut HelperEnv);
        let hart = &mut *g.hart;
        let mmu = &mut *g.mmu;
        // Generated code stored the instruction's pc before the call.
        mmu.set_profile_pc(hart.state.pc);
        (c, g, hart, mmu)
    }
}

/// Whether a helper's memory access changed what the rest of the running
/// TB assumed, so the TB must end right after the access: any TLB flush
/// (the TB's TLB views and every jump-cache entry may be stale, and a
/// checker may have revoked what the next access would touch), a device
/// access (it may raise an interrupt or reconfigure a checker), or a write
/// into translated code (the TB itself may be stale). See ARCHITECTURE.md,
/// "Helpers that end a block".
fn must_end_block(mmu: &Mmu, generation: u64) -> bool {
    mmu.generation() != generation || mmu.device_touched() || mmu.has_dirty_code()
}

/// After a helper's work: when it flushed a TLB, empties the jump cache at
/// once, as QEMU's `tlb_flush` does with its jump cache, so no lookup can
/// find a TB through a translation of the old generation (the dispatcher
/// skips its own clearing for that generation).
fn clear_jc_if_flushed(c: &mut JitCtx, g: &mut HelperEnv, mmu: &Mmu, generation: u64) {
    if mmu.generation() == generation {
        return;
    }
    // SAFETY: `c.jc` is the engine's jump cache of `jc_mask + 1` entries
    // (set by `run_tb` from its `Vec`, which is neither resized nor
    // borrowed while a TB runs); generated code only reads it, and not
    // while a helper runs.
    let jc = unsafe { std::slice::from_raw_parts_mut(c.jc, c.jc_mask as usize + 1) };
    // The engine's handles (`jc_code`) are left: with `jc[slot]` empty they
    // can no longer match.
    g.empty_jc(jc, None);
    g.jc_cleared_at = mmu.generation();
}

/// The protocol every memory and FP helper follows around its access `op`:
/// when the access flushed a TLB, the jump cache is emptied at once; a
/// guest exception enters the trap handler and makes generated code return;
/// an access that changed what the rest of the TB assumed
/// ([`must_end_block`]) is completed here (`complete` finishes what
/// generated code would have done with the value, then the pc moves on and
/// the instruction is charged) and generated code returns too.
///
/// # Safety
///
/// `helper_env`'s contract: `ctx` is the engine's context while a TB runs.
unsafe fn access<T: Copy + Default>(
    ctx: *mut JitCtx,
    next: u64,
    op: impl FnOnce(&mut Hart, &mut Mmu) -> Result<T, Exception>,
    complete: impl FnOnce(&mut Hart, T),
) -> T {
    // SAFETY: per this function's contract.
    let (c, g, hart, mmu) = unsafe { helper_env(ctx) };
    let generation = mmu.generation();
    let r = op(hart, mmu);
    clear_jc_if_flushed(c, g, mmu, generation);
    match r {
        Ok(v) => {
            if must_end_block(mmu, generation) {
                complete(hart, v);
                hart.state.pc = next;
                // This instruction completed (the TB refunded it before the call).
                c.budget -= 1;
                c.exit = 1;
            }
            v
        }
        Err(e) => {
            hart.raise(e);
            g.traps += 1;
            c.exit = 1;
            T::default()
        }
    }
}

extern "C" fn helper_load(ctx: *mut JitCtx, va: u64, next: u64, desc: u32) -> u64 {
    let (size, signed, rd) = jit::ctx::load_desc_parts(desc);
    let load = |hart: &mut Hart, mmu: &mut Mmu| {
        let idx = hart.data_idx();
        Ok(mmu.load(&mut Walker::new(hart), idx, GuestVirtAddr(va), size)?)
    };
    // Leaving early: the loaded value goes to its register here.
    let complete = |hart: &mut Hart, v: u64| {
        let bits = 64 - 8 * size as u32;
        let v = if signed {
            (((v << bits) as i64) >> bits) as u64
        } else {
            v
        };
        hart.state.set_x(rd as usize, v);
    };
    // SAFETY: only generated code calls this, with the engine's context.
    unsafe { access(ctx, next, load, complete) }
}

extern "C" fn helper_store(ctx: *mut JitCtx, va: u64, value: u64, next: u64, size: u32) {
    let store = |hart: &mut Hart, mmu: &mut Mmu| {
        let idx = hart.data_idx();
        let va = GuestVirtAddr(va);
        Ok(mmu.store(&mut Walker::new(hart), idx, va, size as u8, value)?)
    };
    // SAFETY: only generated code calls this, with the engine's context.
    unsafe { access(ctx, next, store, |_, ()| {}) }
}

extern "C" fn helper_fp(ctx: *mut JitCtx, raw: u32, next: u64) -> u64 {
    let insn = decode(raw).insn;
    // The value of `x[rd]` for the FP instructions that write one; the
    // helper has already written it to `CpuState` for an early exit.
    let fp = |hart: &mut Hart, mmu: &mut Mmu| {
        interp::fp::execute(hart, mmu, &insn, raw as u64)?;
        Ok(jit::translate::fp_int_rd(&insn).map_or(0, |rd| hart.state.x[rd.idx()]))
    };
    // SAFETY: only generated code calls this, with the engine's context.
    unsafe { access(ctx, next, fp, |_, _| {}) }
}

extern "C" fn helper_exec(ctx: *mut JitCtx, raw: u32) {
    // SAFETY: only generated code calls this, with the engine's context.
    let (c, g, hart, mmu) = unsafe { helper_env(ctx) };
    g.execs += 1;
    // Counters the instruction may read must include the TB's instructions.
    hart.csr.retire_n((c.counted_budget - c.budget) as u64);
    c.counted_budget = c.budget;
    let generation = mmu.generation();
    g.last = match interp::execute(hart, mmu, &decode(raw)) {
        Ok(r) => r,
        // Counted in `execs` already, whether it retired or trapped.
        Err(e) => {
            hart.raise(e);
            Flow::StateChanged
        }
    };
    clear_jc_if_flushed(c, g, mmu, generation);
    c.exit = 1;
}

impl JitEngine {
    pub fn new(tiered: bool) -> Result<JitEngine, JitError> {
        let mut env = Box::new(HelperEnv {
            hart: std::ptr::null_mut(),
            mmu: std::ptr::null_mut(),
            last: Flow::Next,
            traps: 0,
            execs: 0,
            jc_cleared_at: u64::MAX,
            jc_filled: None,
        });
        let ctx = Box::new(JitCtx {
            cpu: std::ptr::null_mut(),
            tlb: [TlbView::default(); NUM_MMU_IDX],
            counted_budget: 0,
            exit: 0,
            load: helper_load,
            store: helper_store,
            exec: helper_exec,
            opaque: (&mut *env as *mut HelperEnv).cast(),
            budget: 0,
            jc: std::ptr::null_mut(),
            jc_mask: (JC_SIZE - 1) as u64,
            fp: helper_fp,
            exit_stub: std::ptr::null(),
        });
        Ok(JitEngine {
            cache: if tiered {
                None
            } else {
                Some(CodeCache::new(JitOptions::default())?)
            },
            tbs: HashMap::default(),
            by_page: HashMap::default(),
            hot: HashMap::default(),
            jc: vec![JcEntry::EMPTY; JC_SIZE],
            jc_code: vec![None; JC_SIZE],
            jc_mmu_generation: u64::MAX,
            at_code: false,
            tier_threshold: TIER_THRESHOLD,
            sync_tier_up: false,
            page_epochs: HashMap::default(),
            cells: Cells::new(),
            perf_map: None,
            background: if tiered {
                Some(Background {
                    worker: CompileWorker::start(JitOptions::default()).map_err(|e| {
                        JitError::Module(format!("starting the compile thread: {e}"))
                    })?,
                    pending: HashMap::default(),
                    requests: Vec::new(),
                    next_id: 0,
                    generation: 0,
                    footprint_at_flush: 0,
                })
            } else {
                None
            },
            compile_stats: jit::cache::JitStats::default(),
            ctx,
            env,
            stats: JitEngineStats::default(),
            prof: None,
            exits: ExitWatch::default(),
        })
    }

    /// Compiler counters (TBs compiled, compile time, code size), of the
    /// background worker for the tiered engine.
    pub fn jit_stats(&self) -> jit::cache::JitStats {
        if self.background.is_some() {
            self.compile_stats
        } else {
            self.cache.as_ref().map(|c| c.stats).unwrap_or_default()
        }
    }

    fn clear_jc(&mut self) {
        self.env.empty_jc(&mut self.jc, Some(&mut self.jc_code));
    }

    /// Sets the tiered engine's tier-up threshold (`--tier-threshold`).
    pub fn set_tier_threshold(&mut self, n: u16) {
        self.tier_threshold = n;
    }

    /// Tiered: compile each hot block's region as soon as it turns hot
    /// and wait for it, so when code runs compiled does not depend on the
    /// worker's timing (the differential tests' region runs).
    pub fn set_sync_tier_up(&mut self, on: bool) {
        self.sync_tier_up = on;
    }

    /// Compiles counters into every TB from now on (`--profile`): block
    /// entries, fast-path hits per memory instruction and per RAM page.
    /// Code compiled before stays uncounted, so call it before running.
    pub fn enable_profile(&mut self, mmu: &Mmu) {
        let (ram_base, ram_size, ram_host) = mmu.main_ram();
        let pages = 2 * ram_size.div_ceil(softmmu::tlb::PAGE_SIZE) as usize;
        self.prof = Some(Box::new(JitProfile {
            pages: (0..pages).map(|_| AtomicU64::new(0)).collect(),
            ram_base,
            ram_host,
            tbs: Vec::new(),
        }));
    }

    /// Adds what generated code counted (see [`JitEngine::enable_profile`])
    /// to `code` and `mem`, fast-path hits per MMU index to `tlb_hits`,
    /// and returns the JIT's summary. Only between runs of generated code.
    pub fn take_profile(
        &mut self,
        code: &mut crate::profile::CodeProfile,
        mem: &mut softmmu::profile::MemProfile,
        tlb_hits: &mut [u64; NUM_MMU_IDX],
    ) -> crate::profile::format::JitSummary {
        let c = self.jit_stats();
        let e = self.stats;
        let mut chained = 0u64;
        if let Some(p) = self.prof.as_mut() {
            chained = p.take(code, mem, tlb_hits);
        }
        let mut invalidations = std::collections::BTreeMap::new();
        invalidations.insert("code_write".to_string(), e.invalidated_tbs);
        invalidations.insert("code_cache_full".to_string(), c.flushes);
        invalidations.insert("stale_or_dropped_request".to_string(), e.dropped_requests);
        crate::profile::format::JitSummary {
            tbs_compiled: c.compiled,
            regions: e.regions,
            region_blocks: e.region_blocks,
            compile_seconds: c.compile_time.as_secs_f64(),
            code_bytes: c.code_bytes as u64,
            tb_runs: e.tb_runs,
            jc_hits: e.jc_hits,
            dispatcher_lookups: e.tb_runs - e.jc_hits.min(e.tb_runs),
            chained_entries: chained.saturating_sub(e.tb_runs),
            invalidations,
        }
    }

    /// Starts writing `/tmp/perf-<pid>.map` so `perf report` names TBs.
    pub fn enable_perf_map(&mut self) -> std::io::Result<std::path::PathBuf> {
        // perf looks in /tmp whatever TMPDIR says.
        let path = std::path::PathBuf::from(format!("/tmp/perf-{}.map", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        self.perf_map = Some(file);
        Ok(path)
    }

    /// Drops every TB whose guest bytes a write in `writes` overlapped, and
    /// unlinks the chaining cells of the TBs left on those pages (a cell
    /// may point at a dropped TB); `icache` forgets the dropped TBs' starts.
    pub fn invalidate(&mut self, writes: &[CodeWrite], icache: &mut DecodeCache) {
        if writes.is_empty() {
            return;
        }
        for w in writes {
            let page = w.pa.0 & PAGE_MASK;
            *self.page_epochs.entry(page).or_insert(0) += 1;
            let Some(tbs) = self.by_page.get_mut(&page) else {
                continue;
            };
            let before = tbs.len();
            tbs.retain(|tb| {
                let hit = w.overlaps(tb.lo, tb.len as u64);
                if hit {
                    self.tbs.remove(&tb.key);
                    self.hot.remove(&tb.key);
                    self.exits.forget(tb.key);
                    icache.uncompile(GuestPhysAddr(tb.key.ppc));
                }
                !hit
            });
            self.stats.invalidated_tbs += (before - tbs.len()) as u64;
            if tbs.len() < before {
                for tb in tbs.iter() {
                    self.cells.unlink(tb.cells);
                }
            }
            if tbs.is_empty() {
                self.by_page.remove(&page);
            }
        }
        self.clear_jc();
    }

    fn flush_code(&mut self) {
        self.exits.clear();
        self.tbs.clear();
        self.by_page.clear();
        self.clear_jc();
        self.cells.reset();
        // SAFETY: no TB runs now (the dispatcher calls this between TBs), and
        // every structure that pointed at the old code (TB map, jump cache,
        // chaining cells) was cleared above.
        let flushed = self.cache.as_mut().map_or(Ok(()), |c| unsafe { c.flush() });
        if let Err(e) = flushed {
            // Keeps the old generation's code; correctness is unaffected.
            tracing::error!("JIT code cache flush failed: {e}");
        }
    }

    /// Drains the pages written since their code was decoded or compiled
    /// and drops them from both caches (the decode cache, tier 0 of the
    /// tiered engine, and the TBs), before the next lookup.
    fn sync_invalidations(&mut self, mmu: &mut Mmu, icache: &mut DecodeCache) {
        let writes = mmu.take_dirty_code();
        if !writes.is_empty() {
            icache.invalidate(&writes);
            self.invalidate(&writes, icache);
        }
    }

    /// Executes about `budget` instructions (checked between blocks).
    pub fn run(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        icache: &mut DecodeCache,
        budget: u64,
    ) -> (u64, Flow) {
        let (n, flow) = self.run_chunk(hart, mmu, icache, budget);
        if self.background.is_some() {
            self.exits.tick(n);
        }
        (n, flow)
    }

    /// [`JitEngine::run`] without the look at the regions' exit counters.
    fn run_chunk(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        icache: &mut DecodeCache,
        budget: u64,
    ) -> (u64, Flow) {
        let mut n = 0u64;
        while n < budget {
            if mmu.generation() != self.jc_mmu_generation {
                // Fast tables move only here (a resize is chosen at a flush,
                // which changed the generation) and between the run loop's
                // chunks: no generated code runs, no view is held.
                mmu.apply_tlb_resizes();
                // When a helper emptied `jc` at the flush itself, the handles
                // left in `jc_code` can no longer match (`jc[slot].vpc` is empty).
                if self.env.jc_cleared_at != mmu.generation() {
                    self.clear_jc();
                }
                self.jc_mmu_generation = mmu.generation();
                // The tables' addresses change only with a resize, applied
                // just above or by the run loop (both after a generation
                // change): generated code reads these views.
                for (i, v) in self.ctx.tlb.iter_mut().enumerate() {
                    *v = jit_view(mmu, MmuIdx(i as u8));
                }
            }
            let pc = hart.state.pc;
            let fetch_idx = hart.fetch_idx();
            let data_idx = hart.data_idx();
            let slot = (pc >> 1) as usize & (JC_SIZE - 1);
            let tag = JcEntry::tag_of(fetch_idx.0, data_idx.0, fp_dirty(hart));
            let e = self.jc[slot];
            let code = match self.jc_code[slot] {
                Some(code) if e.vpc == pc && e.tag == tag => {
                    self.stats.jc_hits += 1;
                    code
                }
                _ => {
                    match self.lookup_collecting(hart, mmu, icache, fetch_idx, data_idx, budget - n)
                    {
                        Lookup::Code(code) => {
                            self.jc[slot] = JcEntry {
                                vpc: pc,
                                tag,
                                code: code.entry_addr(),
                                _pad: 0,
                            };
                            self.jc_code[slot] = Some(code);
                            self.env.note_jc_fill(slot);
                            code
                        }
                        Lookup::Ran(k, r) => {
                            n += k;
                            self.stats.interp_insns += k;
                            self.sync_invalidations(mmu, icache);
                            if r != Flow::Next {
                                return (n, r);
                            }
                            continue;
                        }
                    }
                }
            };
            // Whatever tier 0 stopped before is running now: the next miss
            // is the code's exit to cold code, for tier 0 to count. (Left
            // set, it made that miss look a TB up it could not find and run
            // tier 0 without counting the block: 7 M of the Linux boot's
            // 9 M tier-0 entries, and their blocks tiered up late.)
            self.at_code = false;
            self.ctx.budget = (budget - n) as i64;
            let (ran, stop) = self.run_tb(hart, mmu, code);
            n += ran;
            if mmu.has_dirty_code() {
                self.sync_invalidations(mmu, icache);
            }
            if let Some(r) = stop {
                return (n, r);
            }
        }
        (n, Flow::Next)
    }

    /// Runs one TB; returns the instructions it executed and, if the
    /// execution loop must look at the machine now, why.
    fn run_tb(&mut self, hart: &mut Hart, mmu: &mut Mmu, code: TbCode) -> (u64, Option<Flow>) {
        debug_assert!(
            self.ctx
                .tlb
                .iter()
                .enumerate()
                .all(|(i, v)| *v == jit_view(mmu, MmuIdx(i as u8))),
            "a fast TLB table moved without a generation change"
        );
        let hart_ptr: *mut Hart = hart;
        self.env.hart = hart_ptr;
        self.env.mmu = mmu;
        self.env.last = Flow::Next;
        self.env.traps = 0;
        self.env.execs = 0;
        // SAFETY: `hart_ptr` is valid (derived from `hart` above).
        self.ctx.cpu = unsafe { &raw mut (*hart_ptr).state };
        self.ctx.counted_budget = self.ctx.budget;
        let start = self.ctx.budget;
        self.ctx.exit = 0;
        self.ctx.jc = self.jc.as_mut_ptr();
        let ctx: *mut JitCtx = &mut *self.ctx;
        // SAFETY: `code` belongs to the current generation (checked by the
        // caller); the context points at this hart's registers, the TLB
        // views were read from `mmu` at its last generation change (tables
        // move only with one; asserted above), and `hart`/`mmu` are not used
        // until the TB returns: the helpers reach them through `env`.
        unsafe { jit::exec::run_tb(code, ctx) };
        self.stats.tb_runs += 1;
        debug_assert!(
            self.ctx
                .tlb
                .iter()
                .enumerate()
                .all(|(i, v)| *v == jit_view(mmu, MmuIdx(i as u8))),
            "a fast TLB table moved while generated code ran"
        );
        hart.csr
            .retire_n((self.ctx.counted_budget - self.ctx.budget) as u64);
        let ran = (start - self.ctx.budget) as u64 + self.env.traps + self.env.execs;
        self.stats.jit_insns += ran;
        let touched = mmu.take_device_touched();
        let stop = if self.env.execs > 0 && self.env.last != Flow::Next {
            Some(self.env.last)
        } else if self.env.traps > 0 || touched {
            Some(Flow::StateChanged)
        } else {
            None
        };
        (ran, stop)
    }

    /// Finds or builds the TB at the hart's pc. In the tiered engine, cold
    /// blocks run in the interpreter instead.
    fn lookup(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        icache: &mut DecodeCache,
        fetch_idx: MmuIdx,
        data_idx: MmuIdx,
        budget: u64,
    ) -> Lookup {
        let pc = hart.state.pc;
        let pa = match mmu.translate_code(&mut Walker::new(hart), fetch_idx, GuestVirtAddr(pc)) {
            // Code under a sub-page PMP rule is never compiled.
            Ok(c) if !c.cacheable => return interpret_one(icache, hart, mmu),
            Ok(c) => c.pa,
            Err(e) => {
                hart.raise(e.into());
                return Lookup::Ran(1, Flow::StateChanged);
            }
        };
        let fp_dirty = fp_dirty(hart);
        let key = TbKey {
            vpc: pc,
            ppc: pa.0,
            fetch_idx: fetch_idx.0,
            data_idx: data_idx.0,
            fp_dirty,
        };
        if let Some(&code) = self.tbs.get(&key) {
            return Lookup::Code(code);
        }
        if !mmu.is_main_ram(pa) {
            // Code outside RAM (the boot ROM) is never compiled.
            return interpret_one(icache, hart, mmu);
        }
        let page = pa.0 & PAGE_MASK;
        let epoch = self.epoch(page);
        if self.background.is_some() {
            // Tiered, code for another regime (MMU index, FS) or none:
            // interpret, counting this block's runs in the engine's table.
            if icache.compiled_at(pa) && self.heat(key, epoch) == HOT_THRESHOLD {
                self.request(key, epoch, icache);
            }
            return self.run_tier0(hart, mmu, icache, budget, false);
        }
        let counted = epoch >= SMC_BACKOFF_EPOCHS;
        let heat = counted.then(|| self.heat(key, epoch));
        if heat.is_some_and(|c| c < HOT_THRESHOLD) {
            // A page in SMC back-off: interpret until the block is hot again.
            self.stats.interp_blocks += 1;
            return interpret_one(icache, hart, mmu);
        }
        let Some(mut src) = form_tb(mmu, pc, pa, fetch_idx, data_idx, fp_dirty) else {
            // The first instruction straddles the page end.
            return interpret_one(icache, hart, mmu);
        };
        if self.cache.as_ref().is_some_and(CodeCache::is_full) {
            self.flush_code();
        }
        if self.cache.is_none() {
            return interpret_one(icache, hart, mmu);
        }
        // Cells after the flush: a flush hands the whole arena out again.
        let tb = self.claim(mmu, key, &mut src);
        let Some(cache) = self.cache.as_mut() else {
            return interpret_one(icache, hart, mmu);
        };
        match cache.compile(&src) {
            Ok(code) => {
                self.insert_tb(tb, code);
                Lookup::Code(code)
            }
            Err(e) => {
                // A compiler failure is a host bug; the guest still runs.
                tracing::error!("JIT compile of TB at {pc:#x} failed: {e}");
                interpret_one(icache, hart, mmu)
            }
        }
    }

    /// Installs finished background compilations, then looks up.
    fn lookup_collecting(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        icache: &mut DecodeCache,
        fetch_idx: MmuIdx,
        data_idx: MmuIdx,
        budget: u64,
    ) -> Lookup {
        self.collect_background(icache);
        self.submit_requests(mmu, icache);
        if self.background.is_some() && !std::mem::take(&mut self.at_code) {
            // Tiered: most misses are cold code; the interpreter finds out
            // (it stops at once if code starts here) without a TB lookup.
            return self.run_tier0(hart, mmu, icache, budget, true);
        }
        self.lookup(hart, mmu, icache, fetch_idx, data_idx, budget)
    }

    /// Runs tier 0 of the tiered engine ([`DecodeCache::run_tiered`]) and
    /// requests the compilation of a block it found hot.
    fn run_tier0(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        icache: &mut DecodeCache,
        budget: u64,
        count_start: bool,
    ) -> Lookup {
        let (k, r) = icache.run_tiered(hart, mmu, budget, self.tier_threshold, count_start);
        match icache.take_tier_event() {
            Some(TierEvent::Hot { pa, fetch_idx }) => {
                let key = TbKey {
                    vpc: hart.state.pc,
                    ppc: pa.0,
                    fetch_idx: fetch_idx.0,
                    data_idx: hart.data_idx().0,
                    fp_dirty: fp_dirty(hart),
                };
                let epoch = self.epoch(pa.0 & PAGE_MASK);
                self.request(key, epoch, icache);
                if self.sync_tier_up {
                    self.submit_requests(mmu, icache);
                    self.collect_background(icache);
                }
            }
            // Compiled code starts at the pc: the next round looks it up.
            Some(TierEvent::Compiled) => self.at_code = true,
            None => {}
        }
        Lookup::Ran(k, r)
    }

    /// Queues a compile request for a hot block (tiered engine).
    fn request(&mut self, key: TbKey, epoch: u64, icache: &mut DecodeCache) {
        let Some(bg) = self.background.as_mut() else {
            return;
        };
        if bg.requests.iter().any(|(k, _)| *k == key) {
            return;
        }
        if bg.requests.len() >= MAX_REQUESTS {
            // Drop the coolest; its block counts again from zero.
            let coolest = (0..bg.requests.len())
                .min_by_key(|&i| icache.heat(GuestPhysAddr(bg.requests[i].0.ppc)))
                .unwrap_or(0);
            let (k, _) = bg.requests.swap_remove(coolest);
            icache.cool(GuestPhysAddr(k.ppc));
            self.stats.dropped_requests += 1;
        }
        bg.requests.push((key, epoch));
    }

    /// Hands the worker the hottest waiting requests, up to `WORKER_DEPTH`
    /// in flight; requests whose page was written since are dropped.
    fn submit_requests(&mut self, mmu: &mut Mmu, icache: &mut DecodeCache) {
        loop {
            let Some(bg) = self.background.as_mut() else {
                return;
            };
            if bg.worker.in_flight() >= WORKER_DEPTH {
                return;
            }
            // Re-formations first: they are for code already hot.
            if let Some(r) = self.exits.due.pop() {
                self.submit_reform(mmu, icache, r);
                continue;
            }
            let Some(bg) = self.background.as_mut() else {
                return;
            };
            if bg.requests.is_empty() {
                return;
            }
            let hottest = (0..bg.requests.len())
                .max_by_key(|&i| icache.heat(GuestPhysAddr(bg.requests[i].0.ppc)))
                .unwrap_or(0);
            let (key, epoch) = bg.requests.swap_remove(hottest);
            let page = key.ppc & PAGE_MASK;
            if self.epoch(page) != epoch || self.tbs.contains_key(&key) {
                self.stats.dropped_requests += 1;
                continue;
            }
            let pa = GuestPhysAddr(key.ppc);
            let Some(mut src) = form_tb_of(mmu, key) else {
                continue;
            };
            // A TB cut at the size limit goes on at the next pc every time
            // it completes: request that continuation now, as hot as this
            // one. Tier 0 would not count it before this TB is installed
            // (it is no block start to the interpreter), so unrolled code
            // (the kernel's crypto: blake2s_compress is 8 KiB of straight
            // line) was compiled one 64-instruction chunk per tier-up round.
            if let Some(next) = size_cut_continuation(&src) {
                let cont = TbKey {
                    vpc: next,
                    ppc: (key.ppc & PAGE_MASK) | (next & !PAGE_MASK),
                    ..key
                };
                if !self.tbs.contains_key(&cont) {
                    let heat = icache.heat(pa);
                    icache.warm(GuestPhysAddr(cont.ppc), heat);
                    self.request(cont, epoch, icache);
                }
            }
            let min_heat = (self.tier_threshold / REGION_HEAT_DIVISOR).max(1);
            grow_region(mmu, icache, &mut src, pa, min_heat, &[]);
            if !src.more.is_empty() {
                self.stats.regions += 1;
                self.stats.region_blocks += 1 + src.more.len() as u64;
            }
            self.submit(mmu, key, src, epoch, 0);
        }
    }

    /// Hands `src` to the worker as `key`'s code (`reforms`: times its
    /// region was re-formed), with its cells and exit counters.
    fn submit(&mut self, mmu: &mut Mmu, key: TbKey, mut src: TbSource, epoch: u64, reforms: u8) {
        let Some(bg) = self.background.as_mut() else {
            return;
        };
        bg.next_id += 1;
        let id = bg.next_id;
        let tb = self.claim(mmu, key, &mut src);
        self.exits.arm(key, &mut src, reforms, id);
        if let Some(bg) = self.background.as_mut() {
            bg.pending.insert(id, (tb, epoch));
            bg.worker.submit(id, src);
        }
    }

    /// Hands the worker `r`'s region grown again from its entry with the
    /// hot exits' targets forced in (`region.rs`), unless its code is gone
    /// or the new form adds no block; the old code runs until the new is
    /// installed in its place (`insert_tb`).
    fn submit_reform(&mut self, mmu: &mut Mmu, icache: &mut DecodeCache, r: region::Reform) {
        let key = r.key;
        if !self.tbs.contains_key(&key) {
            return;
        }
        let pa = GuestPhysAddr(key.ppc);
        let Some(mut src) = form_tb_of(mmu, key) else {
            return;
        };
        let min_heat = (self.tier_threshold / REGION_HEAT_DIVISOR).max(1);
        grow_region(mmu, icache, &mut src, pa, min_heat, &r.force);
        if !self.exits.grows(key, &src) {
            return;
        }
        self.stats.reformed_regions += 1;
        let epoch = self.epoch(key.ppc & PAGE_MASK);
        self.submit(mmu, key, src, epoch, r.reforms);
    }

    /// A page's epoch: how many times a write dropped code of it.
    fn epoch(&self, page: u64) -> u64 {
        epoch_of(&self.page_epochs, page)
    }

    /// Gives `src` (about to be compiled as `key`) its chaining cells and
    /// marks its guest bytes as code, so a write to them from now on is seen.
    fn claim(&mut self, mmu: &mut Mmu, key: TbKey, src: &mut TbSource) -> PageTb {
        src.cells = self.cells.alloc();
        if let Some(p) = self.prof.as_mut() {
            src.prof = Some(p.counters_for(src));
        }
        // All of a region's blocks are on the entry's page: same offsets.
        let pa_of = |vpc: u64| (key.ppc & PAGE_MASK) | (vpc & !PAGE_MASK);
        let blocks = std::iter::once((src.pc.0, &src.insns))
            .chain(src.more.iter().map(|b| (b.pc, &b.insns)));
        let (mut lo, mut hi) = (u64::MAX, 0);
        for (vpc, insns) in blocks {
            let len: u64 = insns.iter().map(|d| d.len as u64).sum();
            mmu.mark_code(GuestPhysAddr(pa_of(vpc)), len);
            lo = lo.min(pa_of(vpc));
            hi = hi.max(pa_of(vpc) + len);
        }
        PageTb {
            key,
            lo,
            len: (hi - lo) as u16,
            cells: src.cells,
        }
    }

    fn insert_tb(&mut self, tb: PageTb, code: TbCode) {
        let key = tb.key;
        if let Some(map) = self.perf_map.as_mut() {
            // perf's JIT map format: start, size, name (hex, no 0x); one
            // write per line, as Cranelift may append to the same file.
            let line = format!(
                "{:x} {:x} rvdbt_tb_{:x}_pa{:x}\n",
                code.entry_addr(),
                code.size,
                key.vpc,
                key.ppc
            );
            let _ = map.write_all(line.as_bytes());
        }
        if self.tbs.insert(key, code).is_some() {
            // A re-formed region replaces the old code (`region.rs`), which
            // stops being reachable (it stays in memory until the next
            // flush): its page entry goes, the cells on its page that may
            // link to it are emptied, and so is its jump-cache slot, the
            // only one keyed by its pc (the rest of the cache stays).
            let page = self.by_page.entry(key.ppc & PAGE_MASK).or_default();
            page.retain(|t| t.key != key);
            for t in page.iter() {
                self.cells.unlink(t.cells);
            }
            let slot = (key.vpc >> 1) as usize & (JC_SIZE - 1);
            self.jc[slot] = JcEntry::EMPTY;
            self.jc_code[slot] = None;
        }
        self.by_page
            .entry(key.ppc & PAGE_MASK)
            .or_default()
            .push(tb);
    }

    /// Counts one interpreted execution of `key` towards tier-up; counts
    /// start over when the block's page was written since (`epoch`).
    fn heat(&mut self, key: TbKey, epoch: u64) -> u32 {
        if self.hot.len() >= HOT_TABLE_LIMIT {
            self.hot.clear();
        }
        let h = self.hot.entry(key).or_insert((0, epoch));
        if h.1 != epoch {
            *h = (0, epoch);
        }
        h.0 += 1;
        h.0
    }

    /// Installs the TBs the background worker finished, unless their page
    /// was written (or the code flushed) since they were formed.
    fn collect_background(&mut self, icache: &mut DecodeCache) {
        let Some(bg) = self.background.as_mut() else {
            return;
        };
        if bg.worker.in_flight() == 0 {
            return;
        }
        let mut ready = Vec::new();
        let finished = if self.sync_tier_up {
            bg.worker.wait()
        } else {
            bg.worker.poll()
        };
        for done in finished {
            self.compile_stats = done.stats;
            let Some((tb, epoch)) = bg.pending.remove(&done.id) else {
                continue;
            };
            let key = tb.key;
            let Some(code) = done.code else { continue };
            let page = key.ppc & PAGE_MASK;
            if code.generation == bg.generation && epoch_of(&self.page_epochs, page) == epoch {
                ready.push((tb, code));
            } else {
                // Stale: nothing will count into its exit counters.
                self.exits.forget_compile(key, done.id);
            }
        }
        if let Some(bg) = self.background.as_mut() {
            if self.compile_stats.footprint - bg.footprint_at_flush > jit::cache::CODE_BUDGET {
                // Start a new generation; nothing of the old one may run again.
                bg.footprint_at_flush = self.compile_stats.footprint;
                bg.generation += 1;
                bg.pending.clear();
                bg.requests.clear();
                // SAFETY: called between TBs; the maps, jump cache and cells
                // that point at the worker's code are cleared just below,
                // before anything runs again.
                unsafe { bg.worker.flush() };
                self.cells.reset();
                self.exits.clear();
                self.tbs.clear();
                self.by_page.clear();
                self.hot.clear();
                self.clear_jc();
                icache.clear_heat();
                return;
            }
        }
        for (tb, code) in ready {
            icache.mark_compiled(GuestPhysAddr(tb.key.ppc));
            self.insert_tb(tb, code);
        }
    }
}

/// The chaining cells of `jit::translate::TbSource::cells`: a fixed arena
/// (never reallocated, so addresses stay valid), handed out two per TB and
/// zeroed all at once when the code is flushed. Generated code writes a
/// cell only with the entry of a live TB on the same guest page as the
/// cell's owner, so a cell can only point at code that dies with its owner.
struct Cells {
    mem: Vec<u64>,
    next: usize,
}

const CELLS: usize = 1 << 16;

impl Cells {
    fn new() -> Cells {
        Cells {
            mem: vec![0; CELLS],
            next: 0,
        }
    }

    /// Two fresh cells, or none (zeros) when the arena is used up.
    fn alloc(&mut self) -> [u64; 2] {
        if self.next + 2 > self.mem.len() {
            return [0, 0];
        }
        let base = self.mem.as_mut_ptr() as u64 + 8 * self.next as u64;
        self.next += 2;
        [base, base + 8]
    }

    fn reset(&mut self) {
        self.mem.fill(0);
        self.next = 0;
    }

    /// Empties two cells handed out by `alloc` (generated code then looks
    /// its successor up in the jump cache again).
    fn unlink(&mut self, cells: [u64; 2]) {
        let base = self.mem.as_ptr() as u64;
        for c in cells {
            if c != 0 {
                self.mem[((c - base) / 8) as usize] = 0;
            }
        }
    }
}

/// The tiered engine's background compilation state.
struct Background {
    worker: CompileWorker,
    /// Submitted compilations: id -> (TB, page epoch at submission).
    pending: HashMap<u64, (PageTb, u64)>,
    /// Hot blocks waiting for the worker: (key, page epoch when it turned hot).
    requests: Vec<(TbKey, u64)>,
    next_id: u64,
    /// The worker's code generation (bumped with each flush request).
    generation: u64,
    footprint_at_flush: usize,
}

/// What generated code reads of `idx`'s fast TLB table (its mask
/// pre-scaled to entry bytes, see `TlbView::mask`).
fn jit_view(mmu: &Mmu, idx: MmuIdx) -> TlbView {
    let t = mmu.tlb_view(idx);
    TlbView {
        base: t.base,
        mask: t.mask << jit::ctx::offsets::ENTRY_SIZE_LOG2,
    }
}

fn interpret_one(icache: &mut DecodeCache, hart: &mut Hart, mmu: &mut Mmu) -> Lookup {
    let (k, r) = icache.run(hart, mmu, 1);
    Lookup::Ran(k, r)
}

enum Lookup {
    Code(TbCode),
    /// The interpreter ran this many instructions instead.
    Ran(u64, Flow),
}

/// `page`'s entry of `JitEngine::page_epochs` (0 when never written).
fn epoch_of(epochs: &HashMap<u64, u64>, page: u64) -> u64 {
    epochs.get(&page).copied().unwrap_or(0)
}

/// Collects the instructions of the TB starting at `pc` (physical `pa`):
/// up to a control transfer or interpreter-only instruction (included), the
/// page end, or `MAX_TB_INSNS`. `None` when the first instruction
/// straddles the page end.
fn form_tb(
    mmu: &mut Mmu,
    pc: u64,
    pa: GuestPhysAddr,
    fetch_idx: MmuIdx,
    data_idx: MmuIdx,
    fp_dirty: bool,
) -> Option<TbSource> {
    let page_end = (pa.0 & PAGE_MASK) + (1 << 12);
    let mut insns = Vec::new();
    let mut p = pa.0;
    while insns.len() < MAX_TB_INSNS {
        if p + 2 > page_end {
            break;
        }
        let lo = mmu.space.read(GuestPhysAddr(p), 2).ok()? as u32;
        let raw = if lo & 3 == 3 {
            if p + 4 > page_end {
                break;
            }
            mmu.space.read(GuestPhysAddr(p), 4).ok()? as u32
        } else {
            lo
        };
        let d = decode(raw);
        p += d.len as u64;
        insns.push(d);
        if ends_block(&d) {
            break;
        }
    }
    (!insns.is_empty()).then_some(TbSource {
        pc: GuestVirtAddr(pc),
        insns,
        cells: [0, 0],
        data_idx: data_idx.idx(),
        fetch_idx: fetch_idx.idx(),
        fp_dirty,
        more: Vec::new(),
        prof: None,
        exits: None,
    })
}

/// The TB of `key` as its code reads now ([`form_tb`]).
fn form_tb_of(mmu: &mut Mmu, key: TbKey) -> Option<TbSource> {
    form_tb(
        mmu,
        key.vpc,
        GuestPhysAddr(key.ppc),
        MmuIdx(key.fetch_idx),
        MmuIdx(key.data_idx),
        key.fp_dirty,
    )
}

/// Where a TB cut at the size limit goes on, when that is on its page.
fn size_cut_continuation(src: &TbSource) -> Option<u64> {
    let last = src.insns.last()?;
    if src.insns.len() < MAX_TB_INSNS || ends_block(last) {
        return None;
    }
    let next = src
        .pc
        .0
        .wrapping_add(src.insns.iter().map(|d| d.len as u64).sum());
    (next & PAGE_MASK == src.pc.0 & PAGE_MASK).then_some(next)
}

/// The counters `--profile` compiles into generated code
/// (`jit::translate::TbProfile`). Generated code adds to them while it
/// runs (on the hart's thread, through the addresses handed out here:
/// the boxes never move and live as long as the engine); the engine reads
/// them only between runs.
struct JitProfile {
    /// Fast-path hits per main-RAM page: reads, writes.
    pages: Box<[AtomicU64]>,
    ram_base: u64,
    ram_host: u64,
    tbs: Vec<ProfTb>,
}

/// One compiled TB's counters and what they count.
struct ProfTb {
    /// Three per guest instruction, in `TbProfile`'s order.
    counters: Box<[AtomicU64]>,
    /// The TB's guest instructions in the same order: pc, instruction,
    /// whether it starts a guest block.
    insns: Vec<(u64, Decoded, bool)>,
    data_idx: usize,
    tier: crate::profile::Tier,
}

impl JitProfile {
    fn counters_for(&mut self, src: &TbSource) -> jit::translate::TbProfile {
        let mut insns = Vec::new();
        let blocks = std::iter::once((src.pc.0, &src.insns))
            .chain(src.more.iter().map(|b| (b.pc, &b.insns)));
        for (pc, block) in blocks {
            let mut pc = pc;
            for (i, d) in block.iter().enumerate() {
                insns.push((pc, *d, i == 0));
                pc = pc.wrapping_add(d.len as u64);
            }
        }
        let counters: Box<[AtomicU64]> = (0..3 * insns.len()).map(|_| AtomicU64::new(0)).collect();
        let prof = jit::translate::TbProfile {
            counters: counters.as_ptr() as u64,
            pages: self.pages.as_ptr() as u64,
            ram_host: self.ram_host,
        };
        self.tbs.push(ProfTb {
            counters,
            insns,
            data_idx: src.data_idx,
            tier: if src.more.is_empty() {
                crate::profile::Tier::Jit
            } else {
                crate::profile::Tier::Region
            },
        });
        prof
    }

    /// Moves the counts into the profile (and zeroes them); returns the
    /// entries of TBs' first blocks.
    fn take(
        &mut self,
        code: &mut crate::profile::CodeProfile,
        mem: &mut softmmu::profile::MemProfile,
        tlb_hits: &mut [u64; NUM_MMU_IDX],
    ) -> u64 {
        use softmmu::AccessType;
        let take = |c: &AtomicU64| c.swap(0, Ordering::Relaxed);
        let mut first_entries = 0;
        for tb in &self.tbs {
            // Runs of the instruction: its block's entries less the exits
            // after an earlier instruction of the block.
            let mut entries = 0;
            for (k, &(pc, d, start)) in tb.insns.iter().enumerate() {
                if start {
                    entries = take(&tb.counters[3 * k]);
                    if k == 0 {
                        first_entries += entries;
                    }
                    let len = tb.insns[k + 1..]
                        .iter()
                        .position(|i| i.2)
                        .map_or(tb.insns.len() - k, |n| n + 1);
                    code.add_block(tb.tier, pc, len as u64, entries);
                }
                code.add_insn(tb.tier, pc, d.raw, entries);
                entries = entries.saturating_sub(take(&tb.counters[3 * k + 2]));
                let hits = take(&tb.counters[3 * k + 1]);
                let access = match d.insn {
                    Insn::Store { .. } | Insn::FStore { .. } => AccessType::Write,
                    _ => AccessType::Read,
                };
                mem.add_fast_pc(pc, access, hits);
                tlb_hits[tb.data_idx] += hits;
            }
        }
        for (i, c) in self.pages.chunks(2).enumerate() {
            let page = self.ram_base + i as u64 * softmmu::tlb::PAGE_SIZE;
            mem.add_page(page, AccessType::Read, take(&c[0]));
            mem.add_page(page, AccessType::Write, take(&c[1]));
        }
        first_entries
    }
}

//! The fast interpreter (the `interp` engine): the decoded-instruction cache and the hot loop.
//!
//! Each main-RAM page that the hart executes from gets an array of slots, one
//! per 2-byte position, filled lazily with the decoded instruction and its
//! flat form (`fastops::Op`). The cache remembers the page the pc is on
//! (virtual page, MMU index and TLB generation), so code that stays on one
//! page runs without any TLB lookup or decoding. Each decoded instruction's
//! bytes are marked as code in softmmu; a write that overlaps one
//! (self-modifying code, a loader in the guest) ends [`DecodeCache::run`]:
//! the owner of the run loop drains the writes (`Mmu::take_dirty_code`) and
//! hands them to every engine's cache ([`DecodeCache::invalidate`], the
//! JIT's), which drop exactly the instructions the writes overlapped, before
//! anything runs again. Writes next to code on the same page cost a slow-path
//! store and nothing else.
//!
//! Code outside main RAM (the boot ROM) and 32-bit instructions straddling
//! a page boundary are fetched and decoded on every execution.
//!
//! [`DecodeCache::run`] leaves its loop whenever something may need the
//! execution loop's attention: a trap, a CSR or system instruction (which can
//! change privilege, translation or interrupt enables), a device access, or
//! `wfi`. Interrupts are therefore checked before the next instruction in
//! every case where one could have become pending.

use rustc_hash::FxHashMap as HashMap;

use frontend_riscv::{decode, Decoded, Insn};
use softmmu::tlb::{PAGE_MASK, PAGE_SIZE};
use softmmu::{CodeWrite, GuestPhysAddr, GuestVirtAddr, Mmu, MmuIdx};

use super::fastops::{lower, Op};
use super::reference::{self, alu, alu32, sign_extend, unary};
use super::Flow;
use crate::hart::walk::Walker;
use crate::hart::{Exception, Hart};

const SLOTS: usize = 2048;

#[derive(Clone, Copy)]
struct Slot {
    op: Op,
    d: Decoded,
}

/// A slot's `heat` when the JIT has code starting at its address.
const COMPILED: u16 = u16::MAX;
const _: () = assert!(std::mem::size_of::<Slot>() == 32);

/// Entries of the recently entered pages cache (direct-mapped by virtual page).
const RECENT: usize = 32;

const EMPTY: Slot = Slot {
    op: Op::Empty,
    d: Decoded {
        insn: Insn::Illegal,
        raw: 0,
        len: 0,
    },
};

struct Page {
    pa_page: u64,
    slots: Box<[Slot; SLOTS]>,
    /// Per slot: the tier-up count of the block starting there (tiered
    /// engine), or [`COMPILED`]: compiled code starts there.
    heat: Box<[u16; SLOTS]>,
    /// Decoded slots.
    live: u16,
}

/// The page the pc is on, valid while the TLB generation is unchanged.
#[derive(Clone, Copy)]
struct Current {
    va_page: u64,
    idx: MmuIdx,
    generation: u64,
    /// Index into `pages`, or `None` for uncacheable code (not main RAM).
    page: Option<usize>,
}

/// Counters of the decoded-instruction cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ICacheStats {
    pub decoded: u64,
    /// Page changes that needed a translation (not in the recent-pages cache).
    pub page_entries: u64,
    /// Decoded instructions dropped because a write overlapped them.
    pub invalidated_insns: u64,
    /// Block starts counted for tier-up (tiered engine).
    pub blocks: u64,
}

/// Why a tiered run stopped early (see [`DecodeCache::run_tiered`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierEvent {
    /// The block at the hart's pc reached the threshold: compile it.
    Hot {
        pa: GuestPhysAddr,
        fetch_idx: MmuIdx,
    },
    /// Compiled code starts at the hart's pc.
    Compiled,
}

#[derive(Default)]
pub struct DecodeCache {
    pages: Vec<Page>,
    free: Vec<usize>,
    by_phys: HashMap<u64, usize>,
    current: Option<Current>,
    /// Pages entered recently, so a call to another page and the return
    /// need no translation (valid under the same rules as `current`).
    recent: [Option<Current>; RECENT],
    tier_event: Option<TierEvent>,
    pub stats: ICacheStats,
    /// `--profile`: executions per instruction.
    prof: Option<Box<InterpProfile>>,
}

/// What the decode cache counts for `--profile`.
#[derive(Default)]
struct InterpProfile {
    /// Per (virtual page, physical page): executions per 2-byte slot.
    pages: HashMap<(u64, u64), Box<[u64; SLOTS]>>,
    /// Instructions run one at a time (code outside main RAM, a 32-bit
    /// instruction straddling a page end), per virtual pc.
    single: HashMap<u64, u64>,
}

/// Reads integer register `r` (the mask lets the compiler drop the bounds check).
#[inline(always)]
fn rx(hart: &Hart, r: u8) -> u64 {
    hart.state.x[(r & 31) as usize]
}

#[inline(always)]
fn wx(hart: &mut Hart, r: u8, v: u64) {
    if r != 0 {
        hart.state.x[(r & 31) as usize] = v;
    }
}

#[inline(always)]
fn slot_index(addr: u64) -> usize {
    ((addr & !PAGE_MASK) >> 1) as usize & (SLOTS - 1)
}

/// A boxed `[T; SLOTS]` of `v`, written directly on the heap.
fn boxed_array<T: Copy>(v: T) -> Box<[T; SLOTS]> {
    match vec![v; SLOTS].into_boxed_slice().try_into() {
        Ok(a) => a,
        Err(_) => unreachable!("a vec of SLOTS elements"),
    }
}

#[inline(always)]
fn recent_index(va: u64) -> usize {
    (va >> 12) as usize & (RECENT - 1)
}

/// Counts one execution of the block whose heat is `h`; says why a tiered
/// run must stop before it, if it must. `request`: a block turning hot
/// here asks to be compiled (not at a branch's fall-through, whose count
/// only guides region formation: requesting those too doubled the
/// requests dropped from the full queue on the Linux boot, 28,000 against
/// 13,500, for the same wall time).
#[inline(always)]
fn count_block(
    h: &mut u16,
    threshold: u16,
    pa: GuestPhysAddr,
    fetch_idx: MmuIdx,
    stats: &mut ICacheStats,
    request: bool,
) -> Option<TierEvent> {
    stats.blocks += 1;
    if *h == COMPILED {
        return Some(TierEvent::Compiled);
    }
    // A fall-through's count stops short of the threshold, so a block
    // start reaching the block later still turns it hot (exactly once).
    let cap = if request { COMPILED - 1 } else { threshold - 1 };
    if *h < cap {
        *h += 1;
    }
    (request && *h == threshold).then_some(TierEvent::Hot { pa, fetch_idx })
}

impl DecodeCache {
    /// Executes about `budget` instructions: the budget is checked at control
    /// transfers and page changes only, so a run may exceed it by up to one
    /// page of straight-line code (2048 instructions). Returns how many ran
    /// (including one that trapped) and why the loop stopped
    /// (`Flow::Next` when the budget ran out).
    pub fn run(&mut self, hart: &mut Hart, mmu: &mut Mmu, budget: u64) -> (u64, Flow) {
        if self.prof.is_some() {
            return self.run_profiled(hart, mmu, budget, 0, false, false);
        }
        self.run_impl::<false, false>(hart, mmu, budget, 0, false)
    }

    /// The hot loop with `--profile`'s counting: out of line, so the plain
    /// loop is inlined into `run` and `run_tiered` as before (with both in
    /// one function, LLVM inlined neither: the interpreter lost 5-15%).
    #[inline(never)]
    fn run_profiled(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        budget: u64,
        threshold: u16,
        count_start: bool,
        tier: bool,
    ) -> (u64, Flow) {
        if tier {
            self.run_impl::<true, true>(hart, mmu, budget, threshold, count_start)
        } else {
            self.run_impl::<false, true>(hart, mmu, budget, threshold, count_start)
        }
    }

    /// Counts every instruction executed from now on (`--profile`).
    pub fn enable_profile(&mut self) {
        self.prof.get_or_insert_with(Default::default);
    }

    /// Moves the executions counted so far into `code` (tier `interp`),
    /// reading each instruction's bits from guest memory.
    pub fn take_profile(&mut self, code: &mut crate::profile::CodeProfile, mmu: &mut Mmu) {
        let Some(p) = self.prof.as_mut() else { return };
        let tier = crate::profile::Tier::Interp;
        for ((va_page, pa_page), counts) in p.pages.drain() {
            for (i, &n) in counts.iter().enumerate().filter(|(_, &n)| n != 0) {
                let off = 2 * i as u64;
                let pa = GuestPhysAddr(pa_page + off);
                let lo = mmu.space.read(pa, 2).unwrap_or(0) as u32;
                let raw = if lo & 3 == 3 && off + 4 <= PAGE_SIZE {
                    mmu.space.read(pa, 4).unwrap_or(0) as u32
                } else {
                    lo
                };
                code.add_insn(tier, va_page + off, raw, n);
            }
        }
        for (pc, n) in p.single.drain() {
            code.add_insn(tier, pc, 0, n);
        }
    }

    /// [`DecodeCache::run`] as tier 0 of the tiered engine: every block
    /// start reached by a control transfer (or after an instruction that
    /// leaves the hot loop) counts one execution of that block; the run
    /// stops with `Flow::Next` and a [`TierEvent`] (see
    /// [`DecodeCache::take_tier_event`]) before a block whose count reaches
    /// `threshold` or that has compiled code. The pc the run starts at
    /// counts too when `count_start` is set (a caller that found no code
    /// for it clears it).
    pub fn run_tiered(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        budget: u64,
        threshold: u16,
        count_start: bool,
    ) -> (u64, Flow) {
        let threshold = threshold.clamp(1, COMPILED - 1);
        if self.prof.is_some() {
            return self.run_profiled(hart, mmu, budget, threshold, count_start, true);
        }
        self.run_impl::<true, false>(hart, mmu, budget, threshold, count_start)
    }

    /// Why the last [`DecodeCache::run_tiered`] stopped early, if it did.
    pub fn take_tier_event(&mut self) -> Option<TierEvent> {
        self.tier_event.take()
    }

    /// Marks physical `pa` as the start of compiled code: tiered runs stop
    /// before it.
    pub fn mark_compiled(&mut self, pa: GuestPhysAddr) {
        let pa_page = pa.0 & PAGE_MASK;
        let i = match self.by_phys.get(&pa_page) {
            Some(&i) => i,
            None => self.alloc(pa_page),
        };
        self.pages[i].heat[slot_index(pa.0)] = COMPILED;
    }

    /// Raises the tier-up count of the block at physical `pa` to at least
    /// `heat` (a block requested for compiling with the one before it).
    pub fn warm(&mut self, pa: GuestPhysAddr, heat: u16) {
        let pa_page = pa.0 & PAGE_MASK;
        let i = match self.by_phys.get(&pa_page) {
            Some(&i) => i,
            None => self.alloc(pa_page),
        };
        let h = &mut self.pages[i].heat[slot_index(pa.0)];
        if *h != COMPILED {
            *h = (*h).max(heat.min(COMPILED - 1));
        }
    }

    /// Whether compiled code starts at physical `pa`.
    pub fn compiled_at(&self, pa: GuestPhysAddr) -> bool {
        self.heat(pa) == COMPILED
    }

    /// The tier-up count of the block at physical `pa` (0 if unknown).
    pub fn heat(&self, pa: GuestPhysAddr) -> u16 {
        self.by_phys
            .get(&(pa.0 & PAGE_MASK))
            .map_or(0, |&i| self.pages[i].heat[slot_index(pa.0)])
    }

    /// Sets the tier-up count of the block at physical `pa` back to 0 (a
    /// compile request that was dropped).
    pub fn cool(&mut self, pa: GuestPhysAddr) {
        if let Some(h) = self.heat_mut(pa).filter(|h| **h != COMPILED) {
            *h = 0;
        }
    }

    fn heat_mut(&mut self, pa: GuestPhysAddr) -> Option<&mut u16> {
        let i = *self.by_phys.get(&(pa.0 & PAGE_MASK))?;
        Some(&mut self.pages[i].heat[slot_index(pa.0)])
    }

    /// Forgets every tier-up count and compiled mark (the JIT's code was flushed).
    pub fn clear_heat(&mut self) {
        for p in &mut self.pages {
            p.heat.fill(0);
        }
    }

    #[inline(always)]
    fn run_impl<const TIER: bool, const PROF: bool>(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        budget: u64,
        threshold: u16,
        count_start: bool,
    ) -> (u64, Flow) {
        debug_assert!(
            !mmu.has_dirty_code(),
            "code writes must be drained and fanned out before the interpreter runs"
        );
        let mut n = 0u64;
        // `n` when `instret`/`cycle` were last brought up to date: the
        // instructions since then completed in the hot loop, except one
        // that trapped or retires itself (`retire_before!(1)`).
        let mut synced = 0u64;
        macro_rules! retire_before {
            ($pending:expr) => {{
                hart.csr.retire_n(n - $pending - synced);
                synced = n;
            }};
        }
        // The pc is a block start to count (tiered): reached by a control
        // transfer to another page or after an instruction that left the
        // hot loop.
        let mut block_start = count_start;
        let stop = 'outer: loop {
            if n >= budget {
                break Flow::Next;
            }
            let pc = hart.state.pc;
            let idx = hart.fetch_idx();
            let generation = mmu.generation();
            let hit = |c: &Option<Current>| {
                c.filter(|c| {
                    c.va_page == pc & PAGE_MASK && c.idx == idx && c.generation == generation
                })
            };
            let cur = match hit(&self.current) {
                Some(c) => c,
                None => match hit(&self.recent[recent_index(pc)]) {
                    Some(c) => {
                        self.current = Some(c);
                        c
                    }
                    None => match self.enter_page(hart, mmu, pc, idx) {
                        Ok(c) => c,
                        Err(e) => {
                            n += 1;
                            retire_before!(1);
                            hart.raise(e);
                            break Flow::StateChanged;
                        }
                    },
                },
            };
            let Some(page) = cur.page else {
                // Uncached code: one instruction through the reference path.
                if PROF {
                    if let Some(p) = self.prof.as_mut() {
                        *p.single.entry(pc).or_default() += 1;
                    }
                }
                n += 1;
                retire_before!(1);
                match self.reference_step(hart, mmu, None) {
                    Some(r) => break r,
                    None => continue,
                }
            };
            // Privilege and mstatus only change in `Generic` instructions and
            // traps, which leave this loop.
            let didx = hart.data_idx();
            // Within one page. Sequential flow cannot leave the page: an
            // instruction that ends at the page end is lowered to `Generic`,
            // which goes back through the page check. Control transfers
            // check page and budget themselves.
            // The pc lives in a local inside this loop and is written back
            // to the hart at every exit and before anything that reads it.
            let mut pc = hart.state.pc;
            let pa_page = self.pages[page].pa_page;
            if TIER && std::mem::take(&mut block_start) {
                let h = &mut self.pages[page].heat[slot_index(pc)];
                let pa = GuestPhysAddr(pa_page | (pc & !PAGE_MASK));
                if let Some(e) = count_block(h, threshold, pa, cur.idx, &mut self.stats, true) {
                    self.tier_event = Some(e);
                    break Flow::Next;
                }
            }
            // `--profile`: this page's execution counts.
            let mut counts: Option<&mut [u64; SLOTS]> = if PROF {
                self.prof.as_mut().map(|p| {
                    &mut **p
                        .pages
                        .entry((pc & PAGE_MASK, pa_page))
                        .or_insert_with(|| Box::new([0; SLOTS]))
                })
            } else {
                None
            };
            let Page { slots, heat, .. } = &mut self.pages[page];
            // Plain references to the arrays, so the loop keeps their
            // addresses in registers instead of reloading the boxes.
            let slots: &[Slot; SLOTS] = slots;
            let heat: &mut [u16; SLOTS] = heat;
            // What made the hot loop below stop without leaving `run`.
            enum Leave {
                Generic(Decoded),
                Decode,
            }
            let leave = loop {
                let slot = &slots[slot_index(pc)];
                n += 1;
                if PROF {
                    if let Some(c) = counts.as_deref_mut() {
                        c[slot_index(pc)] += 1;
                    }
                }
                // Tiered: counts a run of the block starting at `pc` (on
                // this page) and stops before it if it turned hot or has code.
                macro_rules! count {
                    ($request:expr) => {{
                        if TIER {
                            let h = &mut heat[slot_index(pc)];
                            let pa = GuestPhysAddr(pa_page | (pc & !PAGE_MASK));
                            let stats = &mut self.stats;
                            if let Some(e) = count_block(h, threshold, pa, cur.idx, stats, $request)
                            {
                                self.tier_event = Some(e);
                                hart.state.pc = pc;
                                break 'outer Flow::Next;
                            }
                        }
                    }};
                }
                macro_rules! jump {
                    ($target:expr) => {{
                        let target: u64 = $target;
                        let new_page = (target ^ pc) & PAGE_MASK != 0;
                        pc = target;
                        if new_page || n >= budget {
                            hart.state.pc = pc;
                            block_start = true;
                            continue 'outer;
                        }
                        count!(true);
                        continue;
                    }};
                }
                // Every macro below takes the instruction's length `$len`
                // as a constant of its arm: the next pc is `pc + $len`
                // without waiting for a load from the slot.
                macro_rules! branch {
                    ($len:expr, $cond:expr, $off:expr) => {{
                        if $cond {
                            jump!(pc.wrapping_add($off as i64 as u64))
                        }
                        // The fall-through is a block start too (the JIT's
                        // TBs end at branches): its count is the not-taken
                        // edge's, which region formation reads.
                        pc = pc.wrapping_add($len);
                        count!(false);
                    }};
                }
                macro_rules! load {
                    ($len:expr, $rd:expr, $rs1:expr, $off:expr, $size:expr, $signed:expr) => {{
                        let va = GuestVirtAddr(rx(hart, $rs1).wrapping_add($off as i64 as u64));
                        if PROF {
                            mmu.set_profile_pc(pc);
                        }
                        match mmu.load(&mut Walker::new(hart), didx, va, $size) {
                            Ok(v) => {
                                wx(hart, $rd, if $signed { sign_extend(v, $size) } else { v });
                                pc = pc.wrapping_add($len);
                            }
                            Err(e) => {
                                hart.state.pc = pc;
                                retire_before!(1);
                                hart.raise(e.into());
                                break 'outer Flow::StateChanged;
                            }
                        }
                        if mmu.device_touched() {
                            hart.state.pc = pc;
                            break 'outer Flow::StateChanged;
                        }
                    }};
                }
                macro_rules! store {
                    ($len:expr, $rs1:expr, $rs2:expr, $off:expr, $size:expr) => {{
                        let va = GuestVirtAddr(rx(hart, $rs1).wrapping_add($off as i64 as u64));
                        let v = rx(hart, $rs2);
                        if PROF {
                            mmu.set_profile_pc(pc);
                        }
                        if let Err(e) = mmu.store(&mut Walker::new(hart), didx, va, $size, v) {
                            hart.state.pc = pc;
                            retire_before!(1);
                            hart.raise(e.into());
                            break 'outer Flow::StateChanged;
                        }
                        pc = pc.wrapping_add($len);
                        if mmu.has_dirty_code() {
                            // A write into code: the run loop drains it
                            // and invalidates every engine's cache.
                            hart.state.pc = pc;
                            break 'outer Flow::Next;
                        }
                        if mmu.device_touched() {
                            hart.state.pc = pc;
                            break 'outer Flow::StateChanged;
                        }
                    }};
                }
                macro_rules! alu {
                    ($len:expr, $rd:expr, $v:expr) => {{
                        let v: u64 = $v;
                        wx(hart, $rd, v);
                        pc = pc.wrapping_add($len);
                    }};
                }
                macro_rules! link_jump {
                    ($len:expr, $rd:expr, $target:expr) => {{
                        let target: u64 = $target;
                        wx(hart, $rd, pc.wrapping_add($len));
                        jump!(target)
                    }};
                }
                let imm = |i: i32| i as i64 as u64;
                match slot.op {
                    Op::Addi { rd, rs1, imm: i } => alu!(4, rd, rx(hart, rs1).wrapping_add(imm(i))),
                    Op::CAddi { rd, rs1, imm: i } => {
                        alu!(2, rd, rx(hart, rs1).wrapping_add(imm(i)))
                    }
                    Op::Andi { rd, rs1, imm: i } => alu!(4, rd, rx(hart, rs1) & imm(i)),
                    Op::CAndi { rd, rs1, imm: i } => alu!(2, rd, rx(hart, rs1) & imm(i)),
                    Op::Ori { rd, rs1, imm: i } => alu!(4, rd, rx(hart, rs1) | imm(i)),
                    Op::Xori { rd, rs1, imm: i } => alu!(4, rd, rx(hart, rs1) ^ imm(i)),
                    Op::Slli { rd, rs1, imm: i } => alu!(4, rd, rx(hart, rs1) << (i & 63)),
                    Op::CSlli { rd, rs1, imm: i } => alu!(2, rd, rx(hart, rs1) << (i & 63)),
                    Op::Srli { rd, rs1, imm: i } => alu!(4, rd, rx(hart, rs1) >> (i & 63)),
                    Op::CSrli { rd, rs1, imm: i } => alu!(2, rd, rx(hart, rs1) >> (i & 63)),
                    Op::Srai { rd, rs1, imm: i } => {
                        alu!(4, rd, ((rx(hart, rs1) as i64) >> (i & 63)) as u64)
                    }
                    Op::CSrai { rd, rs1, imm: i } => {
                        alu!(2, rd, ((rx(hart, rs1) as i64) >> (i & 63)) as u64)
                    }
                    Op::Addiw { rd, rs1, imm: i } => {
                        alu!(4, rd, (rx(hart, rs1) as i32).wrapping_add(i) as i64 as u64)
                    }
                    Op::CAddiw { rd, rs1, imm: i } => {
                        alu!(2, rd, (rx(hart, rs1) as i32).wrapping_add(i) as i64 as u64)
                    }
                    Op::AluImm {
                        op,
                        rd,
                        rs1,
                        imm: i,
                    } => alu!(4, rd, alu(op, rx(hart, rs1), imm(i))),
                    Op::AluImm32 {
                        op,
                        rd,
                        rs1,
                        imm: i,
                    } => alu!(4, rd, alu32(op, rx(hart, rs1), imm(i))),
                    Op::Add { rd, rs1, rs2 } => {
                        alu!(4, rd, rx(hart, rs1).wrapping_add(rx(hart, rs2)))
                    }
                    Op::CAdd { rd, rs1, rs2 } => {
                        alu!(2, rd, rx(hart, rs1).wrapping_add(rx(hart, rs2)))
                    }
                    Op::Sub { rd, rs1, rs2 } => {
                        alu!(4, rd, rx(hart, rs1).wrapping_sub(rx(hart, rs2)))
                    }
                    Op::CSub { rd, rs1, rs2 } => {
                        alu!(2, rd, rx(hart, rs1).wrapping_sub(rx(hart, rs2)))
                    }
                    Op::And { rd, rs1, rs2 } => alu!(4, rd, rx(hart, rs1) & rx(hart, rs2)),
                    Op::CAnd { rd, rs1, rs2 } => alu!(2, rd, rx(hart, rs1) & rx(hart, rs2)),
                    Op::Or { rd, rs1, rs2 } => alu!(4, rd, rx(hart, rs1) | rx(hart, rs2)),
                    Op::COr { rd, rs1, rs2 } => alu!(2, rd, rx(hart, rs1) | rx(hart, rs2)),
                    Op::Xor { rd, rs1, rs2 } => alu!(4, rd, rx(hart, rs1) ^ rx(hart, rs2)),
                    Op::CXor { rd, rs1, rs2 } => alu!(2, rd, rx(hart, rs1) ^ rx(hart, rs2)),
                    Op::Sll { rd, rs1, rs2 } => alu!(4, rd, rx(hart, rs1) << (rx(hart, rs2) & 63)),
                    Op::Srl { rd, rs1, rs2 } => alu!(4, rd, rx(hart, rs1) >> (rx(hart, rs2) & 63)),
                    Op::Sltu { rd, rs1, rs2 } => {
                        alu!(4, rd, (rx(hart, rs1) < rx(hart, rs2)) as u64)
                    }
                    Op::Mul { rd, rs1, rs2 } => {
                        alu!(4, rd, rx(hart, rs1).wrapping_mul(rx(hart, rs2)))
                    }
                    Op::Addw { rd, rs1, rs2 } => alu!(
                        4,
                        rd,
                        (rx(hart, rs1) as i32).wrapping_add(rx(hart, rs2) as i32) as i64 as u64
                    ),
                    Op::CAddw { rd, rs1, rs2 } => alu!(
                        2,
                        rd,
                        (rx(hart, rs1) as i32).wrapping_add(rx(hart, rs2) as i32) as i64 as u64
                    ),
                    Op::Alu { op, rd, rs1, rs2 } => {
                        alu!(4, rd, alu(op, rx(hart, rs1), rx(hart, rs2)))
                    }
                    Op::Alu32 { op, rd, rs1, rs2 } => {
                        alu!(4, rd, alu32(op, rx(hart, rs1), rx(hart, rs2)))
                    }
                    Op::Subw { rd, rs1, rs2 } => alu!(
                        4,
                        rd,
                        (rx(hart, rs1) as i32).wrapping_sub(rx(hart, rs2) as i32) as i64 as u64
                    ),
                    Op::CSubw { rd, rs1, rs2 } => alu!(
                        2,
                        rd,
                        (rx(hart, rs1) as i32).wrapping_sub(rx(hart, rs2) as i32) as i64 as u64
                    ),
                    Op::Slliw { rd, rs1, imm: i } => {
                        alu!(
                            4,
                            rd,
                            ((rx(hart, rs1) as u32) << (i & 31)) as i32 as i64 as u64
                        )
                    }
                    Op::Srliw { rd, rs1, imm: i } => {
                        alu!(
                            4,
                            rd,
                            ((rx(hart, rs1) as u32) >> (i & 31)) as i32 as i64 as u64
                        )
                    }
                    Op::Sraiw { rd, rs1, imm: i } => {
                        alu!(4, rd, ((rx(hart, rs1) as i32) >> (i & 31)) as i64 as u64)
                    }
                    Op::Unary { op, rd, rs1 } => alu!(4, rd, unary(op, rx(hart, rs1))),
                    Op::Lui { rd, imm: i } => alu!(4, rd, imm(i)),
                    Op::CLui { rd, imm: i } => alu!(2, rd, imm(i)),
                    Op::Auipc { rd, imm: i } => alu!(4, rd, pc.wrapping_add(imm(i))),
                    Op::Jal { rd, off } => link_jump!(4, rd, pc.wrapping_add(imm(off))),
                    Op::CJal { rd, off } => link_jump!(2, rd, pc.wrapping_add(imm(off))),
                    Op::Jalr { rd, rs1, off } => {
                        link_jump!(4, rd, rx(hart, rs1).wrapping_add(imm(off)) & !1)
                    }
                    Op::CJalr { rd, rs1, off } => {
                        link_jump!(2, rd, rx(hart, rs1).wrapping_add(imm(off)) & !1)
                    }
                    Op::Beq { rs1, rs2, off } => branch!(4, rx(hart, rs1) == rx(hart, rs2), off),
                    Op::CBeq { rs1, rs2, off } => branch!(2, rx(hart, rs1) == rx(hart, rs2), off),
                    Op::Bne { rs1, rs2, off } => branch!(4, rx(hart, rs1) != rx(hart, rs2), off),
                    Op::CBne { rs1, rs2, off } => branch!(2, rx(hart, rs1) != rx(hart, rs2), off),
                    Op::Blt { rs1, rs2, off } => {
                        branch!(4, (rx(hart, rs1) as i64) < (rx(hart, rs2) as i64), off)
                    }
                    Op::Bge { rs1, rs2, off } => {
                        branch!(4, (rx(hart, rs1) as i64) >= (rx(hart, rs2) as i64), off)
                    }
                    Op::Bltu { rs1, rs2, off } => branch!(4, rx(hart, rs1) < rx(hart, rs2), off),
                    Op::Bgeu { rs1, rs2, off } => branch!(4, rx(hart, rs1) >= rx(hart, rs2), off),
                    Op::Ld { rd, rs1, off } => load!(4, rd, rs1, off, 8, false),
                    Op::CLd { rd, rs1, off } => load!(2, rd, rs1, off, 8, false),
                    Op::Lw { rd, rs1, off } => load!(4, rd, rs1, off, 4, true),
                    Op::CLw { rd, rs1, off } => load!(2, rd, rs1, off, 4, true),
                    Op::Lbu { rd, rs1, off } => load!(4, rd, rs1, off, 1, false),
                    Op::Lhu { rd, rs1, off } => load!(4, rd, rs1, off, 2, false),
                    Op::Lwu { rd, rs1, off } => load!(4, rd, rs1, off, 4, false),
                    Op::Load { op, rd, rs1, off } => load!(4, rd, rs1, off, op.size(), op.signed()),
                    Op::Sd { rs1, rs2, off } => store!(4, rs1, rs2, off, 8),
                    Op::CSd { rs1, rs2, off } => store!(2, rs1, rs2, off, 8),
                    Op::Sw { rs1, rs2, off } => store!(4, rs1, rs2, off, 4),
                    Op::CSw { rs1, rs2, off } => store!(2, rs1, rs2, off, 4),
                    Op::Store { op, rs1, rs2, off } => store!(4, rs1, rs2, off, op.size()),
                    Op::Generic => break Leave::Generic(slot.d),
                    Op::Empty => break Leave::Decode,
                }
            };
            match leave {
                Leave::Generic(d) => {
                    hart.state.pc = pc;
                    retire_before!(1);
                    match self.reference_step(hart, mmu, Some(d)) {
                        Some(r) => break 'outer r,
                        None => {
                            block_start = true;
                            continue 'outer;
                        }
                    }
                }
                Leave::Decode => {
                    n -= 1;
                    if let (true, Some(c)) = (PROF, counts) {
                        // Not executed yet: counted again once decoded.
                        c[slot_index(pc)] -= 1;
                    }
                    hart.state.pc = pc;
                    let off = (pc & !PAGE_MASK) as usize;
                    if self.decode_slot(mmu, page, off).is_none() {
                        // A 32-bit instruction straddling the page end.
                        if let Some(p) = self.prof.as_mut() {
                            *p.single.entry(pc).or_default() += 1;
                        }
                        n += 1;
                        retire_before!(1);
                        match self.reference_step(hart, mmu, None) {
                            Some(r) => break 'outer r,
                            None => {
                                block_start = true;
                                continue 'outer;
                            }
                        }
                    }
                }
            }
        };
        hart.csr.retire_n(n - synced);
        mmu.take_device_touched();
        (n, stop)
    }

    /// Runs one instruction through the reference path (`d` if already
    /// decoded, else fetched here) and keeps the decode cache coherent with
    /// any write it made to code. `None`: carry on; `Some(r)`: leave the hot
    /// loop for the run loop's attention.
    fn reference_step(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        d: Option<Decoded>,
    ) -> Option<Flow> {
        let r = match d {
            Some(d) => reference::execute(hart, mmu, &d),
            None => reference::step(hart, mmu),
        };
        match r {
            // A device access or a write into code: the run loop reacts or
            // invalidates every engine's cache before the next instruction.
            Ok(Flow::Next) if !mmu.device_touched() && !mmu.has_dirty_code() => None,
            Ok(r) => Some(r),
            Err(e) => {
                hart.raise(e);
                Some(Flow::StateChanged)
            }
        }
    }

    /// Decodes the slot at `off`; `None` for a 32-bit instruction that
    /// straddles the page end (not cacheable: the next page needs its own
    /// translation).
    #[cold]
    fn decode_slot(&mut self, mmu: &mut Mmu, page: usize, off: usize) -> Option<()> {
        let pa = GuestPhysAddr(self.pages[page].pa_page + off as u64);
        let lo = mmu.space.read(pa, 2).unwrap_or(0) as u32;
        if lo & 3 == 3 && off == SLOTS * 2 - 2 {
            return None;
        }
        let raw = if lo & 3 == 3 {
            mmu.space.read(pa, 4).unwrap_or(0) as u32
        } else {
            lo
        };
        let d = decode(raw);
        // An instruction ending at the page end leaves the page sequentially:
        // `Generic` sends it through the page check of the outer loop.
        let op = if off + d.len as usize >= SLOTS * 2 {
            Op::Generic
        } else {
            lower(&d)
        };
        self.pages[page].slots[off >> 1] = Slot { op, d };
        self.pages[page].live += 1;
        mmu.mark_code(pa, d.len as u64);
        self.stats.decoded += 1;
        Some(())
    }

    #[cold]
    fn enter_page(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        pc: u64,
        idx: MmuIdx,
    ) -> Result<Current, Exception> {
        self.stats.page_entries += 1;
        let code = mmu.translate_code(&mut Walker::new(hart), idx, GuestVirtAddr(pc))?;
        let pa = code.pa;
        let pa_page = pa.0 & PAGE_MASK;
        // Code under a sub-page PMP rule is fetched and checked one
        // instruction at a time.
        let page = if code.cacheable && mmu.is_main_ram(pa) {
            Some(match self.by_phys.get(&pa_page) {
                Some(&i) => i,
                None => self.alloc(pa_page),
            })
        } else {
            None
        };
        let cur = Current {
            va_page: pc & PAGE_MASK,
            idx,
            generation: mmu.generation(),
            page,
        };
        self.current = Some(cur);
        self.recent[recent_index(pc)] = Some(cur);
        Ok(cur)
    }

    fn alloc(&mut self, pa_page: u64) -> usize {
        let i = match self.free.pop() {
            Some(i) => {
                self.pages[i].pa_page = pa_page;
                self.pages[i].live = 0;
                i
            }
            None => {
                self.pages.push(Page {
                    pa_page,
                    // Built in place: `Box::new([EMPTY; SLOTS])` builds the
                    // 64 KiB on the stack and copies it (3% of a Linux
                    // boot's main thread was that copy).
                    slots: boxed_array(EMPTY),
                    heat: boxed_array(0),
                    live: 0,
                });
                self.pages.len() - 1
            }
        };
        self.by_phys.insert(pa_page, i);
        i
    }

    /// Drops every decoded instruction that a write in `writes`
    /// overlapped, with the tier-up count of the block starting there; a
    /// page left with no decoded instruction is freed.
    pub fn invalidate(&mut self, writes: &[CodeWrite]) {
        for w in writes {
            let pa_page = w.pa.0 & PAGE_MASK;
            let Some(&i) = self.by_phys.get(&pa_page) else {
                continue;
            };
            let page = &mut self.pages[i];
            // An instruction is at most 4 bytes: the first that can overlap
            // starts 2 bytes before the write.
            let first = w.pa.0.saturating_sub(2).max(pa_page);
            let last = (w.pa.0 + w.len as u64).min(pa_page + PAGE_SIZE);
            for a in (first & !1..last).step_by(2) {
                let k = slot_index(a);
                let len = page.slots[k].d.len as u64;
                if len > 0 && w.overlaps(a, len) {
                    page.slots[k] = EMPTY;
                    page.heat[k] = 0;
                    page.live -= 1;
                    self.stats.invalidated_insns += 1;
                }
            }
            if page.live == 0 {
                self.by_phys.remove(&pa_page);
                self.pages[i].heat.fill(0);
                self.free.push(i);
                if self.current.is_some_and(|c| c.page == Some(i)) {
                    self.current = None;
                }
                for r in &mut self.recent {
                    if r.is_some_and(|c| c.page == Some(i)) {
                        *r = None;
                    }
                }
            }
        }
    }

    /// Forgets that compiled code starts at physical `pa` (its TB was dropped).
    pub fn uncompile(&mut self, pa: GuestPhysAddr) {
        if let Some(h) = self.heat_mut(pa).filter(|h| **h == COMPILED) {
            *h = 0;
        }
    }
}

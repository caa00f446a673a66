//! Regions: growing a hot block into a region (`grow_region`), and
//! re-forming a region when one of its exits turns hot (`ExitWatch`).
//!
//! A region is formed from tier 0's counts when its entry turns hot; a
//! branch arm that was rare then (a loop's later phase, a state the
//! program reaches later) is left out and leaves the region through an
//! exit. Each constant exit to a pc on the region's page counts in
//! generated code (`jit::translate::ExitCounters`); every
//! `REFORM_SCAN_INSNS` instructions the engine looks at the counts, and a
//! region with an exit taken at least `REFORM_MIN_EXITS` times since the
//! last look is grown again from its entry with those exits' targets
//! forced in and compiled in the background, the old code running until
//! the new is installed in its place. A region is re-formed at most
//! `MAX_REFORMS` times (a phase-changing program cannot keep the compiler
//! busy), and only when the new form has blocks the old one lacked.

use std::sync::atomic::{AtomicU64, Ordering};

use frontend_riscv::{Decoded, Insn, Reg};
use jit::translate::{call_site, ends_block, ExitCounters, GuestBlock, TbSource};
use rustc_hash::FxHashMap as HashMap;
use softmmu::tlb::PAGE_MASK;
use softmmu::{GuestPhysAddr, Mmu, MmuIdx};

use super::{form_tb, TbKey, MAX_REGION_BLOCKS, MAX_REGION_INSNS};
use crate::interp::fast::DecodeCache;

/// Instructions between two looks at the regions' exit counters.
pub(super) const REFORM_SCAN_INSNS: u64 = 1 << 22;
/// Exits to one target between two looks that make a region re-form.
const REFORM_MIN_EXITS: u64 = 4096;
/// Re-formations of one region (entry) at most.
const MAX_REFORMS: u8 = 2;

/// A region's exit counters (see the module doc).
struct Watch {
    /// Constant exit targets on the region's page, and their counters
    /// (written by generated code).
    targets: Vec<u64>,
    counts: Box<[AtomicU64]>,
    /// The region's blocks other than its entry.
    blocks: Vec<u64>,
    reforms: u8,
    /// The background compilation that armed it.
    compile: u64,
}

/// A region to form again, with these exit targets forced in.
pub(super) struct Reform {
    pub key: TbKey,
    pub force: Vec<u64>,
    pub reforms: u8,
}

/// The exit counters of the live regions (see the module doc).
#[derive(Default)]
pub(super) struct ExitWatch {
    live: HashMap<TbKey, Watch>,
    /// Counters of regions replaced or dropped: code that may still add
    /// to them lives until the next code flush ([`ExitWatch::clear`]).
    retired: Vec<Box<[AtomicU64]>>,
    /// Re-formations due, for the engine to submit.
    pub due: Vec<Reform>,
    /// Instructions executed, and when to look at the counters next.
    insns: u64,
    next_scan: u64,
}

impl ExitWatch {
    /// Gives the region `src` (about to be compiled for `key` by the
    /// background compilation `compile`, re-formed `reforms` times so far)
    /// counters for its exits to pcs on its page; the previous region of
    /// `key`, if any, stops being watched.
    pub fn arm(&mut self, key: TbKey, src: &mut TbSource, reforms: u8, compile: u64) {
        self.forget(key);
        if src.more.is_empty() {
            return;
        }
        let inside: Vec<u64> = std::iter::once(src.pc.0)
            .chain(src.more.iter().map(|b| b.pc))
            .collect();
        let mut targets: Vec<u64> = region_successors(src)
            .into_iter()
            .flatten()
            .filter(|&t| (t ^ src.pc.0) & PAGE_MASK == 0 && !inside.contains(&t))
            .collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.is_empty() {
            return;
        }
        let counts: Box<[AtomicU64]> = targets.iter().map(|_| AtomicU64::new(0)).collect();
        src.exits = Some(ExitCounters {
            counters: counts.as_ptr() as u64,
            targets: targets.clone(),
        });
        self.live.insert(
            key,
            Watch {
                targets,
                counts,
                blocks: inside[1..].to_vec(),
                reforms,
                compile,
            },
        );
    }

    /// Stops watching `key`'s region (dropped or replaced); its counters
    /// stay allocated until the next flush.
    pub fn forget(&mut self, key: TbKey) {
        if let Some(w) = self.live.remove(&key) {
            self.retired.push(w.counts);
        }
    }

    /// Stops watching `key`'s region if compilation `compile` armed it
    /// (its code was dropped as stale, never installed).
    pub fn forget_compile(&mut self, key: TbKey, compile: u64) {
        if self.live.get(&key).is_some_and(|w| w.compile == compile) {
            self.forget(key);
        }
    }

    /// After a code flush: no code that counts is left.
    pub fn clear(&mut self) {
        self.live.clear();
        self.retired.clear();
        self.due.clear();
    }

    /// Whether `src`, re-formed from `key`'s region, has a block the
    /// watched region lacks.
    pub fn grows(&self, key: TbKey, src: &TbSource) -> bool {
        self.live
            .get(&key)
            .is_none_or(|w| src.more.iter().any(|b| !w.blocks.contains(&b.pc)))
    }

    /// Counts `n` executed instructions; every `REFORM_SCAN_INSNS` looks
    /// at the counters, queues the re-formations due and starts counting
    /// again.
    pub fn tick(&mut self, n: u64) {
        self.insns += n;
        if self.insns < self.next_scan {
            return;
        }
        self.next_scan = self.insns + REFORM_SCAN_INSNS;
        for (&key, w) in &mut self.live {
            let hot: Vec<u64> = w
                .targets
                .iter()
                .zip(w.counts.iter())
                .filter(|(_, c)| c.swap(0, Ordering::Relaxed) >= REFORM_MIN_EXITS)
                .map(|(&t, _)| t)
                .collect();
            if !hot.is_empty() && w.reforms < MAX_REFORMS {
                let reforms = w.reforms + 1;
                // Asked once: the re-formed region gets a watch of its own,
                // and a re-formation that brings nothing new is not tried
                // again.
                w.reforms = MAX_REFORMS;
                self.due.push(Reform {
                    key,
                    force: hot,
                    reforms,
                });
            }
        }
    }
}

/// The guest pcs control may go to after the block `insns` at `start`,
/// when they are known: both arms of a conditional branch, a `jal`'s target
/// (a call's callee too: the link register is set either way), the next
/// instruction of a block cut at the page end or the size limit.
pub(super) fn successors(start: u64, insns: &[Decoded]) -> Vec<u64> {
    let Some((last, body)) = insns.split_last() else {
        return Vec::new();
    };
    let pc = start.wrapping_add(body.iter().map(|d| d.len as u64).sum());
    let next = pc.wrapping_add(last.len as u64);
    match last.insn {
        Insn::Branch { offset, .. } => vec![pc.wrapping_add(offset as u64), next],
        // A call: the callee, and the return address, where the callee's
        // return is predicted to go (`TbCx::predict_return`).
        Insn::Jal { rd, offset } if rd != Reg::ZERO => vec![pc.wrapping_add(offset as u64), next],
        Insn::Jal { offset, .. } => vec![pc.wrapping_add(offset as u64)],
        _ if !ends_block(last) => vec![next],
        _ => Vec::new(),
    }
}

/// The successors of each of a region's blocks inside the region: as
/// [`successors`], and for a return (`jalr x0, 0(link)`) the return
/// addresses of the region's calls through `link`.
fn region_successors(src: &TbSource) -> Vec<Vec<u64>> {
    let blocks = || {
        std::iter::once((src.pc.0, &src.insns[..]))
            .chain(src.more.iter().map(|b| (b.pc, &b.insns[..])))
    };
    let calls: Vec<(u8, u64)> = blocks().filter_map(|(pc, i)| call_site(pc, i)).collect();
    blocks()
        .map(|(pc, insns)| {
            let mut succ = successors(pc, insns);
            if let Some(Insn::Jalr {
                rd: Reg::ZERO,
                rs1,
                offset: 0,
            }) = insns.last().map(|d| d.insn)
            {
                succ.extend(calls.iter().filter(|c| c.0 == rs1.0).map(|c| c.1));
            }
            succ
        })
        .collect()
}

/// Grows the hot TB `src` (entry at physical `pa`) into a region (tiered
/// engine): breadth first along the edges out of its blocks, it adds each
/// successor on the same guest page that tier 0 counted at least
/// `min_heat` runs of ([`DecodeCache::heat`]; compiled blocks count as
/// hot; so are the blocks of `force`, exits of an earlier form of the
/// region that turned hot), up to `MAX_REGION_BLOCKS` blocks and
/// `MAX_REGION_INSNS` instructions. Staying on one page keeps invalidation
/// exact (a write to the page drops whatever it overlaps) and the
/// translation the same as the entry's.
pub(super) fn grow_region(
    mmu: &mut Mmu,
    icache: &DecodeCache,
    src: &mut TbSource,
    pa: GuestPhysAddr,
    min_heat: u16,
    force: &[u64],
) {
    let page_va = src.pc.0 & PAGE_MASK;
    let page_pa = pa.0 & PAGE_MASK;
    let mut seen = vec![src.pc.0];
    let mut work: std::collections::VecDeque<u64> = successors(src.pc.0, &src.insns).into();
    let mut total = src.insns.len();
    while let Some(t) = work.pop_front() {
        if src.more.len() + 1 >= MAX_REGION_BLOCKS {
            break;
        }
        if seen.contains(&t) || t & PAGE_MASK != page_va {
            continue;
        }
        seen.push(t);
        let tpa = GuestPhysAddr(page_pa | (t & !PAGE_MASK));
        if icache.heat(tpa) < min_heat && !force.contains(&t) {
            continue;
        }
        let Some(b) = form_tb(
            mmu,
            t,
            tpa,
            MmuIdx(src.fetch_idx as u8),
            MmuIdx(src.data_idx as u8),
            src.fp_dirty,
        ) else {
            continue;
        };
        if total + b.insns.len() > MAX_REGION_INSNS {
            continue;
        }
        total += b.insns.len();
        work.extend(successors(t, &b.insns));
        src.more.push(GuestBlock {
            pc: t,
            insns: b.insns,
        });
    }
    keep_loops(src);
}

/// Keeps the region's blocks from which control can come back to its
/// entry inside the region (its loops through the entry), and drops the
/// others: they would be compiled again in every region that reaches them,
/// and what a region saves is the exits and register reloads of a loop. A
/// region without a loop through its entry is a plain TB.
fn keep_loops(src: &mut TbSource) {
    let entry = src.pc.0;
    // Without the entry's own list: index i is `more[i]`.
    let succ: Vec<Vec<u64>> = region_successors(src).split_off(1);
    // Blocks reaching the entry: a fixed point over the (few) blocks.
    let mut reaches = vec![false; src.more.len()];
    loop {
        let mut changed = false;
        for i in 0..src.more.len() {
            if reaches[i] {
                continue;
            }
            let hit = succ[i].iter().any(|&t| {
                t == entry
                    || src
                        .more
                        .iter()
                        .position(|b| b.pc == t)
                        .is_some_and(|j| reaches[j])
            });
            if hit {
                reaches[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut keep = reaches.into_iter();
    src.more.retain(|_| keep.next().unwrap_or(false));
}

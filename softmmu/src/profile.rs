//! Per-instruction accounting of data accesses (`rvdbt run --profile`).
//!
//! The [`crate::Mmu`] keeps an optional [`MemProfile`]. When it is present,
//! every data access (load, store, atomic) that reaches the `Mmu` counts,
//! against the guest pc the engine last set with [`MemProfile::pc`], either
//! as a fast-path hit or as a slow-path access together with the reasons it
//! had (TLB miss, victim hit, device, IOMMU, ...). Generated code's inline
//! hits never reach the `Mmu`: the JIT counts them itself and adds them
//! with [`MemProfile::add_fast`]. Without a profile the only cost is one
//! test of an `Option` on the interpreter's fast path.

use rustc_hash::FxHashMap;

use crate::access::{AccessType, MemAttrs};

/// Outcome names, in the order of [`PcCounts`]' indexes.
pub const OUTCOMES: [&str; 11] = [
    "fast",
    "slow",
    "tlb_miss",
    "victim_hit",
    "mmio",
    "iommu_translate",
    "iommu_blocked",
    "notdirty",
    "split",
    "sub_page",
    "fault",
];

/// Index of each outcome in [`PcCounts`] (and bit `1 << i` of a slow
/// access's reasons).
pub mod outcome {
    pub const FAST: usize = 0;
    pub const SLOW: usize = 1;
    pub const TLB_MISS: usize = 2;
    pub const VICTIM_HIT: usize = 3;
    pub const MMIO: usize = 4;
    pub const IOMMU_TRANSLATE: usize = 5;
    pub const IOMMU_BLOCKED: usize = 6;
    pub const NOTDIRTY: usize = 7;
    pub const SPLIT: usize = 8;
    pub const SUB_PAGE: usize = 9;
    pub const FAULT: usize = 10;
}

/// Counts per outcome of one (pc, access type).
pub type PcCounts = [u64; OUTCOMES.len()];

/// Who a checker blocked: unit index and the requester's attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Blocked {
    pub unit: usize,
    pub attrs: MemAttrs,
}

/// The data-access profile of a run.
#[derive(Debug, Default)]
pub struct MemProfile {
    /// The guest pc accesses are counted against (the engine sets it
    /// before an instruction that may access memory).
    pub pc: u64,
    /// The slow-path access in progress: reasons seen (bit per outcome),
    /// the physical address it reached, the device region and the checker
    /// that blocked it.
    reasons: u16,
    target: Option<u64>,
    device: Option<&'static str>,
    blocked: Option<Blocked>,
    /// Per (pc, type): counts per outcome.
    pub by_pc: FxHashMap<(u64, AccessType), PcCounts>,
    /// Per (pc, type, device region name): MMIO accesses.
    pub devices: FxHashMap<(u64, AccessType, &'static str), u64>,
    /// Per (pc, type, checker): blocked accesses.
    pub blocked_by: FxHashMap<(u64, AccessType, Blocked), u64>,
    /// Per (physical page, type): all accesses and slow-path ones.
    pub pages: FxHashMap<(u64, AccessType), [u64; 2]>,
}

impl MemProfile {
    /// A fast-path hit at physical `pa`.
    pub fn fast(&mut self, access: AccessType, pa: u64) {
        self.add_fast(self.pc, access, pa, 1);
    }

    /// `n` fast-path hits of the instruction at `pc` on physical page of
    /// `pa` (generated code's own counters, added at the end of a run).
    pub fn add_fast(&mut self, pc: u64, access: AccessType, pa: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.by_pc.entry((pc, access)).or_default()[outcome::FAST] += n;
        self.pages
            .entry((pa & crate::tlb::PAGE_MASK, access))
            .or_default()[0] += n;
    }

    /// `n` fast-path hits of the instruction at `pc` whose pages are
    /// counted apart ([`MemProfile::add_page`]).
    pub fn add_fast_pc(&mut self, pc: u64, access: AccessType, n: u64) {
        if n != 0 {
            self.by_pc.entry((pc, access)).or_default()[outcome::FAST] += n;
        }
    }

    /// `n` fast-path accesses of type `access` to physical page `page`.
    pub fn add_page(&mut self, page: u64, access: AccessType, n: u64) {
        if n != 0 {
            self.pages.entry((page, access)).or_default()[0] += n;
        }
    }

    /// A slow-path access begins.
    pub(crate) fn begin(&mut self) {
        self.reasons = 0;
        self.target = None;
        self.device = None;
        self.blocked = None;
    }

    pub(crate) fn reason(&mut self, outcome: usize) {
        self.reasons |= 1 << outcome;
    }

    /// The physical address the access reached (the first one counts).
    pub(crate) fn target(&mut self, pa: u64) {
        self.target.get_or_insert(pa);
    }

    pub(crate) fn device(&mut self, region: &'static str) {
        self.reason(outcome::MMIO);
        self.device.get_or_insert(region);
    }

    pub(crate) fn blocked(&mut self, b: Blocked) {
        self.reason(outcome::IOMMU_BLOCKED);
        self.blocked.get_or_insert(b);
    }

    /// The slow-path access ends (`ok`: it completed).
    pub(crate) fn end(&mut self, access: AccessType, ok: bool) {
        if !ok {
            self.reason(outcome::FAULT);
        }
        let pc = self.pc;
        let c = self.by_pc.entry((pc, access)).or_default();
        c[outcome::SLOW] += 1;
        for (i, n) in c.iter_mut().enumerate().skip(2) {
            *n += (self.reasons >> i & 1) as u64;
        }
        if let Some(pa) = self.target {
            let p = self
                .pages
                .entry((pa & crate::tlb::PAGE_MASK, access))
                .or_default();
            p[0] += 1;
            p[1] += 1;
        }
        if let Some(d) = self.device {
            *self.devices.entry((pc, access, d)).or_default() += 1;
        }
        if let Some(b) = self.blocked {
            *self.blocked_by.entry((pc, access, b)).or_default() += 1;
        }
    }
}

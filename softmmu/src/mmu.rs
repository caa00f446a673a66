//! The one memory path: every guest load, store and fetch goes through [`Mmu`].
//!
//! An access first tries the TLB fast path of its MMU index (see
//! [`crate::tlb`]): a compare of the page-aligned address against the entry's
//! comparator, then `host = va + addend` into main RAM. Everything else takes
//! the slow path here: the victim TLB, a fill through the caller's [`TlbFill`]
//! (the hart's page walk and PMP), device dispatch, writes into pages that
//! hold decoded code, and misaligned or page-crossing accesses.
//!
//! Misaligned loads and stores are emulated byte by byte after every byte has
//! been translated, so a fault leaves memory untouched and reports the
//! address of the first byte in the faulting page. Misaligned accesses to
//! devices are access faults. Atomics must be aligned (the caller checks).

use crate::addr::{GuestPhysAddr, GuestVirtAddr};
use crate::space::{AddressSpace, RegionKind};
use crate::tlb::{
    access_index, comparator, prot_for, IommuState, MemAttrs, MmuIdx, Tlb, TlbEntry, TlbFull,
    TlbStats, NUM_MMU_IDX, PAGE_BITS, PAGE_MASK, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE,
    TLB_INVALID, TLB_IOMMU, TLB_MMIO, TLB_NOTDIRTY, TLB_NO_PERM,
};

/// The type of a memory access, as permission checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessType {
    Read,
    Write,
    Fetch,
}

/// The kind of an atomic access, as [`Mmu::translate_atomic`] checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Atomic {
    /// LR: a read (faults as a load).
    LoadReserved,
    /// SC: a write (faults as a store).
    StoreConditional,
    /// AMO: a read and a write (faults as a store).
    ReadModifyWrite,
}

/// Why an access failed. The hart maps each kind and access type to its
/// exception cause; `addr` becomes `tval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFault {
    pub kind: MemFaultKind,
    pub access: AccessType,
    pub addr: GuestVirtAddr,
}

/// The class of a memory fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemFaultKind {
    /// The translation forbids the access (RISC-V page fault).
    Page,
    /// The physical access failed: no region, a device error, PMP (access fault).
    Access,
    /// The access is misaligned and cannot be emulated (atomics).
    Misaligned,
}

/// The answer of a TLB fill: where `va` lives and what its page permits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// Physical address of the accessed byte.
    pub phys: GuestPhysAddr,
    /// `PROT_*` bits the page grants in this MMU index (the requested access
    /// must be among them).
    pub prot: u8,
    /// log2 of the mapping's page size (12 for 4 KiB, 21 for 2 MiB...).
    pub lg_page_size: u8,
    /// False when the permission holds only for this access (e.g. a PMP
    /// region smaller than the page): the entry is then marked invalid so
    /// the next access fills again.
    pub cacheable: bool,
    /// A global mapping.
    pub global: bool,
    pub attrs: MemAttrs,
}

/// Virtual-to-physical translation with permissions, supplied by the hart
/// (QEMU's `tlb_fill`). Called on a TLB miss for an access of `size` bytes
/// at `va`; may read and write guest memory (page tables, A/D bits) through
/// `space`. Returns the fault kind when the access is not permitted.
pub trait TlbFill {
    fn fill(
        &mut self,
        space: &mut AddressSpace,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
        idx: MmuIdx,
    ) -> Result<Fill, MemFaultKind>;
}

/// Translation with address translation and protection off: identity, all
/// permissions, 4 KiB pages.
pub struct Bare;

impl TlbFill for Bare {
    fn fill(
        &mut self,
        _space: &mut AddressSpace,
        va: GuestVirtAddr,
        _size: u8,
        _access: AccessType,
        _idx: MmuIdx,
    ) -> Result<Fill, MemFaultKind> {
        Ok(Fill {
            phys: GuestPhysAddr(va.0),
            prot: PROT_READ | PROT_WRITE | PROT_EXEC,
            lg_page_size: PAGE_BITS as u8,
            cacheable: true,
            global: false,
            attrs: MemAttrs::default(),
        })
    }
}

/// The result of translating an instruction fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeAddr {
    pub pa: GuestPhysAddr,
    /// The translation may be reused for the rest of the page.
    pub cacheable: bool,
}

/// Where the slow path sends one access.
#[derive(Clone, Copy, Debug)]
struct Translated {
    /// Physical address on the bus (below any IOMMU).
    pa: GuestPhysAddr,
    /// Flag bits of the comparator used.
    flags: u64,
    /// Who makes the access (captured at fill).
    attrs: MemAttrs,
    /// The IOMMU unit that blocked the access: it goes to that unit's
    /// error handling instead of the bus.
    blocked: Option<usize>,
    /// The IOMMU's answer holds for this access alone (a sub-page rule),
    /// not for the rest of the page.
    sub_page: bool,
}

/// Counters of the memory system beyond the per-index TLB counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MmuStats {
    /// Device (MMIO) accesses.
    pub mmio: u64,
    /// Accesses split because they were misaligned or crossed a page.
    pub split: u64,
    /// Writes that hit a page holding decoded code.
    pub code_writes: u64,
    /// Per access type (read, write, fetch): questions asked of an IOMMU
    /// (the lazy, per-type translations).
    pub iommu_translations: [u64; 3],
    /// Per access type: accesses that took the slow path because their
    /// comparator still carried `TLB_IOMMU`.
    pub iommu_slow: [u64; 3],
    /// Page-wide answers found in the IOTLB instead of asking the IOMMU.
    pub iotlb_hits: u64,
    /// Comparators patched to the fast path after an IOMMU answer.
    pub iommu_patched: u64,
    /// Answers that needed a second, different host backing in one entry:
    /// that access type stays on the slow path.
    pub iommu_conflicts: u64,
    /// Accesses blocked by an IOMMU (sent to its error handling).
    pub iommu_blocked: u64,
    /// Whole-TLB flushes caused by a checker's configuration changing.
    pub checker_flushes: u64,
}

/// One cached IOMMU answer for an aligned block of at least a page (see
/// [`Mmu::iotlb`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct IoTlbEntry {
    /// First byte of the block; `lg` its log2 size (0 when empty).
    base: u64,
    lg: u8,
    unit: u16,
    access: AccessType,
    attrs: MemAttrs,
    /// `None`: blocked. Otherwise translated address minus address.
    delta: Option<u64>,
}

impl IoTlbEntry {
    const EMPTY: IoTlbEntry = IoTlbEntry {
        base: 0,
        lg: 0,
        unit: 0,
        access: AccessType::Read,
        attrs: MemAttrs {
            world_id: 0,
            requester_id: 0,
        },
        delta: None,
    };

    fn covers(&self, page: u64, unit: usize, access: AccessType, attrs: MemAttrs) -> bool {
        self.lg != 0
            && page.wrapping_sub(self.base) >> self.lg == 0
            && self.unit as usize == unit
            && self.access == access
            && self.attrs == attrs
    }
}

/// Entries of the IOTLB (fully associative, replaced round-robin).
const IOTLB_ENTRIES: usize = 16;

/// The guest memory system of one machine.
pub struct Mmu {
    pub space: AddressSpace,
    tlbs: [Tlb; NUM_MMU_IDX],
    /// Region index, physical base, size and host base of main RAM.
    ram_index: usize,
    ram_base: u64,
    ram_size: u64,
    ram_host: u64,
    /// One bit per main-RAM page: the page holds decoded code.
    code_pages: Vec<u64>,
    /// Physical pages holding code that were written since the last
    /// [`Mmu::take_dirty_code`].
    dirty_code: Vec<GuestPhysAddr>,
    /// Bumped on every flush: lets callers cache translations cheaply.
    generation: u64,
    /// IOMMU answers for aligned blocks of a page or more, by unit, access
    /// type and requester, so a TLB refill of a guarded page does not ask
    /// the checker again (QEMU's IOMMU models keep such an IOTLB). Cleared
    /// whenever a checker's configuration changes; requester changes need
    /// no clearing, the requester is part of the key.
    iotlb: [IoTlbEntry; IOTLB_ENTRIES],
    iotlb_next: usize,
    /// Per access type, the two entries that answered last.
    iotlb_mru: [[usize; 2]; 3],
    /// Set by any device access; the run loop clears it after reacting
    /// (device writes can raise interrupts or end the run).
    pub device_touched: bool,
    pub stats: MmuStats,
}

fn fault(kind: MemFaultKind, access: AccessType, addr: GuestVirtAddr) -> MemFault {
    MemFault { kind, access, addr }
}

impl Mmu {
    /// Takes over a fully built address space (regions cannot be added
    /// afterwards). Main RAM is its largest RAM region.
    pub fn new(space: AddressSpace) -> Self {
        let ram_index = space.main_ram_index().unwrap_or(usize::MAX);
        let (ram_base, ram_size, ram_host) = space
            .regions()
            .nth(ram_index)
            .and_then(|r| match &r.kind {
                RegionKind::Ram(m) => Some((r.base.0, m.len(), m.host_base())),
                _ => None,
            })
            .unwrap_or((0, 0, 0));
        let pages = ram_size.div_ceil(PAGE_SIZE) as usize;
        Mmu {
            space,
            tlbs: Default::default(),
            ram_index,
            ram_base,
            ram_size,
            ram_host,
            code_pages: vec![0; pages.div_ceil(64)],
            dirty_code: Vec::new(),
            generation: 0,
            iotlb: [IoTlbEntry::EMPTY; IOTLB_ENTRIES],
            iotlb_next: 0,
            iotlb_mru: [[0; 2]; 3],
            device_touched: false,
            stats: MmuStats::default(),
        }
    }

    /// The TLB counters of MMU index `idx`.
    pub fn tlb_stats(&self, idx: MmuIdx) -> TlbStats {
        self.tlbs[idx.idx()].stats
    }

    /// The TLB of MMU index `idx` (for inspection and tests).
    pub fn tlb(&self, idx: MmuIdx) -> &Tlb {
        &self.tlbs[idx.idx()]
    }

    /// Where generated code finds the fast table of `idx`: the address of
    /// its first entry and the index mask. Valid until the next
    /// [`Mmu::apply_tlb_resizes`]: flushes (whatever a helper does) clear
    /// entries in place and never move a table.
    pub fn tlb_view(&self, idx: MmuIdx) -> (u64, u64) {
        self.tlbs[idx.idx()].view()
    }

    /// Applies the table sizes the resize heuristic chose at earlier
    /// flushes. The only call that moves a fast table: call it where no
    /// generated code runs and no view is held (the JIT dispatcher before
    /// it reads the views, the run loop between chunks), never from a
    /// helper.
    pub fn apply_tlb_resizes(&mut self) {
        self.tlbs.iter_mut().for_each(Tlb::apply_resize);
    }

    /// Changes whenever any TLB is flushed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    // ---- Flushes ----------------------------------------------------------

    /// Flushes every TLB.
    pub fn flush_all(&mut self) {
        self.tlbs.iter_mut().for_each(Tlb::flush);
        self.generation += 1;
    }

    /// Flushes the TLB of one MMU index.
    pub fn flush_idx(&mut self, idx: MmuIdx) {
        self.tlbs[idx.idx()].flush();
        self.generation += 1;
    }

    /// Flushes `va`'s page from every TLB (large pages flush their whole TLB).
    pub fn flush_page(&mut self, va: GuestVirtAddr) {
        for t in &mut self.tlbs {
            t.flush_page(va.0);
        }
        self.generation += 1;
    }

    /// Flushes every non-global entry of every TLB.
    pub fn flush_nonglobal(&mut self) {
        self.tlbs.iter_mut().for_each(Tlb::flush_nonglobal);
        self.generation += 1;
    }

    // ---- Fast paths -------------------------------------------------------

    /// The main-RAM offset of the host address `va + addend`, if the entry's
    /// comparator for this access matches exactly.
    #[inline(always)]
    fn fast_offset(&self, idx: MmuIdx, va: u64, size: u8, access: AccessType) -> Option<u64> {
        let e = self.tlbs[idx.idx()].entry(va);
        if va & (PAGE_MASK | (size as u64 - 1)) == e.comparator(access) {
            Some(va.wrapping_add(e.addend).wrapping_sub(self.ram_host))
        } else {
            None
        }
    }

    /// Loads `size` bytes (1, 2, 4, 8), zero-extended.
    #[inline]
    pub fn load(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
    ) -> Result<u64, MemFault> {
        if let Some(off) = self.fast_offset(idx, va.0, size, AccessType::Read) {
            if let Some(v) = self
                .space
                .ram(self.ram_index)
                .and_then(|r| r.read(off, size))
            {
                self.tlbs[idx.idx()].stats.hits += 1;
                return Ok(v);
            }
        }
        self.load_slow(tr, idx, va, size)
    }

    /// Stores the low `size` bytes of `value`.
    #[inline]
    pub fn store(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        value: u64,
    ) -> Result<(), MemFault> {
        if let Some(off) = self.fast_offset(idx, va.0, size, AccessType::Write) {
            let ram_index = self.ram_index;
            if let Some(()) = self
                .space
                .ram_mut(ram_index)
                .and_then(|r| r.write(off, size, value))
            {
                self.tlbs[idx.idx()].stats.hits += 1;
                return Ok(());
            }
        }
        self.store_slow(tr, idx, va, size, value)
    }

    /// Translates `va` for instruction fetch. `cacheable` is false when the
    /// permission holds for this fetch only (a PMP region smaller than the
    /// page): then the caller must not reuse the translation, nor decoded
    /// code, for other addresses of the page.
    #[inline]
    pub fn translate_code(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
    ) -> Result<CodeAddr, MemFault> {
        let t = self.code_target(tr, idx, va)?;
        Ok(CodeAddr {
            pa: t.pa,
            // Decoded or compiled code may be kept only for a page whose
            // fetches reach RAM without the slow path.
            cacheable: t.flags & (TLB_INVALID | TLB_IOMMU) == 0,
        })
    }

    /// Where the fetch of the halfword at `va` goes: fast path, else the
    /// slow path; memory (RAM/ROM) or a checker that blocked it.
    #[inline]
    fn code_target(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
    ) -> Result<Translated, MemFault> {
        let access = AccessType::Fetch;
        if va.0 & 1 != 0 {
            return Err(fault(MemFaultKind::Misaligned, access, va));
        }
        if let Some(off) = self.fast_offset(idx, va.0, 2, access) {
            if off < self.ram_size {
                self.tlbs[idx.idx()].stats.hits += 1;
                return Ok(Translated {
                    pa: GuestPhysAddr(self.ram_base + off),
                    flags: 0,
                    // Only blocked fetches need who asked.
                    attrs: MemAttrs::default(),
                    blocked: None,
                    sub_page: false,
                });
            }
        }
        let t = self.lookup(tr, idx, va, 2, access)?;
        if t.blocked.is_none() && !self.space.is_memory(t.pa, 2) {
            return Err(fault(MemFaultKind::Access, access, va));
        }
        Ok(t)
    }

    /// Fetches the instruction at `va`: 16 bits for RVC, 32 otherwise. The
    /// second half of a 32-bit instruction is translated separately when it
    /// lies on the next page.
    pub fn fetch(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
    ) -> Result<u32, MemFault> {
        let lo = self.fetch_half(tr, idx, va)?;
        if lo & 3 != 3 {
            return Ok(lo as u32);
        }
        let hi = self.fetch_half(tr, idx, va.offset(2))?;
        Ok(lo as u32 | (hi as u32) << 16)
    }

    fn fetch_half(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
    ) -> Result<u16, MemFault> {
        let access = AccessType::Fetch;
        let t = self.code_target(tr, idx, va)?;
        if let Some(unit) = t.blocked {
            // What the checker answers is what the hart decodes.
            return self.blocked_read(t, unit, 2, access, va).map(|v| v as u16);
        }
        let off = t.pa.0.wrapping_sub(self.ram_base);
        if let Some(v) = (off < self.ram_size)
            .then(|| self.space.ram(self.ram_index)?.read(off, 2))
            .flatten()
        {
            return Ok(v as u16);
        }
        self.space
            .read(t.pa, 2)
            .map(|v| v as u16)
            .map_err(|_| fault(MemFaultKind::Access, access, va))
    }

    /// Whether physical `pa` lies in main RAM, and its page number there.
    fn ram_page(&self, pa: GuestPhysAddr) -> Option<usize> {
        let off = pa.0.wrapping_sub(self.ram_base);
        (off < self.ram_size).then_some((off >> PAGE_BITS) as usize)
    }

    /// Marks the main-RAM page holding `pa` as containing decoded code:
    /// from now on every write to it goes through the slow path, which
    /// records it for [`Mmu::take_dirty_code`].
    pub fn mark_code(&mut self, pa: GuestPhysAddr) {
        let Some(p) = self.ram_page(pa) else { return };
        if self.code_pages[p / 64] & (1 << (p % 64)) != 0 {
            return;
        }
        self.code_pages[p / 64] |= 1 << (p % 64);
        for t in &mut self.tlbs {
            t.set_write_flag_for_phys(pa.0 & PAGE_MASK, TLB_NOTDIRTY);
        }
    }

    /// Whether a write to physical `pa` hits a code page; if so, records the
    /// page as dirty and forgets it as code.
    fn note_write(&mut self, pa: GuestPhysAddr) {
        let Some(p) = self.ram_page(pa) else { return };
        if self.code_pages[p / 64] & (1 << (p % 64)) != 0 {
            self.code_pages[p / 64] &= !(1 << (p % 64));
            self.dirty_code.push(GuestPhysAddr(pa.0 & PAGE_MASK));
            self.stats.code_writes += 1;
        }
    }

    /// Whether code pages were written since the last `take_dirty_code`.
    #[inline(always)]
    pub fn has_dirty_code(&self) -> bool {
        !self.dirty_code.is_empty()
    }

    /// The code pages written since the last call; their decoded or
    /// translated code is stale.
    pub fn take_dirty_code(&mut self) -> Vec<GuestPhysAddr> {
        std::mem::take(&mut self.dirty_code)
    }

    // ---- Slow paths -------------------------------------------------------

    /// Finds or fills the TLB entry for an access and decides where the
    /// access goes.
    fn lookup(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<Translated, MemFault> {
        let tlb = &mut self.tlbs[idx.idx()];
        tlb.stats.misses += 1;
        let page = va.0 & PAGE_MASK;
        let present = |tlb: &Tlb| {
            let c = tlb.entry(va.0).comparator(access);
            c != TLB_NO_PERM && c & PAGE_MASK == page && c & TLB_INVALID == 0
        };
        let found = present(tlb) || (tlb.victim_lookup(va.0, access) && present(tlb));
        if !found {
            self.fill(tr, idx, va, size, access)?;
        }
        Ok(self.resolve(idx, va, size, access))
    }

    /// Fills `va`'s slot through the hart's translation (the early walk: it
    /// stops at an IOMMU region, leaving that region's answer for later).
    fn fill(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<(), MemFault> {
        let page = va.0 & PAGE_MASK;
        let f = tr.fill(&mut self.space, va, size, access, idx);
        // The walk's implicit accesses may have written a checker register.
        self.after_device_write();
        let f = f.map_err(|k| fault(k, access, va))?;
        debug_assert!(
            f.prot & prot_for(access) != 0,
            "fill granted no {access:?} permission"
        );
        let pa_page = GuestPhysAddr(f.phys.0 & PAGE_MASK);
        let guard = self.space.guard_at(pa_page);
        let in_ram = self.ram_page(pa_page).is_some();
        let mut flags = if in_ram { 0 } else { TLB_MMIO };
        if guard.is_some() {
            // Translated lazily, per access type (see `resolve_iommu`).
            flags |= TLB_IOMMU;
        }
        if !f.cacheable {
            flags |= TLB_INVALID;
        }
        let addend = if in_ram && guard.is_none() {
            self.host_addend(pa_page, page)
        } else {
            0
        };
        let code = guard.is_none() && self.is_code_page(pa_page);
        let vpage = GuestVirtAddr(page);
        let entry = TlbEntry {
            addr_read: comparator(vpage, f.prot & PROT_READ != 0, flags),
            addr_write: comparator(
                vpage,
                f.prot & PROT_WRITE != 0,
                flags | if code { TLB_NOTDIRTY } else { 0 },
            ),
            addr_code: comparator(vpage, f.prot & PROT_EXEC != 0, flags),
            addend,
        };
        let full = TlbFull {
            phys_page: pa_page,
            prot: f.prot,
            lg_page_size: f.lg_page_size,
            global: f.global,
            attrs: f.attrs,
            iommu: guard.map(|g| g as u16),
            ..TlbFull::EMPTY
        };
        self.tlbs[idx.idx()].install(va.0, entry, full);
        if let Some(unit) = guard {
            // Answers the IOTLB already holds need no slow-path trip. The
            // other types only look at their recent blocks: a full search
            // that fails (a type never used on this block) would cost every
            // refill.
            for a in [AccessType::Read, AccessType::Write, AccessType::Fetch] {
                if entry.comparator(a) != TLB_NO_PERM {
                    let found = if a == access {
                        self.iotlb_lookup(pa_page, unit, a, f.attrs)
                    } else {
                        self.iotlb_recent(pa_page, unit, a, f.attrs)
                    };
                    if let Some(state) = found {
                        self.keep_iommu_answer(idx, va, a, state);
                    }
                }
            }
        }
        Ok(())
    }

    /// The IOTLB's answer for `page` if one of the two blocks that answered
    /// `access` last covers it.
    fn iotlb_recent(
        &mut self,
        page: GuestPhysAddr,
        unit: usize,
        access: AccessType,
        attrs: MemAttrs,
    ) -> Option<IommuState> {
        let recent = self.iotlb_mru[access_index(access)];
        recent
            .iter()
            .any(|&i| self.iotlb[i].covers(page.0, unit, access, attrs))
            .then(|| self.iotlb_lookup(page, unit, access, attrs))
            .flatten()
    }

    /// The IOTLB's answer for `page`, if it holds one.
    fn iotlb_lookup(
        &mut self,
        page: GuestPhysAddr,
        unit: usize,
        access: AccessType,
        attrs: MemAttrs,
    ) -> Option<IommuState> {
        // Refills mostly hit one of the two blocks that answered last (a
        // kernel streaming from one buffer into another).
        let ai = access_index(access);
        let [a, b] = self.iotlb_mru[ai];
        let i = if self.iotlb[a].covers(page.0, unit, access, attrs) {
            a
        } else if self.iotlb[b].covers(page.0, unit, access, attrs) {
            self.iotlb_mru[ai] = [b, a];
            b
        } else {
            let i = self
                .iotlb
                .iter()
                .position(|e| e.covers(page.0, unit, access, attrs))?;
            self.iotlb_mru[ai] = [i, a];
            i
        };
        let e = &self.iotlb[i];
        self.stats.iotlb_hits += 1;
        Some(match e.delta {
            Some(d) => IommuState::Memory(GuestPhysAddr(page.0.wrapping_add(d))),
            None => IommuState::Blocked,
        })
    }

    /// The addend that maps virtual page `vpage` onto main-RAM page `pa_page`.
    fn host_addend(&self, pa_page: GuestPhysAddr, vpage: u64) -> u64 {
        self.ram_host
            .wrapping_add(pa_page.0 - self.ram_base)
            .wrapping_sub(vpage)
    }

    fn is_code_page(&self, pa: GuestPhysAddr) -> bool {
        self.ram_page(pa)
            .is_some_and(|p| self.code_pages[p / 64] & (1 << (p % 64)) != 0)
    }

    /// Where an access goes, given the entry now in `va`'s slot.
    fn resolve(
        &mut self,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Translated {
        let tlb = &self.tlbs[idx.idx()];
        let c = tlb.entry(va.0).comparator(access);
        let full = *tlb.full(va.0);
        match full.iommu {
            Some(unit) if c & TLB_IOMMU != 0 => {
                self.resolve_iommu(idx, va, size, access, &full, unit as usize)
            }
            _ => Translated {
                pa: GuestPhysAddr(full.page_for(access).0 | (va.0 & !PAGE_MASK)),
                flags: c & !PAGE_MASK,
                attrs: full.attrs,
                blocked: None,
                sub_page: false,
            },
        }
    }

    /// The late walk (DESIGN §4 steps 2 and 3): asks the IOMMU about this
    /// access type, unless the entry keeps its answer; keeps an answer that
    /// holds for the whole page, and patches the entry so later accesses of
    /// the type take the fast path when the answer is RAM.
    fn resolve_iommu(
        &mut self,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
        full: &TlbFull,
        unit: usize,
    ) -> Translated {
        let ai = access_index(access);
        self.stats.iommu_slow[ai] += 1;
        let off = va.0 & !PAGE_MASK;
        let pa = GuestPhysAddr(full.phys_page.0 | off);
        let mut t = Translated {
            pa,
            flags: TLB_IOMMU,
            attrs: full.attrs,
            blocked: None,
            sub_page: false,
        };
        let state = match full.iommu_state[ai] {
            IommuState::Untranslated => {
                if let Some(state) = self.iotlb_lookup(full.phys_page, unit, access, full.attrs) {
                    t.flags = self.keep_iommu_answer(idx, va, access, state);
                    state
                } else {
                    match self.translate_iommu(idx, va, size, access, full, unit, &mut t) {
                        Some(state) => state,
                        None => return t,
                    }
                }
            }
            s => s,
        };
        match state {
            IommuState::Memory(p) => t.pa = GuestPhysAddr(p.0 | off),
            _ => t.blocked = Some(unit),
        }
        t
    }

    /// Asks the IOMMU about one access. Returns the page-wide answer, now
    /// kept in the entry and the IOTLB, or `None` after setting up `t` for
    /// an answer that holds for this access alone.
    #[allow(clippy::too_many_arguments)]
    fn translate_iommu(
        &mut self,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
        full: &TlbFull,
        unit: usize,
        t: &mut Translated,
    ) -> Option<IommuState> {
        self.stats.iommu_translations[access_index(access)] += 1;
        let a = self
            .space
            .iommu(unit)
            .translate(t.pa, size, access, full.attrs);
        let permitted = a.permits(access);
        if (a.lg_granularity as u32) < PAGE_BITS {
            t.sub_page = true;
            if permitted {
                t.pa = a.translated_addr;
            } else {
                t.blocked = Some(unit);
            }
            return None;
        }
        let state = if permitted {
            IommuState::Memory(GuestPhysAddr(a.translated_addr.0 & PAGE_MASK))
        } else {
            IommuState::Blocked
        };
        t.flags = self.keep_iommu_answer(idx, va, access, state);
        let lg = a.lg_granularity.min(63);
        self.iotlb[self.iotlb_next] = IoTlbEntry {
            base: t.pa.0 & !((1u64 << lg) - 1),
            lg,
            unit: unit as u16,
            access,
            attrs: full.attrs,
            delta: permitted.then(|| a.translated_addr.0.wrapping_sub(t.pa.0)),
        };
        self.iotlb_next = (self.iotlb_next + 1) % IOTLB_ENTRIES;
        Some(state)
    }

    /// Stores an IOMMU answer for `access` in `va`'s entry and, when it is a
    /// main-RAM page, patches the addend (only one host backing per entry:
    /// a different second one keeps this type slow) and clears `TLB_IOMMU`
    /// from this type's comparator alone. Returns the comparator's flags.
    fn keep_iommu_answer(
        &mut self,
        idx: MmuIdx,
        va: GuestVirtAddr,
        access: AccessType,
        state: IommuState,
    ) -> u64 {
        let page = va.0 & PAGE_MASK;
        let backing = match state {
            IommuState::Memory(p) if self.ram_page(p).is_some() => {
                Some((self.host_addend(p, page), self.is_code_page(p)))
            }
            _ => None,
        };
        let (e, f) = self.tlbs[idx.idx()].slot_mut(va.0);
        f.iommu_state[access_index(access)] = state;
        if let Some((addend, code)) = backing {
            match f.backing {
                Some(b) if b != addend => self.stats.iommu_conflicts += 1,
                _ => {
                    f.backing = Some(addend);
                    e.addend = addend;
                    let c = e.comparator_mut(access);
                    *c &= !TLB_IOMMU;
                    if access == AccessType::Write && code {
                        *c |= TLB_NOTDIRTY;
                    }
                    self.stats.iommu_patched += 1;
                }
            }
        }
        e.comparator(access) & !PAGE_MASK
    }

    /// The error handling of a blocked read or fetch: the checker answers
    /// the data (read-as-zero) or a bus error (an access fault).
    fn blocked_read(
        &mut self,
        t: Translated,
        unit: usize,
        size: u8,
        access: AccessType,
        va: GuestVirtAddr,
    ) -> Result<u64, MemFault> {
        self.stats.iommu_blocked += 1;
        let r = self
            .space
            .iommu(unit)
            .blocked_read(t.pa, size, access, t.attrs)
            .map_err(|_| fault(MemFaultKind::Access, access, va));
        self.note_checker_irq(unit);
        r
    }

    /// The error handling of a blocked write: dropped, or an access fault.
    fn blocked_write(
        &mut self,
        t: Translated,
        unit: usize,
        size: u8,
        value: u64,
        va: GuestVirtAddr,
    ) -> Result<(), MemFault> {
        self.stats.iommu_blocked += 1;
        let r = self
            .space
            .iommu(unit)
            .blocked_write(t.pa, size, value, t.attrs)
            .map_err(|_| fault(MemFaultKind::Access, AccessType::Write, va));
        self.note_checker_irq(unit);
        r
    }

    /// A checker that changed an interrupt line makes the access a device
    /// event: the engines then let the run loop take the interrupt at once.
    /// A silently dropped or zero-read access is not one.
    fn note_checker_irq(&mut self, unit: usize) {
        if self.space.iommu(unit).take_irq_changed() {
            self.device_touched = true;
        }
    }

    /// Translates `[va, va + size)` (aligned, within one page) for an atomic
    /// access. It must be main RAM; anything else is an access fault.
    pub fn translate_atomic(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        op: Atomic,
    ) -> Result<GuestPhysAddr, MemFault> {
        // An AMO reads and writes: both must reach RAM. Behind an IOMMU, a
        // blocked type goes through the checker's error capture, and the
        // atomic faults whatever the checker answers: an atomic cannot be
        // half performed.
        let (access, types): (AccessType, &[AccessType]) = match op {
            Atomic::LoadReserved => (AccessType::Read, &[AccessType::Read]),
            Atomic::StoreConditional => (AccessType::Write, &[AccessType::Write]),
            Atomic::ReadModifyWrite => (AccessType::Write, &[AccessType::Read, AccessType::Write]),
        };
        let mut pa = GuestPhysAddr(0);
        for &a in types {
            let t = self.lookup(tr, idx, va, size, a)?;
            if let Some(unit) = t.blocked {
                let _ = match a {
                    AccessType::Write => self.blocked_write(t, unit, size, 0, va),
                    _ => self.blocked_read(t, unit, size, a, va).map(|_| ()),
                };
                return Err(fault(MemFaultKind::Access, access, va));
            }
            if self.ram_page(t.pa).is_none() || !self.space.is_ram(t.pa, size as u64) {
                return Err(fault(MemFaultKind::Access, access, va));
            }
            pa = t.pa;
        }
        Ok(pa)
    }

    /// Reads main RAM at a physical address from [`Mmu::translate_atomic`].
    pub fn read_phys(&mut self, pa: GuestPhysAddr, size: u8) -> Option<u64> {
        self.space.read(pa, size).ok()
    }

    /// Writes main RAM at a physical address from [`Mmu::translate_atomic`].
    pub fn write_phys(&mut self, pa: GuestPhysAddr, size: u8, value: u64) -> Option<()> {
        self.note_write(pa);
        self.space.write(pa, size, value).ok()
    }

    #[inline(never)]
    fn load_slow(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
    ) -> Result<u64, MemFault> {
        let access = AccessType::Read;
        if !va.0.is_multiple_of(size as u64) {
            return self.load_split(tr, idx, va, size);
        }
        let t = self.lookup(tr, idx, va, size, access)?;
        if let Some(unit) = t.blocked {
            return self.blocked_read(t, unit, size, access, va);
        }
        if t.flags & (TLB_MMIO | TLB_IOMMU) != 0 {
            self.device_access(t.pa, size);
        }
        self.space
            .read_as(t.pa, size, t.attrs)
            .map_err(|_| fault(MemFaultKind::Access, access, va))
    }

    #[inline(never)]
    fn store_slow(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        value: u64,
    ) -> Result<(), MemFault> {
        let access = AccessType::Write;
        if !va.0.is_multiple_of(size as u64) {
            return self.store_split(tr, idx, va, size, value);
        }
        let t = self.lookup(tr, idx, va, size, access)?;
        if let Some(unit) = t.blocked {
            return self.blocked_write(t, unit, size, value, va);
        }
        let device = t.flags & (TLB_MMIO | TLB_IOMMU) != 0 && self.device_access(t.pa, size);
        if t.flags & TLB_NOTDIRTY != 0 {
            self.note_write(t.pa);
            // The page is no longer code: later writes may take the fast path.
            self.tlbs[idx.idx()].clear_flag(va.0, access, TLB_NOTDIRTY);
        }
        let r = self
            .space
            .write_as(t.pa, size, value, t.attrs)
            .map_err(|_| fault(MemFaultKind::Access, access, va));
        if device {
            self.after_device_write();
        }
        r
    }

    /// A device write may have reprogrammed a checker: then every TLB entry
    /// may hold a stale answer, and revocation must hold from the very next
    /// access.
    fn after_device_write(&mut self) {
        if self.space.take_iommu_changes() {
            self.flush_all();
            self.iotlb.fill(IoTlbEntry::EMPTY);
            self.stats.checker_flushes += 1;
        }
    }

    /// Counts a device access; returns whether `pa` is a device.
    fn device_access(&mut self, pa: GuestPhysAddr, size: u8) -> bool {
        let device = self.space.is_device(pa, size as u64);
        if device {
            self.device_touched = true;
            self.stats.mmio += 1;
        }
        device
    }

    /// Where each byte of a misaligned access goes; every byte is RAM or
    /// ROM (or blocked by an IOMMU) before any is accessed.
    fn split_targets(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<[Translated; 8], MemFault> {
        self.stats.split += 1;
        let none = Translated {
            pa: GuestPhysAddr(0),
            flags: 0,
            attrs: MemAttrs::default(),
            blocked: None,
            sub_page: false,
        };
        let mut out = [none; 8];
        let mut page_t: Option<(u64, Translated)> = None;
        for (i, slot) in out.iter_mut().take(size as usize).enumerate() {
            let bva = va.offset(i as u64);
            let t = match page_t {
                // Same page, page-wide answer: offset the first byte's.
                Some((p, t)) if p == bva.0 & PAGE_MASK => Translated {
                    pa: GuestPhysAddr((t.pa.0 & PAGE_MASK) | (bva.0 & !PAGE_MASK)),
                    ..t
                },
                _ => {
                    let t = self.lookup(tr, idx, bva, 1, access)?;
                    // A sub-page IOMMU answer holds for one byte only.
                    if !t.sub_page {
                        page_t = Some((bva.0 & PAGE_MASK, t));
                    }
                    t
                }
            };
            if t.blocked.is_none() && !self.space.is_memory(t.pa, 1) {
                return Err(fault(MemFaultKind::Access, access, bva));
            }
            *slot = t;
        }
        Ok(out)
    }

    fn load_split(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
    ) -> Result<u64, MemFault> {
        let access = AccessType::Read;
        let ts = self.split_targets(tr, idx, va, size, access)?;
        let mut v = 0u64;
        for (i, t) in ts.iter().take(size as usize).enumerate() {
            let bva = va.offset(i as u64);
            let b = match t.blocked {
                Some(unit) => self.blocked_read(*t, unit, 1, access, bva)?,
                None => self
                    .space
                    .read(t.pa, 1)
                    .map_err(|_| fault(MemFaultKind::Access, access, bva))?,
            };
            v |= (b & 0xff) << (8 * i);
        }
        Ok(v)
    }

    fn store_split(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        value: u64,
    ) -> Result<(), MemFault> {
        let ts = self.split_targets(tr, idx, va, size, AccessType::Write)?;
        // Blocked bytes first: a bus error from the checker faults the
        // access before any byte is written.
        for (i, t) in ts.iter().take(size as usize).enumerate() {
            if let Some(unit) = t.blocked {
                self.blocked_write(*t, unit, 1, value >> (8 * i), va.offset(i as u64))?;
            }
        }
        for (i, t) in ts.iter().take(size as usize).enumerate() {
            if t.blocked.is_none() {
                self.note_write(t.pa);
                self.space.write(t.pa, 1, value >> (8 * i)).map_err(|_| {
                    fault(MemFaultKind::Access, AccessType::Write, va.offset(i as u64))
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDX: MmuIdx = MmuIdx(0);

    /// Maps every page except 0x8000_1000; page 0x8000_2000 is read-only.
    struct Hole;
    impl TlbFill for Hole {
        fn fill(
            &mut self,
            s: &mut AddressSpace,
            va: GuestVirtAddr,
            size: u8,
            a: AccessType,
            i: MmuIdx,
        ) -> Result<Fill, MemFaultKind> {
            match va.0 >> 12 {
                0x80001 => Err(MemFaultKind::Page),
                0x80002 if a == AccessType::Write => Err(MemFaultKind::Page),
                0x80002 => Ok(Fill {
                    prot: PROT_READ,
                    ..Bare.fill(s, va, size, a, i)?
                }),
                _ => Bare.fill(s, va, size, a, i),
            }
        }
    }

    fn mmu() -> Mmu {
        let mut s = AddressSpace::new();
        s.add_ram("ram", 0x8000_0000, 0x4000).unwrap();
        Mmu::new(s)
    }

    #[test]
    fn misaligned_load_store_round_trip() {
        let mut m = mmu();
        m.store(
            &mut Bare,
            IDX,
            GuestVirtAddr(0x8000_0003),
            8,
            0x0102_0304_0506_0708,
        )
        .unwrap();
        assert_eq!(
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_0003), 8),
            Ok(0x0102_0304_0506_0708)
        );
        assert_eq!(
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_0004), 2),
            Ok(0x0607)
        );
    }

    #[test]
    fn crossing_into_faulting_page_reports_second_page_and_writes_nothing() {
        let mut m = mmu();
        let err = m
            .store(&mut Hole, IDX, GuestVirtAddr(0x8000_0ffe), 4, u64::MAX)
            .unwrap_err();
        assert_eq!(err.kind, MemFaultKind::Page);
        assert_eq!(err.addr, GuestVirtAddr(0x8000_1000));
        assert_eq!(
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_0ffe), 2),
            Ok(0),
            "no partial store"
        );
    }

    #[test]
    fn fetch_splits_32_bit_instruction_across_pages() {
        let mut m = mmu();
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_2ffe), 4, 0x1234_0013)
            .unwrap();
        assert_eq!(
            m.fetch(&mut Bare, IDX, GuestVirtAddr(0x8000_2ffe)),
            Ok(0x1234_0013)
        );
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0ffe), 2, 0x0013)
            .unwrap();
        m.flush_all();
        let err = m
            .fetch(&mut Hole, IDX, GuestVirtAddr(0x8000_0ffe))
            .unwrap_err();
        assert_eq!(
            (err.kind, err.addr),
            (MemFaultKind::Page, GuestVirtAddr(0x8000_1000))
        );
        let unmapped = m.fetch(&mut Bare, IDX, GuestVirtAddr(0x1000)).unwrap_err();
        assert_eq!(unmapped.kind, MemFaultKind::Access);
    }

    #[test]
    fn second_access_hits_and_permissions_are_per_type() {
        let mut m = mmu();
        assert_eq!(m.load(&mut Hole, IDX, GuestVirtAddr(0x8000_2008), 8), Ok(0));
        let s0 = m.tlb_stats(IDX);
        assert_eq!((s0.misses, s0.fills), (1, 1));
        assert_eq!(m.load(&mut Hole, IDX, GuestVirtAddr(0x8000_2010), 4), Ok(0));
        assert_eq!(m.tlb_stats(IDX).hits, 1, "same page: fast path");
        let err = m
            .store(&mut Hole, IDX, GuestVirtAddr(0x8000_2010), 4, 1)
            .unwrap_err();
        assert_eq!(
            err.kind,
            MemFaultKind::Page,
            "read-only page refuses writes"
        );
    }

    #[test]
    fn writes_to_code_pages_are_caught_once() {
        let mut m = mmu();
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0100), 4, 1)
            .unwrap();
        m.mark_code(GuestPhysAddr(0x8000_0000));
        assert!(!m.has_dirty_code());
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0104), 4, 2)
            .unwrap();
        assert_eq!(m.take_dirty_code(), vec![GuestPhysAddr(0x8000_0000)]);
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0108), 4, 3)
            .unwrap();
        assert!(!m.has_dirty_code(), "page no longer code");
        assert_eq!(
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_0104), 4),
            Ok(2),
            "store landed"
        );
        // Writes through a misaligned split and through atomics are seen too.
        m.mark_code(GuestPhysAddr(0x8000_3000));
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_2fff), 2, 0xffff)
            .unwrap();
        assert_eq!(m.take_dirty_code(), vec![GuestPhysAddr(0x8000_3000)]);
        m.mark_code(GuestPhysAddr(0x8000_1000));
        let pa = m
            .translate_atomic(
                &mut Bare,
                IDX,
                GuestVirtAddr(0x8000_1000),
                8,
                Atomic::ReadModifyWrite,
            )
            .unwrap();
        m.write_phys(pa, 8, 5).unwrap();
        assert_eq!(m.take_dirty_code(), vec![GuestPhysAddr(0x8000_1000)]);
    }

    #[test]
    fn flush_page_drops_the_translation() {
        let mut m = mmu();
        m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_1000), 8)
            .unwrap();
        m.flush_page(GuestVirtAddr(0x8000_1000));
        let err = m
            .load(&mut Hole, IDX, GuestVirtAddr(0x8000_1000), 8)
            .unwrap_err();
        assert_eq!(
            err.kind,
            MemFaultKind::Page,
            "refilled through the new translation"
        );
    }
}

#[cfg(test)]
mod iommu_tests {
    use super::*;
    use crate::device::BusError;
    use crate::iommu::{Iommu, IommuTlbEntry};
    use std::cell::RefCell;
    use std::rc::Rc;

    const IDX: MmuIdx = MmuIdx(0);
    const RO: u64 = 0x8000_2000;
    const REMAP: u64 = 0x8000_3000;
    const REGS: u64 = 0x1000_0000;

    /// What the test checker saw.
    #[derive(Default)]
    struct Log {
        translations: u64,
        blocked_reads: u64,
        blocked_writes: u64,
        /// Page RO grants nothing at all (a revocation).
        revoked: bool,
        /// Blocked writes answer a bus error.
        bus_error: bool,
        /// Page RO's answers hold for 4 bytes only.
        sub_page: bool,
        changed: bool,
    }

    /// Guards RO (read-only, identity) and REMAP (reads from page 0,
    /// writes to page 1: two host backings for one entry).
    struct Checker(Rc<RefCell<Log>>);

    impl Iommu for Checker {
        fn translate(
            &mut self,
            addr: GuestPhysAddr,
            _size: u8,
            access: AccessType,
            _attrs: MemAttrs,
        ) -> IommuTlbEntry {
            let mut l = self.0.borrow_mut();
            l.translations += 1;
            let lg = if l.sub_page { 2 } else { 12 };
            let off = addr.0 & !PAGE_MASK;
            match (addr.0 & PAGE_MASK, access) {
                (RO, AccessType::Read) if !l.revoked => {
                    IommuTlbEntry::identity(addr, PROT_READ, lg)
                }
                (REMAP, AccessType::Read) => {
                    IommuTlbEntry::identity(GuestPhysAddr(0x8000_0000 | off), PROT_READ, 12)
                }
                (REMAP, AccessType::Write) => {
                    IommuTlbEntry::identity(GuestPhysAddr(0x8000_1000 | off), PROT_WRITE, 12)
                }
                _ => IommuTlbEntry::blocked(addr, lg),
            }
        }
        fn blocked_read(
            &mut self,
            _a: GuestPhysAddr,
            _s: u8,
            _t: AccessType,
            _m: MemAttrs,
        ) -> Result<u64, BusError> {
            self.0.borrow_mut().blocked_reads += 1;
            Ok(0)
        }
        fn blocked_write(
            &mut self,
            _a: GuestPhysAddr,
            _s: u8,
            _v: u64,
            _m: MemAttrs,
        ) -> Result<(), BusError> {
            let mut l = self.0.borrow_mut();
            l.blocked_writes += 1;
            if l.bus_error {
                Err(BusError)
            } else {
                Ok(())
            }
        }
        fn take_config_changed(&mut self) -> bool {
            std::mem::take(&mut self.0.borrow_mut().changed)
        }
        fn reg_read(&mut self, _o: u64, _s: u8, _m: MemAttrs) -> Result<u64, BusError> {
            Ok(0)
        }
        fn reg_write(&mut self, _o: u64, _s: u8, v: u64, _m: MemAttrs) -> Result<(), BusError> {
            let mut l = self.0.borrow_mut();
            l.revoked = v & 1 != 0;
            l.changed = true;
            Ok(())
        }
    }

    fn guarded() -> (Mmu, Rc<RefCell<Log>>) {
        let mut s = AddressSpace::new();
        s.add_ram("ram", 0x8000_0000, 0x8000).unwrap();
        let log = Rc::new(RefCell::new(Log::default()));
        s.add_iommu(
            "checker",
            (REGS, 0x1000),
            (RO, 0x2000),
            Box::new(Checker(log.clone())),
        )
        .unwrap();
        s.write(GuestPhysAddr(RO + 8), 8, 0x1234).unwrap();
        s.write(GuestPhysAddr(0x8000_0010), 8, 0xaaaa).unwrap();
        (Mmu::new(s), log)
    }

    fn ld(m: &mut Mmu, va: u64) -> Result<u64, MemFault> {
        m.load(&mut Bare, IDX, GuestVirtAddr(va), 8)
    }

    fn st(m: &mut Mmu, va: u64, v: u64) -> Result<(), MemFault> {
        m.store(&mut Bare, IDX, GuestVirtAddr(va), 8, v)
    }

    #[test]
    fn read_only_page_reads_fast_writes_blocked_without_thrashing() {
        let (mut m, log) = guarded();
        for i in 0..1000 {
            assert_eq!(ld(&mut m, RO + 8), Ok(0x1234));
            assert_eq!(st(&mut m, RO + 8, i), Ok(()), "blocked write dropped");
        }
        let s = m.stats;
        assert_eq!(s.iommu_translations, [1, 1, 0], "one question per type");
        assert_eq!(s.iommu_slow[0], 1, "reads after the first are fast");
        assert_eq!(s.iommu_slow[1], 1000, "every write reaches the checker");
        assert_eq!((s.iommu_patched, s.iommu_blocked), (1, 1000));
        assert_eq!(log.borrow().blocked_writes, 1000);
        assert_eq!(m.tlb_stats(IDX).fills, 1, "no refills");
        let e = *m.tlb(IDX).entry(RO);
        assert_eq!(e.addr_read, RO, "read comparator patched");
        assert_eq!(
            e.addr_write,
            RO | TLB_IOMMU,
            "write comparator still flagged"
        );
        assert_eq!(e.addr_code, RO | TLB_IOMMU, "fetch not asked yet");
    }

    #[test]
    fn blocked_write_with_bus_error_faults_and_fetch_sees_the_checker() {
        let (mut m, log) = guarded();
        log.borrow_mut().bus_error = true;
        let e = st(&mut m, RO, 1).unwrap_err();
        assert_eq!(
            (e.kind, e.access),
            (MemFaultKind::Access, AccessType::Write)
        );
        assert_eq!(ld(&mut m, RO + 8), Ok(0x1234), "nothing written");
        // Fetch is blocked here: the hart decodes what the checker answers.
        assert_eq!(m.fetch(&mut Bare, IDX, GuestVirtAddr(RO)), Ok(0));
        let c = m.translate_code(&mut Bare, IDX, GuestVirtAddr(RO)).unwrap();
        assert!(!c.cacheable, "blocked code is never cached");
        assert_eq!(log.borrow().blocked_reads, 1);
    }

    #[test]
    fn conflicting_second_backing_keeps_that_type_slow_and_correct() {
        let (mut m, _log) = guarded();
        assert_eq!(
            ld(&mut m, REMAP + 0x10),
            Ok(0xaaaa),
            "read backed by page 0"
        );
        for v in 0..3 {
            st(&mut m, REMAP + 0x18, v).unwrap();
        }
        assert_eq!(ld(&mut m, 0x8000_1018), Ok(2), "writes backed by page 1");
        assert_eq!(ld(&mut m, REMAP + 0x18), Ok(0), "reads still from page 0");
        let s = m.stats;
        assert_eq!(s.iommu_conflicts, 1);
        assert_eq!(s.iommu_translations[1], 1, "the answer is kept");
        assert_eq!(s.iommu_slow[1], 3, "but writes stay slow");
        assert_eq!(s.iommu_slow[0], 1, "reads are patched");
        // A misaligned write straddling into the remapped page splits
        // correctly across both translations.
        st(&mut m, REMAP - 4, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_1000), 4),
            Ok(0x1122_3344)
        );
    }

    #[test]
    fn reprogramming_the_checker_revokes_at_the_next_access() {
        let (mut m, log) = guarded();
        assert_eq!(ld(&mut m, RO + 8), Ok(0x1234));
        let g = m.generation();
        st(&mut m, REGS, 1).unwrap();
        assert_eq!(m.stats.checker_flushes, 1);
        assert_ne!(m.generation(), g, "callers see the flush");
        assert_eq!(ld(&mut m, RO + 8), Ok(0), "now blocked: read as zero");
        assert_eq!(log.borrow().blocked_reads, 1);
        st(&mut m, REGS, 0).unwrap();
        assert_eq!(ld(&mut m, RO + 8), Ok(0x1234), "granted again");
    }

    #[test]
    fn refills_reuse_the_iotlb_but_not_across_requesters() {
        let (mut m, log) = guarded();
        assert_eq!(ld(&mut m, RO + 8), Ok(0x1234));
        m.flush_all(); // e.g. satp written: the checker's answer still holds
        assert_eq!(ld(&mut m, RO + 8), Ok(0x1234));
        assert_eq!(m.stats.iommu_translations[0], 1);
        assert_eq!((m.stats.iotlb_hits, log.borrow().translations), (1, 1));
        assert_eq!(m.tlb(IDX).entry(RO).addr_read, RO, "patched from the IOTLB");
        // Another world is another question.
        struct World1;
        impl TlbFill for World1 {
            fn fill(
                &mut self,
                s: &mut AddressSpace,
                va: GuestVirtAddr,
                size: u8,
                a: AccessType,
                i: MmuIdx,
            ) -> Result<Fill, MemFaultKind> {
                let f = Bare.fill(s, va, size, a, i)?;
                Ok(Fill {
                    attrs: MemAttrs {
                        world_id: 1,
                        requester_id: 0,
                    },
                    ..f
                })
            }
        }
        m.flush_all();
        assert_eq!(
            m.load(&mut World1, IDX, GuestVirtAddr(RO + 8), 8),
            Ok(0x1234)
        );
        assert_eq!(m.stats.iommu_translations[0], 2);
    }

    #[test]
    fn sub_page_answers_are_asked_every_time() {
        let (mut m, log) = guarded();
        log.borrow_mut().sub_page = true;
        for _ in 0..5 {
            assert_eq!(ld(&mut m, RO + 8), Ok(0x1234));
        }
        assert_eq!(m.stats.iommu_translations[0], 5);
        assert_eq!(m.stats.iommu_patched, 0);
        let c = m.translate_code(&mut Bare, IDX, GuestVirtAddr(RO)).unwrap();
        assert!(!c.cacheable);
    }
}

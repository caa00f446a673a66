//! The one memory path: every guest load, store and fetch goes through [`Mmu`].
//!
//! An access first tries the TLB fast path of its MMU index (see
//! [`crate::tlb`]): a compare of the page-aligned address against the entry's
//! comparator, then `host = va + addend` into main RAM. Everything else takes
//! the slow path: the victim TLB, a fill through the caller's [`TlbFill`]
//! (the hart's page walk and PMP), device dispatch, writes into pages that
//! hold decoded code, and misaligned or page-crossing accesses.
//!
//! - this file: the API, the fast paths, code-page tracking, flushes and
//!   the slow-path loads and stores;
//! - [`fill`](self::fill): TLB misses: the victim TLB, the fill (DESIGN
//!   §4's *early walk*, which stops at an IOMMU region) and where an access
//!   goes;
//! - [`iommu`](self::iommu): lazy, access-typed IOMMU translation (the
//!   *late walk*, the IOTLB, blocked accesses, the flush when a checker is
//!   reprogrammed): DESIGN §4 top to bottom;
//! - [`split`](self::split): misaligned and page-crossing accesses.
//!
//! Misaligned loads and stores are emulated byte by byte after every byte has
//! been translated, so a fault leaves memory untouched and reports the
//! address of the first byte in the faulting page. Misaligned accesses to
//! devices are access faults. Atomics must be aligned (the caller checks).

mod fill;
mod iommu;
mod split;

pub use crate::access::AccessType;
use crate::access::{MemAttrs, PROT_EXEC, PROT_READ, PROT_WRITE};
use rustc_hash::FxHashMap;

use crate::profile::{outcome, MemProfile};

use crate::addr::{GuestPhysAddr, GuestVirtAddr};
use crate::space::{AddressSpace, RegionKind};
use crate::tlb::{
    MmuIdx, TableView, Tlb, TlbStats, NUM_MMU_IDX, PAGE_BITS, PAGE_MASK, PAGE_SIZE, TLB_INVALID,
    TLB_IOMMU, TLB_MMIO, TLB_NOTDIRTY,
};

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
}

/// Entries of the IOTLB (fully associative, replaced round-robin).
const IOTLB_ENTRIES: usize = 16;
/// Words of a code page's instruction bitmap (one bit per 2 bytes).
const CODE_WORDS: usize = (PAGE_SIZE / 2 / 64) as usize;

/// A guest write that overlapped decoded or translated instructions
/// ([`Mmu::take_dirty_code`]): `len` bytes at `pa`, within one page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeWrite {
    pub pa: GuestPhysAddr,
    pub len: u16,
}

impl CodeWrite {
    /// Whether the `n` bytes at `start` overlap the written bytes.
    pub fn overlaps(&self, start: u64, n: u64) -> bool {
        start < self.pa.0 + self.len as u64 && self.pa.0 < start + n
    }
}

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
    /// For each code page (by RAM page number): one bit per 2-byte unit
    /// of the page, set where a decoded or translated instruction lies.
    code_bytes: FxHashMap<usize, Box<[u64; CODE_WORDS]>>,
    /// Writes that overlapped decoded or translated instructions since the
    /// last [`Mmu::take_dirty_code`].
    dirty_code: Vec<CodeWrite>,
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
    /// Set by any device access (see [`Mmu::take_device_touched`]).
    device_touched: bool,
    pub stats: MmuStats,
    /// The data-access profile (`--profile`), when one is being taken.
    pub prof: Option<Box<MemProfile>>,
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
            code_bytes: FxHashMap::default(),
            dirty_code: Vec::new(),
            generation: 0,
            iotlb: [IoTlbEntry::EMPTY; IOTLB_ENTRIES],
            iotlb_next: 0,
            iotlb_mru: [[0; 2]; 3],
            device_touched: false,
            stats: MmuStats::default(),
            prof: None,
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
    pub fn tlb_view(&self, idx: MmuIdx) -> TableView {
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

    /// Whether a device was accessed since the last
    /// [`Mmu::take_device_touched`] (device accesses can raise interrupts or
    /// end the run: engines leave their loops for the run loop).
    pub fn device_touched(&self) -> bool {
        self.device_touched
    }

    /// Reports and forgets device accesses: the engine that ran them calls
    /// it once it has handed control back to the run loop.
    pub fn take_device_touched(&mut self) -> bool {
        std::mem::take(&mut self.device_touched)
    }

    /// Changes whenever any TLB is flushed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

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
    #[inline(always)]
    pub fn load(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
    ) -> Result<u64, MemFault> {
        if let Some((off, v)) = self.read_hit(idx, va.0, size) {
            self.tlbs[idx.idx()].stats.hits += 1;
            if self.prof.is_some() {
                self.prof_fast(AccessType::Read, off);
            }
            return Ok(v);
        }
        self.load_slow(tr, idx, va, size)
    }

    /// A load through the entry of `va`'s slot when it maps plain RAM for
    /// reading: the RAM offset and the value.
    #[inline(always)]
    fn read_hit(&self, idx: MmuIdx, va: u64, size: u8) -> Option<(u64, u64)> {
        let off = self.fast_offset(idx, va, size, AccessType::Read)?;
        let v = self.space.ram(self.ram_index)?.read(off, size)?;
        Some((off, v))
    }

    /// Stores the low `size` bytes of `value`.
    #[inline(always)]
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
                if self.prof.is_some() {
                    self.prof_fast(AccessType::Write, off);
                }
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

    /// Whether physical `pa` lies in main RAM, and its page number there.
    fn ram_page(&self, pa: GuestPhysAddr) -> Option<usize> {
        let off = pa.0.wrapping_sub(self.ram_base);
        (off < self.ram_size).then_some((off >> PAGE_BITS) as usize)
    }

    /// Writes main RAM at physical `pa`, if the bytes lie there (`Ram::write`
    /// checks the bounds; below the base the offset wraps out of them).
    fn write_main_ram(&mut self, pa: GuestPhysAddr, size: u8, value: u64) -> Option<()> {
        let off = pa.0.wrapping_sub(self.ram_base);
        self.space.ram_mut(self.ram_index)?.write(off, size, value)
    }

    /// Whether physical `pa` lies in main RAM (where code may be cached).
    pub fn is_main_ram(&self, pa: GuestPhysAddr) -> bool {
        self.ram_page(pa).is_some()
    }

    /// Marks `[pa, pa + len)` (within one main-RAM page) as holding decoded
    /// or translated instructions: from now on every write to the page goes
    /// through the slow path, and one that overlaps these bytes is recorded
    /// for [`Mmu::take_dirty_code`].
    pub fn mark_code(&mut self, pa: GuestPhysAddr, len: u64) {
        let Some(p) = self.ram_page(pa) else { return };
        let off = pa.page_offset();
        let end = (off + len).min(PAGE_SIZE);
        if end <= off {
            return;
        }
        let bits = self
            .code_bytes
            .entry(p)
            .or_insert_with(|| Box::new([0; CODE_WORDS]));
        for unit in off / 2..end.div_ceil(2) {
            bits[unit as usize / 64] |= 1 << (unit % 64);
        }
        if self.code_pages[p / 64] & (1 << (p % 64)) != 0 {
            return;
        }
        self.code_pages[p / 64] |= 1 << (p % 64);
        for t in &mut self.tlbs {
            t.set_write_flag_for_phys(pa.0 & PAGE_MASK, TLB_NOTDIRTY);
        }
    }

    /// Notes a write of `size` bytes at physical `pa` (within one page):
    /// one that overlaps marked instructions is recorded as dirty code and
    /// unmarks the bytes it wrote (everything translated over them is about
    /// to be dropped). Returns whether the page still holds code; when it no
    /// longer does, its writes may take the fast path again.
    fn note_write(&mut self, pa: GuestPhysAddr, size: u16) -> bool {
        let Some(p) = self.ram_page(pa) else {
            return false;
        };
        if self.code_pages[p / 64] & (1 << (p % 64)) == 0 {
            return false;
        }
        let off = pa.page_offset();
        let end = (off + size as u64).min(PAGE_SIZE);
        let Some(bits) = self.code_bytes.get_mut(&p) else {
            return false;
        };
        let mut hit = false;
        for unit in off / 2..end.div_ceil(2) {
            let (w, b) = (unit as usize / 64, 1u64 << (unit % 64));
            hit |= bits[w] & b != 0;
            bits[w] &= !b;
        }
        if !hit {
            // A store beside code (the common case): the page holds what it
            // held. (Scanning the bitmap here on every such store was a
            // quarter of `smcbench_nextdoor`'s time.)
            return true;
        }
        self.dirty_code.push(CodeWrite { pa, len: size });
        self.stats.code_writes += 1;
        if bits.iter().any(|&w| w != 0) {
            return true;
        }
        self.code_bytes.remove(&p);
        self.code_pages[p / 64] &= !(1 << (p % 64));
        false
    }

    /// Notes a write of `len` bytes at `pa` made outside the guest's
    /// load/store path (a loader, a debugger, a test harness): decoded or
    /// translated code it overlaps is reported as dirty like a guest store's.
    pub fn note_external_write(&mut self, pa: GuestPhysAddr, len: u64) {
        let end = pa.0.saturating_add(len);
        let mut a = pa.0;
        while a < end {
            let piece = (PAGE_SIZE - (a & !PAGE_MASK)).min(end - a);
            self.note_write(GuestPhysAddr(a), piece as u16);
            a += piece;
        }
    }

    /// Whether code pages were written since the last `take_dirty_code`.
    #[inline(always)]
    pub fn has_dirty_code(&self) -> bool {
        !self.dirty_code.is_empty()
    }

    /// The writes into decoded or translated instructions since the last
    /// call; code overlapping them is stale.
    pub fn take_dirty_code(&mut self) -> Vec<CodeWrite> {
        std::mem::take(&mut self.dirty_code)
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
        // Counted as one slow-path access of the atomic's type (an LR
        // reads, an SC or AMO writes): atomics always take the slow path.
        let access = match op {
            Atomic::LoadReserved => AccessType::Read,
            _ => AccessType::Write,
        };
        self.profiled(access, |m| {
            let pa = m.translate_atomic_inner(tr, idx, va, size, op)?;
            m.prof_target(pa);
            Ok(pa)
        })
    }

    fn translate_atomic_inner(
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
        self.note_write(pa, size as u16);
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
        self.profiled(AccessType::Read, |m| m.load_slow_inner(tr, idx, va, size))
    }

    fn load_slow_inner(
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
        self.ensure(tr, idx, va, size, access)?;
        // A refilled or victim-swapped plain RAM entry: read as the fast
        // path does (the victim TLB's hits, e.g. two pages of one slot
        // taking turns, cost a third less).
        // (Profiled runs resolve the entry: they count its physical page.)
        if self.prof.is_none() {
            if let Some((_, v)) = self.read_hit(idx, va.0, size) {
                return Ok(v);
            }
        }
        let t = self.resolve(idx, va, size, access);
        self.prof_target(t.pa);
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
        self.profiled(AccessType::Write, |m| {
            m.store_slow_inner(tr, idx, va, size, value)
        })
    }

    fn store_slow_inner(
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
        self.prof_target(t.pa);
        if let Some(unit) = t.blocked {
            return self.blocked_write(t, unit, size, value, va);
        }
        let device = t.flags & (TLB_MMIO | TLB_IOMMU) != 0 && self.device_access(t.pa, size);
        if t.flags & TLB_NOTDIRTY != 0 {
            self.prof_reason(outcome::NOTDIRTY);
        }
        if t.flags & TLB_NOTDIRTY != 0 && !self.note_write(t.pa, size as u16) {
            // The page no longer holds code: later writes may take the fast path.
            self.tlbs[idx.idx()].clear_flag(va.0, access, TLB_NOTDIRTY);
        }
        // Main RAM directly, as the fast path writes it (a store to a page
        // holding code comes here every time); the bus for the rest.
        let r = match self.write_main_ram(t.pa, size, value) {
            Some(()) => Ok(()),
            None => self
                .space
                .write_as(t.pa, size, value, t.attrs)
                .map_err(|_| fault(MemFaultKind::Access, access, va)),
        };
        if device {
            self.after_device_write();
        }
        r
    }

    /// Counts a device access; returns whether `pa` is a device.
    fn device_access(&mut self, pa: GuestPhysAddr, size: u8) -> bool {
        let device = self.space.is_device(pa, size as u64);
        if device {
            self.device_touched = true;
            self.stats.mmio += 1;
            if let Some(p) = self.prof.as_deref_mut() {
                p.device(self.space.region(pa, 1).map_or("?", |r| r.name));
            }
        }
        device
    }

    /// Main RAM: guest physical base, size and host address of its first
    /// byte (a fast-path host address lies in `[host, host + size)`).
    pub fn main_ram(&self) -> (u64, u64, u64) {
        (self.ram_base, self.ram_size, self.ram_host)
    }

    /// Counts a fast-path hit at main-RAM offset `off` (kept out of line:
    /// the fast paths stay small enough to be inlined into the
    /// interpreter's loop).
    #[cold]
    #[inline(never)]
    fn prof_fast(&mut self, access: AccessType, off: u64) {
        if let Some(p) = self.prof.as_deref_mut() {
            p.fast(access, self.ram_base + off);
        }
    }

    /// Whether a profile is being taken.
    #[inline]
    pub fn profiling(&self) -> bool {
        self.prof.is_some()
    }

    /// Counts the data accesses that follow against guest pc `pc`.
    #[inline]
    pub fn set_profile_pc(&mut self, pc: u64) {
        if let Some(p) = self.prof.as_deref_mut() {
            p.pc = pc;
        }
    }

    /// Runs the slow-path access `f`, counted as one slow access of type
    /// `access` with the reasons it meets, when a profile is taken.
    #[inline(always)]
    fn profiled<T>(
        &mut self,
        access: AccessType,
        f: impl FnOnce(&mut Self) -> Result<T, MemFault>,
    ) -> Result<T, MemFault> {
        if self.prof.is_none() {
            return f(self);
        }
        if let Some(p) = self.prof.as_deref_mut() {
            p.begin();
        }
        let r = f(self);
        if let Some(p) = self.prof.as_deref_mut() {
            p.end(access, r.is_ok());
        }
        r
    }

    pub(super) fn prof_reason(&mut self, outcome: usize) {
        if let Some(p) = self.prof.as_deref_mut() {
            p.reason(outcome);
        }
    }

    pub(super) fn prof_target(&mut self, pa: GuestPhysAddr) {
        if let Some(p) = self.prof.as_deref_mut() {
            p.target(pa.0);
        }
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
        s.add_ram("ram", GuestPhysAddr(0x8000_0000), 0x4000)
            .unwrap();
        Mmu::new(s)
    }

    #[test]
    fn profile_counts_fast_hits_and_slow_reasons_per_pc() {
        use crate::profile::outcome::*;
        let mut m = mmu();
        m.prof = Some(Box::default());
        let at = |m: &mut Mmu, pc: u64| m.set_profile_pc(pc);
        at(&mut m, 0x100);
        for _ in 0..3 {
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_0008), 8)
                .unwrap();
        }
        at(&mut m, 0x108);
        m.load(&mut Hole, IDX, GuestVirtAddr(0x8000_1000), 4)
            .unwrap_err();
        at(&mut m, 0x104);
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0ffe), 4, 1)
            .unwrap();
        let p = m.prof.as_deref().unwrap();
        let c = |pc, a| p.by_pc[&(pc, a)];
        let load = c(0x100, AccessType::Read);
        assert_eq!((load[FAST], load[SLOW], load[TLB_MISS]), (2, 1, 1));
        let split = c(0x104, AccessType::Write);
        assert_eq!((split[FAST], split[SLOW], split[SPLIT]), (0, 1, 1));
        let fault = c(0x108, AccessType::Read);
        assert_eq!((fault[SLOW], fault[TLB_MISS], fault[FAULT]), (1, 1, 1));
        assert_eq!(p.pages[&(0x8000_0000, AccessType::Read)], [3, 1]);
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

    fn cw(pa: u64, len: u16) -> CodeWrite {
        CodeWrite {
            pa: GuestPhysAddr(pa),
            len,
        }
    }

    #[test]
    fn writes_into_marked_code_bytes_are_caught_once() {
        let mut m = mmu();
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0100), 4, 1)
            .unwrap();
        // Instructions at 0x100..0x108 (a 4-byte and two 2-byte ones).
        m.mark_code(GuestPhysAddr(0x8000_0100), 4);
        m.mark_code(GuestPhysAddr(0x8000_0104), 2);
        m.mark_code(GuestPhysAddr(0x8000_0106), 2);
        assert!(!m.has_dirty_code());
        // Data next to the code, on the same page: no invalidation.
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0108), 8, 7)
            .unwrap();
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_00f8), 8, 7)
            .unwrap();
        assert!(
            !m.has_dirty_code(),
            "writes beside code are not code writes"
        );
        // One byte inside the 4-byte instruction.
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0103), 1, 2)
            .unwrap();
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_0103, 1)]);
        // A misaligned halfword store (split into bytes) overlapping the
        // last two.
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0105), 2, 3)
            .unwrap();
        assert_eq!(
            m.take_dirty_code(),
            vec![cw(0x8000_0105, 1), cw(0x8000_0106, 1)]
        );
        // Written bytes are unmarked: the same write again is plain data...
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0105), 2, 3)
            .unwrap();
        assert!(!m.has_dirty_code());
        // ...but bytes of the same instructions not yet written are still code.
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0100), 1, 3)
            .unwrap();
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_0100, 1)]);
        assert_eq!(
            m.load(&mut Bare, IDX, GuestVirtAddr(0x8000_0100), 8),
            Ok(0x0000_0300_0200_0003),
            "stores landed"
        );
        // Writes through a misaligned split and through atomics are seen too.
        m.mark_code(GuestPhysAddr(0x8000_3000), 4);
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_2fff), 2, 0xffff)
            .unwrap();
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_3000, 1)]);
        m.mark_code(GuestPhysAddr(0x8000_1000), 2);
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
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_1000, 8)]);
    }

    #[test]
    fn a_page_whose_code_was_all_overwritten_is_data_again() {
        let mut m = mmu();
        m.mark_code(GuestPhysAddr(0x8000_0200), 4);
        assert!(m.is_code_page(GuestPhysAddr(0x8000_0000)));
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0200), 4, 1)
            .unwrap();
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_0200, 4)]);
        assert!(!m.is_code_page(GuestPhysAddr(0x8000_0000)));
        let stats = m.stats;
        m.store(&mut Bare, IDX, GuestVirtAddr(0x8000_0208), 4, 1)
            .unwrap();
        assert_eq!(m.stats.code_writes, stats.code_writes);
    }

    /// A fill that updates a "PTE" at `pte` (as a page walk's A/D update does)
    /// and then grants or refuses the access.
    struct WritingWalk {
        pte: u64,
        grant: bool,
    }
    impl TlbFill for WritingWalk {
        fn fill(
            &mut self,
            s: &mut AddressSpace,
            va: GuestVirtAddr,
            size: u8,
            a: AccessType,
            i: MmuIdx,
        ) -> Result<Fill, MemFaultKind> {
            s.write_checked(GuestPhysAddr(self.pte), 8, 0x40, MemAttrs::default())
                .unwrap();
            if !self.grant {
                return Err(MemFaultKind::Access);
            }
            Bare.fill(s, va, size, a, i)
        }
    }

    #[test]
    fn page_walk_writes_into_code_pages_are_caught_even_when_the_fill_faults() {
        let mut m = mmu();
        m.mark_code(GuestPhysAddr(0x8000_3000), 0x100);
        let mut w = WritingWalk {
            pte: 0x8000_3008,
            grant: true,
        };
        m.load(&mut w, IDX, GuestVirtAddr(0x8000_1000), 8).unwrap();
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_3008, 8)]);
        let mut w = WritingWalk {
            pte: 0x8000_3010,
            grant: false,
        };
        assert!(m.load(&mut w, IDX, GuestVirtAddr(0x8000_2000), 8).is_err());
        assert_eq!(m.take_dirty_code(), vec![cw(0x8000_3010, 8)]);
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

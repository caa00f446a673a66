//! The software TLB: per-MMU-index fast tables, full entries, victim TLB, dynamic sizing.
//!
//! Modelled on QEMU's `accel/tcg/cputlb.c`. Each MMU index (a translation
//! regime: M, S, U, S with SUM...) has a direct-mapped table of 32-byte
//! [`TlbEntry`]s indexed by virtual page number. An entry holds one
//! *comparator* per access type: the page-aligned virtual address, with flag
//! bits in the low bits, or [`TLB_NO_PERM`] when the type is not permitted.
//! The fast path of an access of `size` bytes at `va` is
//!
//! ```text
//! e = table[(va >> 12) & mask]
//! if (va & (PAGE_MASK | (size - 1))) == e.addr_read { host = va + e.addend; ... }
//! ```
//!
//! A misaligned `va` keeps low bits the comparator lacks, and any flag bit in
//! the comparator is absent from `va & PAGE_MASK`, so both fail the compare
//! and fall to the slow path. `TLB_NO_PERM` has every low bit set, so it never
//! matches. A side table of [`TlbFull`] entries, parallel to the fast table,
//! keeps what the slow path needs: physical page, protection, page size,
//! attributes and the per-access-type IOMMU state.

use crate::access::{access_index, AccessType, MemAttrs};
use crate::addr::{GuestPhysAddr, GuestVirtAddr};

pub use crate::addr::{PAGE_BITS, PAGE_MASK, PAGE_SIZE};

/// The entry is not valid: always take the slow path (and refill).
pub const TLB_INVALID: u64 = 1 << 11;
/// The page is not RAM: the slow path dispatches to the region.
pub const TLB_MMIO: u64 = 1 << 10;
/// Writes must go through the slow path: the page holds translated code.
pub const TLB_NOTDIRTY: u64 = 1 << 9;
/// The page sits behind an IOMMU and this access type is not yet translated.
pub const TLB_IOMMU: u64 = 1 << 7;
/// All flag bits.
pub const TLB_FLAGS_MASK: u64 = TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY | TLB_IOMMU;
/// Comparator value for "no permission": matches no address.
pub const TLB_NO_PERM: u64 = u64::MAX;

/// Number of MMU indexes (translation regimes) the TLB keeps apart.
pub const NUM_MMU_IDX: usize = 4;

/// Smallest and largest table sizes (entries); tables start at the default.
pub const TLB_MIN_ENTRIES: usize = 64;
pub const TLB_MAX_ENTRIES: usize = 1 << 20;
pub const TLB_DEFAULT_ENTRIES: usize = 256;
/// The largest size a TLB grows to under pressure between flushes (see
/// [`Tlb::under_pressure`]): 16 Ki entries map 64 MiB, and the fast table
/// (512 KiB) still fits the host's L2.
pub const TLB_PRESSURE_MAX_ENTRIES: usize = 1 << 14;
/// Victim TLB entries per MMU index.
pub const VICTIM_ENTRIES: usize = 8;
/// Flushes over which the use of a table is observed before shrinking it.
const RESIZE_WINDOW_FLUSHES: u32 = 16;

/// A translation regime. The hart decides what each index means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MmuIdx(pub u8);

impl MmuIdx {
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// One fast-table entry: what generated code reads. 32 bytes, `#[repr(C)]`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlbEntry {
    pub addr_read: u64,
    pub addr_write: u64,
    pub addr_code: u64,
    /// `host address = guest virtual address + addend` for RAM pages.
    pub addend: u64,
}

const _: () = assert!(core::mem::size_of::<TlbEntry>() == 32);

impl TlbEntry {
    pub const EMPTY: TlbEntry = TlbEntry {
        addr_read: TLB_NO_PERM,
        addr_write: TLB_NO_PERM,
        addr_code: TLB_NO_PERM,
        addend: 0,
    };

    /// The comparator for an access type.
    #[inline(always)]
    pub fn comparator(&self, access: AccessType) -> u64 {
        match access {
            AccessType::Read => self.addr_read,
            AccessType::Write => self.addr_write,
            AccessType::Fetch => self.addr_code,
        }
    }

    pub fn comparator_mut(&mut self, access: AccessType) -> &mut u64 {
        match access {
            AccessType::Read => &mut self.addr_read,
            AccessType::Write => &mut self.addr_write,
            AccessType::Fetch => &mut self.addr_code,
        }
    }

    /// Whether any comparator holds a page (ignoring flags) equal to `page`.
    fn maps_page(&self, page: u64) -> bool {
        [self.addr_read, self.addr_write, self.addr_code]
            .into_iter()
            .any(|c| c != TLB_NO_PERM && c & PAGE_MASK == page)
    }
}

/// The slow-path side of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlbFull {
    /// Physical address of the 4 KiB page the entry maps.
    pub phys_page: GuestPhysAddr,
    pub prot: u8,
    /// log2 of the size of the page-table page (12, 21, 30, 39, 48).
    pub lg_page_size: u8,
    /// A global mapping (PTE.G): survives ASID-specific flushes.
    pub global: bool,
    pub attrs: MemAttrs,
    /// The IOMMU region guarding the page (its index in the address
    /// space), when the fill stopped at one.
    pub iommu: Option<u16>,
    /// Per access type (read, write, fetch): the IOMMU's answer kept for
    /// the page (see [`IommuState`]).
    pub iommu_state: [IommuState; 3],
    /// The addend patched in for IOMMU-translated types: one host backing
    /// per entry, shared by every patched type.
    pub backing: Option<u64>,
}

/// What an entry remembers of its IOMMU's answer for one access type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IommuState {
    /// Not asked yet (or the answer held for less than the page).
    #[default]
    Untranslated,
    /// Permitted: the page lives at this physical page below the checker.
    Memory(GuestPhysAddr),
    /// Blocked: accesses go to the checker's error handling.
    Blocked,
}

impl TlbFull {
    /// The physical page an access of type `access` reaches: the IOMMU's
    /// translation when one is kept, else the filled page.
    pub fn page_for(&self, access: AccessType) -> GuestPhysAddr {
        match self.iommu_state[access_index(access)] {
            IommuState::Memory(p) => p,
            _ => self.phys_page,
        }
    }
}

impl TlbFull {
    pub const EMPTY: TlbFull = TlbFull {
        phys_page: GuestPhysAddr(0),
        prot: 0,
        lg_page_size: 0,
        global: false,
        attrs: MemAttrs {
            world_id: 0,
            requester_id: 0,
        },
        iommu: None,
        iommu_state: [IommuState::Untranslated; 3],
        backing: None,
    };
}

/// Counters of one MMU index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TlbStats {
    /// Accesses served by the fast path (counted by the interpreter's path).
    pub hits: u64,
    /// Fast-path misses that went to the slow path.
    pub misses: u64,
    /// Misses served from the victim TLB.
    pub victim_hits: u64,
    /// Entries filled by a page walk.
    pub fills: u64,
    /// Whole-table flushes.
    pub flushes: u64,
    /// Single-page flushes.
    pub page_flushes: u64,
    /// Table size changes.
    pub resizes: u64,
}

/// Where a fast table lives in host memory: the address of its first
/// [`TlbEntry`] and its index mask (entries minus one). Valid until the
/// table is resized (see `Mmu::apply_tlb_resizes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableView {
    pub base: u64,
    pub mask: u64,
}

/// The TLB of one MMU index.
pub struct Tlb {
    fast: Vec<TlbEntry>,
    full: Vec<TlbFull>,
    mask: usize,
    victim: [TlbEntry; VICTIM_ENTRIES],
    victim_full: [TlbFull; VICTIM_ENTRIES],
    victim_next: usize,
    /// The virtual region covered by large pages filled since the last
    /// flush (`large_page_addr & large_page_mask`), or `None`.
    large_page: Option<(u64, u64)>,
    /// Entries filled since the last flush, and the most in any flush
    /// interval of the current resize window.
    used: usize,
    window_max: usize,
    window_flushes: u32,
    /// The size the resize heuristic chose at a flush, applied by
    /// [`Tlb::apply_resize`] (never by the flush itself: generated code may
    /// hold the table's address while a helper flushes it).
    pending_size: Option<usize>,
    pub stats: TlbStats,
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb::new(TLB_DEFAULT_ENTRIES)
    }
}

impl Tlb {
    /// A TLB with `entries` (a power of two) entries.
    pub fn new(entries: usize) -> Tlb {
        assert!(entries.is_power_of_two());
        Tlb {
            fast: vec![TlbEntry::EMPTY; entries],
            full: vec![TlbFull::EMPTY; entries],
            mask: entries - 1,
            victim: [TlbEntry::EMPTY; VICTIM_ENTRIES],
            victim_full: [TlbFull::EMPTY; VICTIM_ENTRIES],
            victim_next: 0,
            large_page: None,
            used: 0,
            window_max: 0,
            window_flushes: 0,
            pending_size: None,
            stats: TlbStats::default(),
        }
    }

    /// Number of entries in the fast table.
    pub fn len(&self) -> usize {
        self.fast.len()
    }

    /// Never true: a table has at least `TLB_MIN_ENTRIES` entries.
    pub fn is_empty(&self) -> bool {
        self.fast.is_empty()
    }

    /// The address of the fast table and its index mask, for generated code.
    pub fn view(&self) -> TableView {
        TableView {
            base: self.fast.as_ptr() as u64,
            mask: self.mask as u64,
        }
    }

    /// The fast-table slot for `va`.
    #[inline(always)]
    pub fn index(&self, va: u64) -> usize {
        (va >> PAGE_BITS) as usize & self.mask
    }

    /// The fast entry for `va`.
    #[inline(always)]
    pub fn entry(&self, va: u64) -> &TlbEntry {
        &self.fast[self.index(va)]
    }

    /// The full entry paired with the fast entry for `va`.
    pub fn full(&self, va: u64) -> &TlbFull {
        &self.full[self.index(va)]
    }

    /// Looks `va`'s page up in the victim TLB for `access`; on a hit, swaps
    /// the victim into the fast table (the evicted entry takes its place)
    /// and returns true.
    pub fn victim_lookup(&mut self, va: u64, access: AccessType) -> bool {
        let page = va & PAGE_MASK;
        for v in 0..VICTIM_ENTRIES {
            let c = self.victim[v].comparator(access);
            // Flags other than INVALID still identify the page.
            if c != TLB_NO_PERM && c & !(TLB_FLAGS_MASK) & PAGE_MASK == page && c & TLB_INVALID == 0
            {
                let i = self.index(va);
                std::mem::swap(&mut self.fast[i], &mut self.victim[v]);
                std::mem::swap(&mut self.full[i], &mut self.victim_full[v]);
                self.stats.victim_hits += 1;
                return true;
            }
        }
        false
    }

    /// Installs an entry for `va`'s page, moving a live previous occupant of
    /// the slot to the victim TLB.
    pub fn install(&mut self, va: u64, entry: TlbEntry, full: TlbFull) {
        let i = self.index(va);
        let old = self.fast[i];
        if old != TlbEntry::EMPTY && !old.maps_page(va & PAGE_MASK) {
            let v = self.victim_next;
            self.victim[v] = old;
            self.victim_full[v] = self.full[i];
            self.victim_next = (v + 1) % VICTIM_ENTRIES;
        }
        self.fast[i] = entry;
        self.full[i] = full;
        self.used += 1;
        self.stats.fills += 1;
        if full.lg_page_size as u32 > PAGE_BITS {
            self.add_large_page(va, full.lg_page_size as u32);
        }
    }

    /// Records that `[va & mask]` is covered by a large page, widening the
    /// tracked region to cover both old and new (QEMU's tlb_add_large_page).
    fn add_large_page(&mut self, va: u64, lg: u32) {
        let mut mask = !((1u64 << lg.min(63)) - 1);
        let addr = va & mask;
        if let Some((old_addr, old_mask)) = self.large_page {
            mask &= old_mask;
            while (old_addr ^ addr) & mask != 0 {
                mask <<= 1;
            }
        }
        self.large_page = Some((addr & mask, mask));
    }

    /// Flushes every entry in place and decides, from observed use, the
    /// size [`Tlb::apply_resize`] will give the table. The table does not
    /// move, so a [`Tlb::view`] taken before the flush stays valid (and
    /// sees only empty entries).
    pub fn flush(&mut self) {
        self.choose_size_at_flush();
        self.fast.fill(TlbEntry::EMPTY);
        self.full.fill(TlbFull::EMPTY);
        self.victim = [TlbEntry::EMPTY; VICTIM_ENTRIES];
        self.victim_full = [TlbFull::EMPTY; VICTIM_ENTRIES];
        self.large_page = None;
        self.used = 0;
        self.stats.flushes += 1;
    }

    /// Flushes the entries that map `va`'s page. An address inside a
    /// tracked large page flushes everything, since the large page's 4 KiB
    /// pieces may sit in any slot.
    pub fn flush_page(&mut self, va: u64) {
        if let Some((addr, mask)) = self.large_page {
            if va & mask == addr {
                self.flush();
                return;
            }
        }
        let page = va & PAGE_MASK;
        let i = self.index(va);
        if self.fast[i].maps_page(page) {
            self.fast[i] = TlbEntry::EMPTY;
            self.full[i] = TlbFull::EMPTY;
        }
        for v in 0..VICTIM_ENTRIES {
            if self.victim[v].maps_page(page) {
                self.victim[v] = TlbEntry::EMPTY;
                self.victim_full[v] = TlbFull::EMPTY;
            }
        }
        self.stats.page_flushes += 1;
    }

    /// Flushes every non-global entry (sfence.vma with an ASID).
    pub fn flush_nonglobal(&mut self) {
        for i in 0..self.fast.len() {
            if !self.full[i].global {
                self.fast[i] = TlbEntry::EMPTY;
                self.full[i] = TlbFull::EMPTY;
            }
        }
        for v in 0..VICTIM_ENTRIES {
            if !self.victim_full[v].global {
                self.victim[v] = TlbEntry::EMPTY;
                self.victim_full[v] = TlbFull::EMPTY;
            }
        }
        self.stats.flushes += 1;
    }

    /// Sets `flag` on the write comparator of every entry mapping physical
    /// page `phys_page` (used to catch writes into pages holding code).
    pub fn set_write_flag_for_phys(&mut self, phys_page: u64, flag: u64) {
        let tables = self.fast.iter_mut().zip(self.full.iter());
        let victims = self.victim.iter_mut().zip(self.victim_full.iter());
        for (e, f) in tables.chain(victims) {
            if f.page_for(AccessType::Write).0 == phys_page && e.addr_write != TLB_NO_PERM {
                e.addr_write |= flag;
            }
        }
    }

    /// The fast and full entries in `va`'s slot, for patching.
    pub fn slot_mut(&mut self, va: u64) -> (&mut TlbEntry, &mut TlbFull) {
        let i = self.index(va);
        (&mut self.fast[i], &mut self.full[i])
    }

    /// Clears `flag` from the comparator for `access` of `va`'s entry.
    pub fn clear_flag(&mut self, va: u64, access: AccessType, flag: u64) {
        let i = self.index(va);
        let c = self.fast[i].comparator_mut(access);
        if *c != TLB_NO_PERM {
            *c &= !flag;
        }
    }

    /// Whether the table refilled itself twice over since the last flush and
    /// may still grow: the working set does not fit. QEMU resizes only at
    /// flushes, so a program that never flushes (bare metal, M mode) keeps
    /// its first 256 entries however many pages it touches; the MMU
    /// flushes such a table (`Mmu::ensure`), and the flush's heuristic
    /// doubles it.
    pub fn under_pressure(&self) -> bool {
        self.used >= 2 * self.fast.len()
            && self.fast.len() < TLB_PRESSURE_MAX_ENTRIES
            && self.pending_size.is_none()
    }

    /// QEMU's heuristic: grow when more than 70% of the table was used since
    /// the last flush; shrink when the busiest interval of the last
    /// `RESIZE_WINDOW_FLUSHES` flushes used less than 30%, to the smallest
    /// power of two that would have been at most 70% full.
    fn choose_size_at_flush(&mut self) {
        // Decisions build on a size chosen but not yet applied.
        let size = self.pending_size.unwrap_or(self.fast.len());
        self.window_max = self.window_max.max(self.used);
        self.window_flushes += 1;
        let rate = self.used * 100 / size;
        let new_size = if rate > 70 && size < TLB_MAX_ENTRIES {
            (size * 2).min(TLB_MAX_ENTRIES)
        } else if self.window_flushes >= RESIZE_WINDOW_FLUSHES {
            let window_max = self.window_max;
            self.window_max = 0;
            self.window_flushes = 0;
            if window_max * 100 / size < 30 {
                let mut want = window_max.max(1).next_power_of_two();
                if window_max * 100 / want > 70 {
                    want *= 2;
                }
                want.clamp(TLB_MIN_ENTRIES, size)
            } else {
                size
            }
        } else {
            size
        };
        self.pending_size = (new_size != self.fast.len()).then_some(new_size);
    }

    /// Gives the table the size chosen at the last flush, if it differs.
    /// This is the only place the fast table is reallocated, which
    /// invalidates every [`Tlb::view`]: callers must own the point where
    /// no generated code runs (see `Mmu::apply_tlb_resizes`). Entries filled
    /// since the flush are dropped with the old table.
    pub fn apply_resize(&mut self) {
        if let Some(new_size) = self.pending_size.take() {
            self.fast = vec![TlbEntry::EMPTY; new_size];
            self.full = vec![TlbFull::EMPTY; new_size];
            self.mask = new_size - 1;
            self.victim = [TlbEntry::EMPTY; VICTIM_ENTRIES];
            self.victim_full = [TlbFull::EMPTY; VICTIM_ENTRIES];
            self.large_page = None;
            self.used = 0;
            self.stats.resizes += 1;
        }
    }
}

/// Builds the comparator for `access` of a page: the page address, or
/// `TLB_NO_PERM`, with `flags` ORed in.
pub fn comparator(va_page: GuestVirtAddr, allowed: bool, flags: u64) -> u64 {
    if allowed {
        (va_page.0 & PAGE_MASK) | flags
    } else {
        TLB_NO_PERM
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::offset_of;

    fn ram_entry(page: u64) -> TlbEntry {
        TlbEntry {
            addr_read: page,
            addr_write: page,
            addr_code: page,
            addend: 0x1000,
        }
    }

    #[test]
    fn entry_layout_is_pinned() {
        assert_eq!(offset_of!(TlbEntry, addr_read), 0);
        assert_eq!(offset_of!(TlbEntry, addr_write), 8);
        assert_eq!(offset_of!(TlbEntry, addr_code), 16);
        assert_eq!(offset_of!(TlbEntry, addend), 24);
    }

    /// The fast-path compare as generated code performs it.
    fn hit(e: &TlbEntry, va: u64, size: u64, access: AccessType) -> bool {
        va & (PAGE_MASK | (size - 1)) == e.comparator(access)
    }

    #[test]
    fn comparator_semantics() {
        let page = 0x4000_2000;
        let mut e = ram_entry(page);
        e.addr_write = comparator(GuestVirtAddr(page), true, TLB_NOTDIRTY);
        e.addr_code = comparator(GuestVirtAddr(page), false, 0);
        assert!(hit(&e, page + 8, 8, AccessType::Read));
        assert!(!hit(&e, page + 4, 8, AccessType::Read), "misaligned misses");
        assert!(hit(&e, page + 0xfff, 1, AccessType::Read));
        assert!(
            !hit(&e, page + 0x1000, 1, AccessType::Read),
            "other page misses"
        );
        assert!(
            !hit(&e, page, 4, AccessType::Write),
            "a flag forces the slow path"
        );
        assert!(
            !hit(&e, page, 1, AccessType::Fetch),
            "no permission never matches"
        );
        assert!(!hit(&e, PAGE_MASK, 1, AccessType::Fetch));
    }

    #[test]
    fn victim_swap_on_conflict() {
        let mut t = Tlb::new(64);
        let (a, b) = (0x1000, 0x1000 + 64 * PAGE_SIZE); // same slot
        t.install(a, ram_entry(a), TlbFull::EMPTY);
        t.install(b, ram_entry(b), TlbFull::EMPTY);
        assert_eq!(t.entry(a).addr_read, b, "b evicted a");
        assert!(t.victim_lookup(a, AccessType::Read));
        assert_eq!(t.entry(a).addr_read, a, "a swapped back in");
        assert!(
            t.victim_lookup(b, AccessType::Write),
            "b now in the victim TLB"
        );
        assert_eq!(t.stats.victim_hits, 2);
        assert!(!t.victim_lookup(0x9000_0000, AccessType::Read));
    }

    #[test]
    fn flush_page_inside_large_page_flushes_all_its_pieces() {
        let mut t = Tlb::new(64);
        let big = TlbFull {
            lg_page_size: 21,
            ..TlbFull::EMPTY
        };
        // Two 4 KiB pieces of one 2 MiB page, plus an unrelated page.
        t.install(0x20_0000, ram_entry(0x20_0000), big);
        t.install(0x20_5000, ram_entry(0x20_5000), big);
        t.install(0x9000_0000, ram_entry(0x9000_0000), TlbFull::EMPTY);
        t.flush_page(0x20_3000); // inside the large page, maps no slot itself
        assert_eq!(t.entry(0x20_0000).addr_read, TLB_NO_PERM);
        assert_eq!(t.entry(0x20_5000).addr_read, TLB_NO_PERM);
        // A 4 KiB page outside any large page is flushed alone.
        t.install(0x4000, ram_entry(0x4000), TlbFull::EMPTY);
        t.install(0x5000, ram_entry(0x5000), TlbFull::EMPTY);
        t.flush_page(0x4000);
        assert_eq!(t.entry(0x4000).addr_read, TLB_NO_PERM);
        assert_eq!(t.entry(0x5000).addr_read, 0x5000);
    }

    #[test]
    fn nonglobal_flush_keeps_global_entries() {
        let mut t = Tlb::new(64);
        t.install(
            0x1000,
            ram_entry(0x1000),
            TlbFull {
                global: true,
                ..TlbFull::EMPTY
            },
        );
        t.install(0x2000, ram_entry(0x2000), TlbFull::EMPTY);
        t.flush_nonglobal();
        assert_eq!(t.entry(0x1000).addr_read, 0x1000);
        assert_eq!(t.entry(0x2000).addr_read, TLB_NO_PERM);
    }

    #[test]
    fn resize_grows_under_pressure_and_shrinks_when_idle() {
        let mut t = Tlb::new(256);
        for p in 0..250u64 {
            t.install(p << 12, ram_entry(p << 12), TlbFull::EMPTY);
        }
        let view = t.view();
        t.flush();
        assert_eq!(t.view(), view, "a flush never moves the table");
        assert_eq!(t.entry(0x1000).addr_read, TLB_NO_PERM, "flushed in place");
        t.apply_resize();
        assert_eq!(t.len(), 512, ">70% used: doubled");
        // The first window still remembers the busy interval; the second shrinks.
        for _ in 0..2 * RESIZE_WINDOW_FLUSHES {
            for p in 0..10u64 {
                t.install(p << 12, ram_entry(p << 12), TlbFull::EMPTY);
            }
            t.flush();
            t.apply_resize();
        }
        assert_eq!(t.len(), TLB_MIN_ENTRIES, "little use over a window: shrunk");
        let mut t = Tlb::new(TLB_MAX_ENTRIES);
        for p in 0..(TLB_MAX_ENTRIES as u64) {
            t.install(p << 12, ram_entry(p << 12), TlbFull::EMPTY);
        }
        t.flush();
        t.apply_resize();
        assert_eq!(t.len(), TLB_MAX_ENTRIES, "never beyond the maximum");
    }

    #[test]
    fn a_table_that_refills_itself_twice_over_is_under_pressure() {
        let mut t = Tlb::new(256);
        for p in 0..511u64 {
            t.install(p << 12, ram_entry(p << 12), TlbFull::EMPTY);
        }
        assert!(!t.under_pressure(), "less than twice its size");
        t.install(511 << 12, ram_entry(511 << 12), TlbFull::EMPTY);
        assert!(t.under_pressure());
        t.flush();
        assert!(!t.under_pressure(), "a growth is pending");
        t.apply_resize();
        assert_eq!(t.len(), 512, "the flush doubled it");
        assert!(!t.under_pressure(), "the count starts over");
        let mut t = Tlb::new(TLB_PRESSURE_MAX_ENTRIES);
        for p in 0..(2 * TLB_PRESSURE_MAX_ENTRIES as u64) {
            t.install(p << 12, ram_entry(p << 12), TlbFull::EMPTY);
        }
        assert!(!t.under_pressure(), "pressure never grows it further");
    }

    #[test]
    fn a_growth_chosen_at_a_flush_survives_later_flushes_until_applied() {
        let mut t = Tlb::new(256);
        for p in 0..250u64 {
            t.install(p << 12, ram_entry(p << 12), TlbFull::EMPTY);
        }
        t.flush();
        t.flush();
        assert_eq!(t.len(), 256, "not applied yet");
        t.apply_resize();
        assert_eq!(t.len(), 512);
    }
}

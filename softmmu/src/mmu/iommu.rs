//! Lazy, access-typed IOMMU translation (DESIGN §4), top to bottom.
//!
//! 1. *Early walk* ([`super::fill`]): a fill whose physical page is guarded
//!    stores the untranslated page, addend 0 and `TLB_IOMMU` on every
//!    permitted comparator.
//! 2. *Late walk* ([`Mmu::resolve_iommu`]): the first slow-path access of a
//!    type asks the unit ([`Mmu::translate_iommu`], through the IOTLB); an
//!    answer that holds for the whole page is kept per type in the full
//!    entry.
//! 3. *Patch* ([`Mmu::keep_iommu_answer`]): an answer in main RAM patches
//!    the addend (one host backing per entry; a second, different one keeps
//!    that type slow) and clears `TLB_IOMMU` from that type's comparator
//!    only. A blocked answer keeps the type slow; the access goes to the
//!    unit's error handling ([`Mmu::blocked_read`], [`Mmu::blocked_write`]).
//! 4. *Invalidation* ([`Mmu::after_device_write`]): a register write that
//!    changes a unit's configuration flushes every TLB and the IOTLB before
//!    the next access.
//! 5. Sub-page answers are asked again on every access.

use super::{fault, IoTlbEntry, MemFault, MemFaultKind, Mmu, Translated, IOTLB_ENTRIES};
use crate::access::{access_index, AccessType, MemAttrs};
use crate::addr::{GuestPhysAddr, GuestVirtAddr};
use crate::tlb::{IommuState, MmuIdx, TlbFull, PAGE_BITS, PAGE_MASK, TLB_IOMMU, TLB_NOTDIRTY};

impl IoTlbEntry {
    fn covers(&self, page: u64, unit: usize, access: AccessType, attrs: MemAttrs) -> bool {
        self.lg != 0
            && page.wrapping_sub(self.base) >> self.lg == 0
            && self.unit as usize == unit
            && self.access == access
            && self.attrs == attrs
    }
}

impl Mmu {
    /// The IOTLB's answer for `page` if one of the two blocks that answered
    /// `access` last covers it.
    pub(super) fn iotlb_recent(
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
    pub(super) fn iotlb_lookup(
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

    /// The late walk (DESIGN §4 steps 2 and 3): asks the IOMMU about this
    /// access type, unless the entry keeps its answer; keeps an answer that
    /// holds for the whole page, and patches the entry so later accesses of
    /// the type take the fast path when the answer is RAM.
    pub(super) fn resolve_iommu(
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
                self.prof_reason(crate::profile::outcome::IOMMU_TRANSLATE);
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
    pub(super) fn translate_iommu(
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
            self.prof_reason(crate::profile::outcome::SUB_PAGE);
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
    pub(super) fn keep_iommu_answer(
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
    pub(super) fn blocked_read(
        &mut self,
        t: Translated,
        unit: usize,
        size: u8,
        access: AccessType,
        va: GuestVirtAddr,
    ) -> Result<u64, MemFault> {
        self.stats.iommu_blocked += 1;
        if let Some(p) = self.prof.as_deref_mut() {
            p.blocked(crate::profile::Blocked {
                unit,
                attrs: t.attrs,
            });
        }
        let r = self
            .space
            .iommu(unit)
            .blocked_read(t.pa, size, access, t.attrs)
            .map_err(|_| fault(MemFaultKind::Access, access, va));
        self.note_checker_irq(unit);
        r
    }

    /// The error handling of a blocked write: dropped, or an access fault.
    pub(super) fn blocked_write(
        &mut self,
        t: Translated,
        unit: usize,
        size: u8,
        value: u64,
        va: GuestVirtAddr,
    ) -> Result<(), MemFault> {
        self.stats.iommu_blocked += 1;
        if let Some(p) = self.prof.as_deref_mut() {
            p.blocked(crate::profile::Blocked {
                unit,
                attrs: t.attrs,
            });
        }
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
    pub(super) fn note_checker_irq(&mut self, unit: usize) {
        if self.space.iommu(unit).take_irq_changed() {
            self.device_touched = true;
        }
    }

    /// A device write may have reprogrammed a checker: then every TLB entry
    /// may hold a stale answer, and revocation must hold from the very next
    /// access.
    pub(super) fn after_device_write(&mut self) {
        if self.space.take_iommu_changes() {
            self.flush_all();
            self.iotlb.fill(IoTlbEntry::EMPTY);
            self.stats.checker_flushes += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{PROT_READ, PROT_WRITE};
    use crate::device::BusError;
    use crate::iommu::{Iommu, IommuTlbEntry};
    use crate::mmu::{Bare, Fill, MemFaultKind, TlbFill};
    use crate::space::AddressSpace;
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
        s.add_ram("ram", GuestPhysAddr(0x8000_0000), 0x8000)
            .unwrap();
        let log = Rc::new(RefCell::new(Log::default()));
        s.add_iommu(
            "checker",
            (GuestPhysAddr(REGS), 0x1000),
            (GuestPhysAddr(RO), 0x2000),
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

//! TLB misses: the victim TLB, the fill through the caller's [`TlbFill`]
//! (DESIGN §4's *early walk*: a page behind an IOMMU is entered untranslated,
//! addend 0, `TLB_IOMMU` on every permitted comparator), and the decision of
//! where one slow-path access goes.

use super::{fault, MemFault, Mmu, TlbFill, Translated};
use crate::access::{prot_for, AccessType, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::addr::{GuestPhysAddr, GuestVirtAddr};
use crate::profile::outcome;
use crate::tlb::{
    comparator, MmuIdx, Tlb, TlbEntry, TlbFull, PAGE_MASK, TLB_INVALID, TLB_IOMMU, TLB_MMIO,
    TLB_NOTDIRTY, TLB_NO_PERM,
};

impl Mmu {
    /// Finds or fills the TLB entry for an access and decides where the
    /// access goes.
    pub(super) fn lookup(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<Translated, MemFault> {
        self.ensure(tr, idx, va, size, access)?;
        Ok(self.resolve(idx, va, size, access))
    }

    /// Makes the fast entry of `va`'s slot map its page for `access`: from
    /// the victim TLB, or filled through the hart's translation.
    pub(super) fn ensure(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<(), MemFault> {
        let tlb = &mut self.tlbs[idx.idx()];
        tlb.stats.misses += 1;
        let page = va.0 & PAGE_MASK;
        let present = |tlb: &Tlb| {
            let c = tlb.entry(va.0).comparator(access);
            c != TLB_NO_PERM && c & PAGE_MASK == page && c & TLB_INVALID == 0
        };
        if !present(tlb) {
            if tlb.victim_lookup(va.0, access) && present(tlb) {
                self.prof_reason(outcome::VICTIM_HIT);
            } else {
                self.prof_reason(outcome::TLB_MISS);
                if self.tlbs[idx.idx()].under_pressure() {
                    // Grows the table at the next safe point (see
                    // `Tlb::under_pressure`); flushed before the fill, so
                    // the entry this access needs survives.
                    self.flush_idx(idx);
                }
                self.fill(tr, idx, va, size, access)?;
            }
        }
        Ok(())
    }

    /// Fills `va`'s slot through the hart's translation (the early walk: it
    /// stops at an IOMMU region, leaving that region's answer for later).
    pub(super) fn fill(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<(), MemFault> {
        let page = va.0 & PAGE_MASK;
        let f = tr.fill(&mut self.space, va, size, access, idx);
        // The walk's implicit writes (A/D updates) count as stores: into a
        // page holding code, or into a device (a checker's registers: see
        // `after_device_write`), whether or not the fill then faulted.
        for pa in self.space.take_implicit_writes() {
            if self.space.is_device(pa, 1) {
                self.device_touched = true;
            } else {
                self.note_write(pa, 8);
            }
        }
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
            // PMP grants less than the page: every access walks again.
            flags |= TLB_INVALID;
            self.prof_reason(outcome::SUB_PAGE);
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

    /// The addend that maps virtual page `vpage` onto main-RAM page `pa_page`.
    pub(super) fn host_addend(&self, pa_page: GuestPhysAddr, vpage: u64) -> u64 {
        self.ram_host
            .wrapping_add(pa_page.0 - self.ram_base)
            .wrapping_sub(vpage)
    }

    pub(super) fn is_code_page(&self, pa: GuestPhysAddr) -> bool {
        self.ram_page(pa)
            .is_some_and(|p| self.code_pages[p / 64] & (1 << (p % 64)) != 0)
    }

    /// Where an access goes, given the entry now in `va`'s slot.
    pub(super) fn resolve(
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
}

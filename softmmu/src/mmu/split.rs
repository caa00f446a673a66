//! Misaligned and page-crossing accesses: every byte is translated before
//! any is accessed, so a fault leaves memory untouched.

use super::{fault, MemFault, MemFaultKind, Mmu, TlbFill, Translated};
use crate::access::{AccessType, MemAttrs};
use crate::addr::{GuestPhysAddr, GuestVirtAddr};
use crate::tlb::{MmuIdx, PAGE_MASK};

impl Mmu {
    pub(super) fn fetch_half(
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

    /// Where each byte of a misaligned access goes; every byte is RAM or
    /// ROM (or blocked by an IOMMU) before any is accessed.
    pub(super) fn split_targets(
        &mut self,
        tr: &mut dyn TlbFill,
        idx: MmuIdx,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<[Translated; 8], MemFault> {
        self.stats.split += 1;
        self.prof_reason(crate::profile::outcome::SPLIT);
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
                    self.prof_target(t.pa);
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

    pub(super) fn load_split(
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

    pub(super) fn store_split(
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
                self.note_write(t.pa, 1);
                self.space.write(t.pa, 1, value >> (8 * i)).map_err(|_| {
                    fault(MemFaultKind::Access, AccessType::Write, va.offset(i as u64))
                })?;
            }
        }
        Ok(())
    }
}

//! Address translation for the hart: MMU indexes and the Sv39/Sv48/Sv57 page walk (PMP in `pmp`).
//!
//! The walk is handed to softmmu as a [`TlbFill`] implementation (QEMU's
//! `tlb_fill`): softmmu calls it on a TLB miss and caches the answer.
//!
//! A/D bits are updated by the walk itself (hardware updating, the Svadu
//! behaviour), as QEMU does: a first access sets A, a first write sets D.
//! Write permission is only cached for a page whose D bit is already set, so
//! the first write to a clean page misses the TLB and comes back here.

use softmmu::access::{prot_for, PROT_EXEC, PROT_READ, PROT_WRITE};
use softmmu::{
    AccessType, AddressSpace, Fill, GuestPhysAddr, GuestVirtAddr, MemAttrs, MemFaultKind, MmuIdx,
    TlbFill,
};

use super::csr::{
    Csrs, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_MPRV, MSTATUS_MXR, MSTATUS_SUM, SATP_BARE,
    SATP_SV39, SATP_SV48,
};
use super::{Hart, Priv};

/// MMU indexes: one TLB per translation regime.
pub const IDX_U: MmuIdx = MmuIdx(0);
pub const IDX_S: MmuIdx = MmuIdx(1);
/// S mode with `mstatus.SUM` set (may touch U pages).
pub const IDX_S_SUM: MmuIdx = MmuIdx(2);
pub const IDX_M: MmuIdx = MmuIdx(3);

const PTE_V: u64 = 1 << 0;
const PTE_R: u64 = 1 << 1;
const PTE_W: u64 = 1 << 2;
const PTE_X: u64 = 1 << 3;
const PTE_U: u64 = 1 << 4;
const PTE_G: u64 = 1 << 5;
const PTE_A: u64 = 1 << 6;
const PTE_D: u64 = 1 << 7;
/// Bits 63:54 (N, PBMT and reserved): no Svnapot/Svpbmt, so must be zero.
const PTE_RESERVED: u64 = 0x3ff << 54;
const PTE_PPN_MASK: u64 = (1 << 44) - 1;

impl Hart {
    /// The privilege data accesses use: `MPP` when `MPRV` is set in M mode.
    pub fn data_priv(&self) -> Priv {
        let ms = self.csr.mstatus;
        if self.prv == Priv::M && ms & MSTATUS_MPRV != 0 {
            Priv::from_bits((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT)
        } else {
            self.prv
        }
    }

    /// The MMU index of data accesses.
    #[inline(always)]
    pub fn data_idx(&self) -> MmuIdx {
        idx_for(self.data_priv(), self.csr.mstatus)
    }

    /// The MMU index of instruction fetches.
    #[inline(always)]
    pub fn fetch_idx(&self) -> MmuIdx {
        idx_for(self.prv, self.csr.mstatus)
    }
}

fn idx_for(p: Priv, mstatus: u64) -> MmuIdx {
    match p {
        Priv::M => IDX_M,
        Priv::S if mstatus & MSTATUS_SUM != 0 => IDX_S_SUM,
        Priv::S => IDX_S,
        Priv::U => IDX_U,
    }
}

fn idx_priv(idx: MmuIdx) -> Priv {
    match idx {
        IDX_M => Priv::M,
        IDX_U => Priv::U,
        _ => Priv::S,
    }
}

/// The hart's translation context for one access: a view of its CSRs.
pub struct Walker<'a> {
    pub csr: &'a Csrs,
    rrid: u16,
}

impl<'a> Walker<'a> {
    pub fn new(hart: &'a Hart) -> Self {
        Walker {
            csr: &hart.csr,
            rrid: hart.rrid,
        }
    }

    /// Who an access at privilege `prv` is, for checkers: the world id
    /// (WorldGuard) and requester id (IOPMP). Captured in the TLB entry at
    /// fill; a change of either flushes the TLBs.
    fn attrs(&self, prv: Priv) -> MemAttrs {
        MemAttrs {
            world_id: self.csr.wid_for(prv),
            requester_id: self.rrid,
        }
    }
}

impl TlbFill for Walker<'_> {
    fn fill(
        &mut self,
        space: &mut AddressSpace,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
        idx: MmuIdx,
    ) -> Result<Fill, MemFaultKind> {
        let prv = idx_priv(idx);
        let mode = self.csr.satp >> 60;
        let (pa, mut prot, lg, global) = if prv == Priv::M || mode == SATP_BARE {
            (va.0, PROT_READ | PROT_WRITE | PROT_EXEC, 12, false)
        } else {
            self.walk(space, va, access, idx)?
        };
        // PMP: uniform over the 4 KiB page -> cache its permissions;
        // otherwise check this access alone and keep the page uncached.
        let page = pa & !0xfff;
        let mut cacheable = true;
        match self.csr.pmp.page_prot(page, prv) {
            Some(p) => prot &= p,
            None => {
                cacheable = false;
                let ok = self.csr.pmp.check(pa, size as u64, access, prv);
                prot &= if ok { prot_for(access) } else { 0 };
            }
        }
        if prot & prot_for(access) == 0 {
            return Err(MemFaultKind::Access);
        }
        Ok(Fill {
            phys: GuestPhysAddr(pa),
            prot,
            lg_page_size: lg,
            cacheable,
            global,
            attrs: self.attrs(prv),
        })
    }
}

impl Walker<'_> {
    /// Walks the page table for `va`; returns the physical address, the
    /// permissions to cache, log2 page size and the global bit.
    fn walk(
        &self,
        space: &mut AddressSpace,
        va: GuestVirtAddr,
        access: AccessType,
        idx: MmuIdx,
    ) -> Result<(u64, u8, u8, bool), MemFaultKind> {
        let satp = self.csr.satp;
        let levels: u32 = match satp >> 60 {
            SATP_SV39 => 3,
            SATP_SV48 => 4,
            _ => 5,
        };
        let va_bits = 12 + 9 * levels;
        // The address must be the sign extension of its low va_bits bits.
        let shift = 64 - va_bits;
        if ((va.0 << shift) as i64 >> shift) as u64 != va.0 {
            return Err(MemFaultKind::Page);
        }
        let prv = idx_priv(idx);
        let sum = idx == super::walk::IDX_S_SUM;
        let mxr = self.csr.mstatus & MSTATUS_MXR != 0;
        let mut table = (satp & PTE_PPN_MASK) << 12;
        let mut global = false;
        for level in (0..levels).rev() {
            let vpn = (va.0 >> (12 + 9 * level)) & 0x1ff;
            let pte_addr = table + vpn * 8;
            // Implicit page-table reads are S-mode accesses for PMP.
            if !self.csr.pmp.check(pte_addr, 8, AccessType::Read, Priv::S) {
                return Err(MemFaultKind::Access);
            }
            // Implicit accesses are checked like explicit ones, as the
            // requester of the access being translated.
            let pte = space
                .read_checked(GuestPhysAddr(pte_addr), 8, self.attrs(prv))
                .map_err(|_| MemFaultKind::Access)?;
            if pte & PTE_V == 0 || (pte & PTE_R == 0 && pte & PTE_W != 0) || pte & PTE_RESERVED != 0
            {
                return Err(MemFaultKind::Page);
            }
            global |= pte & PTE_G != 0;
            let ppn = (pte >> 10) & PTE_PPN_MASK;
            if pte & (PTE_R | PTE_X) == 0 {
                table = ppn << 12;
                continue;
            }
            // A leaf. Superpages must be aligned to their size.
            if ppn & ((1 << (9 * level)) - 1) != 0 {
                return Err(MemFaultKind::Page);
            }
            let user = pte & PTE_U != 0;
            let mut prot = 0u8;
            if pte & PTE_R != 0 || (mxr && pte & PTE_X != 0) {
                prot |= PROT_READ;
            }
            if pte & PTE_W != 0 {
                prot |= PROT_WRITE;
            }
            if pte & PTE_X != 0 {
                prot |= PROT_EXEC;
            }
            match prv {
                Priv::U if !user => prot = 0,
                Priv::S if user => prot &= if sum { PROT_READ | PROT_WRITE } else { 0 },
                _ => {}
            }
            if prot & prot_for(access) == 0 {
                return Err(MemFaultKind::Page);
            }
            // Hardware A/D update; write permission is cached only once D is set.
            let mut new = pte | PTE_A;
            if access == AccessType::Write {
                new |= PTE_D;
            }
            if new != pte {
                if !self.csr.pmp.check(pte_addr, 8, AccessType::Write, Priv::S) {
                    return Err(MemFaultKind::Access);
                }
                space
                    .write_checked(GuestPhysAddr(pte_addr), 8, new, self.attrs(prv))
                    .map_err(|_| MemFaultKind::Access)?;
            }
            if new & PTE_D == 0 {
                prot &= !PROT_WRITE;
            }
            let lg = 12 + 9 * level;
            let offset_mask = (1u64 << lg) - 1;
            let pa = ((ppn << 12) & !offset_mask) | (va.0 & offset_mask);
            return Ok((pa, prot, lg as u8, global));
        }
        Err(MemFaultKind::Page)
    }
}

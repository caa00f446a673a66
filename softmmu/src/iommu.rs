//! IOMMU regions: security checkers (WorldGuard wgChecker, IOPMP) in front of memory.
//!
//! An IOMMU region overlays a range of the bus. Every access into it is
//! decided by the region's [`Iommu::translate`] from its address, size,
//! access type and the [`MemAttrs`] of whoever makes it (world id, requester
//! id). The answer names a target: the bus below the checker at
//! `translated_addr` (RAM or a device), or [`IommuTarget::Blocked`], in
//! which case the access goes to the checker's error handling
//! ([`Iommu::blocked_read`] / [`Iommu::blocked_write`]).
//!
//! The TLB translates such pages lazily and per access type (see
//! [`crate::mmu`]): a fill stops at the IOMMU region (the *early walk*) and
//! flags the entry's comparators with `TLB_IOMMU`; the first access of each
//! type asks `translate` (the *late walk*) and, when the answer holds for the
//! whole page and lands in RAM, patches that type's comparator so later
//! accesses of the type take the fast path.
//!
//! A checker is also a device: its registers are an MMIO region. When a
//! register write changes what `translate` would answer, the checker reports
//! it through [`Iommu::take_config_changed`], and the memory system flushes
//! every TLB before the next access.

use crate::access::AccessType;
use crate::access::MemAttrs;
use crate::addr::GuestPhysAddr;
use crate::device::BusError;

/// Where an access into an IOMMU region goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IommuTarget {
    /// The bus below the checker, at `translated_addr`.
    Memory,
    /// Nowhere: the checker's error handling decides the outcome.
    Blocked,
}

/// The answer of an IOMMU region for one access (QEMU's `IOMMUTLBEntry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IommuTlbEntry {
    pub target: IommuTarget,
    /// Where the accessed byte lives on the bus below (for `Memory`).
    pub translated_addr: GuestPhysAddr,
    /// `PROT_*` bits this answer grants the requester at this address.
    pub perm: u8,
    /// log2 of the naturally aligned block around the address over which
    /// this answer is the same for every access of this type, of any size,
    /// by the same requester. At least 12 for the TLB to keep the answer
    /// for the page; smaller answers (a sub-page rule) are asked again on
    /// every access of the type.
    pub lg_granularity: u8,
}

impl IommuTlbEntry {
    /// A permitted, untranslated (identity) access, uniform over `2^lg`.
    pub fn identity(addr: GuestPhysAddr, perm: u8, lg_granularity: u8) -> Self {
        IommuTlbEntry {
            target: IommuTarget::Memory,
            translated_addr: addr,
            perm,
            lg_granularity,
        }
    }

    /// Whether this answer lets an access of type `access` through.
    pub fn permits(&self, access: AccessType) -> bool {
        self.target == IommuTarget::Memory && self.perm & crate::access::prot_for(access) != 0
    }

    /// A blocked access, uniform over `2^lg`.
    pub fn blocked(addr: GuestPhysAddr, lg_granularity: u8) -> Self {
        IommuTlbEntry {
            target: IommuTarget::Blocked,
            translated_addr: addr,
            perm: 0,
            lg_granularity,
        }
    }
}

/// A checker that decides accesses into its region.
pub trait Iommu {
    /// Decides an access of `size` bytes at `addr` (inside the region) of
    /// type `access` made with `attrs`. Must not have side effects: the
    /// memory system may cache the answer (see [`IommuTlbEntry`]) and calls
    /// the error handling below for blocked accesses it performs.
    fn translate(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        access: AccessType,
        attrs: MemAttrs,
    ) -> IommuTlbEntry;

    /// Error handling for a blocked read or fetch: capture the error, raise
    /// the interrupt, and either answer the data the requester sees
    /// (read-as-zero) or a bus error, which becomes an access fault.
    fn blocked_read(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        access: AccessType,
        attrs: MemAttrs,
    ) -> Result<u64, BusError>;

    /// Error handling for a blocked write: capture, interrupt, and either
    /// drop the write (`Ok`) or answer a bus error.
    fn blocked_write(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError>;

    /// Whether the configuration changed (answers of `translate` may differ)
    /// since the last call. Register writes set it; this clears it.
    fn take_config_changed(&mut self) -> bool;

    /// Whether the error handling changed an interrupt line since the last
    /// call (the hart must look at its interrupts before going on). The
    /// default assumes it always may.
    fn take_irq_changed(&mut self) -> bool {
        true
    }

    /// Reads a register of the checker's own MMIO window, as `attrs`
    /// (a checker may refuse untrusted worlds: read as zero, or a bus error).
    fn reg_read(&mut self, offset: u64, size: u8, attrs: MemAttrs) -> Result<u64, BusError>;

    /// Writes a register of the checker's MMIO window, as `attrs`.
    fn reg_write(
        &mut self,
        offset: u64,
        size: u8,
        value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError>;
}

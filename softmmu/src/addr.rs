//! Newtypes that keep guest-virtual and guest-physical addresses apart.

use core::fmt;

/// log2 of the base page size.
pub const PAGE_BITS: u32 = 12;
/// The base page size (4 KiB), the granule of the TLB.
pub const PAGE_SIZE: u64 = 1 << PAGE_BITS;
/// Clears the offset within a page.
pub const PAGE_MASK: u64 = !(PAGE_SIZE - 1);

/// An address as the guest program sees it, before translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct GuestVirtAddr(pub u64);

/// An address on the guest's physical bus, after translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct GuestPhysAddr(pub u64);

impl GuestVirtAddr {
    /// The address `n` bytes further on, wrapping like the hardware adder.
    pub fn offset(self, n: u64) -> Self {
        GuestVirtAddr(self.0.wrapping_add(n))
    }

    /// The first address of its 4 KiB page.
    pub fn page(self) -> Self {
        GuestVirtAddr(self.0 & PAGE_MASK)
    }

    /// Its offset within its 4 KiB page.
    pub fn page_offset(self) -> u64 {
        self.0 & !PAGE_MASK
    }

    /// Whether `other` lies on the same 4 KiB page.
    pub fn same_page(self, other: Self) -> bool {
        (self.0 ^ other.0) & PAGE_MASK == 0
    }
}

impl GuestPhysAddr {
    /// The address `n` bytes further on, wrapping like the hardware adder.
    pub fn offset(self, n: u64) -> Self {
        GuestPhysAddr(self.0.wrapping_add(n))
    }

    /// The first address of its 4 KiB page.
    pub fn page(self) -> Self {
        GuestPhysAddr(self.0 & PAGE_MASK)
    }

    /// Its offset within its 4 KiB page.
    pub fn page_offset(self) -> u64 {
        self.0 & !PAGE_MASK
    }

    /// Whether `other` lies on the same 4 KiB page.
    pub fn same_page(self, other: Self) -> bool {
        (self.0 ^ other.0) & PAGE_MASK == 0
    }
}

impl fmt::Display for GuestVirtAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "va:{:#x}", self.0)
    }
}

impl fmt::Display for GuestPhysAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pa:{:#x}", self.0)
    }
}

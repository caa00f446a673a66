//! Newtypes that keep guest-virtual and guest-physical addresses apart.

use core::fmt;

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
}

impl GuestPhysAddr {
    /// The address `n` bytes further on, wrapping like the hardware adder.
    pub fn offset(self, n: u64) -> Self {
        GuestPhysAddr(self.0.wrapping_add(n))
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

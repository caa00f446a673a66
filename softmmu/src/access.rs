//! The vocabulary of a memory access: its type, who makes it, and the
//! permission bits a translation grants. Every other module of the crate
//! (and the hart, the devices and the JIT) speaks in these terms.

/// The type of a memory access, as permission checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessType {
    Read,
    Write,
    Fetch,
}

/// Attributes captured at fill time (who makes the access), for checkers
/// such as WorldGuard (world id) and IOPMP (requester id).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MemAttrs {
    pub world_id: u8,
    pub requester_id: u16,
}

/// Page protection bits granted by a fill.
pub const PROT_READ: u8 = 1;
pub const PROT_WRITE: u8 = 2;
pub const PROT_EXEC: u8 = 4;

/// The `PROT_*` bit an access type needs.
#[inline(always)]
pub fn prot_for(access: AccessType) -> u8 {
    match access {
        AccessType::Read => PROT_READ,
        AccessType::Write => PROT_WRITE,
        AccessType::Fetch => PROT_EXEC,
    }
}

/// The index of an access type in per-type arrays (read, write, fetch).
#[inline(always)]
pub fn access_index(access: AccessType) -> usize {
    match access {
        AccessType::Read => 0,
        AccessType::Write => 1,
        AccessType::Fetch => 2,
    }
}

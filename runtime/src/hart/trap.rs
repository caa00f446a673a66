//! Exceptions and interrupts as values, and the RISC-V trap causes.
//!
//! A guest fault is never a Rust error or a panic: it is an [`Exception`]
//! that flows to trap entry in [`super::Hart::take_trap`].

use softmmu::{AccessType, MemFault, MemFaultKind};

/// A synchronous exception, with the value for `xtval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    InsnMisaligned(u64),
    InsnAccess(u64),
    /// Carries the instruction bits.
    Illegal(u64),
    /// Carries the value for tval (0 for `ebreak`; a trigger's address later).
    Breakpoint(u64),
    LoadMisaligned(u64),
    LoadAccess(u64),
    StoreMisaligned(u64),
    StoreAccess(u64),
    EcallU,
    EcallS,
    EcallM,
    InsnPage(u64),
    LoadPage(u64),
    StorePage(u64),
}

impl Exception {
    /// The exception code written to `xcause`.
    pub fn cause(self) -> u64 {
        match self {
            Exception::InsnMisaligned(_) => 0,
            Exception::InsnAccess(_) => 1,
            Exception::Illegal(_) => 2,
            Exception::Breakpoint(_) => 3,
            Exception::LoadMisaligned(_) => 4,
            Exception::LoadAccess(_) => 5,
            Exception::StoreMisaligned(_) => 6,
            Exception::StoreAccess(_) => 7,
            Exception::EcallU => 8,
            Exception::EcallS => 9,
            Exception::EcallM => 11,
            Exception::InsnPage(_) => 12,
            Exception::LoadPage(_) => 13,
            Exception::StorePage(_) => 15,
        }
    }

    /// The value written to `xtval`.
    pub fn tval(self) -> u64 {
        match self {
            Exception::InsnMisaligned(v)
            | Exception::InsnAccess(v)
            | Exception::Illegal(v)
            | Exception::Breakpoint(v)
            | Exception::LoadMisaligned(v)
            | Exception::LoadAccess(v)
            | Exception::StoreMisaligned(v)
            | Exception::StoreAccess(v)
            | Exception::InsnPage(v)
            | Exception::LoadPage(v)
            | Exception::StorePage(v) => v,
            Exception::EcallU | Exception::EcallS | Exception::EcallM => 0,
        }
    }
}

impl From<MemFault> for Exception {
    fn from(f: MemFault) -> Exception {
        let a = f.addr.0;
        match (f.kind, f.access) {
            (MemFaultKind::Page, AccessType::Read) => Exception::LoadPage(a),
            (MemFaultKind::Page, AccessType::Write) => Exception::StorePage(a),
            (MemFaultKind::Page, AccessType::Fetch) => Exception::InsnPage(a),
            (MemFaultKind::Access, AccessType::Read) => Exception::LoadAccess(a),
            (MemFaultKind::Access, AccessType::Write) => Exception::StoreAccess(a),
            (MemFaultKind::Access, AccessType::Fetch) => Exception::InsnAccess(a),
            (MemFaultKind::Misaligned, AccessType::Read) => Exception::LoadMisaligned(a),
            (MemFaultKind::Misaligned, AccessType::Write) => Exception::StoreMisaligned(a),
            (MemFaultKind::Misaligned, AccessType::Fetch) => Exception::InsnMisaligned(a),
        }
    }
}

/// Interrupt numbers (bit positions in `mip`/`mie`).
pub mod irq {
    pub const SSI: u64 = 1;
    pub const MSI: u64 = 3;
    pub const STI: u64 = 5;
    pub const MTI: u64 = 7;
    pub const SEI: u64 = 9;
    pub const MEI: u64 = 11;

    /// Bit masks.
    pub const SSIP: u64 = 1 << SSI;
    pub const MSIP: u64 = 1 << MSI;
    pub const STIP: u64 = 1 << STI;
    pub const MTIP: u64 = 1 << MTI;
    pub const SEIP: u64 = 1 << SEI;
    pub const MEIP: u64 = 1 << MEI;

    /// Architectural priority order, highest first.
    pub const PRIORITY: [u64; 6] = [MEI, MSI, MTI, SEI, SSI, STI];
}

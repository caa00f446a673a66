//! The guest physical address space, the software TLB and the memory path every engine uses.
//!
//! `softmmu` owns guest RAM, the map of memory regions (RAM, ROM, MMIO
//! devices), the per-MMU-index TLBs ([`tlb`]) and the single entry point
//! through which loads, stores and instruction fetches reach them ([`Mmu`]). It knows nothing of RISC-V page
//! tables or of the JIT: virtual-to-physical translation is supplied by the
//! caller through the [`TlbFill`] trait (QEMU's `tlb_fill`).
#![forbid(unsafe_code)]

pub mod access;
pub mod addr;
pub mod device;
pub mod iommu;
pub mod mmu;
pub mod profile;
pub mod ram;
pub mod space;
pub mod tlb;

pub use access::{AccessType, MemAttrs};
pub use addr::{GuestPhysAddr, GuestVirtAddr};
pub use device::{BusError, MmioDevice};
pub use iommu::{Iommu, IommuTarget, IommuTlbEntry};
pub use mmu::{
    Atomic, Bare, CodeAddr, CodeWrite, Fill, MemFault, MemFaultKind, Mmu, MmuStats, TlbFill,
};
pub use ram::Ram;
pub use space::{AddressSpace, RegionKind, SpaceError};
pub use tlb::{MmuIdx, TlbStats};

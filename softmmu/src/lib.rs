//! The guest physical address space and the memory path every engine uses.
//!
//! `softmmu` owns guest RAM, the map of memory regions (RAM, ROM, MMIO
//! devices) and the single entry point through which loads, stores and
//! instruction fetches reach them ([`Mmu`]). It knows nothing of RISC-V page
//! tables or of the JIT: virtual-to-physical translation is supplied by the
//! caller through the [`Translate`] trait (QEMU's `tlb_fill`).
#![forbid(unsafe_code)]

pub mod addr;
pub mod device;
pub mod mmu;
pub mod ram;
pub mod space;

pub use addr::{GuestPhysAddr, GuestVirtAddr};
pub use device::{BusError, MmioDevice};
pub use mmu::{AccessType, Bare, MemFault, MemFaultKind, Mmu, Translate};
pub use ram::Ram;
pub use space::{AddressSpace, RegionKind, SpaceError};

//! The devices of the `virt` machine, and the glue that lets the bus share them.

pub mod checkers;
pub mod clint;
pub mod finisher;
pub mod iopmp;
pub mod plic;
pub mod range;
pub mod uart;
pub mod wgchecker;

use std::cell::RefCell;
use std::rc::Rc;

use softmmu::{BusError, MmioDevice};

/// A device owned jointly by the bus and the machine (which polls it for
/// time-driven events). Single-threaded by design: devices run on the hart's
/// thread.
pub struct Shared<T>(pub Rc<RefCell<T>>);

impl<T: MmioDevice> MmioDevice for Shared<T> {
    fn read(&mut self, offset: u64, size: u8) -> Result<u64, BusError> {
        self.0.borrow_mut().read(offset, size)
    }
    fn write(&mut self, offset: u64, size: u8, value: u64) -> Result<(), BusError> {
        self.0.borrow_mut().write(offset, size, value)
    }
}

/// Reads `size` bytes at byte `offset` of a 64-bit register value.
pub fn reg_read(reg: u64, offset: u64, size: u8) -> u64 {
    let v = reg >> (8 * (offset & 7));
    if size >= 8 {
        v
    } else {
        v & ((1u64 << (8 * size)) - 1)
    }
}

/// Replaces `size` bytes at byte `offset` of a 64-bit register value.
pub fn reg_write(reg: u64, offset: u64, size: u8, value: u64) -> u64 {
    let shift = 8 * (offset & 7);
    let mask = if size >= 8 {
        u64::MAX
    } else {
        ((1u64 << (8 * size)) - 1) << shift
    };
    (reg & !mask) | ((value << shift) & mask)
}

impl<T: softmmu::Iommu> softmmu::Iommu for Shared<T> {
    fn translate(
        &mut self,
        addr: softmmu::GuestPhysAddr,
        size: u8,
        access: softmmu::AccessType,
        attrs: softmmu::MemAttrs,
    ) -> softmmu::IommuTlbEntry {
        self.0.borrow_mut().translate(addr, size, access, attrs)
    }
    fn blocked_read(
        &mut self,
        addr: softmmu::GuestPhysAddr,
        size: u8,
        access: softmmu::AccessType,
        attrs: softmmu::MemAttrs,
    ) -> Result<u64, BusError> {
        self.0.borrow_mut().blocked_read(addr, size, access, attrs)
    }
    fn blocked_write(
        &mut self,
        addr: softmmu::GuestPhysAddr,
        size: u8,
        value: u64,
        attrs: softmmu::MemAttrs,
    ) -> Result<(), BusError> {
        self.0.borrow_mut().blocked_write(addr, size, value, attrs)
    }
    fn take_config_changed(&mut self) -> bool {
        self.0.borrow_mut().take_config_changed()
    }
    fn take_irq_changed(&mut self) -> bool {
        self.0.borrow_mut().take_irq_changed()
    }
    fn reg_read(
        &mut self,
        offset: u64,
        size: u8,
        attrs: softmmu::MemAttrs,
    ) -> Result<u64, BusError> {
        self.0.borrow_mut().reg_read(offset, size, attrs)
    }
    fn reg_write(
        &mut self,
        offset: u64,
        size: u8,
        value: u64,
        attrs: softmmu::MemAttrs,
    ) -> Result<(), BusError> {
        self.0.borrow_mut().reg_write(offset, size, value, attrs)
    }
}

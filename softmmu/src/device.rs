//! The interface between the bus and memory-mapped devices.

/// A device access that the bus cannot complete; the hart turns it into an
/// access-fault exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusError;

/// A memory-mapped device. `offset` is relative to the device's base and
/// `size` is 1, 2, 4 or 8; the access is naturally aligned.
///
/// Devices return `Err(BusError)` for accesses their hardware would reject
/// (a width they do not support, a register that does not exist where the
/// real device raises an error). Unimplemented-but-harmless registers should
/// read as zero and ignore writes, as on real hardware.
pub trait MmioDevice {
    fn read(&mut self, offset: u64, size: u8) -> Result<u64, BusError>;
    fn write(&mut self, offset: u64, size: u8, value: u64) -> Result<(), BusError>;
}

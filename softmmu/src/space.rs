//! The guest physical address space: a sorted map of non-overlapping regions.
//!
//! An access that hits no region, or straddles two, is a bus error that the
//! hart turns into an access fault; nothing here can touch host memory
//! outside a region's own backing.

use std::fmt;

use crate::addr::GuestPhysAddr;
use crate::device::{BusError, MmioDevice};
use crate::ram::Ram;

/// What backs a region.
pub enum RegionKind {
    /// Read-write RAM.
    Ram(Ram),
    /// Read-only memory (e.g. the boot ROM); writes are bus errors.
    Rom(Ram),
    /// A memory-mapped device.
    Mmio(Box<dyn MmioDevice>),
}

/// One contiguous region of the physical address space.
pub struct Region {
    pub name: &'static str,
    pub base: GuestPhysAddr,
    pub size: u64,
    pub kind: RegionKind,
}

impl Region {
    fn contains(&self, pa: u64, len: u64) -> bool {
        pa >= self.base.0 && pa - self.base.0 < self.size && len <= self.size - (pa - self.base.0)
    }
}

/// Errors building the address space (host-side configuration errors).
#[derive(Debug, thiserror::Error)]
pub enum SpaceError {
    #[error("region {name} at {base:#x}+{size:#x} overlaps region {other}")]
    Overlap {
        name: &'static str,
        base: u64,
        size: u64,
        other: &'static str,
    },
    #[error("region {name} has size 0 or wraps the address space")]
    BadSize { name: &'static str },
    #[error("cannot map {size:#x} bytes of RAM for {name}: {source}")]
    Map {
        name: &'static str,
        size: u64,
        source: std::io::Error,
    },
}

/// The regions of a machine's physical bus.
#[derive(Default)]
pub struct AddressSpace {
    regions: Vec<Region>,
}

impl fmt::Debug for AddressSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for r in &self.regions {
            l.entry(&format_args!("{} {:#x}+{:#x}", r.name, r.base.0, r.size));
        }
        l.finish()
    }
}

impl AddressSpace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a region; regions may not overlap.
    pub fn add(&mut self, region: Region) -> Result<(), SpaceError> {
        let end = region.base.0.checked_add(region.size);
        if region.size == 0 || end.is_none() {
            return Err(SpaceError::BadSize { name: region.name });
        }
        let end = end.unwrap_or(u64::MAX);
        if let Some(o) = self
            .regions
            .iter()
            .find(|o| region.base.0 < o.base.0 + o.size && o.base.0 < end)
        {
            return Err(SpaceError::Overlap {
                name: region.name,
                base: region.base.0,
                size: region.size,
                other: o.name,
            });
        }
        let pos = self.regions.partition_point(|o| o.base.0 < region.base.0);
        self.regions.insert(pos, region);
        Ok(())
    }

    /// Adds `size` bytes of zeroed RAM at `base`.
    pub fn add_ram(&mut self, name: &'static str, base: u64, size: u64) -> Result<(), SpaceError> {
        let ram = Ram::new(size).map_err(|source| SpaceError::Map { name, size, source })?;
        self.add(Region {
            name,
            base: GuestPhysAddr(base),
            size,
            kind: RegionKind::Ram(ram),
        })
    }

    /// Adds a read-only region holding `bytes`, padded with zeros to `size`.
    pub fn add_rom(
        &mut self,
        name: &'static str,
        base: u64,
        size: u64,
        bytes: &[u8],
    ) -> Result<(), SpaceError> {
        let mut ram = Ram::new(size).map_err(|source| SpaceError::Map { name, size, source })?;
        if let Some(dst) = ram.slice_mut(0, bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.add(Region {
            name,
            base: GuestPhysAddr(base),
            size,
            kind: RegionKind::Rom(ram),
        })
    }

    /// Adds a device at `base`.
    pub fn add_mmio(
        &mut self,
        name: &'static str,
        base: u64,
        size: u64,
        dev: Box<dyn MmioDevice>,
    ) -> Result<(), SpaceError> {
        self.add(Region {
            name,
            base: GuestPhysAddr(base),
            size,
            kind: RegionKind::Mmio(dev),
        })
    }

    /// The region wholly containing `[pa, pa + len)`, if any.
    pub fn region(&self, pa: GuestPhysAddr, len: u64) -> Option<&Region> {
        let i = self
            .regions
            .partition_point(|r| r.base.0 <= pa.0)
            .checked_sub(1)?;
        let r = &self.regions[i];
        r.contains(pa.0, len).then_some(r)
    }

    fn region_mut(&mut self, pa: GuestPhysAddr, len: u64) -> Option<&mut Region> {
        let i = self
            .regions
            .partition_point(|r| r.base.0 <= pa.0)
            .checked_sub(1)?;
        let r = &mut self.regions[i];
        r.contains(pa.0, len).then_some(r)
    }

    /// Whether `[pa, pa + len)` is plain RAM or ROM (memory-like: no side effects).
    pub fn is_memory(&self, pa: GuestPhysAddr, len: u64) -> bool {
        matches!(
            self.region(pa, len).map(|r| &r.kind),
            Some(RegionKind::Ram(_) | RegionKind::Rom(_))
        )
    }

    /// Whether `[pa, pa + len)` is writable RAM.
    pub fn is_ram(&self, pa: GuestPhysAddr, len: u64) -> bool {
        matches!(
            self.region(pa, len).map(|r| &r.kind),
            Some(RegionKind::Ram(_))
        )
    }

    /// Reads `size` (1, 2, 4, 8) bytes. Device accesses must be naturally aligned.
    pub fn read(&mut self, pa: GuestPhysAddr, size: u8) -> Result<u64, BusError> {
        let r = self.region_mut(pa, size as u64).ok_or(BusError)?;
        let off = pa.0 - r.base.0;
        match &mut r.kind {
            RegionKind::Ram(m) | RegionKind::Rom(m) => m.read(off, size).ok_or(BusError),
            RegionKind::Mmio(d) => {
                if !off.is_multiple_of(size as u64) {
                    return Err(BusError);
                }
                d.read(off, size)
            }
        }
    }

    /// Writes the low `size` bytes of `value`.
    pub fn write(&mut self, pa: GuestPhysAddr, size: u8, value: u64) -> Result<(), BusError> {
        let r = self.region_mut(pa, size as u64).ok_or(BusError)?;
        let off = pa.0 - r.base.0;
        match &mut r.kind {
            RegionKind::Ram(m) => m.write(off, size, value).ok_or(BusError),
            RegionKind::Rom(_) => Err(BusError),
            RegionKind::Mmio(d) => {
                if !off.is_multiple_of(size as u64) {
                    return Err(BusError);
                }
                d.write(off, size, value)
            }
        }
    }

    /// Copies `bytes` into RAM or ROM at `pa` (loaders; not a guest access).
    pub fn load_bytes(&mut self, pa: GuestPhysAddr, bytes: &[u8]) -> Result<(), BusError> {
        let r = self.region_mut(pa, bytes.len() as u64).ok_or(BusError)?;
        let off = pa.0 - r.base.0;
        match &mut r.kind {
            RegionKind::Ram(m) | RegionKind::Rom(m) => {
                m.slice_mut(off, bytes.len())
                    .ok_or(BusError)?
                    .copy_from_slice(bytes);
                Ok(())
            }
            RegionKind::Mmio(_) => Err(BusError),
        }
    }

    /// Reads `len` bytes of RAM or ROM at `pa` (loaders and debuggers).
    pub fn peek_bytes(&self, pa: GuestPhysAddr, len: usize) -> Option<&[u8]> {
        let r = self.region(pa, len as u64)?;
        match &r.kind {
            RegionKind::Ram(m) | RegionKind::Rom(m) => m.slice(pa.0 - r.base.0, len),
            RegionKind::Mmio(_) => None,
        }
    }

    /// The index of the largest RAM region (the machine's main RAM), if any.
    pub fn main_ram_index(&self) -> Option<usize> {
        self.regions
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r.kind, RegionKind::Ram(_)))
            .max_by_key(|(_, r)| r.size)
            .map(|(i, _)| i)
    }

    /// The RAM of region `index`, if it is RAM.
    #[inline(always)]
    pub fn ram(&self, index: usize) -> Option<&Ram> {
        match &self.regions.get(index)?.kind {
            RegionKind::Ram(r) => Some(r),
            _ => None,
        }
    }

    /// The RAM of region `index` for writing, if it is RAM.
    #[inline(always)]
    pub fn ram_mut(&mut self, index: usize) -> Option<&mut Ram> {
        match &mut self.regions.get_mut(index)?.kind {
            RegionKind::Ram(r) => Some(r),
            _ => None,
        }
    }

    /// Whether `[pa, pa + len)` is a device (MMIO) region.
    pub fn is_device(&self, pa: GuestPhysAddr, len: u64) -> bool {
        matches!(
            self.region(pa, len).map(|r| &r.kind),
            Some(RegionKind::Mmio(_))
        )
    }

    /// Iterates over the regions in address order.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo(u64);
    impl MmioDevice for Echo {
        fn read(&mut self, _o: u64, _s: u8) -> Result<u64, BusError> {
            Ok(self.0)
        }
        fn write(&mut self, _o: u64, _s: u8, v: u64) -> Result<(), BusError> {
            self.0 = v;
            Ok(())
        }
    }

    #[test]
    fn ram_read_write_and_bounds() {
        let mut s = AddressSpace::new();
        s.add_ram("ram", 0x8000_0000, 0x1000).unwrap();
        s.write(GuestPhysAddr(0x8000_0ff8), 8, 0x1122_3344_5566_7788)
            .unwrap();
        assert_eq!(s.read(GuestPhysAddr(0x8000_0ffc), 4), Ok(0x1122_3344));
        assert_eq!(
            s.read(GuestPhysAddr(0x8000_0ffc), 8),
            Err(BusError),
            "straddles the end"
        );
        assert_eq!(s.read(GuestPhysAddr(0x7fff_ffff), 1), Err(BusError));
        assert_eq!(s.read(GuestPhysAddr(u64::MAX), 8), Err(BusError));
    }

    #[test]
    fn rom_is_read_only_and_mmio_dispatches() {
        let mut s = AddressSpace::new();
        s.add_rom("rom", 0x1000, 0x100, &[1, 2, 3, 4]).unwrap();
        s.add_mmio("echo", 0x2000, 0x10, Box::new(Echo(7))).unwrap();
        assert_eq!(s.read(GuestPhysAddr(0x1000), 4), Ok(0x0403_0201));
        assert_eq!(s.write(GuestPhysAddr(0x1000), 4, 0), Err(BusError));
        assert_eq!(s.read(GuestPhysAddr(0x2008), 8), Ok(7));
        s.write(GuestPhysAddr(0x2000), 4, 9).unwrap();
        assert_eq!(s.read(GuestPhysAddr(0x2000), 4), Ok(9));
        assert_eq!(
            s.read(GuestPhysAddr(0x2001), 4),
            Err(BusError),
            "misaligned device access"
        );
    }

    #[test]
    fn overlapping_regions_are_rejected() {
        let mut s = AddressSpace::new();
        s.add_ram("a", 0x1000, 0x1000).unwrap();
        assert!(matches!(
            s.add_ram("b", 0x1800, 0x1000),
            Err(SpaceError::Overlap { .. })
        ));
        assert!(matches!(
            s.add_ram("c", u64::MAX - 4, 0x10),
            Err(SpaceError::BadSize { .. })
        ));
        s.add_ram("d", 0x2000, 0x1000).unwrap();
    }
}

//! The guest physical address space: a sorted map of non-overlapping regions.
//!
//! An access that hits no region, or straddles two, is a bus error that the
//! hart turns into an access fault; nothing here can touch host memory
//! outside a region's own backing.

use std::fmt;

use crate::access::AccessType;
use crate::access::MemAttrs;
use crate::addr::GuestPhysAddr;
use crate::device::{BusError, MmioDevice};
use crate::iommu::Iommu;
use crate::ram::Ram;
use crate::tlb::PAGE_SIZE;

/// What backs a region.
pub enum RegionKind {
    /// Read-write RAM.
    Ram(Ram),
    /// Read-only memory (e.g. the boot ROM); writes are bus errors.
    Rom(Ram),
    /// A memory-mapped device.
    Mmio(Box<dyn MmioDevice>),
    /// The register window of IOMMU unit `n` (see [`AddressSpace::add_iommu`]).
    IommuRegs(usize),
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
    #[error("IOMMU region {name} at {base:#x}+{size:#x} is not page-aligned or overlaps another")]
    BadGuard {
        name: &'static str,
        base: u64,
        size: u64,
    },
    #[error("cannot map {size:#x} bytes of RAM for {name}: {source}")]
    Map {
        name: &'static str,
        size: u64,
        source: std::io::Error,
    },
}

/// A range of the bus behind an IOMMU unit: accesses into it are decided
/// by the unit before reaching the regions below.
#[derive(Clone, Copy, Debug)]
struct Guard {
    base: u64,
    size: u64,
    unit: usize,
}

/// The regions of a machine's physical bus, and the IOMMU regions laid
/// over them.
#[derive(Default)]
pub struct AddressSpace {
    regions: Vec<Region>,
    /// IOMMU units (checkers), each with a register window among `regions`.
    iommus: Vec<Box<dyn Iommu>>,
    /// Guarded ranges, non-overlapping, page-aligned.
    guards: Vec<Guard>,
    /// An IOMMU unit's registers were written since the last
    /// [`AddressSpace::take_iommu_changes`].
    iommu_regs_written: bool,
    /// Bus addresses written by [`AddressSpace::write_checked`] (a TLB
    /// fill's page-table updates) since the last
    /// [`AddressSpace::take_implicit_writes`].
    implicit_writes: Vec<GuestPhysAddr>,
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
    pub fn add_ram(
        &mut self,
        name: &'static str,
        base: GuestPhysAddr,
        size: u64,
    ) -> Result<(), SpaceError> {
        let ram = Ram::new(size).map_err(|source| SpaceError::Map { name, size, source })?;
        self.add(Region {
            name,
            base,
            size,
            kind: RegionKind::Ram(ram),
        })
    }

    /// Adds a read-only region holding `bytes`, padded with zeros to `size`.
    pub fn add_rom(
        &mut self,
        name: &'static str,
        base: GuestPhysAddr,
        size: u64,
        bytes: &[u8],
    ) -> Result<(), SpaceError> {
        let mut ram = Ram::new(size).map_err(|source| SpaceError::Map { name, size, source })?;
        if let Some(dst) = ram.slice_mut(0, bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.add(Region {
            name,
            base,
            size,
            kind: RegionKind::Rom(ram),
        })
    }

    /// Adds a device at `base`.
    pub fn add_mmio(
        &mut self,
        name: &'static str,
        base: GuestPhysAddr,
        size: u64,
        dev: Box<dyn MmioDevice>,
    ) -> Result<(), SpaceError> {
        self.add(Region {
            name,
            base,
            size,
            kind: RegionKind::Mmio(dev),
        })
    }

    /// Adds an IOMMU unit: its registers at `regs` (base, size) on the bus,
    /// and the page-aligned range `guarded` (base, size) whose accesses it
    /// decides. Returns the unit's index.
    pub fn add_iommu(
        &mut self,
        name: &'static str,
        regs: (GuestPhysAddr, u64),
        guarded: (GuestPhysAddr, u64),
        unit: Box<dyn Iommu>,
    ) -> Result<usize, SpaceError> {
        let (GuestPhysAddr(base), size) = guarded;
        let bad = SpaceError::BadGuard { name, base, size };
        let end = base
            .checked_add(size)
            .ok_or(SpaceError::BadGuard { name, base, size })?;
        if size == 0 || !base.is_multiple_of(PAGE_SIZE) || !size.is_multiple_of(PAGE_SIZE) {
            return Err(bad);
        }
        if self
            .guards
            .iter()
            .any(|g| base < g.base + g.size && g.base < end)
        {
            return Err(bad);
        }
        let n = self.iommus.len();
        self.add(Region {
            name,
            base: regs.0,
            size: regs.1,
            kind: RegionKind::IommuRegs(n),
        })?;
        self.iommus.push(unit);
        // A unit may report its construction as a change: let it.
        self.iommu_regs_written = true;
        self.guards.push(Guard {
            base,
            size,
            unit: n,
        });
        Ok(n)
    }

    /// The IOMMU unit guarding physical address `pa`, if any (the early
    /// walk stops here).
    #[inline]
    pub fn guard_at(&self, pa: GuestPhysAddr) -> Option<usize> {
        self.guards
            .iter()
            .find(|g| pa.0.wrapping_sub(g.base) < g.size)
            .map(|g| g.unit)
    }

    /// Whether any IOMMU unit is on the bus.
    pub fn has_iommus(&self) -> bool {
        !self.iommus.is_empty()
    }

    /// IOMMU unit `n`.
    pub fn iommu(&mut self, n: usize) -> &mut dyn Iommu {
        &mut *self.iommus[n]
    }

    /// Whether any IOMMU unit's configuration changed since the last call.
    pub fn take_iommu_changes(&mut self) -> bool {
        if !std::mem::take(&mut self.iommu_regs_written) {
            return false;
        }
        let mut changed = false;
        for u in &mut self.iommus {
            changed |= u.take_config_changed();
        }
        changed
    }

    /// Reads `size` bytes at `pa` as an implicit access by `attrs` (page
    /// walks): decided by the guarding IOMMU, if any, then on the bus below.
    pub fn read_checked(
        &mut self,
        pa: GuestPhysAddr,
        size: u8,
        attrs: MemAttrs,
    ) -> Result<u64, BusError> {
        let Some(n) = self.guard_at(pa) else {
            return self.read_as(pa, size, attrs);
        };
        let a = self.iommus[n].translate(pa, size, AccessType::Read, attrs);
        if a.permits(AccessType::Read) {
            self.read_as(a.translated_addr, size, attrs)
        } else {
            self.iommus[n].blocked_read(pa, size, AccessType::Read, attrs)
        }
    }

    /// Writes `size` bytes at `pa` as an implicit access by `attrs` (A/D
    /// updates), like [`AddressSpace::read_checked`].
    pub fn write_checked(
        &mut self,
        pa: GuestPhysAddr,
        size: u8,
        value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError> {
        let Some(n) = self.guard_at(pa) else {
            self.write_as(pa, size, value, attrs)?;
            self.implicit_writes.push(pa);
            return Ok(());
        };
        let a = self.iommus[n].translate(pa, size, AccessType::Write, attrs);
        if a.permits(AccessType::Write) {
            self.write_as(a.translated_addr, size, value, attrs)?;
            self.implicit_writes.push(a.translated_addr);
            Ok(())
        } else {
            self.iommus[n].blocked_write(pa, size, value, attrs)
        }
    }

    /// The bus addresses the hart's implicit writes (page-walk A/D updates)
    /// reached since the last call, for the memory system to treat like
    /// stores: a write into code or into a device must be noticed.
    pub fn take_implicit_writes(&mut self) -> Vec<GuestPhysAddr> {
        std::mem::take(&mut self.implicit_writes)
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

    fn region_index(&self, pa: GuestPhysAddr, len: u64) -> Option<usize> {
        let i = self
            .regions
            .partition_point(|r| r.base.0 <= pa.0)
            .checked_sub(1)?;
        self.regions[i].contains(pa.0, len).then_some(i)
    }

    fn region_mut(&mut self, pa: GuestPhysAddr, len: u64) -> Option<&mut Region> {
        let i = self.region_index(pa, len)?;
        Some(&mut self.regions[i])
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
        self.read_as(pa, size, MemAttrs::default())
    }

    /// Writes the low `size` bytes of `value`.
    pub fn write(&mut self, pa: GuestPhysAddr, size: u8, value: u64) -> Result<(), BusError> {
        self.write_as(pa, size, value, MemAttrs::default())
    }

    /// Reads `size` bytes on behalf of `attrs` (checkers' registers see who
    /// asks). IOMMU regions are not consulted: this is the bus below them.
    pub fn read_as(
        &mut self,
        pa: GuestPhysAddr,
        size: u8,
        attrs: MemAttrs,
    ) -> Result<u64, BusError> {
        let i = self.region_index(pa, size as u64).ok_or(BusError)?;
        let r = &mut self.regions[i];
        let off = pa.0 - r.base.0;
        let device = !matches!(r.kind, RegionKind::Ram(_) | RegionKind::Rom(_));
        if device && !off.is_multiple_of(size as u64) {
            return Err(BusError);
        }
        match &mut r.kind {
            RegionKind::Ram(m) | RegionKind::Rom(m) => m.read(off, size).ok_or(BusError),
            RegionKind::Mmio(d) => d.read(off, size),
            RegionKind::IommuRegs(n) => {
                let n = *n;
                self.iommus[n].reg_read(off, size, attrs)
            }
        }
    }

    /// Writes the low `size` bytes of `value` on behalf of `attrs`.
    pub fn write_as(
        &mut self,
        pa: GuestPhysAddr,
        size: u8,
        value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError> {
        let i = self.region_index(pa, size as u64).ok_or(BusError)?;
        let r = &mut self.regions[i];
        let off = pa.0 - r.base.0;
        let device = !matches!(r.kind, RegionKind::Ram(_) | RegionKind::Rom(_));
        if device && !off.is_multiple_of(size as u64) {
            return Err(BusError);
        }
        match &mut r.kind {
            RegionKind::Ram(m) => m.write(off, size, value).ok_or(BusError),
            RegionKind::Rom(_) => Err(BusError),
            RegionKind::Mmio(d) => d.write(off, size, value),
            RegionKind::IommuRegs(n) => {
                let n = *n;
                self.iommu_regs_written = true;
                self.iommus[n].reg_write(off, size, value, attrs)
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
            RegionKind::Mmio(_) | RegionKind::IommuRegs(_) => Err(BusError),
        }
    }

    /// Reads `len` bytes of RAM or ROM at `pa` (loaders and debuggers).
    pub fn peek_bytes(&self, pa: GuestPhysAddr, len: usize) -> Option<&[u8]> {
        let r = self.region(pa, len as u64)?;
        match &r.kind {
            RegionKind::Ram(m) | RegionKind::Rom(m) => m.slice(pa.0 - r.base.0, len),
            RegionKind::Mmio(_) | RegionKind::IommuRegs(_) => None,
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
            Some(RegionKind::Mmio(_) | RegionKind::IommuRegs(_))
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
        s.add_ram("ram", GuestPhysAddr(0x8000_0000), 0x1000)
            .unwrap();
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
        s.add_rom("rom", GuestPhysAddr(0x1000), 0x100, &[1, 2, 3, 4])
            .unwrap();
        s.add_mmio("echo", GuestPhysAddr(0x2000), 0x10, Box::new(Echo(7)))
            .unwrap();
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
        s.add_ram("a", GuestPhysAddr(0x1000), 0x1000).unwrap();
        assert!(matches!(
            s.add_ram("b", GuestPhysAddr(0x1800), 0x1000),
            Err(SpaceError::Overlap { .. })
        ));
        assert!(matches!(
            s.add_ram("c", GuestPhysAddr(u64::MAX - 4), 0x10),
            Err(SpaceError::BadSize { .. })
        ));
        s.add_ram("d", GuestPhysAddr(0x2000), 0x1000).unwrap();
    }
}

//! The one memory path: every guest load, store and fetch goes through [`Mmu`].
//!
//! Translation is delegated to the caller's [`Translate`] implementation (the
//! hart's page walk), the physical access to the [`AddressSpace`]. Misaligned
//! loads and stores to RAM are emulated byte by byte, each byte translated on
//! its own, so an access that crosses into a faulting page raises the fault
//! with the address of the first byte in that page. Misaligned accesses to
//! devices are access faults.

use crate::addr::{GuestPhysAddr, GuestVirtAddr};
use crate::space::AddressSpace;

/// The type of a memory access, as permission checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessType {
    Read,
    Write,
    Fetch,
}

/// Why an access failed. The hart maps each kind and access type to its
/// exception cause; `addr` becomes `tval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFault {
    pub kind: MemFaultKind,
    pub access: AccessType,
    pub addr: GuestVirtAddr,
}

/// The class of a memory fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemFaultKind {
    /// The translation forbids the access (RISC-V page fault).
    Page,
    /// The physical access failed: no region, a device error, PMP (access fault).
    Access,
    /// The access is misaligned and cannot be emulated (atomics).
    Misaligned,
}

/// Virtual-to-physical translation, supplied by the hart (page walk, PMP).
pub trait Translate {
    /// Translates `va` for an access of type `access`. The implementation may
    /// read and write guest memory (page tables, A/D bits) through `space`.
    fn translate(
        &mut self,
        space: &mut AddressSpace,
        va: GuestVirtAddr,
        access: AccessType,
    ) -> Result<GuestPhysAddr, MemFaultKind>;
}

/// Translation for a hart with address translation off (M mode, `satp.MODE = Bare`).
pub struct Bare;

impl Translate for Bare {
    fn translate(
        &mut self,
        _space: &mut AddressSpace,
        va: GuestVirtAddr,
        _access: AccessType,
    ) -> Result<GuestPhysAddr, MemFaultKind> {
        Ok(GuestPhysAddr(va.0))
    }
}

/// The guest memory system of one machine.
pub struct Mmu {
    pub space: AddressSpace,
}

fn fault(kind: MemFaultKind, access: AccessType, addr: GuestVirtAddr) -> MemFault {
    MemFault { kind, access, addr }
}

impl Mmu {
    pub fn new(space: AddressSpace) -> Self {
        Mmu { space }
    }

    /// Translates `va` and checks that `[va, va + size)` lies in one region.
    pub fn translate(
        &mut self,
        tr: &mut dyn Translate,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<GuestPhysAddr, MemFault> {
        let pa = tr
            .translate(&mut self.space, va, access)
            .map_err(|k| fault(k, access, va))?;
        if self.space.region(pa, size as u64).is_none() {
            return Err(fault(MemFaultKind::Access, access, va));
        }
        Ok(pa)
    }

    /// Loads `size` bytes (1, 2, 4, 8), zero-extended.
    pub fn load(
        &mut self,
        tr: &mut dyn Translate,
        va: GuestVirtAddr,
        size: u8,
    ) -> Result<u64, MemFault> {
        let access = AccessType::Read;
        if va.0.is_multiple_of(size as u64) {
            let pa = tr
                .translate(&mut self.space, va, access)
                .map_err(|k| fault(k, access, va))?;
            return self
                .space
                .read(pa, size)
                .map_err(|_| fault(MemFaultKind::Access, access, va));
        }
        // Misaligned: translate every byte first (so no partial effects),
        // then read them, allowing only memory-like regions.
        let pas = self.misaligned_pas(tr, va, size, access)?;
        let mut v = 0u64;
        for (i, pa) in pas.iter().take(size as usize).enumerate() {
            let b = self
                .space
                .read(*pa, 1)
                .map_err(|_| fault(MemFaultKind::Access, access, va.offset(i as u64)))?;
            v |= b << (8 * i);
        }
        Ok(v)
    }

    /// Stores the low `size` bytes of `value`.
    pub fn store(
        &mut self,
        tr: &mut dyn Translate,
        va: GuestVirtAddr,
        size: u8,
        value: u64,
    ) -> Result<(), MemFault> {
        let access = AccessType::Write;
        if va.0.is_multiple_of(size as u64) {
            let pa = tr
                .translate(&mut self.space, va, access)
                .map_err(|k| fault(k, access, va))?;
            return self
                .space
                .write(pa, size, value)
                .map_err(|_| fault(MemFaultKind::Access, access, va));
        }
        let pas = self.misaligned_pas(tr, va, size, access)?;
        for (i, pa) in pas.iter().take(size as usize).enumerate() {
            self.space
                .write(*pa, 1, value >> (8 * i))
                .map_err(|_| fault(MemFaultKind::Access, access, va.offset(i as u64)))?;
        }
        Ok(())
    }

    /// Physical addresses of each byte of a misaligned access, all in RAM/ROM.
    fn misaligned_pas(
        &mut self,
        tr: &mut dyn Translate,
        va: GuestVirtAddr,
        size: u8,
        access: AccessType,
    ) -> Result<[GuestPhysAddr; 8], MemFault> {
        let mut pas = [GuestPhysAddr(0); 8];
        let mut page_pa: Option<(u64, GuestPhysAddr)> = None;
        for (i, slot) in pas.iter_mut().take(size as usize).enumerate() {
            let bva = va.offset(i as u64);
            let page = bva.0 >> 12;
            let pa = match page_pa {
                Some((p, base)) if p == page => base.offset(bva.0 & 0xfff),
                _ => {
                    let pa = tr
                        .translate(&mut self.space, bva, access)
                        .map_err(|k| fault(k, access, bva))?;
                    page_pa = Some((page, GuestPhysAddr(pa.0 & !0xfff)));
                    pa
                }
            };
            if !self.space.is_memory(pa, 1) {
                return Err(fault(MemFaultKind::Access, access, bva));
            }
            *slot = pa;
        }
        Ok(pas)
    }

    /// Fetches the instruction at `va`: 16 bits for RVC, 32 otherwise. The
    /// second half of a 32-bit instruction is translated separately when it
    /// lies on the next page.
    pub fn fetch(&mut self, tr: &mut dyn Translate, va: GuestVirtAddr) -> Result<u32, MemFault> {
        let lo = self.fetch_half(tr, va)?;
        if lo & 3 != 3 {
            return Ok(lo as u32);
        }
        let hi = self.fetch_half(tr, va.offset(2))?;
        Ok(lo as u32 | (hi as u32) << 16)
    }

    fn fetch_half(&mut self, tr: &mut dyn Translate, va: GuestVirtAddr) -> Result<u16, MemFault> {
        let access = AccessType::Fetch;
        if va.0 & 1 != 0 {
            return Err(fault(MemFaultKind::Misaligned, access, va));
        }
        let pa = tr
            .translate(&mut self.space, va, access)
            .map_err(|k| fault(k, access, va))?;
        if !self.space.is_memory(pa, 2) {
            return Err(fault(MemFaultKind::Access, access, va));
        }
        self.space
            .read(pa, 2)
            .map(|v| v as u16)
            .map_err(|_| fault(MemFaultKind::Access, access, va))
    }

    /// Reads at a physical address already translated for an atomic access.
    pub fn read_phys(&mut self, pa: GuestPhysAddr, size: u8) -> Option<u64> {
        self.space.read(pa, size).ok()
    }

    /// Writes at a physical address already translated for an atomic access.
    pub fn write_phys(&mut self, pa: GuestPhysAddr, size: u8, value: u64) -> Option<()> {
        self.space.write(pa, size, value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Maps every page except 0x8000_1000.
    struct Hole;
    impl Translate for Hole {
        fn translate(
            &mut self,
            _s: &mut AddressSpace,
            va: GuestVirtAddr,
            _a: AccessType,
        ) -> Result<GuestPhysAddr, MemFaultKind> {
            if va.0 >> 12 == 0x80001 {
                Err(MemFaultKind::Page)
            } else {
                Ok(GuestPhysAddr(va.0))
            }
        }
    }

    fn mmu() -> Mmu {
        let mut s = AddressSpace::new();
        s.add_ram("ram", 0x8000_0000, 0x4000).unwrap();
        Mmu::new(s)
    }

    #[test]
    fn misaligned_load_store_round_trip() {
        let mut m = mmu();
        m.store(
            &mut Bare,
            GuestVirtAddr(0x8000_0003),
            8,
            0x0102_0304_0506_0708,
        )
        .unwrap();
        assert_eq!(
            m.load(&mut Bare, GuestVirtAddr(0x8000_0003), 8),
            Ok(0x0102_0304_0506_0708)
        );
        assert_eq!(m.load(&mut Bare, GuestVirtAddr(0x8000_0004), 2), Ok(0x0607));
    }

    #[test]
    fn crossing_into_faulting_page_reports_second_page_and_writes_nothing() {
        let mut m = mmu();
        let err = m
            .store(&mut Hole, GuestVirtAddr(0x8000_0ffe), 4, u64::MAX)
            .unwrap_err();
        assert_eq!(err.kind, MemFaultKind::Page);
        assert_eq!(err.addr, GuestVirtAddr(0x8000_1000));
        assert_eq!(
            m.load(&mut Bare, GuestVirtAddr(0x8000_0ffe), 2),
            Ok(0),
            "no partial store"
        );
    }

    #[test]
    fn fetch_splits_32_bit_instruction_across_pages() {
        let mut m = mmu();
        m.store(&mut Bare, GuestVirtAddr(0x8000_2ffe), 4, 0x1234_0013)
            .unwrap();
        assert_eq!(
            m.fetch(&mut Bare, GuestVirtAddr(0x8000_2ffe)),
            Ok(0x1234_0013)
        );
        m.store(&mut Bare, GuestVirtAddr(0x8000_0ffe), 2, 0x0013)
            .unwrap();
        let err = m.fetch(&mut Hole, GuestVirtAddr(0x8000_0ffe)).unwrap_err();
        assert_eq!(
            (err.kind, err.addr),
            (MemFaultKind::Page, GuestVirtAddr(0x8000_1000))
        );
        let unmapped = m.fetch(&mut Bare, GuestVirtAddr(0x1000)).unwrap_err();
        assert_eq!(unmapped.kind, MemFaultKind::Access);
    }
}

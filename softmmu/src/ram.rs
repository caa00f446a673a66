//! Guest RAM backed by an anonymous host mapping.
//!
//! The mapping is made with `memmap2`, so a large guest RAM costs no host
//! memory until the guest touches it.

use std::io;

use memmap2::MmapMut;

/// A block of guest RAM. All accesses are bounds-checked.
pub struct Ram {
    map: MmapMut,
}

impl Ram {
    /// Maps `size` bytes of zeroed RAM.
    pub fn new(size: u64) -> io::Result<Ram> {
        let len = usize::try_from(size)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "RAM size too large"))?;
        let map = MmapMut::map_anon(len.max(1))?;
        // Transparent huge pages cut host TLB misses when the guest touches
        // memory widely; the hint is only advice, so failure is harmless.
        #[cfg(target_os = "linux")]
        let _ = map.advise(memmap2::Advice::HugePage);
        Ok(Ram { map })
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.map.len() as u64
    }

    /// Whether the RAM is empty (never true: a mapping has at least one byte).
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The bytes `[offset, offset + len)`, if in range.
    pub fn slice(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let start = usize::try_from(offset).ok()?;
        self.map.get(start..start.checked_add(len)?)
    }

    /// The bytes `[offset, offset + len)` for writing, if in range.
    pub fn slice_mut(&mut self, offset: u64, len: usize) -> Option<&mut [u8]> {
        let start = usize::try_from(offset).ok()?;
        self.map.get_mut(start..start.checked_add(len)?)
    }

    /// Reads a little-endian value of `size` bytes (1, 2, 4 or 8).
    #[inline(always)]
    pub fn read(&self, offset: u64, size: u8) -> Option<u64> {
        let o = usize::try_from(offset).ok()?;
        let m = &self.map[..];
        Some(match size {
            1 => *m.get(o)? as u64,
            2 => u16::from_le_bytes(m.get(o..o.checked_add(2)?)?.try_into().ok()?) as u64,
            4 => u32::from_le_bytes(m.get(o..o.checked_add(4)?)?.try_into().ok()?) as u64,
            8 => u64::from_le_bytes(m.get(o..o.checked_add(8)?)?.try_into().ok()?),
            _ => return None,
        })
    }

    /// Writes the low `size` bytes of `value`, little-endian.
    #[inline(always)]
    pub fn write(&mut self, offset: u64, size: u8, value: u64) -> Option<()> {
        let o = usize::try_from(offset).ok()?;
        let b = self.map.get_mut(o..o.checked_add(size as usize)?)?;
        match size {
            1 => b[0] = value as u8,
            2 => b.copy_from_slice(&(value as u16).to_le_bytes()),
            4 => b.copy_from_slice(&(value as u32).to_le_bytes()),
            8 => b.copy_from_slice(&value.to_le_bytes()),
            _ => return None,
        }
        Some(())
    }

    /// The host address of the first byte, used to form TLB addends.
    /// (An address only: safe code never dereferences it.)
    pub fn host_base(&self) -> u64 {
        self.map.as_ptr() as u64
    }
}

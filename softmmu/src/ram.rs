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
        Ok(Ram {
            map: MmapMut::map_anon(len.max(1))?,
        })
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
    pub fn read(&self, offset: u64, size: u8) -> Option<u64> {
        let b = self.slice(offset, size as usize)?;
        let mut v = [0u8; 8];
        v[..b.len()].copy_from_slice(b);
        Some(u64::from_le_bytes(v))
    }

    /// Writes the low `size` bytes of `value`, little-endian.
    pub fn write(&mut self, offset: u64, size: u8, value: u64) -> Option<()> {
        let b = self.slice_mut(offset, size as usize)?;
        b.copy_from_slice(&value.to_le_bytes()[..size as usize]);
        Some(())
    }
}

//! The PMP-style address-range encodings OFF / TOR / NA4 / NAPOT, shared by
//! PMP (`hart/walk.rs`), the wgChecker and the IOPMP.
//!
//! An entry holds an address register (the byte address >> 2) and a 2-bit
//! mode. The callers differ only in where a TOR range starts (the TOR base
//! they pass in): PMP and the IOPMP use the previous entry's address
//! register ([`byte_addr`] of it, 0 for entry 0), the wgChecker the end of
//! the previous slot's range when that slot is NA4/NAPOT (WorldGuard §3.1.2).
//! Ranges are `[start, end)` in `u128`: a 64-bit address register covers
//! bytes up to 2^66, and a NAPOT range of all ones ends at 2^67.

/// The A (address-matching) field of an entry's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrMatch {
    /// Disabled: matches nothing.
    Off,
    /// Top of range: `[TOR base, address)`.
    Tor,
    /// Naturally aligned four bytes at the address.
    Na4,
    /// Naturally aligned power of two of at least 8 bytes; the trailing ones
    /// of the address register give its size.
    Napot,
}

impl AddrMatch {
    /// The mode encoded in the low two bits of `a` (the A field shifted
    /// down to bit 0; higher bits are ignored).
    pub fn from_a(a: u32) -> AddrMatch {
        match a & 3 {
            0 => AddrMatch::Off,
            1 => AddrMatch::Tor,
            2 => AddrMatch::Na4,
            _ => AddrMatch::Napot,
        }
    }
}

/// The byte address an address register (address >> 2) encodes.
pub fn byte_addr(addr_reg: u64) -> u128 {
    (addr_reg as u128) << 2
}

/// The byte range `[start, end)` of an NA4 entry.
pub fn na4_range(addr_reg: u64) -> (u128, u128) {
    let a = byte_addr(addr_reg);
    (a, a + 4)
}

/// The byte range `[start, end)` of a NAPOT entry: `n` trailing ones in the
/// address register give `2^(n + 3)` bytes, aligned to their size.
pub fn napot_range(addr_reg: u64) -> (u128, u128) {
    let size = 1u128 << (addr_reg.trailing_ones() + 3);
    let start = byte_addr(addr_reg) & !(size - 1);
    (start, start + size)
}

/// The byte range `[start, end)` an entry in `mode` with address register
/// `addr_reg` covers, or `None` when it is OFF or an empty TOR range
/// (`tor_base >= top`). `tor_base` (bytes) is only used for TOR.
pub fn decode(mode: AddrMatch, addr_reg: u64, tor_base: u128) -> Option<(u128, u128)> {
    match mode {
        AddrMatch::Off => None,
        AddrMatch::Tor => {
            let top = byte_addr(addr_reg);
            (tor_base < top).then_some((tor_base, top))
        }
        AddrMatch::Na4 => Some(na4_range(addr_reg)),
        AddrMatch::Napot => Some(napot_range(addr_reg)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_from_the_low_two_bits() {
        assert_eq!(AddrMatch::from_a(0), AddrMatch::Off);
        assert_eq!(AddrMatch::from_a(1), AddrMatch::Tor);
        assert_eq!(AddrMatch::from_a(2), AddrMatch::Na4);
        assert_eq!(AddrMatch::from_a(3), AddrMatch::Napot);
        assert_eq!(AddrMatch::from_a(0x80 >> 3 | 1), AddrMatch::Tor);
    }

    #[test]
    fn off_matches_nothing() {
        assert_eq!(decode(AddrMatch::Off, 0x2000_0000, 0), None);
        assert_eq!(decode(AddrMatch::Off, u64::MAX, 0), None);
    }

    #[test]
    fn na4() {
        assert_eq!(
            decode(AddrMatch::Na4, 0x1000 >> 2, 0),
            Some((0x1000, 0x1004))
        );
        assert_eq!(decode(AddrMatch::Na4, 0, 0), Some((0, 4)));
        let top = 1u128 << 66;
        assert_eq!(na4_range(u64::MAX), (top - 4, top));
    }

    #[test]
    fn napot_sizes_from_trailing_ones() {
        assert_eq!(napot_range(0), (0, 8), "no trailing one: 8 bytes");
        assert_eq!(napot_range(1), (0, 16));
        assert_eq!(
            napot_range((0x8000_0000 >> 2) | 0x1ff),
            (0x8000_0000, 0x8000_1000)
        );
        assert_eq!(
            decode(AddrMatch::Napot, 0x2000_0fff >> 2, 0),
            Some((0x2000_0000, 0x2000_2000)),
            "10 trailing ones: 8 KiB"
        );
    }

    #[test]
    fn napot_extremes_do_not_overflow() {
        assert_eq!(napot_range(u64::MAX), (0, 1 << 67), "all ones: 2^67 bytes");
        assert_eq!(napot_range(u64::MAX >> 1), (0, 1 << 66));
        assert_eq!(
            napot_range(u64::MAX - 1),
            ((1 << 66) - 8, 1 << 66),
            "8 bytes at the top"
        );
        // PMP's 54-bit pmpaddr.
        let pmp_all = (1u64 << 54) - 1;
        assert_eq!(napot_range(pmp_all), (0, 1 << 57));
    }

    #[test]
    fn tor_empty_and_non_empty() {
        assert_eq!(
            decode(AddrMatch::Tor, 0x9000_0000 >> 2, 0x8000_0000),
            Some((0x8000_0000, 0x9000_0000))
        );
        assert_eq!(decode(AddrMatch::Tor, 0x1000 >> 2, 0), Some((0, 0x1000)));
        assert_eq!(
            decode(AddrMatch::Tor, 0x1000 >> 2, 0x1000),
            None,
            "base == top"
        );
        assert_eq!(
            decode(AddrMatch::Tor, 0x1000 >> 2, 0x2000),
            None,
            "base > top"
        );
        assert_eq!(decode(AddrMatch::Tor, 0, 0), None, "top 0");
        let top = 1u128 << 66;
        assert_eq!(decode(AddrMatch::Tor, u64::MAX, 0), Some((0, top - 4)));
        assert_eq!(decode(AddrMatch::Tor, u64::MAX, top), None);
        // A base past every byte address (a NAPOT-of-all-ones end).
        assert_eq!(decode(AddrMatch::Tor, u64::MAX, 1 << 67), None);
    }

    /// The formulas this module replaced, kept to show it is bit-for-bit
    /// the same: PMP's (`hart/walk.rs`), the wgChecker's `napot` and the
    /// IOPMP's inclusive spans.
    #[test]
    fn same_as_the_former_decoders() {
        fn pmp_napot(addr: u64) -> (u128, u128) {
            let size = 1u128 << (addr.trailing_ones() + 3);
            let base = ((addr as u128) << 2) & !(size - 1);
            (base, base + size)
        }
        fn wgc_napot(addr: u64) -> (u128, u128) {
            let a = ((addr as u128) << 2) | 3;
            (a & (a + 1), (a | (a + 1)) + 1)
        }
        fn iopmp_napot(a: u128) -> (u128, u128) {
            let x = a << 2 | 3;
            (x & (x + 1), x | (x + 1))
        }
        let mut values = vec![0, 1, 2, 3, 0x1ff, u64::MAX, u64::MAX - 1, u64::MAX >> 1];
        values.extend((0..64).flat_map(|n| [1u64 << n, (1u64 << n) - 1, !(1u64 << n)]));
        let mut rng = crate::test_rng::XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..10_000 {
            let x = rng.next();
            values.push(x);
            values.push(x | ((1u64 << (x % 64)) - 1));
        }
        for &v in &values {
            let r = napot_range(v);
            assert_eq!(r, pmp_napot(v), "{v:#x}");
            assert_eq!(r, wgc_napot(v), "{v:#x}");
            let (lo, hi) = iopmp_napot(v as u128);
            assert_eq!(r, (lo, hi + 1), "{v:#x}");
        }
    }
}

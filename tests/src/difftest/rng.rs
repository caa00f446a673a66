//! Random numbers.

use super::memory_map::{WINDOW, WINDOW_SIZE};

/// SplitMix64's finaliser: a good 64-bit mixing function.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of block `index` of a campaign: blocks are independent, so any
/// one can be regenerated alone.
pub fn block_seed(seed: u64, index: u64) -> u64 {
    mix(seed ^ mix(index.wrapping_add(0x632b_e59b_d9b4_e019)))
}

/// A small, fast, reproducible generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

const SPECIAL: [u64; 18] = [
    0,
    1,
    2,
    u64::MAX,
    i64::MAX as u64,
    i64::MIN as u64,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0xffff_ffff_8000_0000,
    0x1_0000_0000,
    31,
    32,
    63,
    64,
    0x8000_0000_0000_0001,
    0xffff_ffff_7fff_ffff,
    0x0000_0001_ffff_ffff,
];

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// A register value: boundary cases, small numbers, 32-bit patterns,
    /// single bits, pointers into the data window and plain random bits.
    pub fn value(&mut self) -> u64 {
        match self.below(9) {
            0 | 1 => self.next_u64(),
            2 => self.range(-16, 16) as u64,
            3 => self.pick(&SPECIAL),
            4 => self.next_u64() as i32 as i64 as u64,
            5 => self.next_u64() as u32 as u64,
            6 => (1u64 << self.below(64)).wrapping_add(self.range(-1, 1) as u64),
            7 => WINDOW + self.below(WINDOW_SIZE),
            _ => self.next_u64() >> self.below(64),
        }
    }

    /// A 12-bit signed immediate with its boundary cases.
    pub(super) fn imm12(&mut self) -> i64 {
        match self.below(10) {
            0..=2 => self.range(-8, 8),
            3 | 4 => self.pick(&[0, 1, -1, 2047, -2048, 31, 32, 63, -32, 0x555]),
            _ => self.range(-2048, 2047),
        }
    }

    /// A shift amount below `limit` (32 or 64) with its boundary cases.
    pub(super) fn shamt(&mut self, limit: i64) -> i64 {
        if self.chance(30) {
            self.pick(&[0, 1, 31, 32, 63]) % limit
        } else {
            self.range(0, limit - 1)
        }
    }
}

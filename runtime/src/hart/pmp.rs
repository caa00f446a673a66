//! Physical memory protection: the PMP CSRs and the checks the page walk makes.
//!
//! The CSRs are kept as written; the byte range of each active entry is
//! decoded at every write (`Pmp::set_cfg`, `Pmp::set_addr`), not at every
//! check: a Linux boot checks PMP three or four times per TLB fill (each
//! page-table read and the page itself), and decoding the NAPOT ranges
//! there was 2-5% of its main thread.

use softmmu::access::{prot_for, PROT_EXEC, PROT_READ, PROT_WRITE};
use softmmu::AccessType;

use super::Priv;
use crate::devices::range::{self, AddrMatch};

pub const PMP_R: u8 = 1;
pub const PMP_W: u8 = 2;
pub const PMP_X: u8 = 4;
pub const PMP_A_SHIFT: u8 = 3;
pub const PMP_L: u8 = 0x80;
/// The configuration bits that exist (bits 5 and 6 are WPRI, zero).
const PMP_CFG_WMASK: u8 = 0x9f;
/// pmpaddr holds bits 55..2 of an address: 54 bits.
const PMP_ADDR_WMASK: u64 = (1 << 54) - 1;

/// An active entry, decoded: its bytes `[lo, hi)` and its configuration.
/// In `u128`, so ranges ending at the top of the address space (and pages
/// there) never overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    lo: u128,
    hi: u128,
    cfg: u8,
}

/// The PMP entries of a hart (0, 16 or 64).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pmp {
    cfg: Vec<u8>,
    addr: Vec<u64>,
    /// The entries that are not OFF and cover bytes, lowest-numbered first
    /// (the first match decides).
    rules: Vec<Rule>,
    /// Some entry is not OFF (an empty TOR range counts): then S and U
    /// accesses that match none fail.
    any_active: bool,
}

impl Pmp {
    pub fn new(entries: usize) -> Pmp {
        Pmp {
            cfg: vec![0; entries],
            addr: vec![0; entries],
            rules: Vec::new(),
            any_active: false,
        }
    }

    /// Implemented entries.
    pub fn len(&self) -> usize {
        self.cfg.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cfg.is_empty()
    }

    /// One configuration byte per entry.
    pub fn cfg(&self) -> &[u8] {
        &self.cfg
    }

    pub fn addr(&self) -> &[u64] {
        &self.addr
    }

    /// Whether entry `i` ignores writes to its configuration.
    pub fn cfg_locked(&self, i: usize) -> bool {
        self.cfg.get(i).is_none_or(|c| c & PMP_L != 0)
    }

    /// Whether entry `i` ignores writes to its address: it is locked, or
    /// the next entry is a locked TOR entry (whose base it is).
    pub fn addr_locked(&self, i: usize) -> bool {
        self.cfg_locked(i)
            || self
                .cfg
                .get(i + 1)
                .is_some_and(|&c| c & PMP_L != 0 && (c >> PMP_A_SHIFT) & 3 == 1)
    }

    /// Writes entry `i`'s configuration (WARL: reserved bits read zero);
    /// ignored when locked. Returns whether it was written.
    pub fn set_cfg(&mut self, i: usize, v: u8) -> bool {
        if self.cfg_locked(i) {
            return false;
        }
        self.cfg[i] = v & PMP_CFG_WMASK;
        self.decode();
        true
    }

    /// Writes entry `i`'s address; ignored when locked. Returns whether it
    /// was written.
    pub fn set_addr(&mut self, i: usize, v: u64) -> bool {
        if self.addr_locked(i) {
            return false;
        }
        self.addr[i] = v & PMP_ADDR_WMASK;
        self.decode();
        true
    }

    fn decode(&mut self) {
        self.rules.clear();
        self.any_active = false;
        for i in 0..self.cfg.len() {
            let a = (self.cfg[i] >> PMP_A_SHIFT) & 3;
            if a == 0 {
                continue;
            }
            self.any_active = true;
            // A TOR range starts at the previous entry's address (0 for
            // entry 0).
            let tor_base = match i {
                0 => 0,
                _ => range::byte_addr(self.addr[i - 1]),
            };
            let mode = AddrMatch::from_a(u32::from(a));
            if let Some((lo, hi)) = range::decode(mode, self.addr[i], tor_base) {
                self.rules.push(Rule {
                    lo,
                    hi,
                    cfg: self.cfg[i],
                });
            }
        }
    }

    fn default_prot(&self, prv: Priv) -> u8 {
        if prv == Priv::M || !self.any_active {
            PROT_READ | PROT_WRITE | PROT_EXEC
        } else {
            0
        }
    }

    /// The permissions of bytes `[lo, hi)`: `Some` when one entry (or none)
    /// decides for all of them, `None` when an entry covers only part.
    fn prot(&self, lo: u128, hi: u128, prv: Priv) -> Option<u8> {
        for r in &self.rules {
            if hi <= r.lo || lo >= r.hi {
                continue;
            }
            if lo < r.lo || hi > r.hi {
                return None;
            }
            return Some(cfg_prot(r.cfg, prv));
        }
        Some(self.default_prot(prv))
    }

    /// Checks one access of `size` bytes at physical `pa`: the
    /// lowest-numbered entry matching any byte decides; it must match all
    /// bytes.
    pub fn check(&self, pa: u64, size: u64, access: AccessType, prv: Priv) -> bool {
        let lo = pa as u128;
        self.prot(lo, lo + size as u128, prv)
            .is_some_and(|p| p & prot_for(access) != 0)
    }

    /// The permissions of a whole 4 KiB page, if the same for every byte.
    pub fn page_prot(&self, page: u64, prv: Priv) -> Option<u8> {
        let lo = page as u128;
        self.prot(lo, lo + 0x1000, prv)
    }
}

fn cfg_prot(cfg: u8, prv: Priv) -> u8 {
    if prv == Priv::M && cfg & PMP_L == 0 {
        return PROT_READ | PROT_WRITE | PROT_EXEC;
    }
    let mut p = 0;
    if cfg & PMP_R != 0 {
        p |= PROT_READ;
    }
    if cfg & PMP_W != 0 {
        p |= PROT_WRITE;
    }
    if cfg & PMP_X != 0 {
        p |= PROT_EXEC;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pmp() -> Pmp {
        Pmp::new(16)
    }

    #[test]
    fn pmp_napot_tor_na4_ranges() {
        let mut c = pmp();
        c.set_addr(0, (0x8000_0000 >> 2) | 0x1ff); // NAPOT 4 KiB at 0x8000_0000
        c.set_cfg(0, (3 << PMP_A_SHIFT) | PMP_R);
        // TOR from entry 0's address register as written, NAPOT bits and
        // all: [0x8000_07fc, 0x9000_0000).
        c.set_addr(1, 0x9000_0000 >> 2);
        c.set_cfg(1, (1 << PMP_A_SHIFT) | PMP_R | PMP_W | PMP_X);
        c.set_addr(2, 0x1000 >> 2);
        c.set_cfg(2, (2 << PMP_A_SHIFT) | PMP_X);
        assert_eq!((c.rules[0].lo, c.rules[0].hi), (0x8000_0000, 0x8000_1000));
        assert_eq!((c.rules[1].lo, c.rules[1].hi), (0x8000_07fc, 0x9000_0000));
        assert_eq!((c.rules[2].lo, c.rules[2].hi), (0x1000, 0x1004));
        assert_eq!(
            c.page_prot(!0xfff, Priv::M),
            Some(PROT_READ | PROT_WRITE | PROT_EXEC),
            "last page: no overflow"
        );
        assert!(c.check(0x8000_0010, 8, AccessType::Read, Priv::S));
        assert!(
            !c.check(0x8000_0010, 8, AccessType::Write, Priv::S),
            "entry 0 first"
        );
        assert!(
            !c.check(0x8000_0ffc, 8, AccessType::Read, Priv::S),
            "partial match"
        );
        assert!(c.check(0x8000_2000, 8, AccessType::Write, Priv::U));
        assert!(c.check(0x1000, 4, AccessType::Fetch, Priv::U));
        assert!(
            !c.check(0x1004, 4, AccessType::Fetch, Priv::U),
            "no match in S/U fails"
        );
        assert!(
            c.check(0x1004, 4, AccessType::Write, Priv::M),
            "M passes unlocked"
        );
        assert!(c.check(0x8000_0000, 4, AccessType::Write, Priv::M));
        assert!(c.set_cfg(0, c.cfg()[0] | PMP_L));
        assert!(
            !c.check(0x8000_0000, 4, AccessType::Write, Priv::M),
            "locked binds M"
        );
        assert!(!c.set_cfg(0, 0), "locked: the write is ignored");
        assert!(!c.set_addr(0, 0), "locked: the address too");
        assert_eq!(c.page_prot(0x1000, Priv::S), None, "NA4 inside a page");
        assert_eq!(
            c.page_prot(0x8000_3000, Priv::S),
            Some(PROT_READ | PROT_WRITE | PROT_EXEC)
        );
        // Turning entry 2 off drops its rule.
        assert!(c.set_cfg(2, 0));
        assert_eq!(c.rules.len(), 2);
    }

    #[test]
    fn a_locked_tor_entry_locks_the_address_below_it() {
        let mut c = pmp();
        c.set_addr(1, 0x9000_0000 >> 2);
        c.set_cfg(1, (1 << PMP_A_SHIFT) | PMP_L | PMP_R);
        assert!(!c.set_addr(0, 0x1234), "entry 0 is entry 1's base");
        assert_eq!(c.addr()[0], 0);
        assert!(c.set_addr(2, u64::MAX));
        assert_eq!(c.addr()[2], PMP_ADDR_WMASK, "54 bits");
        assert!(!c.set_cfg(16, 0) && !c.set_addr(16, 0), "no entry 16");
    }

    #[test]
    fn an_empty_tor_range_still_makes_pmp_active() {
        let mut c = pmp();
        assert!(
            c.check(0x8000_0000, 8, AccessType::Write, Priv::U),
            "none active"
        );
        c.set_cfg(0, (1 << PMP_A_SHIFT) | PMP_R); // TOR [0, 0): empty
        assert!(c.rules.is_empty());
        assert!(!c.check(0x8000_0000, 8, AccessType::Read, Priv::U));
        assert!(c.check(0x8000_0000, 8, AccessType::Read, Priv::M));
    }
}

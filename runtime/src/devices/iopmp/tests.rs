//! Unit tests of the IOPMP model: registers, locks, address modes, MDs, rules, errors, granularity.

use super::*;
use crate::hart::{irq, IrqLines};
use softmmu::{IommuTarget, MmioDevice};

const RAM: u64 = 0x8000_0000;
const R: u32 = cfg::R;
const W: u32 = cfg::W;
const X: u32 = cfg::X;
const TOR: u32 = cfg::A_TOR;
const NA4: u32 = cfg::A_NA4;
const NAPOT: u32 = cfg::A_NAPOT;

fn attrs(rrid: u16) -> MemAttrs {
    MemAttrs {
        world_id: 0,
        requester_id: rrid,
    }
}

/// The encoded address of a NAPOT region.
fn napot(base: u64, size: u64) -> u64 {
    (base | (size / 2 - 1)) >> 2
}

struct T {
    p: Iopmp,
    lines: IrqLines,
}

/// 16 entries, 4 MDs of 4 entries each (MD m = entries 4m..4m+4), 4
/// RRIDs, the first 4 entries priority; RRID s is associated with MD s
/// and MD 3 unless the test changes it.
fn small() -> IopmpConfig {
    IopmpConfig {
        entries: 16,
        md_num: 4,
        rrid_num: 4,
        prio_entries: 4,
        base: GuestPhysAddr(RAM),
        size: 0x100_0000,
        irq: IOPMP_IRQ,
    }
}

impl T {
    fn new(cfg: IopmpConfig) -> T {
        let lines = IrqLines::default();
        let plic = Rc::new(RefCell::new(Plic::new(lines.clone())));
        {
            // Source priority 1, enabled for context 0 (MEIP).
            let mut p = plic.borrow_mut();
            p.write(4 * cfg.irq as u64, 4, 1).unwrap();
            p.write(0x2000 + 4 * (cfg.irq as u64 / 32), 4, 1 << (cfg.irq % 32))
                .unwrap();
        }
        T {
            p: Iopmp::new(cfg, plic),
            lines,
        }
    }

    /// `small()` with MDs laid out, RRIDs mapped, and enabled.
    fn setup() -> T {
        let mut t = T::new(small());
        for m in 0..4 {
            t.w(reg::MDCFG + 4 * m, 4 * (m as u32 + 1));
        }
        for s in 0..4u64 {
            t.srcmd(s, 1 << s | 1 << 3);
        }
        t.enable();
        t
    }

    fn w(&mut self, off: u64, v: u32) {
        self.p.reg_write(off, 4, v as u64, attrs(0)).unwrap();
    }

    fn r(&mut self, off: u64) -> u32 {
        self.p.reg_read(off, 4, attrs(0)).unwrap() as u32
    }

    fn enable(&mut self) {
        self.w(reg::HWCFG0, hwcfg0::ENABLE);
    }

    fn srcmd(&mut self, s: u64, mds: u64) {
        self.w(reg::SRCMD + 32 * s, (mds << 1) as u32);
        self.w(reg::SRCMD + 32 * s + 4, (mds >> 31) as u32);
    }

    fn entry(&mut self, i: u64, word: u64, c: u32) {
        let o = DEFAULT_ENTRY_OFFSET + 16 * i;
        self.w(o + reg::ENTRY_ADDR, word as u32);
        self.w(o + reg::ENTRY_ADDRH, (word >> 32) as u32);
        self.w(o + reg::ENTRY_CFG, c);
    }

    fn tr(&mut self, addr: u64, size: u8, access: AccessType, rrid: u16) -> IommuTlbEntry {
        self.p
            .translate(GuestPhysAddr(addr), size, access, attrs(rrid))
    }

    fn ok(&mut self, addr: u64, size: u8, access: AccessType, rrid: u16) -> bool {
        let a = self.tr(addr, size, access, rrid);
        let ok = a.target == IommuTarget::Memory;
        assert_eq!(ok, a.perm == prot_bit(access), "perm follows the target");
        if ok {
            assert_eq!(a.translated_addr, GuestPhysAddr(addr), "identity");
        }
        ok
    }

    fn lg(&mut self, addr: u64, size: u8, access: AccessType, rrid: u16) -> u8 {
        self.tr(addr, size, access, rrid).lg_granularity
    }

    fn read(&mut self, addr: u64, size: u8, rrid: u16) -> Result<u64, BusError> {
        self.p
            .blocked_read(GuestPhysAddr(addr), size, AccessType::Read, attrs(rrid))
    }

    fn fetch(&mut self, addr: u64, rrid: u16) -> Result<u64, BusError> {
        self.p
            .blocked_read(GuestPhysAddr(addr), 4, AccessType::Fetch, attrs(rrid))
    }

    fn write(&mut self, addr: u64, size: u8, rrid: u16) -> Result<(), BusError> {
        self.p
            .blocked_write(GuestPhysAddr(addr), size, 0x55, attrs(rrid))
    }

    fn etype(&mut self) -> u32 {
        self.r(reg::ERR_INFO) >> err_info::ETYPE_SHIFT & 0xf
    }

    fn meip(&self) -> bool {
        self.lines.get() & irq::MEIP != 0
    }
}

use AccessType::{Fetch, Read, Write};

#[test]
fn info_registers_at_reset() {
    let mut t = T::new(IopmpConfig::default());
    assert_eq!(t.r(reg::VERSION), 70 << 24);
    assert_eq!(t.r(reg::IMPLEMENTATION), 70);
    let h = t.r(reg::HWCFG0);
    assert_eq!(h & 0xf, 0, "mdcfg_fmt = srcmd_fmt = 0: the full model");
    assert_ne!(h & hwcfg0::TOR_EN, 0);
    assert_ne!(h & hwcfg0::PRIENT_PROG, 0);
    assert_ne!(h & hwcfg0::CHK_X, 0);
    assert_ne!(h & hwcfg0::PEIS, 0);
    assert_ne!(h & hwcfg0::PEES, 0);
    assert_ne!(h & hwcfg0::MFR_EN, 0);
    assert_ne!(h & hwcfg0::ADDRH_EN, 0);
    assert_eq!(h & hwcfg0::ENABLE, 0);
    assert_eq!(h >> 24 & 0x3f, DEFAULT_MD_NUM);
    assert_eq!(
        h & (1 << 5 | 1 << 6 | 1 << 8 | 1 << 9 | 1 << 11 | 1 << 12 | 1 << 13),
        0,
        "no SPS, user cfg, RRID translation, no_x, no_w, stall"
    );
    assert_eq!(t.r(reg::HWCFG1), DEFAULT_ENTRIES << 16 | DEFAULT_RRID_NUM);
    assert_eq!(t.r(reg::HWCFG2), DEFAULT_PRIO_ENTRIES);
    assert_eq!(t.r(reg::ENTRYOFFSET), 0x4000);
    for o in [reg::ERR_CFG, reg::ERR_INFO, reg::MDLCK, reg::ENTRYLCK] {
        assert_eq!(t.r(o), 0);
    }
    assert!(!t.p.take_config_changed());
}

#[test]
fn config_validation_and_clamping() {
    assert_eq!(IopmpConfig::default().validate(), Ok(()));
    let bad = IopmpConfig {
        md_num: 64,
        ..small()
    };
    assert_eq!(bad.validate(), Err(IopmpConfigError::MdNum(64)));
    let bad = IopmpConfig {
        entries: 70_000,
        ..small()
    };
    assert!(matches!(
        bad.validate(),
        Err(IopmpConfigError::Entries(70_000, _))
    ));
    let bad = IopmpConfig { irq: 0, ..small() };
    assert_eq!(bad.validate(), Err(IopmpConfigError::Irq(0)));
    let bad = IopmpConfig { size: 0, ..small() };
    assert!(bad.validate().is_err());
    // A large SRCMD table moves the entry array up.
    let big = IopmpConfig {
        rrid_num: 1000,
        ..small()
    };
    assert_eq!(big.entry_offset(), 0x9000);
    assert_eq!(big.validate(), Ok(()));
    // new() clamps.
    let t = T::new(IopmpConfig {
        md_num: 100,
        prio_entries: 1000,
        ..small()
    });
    assert_eq!(t.p.config().md_num, 63);
    assert_eq!(t.p.config().prio_entries, 16);
}

#[test]
fn disabled_iopmp_passes_everything_page_wide() {
    let mut t = T::new(small());
    t.entry(0, napot(RAM, 0x1000), NAPOT); // no permission at all
    for a in [Read, Write, Fetch] {
        assert!(t.ok(RAM + 8, 4, a, 0));
        assert!(t.ok(RAM + 8, 4, a, 1000), "even unknown RRIDs");
        assert!(t.lg(RAM + 8, 4, a, 0) >= 12);
    }
    t.p.take_config_changed();
    t.enable();
    assert!(t.p.take_config_changed(), "enabling changes answers");
    assert!(!t.ok(RAM + 8, 4, Read, 0));
    t.w(reg::HWCFG0, 0);
    assert_ne!(t.r(reg::HWCFG0) & hwcfg0::ENABLE, 0, "enable is sticky");
    assert!(!t.p.take_config_changed());
}

#[test]
fn permissions_per_entry_and_fetch_checks_x_not_r() {
    let mut t = T::setup();
    t.entry(0, napot(RAM, 0x1000), NAPOT | R);
    t.entry(1, napot(RAM + 0x1000, 0x1000), NAPOT | R | X);
    t.entry(2, napot(RAM + 0x2000, 0x1000), NAPOT | X);
    t.entry(3, napot(RAM + 0x3000, 0x1000), NAPOT | R | W);
    let ok = |t: &mut T, a: u64| [Read, Write, Fetch].map(|x| t.ok(a, 4, x, 0));
    assert_eq!(ok(&mut t, RAM), [true, false, false]);
    assert_eq!(ok(&mut t, RAM + 0x1ffc), [true, false, true]);
    assert_eq!(ok(&mut t, RAM + 0x2000), [false, false, true]);
    assert_eq!(ok(&mut t, RAM + 0x3800), [true, true, false]);
    assert_eq!(ok(&mut t, RAM + 0x4000), [false, false, false]);
    // Fetch denied on an R-only entry: illegal fetch, ttype fetch.
    assert_eq!(t.fetch(RAM + 0x10, 0), Err(BusError));
    assert_eq!(t.etype(), etype::ILLEGAL_FETCH);
    assert_eq!(t.r(reg::ERR_INFO) >> 1 & 3, 3, "ttype = fetch");
    assert_eq!(t.r(reg::ERR_REQID), 0 << 16);
    assert_eq!(t.p.stats.blocked_fetches, 1);
}

#[test]
fn address_modes_tor_na4_napot() {
    let mut t = T::setup();
    t.w(reg::HWCFG2, 0); // all non-priority: plain range tests
                         // Entry 0 (OFF) gives entry 1's TOR its bottom.
    t.entry(0, (RAM + 0x100) >> 2, 0);
    t.entry(1, (RAM + 0x180) >> 2, TOR | R);
    t.entry(2, (RAM + 0x204) >> 2, NA4 | R);
    t.entry(3, napot(RAM + 0x400, 0x40), NAPOT | R);
    let ok = |t: &mut T, a: u64, s: u8| t.ok(a, s, Read, 0);
    assert!(!ok(&mut t, RAM + 0xfc, 4));
    assert!(ok(&mut t, RAM + 0x100, 4));
    assert!(ok(&mut t, RAM + 0x178, 8));
    assert!(!ok(&mut t, RAM + 0x17c, 8), "crosses the TOR top");
    assert!(!ok(&mut t, RAM + 0x180, 1));
    assert!(!ok(&mut t, RAM + 0x200, 4));
    assert!(ok(&mut t, RAM + 0x204, 4));
    assert!(ok(&mut t, RAM + 0x207, 1));
    assert!(!ok(&mut t, RAM + 0x206, 4));
    assert!(!ok(&mut t, RAM + 0x208, 1));
    assert!(!ok(&mut t, RAM + 0x3ff, 1));
    assert!(ok(&mut t, RAM + 0x400, 8));
    assert!(ok(&mut t, RAM + 0x43f, 1));
    assert!(!ok(&mut t, RAM + 0x440, 1));
    // A TOR whose top is not above the previous address is empty.
    t.entry(1, (RAM + 0x100) >> 2, TOR | R);
    assert!(!ok(&mut t, RAM + 0x100, 1));
    t.entry(1, (RAM + 0x80) >> 2, TOR | R);
    assert!(!ok(&mut t, RAM + 0x90, 1));
    // TOR on entry 0 starts at address 0.
    t.entry(0, (RAM + 0x10) >> 2, TOR | R);
    assert!(ok(&mut t, RAM, 8));
    // An 8-byte NAPOT (encoded address ending in 0).
    t.entry(3, napot(RAM + 0x808, 8), NAPOT | W);
    assert!(t.ok(RAM + 0x808, 8, Write, 0));
    assert!(!t.ok(RAM + 0x804, 4, Write, 0));
    assert!(!t.ok(RAM + 0x810, 4, Write, 0));
}

#[test]
fn addrh_holds_address_bits_above_33() {
    let base = 0x4_0000_0000u64; // bit 34
    let mut t = T::new(IopmpConfig {
        base: GuestPhysAddr(base),
        size: 0x1000_0000,
        ..small()
    });
    t.w(reg::MDCFG, 16);
    t.srcmd(0, 1);
    t.enable();
    t.entry(0, napot(base + 0x1000, 0x1000), NAPOT | R);
    // ENTRY_ADDR holds address bits 33:2, ENTRY_ADDRH bits 65:34.
    assert_eq!(t.r(DEFAULT_ENTRY_OFFSET + reg::ENTRY_ADDRH), 1);
    assert_eq!(t.r(DEFAULT_ENTRY_OFFSET), (0x1000 | 0x7ff) >> 2);
    assert!(t.ok(base + 0x1800, 4, Read, 0));
    assert!(!t.ok(0x1800, 4, Read, 0), "not aliased below 4 GiB");
    let high = 0x12_3456_7000u64;
    t.entry(1, napot(high, 0x1000), NAPOT | R);
    assert_eq!(t.r(DEFAULT_ENTRY_OFFSET + 16 + reg::ENTRY_ADDRH), 0x12 >> 2);
    assert!(t.ok(high + 4, 4, Read, 0));
    assert!(!t.ok(high - 4, 4, Read, 0));
    // Captured addresses above 34 bits land in ERR_REQADDRH.
    t.w(reg::ERR_CFG, err_cfg::IE);
    assert_eq!(t.write(high + 0x10, 4, 0), Err(BusError));
    assert_eq!(t.r(reg::ERR_REQADDR), ((high + 0x10) >> 2) as u32);
    assert_eq!(t.r(reg::ERR_REQADDRH), ((high + 0x10) >> 34) as u32);
    let both = t.p.reg_read(reg::ERR_REQADDR, 8, attrs(0)).unwrap();
    assert_eq!(both, (high + 0x10) >> 2);
}

#[test]
fn priority_entry_decides_before_non_priority_entries() {
    let mut t = T::setup();
    // Entry 0 (priority, MD 0): one page read-only. Entry 12
    // (non-priority, MD 3): 64 KiB read-write.
    t.entry(0, napot(RAM + 0x1000, 0x1000), NAPOT | R);
    t.entry(12, napot(RAM, 0x1_0000), NAPOT | R | W);
    assert!(t.ok(RAM + 0x1000, 4, Read, 0));
    assert!(!t.ok(RAM + 0x1000, 4, Write, 0), "priority entry denies");
    assert!(
        t.ok(RAM + 0x2000, 4, Write, 0),
        "outside: non-priority grants"
    );
    assert_eq!(t.write(RAM + 0x1004, 4, 0), Err(BusError));
    assert_eq!(t.etype(), etype::ILLEGAL_WRITE);
    assert_eq!(t.r(reg::ERR_REQID) >> 16, 0, "eid = the priority entry");
    // RRID 1 is not associated with MD 0: entry 0 does not apply.
    assert!(t.ok(RAM + 0x1000, 4, Write, 1));
    // Lower index wins among priority entries.
    t.entry(1, napot(RAM + 0x1000, 0x1000), NAPOT | R | W);
    assert!(!t.ok(RAM + 0x1000, 4, Write, 0));
    t.entry(0, 0, 0);
    assert!(t.ok(RAM + 0x1000, 4, Write, 0));
}

#[test]
fn partial_hit_on_a_priority_entry_is_an_error() {
    let mut t = T::setup();
    t.entry(0, napot(RAM + 0x1000, 0x1000), NAPOT | R | W);
    t.entry(12, napot(RAM, 0x1_0000), NAPOT | R | W);
    assert!(t.ok(RAM + 0xffc, 4, Read, 0));
    assert!(t.ok(RAM + 0x1000, 4, Read, 0));
    assert!(!t.ok(RAM + 0xffe, 4, Read, 0), "straddles entry 0");
    assert!(!t.ok(RAM + 0x1ffc, 8, Read, 0));
    t.w(reg::ERR_CFG, err_cfg::IE);
    assert_eq!(t.read(RAM + 0xffe, 4, 0), Err(BusError));
    assert_eq!(t.etype(), etype::PARTIAL_HIT);
    assert_eq!(t.r(reg::ERR_REQID), 0 << 16);
    // A priority entry covering the whole access decides even when it
    // is a different one from the one a neighbouring byte hits.
    t.w(reg::ERR_INFO, err_info::V);
    // Non-priority entries never partially hit: an access crossing
    // the end of entry 12 simply matches nothing.
    t.entry(0, 0, 0);
    assert!(!t.ok(RAM + 0xfffe, 4, Read, 0));
    assert_eq!(t.read(RAM + 0xfffe, 4, 0), Err(BusError));
    assert_eq!(t.etype(), etype::NOT_HIT);
    assert_eq!(t.r(reg::ERR_REQID) >> 16, 0xffff);
}

#[test]
fn non_priority_entries_grant_by_any_match() {
    let mut t = T::setup();
    t.w(reg::HWCFG2, 0);
    t.entry(0, napot(RAM, 0x2000), NAPOT | R);
    t.entry(1, napot(RAM + 0x1000, 0x1000), NAPOT | W);
    assert!(t.ok(RAM + 0x1000, 4, Read, 0));
    assert!(t.ok(RAM + 0x1000, 4, Write, 0));
    assert!(!t.ok(RAM, 4, Write, 0));
    assert!(!t.ok(RAM, 4, Fetch, 0));
    // A covering but non-granting entry: illegal access, not "no hit".
    assert_eq!(t.fetch(RAM + 0x1000, 0), Err(BusError));
    assert_eq!(t.etype(), etype::ILLEGAL_FETCH);
    assert_eq!(t.r(reg::ERR_REQID) >> 16, 0, "the first matching entry");
}

#[test]
fn memory_domains_select_entries_through_mdcfg() {
    let mut t = T::setup();
    // Entry 5 belongs to MD 1 (entries 4..8).
    t.entry(5, napot(RAM, 0x1000), NAPOT | R);
    assert!(!t.ok(RAM, 4, Read, 0), "RRID 0: MDs 0 and 3");
    assert!(t.ok(RAM, 4, Read, 1), "RRID 1: MDs 1 and 3");
    // Grow MD 0 to entries 0..6: entry 5 moves to MD 0; MD 1 becomes
    // 6..8.
    t.p.take_config_changed();
    t.w(reg::MDCFG, 6);
    assert!(t.p.take_config_changed());
    assert!(t.ok(RAM, 4, Read, 0));
    assert!(!t.ok(RAM, 4, Read, 1));
    assert!(!t.ok(RAM, 4, Read, 2));
    // A decreasing t leaves the MD empty rather than overlapping.
    t.w(reg::MDCFG + 4, 2);
    assert_eq!(t.r(reg::MDCFG + 4), 2);
    t.entry(6, napot(RAM + 0x1000, 0x1000), NAPOT | R);
    assert!(!t.ok(RAM + 0x1000, 4, Read, 1), "MD 1 is empty");
    assert!(t.ok(RAM + 0x1000, 4, Read, 2), "MD 2 starts at 6");
    assert!(t.ok(RAM, 4, Read, 0), "MD 0 keeps 0..6");
}

#[test]
fn srcmd_maps_rrids_to_domains() {
    let mut t = T::setup();
    t.entry(12, napot(RAM, 0x1000), NAPOT | R | W | X); // MD 3: all RRIDs
    t.entry(8, napot(RAM + 0x1000, 0x1000), NAPOT | R); // MD 2
    for s in 0..4 {
        assert!(t.ok(RAM, 4, Read, s));
        assert_eq!(t.ok(RAM + 0x1000, 4, Read, s), s == 2);
    }
    t.srcmd(3, 0);
    assert!(!t.ok(RAM, 4, Read, 3), "unmapped RRID: nothing applies");
    assert_eq!(t.read(RAM, 4, 3), Err(BusError));
    assert_eq!(t.etype(), etype::NOT_HIT);
    t.w(reg::ERR_INFO, err_info::V);
    // RRIDs beyond HWCFG1.rrid_num are unknown.
    assert!(!t.ok(RAM, 4, Read, 4));
    assert_eq!(t.read(RAM, 4, 4), Err(BusError));
    assert_eq!(t.etype(), etype::UNKNOWN_RRID);
    assert_eq!(t.r(reg::ERR_REQID), 0xffff << 16 | 4);
    // SRCMD_EN holds md[30:0] in bits 31:1; unimplemented MDs read 0.
    t.w(reg::SRCMD + 32, 0xffff_fffe);
    assert_eq!(t.r(reg::SRCMD + 32), 0xf << 1);
    assert_eq!(t.r(reg::SRCMD + 32 + 4), 0);
}

#[test]
fn srcmd_enh_maps_domains_above_30() {
    let mut t = T::new(IopmpConfig {
        md_num: 40,
        entries: 64,
        ..small()
    });
    for m in 0..40u64 {
        t.w(reg::MDCFG + 4 * m, m as u32 + 1); // MD m = entry m
    }
    t.enable();
    t.entry(35, napot(RAM, 0x1000), NAPOT | R);
    t.srcmd(0, 1 << 35);
    assert_eq!(t.r(reg::SRCMD + 4), 1 << 4);
    assert_eq!(t.r(reg::SRCMD), 0);
    assert!(t.ok(RAM, 4, Read, 0));
    t.w(reg::SRCMD + 4, 0xffff_ffff);
    assert_eq!(t.r(reg::SRCMD + 4), 0x1ff, "MDs 31..39 exist");
}

#[test]
fn error_capture_latches_until_software_clears_it() {
    let mut t = T::setup();
    t.entry(12, napot(RAM, 0x1000), NAPOT | R); // MD 3: every RRID
    t.w(reg::ERR_CFG, err_cfg::IE);
    assert_eq!(t.write(RAM + 0x10, 4, 1), Err(BusError));
    let info = t.r(reg::ERR_INFO);
    assert_eq!(info & err_info::V, 1);
    assert_eq!(info >> 1 & 3, 2, "ttype = write");
    assert_eq!(info >> 4 & 0xf, etype::ILLEGAL_WRITE);
    assert_eq!(t.r(reg::ERR_REQADDR), ((RAM + 0x10) >> 2) as u32);
    assert_eq!(t.r(reg::ERR_REQADDRH), 0);
    assert_eq!(t.r(reg::ERR_REQID), 12 << 16 | 1, "eid 12, RRID 1");
    // A second violation does not overwrite the record...
    assert_eq!(t.read(RAM + 0x2000, 4, 2), Err(BusError));
    assert_eq!(t.r(reg::ERR_REQID), 12 << 16 | 1);
    assert_eq!(t.r(reg::ERR_REQADDR), ((RAM + 0x10) >> 2) as u32);
    assert_eq!(t.p.stats.errors_captured, 1);
    // ...but is noted in ERR_MFR (RRID 2, window 0).
    assert_ne!(t.r(reg::ERR_INFO) & err_info::SVC, 0);
    assert_eq!(t.r(reg::ERR_MFR), 1 << 31 | 1 << 2);
    assert_eq!(t.r(reg::ERR_INFO) & err_info::SVC, 0, "read clears");
    assert_eq!(t.r(reg::ERR_MFR) >> 31, 0);
    // Writing 0 does not clear; writing 1 does, and re-arms.
    t.w(reg::ERR_INFO, 0);
    assert_eq!(t.r(reg::ERR_INFO) & 1, 1);
    t.w(reg::ERR_INFO, err_info::V);
    assert_eq!(t.r(reg::ERR_INFO) & 1, 0);
    assert_eq!(t.read(RAM + 0x2000, 4, 2), Err(BusError));
    assert_eq!(t.r(reg::ERR_REQID), 0xffff << 16 | 2);
    assert_eq!(t.etype(), etype::NOT_HIT);
    assert_eq!(t.r(reg::ERR_INFO) >> 1 & 3, 1, "ttype = read");
    assert_eq!(t.p.stats.errors_captured, 2);
    assert_eq!(t.p.stats.blocked_reads, 2);
    assert_eq!(t.p.stats.blocked_writes, 1);
    // ERR_INFO's read-only fields ignore writes.
    t.w(reg::ERR_INFO, 0xfe);
    assert_eq!(t.etype(), etype::NOT_HIT);
}

#[test]
fn interrupt_is_a_plic_level_held_until_the_record_is_cleared() {
    let mut t = T::setup();
    assert!(!t.meip());
    // ie = 0: bus error and record, no interrupt.
    assert_eq!(t.read(RAM, 4, 0), Err(BusError));
    assert!(!t.p.irq_level() && !t.meip());
    assert_eq!(t.p.stats.interrupts, 0);
    t.w(reg::ERR_INFO, err_info::V);
    t.w(reg::ERR_CFG, err_cfg::IE);
    assert_eq!(t.read(RAM, 4, 0), Err(BusError));
    assert!(t.p.irq_level() && t.meip());
    assert_eq!(t.p.stats.interrupts, 1);
    assert_eq!(t.read(RAM, 4, 0), Err(BusError));
    assert_eq!(t.p.stats.interrupts, 1, "already high");
    // Claim at the PLIC: source 12.
    let src = {
        let mut p = t.p.plic.borrow_mut();
        p.read(0x20_0004, 4).unwrap()
    };
    assert_eq!(src, IOPMP_IRQ as u64);
    t.w(reg::ERR_INFO, err_info::V);
    assert!(!t.p.irq_level());
    t.p.plic.borrow_mut().write(0x20_0004, 4, src).unwrap();
    assert!(!t.meip(), "level low: not pending again");
    // A record kept from a violation without interrupt, then one that
    // wants it: the line rises (pending == v).
    t.entry(0, napot(RAM, 0x1000), NAPOT | cfg::SIRE);
    assert_eq!(t.read(RAM, 4, 0), Err(BusError));
    assert!(!t.p.irq_level(), "suppressed by sire");
    assert_eq!(
        t.r(reg::ERR_INFO) & 1,
        1,
        "captured: the bus error reports it"
    );
    assert_eq!(t.write(RAM, 4, 0), Err(BusError));
    assert!(t.p.irq_level());
    assert_eq!(t.etype(), etype::ILLEGAL_READ, "record kept");
}

#[test]
fn suppression_bits_per_entry_and_global() {
    let mut t = T::setup();
    t.w(reg::ERR_CFG, err_cfg::IE);
    // sere: no bus error on reads (read as zero), still an interrupt.
    t.entry(0, napot(RAM, 0x1000), NAPOT | cfg::SERE);
    assert_eq!(t.read(RAM, 8, 0), Ok(0));
    assert!(t.p.irq_level());
    assert_eq!(t.write(RAM, 4, 0), Err(BusError), "sere is for reads only");
    assert_eq!(t.fetch(RAM, 0), Err(BusError));
    t.w(reg::ERR_INFO, err_info::V);
    // sewe / sexe.
    t.entry(0, napot(RAM, 0x1000), NAPOT | cfg::SEWE | cfg::SEXE);
    assert_eq!(t.write(RAM, 4, 0), Ok(()), "dropped");
    assert_eq!(t.fetch(RAM, 0), Ok(0));
    assert_eq!(t.read(RAM, 4, 0), Err(BusError));
    t.w(reg::ERR_INFO, err_info::V);
    // Interrupt and bus error both suppressed: nothing recorded.
    t.entry(0, napot(RAM, 0x1000), NAPOT | cfg::SIWE | cfg::SEWE);
    let captured = t.p.stats.errors_captured;
    assert_eq!(t.write(RAM, 4, 0), Ok(()));
    assert_eq!(t.r(reg::ERR_INFO) & 1, 0);
    assert!(!t.p.irq_level());
    assert_eq!(t.p.stats.errors_captured, captured);
    assert_eq!(t.p.stats.blocked_writes, 3);
    // Local bits do not apply to a partial hit.
    t.entry(0, napot(RAM, 0x1000), NAPOT | 0x7e0);
    assert_eq!(t.read(RAM + 0xffc, 8, 0), Err(BusError));
    assert_eq!(t.etype(), etype::PARTIAL_HIT);
    assert!(t.p.irq_level());
    t.w(reg::ERR_INFO, err_info::V);
    // ERR_CFG.rs: no bus error anywhere, reads return 0.
    t.w(reg::ERR_CFG, err_cfg::IE | err_cfg::RS);
    assert_eq!(t.read(RAM + 0x5000, 4, 0), Ok(0));
    assert_eq!(t.write(RAM + 0x5000, 4, 0), Ok(()));
    assert_eq!(
        t.etype(),
        etype::NOT_HIT,
        "recorded: the interrupt reports it"
    );
    assert!(t.p.irq_level());
    t.w(reg::ERR_INFO, err_info::V);
    t.w(reg::ERR_CFG, err_cfg::RS);
    assert_eq!(t.read(RAM + 0x5000, 4, 0), Ok(0));
    assert_eq!(t.r(reg::ERR_INFO) & 1, 0, "neither reaction: no record");
}

#[test]
fn non_priority_suppression_needs_every_matching_entry() {
    let mut t = T::setup();
    t.w(reg::HWCFG2, 0);
    t.w(reg::ERR_CFG, err_cfg::IE);
    t.entry(0, napot(RAM, 0x2000), NAPOT | R | cfg::SEWE | cfg::SIWE);
    t.entry(1, napot(RAM + 0x1000, 0x1000), NAPOT | R);
    assert_eq!(t.write(RAM, 4, 0), Ok(()), "only entry 0 matches");
    assert!(!t.p.irq_level());
    assert_eq!(
        t.write(RAM + 0x1000, 4, 0),
        Err(BusError),
        "entry 1 does not suppress"
    );
    assert!(t.p.irq_level());
    t.w(reg::ERR_INFO, err_info::V);
    t.entry(1, napot(RAM + 0x1000, 0x1000), NAPOT | R | cfg::SEWE);
    assert_eq!(t.write(RAM + 0x1000, 4, 0), Ok(()));
    assert!(t.p.irq_level(), "entry 1 does not suppress the interrupt");
}

#[test]
fn entry_lock_counts_up_and_locks_itself() {
    let mut t = T::setup();
    t.entry(0, napot(RAM, 0x1000), NAPOT | R);
    t.w(reg::ENTRYLCK, 2 << 1);
    assert_eq!(t.r(reg::ENTRYLCK), 2 << 1);
    t.p.take_config_changed();
    t.entry(0, napot(RAM, 0x1000), NAPOT | R | W);
    t.entry(1, napot(RAM, 0x1000), NAPOT | R | W);
    assert_eq!(t.r(DEFAULT_ENTRY_OFFSET + 8), NAPOT | R, "entry 0 locked");
    assert!(!t.p.take_config_changed());
    t.entry(2, napot(RAM, 0x1000), NAPOT | R | W);
    assert!(t.p.take_config_changed());
    // f only increases.
    t.w(reg::ENTRYLCK, 1 << 1);
    assert_eq!(t.r(reg::ENTRYLCK), 2 << 1);
    t.w(reg::ENTRYLCK, 0xffff << 1);
    assert_eq!(t.r(reg::ENTRYLCK), 16 << 1, "clamped to entry_num");
    let mut t = T::setup();
    t.w(reg::ENTRYLCK, 1 << 1 | 1);
    t.w(reg::ENTRYLCK, 5 << 1);
    assert_eq!(t.r(reg::ENTRYLCK), 1 << 1 | 1, "l locks ENTRYLCK");
}

#[test]
fn mdcfg_lock() {
    let mut t = T::setup();
    t.w(reg::MDCFGLCK, 2 << 1);
    t.w(reg::MDCFG, 1);
    t.w(reg::MDCFG + 4, 1);
    t.w(reg::MDCFG + 8, 9);
    assert_eq!(t.r(reg::MDCFG), 4);
    assert_eq!(t.r(reg::MDCFG + 4), 8);
    assert_eq!(t.r(reg::MDCFG + 8), 9);
    t.w(reg::MDCFGLCK, 1 << 1 | 1);
    assert_eq!(t.r(reg::MDCFGLCK), 2 << 1 | 1, "f only increases; l set");
    t.w(reg::MDCFGLCK, 4 << 1);
    assert_eq!(t.r(reg::MDCFGLCK), 2 << 1 | 1);
}

#[test]
fn md_lock_and_srcmd_lock() {
    let mut t = T::setup();
    // MDLCK.md[1] locks every RRID's association bit for MD 1.
    t.w(reg::MDLCK, 1 << 2);
    t.srcmd(0, 0b1111);
    assert_eq!(t.r(reg::SRCMD), 0b1101 << 1, "RRID 0 cannot gain MD 1");
    t.srcmd(1, 0);
    assert_eq!(t.r(reg::SRCMD + 32), 0b0010 << 1, "RRID 1 cannot lose MD 1");
    // MDLCK bits are sticky; l locks MDLCK.
    t.w(reg::MDLCK, 1);
    assert_eq!(t.r(reg::MDLCK), 1 << 2 | 1);
    t.w(reg::MDLCK, 1 << 1);
    assert_eq!(t.r(reg::MDLCK), 1 << 2 | 1);
    // SRCMD_EN(s).l locks the RRID's row.
    t.w(reg::SRCMD + 64, 1 << 1 | 1);
    t.w(reg::SRCMD + 64, 1 << 4);
    assert_eq!(t.r(reg::SRCMD + 64), 1 << 1 | 1);
    t.w(reg::SRCMD + 64 + 4, 0xffff_ffff);
    assert_eq!(t.r(reg::SRCMD + 64 + 4), 0);
}

#[test]
fn err_cfg_lock_and_prio_entry_programming() {
    let mut t = T::setup();
    t.w(reg::ERR_CFG, err_cfg::IE | err_cfg::L | 0xfff8);
    assert_eq!(t.r(reg::ERR_CFG), err_cfg::IE | err_cfg::L, "WARL");
    t.w(reg::ERR_CFG, err_cfg::RS);
    assert_eq!(t.r(reg::ERR_CFG), err_cfg::IE | err_cfg::L, "locked");
    // prio_entry is programmable (WARL, at most entry_num) until
    // prient_prog is cleared.
    t.p.take_config_changed();
    t.w(reg::HWCFG2, 100);
    assert_eq!(t.r(reg::HWCFG2), 16);
    assert!(t.p.take_config_changed());
    t.w(reg::HWCFG0, hwcfg0::PRIENT_PROG);
    assert_eq!(t.r(reg::HWCFG0) & hwcfg0::PRIENT_PROG, 0);
    assert_ne!(t.r(reg::HWCFG0) & hwcfg0::ENABLE, 0);
    t.w(reg::HWCFG2, 3);
    assert_eq!(t.r(reg::HWCFG2), 16);
    assert!(!t.p.take_config_changed());
}

#[test]
fn config_changed_follows_writes_that_change_answers() {
    let mut t = T::setup();
    assert!(t.p.take_config_changed());
    assert!(!t.p.take_config_changed(), "cleared by the call");
    t.w(reg::ERR_CFG, err_cfg::IE);
    t.w(reg::ERR_INFO, err_info::V);
    t.w(reg::ENTRYLCK, 0);
    let _ = t.r(reg::ERR_MFR);
    assert!(!t.p.take_config_changed());
    t.w(DEFAULT_ENTRY_OFFSET + 4 * 16, 0x1234);
    assert!(t.p.take_config_changed());
    t.w(DEFAULT_ENTRY_OFFSET + 4 * 16, 0x1234);
    assert!(!t.p.take_config_changed(), "same value");
    t.srcmd(2, 0b0001);
    assert!(t.p.take_config_changed());
    t.w(reg::MDCFG + 12, 15);
    assert!(t.p.take_config_changed());
}

#[test]
fn register_access_sizes() {
    let mut t = T::setup();
    assert_eq!(t.p.reg_read(reg::HWCFG0, 2, attrs(0)), Err(BusError));
    assert_eq!(t.p.reg_read(reg::HWCFG0 + 1, 4, attrs(0)), Err(BusError));
    assert_eq!(t.p.reg_read(reg::HWCFG1, 8, attrs(0)), Err(BusError));
    assert_eq!(t.p.reg_write(reg::ERR_CFG, 1, 2, attrs(0)), Err(BusError));
    let v = t.p.reg_read(reg::HWCFG0, 8, attrs(0)).unwrap();
    assert_eq!(v as u32, t.r(reg::HWCFG0));
    assert_eq!((v >> 32) as u32, t.r(reg::HWCFG1));
    // An 8-byte write of ENTRY_ADDR/ENTRY_ADDRH.
    let o = DEFAULT_ENTRY_OFFSET + 16 * 5;
    t.p.reg_write(o, 8, 0x0000_0002_8000_0400, attrs(0))
        .unwrap();
    assert_eq!(t.r(o), 0x8000_0400);
    assert_eq!(t.r(o + 4), 2);
    // Unimplemented registers read as zero and ignore writes.
    for off in [reg::MDSTALL, reg::RRIDSCP, reg::ERR_MSIADDR, 0x80, 0x7fc] {
        t.w(off, 0xffff_ffff);
        assert_eq!(t.r(off), 0);
    }
    t.w(o + reg::ENTRY_USER_CFG, 0xffff_ffff);
    assert_eq!(t.r(o + reg::ENTRY_USER_CFG), 0);
    t.w(o + reg::ENTRY_CFG, 0xffff_ffff);
    assert_eq!(t.r(o + reg::ENTRY_CFG), cfg::MASK);
}

#[test]
fn granularity_is_page_wide_only_when_the_page_is_uniform() {
    let mut t = T::setup();
    t.entry(0, napot(RAM, 0x1_0000), NAPOT | R); // priority, 64 KiB
    t.entry(12, napot(RAM + 0x2_0000, 0x1000), NAPOT | R | W); // np, a page
    t.entry(13, napot(RAM + 0x3_0100, 0x100), NAPOT | R); // np, 256 B
                                                          // A page fully inside a priority entry: the entry's size.
    assert_eq!(t.lg(RAM + 0x5008, 4, Read, 0), 16);
    assert_eq!(t.lg(RAM + 0x5008, 4, Write, 0), 16, "blocked, but uniform");
    // RRID 1 is not in MD 0: entry 0 does not exist for it.
    assert!(!t.ok(RAM + 0x5008, 4, Read, 1));
    assert!(t.lg(RAM + 0x5008, 4, Read, 1) >= 12);
    // A page inside a non-priority entry.
    assert_eq!(t.lg(RAM + 0x2_0010, 4, Write, 0), 12);
    assert!(t.ok(RAM + 0x2_0010, 4, Write, 0));
    // An entry smaller than the page: every address of the page is
    // asked each time, inside or outside the entry.
    assert!(t.ok(RAM + 0x3_0100, 4, Read, 0));
    assert!(t.lg(RAM + 0x3_0100, 4, Read, 0) < 12);
    assert!(!t.ok(RAM + 0x3_0000, 4, Read, 0));
    assert!(t.lg(RAM + 0x3_0000, 4, Read, 0) < 12);
    assert!(t.lg(RAM + 0x3_0ffc, 4, Read, 0) < 12);
    // ...but not for types the entry does not grant: all blocked.
    assert!(t.lg(RAM + 0x3_0100, 4, Write, 0) >= 12);
    // An entry boundary inside a page.
    t.entry(1, (RAM + 0x4_0800) >> 2, TOR | R); // 0x10000..0x40800
    assert!(t.ok(RAM + 0x4_0000, 4, Read, 0));
    assert!(t.lg(RAM + 0x4_0000, 4, Read, 0) < 12);
    assert!(t.lg(RAM + 0x4_0ffc, 4, Read, 0) < 12);
    assert!(t.lg(RAM + 0x3_f000, 4, Read, 0) >= 12);
    // Far from every entry: blocked, uniform up to the guarded range.
    assert_eq!(t.lg(RAM + 0x80_0000, 4, Read, 0), 23);
    // A priority entry covering the page hides non-priority ones
    // inside it.
    t.entry(1, 0, 0);
    t.entry(12, napot(RAM + 0x2_0100, 0x10), NAPOT | R | W);
    assert!(t.lg(RAM + 0x2_0100, 4, Write, 0) < 12);
    t.entry(2, napot(RAM + 0x2_0000, 0x1000), NAPOT | R);
    assert!(!t.ok(RAM + 0x2_0100, 4, Write, 0));
    assert_eq!(t.lg(RAM + 0x2_0100, 4, Write, 0), 12);
    // An access crossing a boundary gets 0.
    t.entry(12, napot(RAM + 0x6_0000, 0x1000), NAPOT | R);
    t.entry(14, napot(RAM + 0x6_1000, 0x1000), NAPOT | R);
    assert!(t.lg(RAM + 0x6_0ffc, 4, Read, 0) >= 12);
    assert_eq!(t.lg(RAM + 0x6_0ffe, 4, Read, 0), 0);
    // Outside the guarded range: 0.
    assert_eq!(t.lg(RAM - 8, 4, Read, 0), 0);
}

#[test]
fn extreme_encodings_neither_overflow_nor_alias() {
    let top = u64::MAX - 0xffff;
    let mut t = T::new(IopmpConfig {
        base: GuestPhysAddr(top),
        size: 0x1_0000,
        ..small()
    });
    t.w(reg::MDCFG, 16);
    t.srcmd(0, 1);
    t.w(reg::HWCFG2, 0);
    t.enable();
    // TOR with top 0 after address 0: empty, not a wrap to the top.
    t.entry(0, 0, TOR | R);
    assert!(!t.ok(u64::MAX - 3, 4, Read, 0));
    assert!(!t.ok(top, 4, Read, 0));
    // NA4 on the last encodable word lies above 2^64: no match.
    t.entry(1, u64::MAX, NA4 | R);
    assert!(!t.ok(u64::MAX - 3, 4, Read, 0));
    // NAPOT of all ones: the whole 2^67 space, the last bytes included.
    t.entry(2, u64::MAX, NAPOT | W);
    assert!(t.ok(u64::MAX - 7, 8, Write, 0));
    assert!(t.ok(top, 8, Write, 0));
    assert_eq!(t.lg(top, 8, Write, 0), 16, "the guarded range");
    // Capture at the top of the address space.
    assert_eq!(t.read(u64::MAX - 3, 4, 0), Err(BusError));
    assert_eq!(t.r(reg::ERR_REQADDRH), (u64::MAX >> 34) as u32);
    assert_eq!(t.r(reg::ERR_REQADDR), (u64::MAX >> 2) as u32);
    // A TOR ending at the very top of the 66-bit space.
    t.entry(2, 0, 0);
    t.entry(3, u64::MAX, TOR | R);
    assert!(
        t.ok(u64::MAX - 3, 4, Read, 0),
        "entry 2's address 0 to the top"
    );
}

use crate::test_rng::XorShift;

/// The TLB keeps answers with granularity >= 12 for the whole page: for
/// random configurations, every access of every size inside the
/// reported block must get the answer the probe got.
#[test]
fn granularity_is_sound_on_random_configurations() {
    let mut g = XorShift(0x1071_2025);
    let (mut page_wide, mut sub_page) = (0, 0);
    for _round in 0..60 {
        let mut t = T::setup();
        t.w(reg::HWCFG2, g.below(17) as u32);
        for s in 0..4 {
            t.srcmd(s, g.below(16));
        }
        for i in 0..16 {
            let mode = [0, TOR, NA4, NAPOT][g.below(4) as usize];
            let perm = g.below(8) as u32;
            // Addresses in the first 64 KiB, often page aligned.
            let addr = RAM
                + if g.below(2) == 0 {
                    g.below(16) << 12
                } else {
                    g.below(1 << 16) & !3
                };
            let word = match mode {
                NAPOT => napot(addr & !((1 << 14) - 1), 1 << (3 + g.below(12))),
                _ => addr >> 2,
            };
            t.entry(i, word, mode | perm);
        }
        for _probe in 0..25 {
            let addr = RAM + g.below(1 << 16);
            let rrid = g.below(5) as u16;
            let access = [Read, Write, Fetch][g.below(3) as usize];
            let a = t.tr(addr, 1, access, rrid);
            let allowed = a.target == IommuTarget::Memory;
            if a.lg_granularity >= 12 {
                page_wide += 1;
            } else {
                sub_page += 1;
            }
            let block = Span::block(addr, (a.lg_granularity as u32).min(14));
            for x in block.lo as u64..=block.hi as u64 {
                for size in [1u8, 2, 4, 8] {
                    if x as u128 + size as u128 - 1 > block.hi {
                        continue;
                    }
                    let b = t.p.check(Span::of_access(x, size), rrid, access);
                    assert_eq!(
                        b.is_ok(),
                        allowed,
                        "lg {} at {addr:#x} but {x:#x}+{size} differs",
                        a.lg_granularity
                    );
                }
            }
        }
    }
    assert!(page_wide > 100 && sub_page > 100, "{page_wide} {sub_page}");
}

#[test]
fn check_matches_a_reference_on_random_accesses() {
    // An independent, byte-by-byte reading of the matching rules.
    fn reference(t: &T, lo: u64, size: u64, rrid: usize, access: AccessType) -> bool {
        let p = &t.p;
        if rrid >= p.srcmd.len() {
            return false;
        }
        let need = perm_bit(access);
        let mine = |i: usize| {
            p.md_ranges.iter().enumerate().any(|(m, &(s, e))| {
                p.srcmd[rrid].md >> m & 1 != 0 && (s as usize..e as usize).contains(&i)
            })
        };
        let covers = |i: usize, a: u64| {
            p.decode(i)
                .is_some_and(|r| r.lo <= a as u128 && a as u128 <= r.hi)
        };
        for i in 0..(p.prio_entry as usize) {
            if !mine(i) {
                continue;
            }
            let n = (lo..lo + size).filter(|&a| covers(i, a)).count() as u64;
            if n == size {
                return p.entries[i].cfg & need != 0;
            }
            if n > 0 {
                return false;
            }
        }
        (p.prio_entry as usize..p.entries.len()).any(|i| {
            mine(i) && (lo..lo + size).all(|a| covers(i, a)) && p.entries[i].cfg & need != 0
        })
    }
    let mut g = XorShift(7);
    for _round in 0..40 {
        let mut t = T::setup();
        t.w(reg::HWCFG2, g.below(17) as u32);
        for m in 0..4 {
            t.w(reg::MDCFG + 4 * m, g.below(17) as u32);
        }
        for s in 0..4 {
            t.srcmd(s, g.below(16));
        }
        for i in 0..16 {
            let mode = [0, TOR, NA4, NAPOT][g.below(4) as usize];
            let word = (RAM + g.below(0x400)) >> 2;
            t.entry(i, word, mode | g.below(8) as u32);
        }
        for _ in 0..300 {
            let addr = RAM + g.below(0x440);
            let size = [1u8, 2, 4, 8][g.below(4) as usize];
            let rrid = g.below(5) as u16;
            let access = [Read, Write, Fetch][g.below(3) as usize];
            let want = reference(&t, addr, size as u64, rrid as usize, access);
            assert_eq!(t.ok(addr, size, access, rrid), want, "{addr:#x}+{size}");
        }
    }
}

//! Unit tests of the wgChecker model: registers, slots, address modes, worlds, locks, errors, granularity.

use softmmu::MmioDevice;

use super::*;
use crate::hart::{irq, IrqLines};

const TRUSTED: MemAttrs = MemAttrs {
    world_id: 3,
    requester_id: 0,
};
const RAM: u64 = 0x8000_0000;

fn world(w: u8) -> MemAttrs {
    MemAttrs {
        world_id: w,
        requester_id: 0,
    }
}

fn cfg(nslots: u32, hw_bypass: bool) -> WgCheckerConfig {
    WgCheckerConfig {
        hw_bypass,
        nslots,
        ..WgCheckerConfig::virt_dram(RAM, 0x1000_0000)
    }
}

/// A checker and the interrupt lines of a PLIC whose context 0 (MEIP)
/// has the checker's source enabled at priority 1.
fn checker(c: WgCheckerConfig) -> (WgChecker, IrqLines) {
    let (c, lines, _) = checker_plic(c);
    (c, lines)
}

fn checker_plic(c: WgCheckerConfig) -> (WgChecker, IrqLines, Rc<RefCell<Plic>>) {
    let lines = IrqLines::default();
    let plic = Rc::new(RefCell::new(Plic::new(lines.clone())));
    {
        let mut p = plic.borrow_mut();
        p.write(4 * c.irq as u64, 4, 1).unwrap();
        p.write(0x2000 + 4 * (c.irq as u64 / 32), 4, 1 << (c.irq % 32))
            .unwrap();
    }
    (WgChecker::new(c, plic.clone()), lines, plic)
}

/// Claims and completes the highest PLIC interrupt of context 0.
fn claim_complete(plic: &Rc<RefCell<Plic>>) -> u64 {
    let mut p = plic.borrow_mut();
    let s = p.read(0x20_0004, 4).unwrap();
    p.write(0x20_0004, 4, s).unwrap();
    s
}

fn slot_reg(i: usize, field: u64) -> u64 {
    REG_SLOTS + SLOT_STRIDE * i as u64 + field
}

fn w64(c: &mut WgChecker, off: u64, v: u64) {
    c.reg_write(off, 8, v, TRUSTED).unwrap();
}

fn r64(c: &mut WgChecker, off: u64) -> u64 {
    c.reg_read(off, 8, TRUSTED).unwrap()
}

/// Programs slot `i`: byte address (stored >> 2), perm, cfg.
fn set_slot(c: &mut WgChecker, i: usize, addr: u64, perm: u64, cfg: u32) {
    w64(c, slot_reg(i, SLOT_ADDR), addr >> 2);
    w64(c, slot_reg(i, SLOT_PERM), perm);
    c.reg_write(slot_reg(i, SLOT_CFG), 4, cfg as u64, TRUSTED)
        .unwrap();
}

/// perm bits for world `w`: read and/or write.
fn perm(w: u32, r: bool, wr: bool) -> u64 {
    ((r as u64) | (wr as u64) << 1) << (2 * w)
}

fn ask(c: &mut WgChecker, pa: u64, size: u8, access: AccessType, w: u8) -> IommuTlbEntry {
    c.translate(GuestPhysAddr(pa), size, access, world(w))
}

fn allowed(c: &mut WgChecker, pa: u64, size: u8, access: AccessType, w: u8) -> bool {
    let e = ask(c, pa, size, access, w);
    e.target == IommuTarget::Memory
}

use softmmu::IommuTarget;

#[test]
fn register_map_and_widths() {
    let (mut c, _) = checker(cfg(16, false));
    assert_eq!(c.reg_read(REG_VENDOR, 4, TRUSTED), Ok(0));
    assert_eq!(c.reg_read(REG_IMPID, 4, TRUSTED), Ok(0));
    assert_eq!(c.reg_read(REG_NSLOTS, 4, TRUSTED), Ok(16));
    assert_eq!(c.reg_read(0x0c, 4, TRUSTED), Ok(0), "reserved");
    assert_eq!(c.reg_read(REG_VENDOR, 8, TRUSTED), Ok(0));
    assert_eq!(c.reg_read(REG_NSLOTS, 8, TRUSTED), Ok(16));
    // slot[0].addr is the range start, slot[nslots].addr its end.
    assert_eq!(r64(&mut c, slot_reg(0, SLOT_ADDR)), 0);
    assert_eq!(r64(&mut c, slot_reg(16, SLOT_ADDR)), u64::MAX >> 2);
    // 64-bit registers in 32-bit halves.
    w64(&mut c, slot_reg(3, SLOT_PERM), 0xab);
    c.reg_write(slot_reg(3, SLOT_ADDR) + 4, 4, 0x1, TRUSTED)
        .unwrap();
    c.reg_write(slot_reg(3, SLOT_ADDR), 4, 0x2345_6789, TRUSTED)
        .unwrap();
    assert_eq!(r64(&mut c, slot_reg(3, SLOT_ADDR)), 0x1_2345_6789);
    assert_eq!(c.reg_read(slot_reg(3, SLOT_ADDR) + 4, 4, TRUSTED), Ok(1));
    assert_eq!(c.reg_read(slot_reg(3, SLOT_PERM), 4, TRUSTED), Ok(0xab));
    assert_eq!(c.reg_read(slot_reg(3, SLOT_PERM) + 4, 4, TRUSTED), Ok(0));
    // Widths other than 4 and 8, and misaligned accesses, are bus errors.
    assert_eq!(c.reg_read(REG_NSLOTS, 2, TRUSTED), Err(BusError));
    assert_eq!(c.reg_read(REG_NSLOTS, 1, TRUSTED), Err(BusError));
    assert_eq!(c.reg_read(REG_NSLOTS + 4, 8, TRUSTED), Err(BusError));
    assert_eq!(c.reg_write(REG_ERRADDR + 2, 4, 0, TRUSTED), Err(BusError));
    // Offsets past the last slot read zero and ignore writes.
    let past = slot_reg(17, 0);
    c.reg_write(past, 8, u64::MAX, TRUSTED).unwrap();
    assert_eq!(r64(&mut c, past), 0);
    assert_eq!(r64(&mut c, 0xff8), 0);
    // Unimplemented cfg bits read as zero.
    c.reg_write(slot_reg(3, SLOT_CFG), 4, 0xffff_ffff, TRUSTED)
        .unwrap();
    assert_eq!(
        c.reg_read(slot_reg(3, SLOT_CFG), 4, TRUSTED),
        Ok(0x8000_0f03)
    );
    assert_eq!(c.reg_read(slot_reg(3, SLOT_CFG) + 4, 4, TRUSTED), Ok(0));
}

#[test]
fn perm_and_errcause_keep_only_existing_bits() {
    let (mut c, _) = checker(cfg(4, false));
    w64(&mut c, slot_reg(1, SLOT_PERM), u64::MAX);
    assert_eq!(r64(&mut c, slot_reg(1, SLOT_PERM)), 0xff, "4 worlds");
    w64(&mut c, REG_ERRCAUSE, ERRCAUSE_MASK | 0x3fff_fc00);
    assert_eq!(r64(&mut c, REG_ERRCAUSE), ERRCAUSE_MASK);
    w64(&mut c, REG_ERRCAUSE, 0);
    w64(&mut c, REG_ERRADDR, 0x1234_5678_9abc);
    assert_eq!(r64(&mut c, REG_ERRADDR), 0x1234_5678_9abc);
}

#[test]
fn slot0_and_last_slot_special_rules() {
    let (mut c, _) = checker(cfg(4, false));
    w64(&mut c, slot_reg(0, SLOT_ADDR), 0x1234);
    w64(&mut c, slot_reg(0, SLOT_PERM), 0xff);
    c.reg_write(slot_reg(0, SLOT_CFG), 4, 0xf03, TRUSTED)
        .unwrap();
    assert_eq!(r64(&mut c, slot_reg(0, SLOT_ADDR)), 0, "read-only addr");
    assert_eq!(r64(&mut c, slot_reg(0, SLOT_PERM)), 0, "never grants");
    assert_eq!(
        c.reg_read(slot_reg(0, SLOT_CFG), 4, TRUSTED),
        Ok(0xf00),
        "A hard-wired OFF"
    );
    // The last slot: read-only addr, A limited to OFF/TOR.
    w64(&mut c, slot_reg(4, SLOT_ADDR), 0x1234);
    assert_eq!(r64(&mut c, slot_reg(4, SLOT_ADDR)), u64::MAX >> 2);
    c.reg_write(slot_reg(4, SLOT_CFG), 4, A_TOR as u64, TRUSTED)
        .unwrap();
    c.reg_write(slot_reg(4, SLOT_CFG), 4, (CFG_ER | A_NAPOT) as u64, TRUSTED)
        .unwrap();
    assert_eq!(
        c.reg_read(slot_reg(4, SLOT_CFG), 4, TRUSTED),
        Ok((CFG_ER | A_TOR) as u64),
        "NAPOT refused, TOR kept, other bits written"
    );
    w64(&mut c, slot_reg(4, SLOT_PERM), perm(1, true, true));
    // TOR from slot[3] (OFF at the range start) to the range end.
    assert!(allowed(&mut c, RAM, 8, AccessType::Write, 1));
    assert!(allowed(&mut c, 0, 1, AccessType::Read, 1));
}

#[test]
fn hw_bypass_reset_grants_the_trusted_world_everything() {
    let (mut c, _) = checker(cfg(16, true));
    assert_eq!(r64(&mut c, slot_reg(16, SLOT_PERM)), 0xc0);
    assert_eq!(
        c.reg_read(slot_reg(16, SLOT_CFG), 4, TRUSTED),
        Ok(A_TOR as u64)
    );
    for access in [AccessType::Read, AccessType::Write, AccessType::Fetch] {
        let e = ask(&mut c, RAM + 0x1234, 4, access, 3);
        assert_eq!(e.target, IommuTarget::Memory);
        assert!(e.lg_granularity >= 12);
        assert_eq!(e.translated_addr, GuestPhysAddr(RAM + 0x1234));
        let e = ask(&mut c, RAM + 0x1234, 4, access, 0);
        assert_eq!(e.target, IommuTarget::Blocked);
        assert!(e.lg_granularity >= 12);
    }
    // Without a trusted WID the highest world is the bypass world.
    let (mut c, _) = checker(WgCheckerConfig {
        trusted_wid: NO_TRUSTED_WID,
        ..cfg(1, true)
    });
    assert_eq!(r64(&mut c, slot_reg(1, SLOT_PERM)), 0xc0);
    // ... and every world may program the checker.
    assert_eq!(c.reg_read(REG_NSLOTS, 4, world(0)), Ok(1));
}

#[test]
fn read_only_write_only_read_write_and_no_access_per_world() {
    let (mut c, _) = checker(cfg(4, false));
    let p = perm(0, true, false) | perm(1, false, true) | perm(2, true, true);
    set_slot(&mut c, 1, RAM, 0, A_OFF);
    set_slot(&mut c, 2, RAM + 0x10_0000, p, A_TOR);
    let at = RAM + 0x8_0000;
    for (w, r, wr) in [
        (0, true, false),
        (1, false, true),
        (2, true, true),
        (3, false, false),
    ] {
        let e = ask(&mut c, at, 4, AccessType::Read, w);
        assert_eq!(e.target == IommuTarget::Memory, r, "world {w} read");
        assert_eq!(e.perm, if r { PROT_READ | PROT_EXEC } else { 0 });
        let e = ask(&mut c, at, 4, AccessType::Fetch, w);
        assert_eq!(e.target == IommuTarget::Memory, r, "world {w} fetch = read");
        let e = ask(&mut c, at, 4, AccessType::Write, w);
        assert_eq!(e.target == IommuTarget::Memory, wr, "world {w} write");
        assert_eq!(e.perm, if wr { PROT_WRITE } else { 0 });
        assert!(e.lg_granularity >= 12);
    }
    // Worlds beyond nworlds have no permission bits.
    assert!(!allowed(&mut c, at, 4, AccessType::Read, 4));
    assert!(!allowed(&mut c, at, 4, AccessType::Read, 200));
    // Outside the TOR range nothing is granted.
    assert!(!allowed(&mut c, RAM - 4, 4, AccessType::Read, 2));
    assert!(!allowed(&mut c, RAM + 0x10_0000, 4, AccessType::Read, 2));
    assert!(allowed(&mut c, RAM + 0x10_0000 - 4, 4, AccessType::Read, 2));
}

#[test]
fn off_na4_napot_and_tor_ranges() {
    let (mut c, _) = checker(cfg(8, false));
    let p = perm(0, true, true);
    // NA4: exactly four bytes.
    set_slot(&mut c, 1, RAM + 0x1004, p, A_NA4);
    assert!(allowed(&mut c, RAM + 0x1004, 4, AccessType::Read, 0));
    assert!(!allowed(&mut c, RAM + 0x1000, 4, AccessType::Read, 0));
    assert!(!allowed(&mut c, RAM + 0x1008, 1, AccessType::Read, 0));
    // NAPOT 64 KiB at RAM + 0x10000: addr = base >> 2 | (size / 8 - 1).
    w64(
        &mut c,
        slot_reg(2, SLOT_ADDR),
        ((RAM + 0x1_0000) >> 2) | 0x1fff,
    );
    w64(&mut c, slot_reg(2, SLOT_PERM), p);
    c.reg_write(slot_reg(2, SLOT_CFG), 4, A_NAPOT as u64, TRUSTED)
        .unwrap();
    assert!(!allowed(&mut c, RAM + 0xfffc, 4, AccessType::Write, 0));
    assert!(allowed(&mut c, RAM + 0x1_0000, 4, AccessType::Write, 0));
    assert!(allowed(&mut c, RAM + 0x1_fffc, 4, AccessType::Write, 0));
    assert!(!allowed(&mut c, RAM + 0x2_0000, 4, AccessType::Write, 0));
    // TOR after NAPOT starts at the NAPOT region's top.
    set_slot(&mut c, 3, RAM + 0x3_0000, p, A_TOR);
    assert!(allowed(&mut c, RAM + 0x2_0000, 4, AccessType::Read, 0));
    assert!(allowed(&mut c, RAM + 0x2_fffc, 4, AccessType::Read, 0));
    assert!(!allowed(&mut c, RAM + 0x3_0000, 4, AccessType::Read, 0));
    // TOR after NA4 starts four bytes after the NA4 word.
    set_slot(&mut c, 4, RAM + 0x4_0000, 0, A_NA4);
    set_slot(&mut c, 5, RAM + 0x4_0100, p, A_TOR);
    assert!(!allowed(&mut c, RAM + 0x4_0000, 4, AccessType::Read, 0));
    assert!(allowed(&mut c, RAM + 0x4_0004, 4, AccessType::Read, 0));
    assert!(!allowed(&mut c, RAM + 0x4_0100, 4, AccessType::Read, 0));
    // OFF grants nothing even with perm bits; turning a slot OFF drops it.
    c.reg_write(slot_reg(5, SLOT_CFG), 4, A_OFF as u64, TRUSTED)
        .unwrap();
    assert!(!allowed(&mut c, RAM + 0x4_0004, 4, AccessType::Read, 0));
    // An empty TOR range (bottom >= top) matches nothing.
    set_slot(&mut c, 6, RAM + 0x9_0000, 0, A_OFF);
    set_slot(&mut c, 7, RAM + 0x8_0000, p, A_TOR);
    assert!(!allowed(&mut c, RAM + 0x8_8000, 4, AccessType::Read, 0));
}

#[test]
fn overlapping_slots_add_up_regardless_of_order() {
    let (mut c, _) = checker(cfg(8, false));
    // slot 1: world 0 read over 1 MiB; slot 2 (overlapping, no perms).
    set_slot(&mut c, 1, RAM, 0, A_OFF);
    set_slot(&mut c, 2, RAM + 0x10_0000, perm(0, true, false), A_TOR);
    w64(
        &mut c,
        slot_reg(3, SLOT_ADDR),
        ((RAM + 0x4000) >> 2) | 0x1ff,
    );
    c.reg_write(slot_reg(3, SLOT_CFG), 4, A_NAPOT as u64, TRUSTED)
        .unwrap();
    assert!(
        allowed(&mut c, RAM + 0x4000, 4, AccessType::Read, 0),
        "a non-granting rule does not take precedence"
    );
    assert!(!allowed(&mut c, RAM + 0x4000, 4, AccessType::Write, 0));
    // A later overlapping slot adds write for the same page only.
    w64(&mut c, slot_reg(3, SLOT_PERM), perm(0, false, true));
    assert!(allowed(&mut c, RAM + 0x4000, 4, AccessType::Read, 0));
    assert!(allowed(&mut c, RAM + 0x4ffc, 4, AccessType::Write, 0));
    assert!(!allowed(&mut c, RAM + 0x5000, 4, AccessType::Write, 0));
}

#[test]
fn accesses_straddling_a_rule_bound_need_every_byte_granted() {
    let (mut c, _) = checker(cfg(4, false));
    set_slot(&mut c, 1, RAM + 0x100, perm(0, true, false), A_NA4);
    assert!(!allowed(&mut c, RAM + 0x100, 8, AccessType::Read, 0));
    assert!(!allowed(&mut c, RAM + 0xfe, 4, AccessType::Read, 0));
    let e = ask(&mut c, RAM + 0xfe, 4, AccessType::Read, 0);
    assert_eq!(e.lg_granularity, 0, "answer for this access alone");
    // Two adjacent rules together cover the access.
    set_slot(&mut c, 2, RAM + 0x104, perm(0, true, false), A_NA4);
    assert!(allowed(&mut c, RAM + 0x100, 8, AccessType::Read, 0));
    assert!(allowed(&mut c, RAM + 0x102, 4, AccessType::Read, 0));
}

#[test]
fn granularity_is_page_sized_only_when_the_page_is_uniform() {
    let (mut c, _) = checker(cfg(4, false));
    let p = perm(0, true, true);
    // TOR [RAM + 0x800, RAM + 0x3000): bottom inside the first page.
    set_slot(&mut c, 1, RAM + 0x800, 0, A_OFF);
    set_slot(&mut c, 2, RAM + 0x3000, p, A_TOR);
    let lg = |c: &mut WgChecker, pa| ask(c, pa, 4, AccessType::Read, 0).lg_granularity;
    assert_eq!(lg(&mut c, RAM), 11, "blocked half of a split page");
    assert_eq!(lg(&mut c, RAM + 0x900), 11, "granted half of a split page");
    assert_eq!(lg(&mut c, RAM + 0x1000), 12, "whole page inside");
    assert_eq!(lg(&mut c, RAM + 0x2ffc), 12);
    assert_eq!(lg(&mut c, RAM + 0x3000), 12, "page above the top");
    assert_eq!(lg(&mut c, RAM + 0x4_0000), 18);
    // Another world's rules do not limit this world's granularity.
    assert_eq!(ask(&mut c, RAM, 4, AccessType::Read, 1).lg_granularity, 63);
    // NA4: four bytes.
    set_slot(&mut c, 3, RAM + 0x1_0004, p, A_NA4);
    assert_eq!(lg(&mut c, RAM + 0x1_0004), 2);
    assert_eq!(lg(&mut c, RAM + 0x1_0000), 2);
    assert_eq!(lg(&mut c, RAM + 0x1_0800), 11, "same page as the NA4 word");
    assert_eq!(
        lg(&mut c, RAM + 0x1_2000),
        13,
        "neighbouring page is uniform"
    );
    // NAPOT 64 KiB: the whole region.
    w64(
        &mut c,
        slot_reg(3, SLOT_ADDR),
        ((RAM + 0x1_0000) >> 2) | 0x1fff,
    );
    c.reg_write(slot_reg(3, SLOT_CFG), 4, A_NAPOT as u64, TRUSTED)
        .unwrap();
    assert_eq!(lg(&mut c, RAM + 0x1_8000), 16);
    assert_eq!(lg(&mut c, RAM + 0x8000), 15);
}

use crate::test_rng::XorShift;

/// The security property behind `lg_granularity`: every byte of the
/// reported block gets the same answer, for every access type and
/// world, over random small configurations (blocks up to 1 KiB checked
/// byte by byte, larger ones at both ends and 1024 random bytes).
#[test]
fn reported_blocks_are_uniform() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..200 {
        let (mut c, _) = checker(cfg(6, false));
        for i in 1..=6 {
            // Word-aligned addresses within 64 KiB of RAM.
            let off = (rng.next() % 0x1_0000) & !3;
            let a = rng.next() as u32 % 4;
            let mut addr = (RAM + off) >> 2;
            if a == A_NAPOT {
                let ones = rng.next() % 14;
                addr = (addr & !((2 << ones) - 1)) | ((1 << ones) - 1);
            }
            w64(&mut c, slot_reg(i, SLOT_ADDR), addr);
            w64(&mut c, slot_reg(i, SLOT_PERM), rng.next() & 0xff);
            c.reg_write(slot_reg(i, SLOT_CFG), 4, a as u64, TRUSTED)
                .unwrap();
        }
        for _ in 0..30 {
            let pa = RAM - 0x1000 + rng.next() % 0x1_2000;
            let w = (rng.next() % 4) as u8;
            for access in [AccessType::Read, AccessType::Write] {
                let e = ask(&mut c, pa, 1, access, w);
                let lg = (e.lg_granularity as u32).min(40);
                let start = pa & !((1u64 << lg) - 1);
                let last = start + ((1u64 << lg) - 1);
                let mut probe = |b: u64| {
                    let f = ask(&mut c, b, 1, access, w);
                    assert_eq!(
                        f.target, e.target,
                        "byte {b:#x} differs from {pa:#x} (lg {lg}) for world {w}"
                    );
                    // Wider accesses inside the block agree too.
                    if lg >= 3 {
                        let f = ask(&mut c, b & !7, 8, access, w);
                        assert_eq!(f.target, e.target, "8 bytes at {:#x}", b & !7);
                    }
                };
                probe(start);
                probe(last);
                if lg <= 10 {
                    (start..=last).for_each(&mut probe);
                } else {
                    for _ in 0..1024 {
                        probe(start + rng.next() % (1u64 << lg));
                    }
                }
            }
        }
    }
}

#[test]
fn lock_freezes_the_slot_but_not_the_tor_base_below_it() {
    let (mut c, _) = checker(cfg(4, false));
    set_slot(&mut c, 1, RAM, 0, A_OFF);
    set_slot(&mut c, 2, RAM + 0x1000, perm(0, true, false), A_TOR | CFG_L);
    assert!(c.take_config_changed());
    set_slot(&mut c, 2, RAM + 0x8000, perm(0, true, true), A_OFF);
    assert!(!c.take_config_changed(), "locked: nothing changed");
    assert_eq!(r64(&mut c, slot_reg(2, SLOT_ADDR)), (RAM + 0x1000) >> 2);
    assert_eq!(r64(&mut c, slot_reg(2, SLOT_PERM)), perm(0, true, false));
    assert_eq!(
        c.reg_read(slot_reg(2, SLOT_CFG), 4, TRUSTED),
        Ok((A_TOR | CFG_L) as u64)
    );
    // The spec: both slots of a TOR range must be locked to freeze it.
    w64(&mut c, slot_reg(1, SLOT_ADDR), (RAM + 0x800) >> 2);
    assert!(c.take_config_changed());
    assert!(!allowed(&mut c, RAM, 4, AccessType::Read, 0));
    assert!(allowed(&mut c, RAM + 0x800, 4, AccessType::Read, 0));
    // Reset unlocks.
    c.reset();
    assert!(c.take_config_changed());
    assert_eq!(c.reg_read(slot_reg(2, SLOT_CFG), 4, TRUSTED), Ok(0));
    // slot[0]'s L bit freezes its error bits.
    c.reg_write(slot_reg(0, SLOT_CFG), 4, (CFG_L | CFG_ER) as u64, TRUSTED)
        .unwrap();
    c.reg_write(slot_reg(0, SLOT_CFG), 4, 0, TRUSTED).unwrap();
    assert_eq!(
        c.reg_read(slot_reg(0, SLOT_CFG), 4, TRUSTED),
        Ok((CFG_L | CFG_ER) as u64)
    );
}

#[test]
fn config_changed_only_on_effective_slot_writes() {
    let (mut c, _) = checker(cfg(4, false));
    assert!(c.take_config_changed(), "reset");
    assert!(!c.take_config_changed(), "cleared by the call");
    w64(&mut c, slot_reg(1, SLOT_PERM), 3);
    assert!(c.take_config_changed());
    w64(&mut c, slot_reg(1, SLOT_PERM), 3);
    assert!(!c.take_config_changed(), "same value");
    w64(&mut c, REG_ERRCAUSE, 0);
    w64(&mut c, REG_ERRADDR, 5);
    assert!(!c.take_config_changed(), "error registers");
    c.reg_write(slot_reg(1, SLOT_ADDR), 4, 0x40, world(0))
        .unwrap();
    assert!(!c.take_config_changed(), "untrusted write ignored");
}

#[test]
fn only_the_trusted_world_reaches_the_registers() {
    let (mut c, _) = checker(cfg(4, false));
    assert_eq!(c.reg_read(REG_NSLOTS, 4, world(0)), Ok(0), "reads zero");
    c.reg_write(slot_reg(1, SLOT_PERM), 8, 0xff, world(2))
        .unwrap();
    assert_eq!(r64(&mut c, slot_reg(1, SLOT_PERM)), 0, "write ignored");
    assert_eq!(c.stats.untrusted_reg_accesses, 2);
    assert_eq!(c.reg_read(REG_NSLOTS, 4, TRUSTED), Ok(4));
    // Width errors come before the world check.
    assert_eq!(c.reg_read(REG_NSLOTS, 2, world(0)), Err(BusError));
}

#[test]
fn errors_latch_once_and_drive_the_interrupt_until_cleared() {
    let (mut c, lines, plic) = checker_plic(cfg(4, false));
    let meip = || lines.get() & irq::MEIP != 0;
    set_slot(&mut c, 1, RAM, 0, A_OFF);
    set_slot(
        &mut c,
        2,
        RAM + 0x1000,
        perm(0, true, false),
        A_TOR | CFG_ER | CFG_IR | CFG_IW,
    );
    assert!(!meip());
    // World 1 reads: bus error and interrupt.
    let pa = GuestPhysAddr(RAM + 0x10);
    assert_eq!(
        c.blocked_read(pa, 4, AccessType::Read, world(1)),
        Err(BusError)
    );
    assert_eq!(
        r64(&mut c, REG_ERRCAUSE),
        1 | ERRCAUSE_R | ERRCAUSE_BE | ERRCAUSE_IP
    );
    assert_eq!(r64(&mut c, REG_ERRADDR), (RAM + 0x10) >> 2);
    assert!(meip());
    // A level: still pending after a claim and completion.
    assert_eq!(claim_complete(&plic), VIRT_WGC_DRAM_IRQ as u64);
    assert!(meip());
    // A later violation keeps the first one; bus errors continue.
    assert_eq!(
        c.blocked_write(GuestPhysAddr(RAM + 0x20), 4, 0, world(2)),
        Ok(()),
        "no EW: write dropped without error"
    );
    assert_eq!(
        c.blocked_read(pa, 4, AccessType::Fetch, world(0)),
        Err(BusError)
    );
    assert_eq!(r64(&mut c, REG_ERRADDR), (RAM + 0x10) >> 2);
    assert_eq!(r64(&mut c, REG_ERRCAUSE) & ERRCAUSE_WID, 1);
    // Clearing ip alone keeps be: still latched, line low (the PLIC
    // forgets the request at the next claim/complete).
    c.reg_write(REG_ERRCAUSE + 4, 4, ERRCAUSE_BE >> 32, TRUSTED)
        .unwrap();
    claim_complete(&plic);
    assert!(!meip());
    c.blocked_write(GuestPhysAddr(RAM + 0x20), 4, 0, world(2))
        .unwrap();
    assert_eq!(r64(&mut c, REG_ERRADDR), (RAM + 0x10) >> 2);
    assert!(!meip());
    // Clearing both re-arms the capture.
    w64(&mut c, REG_ERRCAUSE, 0);
    c.blocked_write(GuestPhysAddr(RAM + 0x20), 4, 0, world(2))
        .unwrap();
    assert_eq!(r64(&mut c, REG_ERRCAUSE), 2 | ERRCAUSE_W | ERRCAUSE_IP);
    assert_eq!(r64(&mut c, REG_ERRADDR), (RAM + 0x20) >> 2);
    assert!(meip());
    assert_eq!(c.stats.blocked_reads, 2);
    assert_eq!(c.stats.blocked_writes, 3);
    assert_eq!(c.stats.bus_errors, 2);
    assert_eq!(c.stats.errors_captured, 2);
    assert_eq!(c.stats.interrupts_raised, 2);
    // Software can also raise the line by writing ip.
    w64(&mut c, REG_ERRCAUSE, 0);
    claim_complete(&plic);
    assert!(!meip());
    w64(&mut c, REG_ERRCAUSE, ERRCAUSE_IP);
    assert!(meip());
}

#[test]
fn uncovered_accesses_use_slot0_error_bits() {
    let (mut c, lines) = checker(cfg(4, false));
    let pa = GuestPhysAddr(RAM + 0x5000);
    // Nothing set: read-as-zero, write ignored, nothing latched.
    assert_eq!(c.blocked_read(pa, 8, AccessType::Read, world(0)), Ok(0));
    assert_eq!(c.blocked_write(pa, 8, 1, world(0)), Ok(()));
    assert_eq!(r64(&mut c, REG_ERRCAUSE), 0);
    c.reg_write(slot_reg(0, SLOT_CFG), 4, CFG_EW as u64, TRUSTED)
        .unwrap();
    assert_eq!(c.blocked_write(pa, 8, 1, world(0)), Err(BusError));
    assert_eq!(c.blocked_read(pa, 8, AccessType::Read, world(0)), Ok(0));
    assert_eq!(r64(&mut c, REG_ERRCAUSE), ERRCAUSE_W | ERRCAUSE_BE);
    assert_eq!(lines.get() & irq::MEIP, 0, "no IW: no interrupt");
    // A covering rule's bits replace slot[0]'s, even when it does not
    // grant this world; any overlapping byte counts.
    w64(&mut c, REG_ERRCAUSE, 0);
    set_slot(&mut c, 1, RAM + 0x5004, perm(1, true, true), A_NA4);
    assert_eq!(
        c.blocked_write(pa, 8, 1, world(0)),
        Ok(()),
        "rule has no EW"
    );
    assert_eq!(
        c.blocked_write(pa, 4, 1, world(0)),
        Err(BusError),
        "uncovered"
    );
}

#[test]
fn virt_layout() {
    let d = WgCheckerConfig::virt_dram(RAM, 0x800_0000);
    assert_eq!((d.nslots, d.irq, d.nworlds, d.trusted_wid), (16, 15, 4, 3));
    assert_eq!((d.guard_base, d.guard_size), (RAM, 0x800_0000));
    assert!(d.hw_bypass);
    let u = WgCheckerConfig::virt_uart(0x1000_0000, 0x1000);
    assert_eq!((u.nslots, u.irq), (1, 17));
    let f = WgCheckerConfig::virt_flash(0x2000_0000, 0x400_0000);
    assert_eq!((f.nslots, f.irq), (16, 16));
    use crate::board::{VIRT_WGC_DRAM_BASE, VIRT_WGC_FLASH_BASE, VIRT_WGC_UART_BASE};
    assert_eq!(
        [VIRT_WGC_DRAM_BASE, VIRT_WGC_FLASH_BASE, VIRT_WGC_UART_BASE],
        [0x600_0000, 0x600_1000, 0x600_2000]
    );
}

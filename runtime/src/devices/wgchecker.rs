//! The RISC-V WorldGuard generic checker (wgChecker): per-world read/write rules in front of a bus range.
//!
//! Model of the "Generic WG Checker" of the WorldGuard specification 0.4
//! (§3.1) as QEMU's WorldGuard series (SiFive, `hw/misc/riscv_wgchecker.c`)
//! implements it, with the spec's wording where the two differ.
//!
//! Register window (little-endian, 4- and 8-byte naturally aligned accesses):
//!
//! | offset | bytes | register |
//! | --- | --- | --- |
//! | 0x00 | 4 | `vendor` (reads 0) |
//! | 0x04 | 4 | `impid` (reads 0) |
//! | 0x08 | 4 | `nslots` (read-only) |
//! | 0x0c | 4 | reserved (reads 0) |
//! | 0x10 | 8 | `errcause`: wid\[7:0\], r\[8\], w\[9\], be\[62\], ip\[63\] |
//! | 0x18 | 8 | `erraddr`: the failing address >> 2 |
//! | 0x20 + 0x20 * i | 32 | `slot[i]`, i = 0..=nslots: `addr` (+0x00, 8 bytes, address >> 2), `perm` (+0x08, 8 bytes, 2 bits per world: bit 2w read, bit 2w+1 write), `cfg` (+0x10, 4 bytes: A\[1:0\], ER\[8\], EW\[9\], IR\[10\], IW\[11\], L\[31\]) |
//!
//! Rules: every active slot (A = TOR, NA4 or NAPOT) covers a range; a TOR
//! slot starts where the previous slot ends (its address for OFF/TOR, one
//! past its NA4/NAPOT region otherwise). Checks are parallel, not ordered as
//! in PMP: an access is permitted when, for each of its bytes, some rule
//! covering the byte grants the requester's world the access (permissions
//! only add up; a fetch is a read). `slot[0]` is special: its address is the
//! checker range's start, A is hard-wired OFF and it never grants, but its
//! ER/EW/IR/IW bits decide the error response for accesses that no rule
//! covers. `slot[nslots]` has a read-only address (the range's end) and A
//! limited to OFF/TOR. A set L bit freezes the slot's own registers until
//! reset; it does not protect the previous slot's address that a TOR range
//! starts from (the spec asks for both slots to be locked).
//!
//! A blocked access is answered by the error handling: reads return zero and
//! writes are dropped; when any rule overlapping the access (or `slot[0]`
//! if none does) has ER/EW set, a bus error (access fault) is returned as
//! well. Errors with a bus error or an interrupt (IR/IW) are latched in
//! `errcause`/`erraddr` only while both `be` and `ip` are clear, so the first
//! one stays until software clears them. `errcause.ip` is the interrupt
//! line's level (a PLIC source).
//!
//! When a trusted WID is configured, only that world reaches the registers:
//! other worlds read zeros and their writes are ignored, without error.

use std::cell::RefCell;
use std::rc::Rc;

use softmmu::access::{PROT_EXEC, PROT_READ, PROT_WRITE};
use softmmu::{AccessType, BusError, GuestPhysAddr, Iommu, IommuTlbEntry, MemAttrs};

use super::plic::Plic;
use super::range::{self, AddrMatch};
use super::{reg_read, reg_write};
use crate::board::{VIRT_WGC_DRAM_IRQ, VIRT_WGC_FLASH_IRQ, VIRT_WGC_UART_IRQ};

// QEMU's `virt,wg=on` layout: Jim Shu's series "hw/riscv: virt: Add
// WorldGuard support" (v2 April 2025, v3 October 2025), hw/riscv/virt.c
// (`virt_memmap`, `virt_wgcinfo`) and include/hw/riscv/virt.h.

/// Size of every checker's register window (`virt_memmap`, `mmio-size`).
pub const WGC_MMIO_SIZE: u64 = 0x1000;
/// Slot counts (`virt_wgcinfo`).
pub const VIRT_WGC_DRAM_SLOTS: u32 = 16;
pub const VIRT_WGC_FLASH_SLOTS: u32 = 16;
pub const VIRT_WGC_UART_SLOTS: u32 = 1;
/// The global WorldGuard configuration (`VIRT_WG_NWORLDS`,
/// `VIRT_WG_TRUSTEDWID`, `VIRT_WG_HWBYPASS` in virt.h).
pub const VIRT_WG_NWORLDS: u32 = 4;
pub const VIRT_WG_TRUSTED_WID: u32 = 3;
pub const VIRT_WG_HW_BYPASS: bool = true;
/// A hart's M-mode WID: `riscv_cpu_wg_reset` (hw/misc/riscv_worldguard.c)
/// defaults `mwid` to the trusted WID, and `mwidlist` to every world.
pub const VIRT_WG_MWID: u32 = VIRT_WG_TRUSTED_WID;
/// The checkers' monitored range on `virt`: `riscv_wgchecker_create` is
/// passed start 0 and size 0, which selects the default `addr-range-size`
/// of `UINT64_MAX` (hw/misc/riscv_wgchecker.c): the whole address space.
pub const VIRT_WGC_RANGE_START: u64 = 0;
pub const VIRT_WGC_RANGE_SIZE: u64 = u64::MAX;
/// "No trusted WID" (QEMU's `NO_TRUSTEDWID`): every world may program the
/// checker, and the hardware-bypass rule uses the highest world.
pub const NO_TRUSTED_WID: u32 = u32::MAX;
/// Device-tree names from the series' `riscv-wg-dts` branch
/// (github.com/cwshu/qemu, `create_fdt_wgchecker`, `create_fdt_socket_cpus`):
/// `/soc/wgchecker@<base>` nodes with this compatible, `reg`,
/// `interrupt-parent`, `interrupts`, `sifive,slot-count` and
/// `sifive,subordinates` (phandles of the guarded nodes); per hart a
/// `/cpus/cpu@N/worldguard` node with [`WGCPU_COMPATIBLE`], `mwid` and
/// `mwidlist` (the WIDs, one cell each).
pub const WGC_COMPATIBLE: &str = "sifive,wgchecker2";
pub const WGCPU_COMPATIBLE: &str = "riscv,wgcpu";

pub const REG_VENDOR: u64 = 0x00;
pub const REG_IMPID: u64 = 0x04;
pub const REG_NSLOTS: u64 = 0x08;
pub const REG_ERRCAUSE: u64 = 0x10;
pub const REG_ERRADDR: u64 = 0x18;
/// `slot[0]`; `slot[i]` is at `REG_SLOTS + SLOT_STRIDE * i`.
pub const REG_SLOTS: u64 = 0x20;
pub const SLOT_STRIDE: u64 = 0x20;
pub const SLOT_ADDR: u64 = 0x00;
pub const SLOT_PERM: u64 = 0x08;
pub const SLOT_CFG: u64 = 0x10;

pub const CFG_A_MASK: u32 = 3;
pub const A_OFF: u32 = 0;
pub const A_TOR: u32 = 1;
pub const A_NA4: u32 = 2;
pub const A_NAPOT: u32 = 3;
pub const CFG_ER: u32 = 1 << 8;
pub const CFG_EW: u32 = 1 << 9;
pub const CFG_IR: u32 = 1 << 10;
pub const CFG_IW: u32 = 1 << 11;
pub const CFG_L: u32 = 1 << 31;
/// The implemented cfg bits of `slot[0]` (A is hard-wired OFF).
const SLOT0_CFG_MASK: u32 = CFG_ER | CFG_EW | CFG_IR | CFG_IW | CFG_L;
const SLOT_CFG_MASK: u32 = SLOT0_CFG_MASK | CFG_A_MASK;

pub const ERRCAUSE_WID: u64 = 0xff;
pub const ERRCAUSE_R: u64 = 1 << 8;
pub const ERRCAUSE_W: u64 = 1 << 9;
pub const ERRCAUSE_BE: u64 = 1 << 62;
pub const ERRCAUSE_IP: u64 = 1 << 63;
const ERRCAUSE_MASK: u64 = ERRCAUSE_WID | ERRCAUSE_R | ERRCAUSE_W | ERRCAUSE_BE | ERRCAUSE_IP;

/// The largest block size a `translate` answer reports (2^63 bytes): the
/// whole space's answer fits, and consumers can shift by it safely.
const LG_MAX: u32 = 63;

/// One checker instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WgCheckerConfig {
    /// Number of programmable slots (`slot[1..=nslots]`), at least 1.
    pub nslots: u32,
    /// Number of worlds, 1..=32 (two `perm` bits each).
    pub nworlds: u32,
    /// The only world that may access the registers, or [`NO_TRUSTED_WID`].
    pub trusted_wid: u32,
    /// The bus range the memory system routes through the checker (for the
    /// machine that places it; decisions use physical addresses).
    pub guard_base: u64,
    pub guard_size: u64,
    /// The checker's monitored range: `slot[0].addr` is its start and
    /// `slot[nslots].addr` its end (both >> 2). `addr` registers keep their
    /// bits above the smallest power-of-two span covering it fixed (WARL).
    pub range_start: u64,
    pub range_size: u64,
    /// Reset to QEMU's hardware-bypass rule: `slot[nslots]` TOR over the
    /// whole range, read/write for the trusted world (the highest world
    /// without one), so software runs before the checker is programmed.
    pub hw_bypass: bool,
    /// PLIC source of the interrupt (`errcause.ip`).
    pub irq: usize,
}

impl WgCheckerConfig {
    /// QEMU `virt,wg=on`'s checker in front of DRAM at `ram_base`.
    pub fn virt_dram(ram_base: u64, ram_size: u64) -> WgCheckerConfig {
        WgCheckerConfig::virt(VIRT_WGC_DRAM_SLOTS, VIRT_WGC_DRAM_IRQ, ram_base, ram_size)
    }

    /// QEMU `virt,wg=on`'s checker in front of the flash banks.
    pub fn virt_flash(flash_base: u64, flash_size: u64) -> WgCheckerConfig {
        WgCheckerConfig::virt(
            VIRT_WGC_FLASH_SLOTS,
            VIRT_WGC_FLASH_IRQ,
            flash_base,
            flash_size,
        )
    }

    /// QEMU `virt,wg=on`'s checker in front of UART0 (pass the page-rounded
    /// range the bus can guard).
    pub fn virt_uart(uart_base: u64, size: u64) -> WgCheckerConfig {
        WgCheckerConfig::virt(VIRT_WGC_UART_SLOTS, VIRT_WGC_UART_IRQ, uart_base, size)
    }

    fn virt(nslots: u32, irq: usize, guard_base: u64, guard_size: u64) -> WgCheckerConfig {
        WgCheckerConfig {
            nslots,
            nworlds: VIRT_WG_NWORLDS,
            trusted_wid: VIRT_WG_TRUSTED_WID,
            guard_base,
            guard_size,
            range_start: VIRT_WGC_RANGE_START,
            range_size: VIRT_WGC_RANGE_SIZE,
            hw_bypass: VIRT_WG_HW_BYPASS,
            irq,
        }
    }
}

/// Counters for `--stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WgCheckerStats {
    /// Blocked reads and fetches that reached the error handling.
    pub blocked_reads: u64,
    pub blocked_writes: u64,
    /// Blocked accesses answered with a bus error (an access fault).
    pub bus_errors: u64,
    /// Violations latched in `errcause`/`erraddr`.
    pub errors_captured: u64,
    /// Violations that set `errcause.ip`.
    pub interrupts_raised: u64,
    /// Register accesses from an untrusted world (read zero, ignored).
    pub untrusted_reg_accesses: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    /// Address >> 2.
    addr: u64,
    perm: u64,
    cfg: u32,
}

/// An active slot's decoded byte range `[start, end)` (u128: NAPOT and TOR
/// ends can pass 2^64).
#[derive(Clone, Copy, Debug)]
struct Rule {
    start: u128,
    end: u128,
    perm: u64,
    cfg: u32,
}

impl Rule {
    fn overlaps(&self, start: u128, end: u128) -> bool {
        self.start < end && start < self.end
    }
}

/// A wgChecker: registers, slots and the decoded rules.
pub struct WgChecker {
    cfg: WgCheckerConfig,
    plic: Rc<RefCell<Plic>>,
    /// `slot[0..=nslots]`.
    slots: Vec<Slot>,
    errcause: u64,
    erraddr: u64,
    /// The active slots, decoded after every slot change.
    rules: Vec<Rule>,
    /// Writable bits of an `addr` register; the others hold the range base.
    addr_mask: u64,
    irq_level: bool,
    /// The interrupt line changed since the last `take_irq_changed`.
    irq_changed: bool,
    changed: bool,
    pub stats: WgCheckerStats,
}

impl WgChecker {
    /// A checker in its reset state, driving PLIC source `cfg.irq`.
    ///
    /// Panics on a configuration no hardware has (no slot, 0 or more than
    /// 32 worlds, a trusted WID outside the worlds): those are host bugs.
    pub fn new(cfg: WgCheckerConfig, plic: Rc<RefCell<Plic>>) -> WgChecker {
        assert!(cfg.nslots >= 1, "a wgChecker has at least one slot");
        assert!(
            (1..=32).contains(&cfg.nworlds),
            "wgChecker perm registers hold 1 to 32 worlds"
        );
        assert!(
            cfg.trusted_wid == NO_TRUSTED_WID || cfg.trusted_wid < cfg.nworlds,
            "the trusted WID must be a world"
        );
        // The smallest power-of-two span covering the range decides which
        // address bits software can change (spec §3.1.2, Table 6).
        let span = (cfg.range_size as u128).max(4).next_power_of_two();
        let addr_mask = ((span >> 2) - 1).min(u64::MAX as u128) as u64;
        let mut c = WgChecker {
            cfg,
            plic,
            slots: vec![Slot::default(); cfg.nslots as usize + 1],
            errcause: 0,
            erraddr: 0,
            rules: Vec::new(),
            addr_mask,
            irq_level: false,
            irq_changed: false,
            changed: false,
            stats: WgCheckerStats::default(),
        };
        c.reset();
        c
    }

    /// The configuration this checker was built with.
    pub fn config(&self) -> &WgCheckerConfig {
        &self.cfg
    }

    /// Resets slots and error registers (QEMU's `riscv_wgchecker_reset_enter`):
    /// every slot OFF at the range start, the last at the range end, and the
    /// hardware-bypass rule if configured.
    pub fn reset(&mut self) {
        let n = self.cfg.nslots as usize;
        let start = self.cfg.range_start >> 2;
        let end = ((self.cfg.range_start as u128 + self.cfg.range_size as u128) >> 2) as u64;
        for s in &mut self.slots {
            *s = Slot {
                addr: start,
                perm: 0,
                cfg: 0,
            };
        }
        self.slots[n].addr = end;
        if self.cfg.hw_bypass {
            let wid = self.bypass_wid();
            self.slots[n].perm = 3 << (2 * wid);
            self.slots[n].cfg = A_TOR;
        }
        self.errcause = 0;
        self.erraddr = 0;
        self.decode();
        self.changed = true;
        self.update_irq();
    }

    /// The world the hardware-bypass rule grants.
    fn bypass_wid(&self) -> u32 {
        if self.cfg.trusted_wid == NO_TRUSTED_WID {
            self.cfg.nworlds - 1
        } else {
            self.cfg.trusted_wid
        }
    }

    /// `errcause` as software reads it.
    pub fn errcause(&self) -> u64 {
        self.errcause
    }

    /// `erraddr` (the failing address >> 2).
    pub fn erraddr(&self) -> u64 {
        self.erraddr
    }

    /// The `perm` bits that exist: two per world.
    fn perm_mask(&self) -> u64 {
        if self.cfg.nworlds >= 32 {
            u64::MAX
        } else {
            (1u64 << (2 * self.cfg.nworlds)) - 1
        }
    }

    /// The `perm` bit granting `wid` a read or a write, if `wid` is a world.
    fn grant_bit(&self, wid: u8, write: bool) -> Option<u64> {
        let w = wid as u32;
        (w < self.cfg.nworlds).then(|| 1u64 << (2 * w + write as u32))
    }

    /// One past the last byte of slot `i`'s range when it is the base of a
    /// TOR range in slot `i + 1` (spec §3.1.2: NA4/NAPOT give their top).
    fn tor_base(&self, i: usize) -> u128 {
        let s = &self.slots[i];
        match AddrMatch::from_a(s.cfg) {
            AddrMatch::Na4 => range::na4_range(s.addr).1,
            AddrMatch::Napot => range::napot_range(s.addr).1,
            AddrMatch::Off | AddrMatch::Tor => range::byte_addr(s.addr),
        }
    }

    /// Rebuilds the rule list from the slots.
    fn decode(&mut self) {
        let mut rules = Vec::with_capacity(self.slots.len());
        for i in 1..self.slots.len() {
            let s = self.slots[i];
            let mode = AddrMatch::from_a(s.cfg);
            if let Some((start, end)) = range::decode(mode, s.addr, self.tor_base(i - 1)) {
                rules.push(Rule {
                    start,
                    end,
                    perm: s.perm,
                    cfg: s.cfg,
                });
            }
        }
        self.rules = rules;
    }

    /// Whether some rule granting `bit` covers byte `b`.
    fn granted(&self, b: u128, bit: u64) -> bool {
        self.rules
            .iter()
            .any(|r| r.perm & bit != 0 && r.start <= b && b < r.end)
    }

    /// Sets the PLIC source to `errcause.ip`.
    fn update_irq(&mut self) {
        let level = self.errcause & ERRCAUSE_IP != 0;
        if level != self.irq_level {
            self.irq_level = level;
            self.irq_changed = true;
            self.plic.borrow_mut().set_level(self.cfg.irq, level);
        }
    }

    /// The error handling of a blocked access (spec §3.1.5): decides the
    /// bus-error and interrupt responses from the rules overlapping any byte
    /// of the access, or `slot[0]` if none does, and latches the violation if
    /// nothing is latched. Returns whether the access gets a bus error.
    fn violation(&mut self, addr: GuestPhysAddr, size: u8, write: bool, wid: u8) -> bool {
        let start = addr.0 as u128;
        let end = start + size.max(1) as u128;
        let mut overlapping = false;
        let mut cfg = 0;
        for r in self.rules.iter().filter(|r| r.overlaps(start, end)) {
            overlapping = true;
            cfg |= r.cfg;
        }
        if !overlapping {
            cfg = self.slots[0].cfg;
        }
        let (e, i) = if write {
            (CFG_EW, CFG_IW)
        } else {
            (CFG_ER, CFG_IR)
        };
        let be = cfg & e != 0;
        let ip = cfg & i != 0;
        if be {
            self.stats.bus_errors += 1;
        }
        if (be || ip) && self.errcause & (ERRCAUSE_BE | ERRCAUSE_IP) == 0 {
            let mut cause = wid as u64 & ERRCAUSE_WID;
            cause |= if write { ERRCAUSE_W } else { ERRCAUSE_R };
            if be {
                cause |= ERRCAUSE_BE;
            }
            if ip {
                cause |= ERRCAUSE_IP;
                self.stats.interrupts_raised += 1;
            }
            self.errcause = cause;
            self.erraddr = addr.0 >> 2;
            self.stats.errors_captured += 1;
            self.update_irq();
        }
        be
    }

    fn trusted(&self, attrs: MemAttrs) -> bool {
        self.cfg.trusted_wid == NO_TRUSTED_WID || attrs.world_id as u32 == self.cfg.trusted_wid
    }

    /// The slot holding register offset `o` (8-byte aligned) and the offset
    /// within the slot.
    fn slot_at(&self, o: u64) -> Option<(usize, u64)> {
        let i = o.checked_sub(REG_SLOTS)? / SLOT_STRIDE;
        (i < self.slots.len() as u64).then(|| (i as usize, (o - REG_SLOTS) % SLOT_STRIDE))
    }

    /// The 8-byte register word at aligned offset `o`.
    fn read_word(&self, o: u64) -> u64 {
        if let Some((i, f)) = self.slot_at(o) {
            let s = &self.slots[i];
            return match f {
                SLOT_ADDR => s.addr,
                SLOT_PERM => s.perm,
                SLOT_CFG => s.cfg as u64,
                _ => 0,
            };
        }
        match o {
            // vendor and impid are 0; the word after nslots is reserved.
            REG_NSLOTS => self.cfg.nslots as u64,
            REG_ERRCAUSE => self.errcause,
            REG_ERRADDR => self.erraddr,
            _ => 0,
        }
    }

    /// Writes the 8-byte register word at aligned offset `o` (the bytes
    /// not written hold their old value), applying the WARL rules.
    fn write_word(&mut self, o: u64, v: u64) {
        if let Some((i, f)) = self.slot_at(o) {
            self.write_slot(i, f, v);
            return;
        }
        match o {
            REG_ERRCAUSE => {
                self.errcause = v & ERRCAUSE_MASK;
                self.update_irq();
            }
            REG_ERRADDR => self.erraddr = v,
            _ => {}
        }
    }

    fn write_slot(&mut self, i: usize, field: u64, v: u64) {
        let last = self.slots.len() - 1;
        let old = self.slots[i];
        if old.cfg & CFG_L != 0 {
            return;
        }
        let mut s = old;
        match field {
            // slot[0].addr and slot[nslots].addr are the range bounds.
            SLOT_ADDR if i != 0 && i != last => {
                s.addr = (old.addr & !self.addr_mask) | (v & self.addr_mask);
            }
            // slot[0] never grants.
            SLOT_PERM if i != 0 => s.perm = v & self.perm_mask(),
            SLOT_CFG => {
                let v = v as u32;
                s.cfg = if i == 0 {
                    v & SLOT0_CFG_MASK
                } else if i == last && v & CFG_A_MASK > A_TOR {
                    // The last slot's A is OFF or TOR; others keep the old A.
                    (v & SLOT0_CFG_MASK) | (old.cfg & CFG_A_MASK)
                } else {
                    v & SLOT_CFG_MASK
                };
            }
            _ => {}
        }
        if s != old {
            self.slots[i] = s;
            self.decode();
            self.changed = true;
        }
    }
}

/// The largest `lg` such that the naturally aligned `2^lg` block holding
/// `a` does not have `b` strictly inside it (`b` may be its first byte).
fn lg_below_boundary(a: u128, b: u128) -> u32 {
    if b == 0 || b > u64::MAX as u128 {
        // No block of at most 2^63 bytes holding `a` < 2^64 straddles these.
        return LG_MAX;
    }
    // `b` is inside the 2^lg block of `a` when they agree above bit lg
    // (lg >= bit length of a ^ b) and `b` is not the block's first byte
    // (lg > trailing zeros of b).
    let same_block_from = 128 - (a ^ b).leading_zeros();
    let not_first_from = b.trailing_zeros() + 1;
    same_block_from.max(not_first_from) - 1
}

impl Iommu for WgChecker {
    fn translate(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        access: AccessType,
        attrs: MemAttrs,
    ) -> IommuTlbEntry {
        let write = access == AccessType::Write;
        let Some(bit) = self.grant_bit(attrs.world_id, write) else {
            // Not a world: no rule can grant it anything, anywhere.
            return IommuTlbEntry::blocked(addr, LG_MAX as u8);
        };
        let start = addr.0 as u128;
        let last = start + size.max(1) as u128 - 1;
        let allowed = (start..=last).all(|b| self.granted(b, bit));
        // Only the bounds of rules granting this bit change the per-byte
        // answer (permissions only add up), so the answer holds over the
        // largest aligned block around `addr` without such a bound inside.
        let mut lg = LG_MAX;
        for r in self.rules.iter().filter(|r| r.perm & bit != 0) {
            lg = lg
                .min(lg_below_boundary(start, r.start))
                .min(lg_below_boundary(start, r.end));
        }
        if start >> lg != last >> lg {
            // The access leaves that block: its answer holds for it alone.
            lg = 0;
        }
        if allowed {
            let perm = if write {
                PROT_WRITE
            } else {
                PROT_READ | PROT_EXEC
            };
            IommuTlbEntry::identity(addr, perm, lg as u8)
        } else {
            IommuTlbEntry::blocked(addr, lg as u8)
        }
    }

    fn blocked_read(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        _access: AccessType,
        attrs: MemAttrs,
    ) -> Result<u64, BusError> {
        self.stats.blocked_reads += 1;
        if self.violation(addr, size, false, attrs.world_id) {
            Err(BusError)
        } else {
            Ok(0)
        }
    }

    fn blocked_write(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        _value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError> {
        self.stats.blocked_writes += 1;
        if self.violation(addr, size, true, attrs.world_id) {
            Err(BusError)
        } else {
            Ok(())
        }
    }

    fn take_config_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    fn take_irq_changed(&mut self) -> bool {
        std::mem::take(&mut self.irq_changed)
    }

    fn reg_read(&mut self, offset: u64, size: u8, attrs: MemAttrs) -> Result<u64, BusError> {
        if !matches!(size, 4 | 8) || !offset.is_multiple_of(size as u64) {
            return Err(BusError);
        }
        if !self.trusted(attrs) {
            self.stats.untrusted_reg_accesses += 1;
            return Ok(0);
        }
        Ok(reg_read(self.read_word(offset & !7), offset, size))
    }

    fn reg_write(
        &mut self,
        offset: u64,
        size: u8,
        value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError> {
        if !matches!(size, 4 | 8) || !offset.is_multiple_of(size as u64) {
            return Err(BusError);
        }
        if !self.trusted(attrs) {
            self.stats.untrusted_reg_accesses += 1;
            return Ok(());
        }
        let o = offset & !7;
        let v = reg_write(self.read_word(o), offset, size, value);
        self.write_word(o, v);
        Ok(())
    }
}

#[cfg(test)]
mod tests;

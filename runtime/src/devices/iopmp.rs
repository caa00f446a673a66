//! RISC-V IOPMP, full model: checks every access into a guarded range by its requester's RRID.
//!
//! Follows the IOPMP specification v0.7 (riscv-non-isa/iopmp-spec, Feb 2025),
//! the version QEMU's model targets (`hw/misc/riscv_iopmp.c`, patch series v10
//! by Ethan Chen, Andes, Jan 2025); ideas from that model, none of its text.
//!
//! The full model: `HWCFG0.mdcfg_fmt` = 0 (an MDCFG table gives each memory
//! domain (MD) its range of entries) and `srcmd_fmt` = 0 (`SRCMD_EN(s)` maps
//! RRID `s` to a bitmap of MDs). An access by RRID `s` is checked against the
//! entries of the MDs `s` is associated with, in index order:
//!
//! - Priority entries (index < `HWCFG2.prio_entry`): the first one that
//!   covers any byte of the access decides. It must cover every byte (else
//!   "partial hit", etype 4) and grant the access type (else etype 1/2/3).
//! - Non-priority entries: the access is legal if any entry covering every
//!   byte grants its type; if some cover it but none grants, etype 1/2/3.
//! - Otherwise "not hit any rule" (etype 5). An RRID >= `HWCFG1.rrid_num`
//!   is "unknown RRID" (etype 6).
//!
//! Reads check `r`, writes `w`, fetches `x` (`HWCFG0.chk_x` = 1). Until
//! software sets `HWCFG0.enable` (sticky), nothing is checked, as in QEMU.
//!
//! An illegal access is captured in `ERR_INFO`/`ERR_REQADDR(H)`/`ERR_REQID`
//! when no capture is pending (`ERR_INFO.v` = 0; software clears it by
//! writing 1), unless both its interrupt and its bus error are suppressed;
//! later ones are noted per RRID in `ERR_MFR`. It raises the wired interrupt
//! (a level on a PLIC source, held until `v` is cleared) when `ERR_CFG.ie`
//! is set and the entry's `sixe` bit does not suppress it, and answers a
//! bus error unless `ERR_CFG.rs` or the entry's `sexe` bit suppresses it
//! (reads then return 0, writes are dropped). Local suppression applies to
//! etypes 1-3 only; with several matching non-priority entries, all of them
//! must suppress.
//!
//! Not implemented (the `HWCFG0` bits say so): SPS (`SRCMD_R/W`), RRID
//! translation, stalls (`MDSTALL`, `RRIDSCP`), MSI, `ENTRY_USER_CFG`,
//! `no_w`/`no_x`; those registers read as zero and ignore writes.
//!
//! On QEMU's `virt` with `iopmp=on` the register window is at 0x1020_0000
//! (1 MiB), the interrupt is PLIC source 12, and the device tree node is
//! `/soc/iopmp@10200000` with `compatible = "riscv_iopmp"`,
//! `reg = <0x0 0x10200000 0x0 0x100000>`, `interrupt-parent = <&plic>` and
//! `interrupts = <12>`. QEMU guards 0..4 GiB and defaults to the rapid-k
//! model (`mdcfg_fmt` = 1); this model is the full one, with QEMU's default
//! sizes (8 MDs, 16 RRIDs, 48 entries, all of them priority entries,
//! `ENTRYOFFSET` = 0x4000).

use std::cell::RefCell;
use std::rc::Rc;

use softmmu::access::{PROT_EXEC, PROT_READ, PROT_WRITE};
use softmmu::{AccessType, BusError, GuestPhysAddr, Iommu, IommuTlbEntry, MemAttrs};

use super::plic::{Plic, NUM_SOURCES};
use crate::board::{IOPMP_IRQ, IOPMP_REG_SIZE};

/// The `compatible` string of QEMU's device tree node (`create_fdt_iopmp`).
pub const IOPMP_COMPATIBLE: &str = "riscv_iopmp";

/// Default sizes: QEMU's `riscv_iopmp` properties (`md_num` 8, `rrid_num`
/// 16, `entry_num` 48, `prio_entry` 65535 clamped to `entry_num`).
pub const DEFAULT_MD_NUM: u32 = 8;
pub const DEFAULT_RRID_NUM: u32 = 16;
pub const DEFAULT_ENTRIES: u32 = 48;
pub const DEFAULT_PRIO_ENTRIES: u32 = 48;
/// QEMU's default `entry_offset` property.
pub const DEFAULT_ENTRY_OFFSET: u64 = 0x4000;

/// Register offsets (spec v0.7, chapter "Registers").
pub mod reg {
    pub const VERSION: u64 = 0x00;
    pub const IMPLEMENTATION: u64 = 0x04;
    pub const HWCFG0: u64 = 0x08;
    pub const HWCFG1: u64 = 0x0c;
    pub const HWCFG2: u64 = 0x10;
    pub const ENTRYOFFSET: u64 = 0x14;
    pub const MDSTALL: u64 = 0x30;
    pub const MDSTALLH: u64 = 0x34;
    pub const RRIDSCP: u64 = 0x38;
    pub const MDLCK: u64 = 0x40;
    pub const MDLCKH: u64 = 0x44;
    pub const MDCFGLCK: u64 = 0x48;
    pub const ENTRYLCK: u64 = 0x4c;
    pub const ERR_CFG: u64 = 0x60;
    pub const ERR_INFO: u64 = 0x64;
    pub const ERR_REQADDR: u64 = 0x68;
    pub const ERR_REQADDRH: u64 = 0x6c;
    pub const ERR_REQID: u64 = 0x70;
    pub const ERR_MFR: u64 = 0x74;
    pub const ERR_MSIADDR: u64 = 0x78;
    pub const ERR_MSIADDRH: u64 = 0x7c;
    /// `MDCFG(m)` at `MDCFG + 4 * m`.
    pub const MDCFG: u64 = 0x800;
    /// `SRCMD_EN(s)` at `SRCMD + 32 * s`, `SRCMD_ENH(s)` 4 bytes further.
    pub const SRCMD: u64 = 0x1000;
    pub const SRCMD_STRIDE: u64 = 32;
    /// Within an entry (`ENTRYOFFSET + 16 * i`).
    pub const ENTRY_ADDR: u64 = 0x0;
    pub const ENTRY_ADDRH: u64 = 0x4;
    pub const ENTRY_CFG: u64 = 0x8;
    pub const ENTRY_USER_CFG: u64 = 0xc;
    pub const ENTRY_STRIDE: u64 = 16;
}

/// `HWCFG0` fields.
pub mod hwcfg0 {
    pub const TOR_EN: u32 = 1 << 4;
    pub const PRIENT_PROG: u32 = 1 << 7;
    pub const CHK_X: u32 = 1 << 10;
    pub const PEIS: u32 = 1 << 14;
    pub const PEES: u32 = 1 << 15;
    pub const MFR_EN: u32 = 1 << 16;
    pub const MD_NUM_SHIFT: u32 = 24;
    pub const ADDRH_EN: u32 = 1 << 30;
    pub const ENABLE: u32 = 1 << 31;
}

/// `ENTRY_CFG(i)` fields.
pub mod cfg {
    pub const R: u32 = 1 << 0;
    pub const W: u32 = 1 << 1;
    pub const X: u32 = 1 << 2;
    pub const A_SHIFT: u32 = 3;
    pub const A_OFF: u32 = 0 << A_SHIFT;
    pub const A_TOR: u32 = 1 << A_SHIFT;
    pub const A_NA4: u32 = 2 << A_SHIFT;
    pub const A_NAPOT: u32 = 3 << A_SHIFT;
    pub const SIRE: u32 = 1 << 5;
    pub const SIWE: u32 = 1 << 6;
    pub const SIXE: u32 = 1 << 7;
    pub const SERE: u32 = 1 << 8;
    pub const SEWE: u32 = 1 << 9;
    pub const SEXE: u32 = 1 << 10;
    /// The implemented (writable) bits.
    pub const MASK: u32 = 0x7ff;
}

/// `ERR_CFG` fields (`msi_en`, `stall_violation_en` and `msidata` are
/// wired to zero).
pub mod err_cfg {
    pub const L: u32 = 1 << 0;
    pub const IE: u32 = 1 << 1;
    pub const RS: u32 = 1 << 2;
}

/// `ERR_INFO` fields.
pub mod err_info {
    pub const V: u32 = 1 << 0;
    pub const TTYPE_SHIFT: u32 = 1;
    pub const ETYPE_SHIFT: u32 = 4;
    pub const SVC: u32 = 1 << 8;
}

/// `ERR_INFO.etype` values.
pub mod etype {
    pub const ILLEGAL_READ: u32 = 1;
    pub const ILLEGAL_WRITE: u32 = 2;
    pub const ILLEGAL_FETCH: u32 = 3;
    pub const PARTIAL_HIT: u32 = 4;
    pub const NOT_HIT: u32 = 5;
    pub const UNKNOWN_RRID: u32 = 6;
}

/// `VERSION` and `IMPLEMENTATION`: QEMU's provisional values for v0.7
/// (vendor 0, `specver` 70, `impid` 70), so guest code written for QEMU
/// reads the same.
const VENDOR: u32 = 0;
const SPECVER: u32 = 70;
const IMPID: u32 = 70;
/// `ERR_REQID.eid` when no entry is involved.
const NO_ENTRY: u32 = 0xffff;
const MAX_MD_NUM: u32 = 63;
const MAX_RRID_NUM: u32 = 4096;
const MAX_ENTRIES: u32 = 0xffff;
/// Largest granularity reported (a block of 2^63 bytes).
const MAX_LG: u32 = 63;

/// The build-time configuration of one IOPMP (what QEMU sets by properties).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IopmpConfig {
    /// Number of entries (`HWCFG1.entry_num`).
    pub entries: u32,
    /// Number of memory domains (`HWCFG0.md_num`, at most 63).
    pub md_num: u32,
    /// Number of RRIDs (`HWCFG1.rrid_num`).
    pub rrid_num: u32,
    /// Reset value of `HWCFG2.prio_entry` (clamped to `entries`); software
    /// may change it until it clears `HWCFG0.prient_prog`.
    pub prio_entries: u32,
    /// The guarded range: accesses into it are checked.
    pub base: GuestPhysAddr,
    pub size: u64,
    /// PLIC source of the violation interrupt.
    pub irq: usize,
}

impl Default for IopmpConfig {
    /// QEMU's defaults, guarding QEMU `virt`'s default RAM (128 MiB at
    /// 0x8000_0000).
    fn default() -> Self {
        IopmpConfig {
            entries: DEFAULT_ENTRIES,
            md_num: DEFAULT_MD_NUM,
            rrid_num: DEFAULT_RRID_NUM,
            prio_entries: DEFAULT_PRIO_ENTRIES,
            base: GuestPhysAddr(0x8000_0000),
            size: 0x800_0000,
            irq: IOPMP_IRQ,
        }
    }
}

/// Why an [`IopmpConfig`] cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IopmpConfigError {
    #[error("IOPMP: {0} memory domains (at most {MAX_MD_NUM})")]
    MdNum(u32),
    #[error("IOPMP: {0} RRIDs (1 to {MAX_RRID_NUM})")]
    RridNum(u32),
    #[error("IOPMP: {0} entries (1 to {1} fit the register window)")]
    Entries(u32, u32),
    #[error("IOPMP: empty or wrapping guarded range {0} + {1:#x}")]
    Range(GuestPhysAddr, u64),
    #[error("IOPMP: interrupt {0} is not a PLIC source (1 to {max})", max = NUM_SOURCES - 1)]
    Irq(usize),
}

impl IopmpConfig {
    /// `ENTRYOFFSET`: QEMU's 0x4000, or the first 4 KiB boundary after the
    /// SRCMD table when that table is larger.
    pub fn entry_offset(&self) -> u64 {
        let srcmd_end = reg::SRCMD + reg::SRCMD_STRIDE * self.rrid_num.min(MAX_RRID_NUM) as u64;
        DEFAULT_ENTRY_OFFSET.max(srcmd_end.next_multiple_of(0x1000))
    }

    /// The most entries that fit the register window after `ENTRYOFFSET`.
    fn max_entries(&self) -> u32 {
        let fit = (IOPMP_REG_SIZE - self.entry_offset()) / reg::ENTRY_STRIDE;
        fit.min(MAX_ENTRIES as u64) as u32
    }

    /// Checks that the configuration can be built as given.
    pub fn validate(&self) -> Result<(), IopmpConfigError> {
        if self.md_num > MAX_MD_NUM {
            return Err(IopmpConfigError::MdNum(self.md_num));
        }
        if self.rrid_num == 0 || self.rrid_num > MAX_RRID_NUM {
            return Err(IopmpConfigError::RridNum(self.rrid_num));
        }
        if self.entries == 0 || self.entries > self.max_entries() {
            return Err(IopmpConfigError::Entries(self.entries, self.max_entries()));
        }
        if self.size == 0 || self.base.0.checked_add(self.size - 1).is_none() {
            return Err(IopmpConfigError::Range(self.base, self.size));
        }
        if self.irq == 0 || self.irq >= NUM_SOURCES {
            return Err(IopmpConfigError::Irq(self.irq));
        }
        Ok(())
    }

    /// The nearest buildable configuration (as QEMU's realize clamps).
    fn legalized(mut self) -> Self {
        self.md_num = self.md_num.min(MAX_MD_NUM);
        self.rrid_num = self.rrid_num.clamp(1, MAX_RRID_NUM);
        self.entries = self.entries.clamp(1, self.max_entries());
        self.prio_entries = self.prio_entries.min(self.entries);
        self.size = self
            .size
            .clamp(1, (u64::MAX - self.base.0).saturating_add(1));
        self
    }
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IopmpStats {
    /// Accesses that reached the error handling, by type.
    pub blocked_reads: u64,
    pub blocked_writes: u64,
    pub blocked_fetches: u64,
    /// Violations recorded in `ERR_INFO`/`ERR_REQADDR`/`ERR_REQID`.
    pub errors_captured: u64,
    /// Rising edges of the interrupt line.
    pub interrupts: u64,
}

/// An inclusive byte range; `u128` so that 66-bit entry addresses and
/// whole-space ranges never overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    lo: u128,
    hi: u128,
}

impl Span {
    fn of_access(addr: u64, size: u8) -> Span {
        let lo = addr as u128;
        Span {
            lo,
            hi: lo + size.max(1) as u128 - 1,
        }
    }

    /// The naturally aligned block of `2^lg` bytes around `addr`.
    fn block(addr: u64, lg: u32) -> Span {
        let lo = addr as u128 & !((1u128 << lg) - 1);
        Span {
            lo,
            hi: lo + (1u128 << lg) - 1,
        }
    }

    fn contains(self, o: Span) -> bool {
        self.lo <= o.lo && o.hi <= self.hi
    }

    fn overlaps(self, o: Span) -> bool {
        self.lo <= o.hi && o.lo <= self.hi
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    addr: u32,
    addrh: u32,
    cfg: u32,
}

impl Entry {
    /// The encoded address: bits 65:2 of the byte address.
    fn word(self) -> u128 {
        ((self.addrh as u128) << 32) | self.addr as u128
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Srcmd {
    /// Bit `m`: associated with MD `m`.
    md: u64,
    /// `SRCMD_EN(s).l`.
    locked: bool,
}

/// A violation found by the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Violation {
    etype: u32,
    /// `ERR_REQID.eid`: the entry that caught it, or `NO_ENTRY`.
    eid: u32,
    /// The matching entries suppress the interrupt (`si*e`).
    suppress_irq: bool,
    /// The matching entries suppress the bus error (`se*e`).
    suppress_error: bool,
}

impl Violation {
    fn global(etype: u32, eid: u32) -> Violation {
        Violation {
            etype,
            eid,
            suppress_irq: false,
            suppress_error: false,
        }
    }
}

/// `ENTRY_CFG` permission bit of an access type (the suppression bits are
/// this shifted by 5 and 8).
fn perm_bit(access: AccessType) -> u32 {
    match access {
        AccessType::Read => cfg::R,
        AccessType::Write => cfg::W,
        AccessType::Fetch => cfg::X,
    }
}

/// `ERR_INFO.ttype`, and the etype of an illegal access of that type.
fn ttype(access: AccessType) -> u32 {
    match access {
        AccessType::Read => etype::ILLEGAL_READ,
        AccessType::Write => etype::ILLEGAL_WRITE,
        AccessType::Fetch => etype::ILLEGAL_FETCH,
    }
}

fn prot_bit(access: AccessType) -> u8 {
    match access {
        AccessType::Read => PROT_READ,
        AccessType::Write => PROT_WRITE,
        AccessType::Fetch => PROT_EXEC,
    }
}

/// One IOPMP instance: registers, checker and error capture.
pub struct Iopmp {
    cfg: IopmpConfig,
    entry_offset: u64,
    plic: Rc<RefCell<Plic>>,
    enabled: bool,
    prient_prog: bool,
    prio_entry: u32,
    entries: Vec<Entry>,
    /// Decoded region of each entry; `None` when OFF or empty.
    ranges: Vec<Option<Span>>,
    /// `MDCFG(m).t`.
    mdcfg: Vec<u32>,
    /// Entry indexes `[start, end)` of each MD. The spec leaves a
    /// decreasing `t` implementation-defined as long as every entry belongs
    /// to at most one MD and MDs stay in index order: MD `m` starts at the
    /// largest `t` of the MDs below it, and is empty when its own `t` is
    /// smaller.
    md_ranges: Vec<(u32, u32)>,
    srcmd: Vec<Srcmd>,
    /// `MDLCK.md`/`MDLCKH.mdh` as an MD bitmap, and `MDLCK.l`.
    mdlck: u64,
    mdlck_l: bool,
    mdcfglck_f: u32,
    mdcfglck_l: bool,
    entrylck_f: u32,
    entrylck_l: bool,
    err_cfg: u32,
    /// `v`, `ttype`, `etype` (`svc` is derived from `svw`).
    err_info: u32,
    /// Byte address >> 2 of the captured violation.
    err_reqaddr: u64,
    err_reqid: u32,
    /// `ERR_MFR` windows: bit `j` of window `w` is RRID `16 * w + j`.
    svw: Vec<u16>,
    svi: u32,
    irq_level: bool,
    /// The interrupt line changed since the last `take_irq_changed`.
    irq_changed: bool,
    config_changed: bool,
    pub stats: IopmpStats,
}

impl Iopmp {
    /// An IOPMP at reset. A configuration that [`IopmpConfig::validate`]
    /// rejects is clamped to the nearest legal one.
    pub fn new(cfg: IopmpConfig, plic: Rc<RefCell<Plic>>) -> Iopmp {
        let cfg = cfg.legalized();
        let n = cfg.entries as usize;
        let mut p = Iopmp {
            entry_offset: cfg.entry_offset(),
            plic,
            enabled: false,
            prient_prog: true,
            prio_entry: cfg.prio_entries,
            entries: vec![Entry::default(); n],
            ranges: vec![None; n],
            mdcfg: vec![0; cfg.md_num as usize],
            md_ranges: vec![(0, 0); cfg.md_num as usize],
            srcmd: vec![Srcmd::default(); cfg.rrid_num as usize],
            mdlck: 0,
            mdlck_l: false,
            mdcfglck_f: 0,
            mdcfglck_l: false,
            entrylck_f: 0,
            entrylck_l: false,
            err_cfg: 0,
            err_info: 0,
            err_reqaddr: 0,
            err_reqid: 0,
            svw: vec![0; cfg.rrid_num.div_ceil(16) as usize],
            svi: 0,
            irq_level: false,
            irq_changed: false,
            config_changed: false,
            stats: IopmpStats::default(),
            cfg,
        };
        p.update_md_ranges();
        p
    }

    /// The configuration in use (after clamping).
    pub fn config(&self) -> &IopmpConfig {
        &self.cfg
    }

    /// Whether `HWCFG0.enable` is set (accesses are checked).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The level of the interrupt line.
    pub fn irq_level(&self) -> bool {
        self.irq_level
    }

    /// Bitmap of the implemented MDs.
    fn md_mask(&self) -> u64 {
        (1u64 << self.cfg.md_num) - 1
    }

    fn update_md_ranges(&mut self) {
        let mut start = 0;
        for (t, r) in self.mdcfg.iter().zip(&mut self.md_ranges) {
            let end = (*t).max(start);
            *r = (start, end);
            start = end;
        }
    }

    fn decode(&self, i: usize) -> Option<Span> {
        let e = self.entries[i];
        let a = e.word();
        match e.cfg & (3 << cfg::A_SHIFT) {
            cfg::A_TOR => {
                let lo = if i == 0 {
                    0
                } else {
                    self.entries[i - 1].word() << 2
                };
                let top = a << 2;
                (lo < top).then(|| Span { lo, hi: top - 1 })
            }
            cfg::A_NA4 => Some(Span {
                lo: a << 2,
                hi: (a << 2) + 3,
            }),
            cfg::A_NAPOT => {
                let x = a << 2 | 3;
                Some(Span {
                    lo: x & (x + 1),
                    hi: x | (x + 1),
                })
            }
            _ => None,
        }
    }

    fn update_ranges(&mut self) {
        for i in 0..self.entries.len() {
            self.ranges[i] = self.decode(i);
        }
    }

    /// Indexes of the entries associated with `rrid`, in increasing order
    /// (MD ranges are disjoint and ordered).
    fn rule_indices(&self, rrid: usize) -> impl Iterator<Item = usize> + '_ {
        let md = self.srcmd[rrid].md;
        let n = self.entries.len();
        self.md_ranges
            .iter()
            .enumerate()
            .filter(move |&(m, _)| md >> m & 1 != 0)
            .flat_map(move |(_, &(s, e))| (s as usize).min(n)..(e as usize).min(n))
    }

    /// The permission check of an access covering `span`.
    fn check(&self, span: Span, rrid: u16, access: AccessType) -> Result<(), Violation> {
        if !self.enabled {
            return Ok(());
        }
        let rrid = rrid as usize;
        if rrid >= self.srcmd.len() {
            return Err(Violation::global(etype::UNKNOWN_RRID, NO_ENTRY));
        }
        let need = perm_bit(access);
        let prio = self.prio_entry as usize;
        // The first fully matching non-priority entry, and whether every
        // one matched so far suppresses the interrupt / the bus error.
        let mut hit: Option<Violation> = None;
        for i in self.rule_indices(rrid) {
            let Some(r) = self.ranges[i] else { continue };
            let c = self.entries[i].cfg;
            if i < prio {
                if !r.overlaps(span) {
                    continue;
                }
                if !r.contains(span) {
                    return Err(Violation::global(etype::PARTIAL_HIT, i as u32));
                }
                if c & need != 0 {
                    return Ok(());
                }
                return Err(Violation {
                    etype: ttype(access),
                    eid: i as u32,
                    suppress_irq: c & (need << 5) != 0,
                    suppress_error: c & (need << 8) != 0,
                });
            }
            if !r.contains(span) {
                continue;
            }
            if c & need != 0 {
                return Ok(());
            }
            let v = hit.get_or_insert(Violation {
                etype: ttype(access),
                eid: i as u32,
                suppress_irq: true,
                suppress_error: true,
            });
            v.suppress_irq &= c & (need << 5) != 0;
            v.suppress_error &= c & (need << 8) != 0;
        }
        Err(hit.unwrap_or(Violation::global(etype::NOT_HIT, NO_ENTRY)))
    }

    /// Whether every access of type `access` by `rrid` lying within
    /// `block` gets the same answer (allowed or not). Sufficient: the
    /// deciding priority entry covers the block, or no priority entry
    /// touches it and the non-priority entries granting the type either
    /// include one covering the block or none touching it.
    fn uniform(&self, block: Span, rrid: u16, access: AccessType) -> bool {
        let rrid = rrid as usize;
        if !self.enabled || rrid >= self.srcmd.len() {
            return true;
        }
        let need = perm_bit(access);
        let prio = self.prio_entry as usize;
        let mut partly_granted = false;
        for i in self.rule_indices(rrid) {
            let Some(r) = self.ranges[i] else { continue };
            if !r.overlaps(block) {
                continue;
            }
            if i < prio {
                // Covering: it decides every access of the block alike.
                // Crossing: partial hits, hits and misses mix.
                return r.contains(block);
            }
            if self.entries[i].cfg & need != 0 {
                if r.contains(block) {
                    return true;
                }
                partly_granted = true;
            }
        }
        !partly_granted
    }

    /// log2 of the largest naturally aligned block around `addr`, inside
    /// the guarded range, over which every access of this type by this
    /// requester gets the same answer; 0 when `span` itself leaves it.
    fn granularity(&self, addr: u64, span: Span, rrid: u16, access: AccessType) -> u8 {
        let guard = Span {
            lo: self.cfg.base.0 as u128,
            hi: self.cfg.base.0 as u128 + self.cfg.size as u128 - 1,
        };
        // The largest block still inside the guarded range.
        let Some(cap) = (0..=MAX_LG)
            .rev()
            .find(|&lg| guard.contains(Span::block(addr, lg)))
        else {
            return 0;
        };
        // Uniformity is monotone (a uniform block's sub-blocks are
        // uniform), and a single byte always is: binary search.
        let (mut good, mut bad) = (0, cap + 1);
        while bad - good > 1 {
            let mid = (good + bad) / 2;
            if self.uniform(Span::block(addr, mid), rrid, access) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        if Span::block(addr, good).contains(span) {
            good as u8
        } else {
            0
        }
    }

    fn set_irq(&mut self, level: bool) {
        if level != self.irq_level {
            self.irq_level = level;
            self.irq_changed = true;
            if level {
                self.stats.interrupts += 1;
            }
            self.plic.borrow_mut().set_level(self.cfg.irq, level);
        }
    }

    /// The error reaction to a violation; returns whether to answer a bus
    /// error.
    fn react(&mut self, addr: u64, access: AccessType, rrid: u16, v: Violation) -> bool {
        let local = matches!(
            v.etype,
            etype::ILLEGAL_READ | etype::ILLEGAL_WRITE | etype::ILLEGAL_FETCH
        );
        let ie = self.err_cfg & err_cfg::IE != 0 && !(local && v.suppress_irq);
        let be = self.err_cfg & err_cfg::RS == 0 && !(local && v.suppress_error);
        // Nothing is recorded when neither an interrupt nor a bus error
        // reports the violation.
        if ie || be {
            if self.err_info & err_info::V == 0 {
                self.err_info = err_info::V
                    | ttype(access) << err_info::TTYPE_SHIFT
                    | v.etype << err_info::ETYPE_SHIFT;
                self.err_reqaddr = addr >> 2;
                self.err_reqid = v.eid << 16 | rrid as u32;
                self.stats.errors_captured += 1;
            } else if let Some(w) = self.svw.get_mut(rrid as usize / 16) {
                *w |= 1 << (rrid % 16);
            }
        }
        // The interrupt is pending as long as the record is (`ERR_INFO.v`).
        if ie {
            self.set_irq(true);
        }
        be
    }

    fn blocked(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        access: AccessType,
        attrs: MemAttrs,
    ) -> Result<(), BusError> {
        match access {
            AccessType::Read => self.stats.blocked_reads += 1,
            AccessType::Write => self.stats.blocked_writes += 1,
            AccessType::Fetch => self.stats.blocked_fetches += 1,
        }
        let rrid = attrs.requester_id;
        match self.check(Span::of_access(addr.0, size), rrid, access) {
            Err(v) if self.react(addr.0, access, rrid, v) => Err(BusError),
            Err(_) => Ok(()),
            // A permitted access here means the memory system used a stale
            // answer (it flushes on every configuration change): refuse
            // it rather than guess.
            Ok(()) => Err(BusError),
        }
    }

    fn hwcfg0(&self) -> u32 {
        let mut v = hwcfg0::TOR_EN
            | hwcfg0::CHK_X
            | hwcfg0::PEIS
            | hwcfg0::PEES
            | hwcfg0::MFR_EN
            | self.cfg.md_num << hwcfg0::MD_NUM_SHIFT
            | hwcfg0::ADDRH_EN;
        if self.prient_prog {
            v |= hwcfg0::PRIENT_PROG;
        }
        if self.enabled {
            v |= hwcfg0::ENABLE;
        }
        v
    }

    /// Reads `ERR_MFR`: the first window from `svi` on holding subsequent
    /// violations, which the read clears.
    fn read_mfr(&mut self) -> u32 {
        let n = self.svw.len();
        for k in 0..n {
            let w = (self.svi as usize + k) % n;
            if self.svw[w] != 0 {
                let bits = self.svw[w];
                self.svw[w] = 0;
                self.svi = w as u32;
                return 1 << 31 | self.svi << 16 | bits as u32;
            }
        }
        self.svi << 16
    }

    /// The index and register offset of `off` in a table of `count`
    /// elements of `stride` bytes at `base`.
    fn table(off: u64, base: u64, stride: u64, count: usize) -> Option<(usize, u64)> {
        let rel = off.checked_sub(base)?;
        let i = (rel / stride) as usize;
        (i < count).then_some((i, rel % stride))
    }

    fn read32(&mut self, off: u64) -> u32 {
        match off {
            reg::VERSION => SPECVER << 24 | VENDOR,
            reg::IMPLEMENTATION => IMPID,
            reg::HWCFG0 => self.hwcfg0(),
            reg::HWCFG1 => self.cfg.entries << 16 | self.cfg.rrid_num,
            reg::HWCFG2 => self.prio_entry,
            reg::ENTRYOFFSET => self.entry_offset as u32,
            reg::MDLCK => ((self.mdlck & 0x7fff_ffff) << 1) as u32 | self.mdlck_l as u32,
            reg::MDLCKH => (self.mdlck >> 31) as u32,
            reg::MDCFGLCK => self.mdcfglck_f << 1 | self.mdcfglck_l as u32,
            reg::ENTRYLCK => self.entrylck_f << 1 | self.entrylck_l as u32,
            reg::ERR_CFG => self.err_cfg,
            reg::ERR_INFO => {
                let svc = self.svw.iter().any(|&w| w != 0);
                self.err_info | if svc { err_info::SVC } else { 0 }
            }
            reg::ERR_REQADDR => self.err_reqaddr as u32,
            reg::ERR_REQADDRH => (self.err_reqaddr >> 32) as u32,
            reg::ERR_REQID => self.err_reqid,
            reg::ERR_MFR => self.read_mfr(),
            _ => {
                if let Some((m, 0)) = Self::table(off, reg::MDCFG, 4, self.mdcfg.len()) {
                    return self.mdcfg[m];
                }
                if let Some((s, o)) =
                    Self::table(off, reg::SRCMD, reg::SRCMD_STRIDE, self.srcmd.len())
                {
                    let e = self.srcmd[s];
                    return match o {
                        0 => ((e.md & 0x7fff_ffff) << 1) as u32 | e.locked as u32,
                        4 => (e.md >> 31) as u32,
                        _ => 0,
                    };
                }
                if let Some((i, o)) = Self::table(
                    off,
                    self.entry_offset,
                    reg::ENTRY_STRIDE,
                    self.entries.len(),
                ) {
                    let e = self.entries[i];
                    return match o {
                        reg::ENTRY_ADDR => e.addr,
                        reg::ENTRY_ADDRH => e.addrh,
                        reg::ENTRY_CFG => e.cfg,
                        _ => 0,
                    };
                }
                0
            }
        }
    }

    fn write32(&mut self, off: u64, val: u32) {
        match off {
            reg::HWCFG0 => {
                if val & hwcfg0::PRIENT_PROG != 0 {
                    self.prient_prog = false;
                }
                if val & hwcfg0::ENABLE != 0 && !self.enabled {
                    self.enabled = true;
                    self.config_changed = true;
                }
            }
            reg::HWCFG2 => {
                let p = (val & 0xffff).min(self.cfg.entries);
                if self.prient_prog && p != self.prio_entry {
                    self.prio_entry = p;
                    self.config_changed = true;
                }
            }
            reg::MDLCK => {
                if !self.mdlck_l {
                    self.mdlck |= (val >> 1) as u64 & self.md_mask();
                    self.mdlck_l = val & 1 != 0;
                }
            }
            reg::MDLCKH => {
                if !self.mdlck_l {
                    self.mdlck |= (val as u64) << 31 & self.md_mask();
                }
            }
            reg::MDCFGLCK => {
                if !self.mdcfglck_l {
                    let f = (val >> 1) & 0x3f;
                    if f > self.mdcfglck_f {
                        self.mdcfglck_f = f.min(self.cfg.md_num);
                    }
                    self.mdcfglck_l = val & 1 != 0;
                }
            }
            reg::ENTRYLCK => {
                if !self.entrylck_l {
                    let f = (val >> 1) & 0xffff;
                    if f > self.entrylck_f {
                        self.entrylck_f = f.min(self.cfg.entries);
                    }
                    self.entrylck_l = val & 1 != 0;
                }
            }
            reg::ERR_CFG => {
                if self.err_cfg & err_cfg::L == 0 {
                    self.err_cfg = val & (err_cfg::L | err_cfg::IE | err_cfg::RS);
                }
            }
            reg::ERR_INFO => {
                if val & err_info::V != 0 {
                    self.err_info &= !err_info::V;
                    self.set_irq(false);
                }
            }
            reg::ERR_MFR => {
                let windows = self.svw.len() as u32;
                self.svi = ((val >> 16) & 0xfff).min(windows.saturating_sub(1));
            }
            _ => self.write_table(off, val),
        }
    }

    fn write_table(&mut self, off: u64, val: u32) {
        if let Some((m, 0)) = Self::table(off, reg::MDCFG, 4, self.mdcfg.len()) {
            let t = val & 0xffff;
            if m as u32 >= self.mdcfglck_f && t != self.mdcfg[m] {
                self.mdcfg[m] = t;
                self.update_md_ranges();
                self.config_changed = true;
            }
        } else if let Some((s, o)) =
            Self::table(off, reg::SRCMD, reg::SRCMD_STRIDE, self.srcmd.len())
        {
            let e = self.srcmd[s];
            if e.locked || (o != 0 && o != 4) {
                return;
            }
            let md = if o == 0 {
                (e.md & !0x7fff_ffff) | (val >> 1) as u64
            } else {
                (e.md & 0x7fff_ffff) | (val as u64) << 31
            };
            // MDs locked by MDLCK keep their association bits.
            let md = (md & !self.mdlck | e.md & self.mdlck) & self.md_mask();
            self.srcmd[s].locked = o == 0 && val & 1 != 0;
            if md != e.md {
                self.srcmd[s].md = md;
                self.config_changed = true;
            }
        } else if let Some((i, o)) = Self::table(
            off,
            self.entry_offset,
            reg::ENTRY_STRIDE,
            self.entries.len(),
        ) {
            if (i as u32) < self.entrylck_f {
                return;
            }
            let before = self.entries[i];
            let e = &mut self.entries[i];
            match o {
                reg::ENTRY_ADDR => e.addr = val,
                reg::ENTRY_ADDRH => e.addrh = val,
                reg::ENTRY_CFG => e.cfg = val & cfg::MASK,
                _ => return,
            }
            if (e.addr, e.addrh, e.cfg) != (before.addr, before.addrh, before.cfg) {
                // Entry i + 1 may be a TOR on this address.
                self.update_ranges();
                self.config_changed = true;
            }
        }
    }
}

impl Iommu for Iopmp {
    fn translate(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        access: AccessType,
        attrs: MemAttrs,
    ) -> IommuTlbEntry {
        let span = Span::of_access(addr.0, size);
        let rrid = attrs.requester_id;
        let lg = self.granularity(addr.0, span, rrid, access);
        match self.check(span, rrid, access) {
            // Only the bit of this access type: the answer (and its
            // granularity) is about this type alone.
            Ok(()) => IommuTlbEntry::identity(addr, prot_bit(access), lg),
            Err(_) => IommuTlbEntry::blocked(addr, lg),
        }
    }

    fn blocked_read(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        access: AccessType,
        attrs: MemAttrs,
    ) -> Result<u64, BusError> {
        self.blocked(addr, size, access, attrs).map(|()| 0)
    }

    fn blocked_write(
        &mut self,
        addr: GuestPhysAddr,
        size: u8,
        _value: u64,
        attrs: MemAttrs,
    ) -> Result<(), BusError> {
        self.blocked(addr, size, AccessType::Write, attrs)
    }

    fn take_config_changed(&mut self) -> bool {
        std::mem::take(&mut self.config_changed)
    }

    fn take_irq_changed(&mut self) -> bool {
        std::mem::take(&mut self.irq_changed)
    }

    /// 4-byte accesses, and 8-byte ones at 8-byte aligned offsets as two
    /// 4-byte accesses (low word first). Other sizes are bus errors;
    /// unimplemented registers read as zero.
    fn reg_read(&mut self, offset: u64, size: u8, _attrs: MemAttrs) -> Result<u64, BusError> {
        match size {
            4 if offset.is_multiple_of(4) => Ok(self.read32(offset) as u64),
            8 if offset.is_multiple_of(8) => {
                let lo = self.read32(offset) as u64;
                Ok(lo | (self.read32(offset + 4) as u64) << 32)
            }
            _ => Err(BusError),
        }
    }

    fn reg_write(
        &mut self,
        offset: u64,
        size: u8,
        value: u64,
        _attrs: MemAttrs,
    ) -> Result<(), BusError> {
        match size {
            4 if offset.is_multiple_of(4) => self.write32(offset, value as u32),
            8 if offset.is_multiple_of(8) => {
                self.write32(offset, value as u32);
                self.write32(offset + 4, (value >> 32) as u32);
            }
            _ => return Err(BusError),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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

    /// A deterministic generator for the randomised test.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// The TLB keeps answers with granularity >= 12 for the whole page: for
    /// random configurations, every access of every size inside the
    /// reported block must get the answer the probe got.
    #[test]
    fn granularity_is_sound_on_random_configurations() {
        let mut g = Lcg(0x1071_2024);
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
        let mut g = Lcg(7);
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
}

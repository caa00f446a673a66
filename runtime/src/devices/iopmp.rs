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
use super::range::{self, AddrMatch};
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
    fn word(self) -> u64 {
        ((self.addrh as u64) << 32) | self.addr as u64
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

    /// Entry `i`'s region: a TOR range starts at the previous entry's
    /// address (0 for entry 0).
    fn decode(&self, i: usize) -> Option<Span> {
        let e = self.entries[i];
        let tor_base = match i {
            0 => 0,
            _ => range::byte_addr(self.entries[i - 1].word()),
        };
        let mode = AddrMatch::from_a(e.cfg >> cfg::A_SHIFT);
        let (lo, end) = range::decode(mode, e.word(), tor_base)?;
        Some(Span { lo, hi: end - 1 })
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
mod tests;

//! Control and status registers: storage, access rules and WARL legalisation.
//!
//! Access rules (privileged spec §2.1): bits 9:8 of the number give the
//! lowest privilege that may access the CSR, bits 11:10 == 3 mark it
//! read-only. An access that breaks a rule, or names a CSR this hart does
//! not implement, is an illegal-instruction exception; the caller raises it.
//! Write-any-read-legal fields keep only their legal values here, so every
//! reader sees legal state.

use super::pmp::Pmp;
use super::trap::irq;

/// Privilege levels, with their encoding in `mstatus.MPP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priv {
    U = 0,
    S = 1,
    M = 3,
}

impl Priv {
    /// Decodes an `MPP`/`SPP` field; the reserved value 2 is never stored.
    pub fn from_bits(b: u64) -> Priv {
        match b & 3 {
            0 => Priv::U,
            1 => Priv::S,
            _ => Priv::M,
        }
    }
}

pub const MSTATUS_SIE: u64 = 1 << 1;
pub const MSTATUS_MIE: u64 = 1 << 3;
pub const MSTATUS_SPIE: u64 = 1 << 5;
pub const MSTATUS_MPIE: u64 = 1 << 7;
pub const MSTATUS_SPP: u64 = 1 << 8;
pub const MSTATUS_MPP_SHIFT: u64 = 11;
pub const MSTATUS_MPP: u64 = 3 << MSTATUS_MPP_SHIFT;
pub const MSTATUS_MPRV: u64 = 1 << 17;
pub const MSTATUS_SUM: u64 = 1 << 18;
pub const MSTATUS_MXR: u64 = 1 << 19;
pub const MSTATUS_TVM: u64 = 1 << 20;
pub const MSTATUS_TW: u64 = 1 << 21;
pub const MSTATUS_TSR: u64 = 1 << 22;
/// UXL = SXL = 2 (64-bit), read-only.
pub const MSTATUS_XL: u64 = (2 << 32) | (2 << 34);

/// mstatus bits software can change (FS/VS/XS stay 0: no F, D or V yet).
pub(super) const MSTATUS_WMASK: u64 = MSTATUS_SIE
    | MSTATUS_MIE
    | MSTATUS_SPIE
    | MSTATUS_MPIE
    | MSTATUS_SPP
    | MSTATUS_MPP
    | MSTATUS_MPRV
    | MSTATUS_SUM
    | MSTATUS_MXR
    | MSTATUS_TVM
    | MSTATUS_TW
    | MSTATUS_TSR
    | MSTATUS_FS;
/// The part of mstatus visible through sstatus.
pub(super) const SSTATUS_MASK: u64 = MSTATUS_SIE
    | MSTATUS_SPIE
    | MSTATUS_SPP
    | MSTATUS_SUM
    | MSTATUS_MXR
    | MSTATUS_FS
    | MSTATUS_SD
    | (3 << 32);
/// `mstatus.FS` (FP state: Off, Initial, Clean, Dirty) and `SD` (some
/// extension state is dirty: here, FS == Dirty; read-only).
pub const MSTATUS_FS: u64 = 3 << 13;
pub const MSTATUS_SD: u64 = 1 << 63;

/// misa: MXL = 64, extensions A, C, D, F, I, M, S, U.
pub const MISA: u64 = (2 << 62)
    | (1 << 0)
    | (1 << 2)
    | (1 << (b'D' - b'A'))
    | (1 << (b'F' - b'A'))
    | (1 << (b'I' - b'A'))
    | (1 << (b'M' - b'A'))
    | (1 << (b'S' - b'A'))
    | (1 << (b'U' - b'A'));

/// Interrupts that may be delegated to S mode (SSI, STI, SEI).
pub(super) const DELEGABLE_IRQS: u64 = irq::SSIP | irq::STIP | irq::SEIP;
/// Exceptions that may be delegated: all but ecall from M (11) and the
/// reserved codes 10 and 14.
pub(super) const DELEGABLE_EXCS: u64 = 0xb3ff;
/// Interrupt-enable bits that exist.
pub(super) const MIE_MASK: u64 =
    irq::SSIP | irq::MSIP | irq::STIP | irq::MTIP | irq::SEIP | irq::MEIP;
/// mip bits M-mode software may write; MTIP, MSIP and MEIP are driven by
/// the CLINT and PLIC. The software-written SEIP is ORed with the PLIC's
/// S-context line when mip is read.
pub(super) const MIP_WMASK: u64 = irq::SSIP | irq::STIP | irq::SEIP;
/// `menvcfg.FIOM` (bit 0) and `menvcfg.STCE` (bit 63, Sstc); the other
/// fields belong to extensions the hart does not have and read as zero.
pub const MENVCFG_FIOM: u64 = 1;
pub const MENVCFG_STCE: u64 = 1 << 63;
pub(super) const MENVCFG_WMASK: u64 = MENVCFG_FIOM | MENVCFG_STCE;
/// Sstc's supervisor timer compare register.
pub const CSR_STIMECMP: u16 = 0x14d;

/// satp.MODE values.
pub const SATP_BARE: u64 = 0;
pub const SATP_SV39: u64 = 8;
pub const SATP_SV48: u64 = 9;
pub const SATP_SV57: u64 = 10;
/// satp fields: MODE (4 bits), ASID (16 bits), PPN (44 bits).
pub(super) const SATP_MASK: u64 = (0xf << 60) | (0xffff << 44) | ((1 << 44) - 1);

/// Default number of PMP entries. The spec allows 0, 16 or 64
/// (`Csrs::with_pmp`); the CSRs of all 64 exist either way, unimplemented
/// entries reading as zero.
pub const PMP_ENTRIES: usize = 16;
/// PMP entry counts the spec allows.
pub const PMP_COUNTS: [usize; 3] = [0, 16, 64];

/// WorldGuard CSRs (WorldGuard spec 0.4 §2.1): the WID of the modes below M
/// (Smwg), the WIDs M delegates to S (Smwgd) and the WID of the modes below
/// S (Sswg).
pub const CSR_MLWID: u16 = 0x390;
pub const CSR_MWIDDELEG: u16 = 0x748;
pub const CSR_SLWID: u16 = 0x190;

/// A hart's WorldGuard configuration (Smwg, Smwgd and Sswg together, as on
/// QEMU's `virt,wg=on` for harts with S and U modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WgHartConfig {
    /// Number of worlds (1..=64; QEMU's checkers hold at most 32).
    pub nworlds: u32,
    /// The trusted world: `mlwid`'s reset value under hardware bypass.
    pub trusted_wid: u32,
    /// The WID of M mode, fixed by the platform.
    pub mwid: u32,
    /// The WIDs the lower modes may use (bit i: WID i), QEMU's `mwidlist`:
    /// the legal values of `mlwid` and the delegable bits of `mwiddeleg`.
    pub mwidlist: u64,
    /// Reset `mlwid` to the trusted world rather than 0 (QEMU's `hw-bypass`).
    pub hw_bypass: bool,
}

impl WgHartConfig {
    /// The WIDs the lower modes may use.
    pub(super) fn legal(&self) -> u64 {
        let worlds = if self.nworlds >= 64 {
            u64::MAX
        } else {
            (1 << self.nworlds) - 1
        };
        self.mwidlist & worlds
    }

    /// `mlwid` after reset (it must hold a WID the lower modes may use).
    fn reset_mlwid(&self) -> u64 {
        let t = self.trusted_wid as u64;
        if self.hw_bypass && t < 64 && self.legal() >> t & 1 != 0 {
            t
        } else {
            lowest_wid(self.legal())
        }
    }
}

/// The lowest WID of a set (0 for the empty set).
pub(super) fn lowest_wid(set: u64) -> u64 {
    if set == 0 {
        0
    } else {
        set.trailing_zeros() as u64
    }
}

/// WARL: `v` if it names a WID of `set`, else the lowest WID of `set`.
pub(super) fn legal_wid(v: u64, set: u64) -> u64 {
    if v < 64 && set >> v & 1 != 0 {
        v
    } else {
        lowest_wid(set)
    }
}

/// The CSR file of one hart.
#[derive(Clone, Debug, Default)]
pub struct Csrs {
    pub mhartid: u64,
    pub mstatus: u64,
    pub medeleg: u64,
    pub mideleg: u64,
    pub mie: u64,
    /// Software-written bits of mip (see [`Hart::mip`] for the effective value).
    pub mip: u64,
    pub mtvec: u64,
    pub mcounteren: u64,
    pub mcountinhibit: u64,
    pub menvcfg: u64,
    /// Sstc: the supervisor timer compare; STIP is `time >= stimecmp` while
    /// `menvcfg.STCE` is set.
    pub stimecmp: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub stvec: u64,
    pub scounteren: u64,
    pub senvcfg: u64,
    pub sscratch: u64,
    pub sepc: u64,
    pub scause: u64,
    pub stval: u64,
    pub satp: u64,
    pub mcycle: u64,
    pub minstret: u64,
    /// The instruction being executed wrote `mcycle` / `minstret`: its own
    /// retirement does not count (the write takes precedence, priv spec
    /// §3.1.11), so a read right after sees the written value.
    pub mcycle_written: bool,
    pub minstret_written: bool,
    /// The PMP entries (0, 16 or 64).
    pub pmp: Pmp,
    /// WorldGuard, if this hart has it; the WG CSRs are illegal otherwise.
    pub wg: Option<WgHartConfig>,
    pub mlwid: u64,
    pub slwid: u64,
    pub mwiddeleg: u64,
    /// TLB flushes caused by WG CSR writes that changed an effective WID.
    pub wid_flushes: u64,
}

impl Csrs {
    pub fn new(hartid: u64) -> Csrs {
        Csrs::with_pmp(hartid, PMP_ENTRIES)
    }

    /// A CSR file with `pmp` PMP entries (0, 16 or 64).
    pub fn with_pmp(hartid: u64, pmp: usize) -> Csrs {
        Csrs {
            mhartid: hartid,
            mstatus: MSTATUS_XL,
            pmp: Pmp::new(pmp),
            stimecmp: u64::MAX,
            ..Default::default()
        }
    }

    /// Adds WorldGuard with `cfg`, in its reset state.
    pub fn with_worldguard(mut self, cfg: WgHartConfig) -> Csrs {
        self.wg = Some(cfg);
        self.mlwid = cfg.reset_mlwid();
        self.slwid = 0;
        self.mwiddeleg = 0;
        self
    }

    /// The CSR file after a reset of this hart: same hart id, PMP entry
    /// count and WorldGuard configuration, everything else at reset values.
    pub fn after_reset(&self) -> Csrs {
        let c = Csrs::with_pmp(self.mhartid, self.pmp.len());
        match self.wg {
            Some(wg) => c.with_worldguard(wg),
            None => c,
        }
    }

    /// The WID an access made at privilege `prv` carries (0 without
    /// WorldGuard): `mwid` in M; `mlwid` in S; in U, `slwid` while S has
    /// WIDs delegated (Sswg enabled), else `mlwid`. Callers pass the
    /// effective privilege (MPRV) of the access.
    pub fn wid_for(&self, prv: Priv) -> u8 {
        let Some(wg) = self.wg else {
            return 0;
        };
        let wid = match prv {
            Priv::M => wg.mwid as u64,
            Priv::S => self.mlwid,
            Priv::U if self.mwiddeleg != 0 => self.slwid,
            Priv::U => self.mlwid,
        };
        wid as u8
    }

    /// Counts `n` retired instructions, honouring `mcountinhibit`.
    #[inline(always)]
    pub fn retire_n(&mut self, n: u64) {
        if self.mcountinhibit & 1 == 0 {
            self.mcycle = self.mcycle.wrapping_add(n);
        }
        if self.mcountinhibit & 4 == 0 {
            self.minstret = self.minstret.wrapping_add(n);
        }
    }

    /// Counts one retired instruction, honouring `mcountinhibit` and a
    /// write of the counter by the instruction itself.
    #[inline(always)]
    pub fn retire(&mut self) {
        let cycle_written = std::mem::take(&mut self.mcycle_written);
        let instret_written = std::mem::take(&mut self.minstret_written);
        if self.mcountinhibit & 1 == 0 && !cycle_written {
            self.mcycle = self.mcycle.wrapping_add(1);
        }
        if self.mcountinhibit & 4 == 0 && !instret_written {
            self.minstret = self.minstret.wrapping_add(1);
        }
    }
}

//! Control and status registers: storage, access rules and WARL legalisation.
//!
//! Access rules (privileged spec §2.1): bits 9:8 of the number give the
//! lowest privilege that may access the CSR, bits 11:10 == 3 mark it
//! read-only. An access that breaks a rule, or names a CSR this hart does
//! not implement, is an illegal-instruction exception; the caller raises it.
//! Write-any-read-legal fields keep only their legal values here, so every
//! reader sees legal state.

use super::{irq, Hart, Priv};

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
const MSTATUS_WMASK: u64 = MSTATUS_SIE
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
    | MSTATUS_TSR;
/// The part of mstatus visible through sstatus.
const SSTATUS_MASK: u64 =
    MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | (3 << 32);

/// misa: MXL = 64, extensions A, C, I, M, S, U.
pub const MISA: u64 = (2 << 62)
    | (1 << 0)
    | (1 << 2)
    | (1 << (b'I' - b'A'))
    | (1 << (b'M' - b'A'))
    | (1 << (b'S' - b'A'))
    | (1 << (b'U' - b'A'));

/// Interrupts that may be delegated to S mode (SSI, STI, SEI).
const DELEGABLE_IRQS: u64 = irq::SSIP | irq::STIP | irq::SEIP;
/// Exceptions that may be delegated: all but ecall from M (11) and the
/// reserved codes 10 and 14.
const DELEGABLE_EXCS: u64 = 0xb3ff;
/// Interrupt-enable bits that exist.
const MIE_MASK: u64 = irq::SSIP | irq::MSIP | irq::STIP | irq::MTIP | irq::SEIP | irq::MEIP;
/// mip bits M-mode software may write; MTIP, MSIP and MEIP are driven by
/// the CLINT and PLIC. The software-written SEIP is ORed with the PLIC's
/// S-context line when mip is read.
const MIP_WMASK: u64 = irq::SSIP | irq::STIP | irq::SEIP;

/// satp.MODE values.
pub const SATP_BARE: u64 = 0;
pub const SATP_SV39: u64 = 8;
pub const SATP_SV48: u64 = 9;
pub const SATP_SV57: u64 = 10;
/// satp fields: MODE (4 bits), ASID (16 bits), PPN (44 bits).
const SATP_MASK: u64 = (0xf << 60) | (0xffff << 44) | ((1 << 44) - 1);

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
    fn legal(&self) -> u64 {
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
fn lowest_wid(set: u64) -> u64 {
    if set == 0 {
        0
    } else {
        set.trailing_zeros() as u64
    }
}

/// WARL: `v` if it names a WID of `set`, else the lowest WID of `set`.
fn legal_wid(v: u64, set: u64) -> u64 {
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
    /// One byte per implemented PMP entry.
    pub pmpcfg: Vec<u8>,
    pub pmpaddr: Vec<u64>,
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
            pmpcfg: vec![0; pmp],
            pmpaddr: vec![0; pmp],
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
        let c = Csrs::with_pmp(self.mhartid, self.pmpcfg.len());
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

    /// Counts one retired instruction, honouring `mcountinhibit`.
    #[inline(always)]
    pub fn retire(&mut self) {
        if self.mcountinhibit & 1 == 0 {
            self.mcycle = self.mcycle.wrapping_add(1);
        }
        if self.mcountinhibit & 4 == 0 {
            self.minstret = self.minstret.wrapping_add(1);
        }
    }
}

/// Legalises an `xepc` value: bit 0 is always zero (IALIGN = 16 with C).
fn legal_epc(v: u64) -> u64 {
    v & !1
}

impl Hart {
    /// Whether the current privilege may read the counter with index `i`
    /// (0 = cycle, 1 = time, 2 = instret, 3.. = hpmcounter) through the
    /// unprivileged aliases.
    fn counter_enabled(&self, i: u16) -> bool {
        let bit = 1u64 << i;
        match self.prv {
            Priv::M => true,
            Priv::S => self.csr.mcounteren & bit != 0,
            Priv::U => self.csr.mcounteren & bit != 0 && self.csr.scounteren & bit != 0,
        }
    }

    fn check_access(&self, csr: u16, write: bool) -> Option<()> {
        let min_priv = (csr >> 8) & 3;
        if (self.prv as u16) < min_priv {
            return None;
        }
        if write && (csr >> 10) & 3 == 3 {
            return None;
        }
        if csr == 0x180 && self.prv == Priv::S && self.csr.mstatus & MSTATUS_TVM != 0 {
            return None;
        }
        Some(())
    }

    /// Reads a CSR; `None` means the access raises illegal instruction.
    pub fn csr_read(&mut self, csr: u16) -> Option<u64> {
        self.check_access(csr, false)?;
        let c = &self.csr;
        Some(match csr {
            // Unprivileged counters.
            0xc00..=0xc1f => {
                if !self.counter_enabled(csr - 0xc00) {
                    return None;
                }
                match csr {
                    0xc00 => c.mcycle,
                    0xc01 => (self.time)(),
                    0xc02 => c.minstret,
                    _ => 0,
                }
            }
            // Supervisor.
            0x100 => c.mstatus & SSTATUS_MASK,
            0x104 => c.mie & c.mideleg,
            0x105 => c.stvec,
            0x106 => c.scounteren,
            0x10a => c.senvcfg,
            0x140 => c.sscratch,
            0x141 => c.sepc,
            0x142 => c.scause,
            0x143 => c.stval,
            0x144 => self.mip() & c.mideleg,
            0x180 => c.satp,
            // Machine information.
            0xf11..=0xf13 | 0xf15 => 0,
            0xf14 => c.mhartid,
            // Machine trap setup and handling.
            0x300 => c.mstatus,
            0x301 => MISA,
            0x302 => c.medeleg,
            0x303 => c.mideleg,
            0x304 => c.mie,
            0x305 => c.mtvec,
            0x306 => c.mcounteren,
            0x30a => c.menvcfg,
            0x320 => c.mcountinhibit,
            0x323..=0x33f => 0,
            0x340 => c.mscratch,
            0x341 => c.mepc,
            0x342 => c.mcause,
            0x343 => c.mtval,
            0x344 => self.mip(),
            // PMP: on RV64 only the even pmpcfg registers exist; entries
            // beyond the implemented count read as zero.
            0x3a0..=0x3af if csr.is_multiple_of(2) => {
                let base = (csr as usize - 0x3a0) * 4;
                let mut v = 0u64;
                for i in 0..8 {
                    v |= (c.pmpcfg.get(base + i).copied().unwrap_or(0) as u64) << (8 * i);
                }
                v
            }
            0x3b0..=0x3ef => c.pmpaddr.get(csr as usize - 0x3b0).copied().unwrap_or(0),
            // WorldGuard: only with the extensions; slwid only while Sswg
            // is enabled (mwiddeleg non-zero).
            CSR_MLWID => {
                c.wg?;
                c.mlwid
            }
            CSR_MWIDDELEG => {
                c.wg?;
                c.mwiddeleg
            }
            CSR_SLWID => {
                c.wg?;
                if c.mwiddeleg == 0 {
                    return None;
                }
                c.slwid
            }
            // Machine counters.
            0xb00 => c.mcycle,
            0xb02 => c.minstret,
            0xb03..=0xb1f => 0,
            _ => return None,
        })
    }

    /// Writes a CSR; `None` means the access raises illegal instruction.
    pub fn csr_write(&mut self, csr: u16, v: u64) -> Option<()> {
        self.check_access(csr, true)?;
        let wids = (self.csr.wid_for(Priv::S), self.csr.wid_for(Priv::U));
        let c = &mut self.csr;
        let mut flush = false;
        match csr {
            0x100 => {
                let mask = SSTATUS_MASK & MSTATUS_WMASK;
                let new = (c.mstatus & !mask) | (v & mask);
                flush = (new ^ c.mstatus) & MSTATUS_MXR != 0;
                c.mstatus = new;
            }
            0x104 => {
                let mask = c.mideleg & MIE_MASK;
                c.mie = (c.mie & !mask) | (v & mask);
            }
            0x105 => write_tvec(&mut c.stvec, v),
            0x106 => c.scounteren = v & 0xffff_ffff,
            0x10a => c.senvcfg = v & 1,
            0x140 => c.sscratch = v,
            0x141 => c.sepc = legal_epc(v),
            0x142 => c.scause = v,
            0x143 => c.stval = v,
            0x144 => {
                // Only SSIP is writable through sip, and only when delegated.
                let mask = irq::SSIP & c.mideleg;
                c.mip = (c.mip & !mask) | (v & mask);
            }
            0x180 => {
                // MODE is WARL: Bare, Sv39, Sv48 and Sv57 are implemented; a
                // write selecting another mode has no effect at all.
                let mode = v >> 60;
                if matches!(mode, SATP_BARE | SATP_SV39 | SATP_SV48 | SATP_SV57) {
                    let new = v & SATP_MASK;
                    if new != c.satp {
                        c.satp = new;
                        flush = true;
                    }
                }
            }
            0x300 => {
                let mut new = (c.mstatus & !MSTATUS_WMASK) | (v & MSTATUS_WMASK);
                // MPP is WARL: the reserved value 2 keeps the old field.
                if (new & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT == 2 {
                    new = (new & !MSTATUS_MPP) | (c.mstatus & MSTATUS_MPP);
                }
                flush = (new ^ c.mstatus) & MSTATUS_MXR != 0;
                c.mstatus = new | MSTATUS_XL;
            }
            0x301 => {} // misa is read-only (WARL with one legal value).
            0x302 => c.medeleg = v & DELEGABLE_EXCS,
            0x303 => c.mideleg = v & DELEGABLE_IRQS,
            0x304 => c.mie = v & MIE_MASK,
            0x305 => write_tvec(&mut c.mtvec, v),
            0x306 => c.mcounteren = v & 0xffff_ffff,
            0x30a => c.menvcfg = v & 1,
            0x320 => c.mcountinhibit = v & 0xffff_fffd,
            0x323..=0x33f => {}
            0x340 => c.mscratch = v,
            0x341 => c.mepc = legal_epc(v),
            0x342 => c.mcause = v,
            0x343 => c.mtval = v,
            0x344 => c.mip = (c.mip & !MIP_WMASK) | (v & MIP_WMASK),
            0x3a0..=0x3af if csr.is_multiple_of(2) => {
                let base = (csr as usize - 0x3a0) * 4;
                for i in 0..8 {
                    if let Some(cfg) = c.pmpcfg.get_mut(base + i) {
                        if *cfg & 0x80 == 0 {
                            *cfg = (v >> (8 * i)) as u8 & 0x9f;
                            flush = true;
                        }
                    }
                }
            }
            0x3b0..=0x3ef => {
                let i = csr as usize - 0x3b0;
                let n = c.pmpaddr.len();
                let locked = i >= n
                    || c.pmpcfg[i] & 0x80 != 0
                    || (i + 1 < n
                        && c.pmpcfg[i + 1] & 0x80 != 0
                        && (c.pmpcfg[i + 1] >> 3) & 3 == 1);
                if !locked {
                    c.pmpaddr[i] = v & ((1 << 54) - 1);
                    flush = true;
                }
            }
            CSR_MLWID => {
                let wg = c.wg?;
                c.mlwid = legal_wid(v, wg.legal());
            }
            CSR_MWIDDELEG => {
                let wg = c.wg?;
                let old = c.mwiddeleg;
                c.mwiddeleg = v & wg.legal();
                // Enabling Sswg starts slwid at the lowest delegated WID; a
                // narrower set keeps slwid legal the same way.
                if c.mwiddeleg != 0 && (old == 0 || legal_wid(c.slwid, c.mwiddeleg) != c.slwid) {
                    c.slwid = lowest_wid(c.mwiddeleg);
                }
            }
            CSR_SLWID => {
                c.wg?;
                if c.mwiddeleg == 0 {
                    return None;
                }
                c.slwid = legal_wid(v, c.mwiddeleg);
            }
            0xb00 => c.mcycle = v,
            0xb02 => c.minstret = v,
            0xb03..=0xb1f => {}
            _ => return None,
        }
        // TLB entries carry the WID of their fill: a WID change flushes.
        if (self.csr.wid_for(Priv::S), self.csr.wid_for(Priv::U)) != wids {
            self.csr.wid_flushes += 1;
            flush = true;
        }
        self.tlb_flush |= flush;
        Some(())
    }
}

/// tvec is WARL: modes 0 (direct) and 1 (vectored) are legal; a write with a
/// reserved mode is ignored, as QEMU does.
fn write_tvec(tvec: &mut u64, v: u64) {
    if v & 3 < 2 {
        *tvec = v;
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    /// QEMU `virt,wg=on`: 4 worlds, trusted WID 3, `mwid` 3, every world
    /// usable below M, hardware bypass.
    fn virt_wg() -> WgHartConfig {
        WgHartConfig {
            nworlds: 4,
            trusted_wid: 3,
            mwid: 3,
            mwidlist: 0xf,
            hw_bypass: true,
        }
    }
    use crate::hart::IrqLines;

    fn hart(pmp: usize) -> Hart {
        let mut h = Hart::new(0, IrqLines::default(), Rc::new(|| 0));
        h.csr = Csrs::with_pmp(0, pmp);
        h
    }

    #[test]
    fn pmp_entry_count_is_configurable_and_missing_entries_read_zero() {
        let mut h = hart(64);
        h.csr_write(0x3ef, 0x1234).unwrap(); // pmpaddr63
        assert_eq!(h.csr_read(0x3ef), Some(0x1234));
        h.csr_write(0x3ae, 0x1f).unwrap(); // pmpcfg14: entry 56
        assert_eq!(h.csr_read(0x3ae), Some(0x1f));
        assert_eq!(h.csr_read(0x3a1), None, "odd pmpcfg does not exist on RV64");

        let mut h = hart(16);
        h.csr_write(0x3ef, 0x1234).unwrap();
        assert_eq!(
            h.csr_read(0x3ef),
            Some(0),
            "entry 63 not implemented: read-only zero"
        );
        h.csr_write(0x3a4, u64::MAX).unwrap(); // pmpcfg4: entries 16..23
        assert_eq!(h.csr_read(0x3a4), Some(0));
        h.csr_write(0x3bf, 0x55).unwrap(); // pmpaddr15 still exists
        assert_eq!(h.csr_read(0x3bf), Some(0x55));

        let mut h = hart(0);
        h.csr_write(0x3b0, 0x55).unwrap();
        assert_eq!(h.csr_read(0x3b0), Some(0));
    }

    fn wg_hart() -> Hart {
        let mut h = hart(16);
        h.csr = Csrs::new(0).with_worldguard(virt_wg());
        h
    }

    #[test]
    fn worldguard_csrs_are_illegal_without_the_extension() {
        let mut h = hart(16);
        for csr in [CSR_MLWID, CSR_MWIDDELEG, CSR_SLWID] {
            assert_eq!(h.csr_read(csr), None);
            assert_eq!(h.csr_write(csr, 0), None);
        }
        for prv in [Priv::M, Priv::S, Priv::U] {
            assert_eq!(h.csr.wid_for(prv), 0);
        }
    }

    #[test]
    fn worldguard_reset_state_is_qemu_virt() {
        let h = wg_hart();
        assert_eq!(h.csr.mlwid, 3, "hardware bypass: the trusted world");
        assert_eq!((h.csr.slwid, h.csr.mwiddeleg), (0, 0));
        for prv in [Priv::M, Priv::S, Priv::U] {
            assert_eq!(h.csr.wid_for(prv), 3);
        }
        let c = Csrs::new(0).with_worldguard(WgHartConfig {
            hw_bypass: false,
            ..virt_wg()
        });
        assert_eq!(c.mlwid, 0);
        // A reset keeps the configuration.
        let mut c = h.csr.clone();
        c.mlwid = 1;
        let r = c.after_reset();
        assert_eq!((r.wg, r.mlwid), (h.csr.wg, 3));
        assert_eq!(r.pmpaddr.len(), 16);
    }

    #[test]
    fn worldguard_csr_privilege() {
        let mut h = wg_hart();
        h.prv = Priv::S;
        assert_eq!(h.csr_read(CSR_MLWID), None, "M-only");
        assert_eq!(h.csr_write(CSR_MWIDDELEG, 1), None, "M-only");
        assert_eq!(h.csr_read(CSR_SLWID), None, "Sswg disabled: mwiddeleg = 0");
        h.prv = Priv::M;
        assert_eq!(h.csr_read(CSR_SLWID), None);
        h.csr_write(CSR_MWIDDELEG, 0b0110).unwrap();
        h.prv = Priv::S;
        assert_eq!(h.csr_read(CSR_SLWID), Some(1));
        h.csr_write(CSR_SLWID, 2).unwrap();
        assert_eq!(h.csr_read(CSR_SLWID), Some(2));
        h.prv = Priv::U;
        assert_eq!(h.csr_read(CSR_SLWID), None, "S-level CSR");
        assert_eq!(h.csr_write(CSR_SLWID, 1), None);
        h.prv = Priv::M;
        assert_eq!(h.csr_read(CSR_SLWID), Some(2), "M may access it too");
    }

    #[test]
    fn worldguard_warl_rules() {
        let mut h = wg_hart();
        // mlwid: a world of mwidlist, else the lowest legal WID.
        h.csr_write(CSR_MLWID, 2).unwrap();
        assert_eq!(h.csr_read(CSR_MLWID), Some(2));
        h.csr_write(CSR_MLWID, 4).unwrap();
        assert_eq!(h.csr_read(CSR_MLWID), Some(0), "no world 4");
        h.csr_write(CSR_MLWID, u64::MAX).unwrap();
        assert_eq!(h.csr_read(CSR_MLWID), Some(0));
        // mwiddeleg keeps the usable worlds only.
        h.csr_write(CSR_MWIDDELEG, u64::MAX).unwrap();
        assert_eq!(h.csr_read(CSR_MWIDDELEG), Some(0b1111));
        // Enabling Sswg starts slwid at the lowest delegated WID.
        h.csr_write(CSR_MWIDDELEG, 0).unwrap();
        h.csr_write(CSR_MWIDDELEG, 0b1100).unwrap();
        assert_eq!(h.csr_read(CSR_SLWID), Some(2));
        // slwid: a delegated WID, else the lowest delegated one.
        h.csr_write(CSR_SLWID, 3).unwrap();
        assert_eq!(h.csr_read(CSR_SLWID), Some(3));
        h.csr_write(CSR_SLWID, 1).unwrap();
        assert_eq!(h.csr_read(CSR_SLWID), Some(2));
        h.csr_write(CSR_SLWID, 3).unwrap();
        // Narrowing the delegation keeps a still-delegated slwid...
        h.csr_write(CSR_MWIDDELEG, 0b1010).unwrap();
        assert_eq!(h.csr_read(CSR_SLWID), Some(3));
        // ...and moves an undelegated one to the lowest delegated WID.
        h.csr_write(CSR_MWIDDELEG, 0b0110).unwrap();
        assert_eq!(h.csr_read(CSR_SLWID), Some(1));
        // A restricted mwidlist restricts both.
        h.csr = Csrs::new(0).with_worldguard(WgHartConfig {
            mwidlist: 0b1010,
            hw_bypass: false,
            ..virt_wg()
        });
        assert_eq!(h.csr.mlwid, 1, "reset: lowest usable world");
        h.csr_write(CSR_MLWID, 2).unwrap();
        assert_eq!(h.csr_read(CSR_MLWID), Some(1));
        h.csr_write(CSR_MWIDDELEG, 0b0111).unwrap();
        assert_eq!(h.csr_read(CSR_MWIDDELEG), Some(0b0010));
    }

    #[test]
    fn wid_for_each_mode_and_flushes_on_effective_changes() {
        let mut h = wg_hart();
        h.csr_write(CSR_MLWID, 1).unwrap();
        assert!(std::mem::take(&mut h.tlb_flush));
        assert_eq!(h.csr.wid_flushes, 1);
        assert_eq!(
            (
                h.csr.wid_for(Priv::M),
                h.csr.wid_for(Priv::S),
                h.csr.wid_for(Priv::U)
            ),
            (3, 1, 1)
        );
        h.csr_write(CSR_MLWID, 1).unwrap();
        assert!(!h.tlb_flush, "same WID: no flush");
        // Delegating WIDs moves U to slwid.
        h.csr_write(CSR_MWIDDELEG, 0b0100).unwrap();
        assert!(std::mem::take(&mut h.tlb_flush));
        assert_eq!((h.csr.wid_for(Priv::S), h.csr.wid_for(Priv::U)), (1, 2));
        // A delegation change that leaves every WID alone does not flush.
        h.csr_write(CSR_MWIDDELEG, 0b0101).unwrap();
        assert!(!h.tlb_flush);
        h.csr_write(CSR_SLWID, 0).unwrap();
        assert!(std::mem::take(&mut h.tlb_flush));
        assert_eq!(h.csr.wid_for(Priv::U), 0);
        assert_eq!(h.csr.wid_for(Priv::S), 1, "mlwid stays S's WID");
        // Withdrawing the delegation returns U to mlwid.
        h.csr_write(CSR_MWIDDELEG, 0).unwrap();
        assert!(std::mem::take(&mut h.tlb_flush));
        assert_eq!(h.csr.wid_for(Priv::U), 1);
        assert_eq!(h.csr.wid_flushes, 4);
    }

    #[test]
    fn locked_entry_ignores_writes() {
        let mut h = hart(16);
        h.csr_write(0x3b0, 0x100).unwrap();
        h.csr_write(0x3a0, 0x80 | 0x18 | 1).unwrap(); // entry 0: L, NAPOT, R
        h.csr_write(0x3b0, 0x200).unwrap();
        assert_eq!(h.csr_read(0x3b0), Some(0x100));
        h.csr_write(0x3a0, 0).unwrap();
        assert_eq!(h.csr_read(0x3a0), Some(0x99));
    }
}

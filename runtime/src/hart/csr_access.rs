//! CSR access on a hart: privilege and counter-enable checks, reads, and
//! writes with their WARL legalisation; a write returns what it invalidates
//! ([`CsrEffect`]).

use super::csr::*;

/// The FP CSRs (views of `CpuState::fcsr`).
const FFLAGS: u16 = 0x001;
const FRM: u16 = 0x002;
const FCSR: u16 = 0x003;

/// `mstatus` with `SD` set exactly when `FS` is Dirty.
fn with_sd(m: u64) -> u64 {
    if m & MSTATUS_FS == MSTATUS_FS {
        m | MSTATUS_SD
    } else {
        m & !MSTATUS_SD
    }
}

/// The Sdtrig trigger CSRs (M-mode read/write addresses).
const TSELECT: u16 = 0x7a0;
const TDATA1: u16 = 0x7a1;
const TDATA2: u16 = 0x7a2;
const TDATA3: u16 = 0x7a3;
const TINFO: u16 = 0x7a4;
use super::{irq, Hart, Priv};

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
        // Sstc: below M, stimecmp needs menvcfg.STCE and mcounteren.TM.
        if csr == CSR_STIMECMP
            && self.prv < Priv::M
            && (self.csr.menvcfg & MENVCFG_STCE == 0 || self.csr.mcounteren & 2 == 0)
        {
            return None;
        }
        Some(())
    }

    /// The value a csrrs/csrrc of `csr` modifies, given what it read
    /// (`read`, which goes to rd): the same, except for `mip`, where SEIP
    /// reads as the software bit ORed with the PLIC's line but the
    /// read-modify-write uses the software bit alone (privileged spec,
    /// "Machine Interrupt Registers"). Latching the line left SEIP stuck on
    /// after OpenSBI's `csrc mip, STIP` raced a UART interrupt: an endless
    /// S-mode external interrupt storm.
    pub fn csr_rmw_base(&self, csr: u16, read: u64) -> u64 {
        if csr == 0x344 {
            (read & !irq::SEIP) | (self.csr.mip & irq::SEIP)
        } else {
            read
        }
    }

    /// Reads a CSR; `None` means the access raises illegal instruction.
    pub fn csr_read(&mut self, csr: u16) -> Option<u64> {
        self.check_access(csr, false)?;
        if let FFLAGS..=FCSR = csr {
            // The FP CSRs exist only while FS is not Off.
            if self.csr.mstatus & MSTATUS_FS == 0 {
                return None;
            }
            let f = self.state.fcsr as u64;
            return Some(match csr {
                FFLAGS => f & 0x1f,
                FRM => (f >> 5) & 7,
                _ => f & 0xff,
            });
        }
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
            CSR_STIMECMP => c.stimecmp,
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
                    v |= (c.pmp.cfg().get(base + i).copied().unwrap_or(0) as u64) << (8 * i);
                }
                v
            }
            0x3b0..=0x3ef => c.pmp.addr().get(csr as usize - 0x3b0).copied().unwrap_or(0),
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
            // Sdtrig with no triggers (debug spec 1.0, §5.7): tselect is
            // hard-wired to 0, tdata1 reads type 0 ("no trigger at this
            // tselect"), tinfo reads 1 (the selected trigger does not
            // exist), so an OS or test suite probing for triggers finds none
            // instead of trapping.
            TSELECT | TDATA1 | TDATA2 | TDATA3 => 0,
            TINFO => 1,
            _ => return None,
        })
    }

    /// Writes a CSR; `None` means the access raises illegal instruction.
    /// The effect says what the write invalidates; the executor carries it
    /// out before the next access.
    pub fn csr_write(&mut self, csr: u16, v: u64) -> Option<CsrEffect> {
        self.check_access(csr, true)?;
        if let FFLAGS..=FCSR = csr {
            if self.csr.mstatus & MSTATUS_FS == 0 {
                return None;
            }
            let (f, v) = (self.state.fcsr, v as u32);
            self.state.fcsr = match csr {
                FFLAGS => (f & !0x1f) | (v & 0x1f),
                FRM => (f & !0xe0) | ((v & 7) << 5),
                _ => v & 0xff,
            };
            // Modifying FP state makes it Dirty.
            self.csr.mstatus |= MSTATUS_FS | MSTATUS_SD;
            return Some(CsrEffect::default());
        }
        let wids = (self.csr.wid_for(Priv::S), self.csr.wid_for(Priv::U));
        let c = &mut self.csr;
        let mut flush = false;
        match csr {
            0x100 => {
                let mask = SSTATUS_MASK & MSTATUS_WMASK;
                let new = with_sd((c.mstatus & !mask) | (v & mask));
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
            CSR_STIMECMP => c.stimecmp = v,
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
                c.mstatus = with_sd(new) | MSTATUS_XL;
            }
            0x301 => {} // misa is read-only (WARL with one legal value).
            0x302 => c.medeleg = v & DELEGABLE_EXCS,
            0x303 => c.mideleg = v & DELEGABLE_IRQS,
            0x304 => c.mie = v & MIE_MASK,
            0x305 => write_tvec(&mut c.mtvec, v),
            0x306 => c.mcounteren = v & 0xffff_ffff,
            0x30a => c.menvcfg = v & MENVCFG_WMASK,
            0x320 => c.mcountinhibit = v & 0xffff_fffd,
            0x323..=0x33f => {}
            0x340 => c.mscratch = v,
            0x341 => c.mepc = legal_epc(v),
            0x342 => c.mcause = v,
            0x343 => c.mtval = v,
            0x344 => {
                // With Sstc enabled STIP is the comparator's, not software's.
                let mask = if c.menvcfg & MENVCFG_STCE != 0 {
                    MIP_WMASK & !irq::STIP
                } else {
                    MIP_WMASK
                };
                c.mip = (c.mip & !mask) | (v & mask);
            }
            0x3a0..=0x3af if csr.is_multiple_of(2) => {
                let base = (csr as usize - 0x3a0) * 4;
                for i in 0..8 {
                    flush |= c.pmp.set_cfg(base + i, (v >> (8 * i)) as u8);
                }
            }
            0x3b0..=0x3ef => {
                flush |= c.pmp.set_addr(csr as usize - 0x3b0, v);
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
            0xb00 => {
                c.mcycle = v;
                c.mcycle_written = true;
            }
            0xb02 => {
                c.minstret = v;
                c.minstret_written = true;
            }
            0xb03..=0xb1f => {}
            // WARL with no triggers: every write leaves them as they read.
            TSELECT | TDATA1 | TDATA2 | TDATA3 | TINFO => {}
            _ => return None,
        }
        if matches!(csr, CSR_STIMECMP | 0x30a) {
            self.update_stip();
        }
        // TLB entries carry the WID of their fill: a WID change flushes.
        if (self.csr.wid_for(Priv::S), self.csr.wid_for(Priv::U)) != wids {
            self.csr.wid_flushes += 1;
            flush = true;
        }
        Some(CsrEffect { flush_tlbs: flush })
    }
}

/// What a CSR write invalidates.
#[must_use]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsrEffect {
    /// Every TLB holds stale translations: `satp` changed, a PMP entry,
    /// `mstatus.MXR`, or the world id of S or U.
    pub flush_tlbs: bool,
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

    /// A legal CSR write whose effect the test does not look at.
    fn set(h: &mut Hart, csr: u16, v: u64) {
        let _ = h.csr_write(csr, v).expect("a legal CSR write");
    }

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
        set(&mut h, 0x3ef, 0x1234); // pmpaddr63
        assert_eq!(h.csr_read(0x3ef), Some(0x1234));
        set(&mut h, 0x3ae, 0x1f); // pmpcfg14: entry 56
        assert_eq!(h.csr_read(0x3ae), Some(0x1f));
        assert_eq!(h.csr_read(0x3a1), None, "odd pmpcfg does not exist on RV64");

        let mut h = hart(16);
        set(&mut h, 0x3ef, 0x1234);
        assert_eq!(
            h.csr_read(0x3ef),
            Some(0),
            "entry 63 not implemented: read-only zero"
        );
        set(&mut h, 0x3a4, u64::MAX); // pmpcfg4: entries 16..23
        assert_eq!(h.csr_read(0x3a4), Some(0));
        set(&mut h, 0x3bf, 0x55); // pmpaddr15 still exists
        assert_eq!(h.csr_read(0x3bf), Some(0x55));

        let mut h = hart(0);
        set(&mut h, 0x3b0, 0x55);
        assert_eq!(h.csr_read(0x3b0), Some(0));
    }

    #[test]
    fn sstc_stimecmp_drives_stip() {
        use std::cell::Cell;
        let now = Rc::new(Cell::new(1000u64));
        let clock = now.clone();
        let mut h = Hart::new(0, IrqLines::default(), Rc::new(move || clock.get()));
        h.csr.mideleg = irq::STIP;
        // STCE clear: stimecmp is M-only, STIP is software's bit.
        h.prv = Priv::S;
        assert_eq!(h.csr_read(CSR_STIMECMP), None);
        h.prv = Priv::M;
        set(&mut h, 0x344, irq::STIP);
        assert_ne!(h.mip() & irq::STIP, 0);
        set(&mut h, 0x344, 0);
        // STCE set: STIP is time >= stimecmp, and no longer writable.
        set(&mut h, CSR_STIMECMP, 2000);
        set(&mut h, 0x30a, MENVCFG_STCE | MENVCFG_FIOM | (1 << 62));
        assert_eq!(
            h.csr_read(0x30a),
            Some(MENVCFG_STCE | MENVCFG_FIOM),
            "PBMTE is read-only zero"
        );
        assert_eq!(h.mip() & irq::STIP, 0);
        set(&mut h, 0x344, irq::STIP);
        assert_eq!(h.mip() & irq::STIP, 0, "mip.STIP is read-only under Sstc");
        now.set(2000);
        h.update_stip();
        assert_ne!(h.mip() & irq::STIP, 0);
        assert_eq!(h.stimecmp_deadline(), 2000);
        // S mode needs mcounteren.TM too; writing stimecmp re-evaluates at once.
        h.prv = Priv::S;
        assert_eq!(h.csr_read(CSR_STIMECMP), None);
        h.prv = Priv::M;
        set(&mut h, 0x306, 2);
        h.prv = Priv::S;
        assert_eq!(h.csr_read(CSR_STIMECMP), Some(2000));
        set(&mut h, CSR_STIMECMP, 5000);
        assert_eq!(h.mip() & irq::STIP, 0);
        assert_eq!(h.csr_read(0x144).map(|v| v & irq::STIP), Some(0));
        now.set(5000);
        h.update_stip();
        assert_eq!(h.csr_read(0x144).map(|v| v & irq::STIP), Some(irq::STIP));
        // Clearing STCE drops the comparator's line.
        h.prv = Priv::M;
        set(&mut h, 0x30a, 0);
        assert_eq!(h.mip() & irq::STIP, 0);
        assert_eq!(h.stimecmp_deadline(), u64::MAX);
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
        assert_eq!(r.pmp.len(), 16);
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
        set(&mut h, CSR_MWIDDELEG, 0b0110);
        h.prv = Priv::S;
        assert_eq!(h.csr_read(CSR_SLWID), Some(1));
        set(&mut h, CSR_SLWID, 2);
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
        set(&mut h, CSR_MLWID, 2);
        assert_eq!(h.csr_read(CSR_MLWID), Some(2));
        set(&mut h, CSR_MLWID, 4);
        assert_eq!(h.csr_read(CSR_MLWID), Some(0), "no world 4");
        set(&mut h, CSR_MLWID, u64::MAX);
        assert_eq!(h.csr_read(CSR_MLWID), Some(0));
        // mwiddeleg keeps the usable worlds only.
        set(&mut h, CSR_MWIDDELEG, u64::MAX);
        assert_eq!(h.csr_read(CSR_MWIDDELEG), Some(0b1111));
        // Enabling Sswg starts slwid at the lowest delegated WID.
        set(&mut h, CSR_MWIDDELEG, 0);
        set(&mut h, CSR_MWIDDELEG, 0b1100);
        assert_eq!(h.csr_read(CSR_SLWID), Some(2));
        // slwid: a delegated WID, else the lowest delegated one.
        set(&mut h, CSR_SLWID, 3);
        assert_eq!(h.csr_read(CSR_SLWID), Some(3));
        set(&mut h, CSR_SLWID, 1);
        assert_eq!(h.csr_read(CSR_SLWID), Some(2));
        set(&mut h, CSR_SLWID, 3);
        // Narrowing the delegation keeps a still-delegated slwid...
        set(&mut h, CSR_MWIDDELEG, 0b1010);
        assert_eq!(h.csr_read(CSR_SLWID), Some(3));
        // ...and moves an undelegated one to the lowest delegated WID.
        set(&mut h, CSR_MWIDDELEG, 0b0110);
        assert_eq!(h.csr_read(CSR_SLWID), Some(1));
        // A restricted mwidlist restricts both.
        h.csr = Csrs::new(0).with_worldguard(WgHartConfig {
            mwidlist: 0b1010,
            hw_bypass: false,
            ..virt_wg()
        });
        assert_eq!(h.csr.mlwid, 1, "reset: lowest usable world");
        set(&mut h, CSR_MLWID, 2);
        assert_eq!(h.csr_read(CSR_MLWID), Some(1));
        set(&mut h, CSR_MWIDDELEG, 0b0111);
        assert_eq!(h.csr_read(CSR_MWIDDELEG), Some(0b0010));
    }

    #[test]
    fn wid_for_each_mode_and_flushes_on_effective_changes() {
        let mut h = wg_hart();
        assert!(h.csr_write(CSR_MLWID, 1).unwrap().flush_tlbs);
        assert_eq!(h.csr.wid_flushes, 1);
        assert_eq!(
            (
                h.csr.wid_for(Priv::M),
                h.csr.wid_for(Priv::S),
                h.csr.wid_for(Priv::U)
            ),
            (3, 1, 1)
        );
        let e = h.csr_write(CSR_MLWID, 1).unwrap();
        assert!(!e.flush_tlbs, "same WID: no flush");
        // Delegating WIDs moves U to slwid.
        assert!(h.csr_write(CSR_MWIDDELEG, 0b0100).unwrap().flush_tlbs);
        assert_eq!((h.csr.wid_for(Priv::S), h.csr.wid_for(Priv::U)), (1, 2));
        // A delegation change that leaves every WID alone does not flush.
        assert!(!h.csr_write(CSR_MWIDDELEG, 0b0101).unwrap().flush_tlbs);
        assert!(h.csr_write(CSR_SLWID, 0).unwrap().flush_tlbs);
        assert_eq!(h.csr.wid_for(Priv::U), 0);
        assert_eq!(h.csr.wid_for(Priv::S), 1, "mlwid stays S's WID");
        // Withdrawing the delegation returns U to mlwid.
        assert!(h.csr_write(CSR_MWIDDELEG, 0).unwrap().flush_tlbs);
        assert_eq!(h.csr.wid_for(Priv::U), 1);
        assert_eq!(h.csr.wid_flushes, 4);
    }

    #[test]
    fn locked_entry_ignores_writes() {
        let mut h = hart(16);
        set(&mut h, 0x3b0, 0x100);
        set(&mut h, 0x3a0, 0x80 | 0x18 | 1); // entry 0: L, NAPOT, R
        set(&mut h, 0x3b0, 0x200);
        assert_eq!(h.csr_read(0x3b0), Some(0x100));
        set(&mut h, 0x3a0, 0);
        assert_eq!(h.csr_read(0x3a0), Some(0x99));
    }
}

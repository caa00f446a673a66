//! One RISC-V hart: architectural state, privilege, CSRs, trap entry and return.
//!
//! The integer/FP register file lives in `jit::state::CpuState` so that
//! generated code can address it; everything else a hart needs (CSRs,
//! privilege, LR/SC reservation, pending-interrupt lines) is here.

pub mod csr;
mod csr_access;
pub mod pmp;
pub mod trap;
pub mod walk;

use std::cell::Cell;
use std::rc::Rc;

use jit::state::CpuState;
use softmmu::GuestPhysAddr;

pub use csr::{Csrs, Priv};
pub use csr_access::CsrEffect;
pub use trap::{irq, Exception};

/// Interrupt lines driven by devices (MTIP, MSIP, MEIP, SEIP bits of `mip`).
/// Devices hold a clone and set or clear their bit; the hart ORs the lines
/// into the software-writable part of `mip`.
#[derive(Clone, Default, Debug)]
pub struct IrqLines(Rc<Cell<u64>>);

impl IrqLines {
    pub fn set(&self, mask: u64, level: bool) {
        let v = self.0.get();
        self.0.set(if level { v | mask } else { v & !mask });
    }
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

/// A reservation made by LR: the physical address, width and loaded value.
/// SC succeeds when the address and width match and memory still holds the
/// loaded value (the same rule QEMU uses on a single hart).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub pa: GuestPhysAddr,
    pub size: u8,
    pub value: u64,
}

/// The guest-visible time base (`mtime`, the `time` CSR), in 10 MHz ticks.
pub type TimeSource = Rc<dyn Fn() -> u64>;

/// One hart.
pub struct Hart {
    pub state: CpuState,
    pub prv: Priv,
    pub csr: Csrs,
    pub lines: IrqLines,
    pub time: TimeSource,
    pub reservation: Option<Reservation>,
    /// The requester id (RRID) an IOPMP sees on this hart's accesses.
    pub rrid: u16,
}

impl Hart {
    pub fn new(hartid: u64, lines: IrqLines, time: TimeSource) -> Hart {
        Hart {
            state: CpuState::default(),
            prv: Priv::M,
            csr: Csrs::new(hartid),
            lines,
            time,
            reservation: None,
            rrid: 0,
        }
    }

    /// Resets to the state after power-on: M mode, pc = `reset_pc`.
    pub fn reset(&mut self, reset_pc: u64) {
        self.state = CpuState::default();
        self.state.pc = reset_pc;
        self.prv = Priv::M;
        self.csr = self.csr.after_reset();
        self.reservation = None;
    }

    /// The effective `mip`: software-written bits plus device lines (with
    /// Sstc enabled, STIP is the `stimecmp` comparator's line alone).
    pub fn mip(&self) -> u64 {
        let sw = if self.csr.menvcfg & csr::MENVCFG_STCE != 0 {
            self.csr.mip & !irq::STIP
        } else {
            self.csr.mip
        };
        sw | self.lines.get()
    }

    /// Sstc: recomputes the STIP line from `time` and `stimecmp` (low
    /// while `menvcfg.STCE` is clear). Called on writes of `stimecmp` and
    /// `menvcfg`, and by the run loop's polls as time passes.
    pub fn update_stip(&mut self) {
        // The clock is read only while Sstc is on.
        let now = if self.csr.menvcfg & csr::MENVCFG_STCE != 0 {
            (self.time)()
        } else {
            0
        };
        self.update_stip_at(now);
    }

    /// [`Hart::update_stip`] with `time` already read.
    pub fn update_stip_at(&mut self, now: u64) {
        let on = self.csr.menvcfg & csr::MENVCFG_STCE != 0 && now >= self.csr.stimecmp;
        self.lines.set(irq::STIP, on);
    }

    /// The `time` value at which the Sstc comparator fires (`u64::MAX`
    /// when Sstc is off), for `wfi`'s sleep.
    pub fn stimecmp_deadline(&self) -> u64 {
        if self.csr.menvcfg & csr::MENVCFG_STCE != 0 {
            self.csr.stimecmp
        } else {
            u64::MAX
        }
    }

    /// The interrupt to take now, if any, honouring delegation, the global
    /// enables of the current privilege level and the fixed priority order.
    pub fn pending_interrupt(&self) -> Option<u64> {
        let pending = self.mip() & self.csr.mie;
        if pending == 0 {
            return None;
        }
        let mstatus = self.csr.mstatus;
        let m_enabled = self.prv < Priv::M || mstatus & csr::MSTATUS_MIE != 0;
        let s_enabled =
            self.prv < Priv::S || (self.prv == Priv::S && mstatus & csr::MSTATUS_SIE != 0);
        let m_set = if m_enabled {
            pending & !self.csr.mideleg
        } else {
            0
        };
        let s_set = if s_enabled {
            pending & self.csr.mideleg
        } else {
            0
        };
        let set = if m_set != 0 { m_set } else { s_set };
        irq::PRIORITY.into_iter().find(|&i| set & (1 << i) != 0)
    }

    /// Whether some interrupt is pending and enabled in `mie`, regardless of
    /// the global enables: the condition that ends `wfi`.
    pub fn wfi_wakeup(&self) -> bool {
        self.mip() & self.csr.mie != 0
    }

    /// Enters the trap handler for an exception raised by the instruction at
    /// the current pc.
    pub fn raise(&mut self, e: Exception) {
        self.take_trap(e.cause(), false, e.tval());
    }

    /// Enters the trap handler for interrupt number `irq`.
    pub fn interrupt(&mut self, irq: u64) {
        self.take_trap(irq, true, 0);
    }

    /// Trap entry: picks M or S by delegation and updates the status stack.
    fn take_trap(&mut self, cause: u64, is_interrupt: bool, tval: u64) {
        // A trap ends any LR/SC sequence (QEMU does the same; the spec allows it).
        self.reservation = None;
        let epc = self.state.pc;
        let deleg = if is_interrupt {
            self.csr.mideleg
        } else {
            self.csr.medeleg
        };
        let to_s = self.prv <= Priv::S && (deleg >> cause) & 1 != 0;
        let xcause = cause | if is_interrupt { 1 << 63 } else { 0 };
        let ms = self.csr.mstatus;
        if to_s {
            self.csr.scause = xcause;
            self.csr.sepc = epc;
            self.csr.stval = tval;
            let sie = ms & csr::MSTATUS_SIE != 0;
            let mut s = ms & !(csr::MSTATUS_SPIE | csr::MSTATUS_SPP | csr::MSTATUS_SIE);
            if sie {
                s |= csr::MSTATUS_SPIE;
            }
            if self.prv == Priv::S {
                s |= csr::MSTATUS_SPP;
            }
            self.csr.mstatus = s;
            self.state.pc = trap_vector(self.csr.stvec, cause, is_interrupt);
            self.prv = Priv::S;
        } else {
            self.csr.mcause = xcause;
            self.csr.mepc = epc;
            self.csr.mtval = tval;
            let mie = ms & csr::MSTATUS_MIE != 0;
            let mut s = ms & !(csr::MSTATUS_MPIE | csr::MSTATUS_MPP | csr::MSTATUS_MIE);
            if mie {
                s |= csr::MSTATUS_MPIE;
            }
            s |= (self.prv as u64) << csr::MSTATUS_MPP_SHIFT;
            self.csr.mstatus = s;
            self.state.pc = trap_vector(self.csr.mtvec, cause, is_interrupt);
            self.prv = Priv::M;
        }
    }

    /// `mret`: returns to `MPP`, restoring `MIE`; clears `MPRV` when leaving M.
    pub fn mret(&mut self) {
        let ms = self.csr.mstatus;
        let mpp = Priv::from_bits(ms >> csr::MSTATUS_MPP_SHIFT);
        let mut s = ms & !(csr::MSTATUS_MIE | csr::MSTATUS_MPP);
        if ms & csr::MSTATUS_MPIE != 0 {
            s |= csr::MSTATUS_MIE;
        }
        s |= csr::MSTATUS_MPIE;
        if mpp != Priv::M {
            s &= !csr::MSTATUS_MPRV;
        }
        self.csr.mstatus = s;
        self.prv = mpp;
        self.state.pc = self.csr.mepc;
    }

    /// `sret`: returns to `SPP`, restoring `SIE`; clears `MPRV`.
    pub fn sret(&mut self) {
        let ms = self.csr.mstatus;
        let spp = if ms & csr::MSTATUS_SPP != 0 {
            Priv::S
        } else {
            Priv::U
        };
        let mut s = ms & !(csr::MSTATUS_SIE | csr::MSTATUS_SPP | csr::MSTATUS_MPRV);
        if ms & csr::MSTATUS_SPIE != 0 {
            s |= csr::MSTATUS_SIE;
        }
        s |= csr::MSTATUS_SPIE;
        self.csr.mstatus = s;
        self.prv = spp;
        self.state.pc = self.csr.sepc;
    }
}

/// The handler address for a trap: vectored mode sends interrupts to
/// `base + 4 * cause`, everything else goes to `base`.
fn trap_vector(tvec: u64, cause: u64, is_interrupt: bool) -> u64 {
    let base = tvec & !3;
    if is_interrupt && tvec & 3 == 1 {
        base.wrapping_add(4 * cause)
    } else {
        base
    }
}

//! The security checkers of the `virt` machine: where they sit, how the
//! device tree describes them, and the hart configuration they imply.
//!
//! `--worldguard` places three wgCheckers as QEMU's `virt,wg=on` does: in
//! front of RAM (0x600_0000), the flash (0x600_1000) and the UART
//! (0x600_2000), and gives the hart the WorldGuard CSRs. `--iopmp` places an
//! IOPMP in front of RAM. Both are IOMMU units of the address space
//! (`softmmu::iommu`): the TLB asks them lazily, per access type.

use std::cell::RefCell;
use std::rc::Rc;

use softmmu::{AddressSpace, GuestPhysAddr, SpaceError};

use super::iopmp::{self, Iopmp, IopmpConfig, IopmpConfigError};
use super::plic::Plic;
use super::wgchecker::{self as wg, WgChecker, WgCheckerConfig};
use super::Shared;
use crate::board::{
    FLASH_BASE, FLASH_SIZE, IOPMP_REG_BASE, IOPMP_REG_SIZE, RAM_BASE, UART_BASE,
    VIRT_WGC_DRAM_BASE, VIRT_WGC_FLASH_BASE, VIRT_WGC_UART_BASE,
};
use crate::config::Config;
use crate::fdt::{CpuWorldGuard, SocNode};
use crate::hart::csr::WgHartConfig;
use crate::hart::Hart;

/// Why the checkers a configuration asks for cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum CheckerError {
    #[error("security checker configuration: {0}")]
    Invalid(String),
    #[error("security checker configuration: {0}")]
    Iopmp(#[from] IopmpConfigError),
    #[error("building the address space: {0}")]
    Space(#[from] SpaceError),
}

/// The page the UART checker guards (the UART's registers lie inside it).
const UART_GUARD_SIZE: u64 = 0x1000;

/// One wgChecker and what it guards.
struct Wg {
    name: &'static str,
    regs: u64,
    guard: (u64, u64),
    dev: Rc<RefCell<WgChecker>>,
}

/// The checkers of one machine.
#[derive(Default)]
pub struct Checkers {
    wg: Vec<Wg>,
    wg_hart: Option<WgHartConfig>,
    iopmp: Option<Rc<RefCell<Iopmp>>>,
}

impl Checkers {
    /// Builds the checkers `cfg` asks for (not yet on the bus).
    pub fn new(cfg: &Config, plic: &Rc<RefCell<Plic>>) -> Result<Checkers, CheckerError> {
        let mut c = Checkers::default();
        if let Some(o) = cfg.worldguard {
            if o.nworlds == 0 || o.nworlds > 32 {
                return Err(CheckerError::Invalid(format!(
                    "{} worlds: WorldGuard checkers support 1 to 32",
                    o.nworlds
                )));
            }
            if o.trusted_wid >= o.nworlds || o.mwid >= o.nworlds {
                return Err(CheckerError::Invalid(format!(
                    "trusted WID {} and M-mode WID {} must be below the number of worlds ({})",
                    o.trusted_wid, o.mwid, o.nworlds
                )));
            }
            let units = [
                (
                    "wgc-dram",
                    VIRT_WGC_DRAM_BASE,
                    WgCheckerConfig::virt_dram(RAM_BASE, cfg.ram_size),
                ),
                (
                    "wgc-flash",
                    VIRT_WGC_FLASH_BASE,
                    WgCheckerConfig::virt_flash(FLASH_BASE, FLASH_SIZE),
                ),
                (
                    "wgc-uart",
                    VIRT_WGC_UART_BASE,
                    WgCheckerConfig::virt_uart(UART_BASE, UART_GUARD_SIZE),
                ),
            ];
            for (name, regs, wcfg) in units {
                let wcfg = WgCheckerConfig {
                    nworlds: o.nworlds,
                    trusted_wid: o.trusted_wid,
                    ..wcfg
                };
                c.wg.push(Wg {
                    name,
                    regs,
                    guard: (wcfg.guard_base, wcfg.guard_size),
                    dev: Rc::new(RefCell::new(WgChecker::new(wcfg, plic.clone()))),
                });
            }
            c.wg_hart = Some(WgHartConfig {
                nworlds: o.nworlds,
                trusted_wid: o.trusted_wid,
                mwid: o.mwid,
                mwidlist: (1u64 << o.nworlds) - 1,
                hw_bypass: wg::VIRT_WG_HW_BYPASS,
            });
        }
        if cfg.iopmp {
            let icfg = IopmpConfig {
                base: GuestPhysAddr(RAM_BASE),
                size: cfg.ram_size,
                ..IopmpConfig::default()
            };
            icfg.validate()?;
            if u32::from(cfg.rrid) >= icfg.rrid_num {
                return Err(CheckerError::Invalid(format!(
                    "RRID {} is out of range: the IOPMP has {} requesters",
                    cfg.rrid, icfg.rrid_num
                )));
            }
            c.iopmp = Some(Rc::new(RefCell::new(Iopmp::new(icfg, plic.clone()))));
        }
        Ok(c)
    }

    /// Whether the flash region exists (QEMU's `virt` has it; rvdbt maps it
    /// only when a checker guards it).
    pub fn wants_flash(&self) -> bool {
        !self.wg.is_empty()
    }

    /// Puts the checkers on the bus, in front of what they guard.
    pub fn attach(&self, space: &mut AddressSpace) -> Result<(), CheckerError> {
        for w in &self.wg {
            space.add_iommu(
                w.name,
                (GuestPhysAddr(w.regs), wg::WGC_MMIO_SIZE),
                (GuestPhysAddr(w.guard.0), w.guard.1),
                Box::new(Shared(w.dev.clone())),
            )?;
        }
        if let Some(dev) = &self.iopmp {
            let c = dev.borrow().config().clone();
            space.add_iommu(
                "iopmp",
                (GuestPhysAddr(IOPMP_REG_BASE), IOPMP_REG_SIZE),
                (c.base, c.size),
                Box::new(Shared(dev.clone())),
            )?;
        }
        // Construction is not a reconfiguration.
        space.take_iommu_changes();
        Ok(())
    }

    /// Gives the hart what the checkers need: WorldGuard CSRs, its RRID.
    pub fn configure_hart(&self, hart: &mut Hart, cfg: &Config) {
        if let Some(w) = self.wg_hart {
            hart.csr = std::mem::take(&mut hart.csr).with_worldguard(w);
        }
        if self.iopmp.is_some() {
            hart.rrid = cfg.rrid;
        }
    }

    /// The device-tree nodes describing the checkers.
    pub fn fdt_nodes(&self) -> Vec<SocNode> {
        let mut nodes = Vec::new();
        for w in &self.wg {
            let c = *w.dev.borrow().config();
            nodes.push(SocNode {
                name: "wgchecker",
                compatible: vec![wg::WGC_COMPATIBLE.into()],
                reg: (w.regs, wg::WGC_MMIO_SIZE),
                irq: Some(c.irq as u32),
                u32_props: vec![("sifive,slot-count", vec![c.nslots])],
                u64_props: vec![],
            });
        }
        if let Some(dev) = &self.iopmp {
            let c = dev.borrow().config().clone();
            nodes.push(SocNode {
                name: "iopmp",
                compatible: vec![iopmp::IOPMP_COMPATIBLE.into()],
                reg: (IOPMP_REG_BASE, IOPMP_REG_SIZE),
                irq: Some(c.irq as u32),
                u32_props: vec![],
                u64_props: vec![],
            });
        }
        nodes
    }

    /// The hart's WorldGuard node, when WorldGuard is on.
    pub fn fdt_cpu(&self) -> Option<CpuWorldGuard> {
        self.wg_hart.map(|w| CpuWorldGuard {
            mwid: w.mwid,
            mwidlist: (0..w.nworlds)
                .filter(|i| w.mwidlist & (1 << i) != 0)
                .collect(),
        })
    }

    /// One line per checker with its counters, for `--stats`.
    pub fn report(&self) -> String {
        let mut s = String::new();
        for w in &self.wg {
            s += &format!("{:<17} {:?}\n", w.name, w.dev.borrow().stats);
        }
        if let Some(dev) = &self.iopmp {
            s += &format!("{:<17} {:?}\n", "iopmp", dev.borrow().stats);
        }
        s
    }
}

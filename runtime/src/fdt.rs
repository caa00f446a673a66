//! Generation of the flattened device tree that describes the `virt` machine to the guest.
//!
//! Node names, compatibles and phandle structure follow QEMU's `virt` board,
//! so firmware written for QEMU (OpenSBI, Linux) finds the same devices.

use vm_fdt::{Error as FdtError, FdtWriter};

use crate::board::*;
use crate::devices::finisher::{FINISHER_PASS, FINISHER_RESET};

/// The `riscv,isa` string of the device tree: what the hart implements.
pub const RISCV_ISA: &str =
    "rv64imafdc_zicntr_zicond_zicsr_zifencei_zihintpause_zihpm_zba_zbb_zbs_sstc";
/// The same as `riscv,isa-base` and `riscv,isa-extensions` (the newer
/// binding, which Linux prefers when present).
pub const RISCV_ISA_BASE: &str = "rv64i";
/// Zihpm: `hpmcounter3..31` and their events exist and read as zero (a
/// legal implementation with no events). Zihintpause: `pause` is a FENCE
/// hint, executed as a fence.
pub const RISCV_ISA_EXTENSIONS: [&str; 16] = [
    "i",
    "m",
    "a",
    "f",
    "d",
    "c",
    "zicntr",
    "zicond",
    "zicsr",
    "zifencei",
    "zihintpause",
    "zihpm",
    "zba",
    "zbb",
    "zbs",
    "sstc",
];

const PH_CPU0_INTC: u32 = 1;
const PH_PLIC: u32 = 2;
const PH_TEST: u32 = 3;

/// What the device tree tells the kernel about its boot.
#[derive(Clone, Debug, Default)]
pub struct BootInfo<'a> {
    /// `/chosen/bootargs`.
    pub bootargs: &'a str,
    /// `/chosen/linux,initrd-start` and `-end` (physical, end exclusive).
    pub initrd: Option<(u64, u64)>,
}

/// A device node under `/soc` beyond the fixed set (the security checkers).
#[derive(Clone, Debug, Default)]
pub struct SocNode {
    /// Node name without the unit address (`wgchecker`, `iopmp`...).
    pub name: &'static str,
    pub compatible: Vec<String>,
    /// Register window: base, size.
    pub reg: (u64, u64),
    /// PLIC interrupt source, if the device interrupts.
    pub irq: Option<u32>,
    /// Further cells-valued properties.
    pub u32_props: Vec<(&'static str, Vec<u32>)>,
    /// Further 64-bit-pair-valued properties (address ranges).
    pub u64_props: Vec<(&'static str, Vec<u64>)>,
}

/// The hart's WorldGuard description (`/cpus/cpu@0/worldguard`, as in
/// QEMU's WorldGuard device-tree branch).
#[derive(Clone, Debug, Default)]
pub struct CpuWorldGuard {
    pub mwid: u32,
    pub mwidlist: Vec<u32>,
}

/// Builds the FDT blob for a machine with `ram_size` bytes of RAM, the
/// kernel command line and initrd in `boot`, and the optional devices in
/// `extra`.
pub fn build(
    ram_size: u64,
    boot: &BootInfo,
    extra: &[SocNode],
    wg: Option<&CpuWorldGuard>,
) -> Result<Vec<u8>, FdtError> {
    let mut f = FdtWriter::new()?;
    let root = f.begin_node("")?;
    f.property_u32("#address-cells", 2)?;
    f.property_u32("#size-cells", 2)?;
    f.property_string("compatible", "riscv-virtio")?;
    f.property_string("model", "riscv-virtio,qemu")?;

    let chosen = f.begin_node("chosen")?;
    f.property_string("bootargs", boot.bootargs)?;
    f.property_string("stdout-path", &format!("/soc/serial@{UART_BASE:x}"))?;
    if let Some((start, end)) = boot.initrd {
        f.property_u64("linux,initrd-start", start)?;
        f.property_u64("linux,initrd-end", end)?;
    }
    f.end_node(chosen)?;

    let mem = f.begin_node(&format!("memory@{RAM_BASE:x}"))?;
    f.property_string("device_type", "memory")?;
    f.property_array_u64("reg", &[RAM_BASE, ram_size])?;
    f.end_node(mem)?;

    let cpus = f.begin_node("cpus")?;
    f.property_u32("#address-cells", 1)?;
    f.property_u32("#size-cells", 0)?;
    f.property_u32("timebase-frequency", crate::devices::clint::MTIME_HZ as u32)?;
    let cpu = f.begin_node("cpu@0")?;
    f.property_string("device_type", "cpu")?;
    f.property_u32("reg", 0)?;
    f.property_string("status", "okay")?;
    f.property_string("compatible", "riscv")?;
    // misa has no bits for Zba/Zbb/Zbs/Zicond: the device tree is where
    // software learns of them.
    f.property_string("riscv,isa", RISCV_ISA)?;
    f.property_string("riscv,isa-base", RISCV_ISA_BASE)?;
    f.property_string_list(
        "riscv,isa-extensions",
        RISCV_ISA_EXTENSIONS.iter().map(|e| e.to_string()).collect(),
    )?;
    f.property_string("mmu-type", "riscv,sv57")?;
    let intc = f.begin_node("interrupt-controller")?;
    f.property_u32("#interrupt-cells", 1)?;
    f.property_null("interrupt-controller")?;
    f.property_string("compatible", "riscv,cpu-intc")?;
    f.property_phandle(PH_CPU0_INTC)?;
    f.end_node(intc)?;
    if let Some(wg) = wg {
        let n = f.begin_node("worldguard")?;
        f.property_string("compatible", "riscv,wgcpu")?;
        f.property_u32("mwid", wg.mwid)?;
        f.property_array_u32("mwidlist", &wg.mwidlist)?;
        f.end_node(n)?;
    }
    f.end_node(cpu)?;
    f.end_node(cpus)?;

    let soc = f.begin_node("soc")?;
    f.property_u32("#address-cells", 2)?;
    f.property_u32("#size-cells", 2)?;
    f.property_string("compatible", "simple-bus")?;
    f.property_null("ranges")?;

    let test = f.begin_node(&format!("test@{TEST_BASE:x}"))?;
    f.property_string_list(
        "compatible",
        vec![
            "sifive,test1".into(),
            "sifive,test0".into(),
            "syscon".into(),
        ],
    )?;
    f.property_array_u64("reg", &[TEST_BASE, TEST_SIZE])?;
    f.property_phandle(PH_TEST)?;
    f.end_node(test)?;

    let clint = f.begin_node(&format!("clint@{CLINT_BASE:x}"))?;
    f.property_string_list(
        "compatible",
        vec!["sifive,clint0".into(), "riscv,clint0".into()],
    )?;
    f.property_array_u64("reg", &[CLINT_BASE, crate::devices::clint::CLINT_SIZE])?;
    f.property_array_u32("interrupts-extended", &[PH_CPU0_INTC, 3, PH_CPU0_INTC, 7])?;
    f.end_node(clint)?;

    let plic = f.begin_node(&format!("plic@{PLIC_BASE:x}"))?;
    f.property_string_list(
        "compatible",
        vec!["sifive,plic-1.0.0".into(), "riscv,plic0".into()],
    )?;
    f.property_array_u64("reg", &[PLIC_BASE, crate::devices::plic::PLIC_SIZE])?;
    f.property_u32("#address-cells", 0)?;
    f.property_u32("#interrupt-cells", 1)?;
    f.property_null("interrupt-controller")?;
    f.property_u32("riscv,ndev", crate::devices::plic::NUM_SOURCES as u32 - 1)?;
    f.property_array_u32("interrupts-extended", &[PH_CPU0_INTC, 11, PH_CPU0_INTC, 9])?;
    f.property_phandle(PH_PLIC)?;
    f.end_node(plic)?;

    let uart = f.begin_node(&format!("serial@{UART_BASE:x}"))?;
    f.property_string("compatible", "ns16550a")?;
    f.property_array_u64("reg", &[UART_BASE, crate::devices::uart::UART_SIZE])?;
    f.property_u32("clock-frequency", 0x38_4000)?;
    f.property_u32("interrupt-parent", PH_PLIC)?;
    f.property_u32("interrupts", crate::devices::uart::UART_IRQ as u32)?;
    f.end_node(uart)?;

    for d in extra {
        let node = f.begin_node(&format!("{}@{:x}", d.name, d.reg.0))?;
        f.property_string_list("compatible", d.compatible.clone())?;
        f.property_array_u64("reg", &[d.reg.0, d.reg.1])?;
        if let Some(irq) = d.irq {
            f.property_u32("interrupt-parent", PH_PLIC)?;
            f.property_u32("interrupts", irq)?;
        }
        for (k, v) in &d.u32_props {
            f.property_array_u32(k, v)?;
        }
        for (k, v) in &d.u64_props {
            f.property_array_u64(k, v)?;
        }
        f.end_node(node)?;
    }

    f.end_node(soc)?;

    // As QEMU's virt (`/poweroff`, `/reboot`): power-off and reboot through the test finisher, which
    // OpenSBI turns into the SBI system-reset extension (and Linux can
    // drive directly).
    for (name, compatible, value) in [
        ("poweroff", "syscon-poweroff", FINISHER_PASS),
        ("reboot", "syscon-reboot", FINISHER_RESET),
    ] {
        let n = f.begin_node(name)?;
        f.property_string("compatible", compatible)?;
        f.property_u32("regmap", PH_TEST)?;
        f.property_u32("offset", 0)?;
        f.property_u32("value", value as u32)?;
        f.end_node(n)?;
    }
    f.end_node(root)?;
    f.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn blob_has_header_and_names_the_devices() {
        let wg = super::SocNode {
            name: "wgchecker",
            compatible: vec!["riscv,wgchecker".into()],
            reg: (0x600_0000, 0x1000),
            irq: Some(15),
            ..Default::default()
        };
        let cpu = super::CpuWorldGuard {
            mwid: 3,
            mwidlist: vec![0, 1, 2, 3],
        };
        let boot = super::BootInfo {
            bootargs: "console=ttyS0",
            initrd: Some((0x8800_0000, 0x8812_3456)),
        };
        let blob = super::build(128 << 20, &boot, &[wg], Some(&cpu)).unwrap();
        assert_eq!(&blob[..4], &[0xd0, 0x0d, 0xfe, 0xed], "FDT magic");
        let text = String::from_utf8_lossy(&blob);
        for needle in [
            "ns16550a",
            "riscv,clint0",
            "sifive,test0",
            "riscv,plic0",
            "memory@80000000",
            "wgchecker@6000000",
            "riscv,wgchecker",
            "riscv,wgcpu",
            super::RISCV_ISA,
            "riscv,isa-extensions",
            "zicond",
            "sstc",
            "poweroff",
            "syscon-poweroff",
            "reboot",
            "syscon-reboot",
            "regmap",
            "linux,initrd-start",
            "linux,initrd-end",
            "console=ttyS0",
        ] {
            assert!(text.contains(needle), "missing {needle}");
        }
        // The initrd bounds as 64-bit big-endian cells.
        for v in [0x8800_0000u64, 0x8812_3456] {
            let be = v.to_be_bytes();
            assert!(blob.windows(8).any(|w| w == be), "missing {v:#x}");
        }
    }
}

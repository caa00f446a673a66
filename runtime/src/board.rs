//! The `virt` board: QEMU's memory map and every placement on it (devices,
//! the security checkers, the boot ROM, the images and the device tree).
//!
//! What sits where is decided here and nowhere else; `machine.rs` builds
//! the machine from it and runs it. Addresses, sizes and interrupt lines
//! are QEMU 7.2's `hw/riscv/virt.c` (and, for WorldGuard and the IOPMP, the
//! QEMU series named at each constant).

use crate::config::{Bios, Config};
use crate::loader::{self, Image, LoadError};

// ---- Memory map ------------------------------------------------------------

pub const MROM_BASE: u64 = 0x1000;
pub const MROM_SIZE: u64 = 0xf000;
pub const TEST_BASE: u64 = 0x10_0000;
pub const TEST_SIZE: u64 = 0x1000;
pub const CLINT_BASE: u64 = 0x200_0000;
pub const PLIC_BASE: u64 = 0xc00_0000;
pub const UART_BASE: u64 = 0x1000_0000;
/// The two 32 MiB flash banks (mapped only when a checker guards them).
pub const FLASH_BASE: u64 = 0x2000_0000;
pub const FLASH_SIZE: u64 = 0x400_0000;
pub const RAM_BASE: u64 = 0x8000_0000;

// ---- Security checkers -------------------------------------------------------

// WorldGuard: QEMU's `virt,wg=on` layout, Jim Shu's series "hw/riscv: virt:
// Add WorldGuard support" (v2 April 2025, v3 October 2025), hw/riscv/virt.c
// (`virt_memmap`, `virt_wgcinfo`) and include/hw/riscv/virt.h.
/// Register window of the checker in front of DRAM (`VIRT_WGC_DRAM`).
pub const VIRT_WGC_DRAM_BASE: u64 = 0x600_0000;
/// Register window of the checker in front of the two pflash banks (`VIRT_WGC_FLASH`).
pub const VIRT_WGC_FLASH_BASE: u64 = 0x600_1000;
/// Register window of the checker in front of UART0 (`VIRT_WGC_UART`).
pub const VIRT_WGC_UART_BASE: u64 = 0x600_2000;
/// PLIC sources (`WGC_DRAM_IRQ`, `WGC_FLASH_IRQ`, `WGC_UART_IRQ` in virt.h).
pub const VIRT_WGC_DRAM_IRQ: usize = 15;
pub const VIRT_WGC_FLASH_IRQ: usize = 16;
pub const VIRT_WGC_UART_IRQ: usize = 17;

// The IOPMP: the IOPMP series v10 (Jan 2025).
/// Base of the register window on QEMU's `virt` (`VIRT_IOPMP` in
/// hw/riscv/virt.c of the IOPMP series v10, Jan 2025).
pub const IOPMP_REG_BASE: u64 = 0x1020_0000;
/// Size of the register window (`VIRT_IOPMP`, same source).
pub const IOPMP_REG_SIZE: u64 = 0x10_0000;
/// PLIC source of the violation interrupt (`IOPMP_IRQ` in
/// include/hw/riscv/virt.h of the same series).
pub const IOPMP_IRQ: usize = 12;

// ---- Images, device tree, boot ROM ----------------------------------------

/// Why the images and the device tree cannot be placed.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("the device tree ({0} bytes) does not fit in RAM")]
    FdtTooBig(usize),
    #[error("--bios default: no OpenSBI firmware found (looked for {}); install Debian's `opensbi` package (apt-get install opensbi) or give --bios FILE", DEFAULT_BIOS_PATHS.join(", "))]
    NoDefaultBios,
    #[error("{first} at {first_start:#x}..{first_end:#x} overlaps {second} at {second_start:#x}..{second_end:#x}")]
    Overlap {
        first: String,
        first_start: u64,
        first_end: u64,
        second: String,
        second_start: u64,
        second_end: u64,
    },
}

/// Where `--bios default` looks for OpenSBI's `fw_dynamic` firmware, in
/// order: Debian's `opensbi` package, then QEMU's copy.
pub const DEFAULT_BIOS_PATHS: [&str; 2] = [
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
    "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin",
];

/// Raw kernels and `Image`s behind firmware go at its end rounded up to
/// this (QEMU's `riscv_calc_kernel_start_addr` on RV64).
const KERNEL_ALIGN: u64 = 2 << 20;

/// The images to copy into RAM and where the boot starts.
#[derive(Clone, Debug)]
pub struct Boot {
    /// Where the boot ROM jumps: the firmware's entry, or the program's.
    pub start: u64,
    /// The program's entry (handed on to firmware in `fw_dynamic_info`).
    pub kernel_entry: u64,
    /// Firmware (if any), the program, the initrd (if any).
    pub images: Vec<Image>,
    /// What each image is, for error messages.
    pub names: Vec<&'static str>,
    /// Which image is the program.
    pub program: usize,
    /// The initrd's physical range (start, end exclusive), for the device tree.
    pub initrd: Option<(u64, u64)>,
}

/// Loads the firmware (if any), the program and the initrd (if any), and
/// places them as QEMU 7.2's `virt` does.
pub fn load_images(cfg: &Config, ram: (u64, u64)) -> Result<Boot, LayoutError> {
    // No image can be larger than guest RAM.
    let limit = ram.1 - ram.0;
    let prog_data = loader::read_file(&cfg.program, limit)?;
    let fw_path = match &cfg.bios {
        Bios::None => None,
        Bios::File(p) => Some(p.clone()),
        Bios::Default => Some(default_bios()?),
    };
    let mut images = Vec::new();
    let mut names = Vec::new();
    let (start, kernel) = match fw_path {
        None => {
            let img = if loader::is_elf(&prog_data) {
                loader::parse_elf(&cfg.program, &prog_data, ram)?
            } else if let Some(h) = loader::image_header(&cfg.program, &prog_data)? {
                loader::kernel_image(&cfg.program, prog_data, h, RAM_BASE + h.text_offset, ram)?
            } else {
                return Err(LoadError::NotBootable {
                    path: cfg.program.clone(),
                }
                .into());
            };
            (img.entry, img)
        }
        Some(fw_path) => {
            let fw_data = loader::read_file(&fw_path, limit)?;
            let fw = if loader::is_elf(&fw_data) {
                loader::parse_elf(&fw_path, &fw_data, ram)?
            } else {
                loader::raw_image(&fw_path, fw_data, RAM_BASE, ram)?
            };
            let after_fw = fw.end().next_multiple_of(KERNEL_ALIGN);
            let kernel = if loader::is_elf(&prog_data) {
                loader::parse_elf(&cfg.program, &prog_data, ram)?
            } else if let Some(h) = loader::image_header(&cfg.program, &prog_data)? {
                // At text_offset from RAM's start unless the firmware
                // reaches beyond it; QEMU uses the firmware's end alone,
                // the same place for OpenSBI and a 2 MiB text_offset.
                let at = after_fw.max(RAM_BASE + h.text_offset);
                loader::kernel_image(&cfg.program, prog_data, h, at, ram)?
            } else {
                // Flat binaries go at the first 2 MiB boundary after the
                // firmware, as QEMU places them.
                loader::raw_image(&cfg.program, prog_data, after_fw, ram)?
            };
            let start = fw.entry;
            images.push(fw);
            names.push("the firmware");
            (start, kernel)
        }
    };
    let kernel_entry = kernel.entry;
    let program = images.len();
    images.push(kernel);
    names.push("the program");
    let mut initrd = None;
    if let Some(path) = &cfg.initrd {
        let data = loader::read_file(path, limit)?;
        // QEMU 7.2 (`riscv_load_initrd`): far enough above the kernel that
        // it is not clobbered, low enough to stay in the kernel's lowmem.
        let at = kernel_entry.saturating_add((cfg.ram_size / 2).min(128 << 20));
        let img = loader::raw_image(path, data, at, ram)?;
        initrd = Some((at, img.end()));
        images.push(img);
        names.push("the initrd");
    }
    Ok(Boot {
        start,
        kernel_entry,
        images,
        names,
        program,
        initrd,
    })
}

/// The first of [`DEFAULT_BIOS_PATHS`] that exists.
fn default_bios() -> Result<std::path::PathBuf, LayoutError> {
    DEFAULT_BIOS_PATHS
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
        .ok_or(LayoutError::NoDefaultBios)
}

/// Refuses a layout where the images' segments (the loader already
/// checked each image on its own) or the device tree overlap, as QEMU
/// refuses overlapping ROM blobs; the error names both ranges.
pub fn check_layout(
    images: &[Image],
    names: &[&str],
    fdt_addr: u64,
    fdt_len: u64,
) -> Result<(), LayoutError> {
    let mut ranges: Vec<(String, u64, u64)> = Vec::new();
    for (img, name) in images.iter().zip(names) {
        for s in &img.segments {
            ranges.push((format!("{name}'s segment"), s.addr, s.end()));
        }
    }
    ranges.push(("the device tree".into(), fdt_addr, fdt_addr + fdt_len));
    ranges.sort_by_key(|r| (r.1, r.2));
    // Sorted by start, two ranges overlap only if some neighbours do.
    for w in ranges.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if b.1 < a.2 {
            return Err(LayoutError::Overlap {
                first: a.0.clone(),
                first_start: a.1,
                first_end: a.2,
                second: b.0.clone(),
                second_start: b.1,
                second_end: b.2,
            });
        }
    }
    Ok(())
}

/// Where the FDT goes: the last 2 MiB-aligned slot below the end of RAM (or
/// below 3 GiB), as QEMU 7.2 places it.
pub fn fdt_address(ram: (u64, u64), len: usize) -> Result<u64, LayoutError> {
    let top = ram.1.min(3 << 30).max(ram.0);
    let addr = top.checked_sub(len as u64).map(|a| a & !((2 << 20) - 1));
    match addr {
        Some(a) if a >= ram.0 => Ok(a),
        _ => Err(LayoutError::FdtTooBig(len)),
    }
}

/// The boot ROM: sets a0 = mhartid, a1 = FDT address, a2 = fw_dynamic info,
/// and jumps to `start` — the same contract as QEMU's reset vector.
pub fn reset_vector(start: u64, fdt_addr: u64, next_addr: u64) -> Vec<u8> {
    let code: [u32; 6] = [
        0x0000_0297, // auipc t0, 0
        0x0282_8613, // addi  a2, t0, 40      (fw_dynamic info below)
        0xf140_2573, // csrr  a0, mhartid
        0x0202_b583, // ld    a1, 32(t0)      (FDT address)
        0x0182_b283, // ld    t0, 24(t0)      (start address)
        0x0002_8067, // jr    t0
    ];
    let mut rom: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    rom.extend(start.to_le_bytes());
    rom.extend(fdt_addr.to_le_bytes());
    // struct fw_dynamic_info { magic, version, next_addr, next_mode, options, boot_hart }
    for v in [0x4942_534f_u64, 2, next_addr, 1, 0, 0] {
        rom.extend(v.to_le_bytes());
    }
    rom
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("rvdbt-board-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn images_are_placed_as_qemu_places_them() {
        // Firmware of 300 KiB, a flat kernel, an initrd.
        let fw = scratch("fw.bin", &vec![0x13; 300 << 10]);
        let kernel = scratch("kernel.bin", &vec![0x13; 8192]);
        let initrd = scratch("initrd.bin", &vec![0x5a; 4096]);
        for (ram_size, initrd_at) in [
            // Half of RAM above the kernel below 256 MiB, 128 MiB above it from there.
            (128u64 << 20, 0x8020_0000 + (64 << 20)),
            (512 << 20, 0x8020_0000 + (128 << 20)),
        ] {
            let mut cfg = Config::new(&kernel);
            cfg.ram_size = ram_size;
            cfg.bios = Bios::File(fw.clone());
            cfg.initrd = Some(initrd.clone());
            let boot = load_images(&cfg, (RAM_BASE, RAM_BASE + ram_size)).unwrap();
            assert_eq!(boot.start, RAM_BASE, "firmware at RAM's start");
            assert_eq!(boot.kernel_entry, 0x8020_0000, "kernel at the next 2 MiB");
            assert_eq!(boot.initrd, Some((initrd_at, initrd_at + 4096)));
            assert_eq!(boot.names, ["the firmware", "the program", "the initrd"]);
            assert_eq!(boot.program, 1);
        }
    }

    #[test]
    fn default_bios_names_the_package_when_missing() {
        let msg = LayoutError::NoDefaultBios.to_string();
        assert!(
            msg.contains("opensbi") && msg.contains(DEFAULT_BIOS_PATHS[0]),
            "{msg}"
        );
    }
}

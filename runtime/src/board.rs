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

/// Loads the firmware (if any) and the program; returns the address the boot
/// ROM jumps to, the images, and the entry point handed on to firmware.
pub fn load_images(cfg: &Config, ram: (u64, u64)) -> Result<(u64, Vec<Image>, u64), LayoutError> {
    // No image can be larger than guest RAM.
    let limit = ram.1 - ram.0;
    let prog_data = loader::read_file(&cfg.program, limit)?;
    match &cfg.bios {
        Bios::None => {
            let img = if loader::is_elf(&prog_data) {
                loader::parse_elf(&cfg.program, &prog_data, ram)?
            } else {
                return Err(LoadError::NotElf {
                    path: cfg.program.clone(),
                }
                .into());
            };
            let entry = img.entry;
            Ok((entry, vec![img], entry))
        }
        Bios::File(fw_path) => {
            let fw_data = loader::read_file(fw_path, limit)?;
            let fw = if loader::is_elf(&fw_data) {
                loader::parse_elf(fw_path, &fw_data, ram)?
            } else {
                loader::raw_image(fw_path, fw_data, RAM_BASE, ram)?
            };
            let kernel = if loader::is_elf(&prog_data) {
                loader::parse_elf(&cfg.program, &prog_data, ram)?
            } else {
                // Raw kernels go at the first 2 MiB boundary after firmware,
                // as QEMU places them.
                let at = fw.end().next_multiple_of(2 << 20);
                loader::raw_image(&cfg.program, prog_data, at, ram)?
            };
            let (start, entry) = (fw.entry, kernel.entry);
            Ok((start, vec![fw, kernel], entry))
        }
    }
}

/// Refuses a layout where the images' segments (the loader already
/// checked each image on its own) or the device tree overlap, as QEMU
/// refuses overlapping ROM blobs; the error names both ranges.
pub fn check_layout(images: &[Image], fdt_addr: u64, fdt_len: u64) -> Result<(), LayoutError> {
    let mut ranges: Vec<(String, u64, u64)> = Vec::new();
    for (i, img) in images.iter().enumerate() {
        let name = if images.len() > 1 && i == 0 {
            "the firmware"
        } else {
            "the program"
        };
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

//! How to build and run a machine: the engine, RAM, firmware, program and
//! checker options (what `rvdbt run`'s flags become).

use std::path::PathBuf;

/// What to boot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Bios {
    /// No firmware: the boot ROM jumps straight to the program.
    #[default]
    None,
    /// Firmware (ELF or raw binary) loaded at the start of RAM; the program
    /// is loaded after it and its entry passed in the `fw_dynamic` info.
    File(PathBuf),
    /// The OpenSBI `fw_dynamic` the host has installed (QEMU's `-bios
    /// default`): see [`crate::board::DEFAULT_BIOS_PATHS`].
    Default,
}

/// How guest code is executed (`--engine`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Engine {
    /// The interpreter: decoded-page cache and hot loop (`interp::fast`).
    Interp,
    /// One instruction at a time through `interp::reference::step`, the reference
    /// semantics; slow, for differential testing.
    Reference,
    /// Every block compiled with Cranelift on first execution.
    Jit,
    /// Cold blocks interpreted, hot blocks compiled on a background thread
    /// (the default: the fastest engine).
    #[default]
    Tiered,
}

/// How to build and run a machine.
#[derive(Clone, Debug)]
pub struct Config {
    pub engine: Engine,
    pub ram_size: u64,
    /// PMP entries (0, 16 or 64).
    pub pmp_entries: usize,
    pub bios: Bios,
    pub program: PathBuf,
    /// An initial RAM disk, placed as QEMU places it and named in the
    /// device tree (`--initrd`).
    pub initrd: Option<PathBuf>,
    pub max_insns: Option<u64>,
    pub bootargs: String,
    /// A guest reboot ends the run (exit status 0) instead of resetting
    /// the machine (`--no-reboot`).
    pub no_reboot: bool,
    /// WorldGuard checkers and hart support (`--worldguard`).
    pub worldguard: Option<WgOptions>,
    /// An IOPMP in front of RAM (`--iopmp`).
    pub iopmp: bool,
    /// The hart's requester id for the IOPMP.
    pub rrid: u16,
}

/// WorldGuard configuration (QEMU's `virt,wg=on` defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WgOptions {
    /// Number of worlds.
    pub nworlds: u32,
    /// The world that may program the checkers.
    pub trusted_wid: u32,
    /// The world id of M-mode accesses.
    pub mwid: u32,
}

impl Default for WgOptions {
    fn default() -> Self {
        WgOptions {
            nworlds: 4,
            trusted_wid: 3,
            mwid: 3,
        }
    }
}

impl Config {
    pub fn new(program: impl Into<PathBuf>) -> Config {
        Config {
            engine: Engine::default(),
            ram_size: 128 << 20,
            pmp_entries: crate::hart::csr::PMP_ENTRIES,
            bios: Bios::None,
            program: program.into(),
            initrd: None,
            max_insns: None,
            bootargs: String::new(),
            no_reboot: false,
            worldguard: None,
            iopmp: false,
            rrid: 0,
        }
    }
}

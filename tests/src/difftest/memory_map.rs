//! The test machine's memory map.

/// Guest RAM of the test machines (the FDT lands at +2 MiB, out of the way).
pub const RAM_SIZE: u64 = 4 << 20;
pub const RAM_BASE: u64 = 0x8000_0000;
pub const RAM_END: u64 = RAM_BASE + RAM_SIZE;
/// The M-mode trap handler (`mtvec`).
pub const HANDLER: u64 = RAM_BASE;
/// The instruction after the handler's finisher store: where a run stops.
pub const HANDLER_DONE: u64 = HANDLER + 24;
/// The image entry, where the boot ROM jumps: an `ecall`.
pub const ROM_RETURN: u64 = RAM_BASE + 0x100;
/// Two pages for the block's code.
pub const CODE_BASE: u64 = RAM_BASE + 0x2000;
pub const CODE_SIZE: u64 = 0x2000;
/// The data window (two pages) that base registers point into.
pub const WINDOW: u64 = RAM_BASE + 0x8000;
pub const WINDOW_SIZE: u64 = 0x2000;
/// Everything a window base plus any offset can reach; refilled per block.
pub const DATA_LO: u64 = WINDOW - 0x1000;
pub const DATA_HI: u64 = WINDOW + WINDOW_SIZE + 0x1000;
pub(super) const DATA_LEN: usize = (DATA_HI - DATA_LO) as usize;
/// The last bytes of RAM (accesses straddling the end of RAM); zeroed per block.
pub(super) const TAIL: u64 = 64;
pub(super) const BOOT_ROM: u64 = 0x1000;
pub(super) const FINISHER: u64 = 0x10_0000;
/// An unmapped base just below RAM: accesses from it may straddle into RAM
/// (and must fault without a partial write) but never start inside it.
pub(super) const BELOW_RAM: u64 = RAM_BASE - 16;
/// Instructions one block may execute before the run is cut off. Must stay
/// well above the runtime's precise tail (4096), or the interpreter would run
/// every block one instruction at a time instead of through its hot loop.
pub const BLOCK_INSN_LIMIT: u64 = 20_000;

/// Memory compared after every block: handler + code pages, data area, RAM tail.
pub(super) const MEM_REGIONS: [(u64, u64); 3] = [
    (RAM_BASE, CODE_BASE + CODE_SIZE),
    (DATA_LO, DATA_HI),
    (RAM_END - TAIL, RAM_END),
];

pub(super) const CSR_FFLAGS: u16 = 0x001;
pub(super) const CSR_FRM: u16 = 0x002;
pub(super) const CSR_FCSR: u16 = 0x003;
pub(super) const CSR_SSTATUS: u16 = 0x100;
pub(super) const CSR_SEPC: u16 = 0x141;
pub(super) const CSR_SCAUSE: u16 = 0x142;
pub(super) const CSR_STVAL: u16 = 0x143;
pub(super) const CSR_MSTATUS: u16 = 0x300;
pub(super) const CSR_MEPC: u16 = 0x341;

pub(super) const MSTATUS_SIE: u64 = 1 << 1;
pub(super) const MSTATUS_MIE: u64 = 1 << 3;
/// The mstatus bits software can write (what `csr_write` keeps), FS
/// (bits 14:13) included.
pub(super) const MSTATUS_LEGAL: u64 = 0x7e_79aa;
pub(super) const SSIP: u64 = 1 << 1;

pub(super) const ABI: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

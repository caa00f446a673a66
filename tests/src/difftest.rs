//! Lockstep differential testing: random instruction blocks run under every engine, compared state by state.
//!
//! A *block* is a short random program (a [`BlockSpec`]): valid encodings of
//! every RV64IMAC + Zicsr/Zifencei instruction the runtime executes, plus a few
//! illegal and F/D encodings that must trap, forward branches and jumps,
//! bounded loops, privilege changes (`mret`/`sret`), self-modifying stores,
//! loads/stores/atomics through *base registers* that point into a mapped data
//! window (or, on purpose, at the boot ROM, unmapped space, the end of RAM or
//! a device), and random initial registers and CSRs. Every encoding is
//! produced by this file's own encoder and checked with
//! `frontend_riscv::decode` (which is itself checked against objdump).
//!
//! Each engine owns one `virt` machine that is reused for every block: the
//! block is written into RAM, the data window is refilled, the hart is reset
//! and given the block's initial state, and `Machine::run` runs it. A block
//! ends at its final `ecall`, or earlier at any trap: every trap goes to a
//! fixed M-mode handler (`mtvec`) that saves `t0`/`t1` in `stval`/`scause`
//! (CSRs no block writes) and stops the machine through the SiFive test
//! finisher, so `run` returns `Exited(0)`. A run also stops after
//! [`BLOCK_INSN_LIMIT`] instructions. Afterwards the whole architectural state
//! is compared with the first ("reference") engine: x and f registers, pc,
//! privilege, the LR/SC reservation, every CSR field (including `mcycle` and
//! `minstret`: all engines must count retired instructions exactly), the
//! number of instructions executed, the handler/code pages, the data area and
//! the last bytes of RAM.
//!
//! On a divergence the block is shrunk (fewer items, loops unrolled into their
//! bodies, simpler register and CSR values) while it still diverges, and a
//! report with the disassembled block, its initial state and every difference
//! is produced.
//!
//! Not generated, because the result is not a function of the block: reads of
//! `time`/`mtime` (host clock), writes of `mie`/`mip`/`medeleg`/`mideleg`/`mtvec`
//! (they would let host time or the harness's handler change), PMP
//! configuration, and stores outside the compared areas.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::panic::AssertUnwindSafe;
use std::sync::{Once, OnceLock};
use std::time::{Duration, Instant};

use frontend_riscv::{
    decode, disasm, AluOp, AmoOp, AmoWidth, BranchOp, CsrOp, Insn, LoadOp, Reg, StoreOp,
};
use runtime::hart::csr::MSTATUS_XL;
use runtime::hart::{Csrs, Exception, Priv};
use runtime::interp;
use runtime::loader::{Image, Segment};
use runtime::{Config, Engine, Machine, RunExit};
use softmmu::GuestPhysAddr;

// ---------------------------------------------------------------------------
// The test machine's memory map.
// ---------------------------------------------------------------------------

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
const DATA_LEN: usize = (DATA_HI - DATA_LO) as usize;
/// The last bytes of RAM (accesses straddling the end of RAM); zeroed per block.
const TAIL: u64 = 64;
const BOOT_ROM: u64 = 0x1000;
const FINISHER: u64 = 0x10_0000;
/// An unmapped base just below RAM: accesses from it may straddle into RAM
/// (and must fault without a partial write) but never start inside it.
const BELOW_RAM: u64 = RAM_BASE - 16;
/// Instructions one block may execute before the run is cut off. Must stay
/// well above the runtime's precise tail (4096), or the interpreter would run
/// every block one instruction at a time instead of through its hot loop.
pub const BLOCK_INSN_LIMIT: u64 = 20_000;

/// Memory compared after every block: handler + code pages, data area, RAM tail.
const MEM_REGIONS: [(u64, u64); 3] = [
    (RAM_BASE, CODE_BASE + CODE_SIZE),
    (DATA_LO, DATA_HI),
    (RAM_END - TAIL, RAM_END),
];

const CSR_SSTATUS: u16 = 0x100;
const CSR_SEPC: u16 = 0x141;
const CSR_SCAUSE: u16 = 0x142;
const CSR_STVAL: u16 = 0x143;
const CSR_MSTATUS: u16 = 0x300;
const CSR_MEPC: u16 = 0x341;

const MSTATUS_SIE: u64 = 1 << 1;
const MSTATUS_MIE: u64 = 1 << 3;
/// The mstatus bits software can write (what `csr_write` keeps).
const MSTATUS_LEGAL: u64 = 0x7e_19aa;
const SSIP: u64 = 1 << 1;

const ABI: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

// ---------------------------------------------------------------------------
// Random numbers.
// ---------------------------------------------------------------------------

/// SplitMix64's finaliser: a good 64-bit mixing function.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of block `index` of a campaign: blocks are independent, so any
/// one can be regenerated alone.
pub fn block_seed(seed: u64, index: u64) -> u64 {
    mix(seed ^ mix(index.wrapping_add(0x632b_e59b_d9b4_e019)))
}

/// A small, fast, reproducible generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

const SPECIAL: [u64; 18] = [
    0,
    1,
    2,
    u64::MAX,
    i64::MAX as u64,
    i64::MIN as u64,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0xffff_ffff_8000_0000,
    0x1_0000_0000,
    31,
    32,
    63,
    64,
    0x8000_0000_0000_0001,
    0xffff_ffff_7fff_ffff,
    0x0000_0001_ffff_ffff,
];

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// A register value: boundary cases, small numbers, 32-bit patterns,
    /// single bits, pointers into the data window and plain random bits.
    pub fn value(&mut self) -> u64 {
        match self.below(9) {
            0 | 1 => self.next_u64(),
            2 => self.range(-16, 16) as u64,
            3 => self.pick(&SPECIAL),
            4 => self.next_u64() as i32 as i64 as u64,
            5 => self.next_u64() as u32 as u64,
            6 => (1u64 << self.below(64)).wrapping_add(self.range(-1, 1) as u64),
            7 => WINDOW + self.below(WINDOW_SIZE),
            _ => self.next_u64() >> self.below(64),
        }
    }

    /// A 12-bit signed immediate with its boundary cases.
    fn imm12(&mut self) -> i64 {
        match self.below(10) {
            0..=2 => self.range(-8, 8),
            3 | 4 => self.pick(&[0, 1, -1, 2047, -2048, 31, 32, 63, -32, 0x555]),
            _ => self.range(-2048, 2047),
        }
    }

    /// A shift amount below `limit` (32 or 64) with its boundary cases.
    fn shamt(&mut self, limit: i64) -> i64 {
        if self.chance(30) {
            self.pick(&[0, 1, 31, 32, 63]) % limit
        } else {
            self.range(0, limit - 1)
        }
    }
}

// ---------------------------------------------------------------------------
// The encoder: `Insn` -> bits, checked against the project's decoder.
// ---------------------------------------------------------------------------

/// One encoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enc {
    /// The encoding: 32 bits, or 16 bits zero-extended.
    pub bits: u32,
    /// 2 or 4.
    pub len: u8,
}

fn rb(r: Reg) -> u32 {
    r.0 as u32
}

fn i_type(op: u32, f3: u32, rd: Reg, rs1: Reg, imm: i64) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rb(rs1) << 15 | f3 << 12 | rb(rd) << 7 | op
}

fn s_type(op: u32, f3: u32, rs1: Reg, rs2: Reg, imm: i64) -> u32 {
    let i = imm as u32;
    (i >> 5 & 0x7f) << 25 | rb(rs2) << 20 | rb(rs1) << 15 | f3 << 12 | (i & 0x1f) << 7 | op
}

fn r_type(op: u32, f3: u32, f7: u32, rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
    f7 << 25 | rb(rs2) << 20 | rb(rs1) << 15 | f3 << 12 | rb(rd) << 7 | op
}

fn b_type(f3: u32, rs1: Reg, rs2: Reg, off: i64) -> u32 {
    let o = off as u32;
    (o >> 12 & 1) << 31
        | (o >> 5 & 0x3f) << 25
        | rb(rs2) << 20
        | rb(rs1) << 15
        | f3 << 12
        | (o >> 1 & 0xf) << 8
        | (o >> 11 & 1) << 7
        | 0x63
}

fn j_type(rd: Reg, off: i64) -> u32 {
    let o = off as u32;
    (o >> 20 & 1) << 31
        | (o >> 1 & 0x3ff) << 21
        | (o >> 11 & 1) << 20
        | (o >> 12 & 0xff) << 12
        | rb(rd) << 7
        | 0x6f
}

/// (funct3, funct7) of a register-register ALU operation.
fn alu_f3_f7(op: AluOp) -> (u32, u32) {
    match op {
        AluOp::Add => (0, 0),
        AluOp::Sub => (0, 0x20),
        AluOp::Sll => (1, 0),
        AluOp::Slt => (2, 0),
        AluOp::Sltu => (3, 0),
        AluOp::Xor => (4, 0),
        AluOp::Srl => (5, 0),
        AluOp::Sra => (5, 0x20),
        AluOp::Or => (6, 0),
        AluOp::And => (7, 0),
        AluOp::Mul => (0, 1),
        AluOp::Mulh => (1, 1),
        AluOp::Mulhsu => (2, 1),
        AluOp::Mulhu => (3, 1),
        AluOp::Div => (4, 1),
        AluOp::Divu => (5, 1),
        AluOp::Rem => (6, 1),
        AluOp::Remu => (7, 1),
    }
}

fn branch_f3(op: BranchOp) -> u32 {
    match op {
        BranchOp::Eq => 0,
        BranchOp::Ne => 1,
        BranchOp::Lt => 4,
        BranchOp::Ge => 5,
        BranchOp::Ltu => 6,
        BranchOp::Geu => 7,
    }
}

fn load_f3(op: LoadOp) -> u32 {
    match op {
        LoadOp::Lb => 0,
        LoadOp::Lh => 1,
        LoadOp::Lw => 2,
        LoadOp::Ld => 3,
        LoadOp::Lbu => 4,
        LoadOp::Lhu => 5,
        LoadOp::Lwu => 6,
    }
}

fn store_f3(op: StoreOp) -> u32 {
    match op {
        StoreOp::Sb => 0,
        StoreOp::Sh => 1,
        StoreOp::Sw => 2,
        StoreOp::Sd => 3,
    }
}

fn csr_f3(op: CsrOp) -> u32 {
    match op {
        CsrOp::Rw => 1,
        CsrOp::Rs => 2,
        CsrOp::Rc => 3,
    }
}

fn amo_f5(op: AmoOp) -> u32 {
    match op {
        AmoOp::Add => 0b00000,
        AmoOp::Swap => 0b00001,
        AmoOp::Xor => 0b00100,
        AmoOp::Or => 0b01000,
        AmoOp::And => 0b01100,
        AmoOp::Min => 0b10000,
        AmoOp::Max => 0b10100,
        AmoOp::Minu => 0b11000,
        AmoOp::Maxu => 0b11100,
    }
}

#[allow(clippy::too_many_arguments)]
fn amo_word(f5: u32, width: AmoWidth, aq: bool, rl: bool, rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
    let f3 = match width {
        AmoWidth::W => 2,
        AmoWidth::D => 3,
    };
    f5 << 27
        | (aq as u32) << 26
        | (rl as u32) << 25
        | rb(rs2) << 20
        | rb(rs1) << 15
        | f3 << 12
        | rb(rd) << 7
        | 0x2f
}

/// The 32-bit encoding of an integer, system or atomic instruction (`None`
/// for F/D and for operations the instruction form does not have).
pub fn encode(insn: &Insn) -> Option<u32> {
    Some(match *insn {
        Insn::Lui { rd, imm } => (imm as u32 & 0xffff_f000) | rb(rd) << 7 | 0x37,
        Insn::Auipc { rd, imm } => (imm as u32 & 0xffff_f000) | rb(rd) << 7 | 0x17,
        Insn::Jal { rd, offset } => j_type(rd, offset),
        Insn::Jalr { rd, rs1, offset } => i_type(0x67, 0, rd, rs1, offset),
        Insn::Branch {
            op,
            rs1,
            rs2,
            offset,
        } => b_type(branch_f3(op), rs1, rs2, offset),
        Insn::Load {
            op,
            rd,
            rs1,
            offset,
        } => i_type(0x03, load_f3(op), rd, rs1, offset),
        Insn::Store {
            op,
            rs1,
            rs2,
            offset,
        } => s_type(0x23, store_f3(op), rs1, rs2, offset),
        Insn::OpImm { op, rd, rs1, imm } => match op {
            AluOp::Sll => i_type(0x13, 1, rd, rs1, imm & 63),
            AluOp::Srl => i_type(0x13, 5, rd, rs1, imm & 63),
            AluOp::Sra => i_type(0x13, 5, rd, rs1, (imm & 63) | 0x400),
            AluOp::Add | AluOp::Slt | AluOp::Sltu | AluOp::Xor | AluOp::Or | AluOp::And => {
                i_type(0x13, alu_f3_f7(op).0, rd, rs1, imm)
            }
            _ => return None,
        },
        Insn::OpImm32 { op, rd, rs1, imm } => match op {
            AluOp::Add => i_type(0x1b, 0, rd, rs1, imm),
            AluOp::Sll => i_type(0x1b, 1, rd, rs1, imm & 31),
            AluOp::Srl => i_type(0x1b, 5, rd, rs1, imm & 31),
            AluOp::Sra => i_type(0x1b, 5, rd, rs1, (imm & 31) | 0x400),
            _ => return None,
        },
        Insn::Op { op, rd, rs1, rs2 } => {
            let (f3, f7) = alu_f3_f7(op);
            r_type(0x33, f3, f7, rd, rs1, rs2)
        }
        Insn::Op32 { op, rd, rs1, rs2 } => match op {
            AluOp::Add
            | AluOp::Sub
            | AluOp::Sll
            | AluOp::Srl
            | AluOp::Sra
            | AluOp::Mul
            | AluOp::Div
            | AluOp::Divu
            | AluOp::Rem
            | AluOp::Remu => {
                let (f3, f7) = alu_f3_f7(op);
                r_type(0x3b, f3, f7, rd, rs1, rs2)
            }
            _ => return None,
        },
        Insn::Fence { pred, succ, fm } => {
            (fm as u32 & 0xf) << 28 | (pred as u32 & 0xf) << 24 | (succ as u32 & 0xf) << 20 | 0x0f
        }
        Insn::FenceI => 0x0000_100f,
        Insn::Ecall => 0x0000_0073,
        Insn::Ebreak => 0x0010_0073,
        Insn::Mret => 0x3020_0073,
        Insn::Sret => 0x1020_0073,
        Insn::Wfi => 0x1050_0073,
        Insn::SfenceVma { rs1, rs2 } => r_type(0x73, 0, 0x09, Reg::ZERO, rs1, rs2),
        Insn::Csr { op, rd, rs1, csr } => {
            (csr as u32) << 20 | rb(rs1) << 15 | csr_f3(op) << 12 | rb(rd) << 7 | 0x73
        }
        Insn::CsrImm { op, rd, uimm, csr } => {
            (csr as u32) << 20
                | (uimm as u32 & 31) << 15
                | (csr_f3(op) + 4) << 12
                | rb(rd) << 7
                | 0x73
        }
        Insn::Lr {
            width,
            aq,
            rl,
            rd,
            rs1,
        } => amo_word(0b00010, width, aq, rl, rd, rs1, Reg::ZERO),
        Insn::Sc {
            width,
            aq,
            rl,
            rd,
            rs1,
            rs2,
        } => amo_word(0b00011, width, aq, rl, rd, rs1, rs2),
        Insn::Amo {
            op,
            width,
            aq,
            rl,
            rd,
            rs1,
            rs2,
        } => amo_word(amo_f5(op), width, aq, rl, rd, rs1, rs2),
        _ => return None,
    })
}

impl Enc {
    /// The 32-bit encoding of `insn`; panics unless the decoder gives `insn` back.
    pub fn of(insn: Insn) -> Enc {
        let bits = encode(&insn).unwrap_or_else(|| panic!("no 32-bit encoding for {insn:?}"));
        let got = decode(bits);
        assert!(
            got.len == 4 && got.insn == insn,
            "encoder bug: {insn:?} encoded as {bits:#010x}, which decodes to {:?}",
            got.insn
        );
        Enc { bits, len: 4 }
    }

    /// A compressed encoding; panics unless it decodes to `expect`.
    pub fn c(half: u16, expect: Insn) -> Enc {
        let got = decode(half as u32);
        assert!(
            got.len == 2 && got.insn == expect,
            "encoder bug: {half:#06x} decodes to {:?}, expected {expect:?}",
            got.insn
        );
        Enc {
            bits: half as u32,
            len: 2,
        }
    }

    /// A deliberately illegal encoding; panics unless it decodes to `Illegal`.
    pub fn illegal(bits: u32) -> Enc {
        let d = decode(bits);
        assert_eq!(d.insn, Insn::Illegal, "{bits:#010x} is not illegal");
        Enc::raw(bits)
    }

    /// Any encoding, as the decoder sees it (16 bits when the low bits say RVC).
    pub fn raw(bits: u32) -> Enc {
        let d = decode(bits);
        Enc {
            bits: d.raw,
            len: d.len,
        }
    }
}

// RVC encoders. Register arguments of the 3-bit fields must be x8..x15.

fn c3(r: Reg) -> u16 {
    debug_assert!((8..16).contains(&r.0), "{r:?} is not an RVC register");
    (r.0 - 8) as u16
}

fn c_ci(f3: u16, op: u16, rd: Reg, imm: i64) -> u16 {
    let i = imm as u16;
    f3 << 13 | (i >> 5 & 1) << 12 | (rd.0 as u16) << 7 | (i & 0x1f) << 2 | op
}

/// c.srli (kind 0), c.srai (1), c.andi (2).
fn c_shift_andi(kind: u16, rd: Reg, imm: i64) -> u16 {
    let i = imm as u16;
    4 << 13 | (i >> 5 & 1) << 12 | kind << 10 | c3(rd) << 7 | (i & 0x1f) << 2 | 1
}

/// c.sub/xor/or/and (word = false, f2 = 0..3) and c.subw/addw (word = true, f2 = 0, 1).
fn c_arith(word: bool, f2: u16, rd: Reg, rs2: Reg) -> u16 {
    4 << 13 | (word as u16) << 12 | 3 << 10 | c3(rd) << 7 | f2 << 5 | c3(rs2) << 2 | 1
}

/// c.mv (add = false) and c.add (add = true).
fn c_mv_add(add: bool, rd: Reg, rs2: Reg) -> u16 {
    4 << 13 | (add as u16) << 12 | (rd.0 as u16) << 7 | (rs2.0 as u16) << 2 | 2
}

/// c.jr (link = false) and c.jalr (link = true).
fn c_jr(link: bool, rs1: Reg) -> u16 {
    4 << 13 | (link as u16) << 12 | (rs1.0 as u16) << 7 | 2
}

fn c_addi4spn(rd: Reg, u: u16) -> u16 {
    (u >> 4 & 3) << 11 | (u >> 6 & 0xf) << 7 | (u >> 2 & 1) << 6 | (u >> 3 & 1) << 5 | c3(rd) << 2
}

fn c_addi16sp(imm: i64) -> u16 {
    let i = imm as u16;
    3 << 13
        | (i >> 9 & 1) << 12
        | 2 << 7
        | (i >> 4 & 1) << 6
        | (i >> 6 & 1) << 5
        | (i >> 7 & 3) << 3
        | (i >> 5 & 1) << 2
        | 1
}

/// c.lw/c.sw (f3 2/6, word offsets) and c.ld/c.sd/c.fld/c.fsd (f3 3/7/1/5).
fn c_mem(f3: u16, r_lo: Reg, rs1: Reg, off: i64) -> u16 {
    let u = off as u16;
    let mid = if f3 == 2 || f3 == 6 {
        (u >> 2 & 1) << 6 | (u >> 6 & 1) << 5
    } else {
        (u >> 6 & 3) << 5
    };
    f3 << 13 | (u >> 3 & 7) << 10 | c3(rs1) << 7 | mid | c3(r_lo) << 2
}

fn c_lwsp(rd: Reg, off: i64) -> u16 {
    let u = off as u16;
    2 << 13 | (u >> 5 & 1) << 12 | (rd.0 as u16) << 7 | (u >> 2 & 7) << 4 | (u >> 6 & 3) << 2 | 2
}

/// c.ldsp (f3 = 3) and c.fldsp (f3 = 1).
fn c_ldsp(f3: u16, rd: u8, off: i64) -> u16 {
    let u = off as u16;
    f3 << 13 | (u >> 5 & 1) << 12 | (rd as u16) << 7 | (u >> 3 & 3) << 5 | (u >> 6 & 7) << 2 | 2
}

fn c_swsp(rs2: Reg, off: i64) -> u16 {
    let u = off as u16;
    6 << 13 | (u >> 2 & 0xf) << 9 | (u >> 6 & 3) << 7 | (rs2.0 as u16) << 2 | 2
}

/// c.sdsp (f3 = 7) and c.fsdsp (f3 = 5).
fn c_sdsp(f3: u16, rs2: u8, off: i64) -> u16 {
    let u = off as u16;
    f3 << 13 | (u >> 3 & 7) << 10 | (u >> 6 & 7) << 7 | (rs2 as u16) << 2 | 2
}

fn c_j(off: i64) -> u16 {
    let o = off as u16;
    5 << 13
        | (o >> 11 & 1) << 12
        | (o >> 4 & 1) << 11
        | (o >> 8 & 3) << 9
        | (o >> 10 & 1) << 8
        | (o >> 6 & 1) << 7
        | (o >> 7 & 1) << 6
        | (o >> 1 & 7) << 3
        | (o >> 5 & 1) << 2
        | 1
}

/// c.beqz (ne = false) and c.bnez (ne = true).
fn c_bz(ne: bool, rs1: Reg, off: i64) -> u16 {
    let o = off as u16;
    (6 + ne as u16) << 13
        | (o >> 8 & 1) << 12
        | (o >> 3 & 3) << 10
        | c3(rs1) << 7
        | (o >> 6 & 3) << 5
        | (o >> 1 & 3) << 3
        | (o >> 5 & 1) << 2
        | 1
}

const C_NOP: u16 = 0x0001;

fn c_nop() -> Enc {
    Enc::c(
        C_NOP,
        Insn::OpImm {
            op: AluOp::Add,
            rd: Reg::ZERO,
            rs1: Reg::ZERO,
            imm: 0,
        },
    )
}

/// `lui`+`addiw` halves of a 32-bit constant: `lui` takes `hi`, `addiw` adds `lo`.
fn hi_lo(value: u32) -> (i64, i64) {
    let w = value as i32;
    let lo = (w << 20) >> 20;
    (w.wrapping_sub(lo) as i64, lo as i64)
}

// ---------------------------------------------------------------------------
// Blocks.
// ---------------------------------------------------------------------------

/// Where a forward control transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Skip this many of the following items of the same sequence (past the
    /// last one: the end of the sequence, i.e. a loop's decrement or the
    /// block's final `ecall`).
    Skip(u8),
    /// The block's final `ecall`.
    End,
}

/// How an indirect jump is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JumpForm {
    /// `auipc tmp, 0; jalr rd, off(tmp)`, with bit 0 of the offset set when
    /// `lsb` (jalr clears it).
    Jalr { lsb: bool },
    /// `auipc tmp, 0; addi tmp, tmp, off; c.jr tmp`.
    CJr,
    /// `auipc tmp, 0; addi tmp, tmp, off; c.jalr tmp`.
    CJalr,
}

/// One unit of a block. Items that need their own address or a target's are
/// laid out by [`BlockSpec::assemble`]; removing items keeps a block valid,
/// which is what the shrinker relies on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// One instruction.
    Insn(Enc),
    /// Instructions that only make sense together (address setup + atomic,
    /// LR ... SC, a jump through the boot ROM).
    Seq(Vec<Enc>),
    /// A conditional branch; `compressed` uses c.beqz/c.bnez while in range.
    Branch {
        op: BranchOp,
        rs1: Reg,
        rs2: Reg,
        to: Target,
        compressed: bool,
    },
    /// `jal rd` (or `c.j` when `compressed`, with `rd` = x0).
    Jal {
        rd: Reg,
        to: Target,
        compressed: bool,
    },
    /// An indirect jump to a forward target, through `tmp`.
    JumpReg {
        tmp: Reg,
        rd: Reg,
        to: Target,
        form: JumpForm,
    },
    /// `auipc tmp; addi tmp; csrw mepc/sepc, tmp; mret/sret`: a privilege
    /// change (to `MPP`/`SPP`) that lands on a forward target.
    XRet { tmp: Reg, to: Target, sret: bool },
    /// Self-modifying code: `auipc tmp; lui val; addiw val; sw val, off(tmp);
    /// fence.i` replaces the first standalone 32-bit instruction at or after
    /// the target with `word` (an ALU instruction).
    Smc {
        tmp: Reg,
        val: Reg,
        word: u32,
        to: Target,
    },
    /// `li cnt, n; body; addi cnt, cnt, -1; bnez cnt, body`. No block item
    /// writes `cnt`, and no branch from outside enters the body.
    Loop { cnt: Reg, n: u8, body: Vec<Item> },
}

/// What a base register points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseKind {
    /// Into the data window (accesses are mostly in range).
    Window,
    /// Into the boot ROM (loads work, stores fault).
    Rom,
    /// Nowhere (access faults; some accesses straddle into RAM).
    Unmapped,
    /// The last bytes of RAM (accesses may straddle its end).
    RamEnd,
    /// The test finisher's page (device accesses that never stop the run).
    Device,
}

/// CSR values a block starts with (besides the fixed `mtvec` and zeros).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InitCsrs {
    pub mstatus: u64,
    pub mie: u64,
    pub mip: u64,
    pub mcounteren: u64,
    pub scounteren: u64,
    pub mcountinhibit: u64,
    pub mscratch: u64,
    pub sscratch: u64,
    pub mepc: u64,
    pub sepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub mcycle: u64,
    pub minstret: u64,
}

const INIT_CSR_NAMES: [&str; 14] = [
    "mstatus",
    "mie",
    "mip",
    "mcounteren",
    "scounteren",
    "mcountinhibit",
    "mscratch",
    "sscratch",
    "mepc",
    "sepc",
    "mcause",
    "mtval",
    "mcycle",
    "minstret",
];

impl InitCsrs {
    fn field_mut(&mut self, i: usize) -> &mut u64 {
        match i {
            0 => &mut self.mstatus,
            1 => &mut self.mie,
            2 => &mut self.mip,
            3 => &mut self.mcounteren,
            4 => &mut self.scounteren,
            5 => &mut self.mcountinhibit,
            6 => &mut self.mscratch,
            7 => &mut self.sscratch,
            8 => &mut self.mepc,
            9 => &mut self.sepc,
            10 => &mut self.mcause,
            11 => &mut self.mtval,
            12 => &mut self.mcycle,
            _ => &mut self.minstret,
        }
    }

    fn field(&self, i: usize) -> u64 {
        *self.clone().field_mut(i)
    }

    /// Writes the values into a freshly reset CSR file, legalised the way
    /// the CSR instructions would (so a shrunk value is still a legal state).
    fn apply(&self, c: &mut Csrs) {
        let mut ms = self.mstatus & MSTATUS_LEGAL;
        if (ms >> 11) & 3 == 2 {
            ms |= 3 << 11;
        }
        c.mstatus = ms | MSTATUS_XL;
        // Only SSIE may be enabled, and then SSIP is pending: `wfi` must
        // never wait for a timer or an external interrupt.
        c.mie = self.mie & SSIP;
        c.mip = self.mip & 0x222 | c.mie;
        c.mcounteren = self.mcounteren & 0xffff_ffff;
        c.scounteren = self.scounteren & 0xffff_ffff;
        c.mcountinhibit = self.mcountinhibit & 0xffff_fffd;
        c.mscratch = self.mscratch;
        c.sscratch = self.sscratch;
        c.mepc = self.mepc & !1;
        c.sepc = self.sepc & !1;
        c.mcause = self.mcause;
        c.mtval = self.mtval;
        c.mcycle = self.mcycle;
        c.minstret = self.minstret;
        c.mtvec = HANDLER;
    }
}

/// The state a block starts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Init {
    /// x0..x31 (x0 is ignored).
    pub x: [u64; 32],
    pub prv: Priv,
    pub csrs: InitCsrs,
    /// Offset of the first instruction in the code area (even).
    pub code_off: u64,
    /// Offset into the fixed random data pool of the data area's contents;
    /// `None` for zeros.
    pub data: Option<usize>,
    /// The base registers and what they point at (for reports).
    pub bases: Vec<(Reg, BaseKind)>,
}

/// A random block: its items and its initial state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSpec {
    pub seed: u64,
    pub items: Vec<Item>,
    pub init: Init,
}

/// Generator limits.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// Items per block (at most; the count is uniform in `1..=max_items`).
    pub max_items: usize,
    /// Code bytes per block (at most, roughly). Must keep every in-block
    /// offset within a 12-bit immediate.
    pub max_bytes: u64,
    /// Also access the last 4 KiB page of the address space (on by default;
    /// it once overflowed the PMP check, see the regression test
    /// `access_to_the_last_page_of_the_address_space_is_an_access_fault`).
    pub top_page: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            max_items: 32,
            max_bytes: 1400,
            top_page: true,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Base {
    reg: Reg,
    kind: BaseKind,
    value: u64,
}

/// The offset forms of memory instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OffForm {
    /// A 12-bit signed offset.
    I12,
    /// A 12-bit signed offset computing an atomic's address (mostly aligned).
    Atomic,
    /// An RVC offset: a multiple of `scale` in `0..=max`.
    Unsigned { scale: u64, max: u64 },
}

const LOAD_OPS: [LoadOp; 7] = [
    LoadOp::Lb,
    LoadOp::Lh,
    LoadOp::Lw,
    LoadOp::Ld,
    LoadOp::Lbu,
    LoadOp::Lhu,
    LoadOp::Lwu,
];
const STORE_OPS: [StoreOp; 4] = [StoreOp::Sb, StoreOp::Sh, StoreOp::Sw, StoreOp::Sd];
const BRANCH_OPS: [BranchOp; 6] = [
    BranchOp::Eq,
    BranchOp::Ne,
    BranchOp::Lt,
    BranchOp::Ge,
    BranchOp::Ltu,
    BranchOp::Geu,
];
const OP_OPS: [AluOp; 18] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Sll,
    AluOp::Slt,
    AluOp::Sltu,
    AluOp::Xor,
    AluOp::Srl,
    AluOp::Sra,
    AluOp::Or,
    AluOp::And,
    AluOp::Mul,
    AluOp::Mulh,
    AluOp::Mulhsu,
    AluOp::Mulhu,
    AluOp::Div,
    AluOp::Divu,
    AluOp::Rem,
    AluOp::Remu,
];
const OP32_OPS: [AluOp; 10] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Sll,
    AluOp::Srl,
    AluOp::Sra,
    AluOp::Mul,
    AluOp::Div,
    AluOp::Divu,
    AluOp::Rem,
    AluOp::Remu,
];
const OPIMM_OPS: [AluOp; 9] = [
    AluOp::Add,
    AluOp::Slt,
    AluOp::Sltu,
    AluOp::Xor,
    AluOp::Or,
    AluOp::And,
    AluOp::Sll,
    AluOp::Srl,
    AluOp::Sra,
];
const AMO_OPS: [AmoOp; 9] = [
    AmoOp::Swap,
    AmoOp::Add,
    AmoOp::Xor,
    AmoOp::And,
    AmoOp::Or,
    AmoOp::Min,
    AmoOp::Max,
    AmoOp::Minu,
    AmoOp::Maxu,
];

/// CSRs any block may read: their values are functions of the block alone.
const CSR_READ: [u16; 43] = [
    0x300, 0x100, 0x301, 0x302, 0x303, 0x304, 0x104, 0x344, 0x144, 0x305, 0x105, 0x306, 0x106,
    0x30a, 0x10a, 0x320, 0x340, 0x140, 0x341, 0x141, 0x342, 0x142, 0x343, 0x143, 0x180, 0x3a0,
    0x3a2, 0x3b0, 0x3bf, 0xf11, 0xf12, 0xf13, 0xf14, 0xf15, 0xb00, 0xb02, 0xb03, 0xb1f, 0xc00,
    0xc02, 0xc03, 0x323, 0x33f,
];
/// CSRs any block may write: none redirects traps, enables an interrupt or
/// changes what the harness relies on (`stval`/`scause` hold the handler's
/// saved registers; `sie`/`sip` writes are masked by `mideleg` = 0).
const CSR_WRITE: [u16; 21] = [
    0x340, 0x140, 0x341, 0x141, 0x342, 0x343, 0x180, 0xb00, 0xb02, 0x320, 0x306, 0x106, 0x30a,
    0x10a, 0x105, 0x144, 0x104, 0x301, 0x323, 0xb03, 0x3b0,
];
/// CSRs that do not exist here (or are read-only, for writes).
const CSR_ILLEGAL: [u16; 11] = [
    0x001, 0x002, 0x003, 0x7c0, 0x5c0, 0x3a1, 0x3a3, 0x7b0, 0x800, 0xfff, 0x321,
];
const CSR_READ_ONLY: [u16; 6] = [0xf11, 0xf12, 0xf14, 0xc00, 0xc02, 0xc03];
/// Counters U and S mode may read (when `mcounteren`/`scounteren` allow).
const CSR_COUNTERS: [u16; 3] = [0xc00, 0xc02, 0xc03];
/// CSRs S mode may read and write (satp traps with mstatus.TVM).
const CSR_READ_S: [u16; 13] = [
    0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x143, 0x144, 0x180, 0xc00, 0xc02, 0xc03,
];
const CSR_WRITE_S: [u16; 8] = [0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x180];

/// The generator's state while it builds one block.
struct Gen {
    rng: Rng,
    /// Registers no item may write: base registers and loop counters.
    protected: u32,
    bases: Vec<Base>,
    bytes: u64,
    max_bytes: u64,
    top_page: bool,
    /// The privilege the block starts in (CSR choices mostly suit it).
    prv: Priv,
}

/// The last 4 KiB page of the 64-bit address space.
const TOP_PAGE: u64 = 0xffff_ffff_ffff_f000;

fn is_protected(mask: u32, r: Reg) -> bool {
    mask & (1 << r.0) != 0
}

impl BlockSpec {
    /// Generates block `seed`. The same seed always gives the same block.
    pub fn generate(seed: u64, cfg: &GenConfig) -> BlockSpec {
        let mut g = Gen {
            rng: Rng::new(seed),
            protected: 0,
            bases: Vec::new(),
            bytes: 0,
            max_bytes: cfg.max_bytes,
            top_page: cfg.top_page,
            prv: Priv::M,
        };
        let mut x = [0u64; 32];
        for v in x.iter_mut().skip(1) {
            *v = g.rng.value();
        }
        g.choose_bases(&mut x);
        let (prv, csrs) = g.init_csrs();
        g.prv = prv;
        let code_off = match g.rng.below(20) {
            0..=13 => 0,
            14..=16 => g.rng.below(0x400) * 2,
            // Near the end of the first page: the block crosses into the
            // second, and 32-bit instructions may straddle the boundary.
            _ => 0x1000 - 2 * (1 + g.rng.below(48)),
        };
        let data = if g.rng.chance(90) {
            Some(g.rng.below((POOL_LEN - DATA_LEN) as u64) as usize)
        } else {
            None
        };
        let n = 1 + g.rng.below(cfg.max_items.max(1) as u64) as usize;
        let items = g.items(n, 0);
        let bases = g.bases.iter().map(|b| (b.reg, b.kind)).collect();
        BlockSpec {
            seed,
            items,
            init: Init {
                x,
                prv,
                csrs,
                code_off,
                data,
                bases,
            },
        }
    }
}

impl Gen {
    fn add_base(&mut self, x: &mut [u64; 32], reg: Reg, kind: BaseKind) {
        let r = &mut self.rng;
        let value = match kind {
            BaseKind::Window => match r.below(10) {
                0..=4 => WINDOW + r.below(WINDOW_SIZE / 8) * 8,
                5 | 6 => WINDOW + r.below(WINDOW_SIZE / 4) * 4,
                7 => WINDOW + r.below(WINDOW_SIZE),
                // Near the page boundary in the middle of the window.
                _ => WINDOW + 0x1000 - 16 + r.below(32),
            },
            BaseKind::Rom => BOOT_ROM + r.below(0x100),
            BaseKind::Unmapped => match r.below(6) {
                0 => 0,
                1 => BELOW_RAM,
                2 => 0x4000_0000 + r.below(0x1000),
                3 if self.top_page => u64::MAX - 15,
                3 => TOP_PAGE - 16,
                4 => 0x8000_0000_0000_0000,
                _ => r.next_u64() | 1 << 40,
            },
            BaseKind::RamEnd => RAM_END - 16,
            BaseKind::Device => FINISHER + 16,
        };
        x[reg.idx()] = value;
        self.protected |= 1 << reg.0;
        self.bases.push(Base { reg, kind, value });
    }

    /// A register in `lo..=hi` that is neither protected nor sp.
    fn free_reg(&mut self, lo: u8, hi: u8) -> Option<Reg> {
        let free: Vec<u8> = (lo..=hi)
            .filter(|&r| r != 2 && self.protected & (1 << r) == 0)
            .collect();
        (!free.is_empty()).then(|| Reg(self.rng.pick(&free)))
    }

    fn any_kind(&mut self) -> BaseKind {
        self.rng.pick(&[
            BaseKind::Window,
            BaseKind::Window,
            BaseKind::Rom,
            BaseKind::Unmapped,
            BaseKind::RamEnd,
            BaseKind::Device,
        ])
    }

    fn choose_bases(&mut self, x: &mut [u64; 32]) {
        // A window base that compressed loads and stores can use.
        let r = Reg(8 + self.rng.below(8) as u8);
        self.add_base(x, r, BaseKind::Window);
        if self.rng.chance(50) {
            if let Some(r) = self.free_reg(8, 15) {
                let k = self.any_kind();
                self.add_base(x, r, k);
            }
        }
        if self.rng.chance(35) {
            let k = if self.rng.chance(70) {
                BaseKind::Window
            } else {
                self.any_kind()
            };
            self.add_base(x, Reg::SP, k);
        }
        if let Some(r) = self.free_reg(1, 31) {
            self.add_base(x, r, BaseKind::Window);
        }
        for kind in [
            BaseKind::Rom,
            BaseKind::Unmapped,
            BaseKind::RamEnd,
            BaseKind::Device,
        ] {
            if self.rng.chance(30) {
                if let Some(r) = self.free_reg(1, 31) {
                    self.add_base(x, r, kind);
                }
            }
        }
    }

    fn init_csrs(&mut self) -> (Priv, InitCsrs) {
        let r = &mut self.rng;
        // "Armed": SSIE enabled and SSIP pending, so an interrupt is taken as
        // soon as a block sets mstatus.MIE or drops to S or U mode.
        let armed = r.chance(10);
        let prv = if armed {
            Priv::M
        } else {
            match r.below(10) {
                0..=5 => Priv::M,
                6 | 7 => Priv::S,
                _ => Priv::U,
            }
        };
        let mut ms = r.pick(&[0u64, 1, 3]) << 11 | r.below(2) << 8;
        for (bit, p) in [
            (1u64 << 7, 50),
            (1 << 5, 50),
            (1 << 18, 30),
            (1 << 19, 30),
            (1 << 20, 15),
            (1 << 21, 15),
            (1 << 22, 15),
            (1 << 17, 10),
            (MSTATUS_SIE, 20),
        ] {
            if r.chance(p) {
                ms |= bit;
            }
        }
        if !armed && r.chance(20) {
            ms |= MSTATUS_MIE;
        }
        let (mie, mip) = if armed {
            (SSIP, SSIP)
        } else {
            (0, r.pick(&[0, 2, 0x20, 0x22]))
        };
        let counter = |r: &mut Rng| match r.below(3) {
            0 => 0,
            1 => r.next_u64(),
            _ => u64::MAX - r.below(64),
        };
        let csrs = InitCsrs {
            mstatus: ms,
            mie,
            mip,
            mcounteren: r.pick(&[0, 7, 5, 2, 0xffff_ffff]),
            scounteren: r.pick(&[0, 7, 1, 0xffff_ffff]),
            mcountinhibit: if r.chance(20) { r.pick(&[1, 4, 5]) } else { 0 },
            mscratch: r.value(),
            sscratch: r.value(),
            mepc: r.value() & !1,
            sepc: r.value() & !1,
            mcause: r.value(),
            mtval: r.value(),
            mcycle: counter(r),
            minstret: counter(r),
        };
        (prv, csrs)
    }

    // ---- Registers ----------------------------------------------------------

    /// Any source register.
    fn src(&mut self) -> Reg {
        if self.rng.chance(5) {
            Reg::ZERO
        } else {
            Reg(1 + self.rng.below(31) as u8)
        }
    }

    fn src_c(&mut self) -> Reg {
        Reg(8 + self.rng.below(8) as u8)
    }

    /// A destination register (x0 now and then).
    fn dst(&mut self) -> Reg {
        if self.rng.chance(4) {
            Reg::ZERO
        } else {
            self.dst_nonzero()
        }
    }

    fn dst_nonzero(&mut self) -> Reg {
        loop {
            let r = Reg(1 + self.rng.below(31) as u8);
            if !is_protected(self.protected, r) {
                return r;
            }
        }
    }

    /// A writable register of the RVC 3-bit fields, if any.
    fn dst_c(&mut self) -> Option<Reg> {
        let free: Vec<u8> = (8..16)
            .filter(|&r| self.protected & (1 << r) == 0)
            .collect();
        (!free.is_empty()).then(|| Reg(self.rng.pick(&free)))
    }

    fn writes_ok(&self, insn: &Insn) -> bool {
        match *insn {
            Insn::OpImm { rd, .. }
            | Insn::OpImm32 { rd, .. }
            | Insn::Op { rd, .. }
            | Insn::Op32 { rd, .. }
            | Insn::Lui { rd, .. }
            | Insn::Auipc { rd, .. } => !is_protected(self.protected, rd),
            _ => false,
        }
    }

    // ---- Items --------------------------------------------------------------

    fn items(&mut self, n: usize, depth: usize) -> Vec<Item> {
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            if self.bytes >= self.max_bytes {
                break;
            }
            let it = self.item(depth);
            self.bytes += match &it {
                Item::Loop { .. } => 12,
                it => item_size(it, true),
            };
            v.push(it);
        }
        v
    }

    fn item(&mut self, depth: usize) -> Item {
        loop {
            let it = match self.rng.below(100) {
                0..=13 => Some(Item::Insn(self.alu())),
                14..=23 => self.c_alu().map(Item::Insn),
                24..=26 => Some(Item::Insn(self.fuzz())),
                27..=36 => self.load(),
                37..=44 => self.store(),
                45..=51 => self.c_load_store(),
                52..=55 => self.amo(),
                56..=58 => self.lr_sc(),
                59..=65 => Some(self.branch()),
                66 | 67 => Some(self.jal()),
                68 | 69 => Some(self.jump_reg()),
                70..=72 if depth == 0 => Some(self.loop_item(depth)),
                73..=79 => Some(Item::Insn(self.csr())),
                80 | 81 => Some(Item::Insn(self.fence())),
                82 | 83 => Some(Item::Insn(self.system())),
                84 => Some(self.xret()),
                85 if self.rng.chance(50) => Some(Item::Insn(self.illegal())),
                85 => self.fp(),
                86 => Some(Item::Insn(self.csr())),
                87 => Some(self.smc()),
                88 => self.wild_jump(),
                _ => Some(Item::Insn(self.alu())),
            };
            if let Some(it) = it {
                return it;
            }
        }
    }

    fn target(&mut self) -> Target {
        if self.rng.chance(25) {
            Target::End
        } else {
            Target::Skip(self.rng.below(5) as u8)
        }
    }

    /// A random 32-bit integer ALU instruction (RV64I + M) writing `rd`.
    fn alu_insn(&mut self, rd: Reg) -> Insn {
        let (rs1, rs2) = (self.src(), self.src());
        match self.rng.below(10) {
            0..=3 => Insn::Op {
                op: self.rng.pick(&OP_OPS),
                rd,
                rs1,
                rs2,
            },
            4..=6 => {
                let op = self.rng.pick(&OPIMM_OPS);
                let imm = match op {
                    AluOp::Sll | AluOp::Srl | AluOp::Sra => self.rng.shamt(64),
                    _ => self.rng.imm12(),
                };
                Insn::OpImm { op, rd, rs1, imm }
            }
            7 => Insn::Op32 {
                op: self.rng.pick(&OP32_OPS),
                rd,
                rs1,
                rs2,
            },
            8 => {
                let op = self
                    .rng
                    .pick(&[AluOp::Add, AluOp::Sll, AluOp::Srl, AluOp::Sra]);
                let imm = if op == AluOp::Add {
                    self.rng.imm12()
                } else {
                    self.rng.shamt(32)
                };
                Insn::OpImm32 { op, rd, rs1, imm }
            }
            _ => {
                let imm = ((self.rng.next_u64() as u32 & 0xffff_f000) as i32) as i64;
                if self.rng.chance(50) {
                    Insn::Lui { rd, imm }
                } else {
                    Insn::Auipc { rd, imm }
                }
            }
        }
    }

    fn alu(&mut self) -> Enc {
        let rd = self.dst();
        Enc::of(self.alu_insn(rd))
    }

    /// A compressed integer instruction (quadrants 1 and 2 arithmetic).
    fn c_alu(&mut self) -> Option<Enc> {
        let imm6 = self.rng.range(-32, 31);
        let add = AluOp::Add;
        Some(match self.rng.below(14) {
            0 => {
                let rd = self.dst_nonzero();
                let e = c_ci(0, 1, rd, imm6);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op: add,
                        rd,
                        rs1: rd,
                        imm: imm6,
                    },
                )
            }
            1 => {
                let rd = self.dst_nonzero();
                let e = c_ci(2, 1, rd, imm6);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op: add,
                        rd,
                        rs1: Reg::ZERO,
                        imm: imm6,
                    },
                )
            }
            2 => {
                let rd = self.dst_nonzero();
                if rd == Reg::SP || imm6 == 0 {
                    return None;
                }
                Enc::c(
                    c_ci(3, 1, rd, imm6),
                    Insn::Lui {
                        rd,
                        imm: imm6 << 12,
                    },
                )
            }
            3 => {
                let rd = self.dst_nonzero();
                let e = c_ci(1, 1, rd, imm6);
                Enc::c(
                    e,
                    Insn::OpImm32 {
                        op: add,
                        rd,
                        rs1: rd,
                        imm: imm6,
                    },
                )
            }
            4 => {
                let rd = self.dst_nonzero();
                let sh = self.rng.shamt(64);
                let e = c_ci(0, 2, rd, sh);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op: AluOp::Sll,
                        rd,
                        rs1: rd,
                        imm: sh,
                    },
                )
            }
            5..=7 => {
                let rd = self.dst_c()?;
                let kind = self.rng.below(3) as u16;
                let (op, imm) = match kind {
                    0 => (AluOp::Srl, self.rng.shamt(64)),
                    1 => (AluOp::Sra, self.rng.shamt(64)),
                    _ => (AluOp::And, imm6),
                };
                let e = c_shift_andi(kind, rd, imm);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op,
                        rd,
                        rs1: rd,
                        imm,
                    },
                )
            }
            8 | 9 => {
                let rd = self.dst_c()?;
                let rs2 = self.src_c();
                let (word, f2) = self.rng.pick(&[
                    (false, 0),
                    (false, 1),
                    (false, 2),
                    (false, 3),
                    (true, 0),
                    (true, 1),
                ]);
                let op = match (word, f2) {
                    (false, 0) | (true, 0) => AluOp::Sub,
                    (false, 1) => AluOp::Xor,
                    (false, 2) => AluOp::Or,
                    (false, _) => AluOp::And,
                    (true, _) => AluOp::Add,
                };
                let insn = if word {
                    Insn::Op32 {
                        op,
                        rd,
                        rs1: rd,
                        rs2,
                    }
                } else {
                    Insn::Op {
                        op,
                        rd,
                        rs1: rd,
                        rs2,
                    }
                };
                Enc::c(c_arith(word, f2, rd, rs2), insn)
            }
            10 => {
                let rd = self.dst_nonzero();
                let rs2 = Reg(1 + self.rng.below(31) as u8);
                Enc::c(
                    c_mv_add(false, rd, rs2),
                    Insn::Op {
                        op: add,
                        rd,
                        rs1: Reg::ZERO,
                        rs2,
                    },
                )
            }
            11 => {
                let rd = self.dst_nonzero();
                let rs2 = Reg(1 + self.rng.below(31) as u8);
                Enc::c(
                    c_mv_add(true, rd, rs2),
                    Insn::Op {
                        op: add,
                        rd,
                        rs1: rd,
                        rs2,
                    },
                )
            }
            12 => {
                let rd = self.dst_c()?;
                let u = 4 * (1 + self.rng.below(255)) as u16;
                let insn = Insn::OpImm {
                    op: add,
                    rd,
                    rs1: Reg::SP,
                    imm: u as i64,
                };
                Enc::c(c_addi4spn(rd, u), insn)
            }
            _ => {
                if is_protected(self.protected, Reg::SP) || self.rng.chance(30) {
                    return Some(c_nop());
                }
                let mut k = self.rng.range(-32, 31);
                if k == 0 {
                    k = 1;
                }
                let imm = 16 * k;
                let sp = Reg::SP;
                Enc::c(
                    c_addi16sp(imm),
                    Insn::OpImm {
                        op: add,
                        rd: sp,
                        rs1: sp,
                        imm,
                    },
                )
            }
        })
    }

    /// A random word in an ALU opcode space: whatever the decoder makes of
    /// it (illegal encodings included) as long as it writes no protected register.
    fn fuzz(&mut self) -> Enc {
        loop {
            if self.rng.chance(60) {
                let op = self.rng.pick(&[0x13u32, 0x1b, 0x33, 0x3b, 0x37, 0x17]);
                let w = (self.rng.next_u64() as u32 & !0x7f) | op;
                let d = decode(w);
                if self.writes_ok(&d.insn) || d.insn == Insn::Illegal && self.rng.chance(15) {
                    return Enc::raw(w);
                }
            } else {
                let h = self.rng.next_u64() as u32 & 0x1ffc;
                let h = match self.rng.below(3) {
                    0 => h | (self.rng.below(5) as u32) << 13 | 1,
                    1 => h | 2,
                    _ => h,
                };
                let d = decode(h);
                if self.writes_ok(&d.insn) || d.insn == Insn::Illegal && self.rng.chance(15) {
                    return Enc::raw(h);
                }
            }
        }
    }

    // ---- Memory -------------------------------------------------------------

    fn pick_base(&mut self, ok: impl Fn(&Base) -> bool) -> Option<Base> {
        let all: Vec<Base> = self.bases.iter().copied().filter(|b| ok(b)).collect();
        let windows: Vec<Base> = all
            .iter()
            .copied()
            .filter(|b| b.kind == BaseKind::Window)
            .collect();
        if !windows.is_empty() && self.rng.chance(75) {
            Some(self.rng.pick(&windows))
        } else if all.is_empty() {
            None
        } else {
            Some(self.rng.pick(&all))
        }
    }

    /// An effective address in the data window for a `size`-byte access.
    fn window_ea(&mut self, size: u64, atomic: bool) -> u64 {
        let r = &mut self.rng;
        let aligned = WINDOW + r.below(WINDOW_SIZE / size) * size;
        match r.below(20) {
            0..=18 if atomic => aligned,
            0..=13 => aligned,
            14..=16 => WINDOW + r.below(WINDOW_SIZE - size),
            // Across the page boundary in the middle of the window.
            17 | 18 if size > 1 => WINDOW + 0x1000 - 1 - r.below(size - 1),
            _ => {
                if r.chance(50) {
                    WINDOW
                } else {
                    WINDOW + WINDOW_SIZE - size
                }
            }
        }
    }

    /// Whether an access at `ea` through base `b` is one the harness allows:
    /// it stays inside the compared areas, or faults, or reads a device.
    fn ea_ok(&self, b: &Base, ea: u64, size: u64, store: bool) -> bool {
        if !self.top_page && ea.checked_add(size).is_none_or(|end| end > TOP_PAGE) {
            return false;
        }
        match b.kind {
            BaseKind::Window => ea >= DATA_LO && ea + size <= DATA_HI,
            BaseKind::Unmapped if b.value == BELOW_RAM => ea < RAM_BASE,
            // Offset 0 is the finisher's command register.
            BaseKind::Device => !(store && ea == FINISHER),
            _ => true,
        }
    }

    /// The offset of an access of `size` bytes through `b`.
    fn mem_offset(&mut self, b: &Base, size: u64, store: bool, form: OffForm) -> i64 {
        for _ in 0..16 {
            let off = match form {
                OffForm::Unsigned { scale, max } => {
                    (scale * self.rng.below(max / scale + 1)) as i64
                }
                OffForm::I12 | OffForm::Atomic => match b.kind {
                    BaseKind::Window => {
                        let ea = self.window_ea(size, form == OffForm::Atomic);
                        ea.wrapping_sub(b.value) as i64
                    }
                    BaseKind::Rom => self.rng.range(-16, 255),
                    BaseKind::Unmapped if b.value == BELOW_RAM => self.rng.range(0, 15),
                    BaseKind::Unmapped => self.rng.range(-16, 16),
                    BaseKind::RamEnd => self.rng.range(-8, 24),
                    BaseKind::Device => self.rng.range(-16, 32),
                },
            };
            let in_range = match form {
                OffForm::Unsigned { .. } => true,
                _ => (-2048..=2047).contains(&off),
            };
            if in_range && self.ea_ok(b, b.value.wrapping_add(off as u64), size, store) {
                return off;
            }
        }
        0
    }

    fn load(&mut self) -> Option<Item> {
        let op = self.rng.pick(&LOAD_OPS);
        let b = self.pick_base(|_| true)?;
        let rd = self.dst();
        let offset = self.mem_offset(&b, op.size() as u64, false, OffForm::I12);
        Some(Item::Insn(Enc::of(Insn::Load {
            op,
            rd,
            rs1: b.reg,
            offset,
        })))
    }

    fn store(&mut self) -> Option<Item> {
        let op = self.rng.pick(&STORE_OPS);
        let b = self.pick_base(|_| true)?;
        let rs2 = self.src();
        let offset = self.mem_offset(&b, op.size() as u64, true, OffForm::I12);
        Some(Item::Insn(Enc::of(Insn::Store {
            op,
            rs1: b.reg,
            rs2,
            offset,
        })))
    }

    /// c.lw/c.ld/c.sw/c.sd through an x8..x15 base, c.lwsp/... through sp.
    fn c_load_store(&mut self) -> Option<Item> {
        let dword = self.rng.chance(50);
        let size = if dword { 8 } else { 4 };
        let enc = match self.rng.below(6) {
            0 | 1 => {
                let b = self.pick_base(|b| (8..16).contains(&b.reg.0))?;
                let rd = self.dst_c()?;
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 31 * size,
                };
                let offset = self.mem_offset(&b, size, false, form);
                let (f3, op) = if dword {
                    (3, LoadOp::Ld)
                } else {
                    (2, LoadOp::Lw)
                };
                let insn = Insn::Load {
                    op,
                    rd,
                    rs1: b.reg,
                    offset,
                };
                Enc::c(c_mem(f3, rd, b.reg, offset), insn)
            }
            2 | 3 => {
                let b = self.pick_base(|b| (8..16).contains(&b.reg.0))?;
                let rs2 = self.src_c();
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 31 * size,
                };
                let offset = self.mem_offset(&b, size, true, form);
                let (f3, op) = if dword {
                    (7, StoreOp::Sd)
                } else {
                    (6, StoreOp::Sw)
                };
                let insn = Insn::Store {
                    op,
                    rs1: b.reg,
                    rs2,
                    offset,
                };
                Enc::c(c_mem(f3, rs2, b.reg, offset), insn)
            }
            4 => {
                let b = self.pick_base(|b| b.reg == Reg::SP)?;
                let rd = self.dst_nonzero();
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 63 * size,
                };
                let offset = self.mem_offset(&b, size, false, form);
                let sp = Reg::SP;
                if dword {
                    let insn = Insn::Load {
                        op: LoadOp::Ld,
                        rd,
                        rs1: sp,
                        offset,
                    };
                    Enc::c(c_ldsp(3, rd.0, offset), insn)
                } else {
                    let insn = Insn::Load {
                        op: LoadOp::Lw,
                        rd,
                        rs1: sp,
                        offset,
                    };
                    Enc::c(c_lwsp(rd, offset), insn)
                }
            }
            _ => {
                let b = self.pick_base(|b| b.reg == Reg::SP)?;
                let rs2 = self.src();
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 63 * size,
                };
                let offset = self.mem_offset(&b, size, true, form);
                let sp = Reg::SP;
                if dword {
                    let insn = Insn::Store {
                        op: StoreOp::Sd,
                        rs1: sp,
                        rs2,
                        offset,
                    };
                    Enc::c(c_sdsp(7, rs2.0, offset), insn)
                } else {
                    let insn = Insn::Store {
                        op: StoreOp::Sw,
                        rs1: sp,
                        rs2,
                        offset,
                    };
                    Enc::c(c_swsp(rs2, offset), insn)
                }
            }
        };
        Some(Item::Insn(enc))
    }

    /// `addi tmp, base, off` for an atomic access of `size` bytes.
    fn atomic_addr(&mut self, size: u64) -> Option<(Base, Reg, Enc)> {
        let b = self.pick_base(|_| true)?;
        let tmp = self.dst_nonzero();
        let imm = self.mem_offset(&b, size, true, OffForm::Atomic);
        let e = Enc::of(Insn::OpImm {
            op: AluOp::Add,
            rd: tmp,
            rs1: b.reg,
            imm,
        });
        Some((b, tmp, e))
    }

    fn width(&mut self) -> AmoWidth {
        if self.rng.chance(50) {
            AmoWidth::W
        } else {
            AmoWidth::D
        }
    }

    fn amo(&mut self) -> Option<Item> {
        let width = self.width();
        let (_, tmp, addr) = self.atomic_addr(width.size() as u64)?;
        let insn = Insn::Amo {
            op: self.rng.pick(&AMO_OPS),
            width,
            aq: self.rng.chance(30),
            rl: self.rng.chance(30),
            rd: self.dst(),
            rs1: tmp,
            rs2: self.src(),
        };
        Some(Item::Seq(vec![addr, Enc::of(insn)]))
    }

    /// LR ... SC on one address, with stores of the same or another value,
    /// ALU work or a width mismatch in between; sometimes a lone SC.
    fn lr_sc(&mut self) -> Option<Item> {
        let width = self.width();
        let (b, tmp, addr) = self.atomic_addr(width.size() as u64)?;
        let mut v = vec![addr];
        let rd1 = loop {
            let r = self.dst();
            if r != tmp {
                break r;
            }
        };
        let (aq, rl) = (self.rng.chance(30), self.rng.chance(30));
        if !self.rng.chance(15) {
            v.push(Enc::of(Insn::Lr {
                width,
                aq,
                rl,
                rd: rd1,
                rs1: tmp,
            }));
        }
        for _ in 0..self.rng.below(3) {
            let same = match width {
                AmoWidth::W => StoreOp::Sw,
                AmoWidth::D => StoreOp::Sd,
            };
            let e = match self.rng.below(4) {
                0 => Insn::Store {
                    op: same,
                    rs1: tmp,
                    rs2: rd1,
                    offset: 0,
                },
                1 if b.kind == BaseKind::Window => Insn::Store {
                    op: self.rng.pick(&STORE_OPS),
                    rs1: tmp,
                    rs2: self.src(),
                    offset: self.rng.pick(&[0, 4, 8]),
                },
                _ => {
                    let rd = loop {
                        let r = self.dst();
                        if r != tmp {
                            break r;
                        }
                    };
                    self.alu_insn(rd)
                }
            };
            v.push(Enc::of(e));
        }
        let sc_width = if self.rng.chance(85) {
            width
        } else {
            self.width()
        };
        v.push(Enc::of(Insn::Sc {
            width: sc_width,
            aq,
            rl,
            rd: self.dst(),
            rs1: tmp,
            rs2: self.src(),
        }));
        Some(Item::Seq(v))
    }

    // ---- Control flow -------------------------------------------------------

    fn branch(&mut self) -> Item {
        let op = self.rng.pick(&BRANCH_OPS);
        let to = self.target();
        if matches!(op, BranchOp::Eq | BranchOp::Ne) && self.rng.chance(35) {
            return Item::Branch {
                op,
                rs1: self.src_c(),
                rs2: Reg::ZERO,
                to,
                compressed: true,
            };
        }
        Item::Branch {
            op,
            rs1: self.src(),
            rs2: self.src(),
            to,
            compressed: false,
        }
    }

    fn jal(&mut self) -> Item {
        let rd = if self.rng.chance(40) {
            Reg::ZERO
        } else {
            self.dst()
        };
        Item::Jal {
            rd,
            to: self.target(),
            compressed: rd == Reg::ZERO && self.rng.chance(50),
        }
    }

    fn jump_reg(&mut self) -> Item {
        let tmp = self.dst_nonzero();
        let form = match self.rng.below(5) {
            0..=2 => JumpForm::Jalr {
                lsb: self.rng.chance(30),
            },
            3 => JumpForm::CJr,
            _ if !is_protected(self.protected, Reg::RA) => JumpForm::CJalr,
            _ => JumpForm::Jalr { lsb: false },
        };
        Item::JumpReg {
            tmp,
            rd: self.dst(),
            to: self.target(),
            form,
        }
    }

    fn loop_item(&mut self, depth: usize) -> Item {
        let cnt = self.dst_nonzero();
        self.protected |= 1 << cnt.0;
        // Now and then more iterations than the tiered engine's hot
        // threshold (32), so that it compiles the body in the middle of a run.
        let n = if self.rng.chance(10) {
            33 + self.rng.below(8) as u8
        } else {
            1 + self.rng.below(4) as u8
        };
        let len = 1 + self.rng.below(6) as usize;
        let body = self.items(len, depth + 1);
        self.protected &= !(1 << cnt.0);
        Item::Loop { cnt, n, body }
    }

    fn xret(&mut self) -> Item {
        Item::XRet {
            tmp: self.dst_nonzero(),
            to: self.target(),
            sret: self.rng.chance(40),
        }
    }

    fn smc(&mut self) -> Item {
        let tmp = self.dst_nonzero();
        let val = loop {
            let r = self.dst_nonzero();
            if r != tmp {
                break r;
            }
        };
        let word = self.alu().bits;
        Item::Smc {
            tmp,
            val,
            word,
            to: self.target(),
        }
    }

    /// A jump out of the block: into the boot ROM (which jumps on to the
    /// image entry, an `ecall`), to an unmapped address, or to the end of RAM.
    fn wild_jump(&mut self) -> Option<Item> {
        if self.rng.chance(40) {
            let tmp = self.dst_nonzero();
            let lui = Enc::of(Insn::Lui {
                rd: tmp,
                imm: BOOT_ROM as i64,
            });
            let jalr = Enc::of(Insn::Jalr {
                rd: self.dst(),
                rs1: tmp,
                offset: 0,
            });
            return Some(Item::Seq(vec![lui, jalr]));
        }
        let b = self.pick_base(|b| matches!(b.kind, BaseKind::Unmapped | BaseKind::RamEnd))?;
        let offset = match b.kind {
            BaseKind::Unmapped if b.value == BELOW_RAM => self.rng.range(0, 8),
            _ => self.rng.range(-8, 8),
        };
        if !self.ea_ok(&b, b.value.wrapping_add(offset as u64) & !1, 4, false) {
            return None;
        }
        Some(Item::Insn(Enc::of(Insn::Jalr {
            rd: self.dst(),
            rs1: b.reg,
            offset,
        })))
    }

    // ---- System -------------------------------------------------------------

    fn csr(&mut self) -> Enc {
        let rd = self.dst();
        // Below M mode most CSRs trap; mostly pick ones the block's starting
        // privilege may use, so that blocks go on.
        if self.prv != Priv::M && self.rng.chance(80) {
            let (reads, writes): (&[u16], &[u16]) = match self.prv {
                Priv::S => (&CSR_READ_S, &CSR_WRITE_S),
                _ => (&CSR_COUNTERS, &[]),
            };
            let insn = if writes.is_empty() || self.rng.chance(40) {
                Insn::Csr {
                    op: CsrOp::Rs,
                    rd,
                    rs1: Reg::ZERO,
                    csr: self.rng.pick(reads),
                }
            } else {
                Insn::Csr {
                    op: self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                    rd,
                    rs1: self.src(),
                    csr: self.rng.pick(writes),
                }
            };
            return Enc::of(insn);
        }
        let (op, csr, src) = match self.rng.below(10) {
            // Reads: csrrs/csrrc with x0 or a zero immediate write nothing.
            0..=3 => (
                self.rng.pick(&[CsrOp::Rs, CsrOp::Rc]),
                self.rng.pick(&CSR_READ),
                None,
            ),
            4..=7 => (
                self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                self.rng.pick(&CSR_WRITE),
                Some(()),
            ),
            8 => (
                self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                self.rng.pick(&[CSR_MSTATUS, CSR_SSTATUS]),
                Some(()),
            ),
            _ => {
                if self.rng.chance(50) {
                    (
                        self.rng.pick(&[CsrOp::Rw, CsrOp::Rs]),
                        self.rng.pick(&CSR_ILLEGAL),
                        Some(()),
                    )
                } else {
                    (CsrOp::Rw, self.rng.pick(&CSR_READ_ONLY), Some(()))
                }
            }
        };
        let imm_form = self.rng.chance(40);
        let insn = match (src, imm_form) {
            (None, false) => Insn::Csr {
                op,
                rd,
                rs1: Reg::ZERO,
                csr,
            },
            (None, true) => Insn::CsrImm {
                op,
                rd,
                uimm: 0,
                csr,
            },
            (Some(()), false) => Insn::Csr {
                op,
                rd,
                rs1: self.src(),
                csr,
            },
            (Some(()), true) => {
                // mstatus immediates: SIE (2) and MIE (8) are the bits in reach.
                let uimm = if csr == CSR_MSTATUS && self.rng.chance(50) {
                    self.rng.pick(&[8, 2, 10])
                } else {
                    self.rng.below(32) as u8
                };
                Insn::CsrImm { op, rd, uimm, csr }
            }
        };
        Enc::of(insn)
    }

    fn fence(&mut self) -> Enc {
        Enc::of(match self.rng.below(5) {
            0 | 1 => Insn::Fence {
                pred: self.rng.below(16) as u8,
                succ: self.rng.below(16) as u8,
                fm: 0,
            },
            2 => Insn::Fence {
                pred: 3,
                succ: 3,
                fm: 8,
            },
            3 => Insn::FenceI,
            _ => Insn::SfenceVma {
                rs1: self.src(),
                rs2: self.src(),
            },
        })
    }

    fn system(&mut self) -> Enc {
        match self.rng.below(10) {
            0..=2 => Enc::of(Insn::Ecall),
            3 | 4 => Enc::of(Insn::Ebreak),
            5 => Enc::c(0x9002, Insn::Ebreak),
            _ => Enc::of(Insn::Wfi),
        }
    }

    /// An encoding the decoder must reject.
    fn illegal(&mut self) -> Enc {
        let r = self.rng.next_u64() as u32;
        let reg = |n: u32| Reg((r >> n & 31) as u8);
        Enc::illegal(match self.rng.below(9) {
            0 => 0x0000,
            1 => 0xffff_ffff,
            // custom-0
            2 => r & !0x7f | 0x0b,
            // OP with an unassigned funct7.
            3 => r_type(
                0x33,
                r >> 7 & 7,
                self.rng.pick(&[0x02, 0x03, 0x08, 0x40, 0x7f]),
                reg(10),
                reg(15),
                reg(20),
            ),
            // Reserved RVC: c.lwsp x0, c.jr x0, c.addiw x0, c.lui imm=0,
            // c.addi16sp imm=0, the RV128 arithmetic slots.
            4 => self.rng.pick(&[
                0x4002 | (r & 0x107c),
                0x8002,
                0x2001 | (r & 0x107c),
                0x6081,
                0x6101,
                0x9c41,
                0x9c61,
            ]),
            // SYSTEM funct3 = 4 (hypervisor loads/stores).
            5 => r & !0x707f | 0x4073,
            // AMO with an unassigned funct5, LR with rs2 != 0.
            6 => {
                if self.rng.chance(50) {
                    amo_word(0b00101, AmoWidth::W, false, false, reg(7), reg(12), reg(17))
                } else {
                    let rs2 = Reg(1 + (r >> 20) as u8 % 31);
                    amo_word(0b00010, AmoWidth::D, false, false, reg(7), reg(12), rs2)
                }
            }
            // LOAD funct3 = 7, STORE funct3 >= 4.
            7 => i_type(0x03, 7, reg(7), reg(15), self.rng.imm12()),
            _ => s_type(0x23, 4 + (r & 3), reg(15), reg(20), self.rng.imm12()),
        })
    }

    /// An F/D instruction: decoded, but illegal until F/D execute (then it
    /// must behave the same everywhere, so memory forms use a base register).
    fn fp(&mut self) -> Option<Item> {
        let r = self.rng.next_u64() as u32;
        let f = |n: u32| Reg((r >> n & 31) as u8);
        let bits = match self.rng.below(10) {
            0 => r_type(0x53, 7, 0x00, f(0), f(5), f(10)),
            1 => r_type(0x53, 0, 0x09, f(0), f(5), f(10)),
            2 => r_type(0x53, 0, 0x11, f(0), f(5), f(10)),
            3 => r_type(0x53, 0, 0x71, self.dst(), f(5), Reg::ZERO),
            4 => r_type(0x53, 7, 0x69, f(0), self.src(), Reg(2)),
            5 => r_type(0x53, 2, 0x51, self.dst(), f(5), f(10)),
            6 => (r >> 15 & 31) << 27 | r_type(0x43, 7, 0, f(0), f(5), f(10)),
            7 => {
                let b = self.pick_base(|_| true)?;
                let dword = self.rng.chance(50);
                let size = if dword { 8 } else { 4 };
                let off = self.mem_offset(&b, size, false, OffForm::I12);
                i_type(0x07, 2 + dword as u32, f(0), b.reg, off)
            }
            8 => {
                let b = self.pick_base(|_| true)?;
                let dword = self.rng.chance(50);
                let size = if dword { 8 } else { 4 };
                let off = self.mem_offset(&b, size, true, OffForm::I12);
                s_type(0x27, 2 + dword as u32, b.reg, f(0), off)
            }
            _ => {
                // c.fld/c.fsd through x8..x15, c.fldsp/c.fsdsp through sp.
                let store = self.rng.chance(50);
                let form = OffForm::Unsigned { scale: 8, max: 248 };
                if self.rng.chance(50) {
                    let b = self.pick_base(|b| (8..16).contains(&b.reg.0))?;
                    let off = self.mem_offset(&b, 8, store, form);
                    let fr = Reg(8 + (r & 7) as u8);
                    c_mem(if store { 5 } else { 1 }, fr, b.reg, off) as u32
                } else {
                    let b = self.pick_base(|b| b.reg == Reg::SP)?;
                    let form = OffForm::Unsigned { scale: 8, max: 504 };
                    let off = self.mem_offset(&b, 8, store, form);
                    if store {
                        c_sdsp(5, (r & 31) as u8, off) as u32
                    } else {
                        c_ldsp(1, (r & 31) as u8, off) as u32
                    }
                }
            }
        };
        let d = decode(bits);
        assert!(
            !matches!(
                d.insn,
                Insn::Illegal | Insn::Load { .. } | Insn::Store { .. } | Insn::OpImm { .. }
            ),
            "{bits:#x} is not an F/D instruction: {:?}",
            d.insn
        );
        Some(Item::Insn(Enc::raw(bits)))
    }
}

// ---------------------------------------------------------------------------
// Assembly.
// ---------------------------------------------------------------------------

/// One laid-out instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub addr: u64,
    pub enc: Enc,
    /// A standalone instruction self-modifying code may replace.
    smc_ok: bool,
}

/// A block placed in the code area, ready to run.
#[derive(Clone, Debug)]
pub struct Assembled {
    /// The first instruction.
    pub pc: u64,
    /// The final `ecall`.
    pub end: u64,
    pub lines: Vec<Line>,
    /// The whole code area's bytes.
    pub code: Vec<u8>,
    pub init: Init,
}

/// Layout of one item (and of a loop's body).
#[derive(Clone, Debug, Default)]
struct Placed {
    addr: u64,
    /// A compressed branch/jump that did not reach: use the 32-bit form.
    wide: bool,
    body: Vec<Placed>,
    body_end: u64,
}

fn item_size(it: &Item, wide: bool) -> u64 {
    match it {
        Item::Insn(e) => e.len as u64,
        Item::Seq(v) => v.iter().map(|e| e.len as u64).sum(),
        Item::Branch { compressed, .. } | Item::Jal { compressed, .. } => {
            if *compressed && !wide {
                2
            } else {
                4
            }
        }
        Item::JumpReg { form, .. } => match form {
            JumpForm::Jalr { .. } => 8,
            JumpForm::CJr | JumpForm::CJalr => 10,
        },
        Item::XRet { .. } => 16,
        Item::Smc { .. } => 20,
        Item::Loop { body, .. } => 12 + body.iter().map(|b| item_size(b, wide)).sum::<u64>(),
    }
}

fn place(items: &[Item], mut pc: u64, prev: &[Placed]) -> (Vec<Placed>, u64) {
    let mut v = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let old = prev.get(i);
        let wide = old.is_some_and(|p| p.wide);
        let addr = pc;
        if let Item::Loop { body, .. } = it {
            let (b, end) = place(body, pc + 4, old.map_or(&[][..], |p| &p.body));
            pc = end + 8;
            v.push(Placed {
                addr,
                wide,
                body: b,
                body_end: end,
            });
        } else {
            pc += item_size(it, wide);
            v.push(Placed {
                addr,
                wide,
                ..Placed::default()
            });
        }
    }
    (v, pc)
}

struct SmcFixup {
    line: usize,
    auipc: u64,
    target: u64,
    tmp: Reg,
    val: Reg,
}

struct Emitter {
    pc: u64,
    lines: Vec<Line>,
    fixups: Vec<SmcFixup>,
}

impl Emitter {
    fn put(&mut self, enc: Enc, smc_ok: bool) {
        self.lines.push(Line {
            addr: self.pc,
            enc,
            smc_ok,
        });
        self.pc += enc.len as u64;
    }
}

fn resolve(to: Target, i: usize, placed: &[Placed], seq_end: u64, block_end: u64) -> u64 {
    match to {
        Target::End => block_end,
        Target::Skip(k) => placed.get(i + 1 + k as usize).map_or(seq_end, |p| p.addr),
    }
}

/// Emits `items`; false when a compressed transfer was out of range (it is
/// marked wide and the caller lays the block out again).
fn emit(
    items: &[Item],
    placed: &mut [Placed],
    seq_end: u64,
    block_end: u64,
    em: &mut Emitter,
) -> bool {
    let mut ok = true;
    let add = AluOp::Add;
    for (i, it) in items.iter().enumerate() {
        debug_assert_eq!(em.pc, placed[i].addr);
        let pc = em.pc;
        let target = |to: Target| resolve(to, i, placed, seq_end, block_end);
        match it {
            Item::Insn(e) => em.put(*e, e.len == 4),
            Item::Seq(v) => v.iter().for_each(|e| em.put(*e, false)),
            &Item::Branch {
                op,
                rs1,
                rs2,
                to,
                compressed,
            } => {
                let offset = target(to) as i64 - pc as i64;
                if compressed && !placed[i].wide {
                    if (-256..=254).contains(&offset) {
                        let insn = Insn::Branch {
                            op,
                            rs1,
                            rs2,
                            offset,
                        };
                        em.put(Enc::c(c_bz(op == BranchOp::Ne, rs1, offset), insn), true);
                    } else {
                        placed[i].wide = true;
                        ok = false;
                        em.put(c_nop(), false);
                    }
                } else {
                    em.put(
                        Enc::of(Insn::Branch {
                            op,
                            rs1,
                            rs2,
                            offset,
                        }),
                        true,
                    );
                }
            }
            &Item::Jal { rd, to, compressed } => {
                let offset = target(to) as i64 - pc as i64;
                if compressed && !placed[i].wide {
                    if (-2048..=2046).contains(&offset) {
                        em.put(
                            Enc::c(
                                c_j(offset),
                                Insn::Jal {
                                    rd: Reg::ZERO,
                                    offset,
                                },
                            ),
                            true,
                        );
                    } else {
                        placed[i].wide = true;
                        ok = false;
                        em.put(c_nop(), false);
                    }
                } else {
                    em.put(Enc::of(Insn::Jal { rd, offset }), true);
                }
            }
            &Item::JumpReg { tmp, rd, to, form } => {
                let off = target(to) as i64 - pc as i64;
                em.put(Enc::of(Insn::Auipc { rd: tmp, imm: 0 }), false);
                match form {
                    JumpForm::Jalr { lsb } => {
                        let offset = off + lsb as i64;
                        em.put(
                            Enc::of(Insn::Jalr {
                                rd,
                                rs1: tmp,
                                offset,
                            }),
                            false,
                        );
                    }
                    JumpForm::CJr | JumpForm::CJalr => {
                        let link = form == JumpForm::CJalr;
                        em.put(
                            Enc::of(Insn::OpImm {
                                op: add,
                                rd: tmp,
                                rs1: tmp,
                                imm: off,
                            }),
                            false,
                        );
                        let rd = if link { Reg::RA } else { Reg::ZERO };
                        let insn = Insn::Jalr {
                            rd,
                            rs1: tmp,
                            offset: 0,
                        };
                        em.put(Enc::c(c_jr(link, tmp), insn), false);
                    }
                }
            }
            &Item::XRet { tmp, to, sret } => {
                let off = target(to) as i64 - pc as i64;
                em.put(Enc::of(Insn::Auipc { rd: tmp, imm: 0 }), false);
                em.put(
                    Enc::of(Insn::OpImm {
                        op: add,
                        rd: tmp,
                        rs1: tmp,
                        imm: off,
                    }),
                    false,
                );
                let csr = if sret { CSR_SEPC } else { CSR_MEPC };
                let op = CsrOp::Rw;
                em.put(
                    Enc::of(Insn::Csr {
                        op,
                        rd: Reg::ZERO,
                        rs1: tmp,
                        csr,
                    }),
                    false,
                );
                em.put(Enc::of(if sret { Insn::Sret } else { Insn::Mret }), false);
            }
            &Item::Smc { tmp, val, word, to } => {
                let (hi, lo) = hi_lo(word);
                let t = target(to);
                em.put(Enc::of(Insn::Auipc { rd: tmp, imm: 0 }), false);
                em.put(Enc::of(Insn::Lui { rd: val, imm: hi }), false);
                em.put(
                    Enc::of(Insn::OpImm32 {
                        op: add,
                        rd: val,
                        rs1: val,
                        imm: lo,
                    }),
                    false,
                );
                em.fixups.push(SmcFixup {
                    line: em.lines.len(),
                    auipc: pc,
                    target: t,
                    tmp,
                    val,
                });
                let op = StoreOp::Sw;
                em.put(
                    Enc::of(Insn::Store {
                        op,
                        rs1: tmp,
                        rs2: val,
                        offset: 0,
                    }),
                    false,
                );
                em.put(Enc::of(Insn::FenceI), false);
            }
            Item::Loop { cnt, n, body } => {
                let cnt = *cnt;
                let imm = *n as i64;
                em.put(
                    Enc::of(Insn::OpImm {
                        op: add,
                        rd: cnt,
                        rs1: Reg::ZERO,
                        imm,
                    }),
                    false,
                );
                let start = em.pc;
                let body_end = placed[i].body_end;
                ok &= emit(body, &mut placed[i].body, body_end, block_end, em);
                em.put(
                    Enc::of(Insn::OpImm {
                        op: add,
                        rd: cnt,
                        rs1: cnt,
                        imm: -1,
                    }),
                    false,
                );
                let offset = start as i64 - em.pc as i64;
                let back = Insn::Branch {
                    op: BranchOp::Ne,
                    rs1: cnt,
                    rs2: Reg::ZERO,
                    offset,
                };
                em.put(Enc::of(back), false);
            }
        }
    }
    ok
}

impl BlockSpec {
    /// Lays the block out in the code area and encodes it.
    pub fn assemble(&self) -> Assembled {
        let pc = CODE_BASE + (self.init.code_off & !1).min(0x1000);
        let mut placed = Vec::new();
        loop {
            let (p, end) = place(&self.items, pc, &placed);
            placed = p;
            let mut em = Emitter {
                pc,
                lines: Vec::new(),
                fixups: Vec::new(),
            };
            if !emit(&self.items, &mut placed, end, end, &mut em) {
                continue;
            }
            assert_eq!(em.pc, end, "layout and emission disagree");
            // The final ecall, and a second one in case self-modifying code
            // replaced the first.
            em.put(Enc::of(Insn::Ecall), true);
            em.put(Enc::of(Insn::Ecall), false);
            assert!(
                em.pc <= CODE_BASE + CODE_SIZE,
                "block too large: ends at {:#x}",
                em.pc
            );
            let mut lines = em.lines;
            for f in em.fixups {
                let t = lines
                    .iter()
                    .find(|l| l.addr >= f.target && l.enc.len == 4 && l.smc_ok)
                    .map_or(end, |l| l.addr);
                let offset = t as i64 - f.auipc as i64;
                let (op, rs1, rs2) = (StoreOp::Sw, f.tmp, f.val);
                lines[f.line].enc = Enc::of(Insn::Store {
                    op,
                    rs1,
                    rs2,
                    offset,
                });
            }
            let mut code = vec![0u8; CODE_SIZE as usize];
            for l in &lines {
                let o = (l.addr - CODE_BASE) as usize;
                let n = l.enc.len as usize;
                code[o..o + n].copy_from_slice(&l.enc.bits.to_le_bytes()[..n]);
            }
            return Assembled {
                pc,
                end,
                lines,
                code,
                init: self.init.clone(),
            };
        }
    }
}

// ---------------------------------------------------------------------------
// Machines, runners and snapshots.
// ---------------------------------------------------------------------------

const POOL_LEN: usize = DATA_LEN + 0x8000;

/// A fixed pool of random data the data area is filled from.
fn pool() -> &'static [u8] {
    static POOL: OnceLock<Vec<u8>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut rng = Rng::new(0xda7a_da7a);
        let mut v = Vec::with_capacity(POOL_LEN);
        while v.len() < POOL_LEN {
            v.extend_from_slice(&rng.value().to_le_bytes());
        }
        v
    })
}

fn data_bytes(d: Option<usize>) -> &'static [u8] {
    static ZEROS: [u8; DATA_LEN] = [0; DATA_LEN];
    match d {
        Some(o) => &pool()[o..o + DATA_LEN],
        None => &ZEROS,
    }
}

/// The fixed code: the trap handler at `HANDLER`, an `ecall` at `ROM_RETURN`.
fn fixed_code() -> Vec<u8> {
    let (t0, t1) = (Reg(5), Reg(6));
    let handler = [
        Insn::Csr {
            op: CsrOp::Rw,
            rd: Reg::ZERO,
            rs1: t0,
            csr: CSR_STVAL,
        },
        Insn::Csr {
            op: CsrOp::Rw,
            rd: Reg::ZERO,
            rs1: t1,
            csr: CSR_SCAUSE,
        },
        Insn::Lui {
            rd: t0,
            imm: FINISHER as i64,
        },
        Insn::Lui {
            rd: t1,
            imm: 0x5000,
        },
        Insn::OpImm32 {
            op: AluOp::Add,
            rd: t1,
            rs1: t1,
            imm: 0x555,
        },
        Insn::Store {
            op: StoreOp::Sw,
            rs1: t0,
            rs2: t1,
            offset: 0,
        },
        Insn::Jal {
            rd: Reg::ZERO,
            offset: 0,
        },
    ];
    let mut bytes = vec![0u8; (ROM_RETURN - HANDLER + 4) as usize];
    for (i, insn) in handler.iter().enumerate() {
        bytes[4 * i..4 * i + 4].copy_from_slice(&Enc::of(*insn).bits.to_le_bytes());
    }
    debug_assert_eq!(HANDLER + 4 * 6, HANDLER_DONE);
    let at = (ROM_RETURN - HANDLER) as usize;
    bytes[at..at + 4].copy_from_slice(&Enc::of(Insn::Ecall).bits.to_le_bytes());
    bytes
}

/// Builds the machine every block of one engine runs on.
pub fn build_machine(engine: Engine) -> Machine {
    build_machine_with(engine, false)
}

/// Like [`build_machine`]; with `guarded`, RAM sits behind WorldGuard
/// checkers in their reset state, which grant everything to the hart's
/// world: results must not change, but every access takes the lazy IOMMU
/// translation path (fill, late walk, IOTLB, patching).
pub fn build_machine_with(engine: Engine, guarded: bool) -> Machine {
    let mut cfg = Config::new("differential-test-block");
    cfg.engine = engine;
    cfg.ram_size = RAM_SIZE;
    if guarded {
        cfg.worldguard = Some(runtime::machine::WgOptions::default());
    }
    let image = Image {
        entry: ROM_RETURN,
        segments: vec![Segment::new(HANDLER, fixed_code())],
        tohost: None,
        fromhost: None,
    };
    Machine::from_image(&cfg, image, Box::new(std::io::sink()))
        .expect("the differential-test machine builds")
}

/// Drops whatever decoded or translated code the engines keep for the
/// pages softmmu reports as written: the harness writes code from the host,
/// which no engine sees on its own. A new engine with a code cache of its
/// own must be told here too.
fn forget_stale_code(m: &mut Machine) {
    let pages = m.mmu.take_dirty_code();
    if pages.is_empty() {
        return;
    }
    m.icache.invalidate_pages(&pages);
    if let Some(jit) = m.jit.as_mut() {
        jit.invalidate_pages(&pages);
    }
}

/// Writes guest RAM from the host. Every page written is first written
/// through the guest path (`write_phys`, one byte), so that softmmu reports
/// it as dirty if some engine holds decoded or translated code for it: any
/// page a block may execute (code area, RAM tail) and any other page must
/// not keep stale code from an earlier block.
fn host_write(m: &mut Machine, at: u64, bytes: &[u8]) {
    let end = at + bytes.len() as u64;
    let mut page = at & !0xfff;
    while page < end {
        let a = page.max(at);
        m.mmu
            .write_phys(GuestPhysAddr(a), 1, bytes[(a - at) as usize] as u64);
        page += 0x1000;
    }
    m.mmu
        .space
        .load_bytes(GuestPhysAddr(at), bytes)
        .expect("harness memory is RAM");
}

/// Puts the block and its initial state into `m`.
pub fn load_block(m: &mut Machine, b: &Assembled) {
    host_write(m, CODE_BASE, &b.code);
    let fixed = fixed_code();
    if m.mmu.space.peek_bytes(GuestPhysAddr(HANDLER), fixed.len()) != Some(&fixed[..]) {
        host_write(m, HANDLER, &fixed);
    }
    host_write(m, DATA_LO, data_bytes(b.init.data));
    host_write(m, RAM_END - TAIL, &[0; TAIL as usize]);
    forget_stale_code(m);

    let h = &mut m.hart;
    h.reset(b.pc);
    h.state.x = b.init.x;
    h.state.x[0] = 0;
    h.prv = b.init.prv;
    b.init.csrs.apply(&mut h.csr);
    h.tlb_flush = false;
    m.mmu.flush_all();
}

/// The state after a block, in a form that compares field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// What `Machine::run` returned (`None`: a reset request).
    pub exit: Option<RunExit>,
    /// Instructions executed, including the ones that trapped.
    pub insns: u64,
    /// Registers, pc, privilege, reservation, CSRs: see [`scalar_names`].
    pub scalars: Vec<u64>,
    /// The bytes of each of `MEM_REGIONS`.
    pub mem: Vec<Vec<u8>>,
    /// The message of a host panic during the run (then nothing else is
    /// captured). Any panic is a failure: no guest action may panic the host.
    pub panic: Option<String>,
}

type CsrField = (&'static str, fn(&Csrs) -> u64);

const CSR_FIELDS: [CsrField; 28] = [
    ("mstatus", |c| c.mstatus),
    ("medeleg", |c| c.medeleg),
    ("mideleg", |c| c.mideleg),
    ("mie", |c| c.mie),
    ("mip (software bits)", |c| c.mip),
    ("mtvec", |c| c.mtvec),
    ("mcounteren", |c| c.mcounteren),
    ("mcountinhibit", |c| c.mcountinhibit),
    ("menvcfg", |c| c.menvcfg),
    ("mscratch", |c| c.mscratch),
    ("mepc", |c| c.mepc),
    ("mcause", |c| c.mcause),
    ("mtval", |c| c.mtval),
    ("stvec", |c| c.stvec),
    ("scounteren", |c| c.scounteren),
    ("senvcfg", |c| c.senvcfg),
    ("sscratch", |c| c.sscratch),
    ("sepc", |c| c.sepc),
    ("scause (saved t1)", |c| c.scause),
    ("stval (saved t0)", |c| c.stval),
    ("satp", |c| c.satp),
    ("mcycle", |c| c.mcycle),
    ("minstret", |c| c.minstret),
    ("mhartid", |c| c.mhartid),
    ("pmpcfg0-7", |c| {
        u64::from_le_bytes(c.pmpcfg[..8].try_into().expect("8 bytes"))
    }),
    ("pmpcfg8-15", |c| {
        u64::from_le_bytes(c.pmpcfg[8..].try_into().expect("8 bytes"))
    }),
    ("pmpaddr0", |c| c.pmpaddr[0]),
    ("pmpaddr1-15 (xor)", |c| {
        c.pmpaddr[1..].iter().fold(0, |a, v| a ^ v)
    }),
];

const SCALAR_PC: usize = 64;
const SCALAR_PRIV: usize = 65;
const SCALAR_CSRS: usize = 70;

/// The names of [`Snapshot::scalars`], in order.
pub fn scalar_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<String> = (1..32).map(|i| format!("x{i} ({})", ABI[i])).collect();
        v.extend((0..32).map(|i| format!("f{i}")));
        v.extend(
            [
                "fcsr",
                "pc",
                "privilege",
                "reservation valid",
                "reservation address",
                "reservation size",
                "reservation value",
            ]
            .map(String::from),
        );
        debug_assert_eq!(v.len(), SCALAR_CSRS);
        v.extend(CSR_FIELDS.iter().map(|(n, _)| n.to_string()));
        v
    })
}

impl Snapshot {
    /// Captures `m`'s state after a run.
    pub fn take(m: &Machine, exit: Option<RunExit>, insns: u64) -> Snapshot {
        let h = &m.hart;
        let mut s = Vec::with_capacity(SCALAR_CSRS + CSR_FIELDS.len());
        s.extend_from_slice(&h.state.x[1..]);
        s.extend_from_slice(&h.state.f);
        s.extend([h.state.fcsr as u64, h.state.pc, h.prv as u64]);
        match h.reservation {
            Some(r) => s.extend([1, r.pa.0, r.size as u64, r.value]),
            None => s.extend([0, 0, 0, 0]),
        }
        s.extend(CSR_FIELDS.iter().map(|(_, f)| f(&h.csr)));
        let mem = MEM_REGIONS
            .iter()
            .map(|&(lo, hi)| {
                m.mmu
                    .space
                    .peek_bytes(GuestPhysAddr(lo), (hi - lo) as usize)
                    .expect("compared memory is RAM")
                    .to_vec()
            })
            .collect();
        Snapshot {
            exit,
            insns,
            scalars: s,
            mem,
            panic: None,
        }
    }

    fn panicked(payload: &(dyn std::any::Any + Send)) -> Snapshot {
        let msg = match (
            payload.downcast_ref::<&str>(),
            payload.downcast_ref::<String>(),
        ) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => "(no message)".to_string(),
        };
        let msg = match PANIC_LOCATION.with(|l| l.take()) {
            Some(at) => format!("{msg} (at {at})"),
            None => msg,
        };
        Snapshot {
            exit: None,
            insns: 0,
            scalars: Vec::new(),
            mem: Vec::new(),
            panic: Some(msg),
        }
    }

    /// The value of the CSR field `name` (a [`CSR_FIELDS`] name prefix).
    pub fn csr(&self, name: &str) -> u64 {
        let i = CSR_FIELDS
            .iter()
            .position(|(n, _)| n.starts_with(name))
            .unwrap_or_else(|| panic!("no CSR field {name}"));
        self.scalars[SCALAR_CSRS + i]
    }

    pub fn pc(&self) -> u64 {
        self.scalars[SCALAR_PC]
    }

    /// Integer register `i` as the block left it (t0/t1 from where the
    /// handler saved them).
    pub fn x(&self, i: usize) -> u64 {
        match i {
            0 => 0,
            5 if self.pc() == HANDLER_DONE => self.csr("stval"),
            6 if self.pc() == HANDLER_DONE => self.csr("scause"),
            _ => self.scalars[i - 1],
        }
    }
}

/// Something that runs blocks: an engine's machine, or a deliberately broken one.
pub trait Runner {
    fn name(&self) -> String;
    fn run(&mut self, block: &Assembled) -> Snapshot;
    /// Engine counters worth printing after a campaign (e.g. TBs compiled).
    fn counters(&self) -> Option<String> {
        None
    }
}

/// Runs blocks with one of the runtime's engines.
pub struct EngineRunner {
    pub engine: Engine,
    pub machine: Machine,
    /// Report the number of instructions executed (`Machine::insns`, which
    /// `--max-insns` counts) for comparison. It is not architectural state;
    /// `minstret` and `mcycle` are compared either way.
    pub count_insns: bool,
}

impl EngineRunner {
    pub fn new(engine: Engine) -> EngineRunner {
        EngineRunner {
            engine,
            machine: build_machine(engine),
            count_insns: true,
        }
    }

    /// A runner whose RAM is behind WorldGuard checkers that grant
    /// everything (see [`build_machine_with`]).
    pub fn guarded(engine: Engine) -> EngineRunner {
        EngineRunner {
            engine,
            machine: build_machine_with(engine, true),
            count_insns: true,
        }
    }
}

impl Runner for EngineRunner {
    fn name(&self) -> String {
        let guarded = if self.machine.mmu.space.has_iommus() {
            "+guarded"
        } else {
            ""
        };
        format!("{:?}{guarded}", self.engine).to_lowercase()
    }

    fn run(&mut self, block: &Assembled) -> Snapshot {
        let m = &mut self.machine;
        load_block(m, block);
        let start = m.insns;
        let exit = m.run(Some(start + BLOCK_INSN_LIMIT));
        let insns = if self.count_insns { m.insns - start } else { 0 };
        Snapshot::take(m, exit, insns)
    }

    fn counters(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(jit) = self.machine.jit.as_ref() {
            let c = jit.jit_stats();
            parts.push(format!(
                "{} TBs compiled in {:.1} s, {:?}",
                c.compiled,
                c.compile_time.as_secs_f64(),
                jit.stats
            ));
        }
        let m = self.machine.mmu.stats;
        if self.machine.mmu.space.has_iommus() {
            parts.push(format!(
                "iommu translations {:?} slow-path {:?} iotlb-hits {} patched {}",
                m.iommu_translations, m.iommu_slow, m.iotlb_hits, m.iommu_patched
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The runners for `engines`, in order (the first is the reference).
pub fn engine_runners(engines: &[Engine]) -> Vec<Box<dyn Runner>> {
    engines
        .iter()
        .map(|&e| Box::new(EngineRunner::new(e)) as Box<dyn Runner>)
        .collect()
}

/// Like [`engine_runners`], without comparing instruction counts.
pub fn engine_runners_uncounted(engines: &[Engine]) -> Vec<Box<dyn Runner>> {
    engines
        .iter()
        .map(|&e| {
            let mut r = EngineRunner::new(e);
            r.count_insns = false;
            Box::new(r) as Box<dyn Runner>
        })
        .collect()
}

/// A deliberate bug, for proving that the harness finds bugs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mutation {
    /// `sll` by 32 or more shifts by the amount mod 32 (a wrong shift mask).
    Sll,
    /// `sb` stores the low byte of rs2 with bit 0 flipped.
    Sb,
    /// Illegal-instruction traps write 0 to mtval instead of the encoding.
    Tval,
}

/// A reference interpreter with one deliberate bug: it steps the machine
/// itself (the same order of interrupt checks and steps as the run loop)
/// and corrupts the result of the mutated instruction.
pub struct MutantRunner {
    pub mutation: Mutation,
    machine: Machine,
}

impl MutantRunner {
    pub fn new(mutation: Mutation) -> MutantRunner {
        MutantRunner {
            mutation,
            machine: build_machine(Engine::Reference),
        }
    }

    fn step(&mut self) {
        let m = &mut self.machine;
        let (hart, mmu) = (&mut m.hart, &mut m.mmu);
        let d = match interp::fetch(hart, mmu) {
            Ok(d) => d,
            Err(e) => return hart.raise(e),
        };
        let before = hart.state.x;
        let r = interp::execute(hart, mmu, &d);
        match (self.mutation, d.insn, &r) {
            (
                Mutation::Sll,
                Insn::Op {
                    op: AluOp::Sll,
                    rd,
                    rs1,
                    rs2,
                },
                Ok(_),
            ) => {
                let sh = before[rs2.idx()] & 63;
                if sh >= 32 {
                    hart.state.set_x(rd.idx(), before[rs1.idx()] << (sh & 31));
                }
            }
            (
                Mutation::Sb,
                Insn::Store {
                    op: StoreOp::Sb,
                    rs1,
                    rs2,
                    offset,
                },
                Ok(_),
            ) => {
                let ea = before[rs1.idx()].wrapping_add(offset as u64);
                if (DATA_LO..DATA_HI).contains(&ea) {
                    let byte = before[rs2.idx()] as u8 ^ 1;
                    let _ = mmu.space.load_bytes(GuestPhysAddr(ea), &[byte]);
                }
            }
            _ => {}
        }
        if let Err(e) = r {
            let e = match (self.mutation, e) {
                (Mutation::Tval, Exception::Illegal(_)) => Exception::Illegal(0),
                (_, e) => e,
            };
            hart.raise(e);
        }
        forget_stale_code(m);
        m.mmu.device_touched = false;
    }
}

impl Runner for MutantRunner {
    fn name(&self) -> String {
        format!("mutant-{:?}", self.mutation).to_lowercase()
    }

    fn run(&mut self, block: &Assembled) -> Snapshot {
        load_block(&mut self.machine, block);
        let start = self.machine.insns;
        let limit = start + BLOCK_INSN_LIMIT;
        let exit = loop {
            let m = &mut self.machine;
            if m.hart.state.pc == HANDLER_DONE {
                // Collects the finisher's exit without executing anything.
                break m.run(Some(m.insns));
            }
            if m.insns >= limit {
                break Some(RunExit::InsnLimit);
            }
            if let Some(irq) = m.hart.pending_interrupt() {
                m.hart.interrupt(irq);
            }
            m.insns += 1;
            self.step();
        };
        let m = &self.machine;
        Snapshot::take(m, exit, m.insns - start)
    }
}

// ---------------------------------------------------------------------------
// Comparing and reporting.
// ---------------------------------------------------------------------------

thread_local! {
    /// Set while `run_all` catches panics on this thread.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic happened.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Wraps the panic hook once: panics caught by `run_all` are recorded
/// (location) instead of printed, so shrinking a panic stays quiet; every
/// other panic goes to the previous hook as before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let at = info.location().map(|l| l.to_string());
                PANIC_LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `block` on every runner. A runner that panics yields a snapshot
/// holding the panic message (its machine is reset by the next block).
pub fn run_all(runners: &mut [Box<dyn Runner>], block: &Assembled) -> Vec<Snapshot> {
    install_panic_hook();
    runners
        .iter_mut()
        .map(|r| {
            CATCHING.with(|c| c.set(true));
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| r.run(block)));
            CATCHING.with(|c| c.set(false));
            result.unwrap_or_else(|p| Snapshot::panicked(&*p))
        })
        .collect()
}

/// How the runs of one block failed: which runners panicked, which
/// disagree with the reference (the first). `None` when all is well.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Failure {
    panicked: Vec<bool>,
    differs: Vec<bool>,
}

fn failure(snaps: &[Snapshot]) -> Option<Failure> {
    let f = Failure {
        panicked: snaps.iter().map(|s| s.panic.is_some()).collect(),
        differs: snaps.iter().map(|s| s != &snaps[0]).collect(),
    };
    (f.panicked.contains(&true) || f.differs.contains(&true)).then_some(f)
}

fn diverges(snaps: &[Snapshot]) -> bool {
    failure(snaps).is_some()
}

/// Every difference between `a` (engine `an`) and `b` (engine `bn`), one per line.
pub fn differences(a: &Snapshot, b: &Snapshot, an: &str, bn: &str) -> Vec<String> {
    let mut d = Vec::new();
    if a.panic.is_some() || b.panic.is_some() {
        for (name, s) in [(an, a), (bn, b)] {
            if let Some(p) = &s.panic {
                d.push(format!(
                    "{name} PANICKED (a host panic on guest input): {p}"
                ));
            }
        }
        return d;
    }
    if a.exit != b.exit {
        d.push(format!("run result: {an} {:?}, {bn} {:?}", a.exit, b.exit));
    }
    if a.insns != b.insns {
        d.push(format!(
            "instructions executed: {an} {}, {bn} {}",
            a.insns, b.insns
        ));
    }
    for (i, name) in scalar_names().iter().enumerate() {
        if a.scalars[i] != b.scalars[i] {
            d.push(format!(
                "{name}: {an} {:#x}, {bn} {:#x}",
                a.scalars[i], b.scalars[i]
            ));
        }
    }
    for (r, &(lo, _)) in MEM_REGIONS.iter().enumerate() {
        let (x, y) = (&a.mem[r], &b.mem[r]);
        let mut j = 0;
        let mut shown = 0;
        while j < x.len() {
            if x[j] == y[j] {
                j += 1;
                continue;
            }
            let start = j;
            while j < x.len() && j < start + 16 && x[j] != y[j] {
                j += 1;
            }
            if shown < 8 {
                d.push(format!(
                    "memory {:#x}..{:#x}: {an} {:02x?}, {bn} {:02x?}",
                    lo + start as u64,
                    lo + j as u64,
                    &x[start..j],
                    &y[start..j]
                ));
            }
            shown += 1;
        }
        if shown > 8 {
            d.push(format!("... {} more differing memory ranges", shown - 8));
        }
    }
    d
}

fn priv_name(p: u64) -> &'static str {
    match p {
        0 => "U",
        1 => "S",
        3 => "M",
        _ => "?",
    }
}

/// The listing of an assembled block: address, encoding, disassembly.
pub fn listing(asm: &Assembled) -> String {
    let mut s = String::new();
    for l in &asm.lines {
        let d = decode(l.enc.bits);
        let raw = if l.enc.len == 2 {
            format!("{:04x}    ", l.enc.bits)
        } else {
            format!("{:08x}", l.enc.bits)
        };
        let mark = if l.addr == asm.end {
            "   <- end of block"
        } else {
            ""
        };
        let _ = writeln!(s, "  {:#010x}: {raw}  {}{mark}", l.addr, disasm(&d, l.addr));
    }
    s
}

/// Why the reference run of a block ended.
pub fn end_reason(asm: &Assembled, s: &Snapshot) -> &'static str {
    match s.exit {
        Some(RunExit::InsnLimit) => return "instruction limit",
        None => return "reset",
        Some(RunExit::Exited(c)) if c != 0 || s.pc() != HANDLER_DONE => return "finisher",
        _ => {}
    }
    let cause = s.csr("mcause");
    if cause >> 63 == 1 {
        return "interrupt";
    }
    match cause {
        8 | 9 | 11 if s.csr("mepc") == asm.end => "completed",
        0 => "instruction address misaligned",
        1 => "instruction access fault",
        2 => "illegal instruction",
        3 => "breakpoint",
        4 => "load address misaligned",
        5 => "load access fault",
        6 => "store/AMO address misaligned",
        7 => "store/AMO access fault",
        8 => "ecall from U",
        9 => "ecall from S",
        11 => "ecall from M",
        12 => "instruction page fault",
        13 => "load page fault",
        15 => "store/AMO page fault",
        _ => "other",
    }
}

/// Runs `spec` on every runner and describes the block, its initial state,
/// the reference's outcome and how every other runner differs.
pub fn report(runners: &mut [Box<dyn Runner>], spec: &BlockSpec) -> String {
    let asm = spec.assemble();
    let snaps = run_all(runners, &asm);
    let names: Vec<String> = runners.iter().map(|r| r.name()).collect();
    let mut s = String::new();
    let init = &spec.init;
    let _ = writeln!(
        s,
        "block: {} items, {} instructions, privilege {:?}, first instruction at {:#x}",
        spec.items.len(),
        asm.lines.len() - 2,
        init.prv,
        asm.pc
    );
    s.push_str(&listing(&asm));
    let _ = writeln!(s, "initial registers:");
    for row in 0..8 {
        let mut line = String::new();
        for col in 0..4 {
            let i = row * 4 + col;
            if i == 0 {
                let _ = write!(line, "  {:>18}    ", "");
                continue;
            }
            let _ = write!(line, "  {:>4}={:#018x}", ABI[i], init.x[i]);
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let bases: Vec<String> = init
        .bases
        .iter()
        .map(|(r, k)| format!("{}:{k:?}", ABI[r.idx()]))
        .collect();
    let _ = writeln!(s, "base registers: {}", bases.join(" "));
    let csrs: Vec<String> = (0..INIT_CSR_NAMES.len())
        .map(|i| format!("{}={:#x}", INIT_CSR_NAMES[i], init.csrs.field(i)))
        .collect();
    let _ = writeln!(s, "initial CSRs: {} mtvec={HANDLER:#x}", csrs.join(" "));
    let _ = writeln!(
        s,
        "data area {DATA_LO:#x}..{DATA_HI:#x}: {}",
        match init.data {
            Some(o) => format!("random pool at offset {o}"),
            None => "zeros".to_string(),
        }
    );
    let r = &snaps[0];
    if let Some(p) = &r.panic {
        let _ = writeln!(s, "{} panicked: {p}", names[0]);
    } else {
        // Zero means the runners do not count instructions.
        let ran = match r.insns {
            0 => "?".to_string(),
            n => n.to_string(),
        };
        let _ = writeln!(
            s,
            "{} ran {ran} instructions: {:?}, {}",
            names[0],
            r.exit,
            end_reason(&asm, r),
        );
        let _ = writeln!(
            s,
            "  then pc={:#x} privilege={} mcause={:#x} mepc={:#x} mtval={:#x}",
            r.pc(),
            priv_name(r.scalars[SCALAR_PRIV]),
            r.csr("mcause"),
            r.csr("mepc"),
            r.csr("mtval")
        );
    }
    for (other, name) in snaps.iter().zip(&names).skip(1) {
        let d = differences(r, other, &names[0], name);
        if d.is_empty() {
            let _ = writeln!(s, "{name} agrees with {}", names[0]);
        } else {
            let _ = writeln!(s, "{name} differs from {}:", names[0]);
            for line in d {
                let _ = writeln!(s, "  {line}");
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------
// Shrinking.
// ---------------------------------------------------------------------------

struct Shrinker<'a> {
    runners: &'a mut [Box<dyn Runner>],
    /// The original failure: a candidate must fail the same way (so
    /// shrinking a divergence does not drift to an unrelated panic).
    target: Option<Failure>,
    best: BlockSpec,
    runs: usize,
    budget: usize,
}

fn seq_paths(items: &[Item], prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    for (i, it) in items.iter().enumerate() {
        if let Item::Loop { body, .. } = it {
            prefix.push(i);
            seq_paths(body, prefix, out);
            prefix.pop();
        }
    }
}

fn seq_mut<'a>(items: &'a mut Vec<Item>, path: &[usize]) -> Option<&'a mut Vec<Item>> {
    match path.split_first() {
        None => Some(items),
        Some((&i, rest)) => match items.get_mut(i)? {
            Item::Loop { body, .. } => seq_mut(body, rest),
            _ => None,
        },
    }
}

fn seq_len(items: &[Item], path: &[usize]) -> Option<usize> {
    match path.split_first() {
        None => Some(items.len()),
        Some((&i, rest)) => match items.get(i)? {
            Item::Loop { body, .. } => seq_len(body, rest),
            _ => None,
        },
    }
}

/// A value of the initial state the shrinker simplifies.
#[derive(Clone, Copy)]
enum Field {
    X(usize),
    Csr(usize),
}

impl Field {
    fn get(self, s: &BlockSpec) -> u64 {
        match self {
            Field::X(i) => s.init.x[i],
            Field::Csr(i) => s.init.csrs.field(i),
        }
    }

    fn set(self, s: &mut BlockSpec, v: u64) {
        match self {
            Field::X(i) => s.init.x[i] = v,
            Field::Csr(i) => *s.init.csrs.field_mut(i) = v,
        }
    }
}

impl Shrinker<'_> {
    /// Keeps `cand` if it still diverges.
    fn attempt(&mut self, cand: BlockSpec) -> bool {
        if self.runs >= self.budget || cand == self.best {
            return false;
        }
        self.runs += 1;
        let snaps = run_all(self.runners, &cand.assemble());
        if failure(&snaps).is_some() && failure(&snaps) == self.target {
            self.best = cand;
            true
        } else {
            false
        }
    }

    /// Removes chunks of items (halving the chunk size down to one item),
    /// loop bodies first.
    fn remove_items(&mut self) -> bool {
        let mut progress = false;
        let mut paths = Vec::new();
        seq_paths(&self.best.items, &mut Vec::new(), &mut paths);
        for path in paths.iter().rev() {
            let Some(len) = seq_len(&self.best.items, path) else {
                continue;
            };
            let mut chunk = len.max(1);
            loop {
                let mut i = 0;
                while i < seq_len(&self.best.items, path).unwrap_or(0) {
                    let mut cand = self.best.clone();
                    let seq = seq_mut(&mut cand.items, path).expect("path checked");
                    let end = (i + chunk).min(seq.len());
                    seq.drain(i..end);
                    if self.attempt(cand) {
                        progress = true;
                    } else {
                        i += chunk;
                    }
                }
                if chunk == 1 {
                    break;
                }
                chunk = chunk.div_ceil(2);
            }
        }
        progress
    }

    /// Replaces loops by their bodies, or makes them run once.
    fn simplify_loops(&mut self) -> bool {
        let mut progress = false;
        let mut paths = Vec::new();
        seq_paths(&self.best.items, &mut Vec::new(), &mut paths);
        for path in paths.iter().skip(1).rev() {
            let (&last, parent) = path.split_last().expect("a loop path");
            let mut cand = self.best.clone();
            let Some(seq) = seq_mut(&mut cand.items, parent) else {
                continue;
            };
            let Some(Item::Loop { body, .. }) = seq.get(last).cloned() else {
                continue;
            };
            let tail = seq.split_off(last + 1);
            seq.pop();
            seq.extend(body);
            seq.extend(tail);
            if self.attempt(cand) {
                progress = true;
                continue;
            }
            let mut cand = self.best.clone();
            if let Some(Item::Loop { n, .. }) =
                seq_mut(&mut cand.items, parent).and_then(|s| s.get_mut(last))
            {
                if *n > 1 {
                    *n = 1;
                    progress |= self.attempt(cand);
                }
            }
        }
        progress
    }

    /// Makes one value smaller while the block still diverges.
    fn shrink_field(&mut self, f: Field) -> bool {
        let mut progress = false;
        loop {
            let v = f.get(&self.best);
            if v == 0 || self.runs >= self.budget {
                break;
            }
            let top = 1u64 << (63 - v.leading_zeros());
            let cands = [
                0,
                1,
                v & 0xffff_ffff,
                v & 0xffff,
                v >> 1,
                v & !top,
                v & (v - 1),
            ];
            let mut tried = Vec::new();
            let mut any = false;
            for c in cands {
                if c >= v || tried.contains(&c) {
                    continue;
                }
                tried.push(c);
                let mut cand = self.best.clone();
                f.set(&mut cand, c);
                if self.attempt(cand) {
                    any = true;
                    break;
                }
            }
            if !any {
                break;
            }
            progress = true;
        }
        progress
    }

    fn simplify_init(&mut self) -> bool {
        let mut progress = false;
        let mut cand = self.best.clone();
        cand.init.prv = Priv::M;
        progress |= self.attempt(cand);
        let mut cand = self.best.clone();
        cand.init.code_off = 0;
        progress |= self.attempt(cand);
        let mut cand = self.best.clone();
        cand.init.data = None;
        progress |= self.attempt(cand);
        for i in 0..INIT_CSR_NAMES.len() {
            progress |= self.shrink_field(Field::Csr(i));
        }
        for i in 1..32 {
            progress |= self.shrink_field(Field::X(i));
        }
        progress
    }
}

/// Shrinks a diverging block: fewer items, loops unrolled, simpler values.
/// Returns the smallest block found that still diverges and how many runs
/// it took (at most `budget`).
pub fn shrink(
    runners: &mut [Box<dyn Runner>],
    spec: &BlockSpec,
    budget: usize,
) -> (BlockSpec, usize) {
    let target = failure(&run_all(runners, &spec.assemble()));
    let mut s = Shrinker {
        runners,
        target,
        best: spec.clone(),
        runs: 0,
        budget,
    };
    loop {
        let mut progress = s.remove_items();
        progress |= s.simplify_loops();
        progress |= s.simplify_init();
        if !progress || s.runs >= s.budget {
            break;
        }
    }
    (s.best, s.runs)
}

// ---------------------------------------------------------------------------
// Campaigns.
// ---------------------------------------------------------------------------

/// A run of many blocks.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub seed: u64,
    /// Index of the first block.
    pub start: u64,
    pub blocks: u64,
    pub gen: GenConfig,
    /// Shrink a diverging block before reporting it.
    pub shrink: bool,
    /// At most this many shrinking runs.
    pub shrink_budget: usize,
    /// Compare blocks that stop at the instruction limit (their state
    /// depends on every engine counting instructions exactly).
    pub compare_at_insn_limit: bool,
}

impl Campaign {
    pub fn new(seed: u64, blocks: u64) -> Campaign {
        Campaign {
            seed,
            start: 0,
            blocks,
            gen: GenConfig::default(),
            shrink: true,
            shrink_budget: 4000,
            compare_at_insn_limit: true,
        }
    }
}

/// What a campaign did.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub blocks: u64,
    /// Instructions the reference executed.
    pub insns: u64,
    /// How the reference's runs ended.
    pub ends: BTreeMap<&'static str, u64>,
    /// Exceptions by cause and by the form of the instruction at `mepc`.
    pub traps: BTreeMap<String, u64>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn blocks_per_second(&self) -> f64 {
        self.blocks as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} blocks", self.blocks)?;
        if self.insns > 0 {
            write!(
                f,
                ", {} instructions ({:.1} per block)",
                self.insns,
                self.insns as f64 / self.blocks.max(1) as f64
            )?;
        }
        write!(
            f,
            " in {:.1} s: {:.0} blocks/s",
            self.elapsed.as_secs_f64(),
            self.blocks_per_second()
        )?;
        let mut ends: Vec<_> = self.ends.iter().collect();
        ends.sort_by(|a, b| b.1.cmp(a.1));
        for (what, n) in ends {
            write!(
                f,
                "\n  {:>6.2}%  {what}",
                100.0 * *n as f64 / self.blocks.max(1) as f64
            )?;
        }
        Ok(())
    }
}

/// A block on which the runners disagreed.
#[derive(Debug)]
pub struct Divergence {
    pub seed: u64,
    pub index: u64,
    pub runners: Vec<String>,
    pub original: BlockSpec,
    pub shrunk: BlockSpec,
    pub shrink_runs: usize,
    /// The report of the shrunk block.
    pub report: String,
    /// The report of the block as generated.
    pub original_report: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "DIVERGENCE in block {} of seed {:#x} ({}).",
            self.index,
            self.seed,
            self.runners.join(" vs ")
        )?;
        writeln!(
            f,
            "replay: cargo run --release -p rvdbt-tests --example difftest -- --seed {:#x} --start {} --blocks 1 --show",
            self.seed, self.index
        )?;
        writeln!(
            f,
            "shrunk from {} to {} items in {} runs:",
            self.original.items.len(),
            self.shrunk.items.len(),
            self.shrink_runs
        )?;
        write!(f, "{}", self.report)?;
        writeln!(f, "--- the block as generated:")?;
        write!(f, "{}", self.original_report)
    }
}

/// Runs `c.blocks` blocks on every runner, comparing each with the first.
/// `progress` is called every 1024 blocks.
pub fn run_campaign(
    runners: &mut [Box<dyn Runner>],
    c: &Campaign,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Stats, Box<Divergence>> {
    assert!(
        runners.len() >= 2,
        "need a reference and at least one engine"
    );
    let t0 = Instant::now();
    let mut stats = Stats::default();
    for index in c.start..c.start.saturating_add(c.blocks) {
        let spec = BlockSpec::generate(block_seed(c.seed, index), &c.gen);
        let asm = spec.assemble();
        let snaps = run_all(runners, &asm);
        let at_limit = snaps[0].exit == Some(RunExit::InsnLimit);
        if diverges(&snaps) && (c.compare_at_insn_limit || !at_limit) {
            return Err(Box::new(divergence(runners, c, index, spec)));
        }
        stats.blocks += 1;
        stats.insns += snaps[0].insns;
        let why = end_reason(&asm, &snaps[0]);
        *stats.ends.entry(why).or_default() += 1;
        if !matches!(why, "completed" | "interrupt" | "instruction limit") {
            let epc = snaps[0].csr("mepc");
            let form = match asm.lines.iter().find(|l| l.addr == epc) {
                Some(l) => form_name(l.enc),
                None => "(outside the block)".to_string(),
            };
            *stats.traps.entry(format!("{why}: {form}")).or_default() += 1;
        }
        if stats.blocks % 1024 == 0 {
            stats.elapsed = t0.elapsed();
            progress(&stats);
        }
    }
    stats.elapsed = t0.elapsed();
    Ok(stats)
}

fn divergence(
    runners: &mut [Box<dyn Runner>],
    c: &Campaign,
    index: u64,
    spec: BlockSpec,
) -> Divergence {
    let original_report = report(runners, &spec);
    let (shrunk, shrink_runs) = if c.shrink {
        shrink(runners, &spec, c.shrink_budget)
    } else {
        (spec.clone(), 0)
    };
    Divergence {
        seed: c.seed,
        index,
        runners: runners.iter().map(|r| r.name()).collect(),
        report: report(runners, &shrunk),
        original: spec,
        shrunk,
        shrink_runs,
        original_report,
    }
}

// ---------------------------------------------------------------------------
// Coverage.
// ---------------------------------------------------------------------------

fn lower(x: impl fmt::Debug) -> String {
    format!("{x:?}").to_lowercase()
}

/// A name for the instruction form of `e` ("add", "slli", "amoadd.w",
/// "c.lwsp", "fp", "illegal"...), for coverage counts.
pub fn form_name(e: Enc) -> String {
    let d = decode(e.bits);
    let base = match d.insn {
        Insn::Op { op, .. } => lower(op),
        Insn::OpImm { op, .. } => format!("{}i", lower(op)),
        Insn::Op32 { op, .. } => format!("{}w", lower(op)),
        Insn::OpImm32 { op, .. } => format!("{}iw", lower(op)),
        Insn::Load { op, .. } => lower(op),
        Insn::Store { op, .. } => lower(op),
        Insn::Branch { op, .. } => format!("b{}", lower(op)),
        Insn::Lr { width, .. } => format!("lr.{}", lower(width)),
        Insn::Sc { width, .. } => format!("sc.{}", lower(width)),
        Insn::Amo { op, width, .. } => format!("amo{}.{}", lower(op), lower(width)),
        Insn::Csr { op, .. } => format!("csr{}", lower(op)),
        Insn::CsrImm { op, .. } => format!("csr{}i", lower(op)),
        Insn::Fence { fm: 8, .. } => "fence.tso".into(),
        Insn::Fence { .. } => "fence".into(),
        Insn::FenceI => "fence.i".into(),
        Insn::SfenceVma { .. } => "sfence.vma".into(),
        Insn::Illegal => "illegal".into(),
        Insn::Lui { .. }
        | Insn::Auipc { .. }
        | Insn::Jal { .. }
        | Insn::Jalr { .. }
        | Insn::Ecall
        | Insn::Ebreak
        | Insn::Mret
        | Insn::Sret
        | Insn::Wfi => {
            let s = lower(d.insn);
            s.split([' ', '{']).next().unwrap_or("").to_string()
        }
        _ => "fp".into(),
    };
    if d.len == 4 {
        return base;
    }
    // Compressed: name the RVC form itself.
    let (q, f3) = (e.bits & 3, e.bits >> 13 & 7);
    let name = match (q, f3, d.insn) {
        (_, _, Insn::Illegal) => "illegal".to_string(),
        (0, 0, _) => "addi4spn".into(),
        (1, 0, _) => "addi".into(),
        (1, 2, _) => "li".into(),
        (1, 3, Insn::Lui { .. }) => "lui".into(),
        (1, 3, _) => "addi16sp".into(),
        (1, 5, _) => "j".into(),
        (1, 6, _) => "beqz".into(),
        (1, 7, _) => "bnez".into(),
        (2, 0, _) => "slli".into(),
        (2, 2, _) => "lwsp".into(),
        (2, 3, _) => "ldsp".into(),
        (2, 6, _) => "swsp".into(),
        (2, 7, _) => "sdsp".into(),
        (2, 4, Insn::Jalr { rd: Reg::ZERO, .. }) => "jr".into(),
        (2, 4, Insn::Jalr { .. }) => "jalr".into(),
        (2, 4, Insn::Op { rs1: Reg::ZERO, .. }) => "mv".into(),
        _ => base,
    };
    format!("c.{name}")
}

/// How often each instruction form occurs in `blocks` generated blocks.
pub fn coverage(seed: u64, blocks: u64, gen: &GenConfig) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for i in 0..blocks {
        let asm = BlockSpec::generate(block_seed(seed, i), gen).assemble();
        for l in &asm.lines[..asm.lines.len() - 2] {
            *m.entry(form_name(l.enc)).or_default() += 1;
        }
    }
    m
}

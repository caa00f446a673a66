//! Blocks: what a block is (its items and initial state) and the generator limits.

use frontend_riscv::{BranchOp, Reg};
use runtime::hart::csr::{MSTATUS_FS, MSTATUS_SD, MSTATUS_XL};
use runtime::hart::{Csrs, Priv};

use super::encoder::Enc;
use super::memory_map::{HANDLER, MSTATUS_LEGAL, SSIP};

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
    /// A call and its return: `jal link, f; j after; f: body; ret` with
    /// `ret` = `jalr x0, 0(link)` (`c.jr link` when `compressed`). No body
    /// item writes `link`, and no branch from outside enters the body; a
    /// branch inside it may leave it (past `ret`, to the block's end).
    Call {
        link: Reg,
        body: Vec<Item>,
        compressed: bool,
    },
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
    /// Into the block's own code (stores before, inside and after the
    /// instructions that run next: self-modifying code and data beside it).
    Code,
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

pub(super) const INIT_CSR_NAMES: [&str; 14] = [
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
    pub(super) fn field_mut(&mut self, i: usize) -> &mut u64 {
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

    pub(super) fn field(&self, i: usize) -> u64 {
        *self.clone().field_mut(i)
    }

    /// Writes the values into a freshly reset CSR file, legalised the way
    /// the CSR instructions would (so a shrunk value is still a legal state).
    pub(super) fn apply(&self, c: &mut Csrs) {
        let mut ms = self.mstatus & MSTATUS_LEGAL;
        if (ms >> 11) & 3 == 2 {
            ms |= 3 << 11;
        }
        // SD summarises FS (the only extension state here): set exactly
        // when FS is Dirty.
        if ms & MSTATUS_FS == MSTATUS_FS {
            ms |= MSTATUS_SD;
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
    /// f0..f31, raw 64-bit contents (singles are valid only NaN-boxed).
    pub f: [u64; 32],
    /// `fcsr`: `fflags` in bits 4:0, `frm` in bits 7:5 (5..7 are reserved:
    /// then every dynamic-rounding instruction is illegal).
    pub fcsr: u32,
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
    /// Region-shaped blocks: a loop (with loops, branches, jumps, memory
    /// traffic and traps inside) around most of the block, so a tiered
    /// engine that compiles what runs twice compiles regions with back edges.
    pub region_shaped: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            max_items: 32,
            max_bytes: 1400,
            top_page: true,
            region_shaped: false,
        }
    }
}

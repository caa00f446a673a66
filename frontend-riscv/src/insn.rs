//! The decoded form of one RISC-V instruction, shared by every consumer.
//!
//! Compressed (RVC) instructions are expanded to the base instruction they
//! stand for, so consumers see one form; `Decoded::len` tells them how far to
//! advance the pc. Immediates are sign-extended to `i64` at decode time.

use core::fmt;

/// An integer register number, `x0`..`x31`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u8);

/// A floating-point register number, `f0`..`f31`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FReg(pub u8);

impl Reg {
    pub const ZERO: Reg = Reg(0);
    pub const RA: Reg = Reg(1);
    pub const SP: Reg = Reg(2);

    /// The register's index, for indexing a register file.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl FReg {
    /// The register's index, for indexing a register file.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// A decoded instruction together with its encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub insn: Insn,
    /// The raw encoding: 32 bits, or 16 bits zero-extended for RVC.
    pub raw: u32,
    /// Length in bytes: 2 for a compressed instruction, 4 otherwise.
    pub len: u8,
}

/// Conditional branch comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BranchOp {
    Eq,
    Ne,
    Lt,
    Ge,
    Ltu,
    Geu,
}

/// Integer load widths and signedness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadOp {
    Lb,
    Lh,
    Lw,
    Ld,
    Lbu,
    Lhu,
    Lwu,
}

impl LoadOp {
    /// Access size in bytes.
    pub fn size(self) -> u8 {
        match self {
            LoadOp::Lb | LoadOp::Lbu => 1,
            LoadOp::Lh | LoadOp::Lhu => 2,
            LoadOp::Lw | LoadOp::Lwu => 4,
            LoadOp::Ld => 8,
        }
    }

    /// Whether the loaded value is sign-extended to 64 bits.
    pub fn signed(self) -> bool {
        matches!(self, LoadOp::Lb | LoadOp::Lh | LoadOp::Lw | LoadOp::Ld)
    }
}

/// Integer store widths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreOp {
    Sb,
    Sh,
    Sw,
    Sd,
}

impl StoreOp {
    /// Access size in bytes.
    pub fn size(self) -> u8 {
        match self {
            StoreOp::Sb => 1,
            StoreOp::Sh => 2,
            StoreOp::Sw => 4,
            StoreOp::Sd => 8,
        }
    }
}

/// Register-register and register-immediate ALU operations (RV64I + M,
/// Zba, Zbb, Zbs, Zicond).
///
/// For the `OpImm` form only `Add`, `Slt`, `Sltu`, `Xor`, `Or`, `And`,
/// `Sll`, `Srl`, `Sra`, `Ror`, `SllUw`, `Bclr`, `Bext`, `Binv`, `Bset`
/// occur; in `OpImm32` only `Add`, `Sll`, `Srl`, `Sra`, `Ror`; in `Op32`
/// the RV64IM W operations and `Rol`, `Ror`. The Zba `.uw` operations
/// (`add.uw`, `sh*add.uw`, `slli.uw`) are encoded in the OP-32/OP-IMM-32
/// major opcodes but produce a full 64-bit result, so they are `Op` and
/// `OpImm` operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    /// Zba: `rs2 + (rs1 << 1)`.
    Sh1add,
    /// Zba: `rs2 + (rs1 << 2)`.
    Sh2add,
    /// Zba: `rs2 + (rs1 << 3)`.
    Sh3add,
    /// Zba `add.uw`: `rs2 + zext32(rs1)`.
    AddUw,
    /// Zba: `rs2 + (zext32(rs1) << 1)`.
    Sh1addUw,
    /// Zba: `rs2 + (zext32(rs1) << 2)`.
    Sh2addUw,
    /// Zba: `rs2 + (zext32(rs1) << 3)`.
    Sh3addUw,
    /// Zba `slli.uw`: `zext32(rs1) << shamt` (immediate form only).
    SllUw,
    /// Zbb: `rs1 & !rs2`.
    Andn,
    /// Zbb: `rs1 | !rs2`.
    Orn,
    /// Zbb: `!(rs1 ^ rs2)`.
    Xnor,
    /// Zbb: signed maximum.
    Max,
    /// Zbb: unsigned maximum.
    Maxu,
    /// Zbb: signed minimum.
    Min,
    /// Zbb: unsigned minimum.
    Minu,
    /// Zbb: rotate left (`rol`, `rolw`).
    Rol,
    /// Zbb: rotate right (`ror`, `rori`, `rorw`, `roriw`).
    Ror,
    /// Zbs: clear bit `rs2 & 63`.
    Bclr,
    /// Zbs: extract bit `rs2 & 63`.
    Bext,
    /// Zbs: invert bit `rs2 & 63`.
    Binv,
    /// Zbs: set bit `rs2 & 63`.
    Bset,
    /// Zicond: `rs2 == 0 ? 0 : rs1`.
    CzeroEqz,
    /// Zicond: `rs2 != 0 ? 0 : rs1`.
    CzeroNez,
}

/// One-operand bit-manipulation operations (Zbb), `rd = op(rs1)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Count leading zeros (64 for 0).
    Clz,
    /// Count leading zeros of the low word (32 for 0).
    Clzw,
    /// Count trailing zeros (64 for 0).
    Ctz,
    /// Count trailing zeros of the low word (32 for 0).
    Ctzw,
    /// Population count.
    Cpop,
    /// Population count of the low word.
    Cpopw,
    /// Sign-extend the low byte.
    SextB,
    /// Sign-extend the low halfword.
    SextH,
    /// Zero-extend the low halfword (RV64: `packw rd, rs1, x0`).
    ZextH,
    /// Each byte becomes 0xff if it is non-zero, 0 otherwise.
    OrcB,
    /// Reverse the bytes.
    Rev8,
}

/// Zicsr operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CsrOp {
    /// csrrw / csrrwi
    Rw,
    /// csrrs / csrrsi
    Rs,
    /// csrrc / csrrci
    Rc,
}

/// Width of an atomic memory operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AmoWidth {
    W,
    D,
}

impl AmoWidth {
    /// Access size in bytes.
    pub fn size(self) -> u8 {
        match self {
            AmoWidth::W => 4,
            AmoWidth::D => 8,
        }
    }
}

/// Read-modify-write atomic operations (the A extension minus LR/SC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AmoOp {
    Swap,
    Add,
    Xor,
    And,
    Or,
    Min,
    Max,
    Minu,
    Maxu,
}

/// Floating-point formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpFmt {
    /// Single precision (F).
    S,
    /// Double precision (D).
    D,
}

/// Rounding-mode field of an FP instruction (`rm`), kept as encoded;
/// 5 and 6 are reserved and 7 means "dynamic" (use `frm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RoundingMode(pub u8);

impl RoundingMode {
    pub const DYN: RoundingMode = RoundingMode(7);
}

/// Two-operand FP arithmetic (`fadd`..`fmax`, sign injection).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpBinOp {
    Add,
    Sub,
    Mul,
    Div,
    Sgnj,
    Sgnjn,
    Sgnjx,
    Min,
    Max,
}

/// Fused multiply-add variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FmaOp {
    /// rs1*rs2 + rs3
    Madd,
    /// rs1*rs2 - rs3
    Msub,
    /// -(rs1*rs2) + rs3
    Nmsub,
    /// -(rs1*rs2) - rs3
    Nmadd,
}

/// FP comparisons writing an integer register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpCmpOp {
    Eq,
    Lt,
    Le,
}

/// Integer operand types of FP <-> integer conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntFmt {
    /// 32-bit signed (`.w`)
    W,
    /// 32-bit unsigned (`.wu`)
    Wu,
    /// 64-bit signed (`.l`)
    L,
    /// 64-bit unsigned (`.lu`)
    Lu,
}

/// One decoded RISC-V instruction.
///
/// Every encoding the decoder does not recognise, including reserved RVC
/// encodings and the all-zero instruction, becomes `Illegal`; no consumer has
/// to guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insn {
    /// `lui rd, imm`: `imm` is the final value (already shifted by 12).
    Lui {
        rd: Reg,
        imm: i64,
    },
    /// `auipc rd, imm`: `imm` is the final offset (already shifted by 12).
    Auipc {
        rd: Reg,
        imm: i64,
    },
    Jal {
        rd: Reg,
        offset: i64,
    },
    Jalr {
        rd: Reg,
        rs1: Reg,
        offset: i64,
    },
    Branch {
        op: BranchOp,
        rs1: Reg,
        rs2: Reg,
        offset: i64,
    },
    Load {
        op: LoadOp,
        rd: Reg,
        rs1: Reg,
        offset: i64,
    },
    Store {
        op: StoreOp,
        rs1: Reg,
        rs2: Reg,
        offset: i64,
    },
    /// `addi`, `slti`, ... `srai`. Shift amounts are in `imm` (0..63).
    OpImm {
        op: AluOp,
        rd: Reg,
        rs1: Reg,
        imm: i64,
    },
    /// `addiw`, `slliw`, `srliw`, `sraiw`.
    OpImm32 {
        op: AluOp,
        rd: Reg,
        rs1: Reg,
        imm: i64,
    },
    Op {
        op: AluOp,
        rd: Reg,
        rs1: Reg,
        rs2: Reg,
    },
    /// `addw`, `subw`, `sllw`, `srlw`, `sraw`, `mulw`, `divw`, `divuw`, `remw`, `remuw`,
    /// `rolw`, `rorw`.
    Op32 {
        op: AluOp,
        rd: Reg,
        rs1: Reg,
        rs2: Reg,
    },
    /// The one-operand Zbb instructions (`clz`, `cpopw`, `sext.b`, `rev8`...).
    Unary {
        op: UnaryOp,
        rd: Reg,
        rs1: Reg,
    },
    /// `fence pred, succ`; `fm` = 8 is `fence.tso`. Bits: i=8, o=4, r=2, w=1.
    Fence {
        pred: u8,
        succ: u8,
        fm: u8,
    },
    FenceI,
    Ecall,
    Ebreak,
    Mret,
    Sret,
    Wfi,
    SfenceVma {
        rs1: Reg,
        rs2: Reg,
    },
    Csr {
        op: CsrOp,
        rd: Reg,
        rs1: Reg,
        csr: u16,
    },
    CsrImm {
        op: CsrOp,
        rd: Reg,
        uimm: u8,
        csr: u16,
    },
    Lr {
        width: AmoWidth,
        aq: bool,
        rl: bool,
        rd: Reg,
        rs1: Reg,
    },
    Sc {
        width: AmoWidth,
        aq: bool,
        rl: bool,
        rd: Reg,
        rs1: Reg,
        rs2: Reg,
    },
    Amo {
        op: AmoOp,
        width: AmoWidth,
        aq: bool,
        rl: bool,
        rd: Reg,
        rs1: Reg,
        rs2: Reg,
    },
    /// `flw` / `fld`.
    FLoad {
        fmt: FpFmt,
        rd: FReg,
        rs1: Reg,
        offset: i64,
    },
    /// `fsw` / `fsd`.
    FStore {
        fmt: FpFmt,
        rs1: Reg,
        rs2: FReg,
        offset: i64,
    },
    /// `fadd`, `fsub`, `fmul`, `fdiv` (with `rm`); `fsgnj*`, `fmin`, `fmax` (rm unused).
    FpBin {
        op: FpBinOp,
        fmt: FpFmt,
        rm: RoundingMode,
        rd: FReg,
        rs1: FReg,
        rs2: FReg,
    },
    Fma {
        op: FmaOp,
        fmt: FpFmt,
        rm: RoundingMode,
        rd: FReg,
        rs1: FReg,
        rs2: FReg,
        rs3: FReg,
    },
    Fsqrt {
        fmt: FpFmt,
        rm: RoundingMode,
        rd: FReg,
        rs1: FReg,
    },
    FpCmp {
        op: FpCmpOp,
        fmt: FpFmt,
        rd: Reg,
        rs1: FReg,
        rs2: FReg,
    },
    Fclass {
        fmt: FpFmt,
        rd: Reg,
        rs1: FReg,
    },
    /// `fcvt.{w,wu,l,lu}.{s,d}`: FP -> integer.
    FcvtToInt {
        fmt: FpFmt,
        int: IntFmt,
        rm: RoundingMode,
        rd: Reg,
        rs1: FReg,
    },
    /// `fcvt.{s,d}.{w,wu,l,lu}`: integer -> FP.
    FcvtFromInt {
        fmt: FpFmt,
        int: IntFmt,
        rm: RoundingMode,
        rd: FReg,
        rs1: Reg,
    },
    /// `fcvt.s.d` (`to` = S, `from` = D) and `fcvt.d.s`.
    FcvtFp {
        to: FpFmt,
        from: FpFmt,
        rm: RoundingMode,
        rd: FReg,
        rs1: FReg,
    },
    /// `fmv.x.w` / `fmv.x.d`.
    FmvToInt {
        fmt: FpFmt,
        rd: Reg,
        rs1: FReg,
    },
    /// `fmv.w.x` / `fmv.d.x`.
    FmvFromInt {
        fmt: FpFmt,
        rd: FReg,
        rs1: Reg,
    },
    /// Any encoding that is not a valid instruction.
    Illegal,
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::disasm::GPR_NAMES[self.idx() & 31])
    }
}

impl fmt::Display for FReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::disasm::FPR_NAMES[self.idx() & 31])
    }
}

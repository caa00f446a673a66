//! The encoder: `Insn` -> bits, checked against the project's decoder.

use frontend_riscv::{
    decode, AluOp, AmoOp, AmoWidth, BranchOp, CsrOp, FReg, FmaOp, FpBinOp, FpCmpOp, FpFmt, Insn,
    IntFmt, LoadOp, Reg, StoreOp, UnaryOp,
};

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

pub(super) fn i_type(op: u32, f3: u32, rd: Reg, rs1: Reg, imm: i64) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rb(rs1) << 15 | f3 << 12 | rb(rd) << 7 | op
}

pub(super) fn s_type(op: u32, f3: u32, rs1: Reg, rs2: Reg, imm: i64) -> u32 {
    let i = imm as u32;
    (i >> 5 & 0x7f) << 25 | rb(rs2) << 20 | rb(rs1) << 15 | f3 << 12 | (i & 0x1f) << 7 | op
}

pub(super) fn r_type(op: u32, f3: u32, f7: u32, rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
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

/// (funct3, funct7) of a register-register ALU operation (for the Zba
/// `.uw` operations: in the OP-32 major opcode; `SllUw` has no register form).
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
        AluOp::Sh1add | AluOp::Sh1addUw => (2, 0x10),
        AluOp::Sh2add | AluOp::Sh2addUw => (4, 0x10),
        AluOp::Sh3add | AluOp::Sh3addUw => (6, 0x10),
        AluOp::AddUw => (0, 0x04),
        AluOp::SllUw => (1, 0x04),
        AluOp::Andn => (7, 0x20),
        AluOp::Orn => (6, 0x20),
        AluOp::Xnor => (4, 0x20),
        AluOp::Max => (6, 0x05),
        AluOp::Maxu => (7, 0x05),
        AluOp::Min => (4, 0x05),
        AluOp::Minu => (5, 0x05),
        AluOp::Rol => (1, 0x30),
        AluOp::Ror => (5, 0x30),
        AluOp::Bclr => (1, 0x24),
        AluOp::Bext => (5, 0x24),
        AluOp::Binv => (1, 0x34),
        AluOp::Bset => (1, 0x14),
        AluOp::CzeroEqz => (5, 0x07),
        AluOp::CzeroNez => (7, 0x07),
    }
}

/// The fixed 12-bit immediate, funct3 and major opcode of a one-operand Zbb
/// instruction (`zext.h` is `packw rd, rs1, x0`: funct7 0000100, rs2 = 0).
fn unary_enc(op: UnaryOp) -> (u32, u32, u32) {
    match op {
        UnaryOp::Clz => (0x600, 1, 0x13),
        UnaryOp::Ctz => (0x601, 1, 0x13),
        UnaryOp::Cpop => (0x602, 1, 0x13),
        UnaryOp::SextB => (0x604, 1, 0x13),
        UnaryOp::SextH => (0x605, 1, 0x13),
        UnaryOp::OrcB => (0x287, 5, 0x13),
        UnaryOp::Rev8 => (0x6b8, 5, 0x13),
        UnaryOp::Clzw => (0x600, 1, 0x1b),
        UnaryOp::Ctzw => (0x601, 1, 0x1b),
        UnaryOp::Cpopw => (0x602, 1, 0x1b),
        UnaryOp::ZextH => (0x080, 4, 0x3b),
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
pub(super) fn amo_word(
    f5: u32,
    width: AmoWidth,
    aq: bool,
    rl: bool,
    rd: Reg,
    rs1: Reg,
    rs2: Reg,
) -> u32 {
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

fn fb(r: FReg) -> u32 {
    r.0 as u32 & 31
}

/// The `fmt` field (bits 26:25) and the load/store funct3 of an FP format.
fn fmt_bits(f: FpFmt) -> u32 {
    match f {
        FpFmt::S => 0,
        FpFmt::D => 1,
    }
}

fn int_bits(i: IntFmt) -> u32 {
    match i {
        IntFmt::W => 0,
        IntFmt::Wu => 1,
        IntFmt::L => 2,
        IntFmt::Lu => 3,
    }
}

/// An OP-FP word: funct5, fmt, rs2, rs1, funct3 (rm), rd.
fn op_fp(f5: u32, fmt: FpFmt, rs2: u32, rs1: u32, f3: u32, rd: u32) -> u32 {
    f5 << 27
        | fmt_bits(fmt) << 25
        | (rs2 & 31) << 20
        | (rs1 & 31) << 15
        | (f3 & 7) << 12
        | (rd & 31) << 7
        | 0x53
}

/// The 32-bit encoding of an F or D instruction. The operations that do not
/// round (`fsgnj*`, `fmin`/`fmax`) take their funct3 from the operation, and
/// the decoder puts that funct3 into `rm`: [`Enc::of`] checks that `rm` agrees.
fn encode_fp(insn: &Insn) -> Option<u32> {
    Some(match *insn {
        Insn::FLoad {
            fmt,
            rd,
            rs1,
            offset,
        } => i_type(0x07, 2 + fmt_bits(fmt), Reg(rd.0), rs1, offset),
        Insn::FStore {
            fmt,
            rs1,
            rs2,
            offset,
        } => s_type(0x27, 2 + fmt_bits(fmt), rs1, Reg(rs2.0), offset),
        Insn::FpBin {
            op,
            fmt,
            rm,
            rd,
            rs1,
            rs2,
        } => {
            let (f5, f3) = match op {
                FpBinOp::Add => (0, rm.0 as u32),
                FpBinOp::Sub => (1, rm.0 as u32),
                FpBinOp::Mul => (2, rm.0 as u32),
                FpBinOp::Div => (3, rm.0 as u32),
                FpBinOp::Sgnj => (4, 0),
                FpBinOp::Sgnjn => (4, 1),
                FpBinOp::Sgnjx => (4, 2),
                FpBinOp::Min => (5, 0),
                FpBinOp::Max => (5, 1),
            };
            op_fp(f5, fmt, fb(rs2), fb(rs1), f3, fb(rd))
        }
        Insn::Fma {
            op,
            fmt,
            rm,
            rd,
            rs1,
            rs2,
            rs3,
        } => {
            let opcode = match op {
                FmaOp::Madd => 0x43,
                FmaOp::Msub => 0x47,
                FmaOp::Nmsub => 0x4b,
                FmaOp::Nmadd => 0x4f,
            };
            fb(rs3) << 27
                | fmt_bits(fmt) << 25
                | fb(rs2) << 20
                | fb(rs1) << 15
                | (rm.0 as u32 & 7) << 12
                | fb(rd) << 7
                | opcode
        }
        Insn::Fsqrt { fmt, rm, rd, rs1 } => op_fp(0b01011, fmt, 0, fb(rs1), rm.0 as u32, fb(rd)),
        Insn::FpCmp {
            op,
            fmt,
            rd,
            rs1,
            rs2,
        } => {
            let f3 = match op {
                FpCmpOp::Eq => 2,
                FpCmpOp::Lt => 1,
                FpCmpOp::Le => 0,
            };
            op_fp(0b10100, fmt, fb(rs2), fb(rs1), f3, rb(rd))
        }
        Insn::Fclass { fmt, rd, rs1 } => op_fp(0b11100, fmt, 0, fb(rs1), 1, rb(rd)),
        Insn::FcvtToInt {
            fmt,
            int,
            rm,
            rd,
            rs1,
        } => op_fp(0b11000, fmt, int_bits(int), fb(rs1), rm.0 as u32, rb(rd)),
        Insn::FcvtFromInt {
            fmt,
            int,
            rm,
            rd,
            rs1,
        } => op_fp(0b11010, fmt, int_bits(int), rb(rs1), rm.0 as u32, fb(rd)),
        Insn::FcvtFp {
            to,
            from,
            rm,
            rd,
            rs1,
        } => {
            if to == from {
                return None;
            }
            op_fp(0b01000, to, fmt_bits(from), fb(rs1), rm.0 as u32, fb(rd))
        }
        Insn::FmvToInt { fmt, rd, rs1 } => op_fp(0b11100, fmt, 0, fb(rs1), 0, rb(rd)),
        Insn::FmvFromInt { fmt, rd, rs1 } => op_fp(0b11110, fmt, 0, rb(rs1), 0, fb(rd)),
        _ => return None,
    })
}

/// The 32-bit encoding of an instruction (`None` for operations the
/// instruction form does not have).
pub fn encode(insn: &Insn) -> Option<u32> {
    if let Some(bits) = encode_fp(insn) {
        return Some(bits);
    }
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
            AluOp::Ror => i_type(0x13, 5, rd, rs1, (imm & 63) | 0x600),
            AluOp::Bclr => i_type(0x13, 1, rd, rs1, (imm & 63) | 0x480),
            AluOp::Bext => i_type(0x13, 5, rd, rs1, (imm & 63) | 0x480),
            AluOp::Binv => i_type(0x13, 1, rd, rs1, (imm & 63) | 0x680),
            AluOp::Bset => i_type(0x13, 1, rd, rs1, (imm & 63) | 0x280),
            AluOp::SllUw => i_type(0x1b, 1, rd, rs1, (imm & 63) | 0x080),
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
            AluOp::Ror => i_type(0x1b, 5, rd, rs1, (imm & 31) | 0x600),
            _ => return None,
        },
        Insn::Op { op, rd, rs1, rs2 } => {
            let (f3, f7) = alu_f3_f7(op);
            let opcode = match op {
                AluOp::SllUw => return None,
                AluOp::AddUw | AluOp::Sh1addUw | AluOp::Sh2addUw | AluOp::Sh3addUw => 0x3b,
                _ => 0x33,
            };
            r_type(opcode, f3, f7, rd, rs1, rs2)
        }
        Insn::Unary { op, rd, rs1 } => {
            let (imm12, f3, opcode) = unary_enc(op);
            imm12 << 20 | rb(rs1) << 15 | f3 << 12 | rb(rd) << 7 | opcode
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
            | AluOp::Remu
            | AluOp::Rol
            | AluOp::Ror => {
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

pub(super) fn c_ci(f3: u16, op: u16, rd: Reg, imm: i64) -> u16 {
    let i = imm as u16;
    f3 << 13 | (i >> 5 & 1) << 12 | (rd.0 as u16) << 7 | (i & 0x1f) << 2 | op
}

/// c.srli (kind 0), c.srai (1), c.andi (2).
pub(super) fn c_shift_andi(kind: u16, rd: Reg, imm: i64) -> u16 {
    let i = imm as u16;
    4 << 13 | (i >> 5 & 1) << 12 | kind << 10 | c3(rd) << 7 | (i & 0x1f) << 2 | 1
}

/// c.sub/xor/or/and (word = false, f2 = 0..3) and c.subw/addw (word = true, f2 = 0, 1).
pub(super) fn c_arith(word: bool, f2: u16, rd: Reg, rs2: Reg) -> u16 {
    4 << 13 | (word as u16) << 12 | 3 << 10 | c3(rd) << 7 | f2 << 5 | c3(rs2) << 2 | 1
}

/// c.mv (add = false) and c.add (add = true).
pub(super) fn c_mv_add(add: bool, rd: Reg, rs2: Reg) -> u16 {
    4 << 13 | (add as u16) << 12 | (rd.0 as u16) << 7 | (rs2.0 as u16) << 2 | 2
}

/// c.jr (link = false) and c.jalr (link = true).
pub(super) fn c_jr(link: bool, rs1: Reg) -> u16 {
    4 << 13 | (link as u16) << 12 | (rs1.0 as u16) << 7 | 2
}

pub(super) fn c_addi4spn(rd: Reg, u: u16) -> u16 {
    (u >> 4 & 3) << 11 | (u >> 6 & 0xf) << 7 | (u >> 2 & 1) << 6 | (u >> 3 & 1) << 5 | c3(rd) << 2
}

pub(super) fn c_addi16sp(imm: i64) -> u16 {
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
pub(super) fn c_mem(f3: u16, r_lo: Reg, rs1: Reg, off: i64) -> u16 {
    let u = off as u16;
    let mid = if f3 == 2 || f3 == 6 {
        (u >> 2 & 1) << 6 | (u >> 6 & 1) << 5
    } else {
        (u >> 6 & 3) << 5
    };
    f3 << 13 | (u >> 3 & 7) << 10 | c3(rs1) << 7 | mid | c3(r_lo) << 2
}

pub(super) fn c_lwsp(rd: Reg, off: i64) -> u16 {
    let u = off as u16;
    2 << 13 | (u >> 5 & 1) << 12 | (rd.0 as u16) << 7 | (u >> 2 & 7) << 4 | (u >> 6 & 3) << 2 | 2
}

/// c.ldsp (f3 = 3) and c.fldsp (f3 = 1).
pub(super) fn c_ldsp(f3: u16, rd: u8, off: i64) -> u16 {
    let u = off as u16;
    f3 << 13 | (u >> 5 & 1) << 12 | (rd as u16) << 7 | (u >> 3 & 3) << 5 | (u >> 6 & 7) << 2 | 2
}

pub(super) fn c_swsp(rs2: Reg, off: i64) -> u16 {
    let u = off as u16;
    6 << 13 | (u >> 2 & 0xf) << 9 | (u >> 6 & 3) << 7 | (rs2.0 as u16) << 2 | 2
}

/// c.sdsp (f3 = 7) and c.fsdsp (f3 = 5).
pub(super) fn c_sdsp(f3: u16, rs2: u8, off: i64) -> u16 {
    let u = off as u16;
    f3 << 13 | (u >> 3 & 7) << 10 | (u >> 6 & 7) << 7 | (rs2 as u16) << 2 | 2
}

pub(super) fn c_j(off: i64) -> u16 {
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
pub(super) fn c_bz(ne: bool, rs1: Reg, off: i64) -> u16 {
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

pub(super) fn c_nop() -> Enc {
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
pub(super) fn hi_lo(value: u32) -> (i64, i64) {
    let w = value as i32;
    let lo = (w << 20) >> 20;
    (w.wrapping_sub(lo) as i64, lo as i64)
}

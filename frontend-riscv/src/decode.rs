//! Decoding of 32-bit and compressed (RVC) RISC-V encodings into [`Insn`].
//!
//! The decoder is written as plain `match` tables, one per major opcode, so
//! every encoding can be found by searching for its opcode or funct value.
//! Anything not listed in a table decodes to [`Insn::Illegal`].

use crate::insn::*;

/// Length in bytes (2 or 4) of the instruction whose first 16 bits are `first_half`.
pub fn insn_len(first_half: u16) -> u8 {
    if first_half & 3 == 3 {
        4
    } else {
        2
    }
}

/// Decodes the instruction at the start of `raw` (low 16 bits for RVC).
pub fn decode(raw: u32) -> Decoded {
    if raw & 3 == 3 {
        Decoded {
            insn: decode_32(raw),
            raw,
            len: 4,
        }
    } else {
        let half = raw as u16;
        Decoded {
            insn: decode_compressed(half),
            raw: half as u32,
            len: 2,
        }
    }
}

// ---------------------------------------------------------------------------
// Field extraction for 32-bit encodings.
// ---------------------------------------------------------------------------

/// Bits `hi..=lo` of `w`, shifted down to bit 0.
fn bits(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

/// Bit `n` of `w`.
fn bit(w: u32, n: u32) -> u32 {
    (w >> n) & 1
}

/// Sign-extends the low `width` bits of `value`.
fn sext(value: u32, width: u32) -> i64 {
    let shift = 64 - width;
    ((value as u64) << shift) as i64 >> shift
}

fn rd(w: u32) -> Reg {
    Reg(bits(w, 11, 7) as u8)
}

fn rs1(w: u32) -> Reg {
    Reg(bits(w, 19, 15) as u8)
}

fn rs2(w: u32) -> Reg {
    Reg(bits(w, 24, 20) as u8)
}

fn frd(w: u32) -> FReg {
    FReg(bits(w, 11, 7) as u8)
}

fn frs1(w: u32) -> FReg {
    FReg(bits(w, 19, 15) as u8)
}

fn frs2(w: u32) -> FReg {
    FReg(bits(w, 24, 20) as u8)
}

fn frs3(w: u32) -> FReg {
    FReg(bits(w, 31, 27) as u8)
}

fn funct3(w: u32) -> u32 {
    bits(w, 14, 12)
}

fn funct7(w: u32) -> u32 {
    bits(w, 31, 25)
}

/// The I-type immediate, `imm[11:0]` in bits 31:20.
fn imm_i(w: u32) -> i64 {
    sext(bits(w, 31, 20), 12)
}

/// The S-type immediate: `imm[11:5]` in bits 31:25, `imm[4:0]` in bits 11:7.
fn imm_s(w: u32) -> i64 {
    sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12)
}

/// The B-type offset: `imm[12|10:5]` in bits 31:25, `imm[4:1|11]` in bits 11:7.
fn imm_b(w: u32) -> i64 {
    let v = bit(w, 31) << 12 | bit(w, 7) << 11 | bits(w, 30, 25) << 5 | bits(w, 11, 8) << 1;
    sext(v, 13)
}

/// The U-type immediate, `imm[31:12]` in bits 31:12, already shifted.
fn imm_u(w: u32) -> i64 {
    sext(w & 0xffff_f000, 32)
}

/// The J-type offset: `imm[20|10:1|11|19:12]` in bits 31:12.
fn imm_j(w: u32) -> i64 {
    let v = bit(w, 31) << 20 | bits(w, 19, 12) << 12 | bit(w, 20) << 11 | bits(w, 30, 21) << 1;
    sext(v, 21)
}

/// The `fmt` field of an FP instruction (bits 26:25); only S and D exist in RV64GC.
fn fp_fmt(w: u32) -> Option<FpFmt> {
    match bits(w, 26, 25) {
        0b00 => Some(FpFmt::S),
        0b01 => Some(FpFmt::D),
        _ => None, // 0b10 is H (Zfh) and 0b11 is Q: not supported.
    }
}

fn rm(w: u32) -> RoundingMode {
    RoundingMode(funct3(w) as u8)
}

// ---------------------------------------------------------------------------
// 32-bit encodings.
// ---------------------------------------------------------------------------

/// Decodes a 32-bit encoding.
pub fn decode_32(w: u32) -> Insn {
    if w & 3 != 3 {
        return Insn::Illegal;
    }
    match bits(w, 6, 0) {
        0b000_0011 => decode_load(w),
        0b000_0111 => decode_load_fp(w),
        0b000_1111 => decode_misc_mem(w),
        0b001_0011 => decode_op_imm(w),
        0b001_0111 => Insn::Auipc {
            rd: rd(w),
            imm: imm_u(w),
        },
        0b001_1011 => decode_op_imm_32(w),
        0b010_0011 => decode_store(w),
        0b010_0111 => decode_store_fp(w),
        0b010_1111 => decode_amo(w),
        0b011_0011 => decode_op(w),
        0b011_0111 => Insn::Lui {
            rd: rd(w),
            imm: imm_u(w),
        },
        0b011_1011 => decode_op_32(w),
        0b100_0011 => decode_fma(w, FmaOp::Madd),
        0b100_0111 => decode_fma(w, FmaOp::Msub),
        0b100_1011 => decode_fma(w, FmaOp::Nmsub),
        0b100_1111 => decode_fma(w, FmaOp::Nmadd),
        0b101_0011 => decode_op_fp(w),
        0b110_0011 => decode_branch(w),
        0b110_0111 => match funct3(w) {
            0b000 => Insn::Jalr {
                rd: rd(w),
                rs1: rs1(w),
                offset: imm_i(w),
            },
            _ => Insn::Illegal,
        },
        0b110_1111 => Insn::Jal {
            rd: rd(w),
            offset: imm_j(w),
        },
        0b111_0011 => decode_system(w),
        _ => Insn::Illegal,
    }
}

fn decode_load(w: u32) -> Insn {
    let op = match funct3(w) {
        0b000 => LoadOp::Lb,
        0b001 => LoadOp::Lh,
        0b010 => LoadOp::Lw,
        0b011 => LoadOp::Ld,
        0b100 => LoadOp::Lbu,
        0b101 => LoadOp::Lhu,
        0b110 => LoadOp::Lwu,
        _ => return Insn::Illegal,
    };
    Insn::Load {
        op,
        rd: rd(w),
        rs1: rs1(w),
        offset: imm_i(w),
    }
}

fn decode_store(w: u32) -> Insn {
    let op = match funct3(w) {
        0b000 => StoreOp::Sb,
        0b001 => StoreOp::Sh,
        0b010 => StoreOp::Sw,
        0b011 => StoreOp::Sd,
        _ => return Insn::Illegal,
    };
    Insn::Store {
        op,
        rs1: rs1(w),
        rs2: rs2(w),
        offset: imm_s(w),
    }
}

fn decode_load_fp(w: u32) -> Insn {
    let fmt = match funct3(w) {
        0b010 => FpFmt::S,
        0b011 => FpFmt::D,
        _ => return Insn::Illegal,
    };
    Insn::FLoad {
        fmt,
        rd: frd(w),
        rs1: rs1(w),
        offset: imm_i(w),
    }
}

fn decode_store_fp(w: u32) -> Insn {
    let fmt = match funct3(w) {
        0b010 => FpFmt::S,
        0b011 => FpFmt::D,
        _ => return Insn::Illegal,
    };
    Insn::FStore {
        fmt,
        rs1: rs1(w),
        rs2: frs2(w),
        offset: imm_s(w),
    }
}

fn decode_branch(w: u32) -> Insn {
    let op = match funct3(w) {
        0b000 => BranchOp::Eq,
        0b001 => BranchOp::Ne,
        0b100 => BranchOp::Lt,
        0b101 => BranchOp::Ge,
        0b110 => BranchOp::Ltu,
        0b111 => BranchOp::Geu,
        _ => return Insn::Illegal,
    };
    Insn::Branch {
        op,
        rs1: rs1(w),
        rs2: rs2(w),
        offset: imm_b(w),
    }
}

fn decode_misc_mem(w: u32) -> Insn {
    match funct3(w) {
        0b000 => {
            let fm = bits(w, 31, 28) as u8;
            let pred = bits(w, 27, 24) as u8;
            let succ = bits(w, 23, 20) as u8;
            // The spec (unprivileged ISA, "Memory Ordering Instructions")
            // reserves the rd and rs1 fields and every fm/pred/succ
            // combination other than a plain fence and `fence.tso rw,rw`,
            // and requires implementations to treat those as a normal fence
            // (fm = 0), not as illegal instructions. So does QEMU.
            let fm = if fm == 0b1000 && pred == 0b0011 && succ == 0b0011 {
                fm
            } else {
                0
            };
            Insn::Fence { pred, succ, fm }
        }
        // The imm, rs1 and rd fields of fence.i are reserved for finer-grained
        // fences, and base implementations must ignore them.
        0b001 => Insn::FenceI,
        _ => Insn::Illegal,
    }
}

fn decode_op_imm(w: u32) -> Insn {
    let (rd, rs1, imm) = (rd(w), rs1(w), imm_i(w));
    // RV64 shifts use a 6-bit shamt in bits 25:20; bits 31:26 select the shift.
    let shamt = bits(w, 25, 20) as i64;
    let shift_kind = bits(w, 31, 26);
    let (op, imm) = match funct3(w) {
        0b000 => (AluOp::Add, imm),
        0b010 => (AluOp::Slt, imm),
        0b011 => (AluOp::Sltu, imm),
        0b100 => (AluOp::Xor, imm),
        0b110 => (AluOp::Or, imm),
        0b111 => (AluOp::And, imm),
        0b001 => match shift_kind {
            0b000000 => (AluOp::Sll, shamt),
            0b001010 => (AluOp::Bset, shamt),
            0b010010 => (AluOp::Bclr, shamt),
            0b011010 => (AluOp::Binv, shamt),
            _ => return decode_unary(w, bits(w, 31, 20)),
        },
        0b101 => match shift_kind {
            0b000000 => (AluOp::Srl, shamt),
            0b010000 => (AluOp::Sra, shamt),
            0b010010 => (AluOp::Bext, shamt),
            0b011000 => (AluOp::Ror, shamt),
            _ => return decode_unary(w, bits(w, 31, 20)),
        },
        _ => return Insn::Illegal,
    };
    Insn::OpImm { op, rd, rs1, imm }
}

/// The one-operand Zbb instructions: OP-IMM (`funct3` 001 or 101) or
/// OP-IMM-32 with the whole 12-bit immediate field fixed.
fn decode_unary(w: u32, imm12: u32) -> Insn {
    let word = bits(w, 6, 0) == 0b001_1011;
    let op = match (word, funct3(w), imm12) {
        (false, 0b001, 0x600) => UnaryOp::Clz,
        (false, 0b001, 0x601) => UnaryOp::Ctz,
        (false, 0b001, 0x602) => UnaryOp::Cpop,
        (false, 0b001, 0x604) => UnaryOp::SextB,
        (false, 0b001, 0x605) => UnaryOp::SextH,
        (false, 0b101, 0x287) => UnaryOp::OrcB,
        (false, 0b101, 0x6b8) => UnaryOp::Rev8,
        (true, 0b001, 0x600) => UnaryOp::Clzw,
        (true, 0b001, 0x601) => UnaryOp::Ctzw,
        (true, 0b001, 0x602) => UnaryOp::Cpopw,
        _ => return Insn::Illegal,
    };
    Insn::Unary {
        op,
        rd: rd(w),
        rs1: rs1(w),
    }
}

fn decode_op_imm_32(w: u32) -> Insn {
    let (rd, rs1) = (rd(w), rs1(w));
    // The W shifts have a 5-bit shamt; shamt[5] (bit 25) set is reserved and
    // is caught by requiring the whole funct7 to match.
    let shamt = bits(w, 24, 20) as i64;
    let (op, imm) = match (funct7(w), funct3(w)) {
        (_, 0b000) => (AluOp::Add, imm_i(w)),
        (0b000_0000, 0b001) => (AluOp::Sll, shamt),
        (0b000_0000, 0b101) => (AluOp::Srl, shamt),
        (0b010_0000, 0b101) => (AluOp::Sra, shamt),
        (0b011_0000, 0b101) => (AluOp::Ror, shamt),
        // slli.uw: funct6 = 000010 with a 6-bit shamt; a 64-bit result.
        (0b000_0100 | 0b000_0101, 0b001) => {
            return Insn::OpImm {
                op: AluOp::SllUw,
                rd,
                rs1,
                imm: bits(w, 25, 20) as i64,
            }
        }
        (0b011_0000, 0b001) => return decode_unary(w, bits(w, 31, 20)),
        _ => return Insn::Illegal,
    };
    Insn::OpImm32 { op, rd, rs1, imm }
}

fn decode_op(w: u32) -> Insn {
    let op = match (funct7(w), funct3(w)) {
        (0b000_0000, 0b000) => AluOp::Add,
        (0b010_0000, 0b000) => AluOp::Sub,
        (0b000_0000, 0b001) => AluOp::Sll,
        (0b000_0000, 0b010) => AluOp::Slt,
        (0b000_0000, 0b011) => AluOp::Sltu,
        (0b000_0000, 0b100) => AluOp::Xor,
        (0b000_0000, 0b101) => AluOp::Srl,
        (0b010_0000, 0b101) => AluOp::Sra,
        (0b000_0000, 0b110) => AluOp::Or,
        (0b000_0000, 0b111) => AluOp::And,
        (0b000_0001, 0b000) => AluOp::Mul,
        (0b000_0001, 0b001) => AluOp::Mulh,
        (0b000_0001, 0b010) => AluOp::Mulhsu,
        (0b000_0001, 0b011) => AluOp::Mulhu,
        (0b000_0001, 0b100) => AluOp::Div,
        (0b000_0001, 0b101) => AluOp::Divu,
        (0b000_0001, 0b110) => AluOp::Rem,
        (0b000_0001, 0b111) => AluOp::Remu,
        // Zba
        (0b001_0000, 0b010) => AluOp::Sh1add,
        (0b001_0000, 0b100) => AluOp::Sh2add,
        (0b001_0000, 0b110) => AluOp::Sh3add,
        // Zbb
        (0b010_0000, 0b111) => AluOp::Andn,
        (0b010_0000, 0b110) => AluOp::Orn,
        (0b010_0000, 0b100) => AluOp::Xnor,
        (0b000_0101, 0b110) => AluOp::Max,
        (0b000_0101, 0b111) => AluOp::Maxu,
        (0b000_0101, 0b100) => AluOp::Min,
        (0b000_0101, 0b101) => AluOp::Minu,
        (0b011_0000, 0b001) => AluOp::Rol,
        (0b011_0000, 0b101) => AluOp::Ror,
        // Zbs
        (0b010_0100, 0b001) => AluOp::Bclr,
        (0b010_0100, 0b101) => AluOp::Bext,
        (0b011_0100, 0b001) => AluOp::Binv,
        (0b001_0100, 0b001) => AluOp::Bset,
        // Zicond
        (0b000_0111, 0b101) => AluOp::CzeroEqz,
        (0b000_0111, 0b111) => AluOp::CzeroNez,
        _ => return Insn::Illegal,
    };
    Insn::Op {
        op,
        rd: rd(w),
        rs1: rs1(w),
        rs2: rs2(w),
    }
}

fn decode_op_32(w: u32) -> Insn {
    let (rd, rs1, rs2) = (rd(w), rs1(w), rs2(w));
    // The Zba `.uw` operations live here but have a 64-bit result.
    let uw = |op| Insn::Op { op, rd, rs1, rs2 };
    let op = match (funct7(w), funct3(w)) {
        (0b000_0000, 0b000) => AluOp::Add,
        (0b010_0000, 0b000) => AluOp::Sub,
        (0b000_0000, 0b001) => AluOp::Sll,
        (0b000_0000, 0b101) => AluOp::Srl,
        (0b010_0000, 0b101) => AluOp::Sra,
        (0b000_0001, 0b000) => AluOp::Mul,
        (0b000_0001, 0b100) => AluOp::Div,
        (0b000_0001, 0b101) => AluOp::Divu,
        (0b000_0001, 0b110) => AluOp::Rem,
        (0b000_0001, 0b111) => AluOp::Remu,
        (0b011_0000, 0b001) => AluOp::Rol,
        (0b011_0000, 0b101) => AluOp::Ror,
        (0b000_0100, 0b000) => return uw(AluOp::AddUw),
        (0b001_0000, 0b010) => return uw(AluOp::Sh1addUw),
        (0b001_0000, 0b100) => return uw(AluOp::Sh2addUw),
        (0b001_0000, 0b110) => return uw(AluOp::Sh3addUw),
        // zext.h is `packw rd, rs1, x0` in RV64; packw itself is Zbkb.
        (0b000_0100, 0b100) if rs2 == Reg::ZERO => {
            return Insn::Unary {
                op: UnaryOp::ZextH,
                rd,
                rs1,
            }
        }
        _ => return Insn::Illegal,
    };
    Insn::Op32 { op, rd, rs1, rs2 }
}

fn decode_amo(w: u32) -> Insn {
    let width = match funct3(w) {
        0b010 => AmoWidth::W,
        0b011 => AmoWidth::D,
        _ => return Insn::Illegal,
    };
    let aq = bit(w, 26) == 1;
    let rl = bit(w, 25) == 1;
    let (rd, rs1, rs2) = (rd(w), rs1(w), rs2(w));
    let op = match bits(w, 31, 27) {
        0b00010 if rs2 == Reg::ZERO => {
            return Insn::Lr {
                width,
                aq,
                rl,
                rd,
                rs1,
            }
        }
        0b00011 => {
            return Insn::Sc {
                width,
                aq,
                rl,
                rd,
                rs1,
                rs2,
            }
        }
        0b00001 => AmoOp::Swap,
        0b00000 => AmoOp::Add,
        0b00100 => AmoOp::Xor,
        0b01100 => AmoOp::And,
        0b01000 => AmoOp::Or,
        0b10000 => AmoOp::Min,
        0b10100 => AmoOp::Max,
        0b11000 => AmoOp::Minu,
        0b11100 => AmoOp::Maxu,
        _ => return Insn::Illegal,
    };
    Insn::Amo {
        op,
        width,
        aq,
        rl,
        rd,
        rs1,
        rs2,
    }
}

fn decode_system(w: u32) -> Insn {
    let csr = bits(w, 31, 20) as u16;
    let (rd, rs1) = (rd(w), rs1(w));
    let uimm = bits(w, 19, 15) as u8;
    match funct3(w) {
        0b000 => decode_privileged(w),
        0b001 => Insn::Csr {
            op: CsrOp::Rw,
            rd,
            rs1,
            csr,
        },
        0b010 => Insn::Csr {
            op: CsrOp::Rs,
            rd,
            rs1,
            csr,
        },
        0b011 => Insn::Csr {
            op: CsrOp::Rc,
            rd,
            rs1,
            csr,
        },
        0b101 => Insn::CsrImm {
            op: CsrOp::Rw,
            rd,
            uimm,
            csr,
        },
        0b110 => Insn::CsrImm {
            op: CsrOp::Rs,
            rd,
            uimm,
            csr,
        },
        0b111 => Insn::CsrImm {
            op: CsrOp::Rc,
            rd,
            uimm,
            csr,
        },
        _ => Insn::Illegal, // 0b100 holds the hypervisor loads and stores.
    }
}

/// SYSTEM with funct3 = 0: the environment calls and privileged instructions.
/// All of them have fixed fields, so most are matched on the whole word.
fn decode_privileged(w: u32) -> Insn {
    match w {
        0x0000_0073 => return Insn::Ecall,
        0x0010_0073 => return Insn::Ebreak,
        0x1020_0073 => return Insn::Sret,
        0x3020_0073 => return Insn::Mret,
        0x1050_0073 => return Insn::Wfi,
        _ => {}
    }
    // sfence.vma rs1, rs2: funct7 = 0001001, rd = 0.
    if funct7(w) == 0b000_1001 && bits(w, 11, 7) == 0 {
        return Insn::SfenceVma {
            rs1: rs1(w),
            rs2: rs2(w),
        };
    }
    Insn::Illegal
}

fn decode_fma(w: u32, op: FmaOp) -> Insn {
    let Some(fmt) = fp_fmt(w) else {
        return Insn::Illegal;
    };
    Insn::Fma {
        op,
        fmt,
        rm: rm(w),
        rd: frd(w),
        rs1: frs1(w),
        rs2: frs2(w),
        rs3: frs3(w),
    }
}

fn decode_op_fp(w: u32) -> Insn {
    let Some(fmt) = fp_fmt(w) else {
        return Insn::Illegal;
    };
    let (rd, rs1, rs2, rm) = (frd(w), frs1(w), frs2(w), rm(w));
    // The integer-register views of rd and rs1, for moves, compares and conversions.
    let (xrd, xrs1) = (self::rd(w), self::rs1(w));
    let rs2_field = bits(w, 24, 20);
    let f3 = funct3(w);
    let bin = |op| Insn::FpBin {
        op,
        fmt,
        rm,
        rd,
        rs1,
        rs2,
    };
    // For the operations that do not round (sign injection, min/max), `rm`
    // holds the raw funct3, which selects the operation.
    match bits(w, 31, 27) {
        0b00000 => bin(FpBinOp::Add),
        0b00001 => bin(FpBinOp::Sub),
        0b00010 => bin(FpBinOp::Mul),
        0b00011 => bin(FpBinOp::Div),
        0b00100 => match f3 {
            0b000 => bin(FpBinOp::Sgnj),
            0b001 => bin(FpBinOp::Sgnjn),
            0b010 => bin(FpBinOp::Sgnjx),
            _ => Insn::Illegal,
        },
        0b00101 => match f3 {
            0b000 => bin(FpBinOp::Min),
            0b001 => bin(FpBinOp::Max),
            _ => Insn::Illegal,
        },
        0b01011 if rs2_field == 0 => Insn::Fsqrt { fmt, rm, rd, rs1 },
        // fcvt.s.d has fmt = S and rs2 = 1 (D); fcvt.d.s has fmt = D and rs2 = 0 (S).
        0b01000 => match (fmt, rs2_field) {
            (FpFmt::S, 0b00001) => Insn::FcvtFp {
                to: FpFmt::S,
                from: FpFmt::D,
                rm,
                rd,
                rs1,
            },
            (FpFmt::D, 0b00000) => Insn::FcvtFp {
                to: FpFmt::D,
                from: FpFmt::S,
                rm,
                rd,
                rs1,
            },
            _ => Insn::Illegal,
        },
        0b10100 => {
            let op = match f3 {
                0b010 => FpCmpOp::Eq,
                0b001 => FpCmpOp::Lt,
                0b000 => FpCmpOp::Le,
                _ => return Insn::Illegal,
            };
            Insn::FpCmp {
                op,
                fmt,
                rd: xrd,
                rs1,
                rs2,
            }
        }
        0b11000 => match int_fmt(rs2_field) {
            Some(int) => Insn::FcvtToInt {
                fmt,
                int,
                rm,
                rd: xrd,
                rs1,
            },
            None => Insn::Illegal,
        },
        0b11010 => match int_fmt(rs2_field) {
            Some(int) => Insn::FcvtFromInt {
                fmt,
                int,
                rm,
                rd,
                rs1: xrs1,
            },
            None => Insn::Illegal,
        },
        0b11100 if rs2_field == 0 => match f3 {
            0b000 => Insn::FmvToInt { fmt, rd: xrd, rs1 },
            0b001 => Insn::Fclass { fmt, rd: xrd, rs1 },
            _ => Insn::Illegal,
        },
        0b11110 if rs2_field == 0 && f3 == 0b000 => Insn::FmvFromInt { fmt, rd, rs1: xrs1 },
        _ => Insn::Illegal,
    }
}

/// The integer type selected by the rs2 field of `fcvt` between FP and integer.
fn int_fmt(rs2_field: u32) -> Option<IntFmt> {
    match rs2_field {
        0b00000 => Some(IntFmt::W),
        0b00001 => Some(IntFmt::Wu),
        0b00010 => Some(IntFmt::L),
        0b00011 => Some(IntFmt::Lu),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Compressed (RVC) encodings. Each one is expanded to the base instruction it
// stands for; the field layouts are in the spec's "RVC Instruction Formats".
// ---------------------------------------------------------------------------

/// A register from a 3-bit RVC field (`rd'`, `rs1'`, `rs2'`), x8..x15.
fn c_reg3(h: u32, lo: u32) -> Reg {
    Reg(8 + bits(h, lo + 2, lo) as u8)
}

/// A 3-bit RVC FP register field, f8..f15.
fn c_freg3(h: u32, lo: u32) -> FReg {
    FReg(8 + bits(h, lo + 2, lo) as u8)
}

/// The 6-bit signed immediate of the CI format: `imm[5]` in bit 12, `imm[4:0]` in bits 6:2.
fn c_imm6(h: u32) -> i64 {
    sext(bit(h, 12) << 5 | bits(h, 6, 2), 6)
}

/// The 6-bit unsigned shift amount of c.slli/c.srli/c.srai.
fn c_shamt(h: u32) -> i64 {
    (bit(h, 12) << 5 | bits(h, 6, 2)) as i64
}

/// The word offset of c.lw/c.sw: `uimm[5:3]` in bits 12:10, `uimm[2|6]` in bits 6:5.
fn c_lw_offset(h: u32) -> i64 {
    (bits(h, 12, 10) << 3 | bit(h, 6) << 2 | bit(h, 5) << 6) as i64
}

/// The doubleword offset of c.ld/c.sd/c.fld/c.fsd: `uimm[5:3]` in bits 12:10, `uimm[7:6]` in bits 6:5.
fn c_ld_offset(h: u32) -> i64 {
    (bits(h, 12, 10) << 3 | bits(h, 6, 5) << 6) as i64
}

/// The offset of c.lwsp: `uimm[5]` in bit 12, `uimm[4:2|7:6]` in bits 6:2.
fn c_lwsp_offset(h: u32) -> i64 {
    (bit(h, 12) << 5 | bits(h, 6, 4) << 2 | bits(h, 3, 2) << 6) as i64
}

/// The offset of c.ldsp/c.fldsp: `uimm[5]` in bit 12, `uimm[4:3|8:6]` in bits 6:2.
fn c_ldsp_offset(h: u32) -> i64 {
    (bit(h, 12) << 5 | bits(h, 6, 5) << 3 | bits(h, 4, 2) << 6) as i64
}

/// The offset of c.swsp: `uimm[5:2|7:6]` in bits 12:7.
fn c_swsp_offset(h: u32) -> i64 {
    (bits(h, 12, 9) << 2 | bits(h, 8, 7) << 6) as i64
}

/// The offset of c.sdsp/c.fsdsp: `uimm[5:3|8:6]` in bits 12:7.
fn c_sdsp_offset(h: u32) -> i64 {
    (bits(h, 12, 10) << 3 | bits(h, 9, 7) << 6) as i64
}

/// The offset of c.j: `imm[11|4|9:8|10|6|7|3:1|5]` in bits 12:2.
fn c_j_offset(h: u32) -> i64 {
    let v = bit(h, 12) << 11
        | bit(h, 11) << 4
        | bits(h, 10, 9) << 8
        | bit(h, 8) << 10
        | bit(h, 7) << 6
        | bit(h, 6) << 7
        | bits(h, 5, 3) << 1
        | bit(h, 2) << 5;
    sext(v, 12)
}

/// The offset of c.beqz/c.bnez: `imm[8|4:3]` in bits 12:10, `imm[7:6|2:1|5]` in bits 6:2.
fn c_b_offset(h: u32) -> i64 {
    let v = bit(h, 12) << 8
        | bits(h, 11, 10) << 3
        | bits(h, 6, 5) << 6
        | bits(h, 4, 3) << 1
        | bit(h, 2) << 5;
    sext(v, 9)
}

/// The immediate of c.addi4spn: `nzuimm[5:4|9:6|2|3]` in bits 12:5.
fn c_addi4spn_imm(h: u32) -> i64 {
    (bits(h, 12, 11) << 4 | bits(h, 10, 7) << 6 | bit(h, 6) << 2 | bit(h, 5) << 3) as i64
}

/// The immediate of c.addi16sp: `nzimm[9]` in bit 12, `nzimm[4|6|8:7|5]` in bits 6:2.
fn c_addi16sp_imm(h: u32) -> i64 {
    let v = bit(h, 12) << 9 | bit(h, 6) << 4 | bit(h, 5) << 6 | bits(h, 4, 3) << 7 | bit(h, 2) << 5;
    sext(v, 10)
}

/// Decodes and expands a 16-bit RVC encoding.
pub fn decode_compressed(half: u16) -> Insn {
    let h = half as u32;
    match (bits(h, 1, 0), bits(h, 15, 13)) {
        (0b00, f3) => decode_c_quadrant0(h, f3),
        (0b01, f3) => decode_c_quadrant1(h, f3),
        (0b10, f3) => decode_c_quadrant2(h, f3),
        _ => Insn::Illegal, // Quadrant 3 is not compressed.
    }
}

fn decode_c_quadrant0(h: u32, f3: u32) -> Insn {
    // rd'/rs2' are in bits 4:2 and rs1' in bits 9:7.
    let (r_lo, r_hi) = (c_reg3(h, 2), c_reg3(h, 7));
    match f3 {
        // c.addi4spn: a zero immediate is reserved, which also makes the
        // all-zero halfword illegal.
        0b000 => match c_addi4spn_imm(h) {
            0 => Insn::Illegal,
            imm => Insn::OpImm {
                op: AluOp::Add,
                rd: r_lo,
                rs1: Reg::SP,
                imm,
            },
        },
        0b001 => Insn::FLoad {
            fmt: FpFmt::D,
            rd: c_freg3(h, 2),
            rs1: r_hi,
            offset: c_ld_offset(h),
        },
        0b010 => Insn::Load {
            op: LoadOp::Lw,
            rd: r_lo,
            rs1: r_hi,
            offset: c_lw_offset(h),
        },
        0b011 => Insn::Load {
            op: LoadOp::Ld,
            rd: r_lo,
            rs1: r_hi,
            offset: c_ld_offset(h),
        },
        0b101 => Insn::FStore {
            fmt: FpFmt::D,
            rs1: r_hi,
            rs2: c_freg3(h, 2),
            offset: c_ld_offset(h),
        },
        0b110 => Insn::Store {
            op: StoreOp::Sw,
            rs1: r_hi,
            rs2: r_lo,
            offset: c_lw_offset(h),
        },
        0b111 => Insn::Store {
            op: StoreOp::Sd,
            rs1: r_hi,
            rs2: r_lo,
            offset: c_ld_offset(h),
        },
        _ => Insn::Illegal, // 0b100 is reserved.
    }
}

fn decode_c_quadrant1(h: u32, f3: u32) -> Insn {
    let rd_full = Reg(bits(h, 11, 7) as u8);
    let imm6 = c_imm6(h);
    match f3 {
        // c.addi (c.nop when rd = 0; rd = 0 with a non-zero immediate and a
        // zero immediate are hints, decoded as the plain addi).
        0b000 => Insn::OpImm {
            op: AluOp::Add,
            rd: rd_full,
            rs1: rd_full,
            imm: imm6,
        },
        // c.addiw: rd = 0 is reserved.
        0b001 if rd_full == Reg::ZERO => Insn::Illegal,
        0b001 => Insn::OpImm32 {
            op: AluOp::Add,
            rd: rd_full,
            rs1: rd_full,
            imm: imm6,
        },
        // c.li: rd = 0 is a hint.
        0b010 => Insn::OpImm {
            op: AluOp::Add,
            rd: rd_full,
            rs1: Reg::ZERO,
            imm: imm6,
        },
        0b011 if rd_full == Reg::SP => match c_addi16sp_imm(h) {
            0 => Insn::Illegal,
            imm => Insn::OpImm {
                op: AluOp::Add,
                rd: Reg::SP,
                rs1: Reg::SP,
                imm,
            },
        },
        // c.lui: a zero immediate is reserved; rd = 0 is a hint.
        0b011 => match imm6 {
            0 => Insn::Illegal,
            imm => Insn::Lui {
                rd: rd_full,
                imm: imm << 12,
            },
        },
        0b100 => decode_c_arith(h),
        0b101 => Insn::Jal {
            rd: Reg::ZERO,
            offset: c_j_offset(h),
        },
        0b110 => Insn::Branch {
            op: BranchOp::Eq,
            rs1: c_reg3(h, 7),
            rs2: Reg::ZERO,
            offset: c_b_offset(h),
        },
        0b111 => Insn::Branch {
            op: BranchOp::Ne,
            rs1: c_reg3(h, 7),
            rs2: Reg::ZERO,
            offset: c_b_offset(h),
        },
        _ => Insn::Illegal, // Not reached: funct3 has three bits.
    }
}

/// Quadrant 1, funct3 = 100: the shifts, c.andi and the register-register ops.
fn decode_c_arith(h: u32) -> Insn {
    let r = c_reg3(h, 7);
    let rs2 = c_reg3(h, 2);
    let op_imm = |op, imm| Insn::OpImm {
        op,
        rd: r,
        rs1: r,
        imm,
    };
    let op = |op| Insn::Op {
        op,
        rd: r,
        rs1: r,
        rs2,
    };
    let op32 = |op| Insn::Op32 {
        op,
        rd: r,
        rs1: r,
        rs2,
    };
    // In RV64 a zero shift amount is a hint, decoded as the plain shift.
    match (bits(h, 11, 10), bit(h, 12), bits(h, 6, 5)) {
        (0b00, _, _) => op_imm(AluOp::Srl, c_shamt(h)),
        (0b01, _, _) => op_imm(AluOp::Sra, c_shamt(h)),
        (0b10, _, _) => op_imm(AluOp::And, c_imm6(h)),
        (0b11, 0, 0b00) => op(AluOp::Sub),
        (0b11, 0, 0b01) => op(AluOp::Xor),
        (0b11, 0, 0b10) => op(AluOp::Or),
        (0b11, 0, 0b11) => op(AluOp::And),
        (0b11, 1, 0b00) => op32(AluOp::Sub),
        (0b11, 1, 0b01) => op32(AluOp::Add),
        _ => Insn::Illegal, // Reserved (and RV32/RV128-only) encodings.
    }
}

fn decode_c_quadrant2(h: u32, f3: u32) -> Insn {
    let rd_full = Reg(bits(h, 11, 7) as u8);
    let rs2_full = Reg(bits(h, 6, 2) as u8);
    match f3 {
        // c.slli: rd = 0 and a zero shift amount are hints.
        0b000 => Insn::OpImm {
            op: AluOp::Sll,
            rd: rd_full,
            rs1: rd_full,
            imm: c_shamt(h),
        },
        0b001 => Insn::FLoad {
            fmt: FpFmt::D,
            rd: FReg(rd_full.0),
            rs1: Reg::SP,
            offset: c_ldsp_offset(h),
        },
        // c.lwsp and c.ldsp: rd = 0 is reserved.
        0b010 | 0b011 if rd_full == Reg::ZERO => Insn::Illegal,
        0b010 => Insn::Load {
            op: LoadOp::Lw,
            rd: rd_full,
            rs1: Reg::SP,
            offset: c_lwsp_offset(h),
        },
        0b011 => Insn::Load {
            op: LoadOp::Ld,
            rd: rd_full,
            rs1: Reg::SP,
            offset: c_ldsp_offset(h),
        },
        0b100 => match (bit(h, 12), rd_full, rs2_full) {
            // c.jr with rs1 = 0 is reserved.
            (0, Reg::ZERO, Reg::ZERO) => Insn::Illegal,
            (0, rs1, Reg::ZERO) => Insn::Jalr {
                rd: Reg::ZERO,
                rs1,
                offset: 0,
            },
            // c.mv: rd = 0 is a hint.
            (0, rd, rs2) => Insn::Op {
                op: AluOp::Add,
                rd,
                rs1: Reg::ZERO,
                rs2,
            },
            (_, Reg::ZERO, Reg::ZERO) => Insn::Ebreak,
            (_, rs1, Reg::ZERO) => Insn::Jalr {
                rd: Reg::RA,
                rs1,
                offset: 0,
            },
            // c.add: rd = 0 is a hint.
            (_, rd, rs2) => Insn::Op {
                op: AluOp::Add,
                rd,
                rs1: rd,
                rs2,
            },
        },
        0b101 => Insn::FStore {
            fmt: FpFmt::D,
            rs1: Reg::SP,
            rs2: FReg(rs2_full.0),
            offset: c_sdsp_offset(h),
        },
        0b110 => Insn::Store {
            op: StoreOp::Sw,
            rs1: Reg::SP,
            rs2: rs2_full,
            offset: c_swsp_offset(h),
        },
        0b111 => Insn::Store {
            op: StoreOp::Sd,
            rs1: Reg::SP,
            rs2: rs2_full,
            offset: c_sdsp_offset(h),
        },
        _ => Insn::Illegal, // Not reached: funct3 has three bits.
    }
}

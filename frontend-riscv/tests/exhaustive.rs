//! Exhaustive RVC and random 32-bit sweeps: decode and disasm never panic, fields stay in range.
//!
//! Every compressed expansion is also re-encoded as the 32-bit instruction
//! it stands for, which must decode to the same `Insn`: RVC is exactly a
//! shorthand for base instructions.

use frontend_riscv::*;

/// Checks that every field of `insn` is in the range its encoding allows.
fn check_fields(insn: &Insn) -> Result<(), String> {
    let reg = |r: Reg| r.0 < 32;
    let freg = |r: FReg| r.0 < 32;
    let imm12 = |v: i64| (-2048..=2047).contains(&v);
    let ok = match *insn {
        Insn::Lui { rd, imm } | Insn::Auipc { rd, imm } => {
            reg(rd) && imm % 4096 == 0 && i32::try_from(imm).is_ok()
        }
        Insn::Jal { rd, offset } => {
            reg(rd) && offset % 2 == 0 && (-(1 << 20)..(1 << 20)).contains(&offset)
        }
        Insn::Jalr { rd, rs1, offset } => reg(rd) && reg(rs1) && imm12(offset),
        Insn::Branch {
            rs1, rs2, offset, ..
        } => reg(rs1) && reg(rs2) && offset % 2 == 0 && (-4096..4096).contains(&offset),
        Insn::Load {
            rd, rs1, offset, ..
        } => reg(rd) && reg(rs1) && imm12(offset),
        Insn::Store {
            rs1, rs2, offset, ..
        } => reg(rs1) && reg(rs2) && imm12(offset),
        Insn::OpImm { op, rd, rs1, imm } => {
            reg(rd)
                && reg(rs1)
                && match op {
                    AluOp::Sll
                    | AluOp::Srl
                    | AluOp::Sra
                    | AluOp::Ror
                    | AluOp::SllUw
                    | AluOp::Bclr
                    | AluOp::Bext
                    | AluOp::Binv
                    | AluOp::Bset => (0..64).contains(&imm),
                    AluOp::Add | AluOp::Slt | AluOp::Sltu | AluOp::Xor | AluOp::Or | AluOp::And => {
                        imm12(imm)
                    }
                    _ => false,
                }
        }
        Insn::OpImm32 { op, rd, rs1, imm } => {
            reg(rd)
                && reg(rs1)
                && match op {
                    AluOp::Sll | AluOp::Srl | AluOp::Sra | AluOp::Ror => (0..32).contains(&imm),
                    AluOp::Add => imm12(imm),
                    _ => false,
                }
        }
        Insn::Op { op, rd, rs1, rs2 } => reg(rd) && reg(rs1) && reg(rs2) && op != AluOp::SllUw,
        Insn::Unary { rd, rs1, .. } => reg(rd) && reg(rs1),
        Insn::Op32 { op, rd, rs1, rs2 } => {
            reg(rd)
                && reg(rs1)
                && reg(rs2)
                && matches!(
                    op,
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
                        | AluOp::Ror
                )
        }
        Insn::Fence { pred, succ, fm } => pred < 16 && succ < 16 && (fm == 0 || fm == 8),
        Insn::FenceI
        | Insn::Ecall
        | Insn::Ebreak
        | Insn::Mret
        | Insn::Sret
        | Insn::Wfi
        | Insn::Illegal => true,
        Insn::SfenceVma { rs1, rs2 } => reg(rs1) && reg(rs2),
        Insn::Csr { rd, rs1, csr, .. } => reg(rd) && reg(rs1) && csr < 4096,
        Insn::CsrImm { rd, uimm, csr, .. } => reg(rd) && uimm < 32 && csr < 4096,
        Insn::Lr { rd, rs1, .. } => reg(rd) && reg(rs1),
        Insn::Sc { rd, rs1, rs2, .. } | Insn::Amo { rd, rs1, rs2, .. } => {
            reg(rd) && reg(rs1) && reg(rs2)
        }
        Insn::FLoad {
            rd, rs1, offset, ..
        } => freg(rd) && reg(rs1) && imm12(offset),
        Insn::FStore {
            rs1, rs2, offset, ..
        } => reg(rs1) && freg(rs2) && imm12(offset),
        Insn::FpBin {
            rm, rd, rs1, rs2, ..
        } => rm.0 < 8 && freg(rd) && freg(rs1) && freg(rs2),
        Insn::Fma {
            rm,
            rd,
            rs1,
            rs2,
            rs3,
            ..
        } => rm.0 < 8 && freg(rd) && freg(rs1) && freg(rs2) && freg(rs3),
        Insn::Fsqrt { rm, rd, rs1, .. } => rm.0 < 8 && freg(rd) && freg(rs1),
        Insn::FpCmp { rd, rs1, rs2, .. } => reg(rd) && freg(rs1) && freg(rs2),
        Insn::Fclass { rd, rs1, .. } | Insn::FmvToInt { rd, rs1, .. } => reg(rd) && freg(rs1),
        Insn::FmvFromInt { rd, rs1, .. } => freg(rd) && reg(rs1),
        Insn::FcvtToInt { rm, rd, rs1, .. } => rm.0 < 8 && reg(rd) && freg(rs1),
        Insn::FcvtFromInt { rm, rd, rs1, .. } => rm.0 < 8 && freg(rd) && reg(rs1),
        Insn::FcvtFp {
            to,
            from,
            rm,
            rd,
            rs1,
        } => to != from && rm.0 < 8 && freg(rd) && freg(rs1),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("field out of range in {insn:?}"))
    }
}

fn r_type(opcode: u32, funct3: u32, funct7: u32, rd: u8, rs1: u8, rs2: u8) -> u32 {
    funct7 << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | funct3 << 12
        | (rd as u32) << 7
        | opcode
}

fn i_type(opcode: u32, funct3: u32, rd: u8, rs1: u8, imm: i64) -> u32 {
    ((imm as u32) & 0xfff) << 20 | (rs1 as u32) << 15 | funct3 << 12 | (rd as u32) << 7 | opcode
}

fn s_type(opcode: u32, funct3: u32, rs1: u8, rs2: u8, imm: i64) -> u32 {
    let imm = imm as u32;
    (imm >> 5 & 0x7f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | funct3 << 12
        | (imm & 0x1f) << 7
        | opcode
}

/// Encodes the 32-bit form of an instruction that an RVC encoding can
/// expand to, written independently of the decoder from the spec's tables.
fn encode_rvc_expansion(insn: &Insn) -> u32 {
    match *insn {
        Insn::Lui { rd, imm } => (imm as u32 & 0xffff_f000) | (rd.0 as u32) << 7 | 0x37,
        Insn::Jal { rd, offset } => {
            let o = offset as u32;
            (o >> 20 & 1) << 31
                | (o >> 1 & 0x3ff) << 21
                | (o >> 11 & 1) << 20
                | (o >> 12 & 0xff) << 12
                | (rd.0 as u32) << 7
                | 0x6f
        }
        Insn::Jalr { rd, rs1, offset } => i_type(0x67, 0, rd.0, rs1.0, offset),
        Insn::Branch {
            op,
            rs1,
            rs2,
            offset,
        } => {
            let funct3 = match op {
                BranchOp::Eq => 0,
                BranchOp::Ne => 1,
                other => panic!("RVC has no {other:?} branch"),
            };
            let o = offset as u32;
            (o >> 12 & 1) << 31
                | (o >> 5 & 0x3f) << 25
                | (rs2.0 as u32) << 20
                | (rs1.0 as u32) << 15
                | funct3 << 12
                | (o >> 1 & 0xf) << 8
                | (o >> 11 & 1) << 7
                | 0x63
        }
        Insn::Load {
            op,
            rd,
            rs1,
            offset,
        } => {
            let funct3 = match op {
                LoadOp::Lw => 2,
                LoadOp::Ld => 3,
                other => panic!("RVC has no {other:?}"),
            };
            i_type(0x03, funct3, rd.0, rs1.0, offset)
        }
        Insn::Store {
            op,
            rs1,
            rs2,
            offset,
        } => {
            let funct3 = match op {
                StoreOp::Sw => 2,
                StoreOp::Sd => 3,
                other => panic!("RVC has no {other:?}"),
            };
            s_type(0x23, funct3, rs1.0, rs2.0, offset)
        }
        Insn::FLoad {
            fmt: FpFmt::D,
            rd,
            rs1,
            offset,
        } => i_type(0x07, 3, rd.0, rs1.0, offset),
        Insn::FStore {
            fmt: FpFmt::D,
            rs1,
            rs2,
            offset,
        } => s_type(0x27, 3, rs1.0, rs2.0, offset),
        Insn::OpImm { op, rd, rs1, imm } => {
            let (funct3, imm) = match op {
                AluOp::Add => (0, imm),
                AluOp::And => (7, imm),
                AluOp::Sll => (1, imm),
                AluOp::Srl => (5, imm),
                AluOp::Sra => (5, imm | 0x400),
                other => panic!("RVC has no {other:?} immediate"),
            };
            i_type(0x13, funct3, rd.0, rs1.0, imm)
        }
        Insn::OpImm32 {
            op: AluOp::Add,
            rd,
            rs1,
            imm,
        } => i_type(0x1b, 0, rd.0, rs1.0, imm),
        Insn::Op { op, rd, rs1, rs2 } => {
            let (funct3, funct7) = match op {
                AluOp::Add => (0, 0x00),
                AluOp::Sub => (0, 0x20),
                AluOp::Xor => (4, 0x00),
                AluOp::Or => (6, 0x00),
                AluOp::And => (7, 0x00),
                other => panic!("RVC has no {other:?}"),
            };
            r_type(0x33, funct3, funct7, rd.0, rs1.0, rs2.0)
        }
        Insn::Op32 { op, rd, rs1, rs2 } => {
            let funct7 = match op {
                AluOp::Add => 0x00,
                AluOp::Sub => 0x20,
                other => panic!("RVC has no {other:?}w"),
            };
            r_type(0x3b, 0, funct7, rd.0, rs1.0, rs2.0)
        }
        Insn::Ebreak => 0x0010_0073,
        ref other => panic!("no RVC instruction expands to {other:?}"),
    }
}

/// Checks a decoded compressed instruction: fields in range, the register
/// classes RVC can address, and agreement with its 32-bit encoding.
fn check_compressed(half: u16) -> Result<(), String> {
    let insn = decode_compressed(half);
    check_fields(&insn).map_err(|e| format!("{half:#06x}: {e}"))?;
    if half & 3 == 3 {
        // Quadrant 3 is the start of a 32-bit instruction, not RVC.
        return if insn == Insn::Illegal {
            Ok(())
        } else {
            Err(format!("{half:#06x}: quadrant 3 decoded as {insn:?}"))
        };
    }
    let d = decode(half as u32);
    if d.len != 2 || d.insn != insn || d.raw != half as u32 {
        return Err(format!(
            "{half:#06x}: decode and decode_compressed disagree"
        ));
    }
    let _ = disasm(&d, 0x8000_0000);
    if insn == Insn::Illegal {
        return Ok(());
    }
    let word = encode_rvc_expansion(&insn);
    let expanded = decode_32(word);
    if expanded != insn {
        return Err(format!(
            "{half:#06x}: expands to {insn:?}, but its encoding {word:#010x} decodes to {expanded:?}"
        ));
    }
    Ok(())
}

#[test]
fn every_halfword_decodes_in_range_and_matches_its_expansion() {
    let mut errors = Vec::new();
    let mut legal = 0;
    for half in 0..=u16::MAX {
        if let Err(e) = check_compressed(half) {
            errors.push(e);
        }
        if half & 3 != 3 && decode_compressed(half) != Insn::Illegal {
            legal += 1;
        }
    }
    assert!(
        errors.is_empty(),
        "{} errors, first: {:#?}",
        errors.len(),
        &errors[..errors.len().min(20)]
    );
    // 49152 RVC patterns minus the reserved ones (a sanity check that the
    // decoder did not reject whole groups).
    assert!(legal > 45_000, "only {legal} legal RVC encodings");
}

/// A xorshift64 generator, enough for a reproducible sweep.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_words_decode_and_disassemble_without_panicking() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let mut legal = 0u32;
    for i in 0..2_000_000u32 {
        let r = rng.next();
        let mut word = r as u32;
        // Make most words 32-bit encodings of a real major opcode, so the
        // sweep reaches the inner tables, and zero some fields, where the
        // aliases and hints are.
        if i % 4 != 0 {
            word |= 3;
        }
        if (r >> 32) & 3 == 0 {
            word &= !(0x1f << 7);
        }
        if (r >> 34) & 3 == 0 {
            word &= !(0x1f << 15);
        }
        if (r >> 36) & 3 == 0 {
            word &= !(0x1f << 20);
        }
        let d = decode(word);
        assert_eq!(d.len, insn_len(word as u16));
        if let Err(e) = check_fields(&d.insn) {
            panic!("{word:#010x}: {e}");
        }
        let text = disasm(&d, r >> 20);
        assert!(!text.is_empty());
        if d.insn != Insn::Illegal {
            legal += 1;
        }
    }
    assert!(legal > 500_000, "only {legal} legal words");
}

/// Whether `w` (a 32-bit word of the OP, OP-IMM, OP-32 or OP-IMM-32 major
/// opcode) is an RV64IM, Zba, Zbb, Zbs or Zicond instruction, from the
/// match/mask tables of the specs (riscv-opcodes `rv64_i`, `rv_m`,
/// `rv64_m`, `rv_zba`, `rv64_zba`, `rv_zbb`, `rv64_zbb`, `rv_zbs`,
/// `rv64_zbs`, `rv_zicond`), written independently of the decoder.
fn legal_in_alu_opcodes(w: u32) -> bool {
    let opcode = w & 0x7f;
    let f3 = (w >> 12) & 7;
    let imm12 = w >> 20;
    let (f7, f6, rs2) = (w >> 25, w >> 26, (w >> 20) & 31);
    match (opcode, f3) {
        (0x13, 0 | 2 | 3 | 4 | 6 | 7) => true,
        // slli, bseti, bclri, binvi; clz, ctz, cpop, sext.b, sext.h
        (0x13, 1) => {
            matches!(f6, 0b000000 | 0b001010 | 0b010010 | 0b011010)
                || matches!(imm12, 0x600 | 0x601 | 0x602 | 0x604 | 0x605)
        }
        // srli, srai, bexti, rori; orc.b, rev8
        (0x13, 5) => {
            matches!(f6, 0b000000 | 0b010000 | 0b010010 | 0b011000)
                || matches!(imm12, 0x287 | 0x6b8)
        }
        (0x1b, 0) => true,
        // slliw, slli.uw; clzw, ctzw, cpopw
        (0x1b, 1) => f7 == 0 || f6 == 0b000010 || matches!(imm12, 0x600..=0x602),
        // srliw, sraiw, roriw
        (0x1b, 5) => matches!(f7, 0b0000000 | 0b0100000 | 0b0110000),
        (0x1b, _) => false,
        (0x33, _) => matches!(
            (f7, f3),
            (0b0000000, _)
                | (0b0000001, _)
                | (0b0100000, 0b000 | 0b101 | 0b111 | 0b110 | 0b100)
                | (0b0010000, 0b010 | 0b100 | 0b110)
                | (0b0000101, 0b100..=0b111)
                | (0b0110000, 0b001 | 0b101)
                | (0b0100100, 0b001 | 0b101)
                | (0b0110100, 0b001)
                | (0b0010100, 0b001)
                | (0b0000111, 0b101 | 0b111)
        ),
        (0x3b, _) => {
            matches!(
                (f7, f3),
                (0b0000000, 0b000 | 0b001 | 0b101)
                    | (0b0100000, 0b000 | 0b101)
                    | (0b0000001, 0b000 | 0b100 | 0b101 | 0b110 | 0b111)
                    | (0b0110000, 0b001 | 0b101)
                    | (0b0000100, 0b000)
                    | (0b0010000, 0b010 | 0b100 | 0b110)
            ) || (f7 == 0b0000100 && f3 == 0b100 && rs2 == 0)
        }
        _ => unreachable!("not an ALU opcode: {w:#010x}"),
    }
}

#[test]
fn alu_opcodes_decode_exactly_the_specified_encodings() {
    // Every funct3 and every value of bits 31:20 (funct7/funct6, shamt or
    // rs2, or the fixed immediate of the unary Zbb instructions) of the four
    // ALU major opcodes, with a few register choices.
    let mut legal = 0;
    for opcode in [0x13u32, 0x1b, 0x33, 0x3b] {
        for f3 in 0..8u32 {
            for hi in 0..4096u32 {
                for (rd, rs1) in [(0u32, 0u32), (10, 11), (31, 1)] {
                    let w = hi << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
                    let d = decode(w);
                    let expected = legal_in_alu_opcodes(w);
                    assert_eq!(
                        d.insn != Insn::Illegal,
                        expected,
                        "{w:#010x}: decoded {:?} ({})",
                        d.insn,
                        disasm(&d, 0)
                    );
                    check_fields(&d.insn).unwrap_or_else(|e| panic!("{w:#010x}: {e}"));
                    legal += expected as u32;
                }
            }
        }
    }
    assert!(legal > 90_000, "only {legal} legal words");
}

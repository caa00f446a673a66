//! Unit tests of the decoder on tricky encodings: immediates, RVC forms, reserved encodings.
//!
//! The encodings come from `riscv64-unknown-elf-as` (see `data/all_insns.S`
//! and its listing) or are built by hand where the assembler refuses them.

use frontend_riscv::*;

fn x(n: u8) -> Reg {
    Reg(n)
}

fn f(n: u8) -> FReg {
    FReg(n)
}

const ZERO: Reg = Reg(0);
const RA: Reg = Reg(1);
const SP: Reg = Reg(2);
const S0: Reg = Reg(8);
const S1: Reg = Reg(9);
const A0: Reg = Reg(10);
const A1: Reg = Reg(11);
const A2: Reg = Reg(12);
const A4: Reg = Reg(14);
const A5: Reg = Reg(15);
const T6: Reg = Reg(31);

/// Decodes a 32-bit word, checking that `decode` agrees with `decode_32`.
fn d32(word: u32) -> Insn {
    let d = decode(word);
    assert_eq!(d.len, 4, "{word:#010x}");
    assert_eq!(d.raw, word);
    assert_eq!(d.insn, decode_32(word));
    d.insn
}

/// Decodes a halfword, checking that `decode` agrees with `decode_compressed`
/// and ignores the upper half.
fn d16(half: u16) -> Insn {
    let d = decode(0xdead_0000 | half as u32);
    assert_eq!(d.len, 2, "{half:#06x}");
    assert_eq!(d.raw, half as u32);
    assert_eq!(d.insn, decode_compressed(half));
    d.insn
}

fn addi(rd: Reg, rs1: Reg, imm: i64) -> Insn {
    Insn::OpImm {
        op: AluOp::Add,
        rd,
        rs1,
        imm,
    }
}

fn op_imm(op: AluOp, rd: Reg, rs1: Reg, imm: i64) -> Insn {
    Insn::OpImm { op, rd, rs1, imm }
}

fn op(op: AluOp, rd: Reg, rs1: Reg, rs2: Reg) -> Insn {
    Insn::Op { op, rd, rs1, rs2 }
}

fn load(op: LoadOp, rd: Reg, rs1: Reg, offset: i64) -> Insn {
    Insn::Load {
        op,
        rd,
        rs1,
        offset,
    }
}

fn store(op: StoreOp, rs2: Reg, rs1: Reg, offset: i64) -> Insn {
    Insn::Store {
        op,
        rs1,
        rs2,
        offset,
    }
}

#[test]
fn insn_len_follows_the_low_bits() {
    assert_eq!(insn_len(0x0001), 2);
    assert_eq!(insn_len(0x0002), 2);
    assert_eq!(insn_len(0x0000), 2);
    assert_eq!(insn_len(0x0013), 4);
    assert_eq!(insn_len(0xffff), 4);
}

#[test]
fn u_type_immediates_are_shifted_and_sign_extended() {
    assert_eq!(d32(0x0000_0537), Insn::Lui { rd: A0, imm: 0 });
    assert_eq!(
        d32(0x0000_1537),
        Insn::Lui {
            rd: A0,
            imm: 0x1000
        }
    );
    assert_eq!(
        d32(0x7fff_f537),
        Insn::Lui {
            rd: A0,
            imm: 0x7fff_f000
        }
    );
    assert_eq!(
        d32(0x8000_0537),
        Insn::Lui {
            rd: A0,
            imm: -0x8000_0000
        }
    );
    assert_eq!(
        d32(0xffff_ffb7),
        Insn::Lui {
            rd: T6,
            imm: -0x1000
        }
    );
    assert_eq!(
        d32(0x8000_0d97),
        Insn::Auipc {
            rd: x(27),
            imm: -0x8000_0000
        }
    );
    assert_eq!(
        d32(0xffff_f097),
        Insn::Auipc {
            rd: RA,
            imm: -0x1000
        }
    );
}

#[test]
fn j_type_offsets_are_sign_extended() {
    assert_eq!(
        d32(0x0080_006f),
        Insn::Jal {
            rd: ZERO,
            offset: 8
        }
    );
    assert_eq!(d32(0xff9f_f56f), Insn::Jal { rd: A0, offset: -8 });
    assert_eq!(
        d32(0x7fff_f06f),
        Insn::Jal {
            rd: ZERO,
            offset: 0xf_fffe
        }
    );
    assert_eq!(
        d32(0x8000_00ef),
        Insn::Jal {
            rd: RA,
            offset: -0x10_0000
        }
    );
    // Each group of offset bits on its own: imm[11] is in bit 20, imm[19:12] in bits 19:12.
    assert_eq!(
        d32(0x0010_006f),
        Insn::Jal {
            rd: ZERO,
            offset: 0x800
        }
    );
    assert_eq!(
        d32(0x0000_106f),
        Insn::Jal {
            rd: ZERO,
            offset: 0x1000
        }
    );
    assert_eq!(
        d32(0x0020_006f),
        Insn::Jal {
            rd: ZERO,
            offset: 2
        }
    );
}

#[test]
fn i_type_immediates_are_sign_extended() {
    assert_eq!(
        d32(0x7ff5_8567),
        Insn::Jalr {
            rd: A0,
            rs1: A1,
            offset: 2047
        }
    );
    assert_eq!(
        d32(0x8005_8567),
        Insn::Jalr {
            rd: A0,
            rs1: A1,
            offset: -2048
        }
    );
    assert_eq!(
        d32(0xff87_80e7),
        Insn::Jalr {
            rd: RA,
            rs1: A5,
            offset: -8
        }
    );
    assert_eq!(d32(0xfff5_9503), load(LoadOp::Lh, A0, A1, -1));
    assert_eq!(d32(0x7ff1_2503), load(LoadOp::Lw, A0, SP, 2047));
    assert_eq!(d32(0x8001_3503), load(LoadOp::Ld, A0, SP, -2048));
    assert_eq!(d32(0xf9c8_6883), load(LoadOp::Lwu, x(17), x(16), -100));
    assert_eq!(d32(0x0644_d403), load(LoadOp::Lhu, S0, S1, 100));
    assert_eq!(d32(0xfff5_8513), addi(A0, A1, -1));
    assert_eq!(d32(0x8005_8513), addi(A0, A1, -2048));
    assert_eq!(d32(0xfff5_c513), op_imm(AluOp::Xor, A0, A1, -1));
    assert_eq!(d32(0xfff5_b513), op_imm(AluOp::Sltu, A0, A1, -1));
    assert_eq!(
        d32(0x8005_851b),
        Insn::OpImm32 {
            op: AluOp::Add,
            rd: A0,
            rs1: A1,
            imm: -2048
        }
    );
    assert_eq!(
        d32(0x8005_3507),
        Insn::FLoad {
            fmt: FpFmt::D,
            rd: f(10),
            rs1: x(10),
            offset: -2048
        }
    );
}

#[test]
fn s_type_immediates_are_sign_extended() {
    assert_eq!(d32(0xfea5_9fa3), store(StoreOp::Sh, A0, A1, -1));
    assert_eq!(d32(0x7ea1_2fa3), store(StoreOp::Sw, A0, SP, 2047));
    assert_eq!(d32(0x80a1_3023), store(StoreOp::Sd, A0, SP, -2048));
    assert_eq!(d32(0x000f_b423), store(StoreOp::Sd, ZERO, T6, 8));
    assert_eq!(d32(0x00a5_8023), store(StoreOp::Sb, A0, A1, 0));
    assert_eq!(
        d32(0xfe84_3c27),
        Insn::FStore {
            fmt: FpFmt::D,
            rs1: S0,
            rs2: f(8),
            offset: -8
        }
    );
}

#[test]
fn b_type_offsets_are_sign_extended() {
    let beq = |rs1, rs2, offset| Insn::Branch {
        op: BranchOp::Eq,
        rs1,
        rs2,
        offset,
    };
    assert_eq!(d32(0x7e00_0fe3), beq(ZERO, ZERO, 4094));
    assert_eq!(d32(0x80b5_0063), beq(A0, A1, -4096));
    assert_eq!(
        d32(0xfeb5_1ee3),
        Insn::Branch {
            op: BranchOp::Ne,
            rs1: A0,
            rs2: A1,
            offset: -4
        }
    );
    // imm[11] lives in bit 7.
    assert_eq!(d32(0x00b5_00e3), beq(A0, A1, 0x800));
    assert_eq!(
        d32(0x00b5_4863),
        Insn::Branch {
            op: BranchOp::Lt,
            rs1: A0,
            rs2: A1,
            offset: 16
        }
    );
    assert_eq!(
        d32(0x00b5_7263),
        Insn::Branch {
            op: BranchOp::Geu,
            rs1: A0,
            rs2: A1,
            offset: 4
        }
    );
}

#[test]
fn shifts_use_six_bit_amounts_and_check_the_rest() {
    assert_eq!(d32(0x03f5_9513), op_imm(AluOp::Sll, A0, A1, 63));
    assert_eq!(d32(0x0205_d513), op_imm(AluOp::Srl, A0, A1, 32));
    assert_eq!(d32(0x43f5_d513), op_imm(AluOp::Sra, A0, A1, 63));
    // Bits 31:26 other than 000000 (or 010000 for srai, and the Zbb/Zbs
    // immediate forms) are reserved.
    assert_eq!(d32(0x0405_9513), Insn::Illegal);
    assert_eq!(d32(0x4015_9513), Insn::Illegal); // "slai"
    assert_eq!(d32(0x7015_d513), Insn::Illegal);
    assert_eq!(d32(0x6015_d513), op_imm(AluOp::Ror, A0, A1, 1)); // rori
    let w = |op, imm| Insn::OpImm32 {
        op,
        rd: A0,
        rs1: A1,
        imm,
    };
    assert_eq!(d32(0x01f5_951b), w(AluOp::Sll, 31));
    assert_eq!(d32(0x41f5_d51b), w(AluOp::Sra, 31));
    // shamt[5] set in a W shift is reserved.
    assert_eq!(d32(0x0205_951b), Insn::Illegal);
    assert_eq!(d32(0x0205_d51b), Insn::Illegal);
    assert_eq!(d32(0x4205_d51b), Insn::Illegal);
    // So are the other funct3 values of OP-IMM-32.
    assert_eq!(d32(0x0005_a51b), Insn::Illegal);
}

#[test]
fn undefined_funct7_values_are_illegal() {
    assert_eq!(d32(0x00c5_8533), op(AluOp::Add, A0, A1, A2));
    assert_eq!(d32(0x02c5_f533), op(AluOp::Remu, A0, A1, A2));
    assert_eq!(d32(0x04c5_8533), Insn::Illegal);
    assert_eq!(d32(0x40c5_9533), Insn::Illegal); // sub-style sll
    assert_eq!(d32(0x40c5_a533), Insn::Illegal);
    assert_eq!(d32(0x40c5_e533), op(AluOp::Orn, A0, A1, A2));
    assert_eq!(d32(0x02c5_953b), Insn::Illegal); // mulhw does not exist
    assert_eq!(d32(0x40c5_c53b), Insn::Illegal);
    assert_eq!(d32(0x00c5_a53b), Insn::Illegal);
    let w = |op| Insn::Op32 {
        op,
        rd: A0,
        rs1: A1,
        rs2: A2,
    };
    assert_eq!(d32(0x02c5_c53b), w(AluOp::Div));
    assert_eq!(d32(0x40c5_853b), w(AluOp::Sub));
}

#[test]
fn unknown_major_opcodes_and_funct3_are_illegal() {
    assert_eq!(d32(0x0000_005b), Insn::Illegal); // custom-2
    assert_eq!(d32(0x0000_007f), Insn::Illegal); // 80-bit and longer
    assert_eq!(d32(0x0000_001f), Insn::Illegal); // 48-bit
    assert_eq!(d32(0x0005_f503), Insn::Illegal); // load funct3 = 7
    assert_eq!(d32(0x00a5_c023), Insn::Illegal); // store funct3 = 4
    assert_eq!(d32(0x00b5_2063), Insn::Illegal); // branch funct3 = 2
    assert_eq!(d32(0x0005_9567), Insn::Illegal); // jalr funct3 = 1
    assert_eq!(d32(0x0005_c573), Insn::Illegal); // SYSTEM funct3 = 4
    assert_eq!(d32(0x0000_200f), Insn::Illegal); // MISC-MEM funct3 = 2 (cbo)
    assert_eq!(d32(0xffff_ffff), Insn::Illegal);
}

#[test]
fn fences() {
    let fence = |pred, succ, fm| Insn::Fence { pred, succ, fm };
    assert_eq!(d32(0x0ff0_000f), fence(0xf, 0xf, 0));
    assert_eq!(d32(0x05a0_000f), fence(0x5, 0xa, 0));
    assert_eq!(d32(0x8330_000f), fence(0x3, 0x3, 8));
    // Reserved fm values, fence.tso with other sets, and non-zero rd/rs1
    // are to be executed as ordinary fences (fm = 0).
    assert_eq!(d32(0x1ff0_000f), fence(0xf, 0xf, 0));
    assert_eq!(d32(0x8ff0_000f), fence(0xf, 0xf, 0));
    assert_eq!(d32(0x0ff5_058f), fence(0xf, 0xf, 0));
    assert_eq!(d32(0x0000_100f), Insn::FenceI);
    assert_eq!(d32(0x0010_100f), Insn::FenceI);
}

#[test]
fn privileged_instructions_need_exact_fixed_fields() {
    assert_eq!(d32(0x0000_0073), Insn::Ecall);
    assert_eq!(d32(0x0010_0073), Insn::Ebreak);
    assert_eq!(d32(0x3020_0073), Insn::Mret);
    assert_eq!(d32(0x1020_0073), Insn::Sret);
    assert_eq!(d32(0x1050_0073), Insn::Wfi);
    assert_eq!(
        d32(0x1200_0073),
        Insn::SfenceVma {
            rs1: ZERO,
            rs2: ZERO
        }
    );
    assert_eq!(d32(0x12b5_0073), Insn::SfenceVma { rs1: A0, rs2: A1 });
    for bad in [
        0x3020_00f3u32, // mret with rd = 1
        0x3028_0073,    // mret with rs1 = 16
        0x3020_1073,    // mret with funct3 = 1 is csrrw, so check funct3 = 4
        0x1050_00f3,    // wfi with rd = 1
        0x1058_0073,    // wfi with rs1
        0x1020_8073,    // sret with rs1
        0x0000_00f3,    // ecall with rd
        0x0010_8073,    // ebreak with rs1
        0x0020_0073,    // uret (N extension, withdrawn)
        0x7b20_0073,    // dret (debug mode only)
        0x1200_00f3,    // sfence.vma with rd
        0x2200_0073,    // hfence.bvma
        0x6200_0073,    // hfence.gvma
        0x1600_0073,    // sinval.vma (Svinval)
    ] {
        let expected = if bad == 0x3020_1073 {
            Insn::Csr {
                op: CsrOp::Rw,
                rd: ZERO,
                rs1: ZERO,
                csr: 0x302,
            }
        } else {
            Insn::Illegal
        };
        assert_eq!(d32(bad), expected, "{bad:#010x}");
    }
    assert_eq!(d32(0x3020_4073), Insn::Illegal);
}

#[test]
fn csr_instructions() {
    assert_eq!(
        d32(0x3005_9573),
        Insn::Csr {
            op: CsrOp::Rw,
            rd: A0,
            rs1: A1,
            csr: 0x300
        }
    );
    assert_eq!(
        d32(0xfff0_2573),
        Insn::Csr {
            op: CsrOp::Rs,
            rd: A0,
            rs1: ZERO,
            csr: 0xfff
        }
    );
    assert_eq!(
        d32(0x300f_e573),
        Insn::CsrImm {
            op: CsrOp::Rs,
            rd: A0,
            uimm: 31,
            csr: 0x300
        }
    );
    assert_eq!(
        d32(0x3000_f573),
        Insn::CsrImm {
            op: CsrOp::Rc,
            rd: A0,
            uimm: 1,
            csr: 0x300
        }
    );
    assert_eq!(
        d32(0xc000_1073),
        Insn::Csr {
            op: CsrOp::Rw,
            rd: ZERO,
            rs1: ZERO,
            csr: 0xc00
        }
    );
}

#[test]
fn atomics() {
    let (w, d) = (AmoWidth::W, AmoWidth::D);
    assert_eq!(
        d32(0x1005_a52f),
        Insn::Lr {
            width: w,
            aq: false,
            rl: false,
            rd: A0,
            rs1: A1
        }
    );
    assert_eq!(
        d32(0x1601_3faf),
        Insn::Lr {
            width: d,
            aq: true,
            rl: true,
            rd: T6,
            rs1: SP
        }
    );
    assert_eq!(
        d32(0x1ac5_a52f),
        Insn::Sc {
            width: w,
            aq: false,
            rl: true,
            rd: A0,
            rs1: A1,
            rs2: A2
        }
    );
    assert_eq!(
        d32(0x04c5_a52f),
        Insn::Amo {
            op: AmoOp::Add,
            width: w,
            aq: true,
            rl: false,
            rd: A0,
            rs1: A1,
            rs2: A2
        }
    );
    assert_eq!(
        d32(0xe6c5_b52f),
        Insn::Amo {
            op: AmoOp::Maxu,
            width: d,
            aq: true,
            rl: true,
            rd: A0,
            rs1: A1,
            rs2: A2
        }
    );
    assert_eq!(d32(0x10c5_a52f), Insn::Illegal); // lr.w with rs2 != 0
    assert_eq!(d32(0x28c5_a52f), Insn::Illegal); // funct5 = 00101 (amocas)
    assert_eq!(d32(0x00c5_852f), Insn::Illegal); // amoadd.b (Zabha)
    assert_eq!(d32(0x00c5_c52f), Insn::Illegal); // amoadd.q
}

#[test]
fn fp_loads_stores_and_formats() {
    assert_eq!(
        d32(0x8001_2007),
        Insn::FLoad {
            fmt: FpFmt::S,
            rd: f(0),
            rs1: SP,
            offset: -2048
        }
    );
    assert_eq!(
        d32(0xffb1_2fa7),
        Insn::FStore {
            fmt: FpFmt::S,
            rs1: SP,
            rs2: f(27),
            offset: -1
        }
    );
    assert_eq!(d32(0x0005_1507), Insn::Illegal); // flh
    assert_eq!(d32(0x0005_4507), Insn::Illegal); // flq
    assert_eq!(d32(0x00a5_1027), Insn::Illegal); // fsh
                                                 // fmt = H and Q are not supported.
    assert_eq!(d32(0x04c5_f553), Insn::Illegal);
    assert_eq!(d32(0x06c5_f553), Insn::Illegal);
    assert_eq!(d32(0x6cc5_8543), Insn::Illegal);
}

#[test]
fn fp_arithmetic_keeps_the_raw_rounding_mode() {
    let fadd = |rm| Insn::FpBin {
        op: FpBinOp::Add,
        fmt: FpFmt::S,
        rm: RoundingMode(rm),
        rd: f(10),
        rs1: f(11),
        rs2: f(12),
    };
    assert_eq!(d32(0x00c5_f553), fadd(7));
    assert_eq!(d32(0x00c5_8553), fadd(0));
    assert_eq!(d32(0x00c5_d553), fadd(5));
    assert_eq!(d32(0x00c5_e553), fadd(6));
    assert_eq!(
        d32(0x68c5_9543),
        Insn::Fma {
            op: FmaOp::Madd,
            fmt: FpFmt::S,
            rm: RoundingMode(1),
            rd: f(10),
            rs1: f(11),
            rs2: f(12),
            rs3: f(13),
        }
    );
    assert_eq!(
        d32(0xe1df_4fcf),
        Insn::Fma {
            op: FmaOp::Nmadd,
            fmt: FpFmt::S,
            rm: RoundingMode(4),
            rd: f(31),
            rs1: f(30),
            rs2: f(29),
            rs3: f(28),
        }
    );
}

#[test]
fn fp_fixed_fields_are_checked() {
    let sgnj = |op, rm| Insn::FpBin {
        op,
        fmt: FpFmt::D,
        rm: RoundingMode(rm),
        rd: f(10),
        rs1: f(11),
        rs2: f(12),
    };
    assert_eq!(d32(0x22c5_8553), sgnj(FpBinOp::Sgnj, 0));
    assert_eq!(d32(0x22c5_a553), sgnj(FpBinOp::Sgnjx, 2));
    assert_eq!(d32(0x22c5_b553), Insn::Illegal); // fsgnj funct3 = 3
    assert_eq!(d32(0x2ac5_9553), sgnj(FpBinOp::Max, 1));
    assert_eq!(d32(0x2ac5_a553), Insn::Illegal); // fmin/fmax funct3 = 2
                                                 // fsqrt needs rs2 = 0.
    assert_eq!(
        d32(0x5805_f553),
        Insn::Fsqrt {
            fmt: FpFmt::S,
            rm: RoundingMode::DYN,
            rd: f(10),
            rs1: f(11)
        }
    );
    assert_eq!(d32(0x5815_f553), Insn::Illegal);
    // Comparisons: funct3 2/1/0 = eq/lt/le, 3 is reserved.
    assert_eq!(
        d32(0xa2c5_9553),
        Insn::FpCmp {
            op: FpCmpOp::Lt,
            fmt: FpFmt::D,
            rd: A0,
            rs1: f(11),
            rs2: f(12)
        }
    );
    assert_eq!(d32(0xa2c5_b553), Insn::Illegal);
    // fcvt between FP and integers: rs2 selects w/wu/l/lu, others are reserved.
    assert_eq!(
        d32(0xc235_9553),
        Insn::FcvtToInt {
            fmt: FpFmt::D,
            int: IntFmt::Lu,
            rm: RoundingMode(1),
            rd: A0,
            rs1: f(11),
        }
    );
    assert_eq!(d32(0xc245_9553), Insn::Illegal);
    assert_eq!(
        d32(0xd215_f553),
        Insn::FcvtFromInt {
            fmt: FpFmt::D,
            int: IntFmt::Wu,
            rm: RoundingMode::DYN,
            rd: f(10),
            rs1: A1,
        }
    );
    assert_eq!(d32(0xd255_f553), Insn::Illegal);
    // fcvt.s.d and fcvt.d.s; fcvt.s.s, fcvt.d.d and the H/Q sources are not.
    assert_eq!(
        d32(0x4015_f553),
        Insn::FcvtFp {
            to: FpFmt::S,
            from: FpFmt::D,
            rm: RoundingMode::DYN,
            rd: f(10),
            rs1: f(11),
        }
    );
    assert_eq!(
        d32(0x4205_8553),
        Insn::FcvtFp {
            to: FpFmt::D,
            from: FpFmt::S,
            rm: RoundingMode(0),
            rd: f(10),
            rs1: f(11),
        }
    );
    assert_eq!(d32(0x4005_f553), Insn::Illegal);
    assert_eq!(d32(0x4215_f553), Insn::Illegal);
    assert_eq!(d32(0x4025_f553), Insn::Illegal);
    // fmv.x.w / fclass share funct5 11100 and need rs2 = 0.
    assert_eq!(
        d32(0xe005_8553),
        Insn::FmvToInt {
            fmt: FpFmt::S,
            rd: A0,
            rs1: f(11)
        }
    );
    assert_eq!(
        d32(0xe205_9553),
        Insn::Fclass {
            fmt: FpFmt::D,
            rd: A0,
            rs1: f(11)
        }
    );
    assert_eq!(d32(0xe005_a553), Insn::Illegal);
    assert_eq!(d32(0xe015_8553), Insn::Illegal);
    assert_eq!(d32(0xe015_9553), Insn::Illegal);
    // fmv.w.x needs rs2 = 0 and funct3 = 0.
    assert_eq!(
        d32(0xf205_8553),
        Insn::FmvFromInt {
            fmt: FpFmt::D,
            rd: f(10),
            rs1: A1
        }
    );
    assert_eq!(d32(0xf205_9553), Insn::Illegal);
    assert_eq!(d32(0xf215_8553), Insn::Illegal);
    // Unused funct5 values.
    assert_eq!(d32(0x30c5_8553), Insn::Illegal);
    assert_eq!(d32(0x0000_0053 | 0b01001 << 27), Insn::Illegal);
}

#[test]
fn rvc_quadrant0() {
    assert_eq!(d16(0x0048), addi(A0, SP, 4));
    assert_eq!(d16(0x1fe0), addi(S0, SP, 1020));
    assert_eq!(d16(0x041c), addi(A5, SP, 512));
    assert_eq!(
        d16(0x2188),
        Insn::FLoad {
            fmt: FpFmt::D,
            rd: f(10),
            rs1: A1,
            offset: 0
        }
    );
    assert_eq!(
        d16(0x3fe4),
        Insn::FLoad {
            fmt: FpFmt::D,
            rd: f(9),
            rs1: A5,
            offset: 248
        }
    );
    assert_eq!(d16(0x5de8), load(LoadOp::Lw, A0, A1, 124));
    assert_eq!(d16(0x43a0), load(LoadOp::Lw, S0, A5, 64));
    assert_eq!(d16(0x7de8), load(LoadOp::Ld, A0, A1, 248));
    assert_eq!(d16(0x641c), load(LoadOp::Ld, A5, S0, 8));
    assert_eq!(
        d16(0xbde8),
        Insn::FStore {
            fmt: FpFmt::D,
            rs1: A1,
            rs2: f(10),
            offset: 248
        }
    );
    assert_eq!(d16(0xdde8), store(StoreOp::Sw, A0, A1, 124));
    assert_eq!(d16(0xc3c4), store(StoreOp::Sw, S1, A5, 4));
    assert_eq!(d16(0xfde8), store(StoreOp::Sd, A0, A1, 248));
    assert_eq!(d16(0xe05c), store(StoreOp::Sd, A5, S0, 128));
}

#[test]
fn rvc_quadrant1() {
    assert_eq!(d16(0x0001), addi(ZERO, ZERO, 0)); // c.nop
    assert_eq!(d16(0x0505), addi(A0, A0, 1));
    assert_eq!(d16(0x157d), addi(A0, A0, -1));
    assert_eq!(d16(0x057d), addi(A0, A0, 31));
    assert_eq!(d16(0x1501), addi(A0, A0, -32));
    assert_eq!(d16(0x0141), addi(SP, SP, 16));
    let addiw = |rd, imm| Insn::OpImm32 {
        op: AluOp::Add,
        rd,
        rs1: rd,
        imm,
    };
    assert_eq!(d16(0x2505), addiw(A0, 1));
    assert_eq!(d16(0x3501), addiw(A0, -32));
    assert_eq!(d16(0x2501), addiw(A0, 0));
    assert_eq!(d16(0x4501), addi(A0, ZERO, 0)); // c.li
    assert_eq!(d16(0x457d), addi(A0, ZERO, 31));
    assert_eq!(d16(0x5f81), addi(T6, ZERO, -32));
    assert_eq!(d16(0x6141), addi(SP, SP, 16)); // c.addi16sp
    assert_eq!(d16(0x7101), addi(SP, SP, -512));
    assert_eq!(d16(0x617d), addi(SP, SP, 496));
    assert_eq!(
        d16(0x6505),
        Insn::Lui {
            rd: A0,
            imm: 0x1000
        }
    );
    assert_eq!(
        d16(0x657d),
        Insn::Lui {
            rd: A0,
            imm: 0x1f000
        }
    );
    assert_eq!(
        d16(0x7501),
        Insn::Lui {
            rd: A0,
            imm: -0x20000
        }
    );
    assert_eq!(
        d16(0x7ffd),
        Insn::Lui {
            rd: T6,
            imm: -0x1000
        }
    );
    assert_eq!(d16(0x8105), op_imm(AluOp::Srl, A0, A0, 1));
    assert_eq!(d16(0x93fd), op_imm(AluOp::Srl, A5, A5, 63));
    assert_eq!(d16(0x9501), op_imm(AluOp::Sra, A0, A0, 32));
    assert_eq!(d16(0x8405), op_imm(AluOp::Sra, S0, S0, 1));
    assert_eq!(d16(0x8901), op_imm(AluOp::And, A0, A0, 0));
    assert_eq!(d16(0x997d), op_imm(AluOp::And, A0, A0, -1));
    assert_eq!(d16(0x8bfd), op_imm(AluOp::And, A5, A5, 31));
    assert_eq!(d16(0x8d0d), op(AluOp::Sub, A0, A0, A1));
    assert_eq!(d16(0x8d2d), op(AluOp::Xor, A0, A0, A1));
    assert_eq!(d16(0x8c45), op(AluOp::Or, S0, S0, S1));
    assert_eq!(d16(0x8ff9), op(AluOp::And, A5, A5, A4));
    let w = |op| Insn::Op32 {
        op,
        rd: A0,
        rs1: A0,
        rs2: A1,
    };
    assert_eq!(d16(0x9d0d), w(AluOp::Sub));
    assert_eq!(d16(0x9d2d), w(AluOp::Add));
    let j = |offset| Insn::Jal { rd: ZERO, offset };
    assert_eq!(d16(0xa001), j(0));
    assert_eq!(d16(0xa019), j(6));
    assert_eq!(d16(0xaffd), j(2046));
    assert_eq!(d16(0xb001), j(-2048));
    let beqz = |rs1, offset| Insn::Branch {
        op: BranchOp::Eq,
        rs1,
        rs2: ZERO,
        offset,
    };
    let bnez = |rs1, offset| Insn::Branch {
        op: BranchOp::Ne,
        rs1,
        rs2: ZERO,
        offset,
    };
    assert_eq!(d16(0xdd75), beqz(A0, -4));
    assert_eq!(d16(0xd101), beqz(A0, -256));
    assert_eq!(d16(0xec7d), bnez(S0, 254));
    assert_eq!(d16(0xe009), bnez(S0, 2));
}

#[test]
fn rvc_quadrant2() {
    assert_eq!(d16(0x0506), op_imm(AluOp::Sll, A0, A0, 1));
    assert_eq!(d16(0x1ffe), op_imm(AluOp::Sll, T6, T6, 63));
    assert_eq!(
        d16(0x2502),
        Insn::FLoad {
            fmt: FpFmt::D,
            rd: f(10),
            rs1: SP,
            offset: 0
        }
    );
    assert_eq!(
        d16(0x3ffe),
        Insn::FLoad {
            fmt: FpFmt::D,
            rd: f(31),
            rs1: SP,
            offset: 504
        }
    );
    assert_eq!(d16(0x4502), load(LoadOp::Lw, A0, SP, 0));
    assert_eq!(d16(0x5ffe), load(LoadOp::Lw, T6, SP, 252));
    assert_eq!(d16(0x757e), load(LoadOp::Ld, A0, SP, 504));
    assert_eq!(d16(0x60a2), load(LoadOp::Ld, RA, SP, 8));
    assert_eq!(
        d16(0x8502),
        Insn::Jalr {
            rd: ZERO,
            rs1: A0,
            offset: 0
        }
    );
    assert_eq!(
        d16(0x8082),
        Insn::Jalr {
            rd: ZERO,
            rs1: RA,
            offset: 0
        }
    );
    assert_eq!(d16(0x852e), op(AluOp::Add, A0, ZERO, A1)); // c.mv
    assert_eq!(d16(0x8f86), op(AluOp::Add, T6, ZERO, RA));
    assert_eq!(d16(0x9002), Insn::Ebreak);
    assert_eq!(
        d16(0x9502),
        Insn::Jalr {
            rd: RA,
            rs1: A0,
            offset: 0
        }
    );
    assert_eq!(d16(0x952e), op(AluOp::Add, A0, A0, A1)); // c.add
    assert_eq!(d16(0x917e), op(AluOp::Add, SP, SP, T6));
    assert_eq!(
        d16(0xbfaa),
        Insn::FStore {
            fmt: FpFmt::D,
            rs1: SP,
            rs2: f(10),
            offset: 504
        }
    );
    assert_eq!(
        d16(0xa002),
        Insn::FStore {
            fmt: FpFmt::D,
            rs1: SP,
            rs2: f(0),
            offset: 0
        }
    );
    assert_eq!(d16(0xdfaa), store(StoreOp::Sw, A0, SP, 252));
    assert_eq!(d16(0xc002), store(StoreOp::Sw, ZERO, SP, 0));
    assert_eq!(d16(0xffaa), store(StoreOp::Sd, A0, SP, 504));
    assert_eq!(d16(0xe406), store(StoreOp::Sd, RA, SP, 8));
}

#[test]
fn rvc_hints_decode_as_their_base_instruction() {
    assert_eq!(d16(0x0005), addi(ZERO, ZERO, 1)); // c.nop 1
    assert_eq!(d16(0x0501), addi(A0, A0, 0)); // c.addi a0, 0
    assert_eq!(d16(0x507d), addi(ZERO, ZERO, -1)); // c.li zero, -1
    assert_eq!(
        d16(0x6005),
        Insn::Lui {
            rd: ZERO,
            imm: 0x1000
        }
    );
    assert_eq!(d16(0x8101), op_imm(AluOp::Srl, A0, A0, 0)); // c.srli64
    assert_eq!(d16(0x8501), op_imm(AluOp::Sra, A0, A0, 0)); // c.srai64
    assert_eq!(d16(0x0006), op_imm(AluOp::Sll, ZERO, ZERO, 1));
    assert_eq!(d16(0x0502), op_imm(AluOp::Sll, A0, A0, 0)); // c.slli64
    assert_eq!(d16(0x802e), op(AluOp::Add, ZERO, ZERO, A1)); // c.mv zero, a1
    assert_eq!(d16(0x902e), op(AluOp::Add, ZERO, ZERO, A1)); // c.add zero, a1
}

#[test]
fn rvc_reserved_encodings_are_illegal() {
    for (half, what) in [
        (0x0000u16, "all zero"),
        (0x0004, "c.addi4spn with nzuimm = 0 and rd' = s1"),
        (0x0010, "c.addi4spn with nzuimm = 0 and rd' = a2"),
        (0x8000, "quadrant 0, funct3 = 100"),
        (0x9ffc, "quadrant 0, funct3 = 100, other bits set"),
        (0x2001, "c.addiw with rd = 0"),
        (0x307d, "c.addiw with rd = 0 and an immediate"),
        (0x6101, "c.addi16sp with imm = 0"),
        (0x6501, "c.lui with nzimm = 0"),
        (0x6001, "c.lui rd = 0 with nzimm = 0"),
        (0x9c41, "quadrant 1 reserved subw-space (funct2 = 10)"),
        (0x9c61, "quadrant 1 reserved subw-space (funct2 = 11)"),
        (0x4002, "c.lwsp with rd = 0"),
        (0x5ffe & !0x0f80, "c.lwsp with rd = 0 and an offset"),
        (0x6002, "c.ldsp with rd = 0"),
        (0x8002, "c.jr with rs1 = 0"),
        (0xffff, "quadrant 3 is not RVC"),
        (0x0003, "quadrant 3 is not RVC"),
    ] {
        assert_eq!(
            decode_compressed(half),
            Insn::Illegal,
            "{half:#06x}: {what}"
        );
    }
}

#[test]
fn disasm_examples() {
    let dis = |raw: u32, pc: u64| disasm(&decode(raw), pc);
    assert_eq!(dis(0x0080_006f, 0x8000_0024), "j 8000002c");
    assert_eq!(dis(0xb001, 0x8000_0676), "j 7ffffe76");
    // Targets wrap around the address space like objdump's do.
    assert_eq!(dis(0xffdf_f06f, 0), "j fffffffffffffffc");
    assert_eq!(dis(0x0000_0013, 0), "nop");
    assert_eq!(dis(0x0000, 0), "unimp");
    assert_eq!(dis(0x8000, 0), "illegal 0x8000");
    assert_eq!(dis(0xffff_ffff, 0), "illegal 0xffffffff");
    assert_eq!(dis(0x00c5_d553, 0), "fadd.s fa0,fa1,fa2,unknown");
    assert_eq!(dis(0x3900_1073, 0), "csrw 0x390,zero");
}

#[test]
fn csr_names() {
    assert_eq!(csr_name(0x300), Some("mstatus"));
    assert_eq!(csr_name(0x001), Some("fflags"));
    assert_eq!(csr_name(0xc00), Some("cycle"));
    assert_eq!(csr_name(0x3a0), Some("pmpcfg0"));
    assert_eq!(csr_name(0x3ef), Some("pmpaddr63"));
    assert_eq!(csr_name(0xb1f), Some("mhpmcounter31"));
    assert_eq!(csr_name(0x30a), Some("menvcfg"));
    assert_eq!(csr_name(0x10a), Some("senvcfg"));
    assert_eq!(csr_name(0x747), Some("mseccfg"));
    assert_eq!(csr_name(0x180), Some("satp"));
    // WorldGuard's mlwid, slwid and mwiddeleg are not in binutils.
    assert_eq!(csr_name(0x390), None);
    assert_eq!(csr_name(0x190), None);
    assert_eq!(csr_name(0x748), None);
    assert_eq!(csr_name(0x000), None);
}

fn unary(op: UnaryOp, rd: Reg, rs1: Reg) -> Insn {
    Insn::Unary { op, rd, rs1 }
}

/// Encodings from `riscv64-unknown-elf-as -march=rv64gc_zba_zbb_zbs` (and
/// `.insn r` for Zicond), and their reserved neighbours.
#[test]
fn bitmanip_and_zicond() {
    let w = |op| Insn::Op32 {
        op,
        rd: A0,
        rs1: A1,
        rs2: A2,
    };
    let op_imm32 = |op, imm| Insn::OpImm32 {
        op,
        rd: A0,
        rs1: A1,
        imm,
    };
    // Zba
    assert_eq!(d32(0x20c5_a533), op(AluOp::Sh1add, A0, A1, A2));
    assert_eq!(d32(0x20c5_c533), op(AluOp::Sh2add, A0, A1, A2));
    assert_eq!(d32(0x20c5_e533), op(AluOp::Sh3add, A0, A1, A2));
    assert_eq!(d32(0x08c5_853b), op(AluOp::AddUw, A0, A1, A2));
    assert_eq!(d32(0x0805_853b), op(AluOp::AddUw, A0, A1, ZERO)); // zext.w
    assert_eq!(d32(0x20c5_a53b), op(AluOp::Sh1addUw, A0, A1, A2));
    assert_eq!(d32(0x20c5_c53b), op(AluOp::Sh2addUw, A0, A1, A2));
    assert_eq!(d32(0x20c5_e53b), op(AluOp::Sh3addUw, A0, A1, A2));
    assert_eq!(d32(0x0835_951b), op_imm(AluOp::SllUw, A0, A1, 3));
    assert_eq!(d32(0x0bf5_951b), op_imm(AluOp::SllUw, A0, A1, 63));
    assert_eq!(d32(0x20c5_8533), Insn::Illegal); // sh0add
    assert_eq!(d32(0x1835_951b), Insn::Illegal); // slli.uw with funct6 000110
    assert_eq!(d32(0x0835_d51b), Insn::Illegal); // "srli.uw"
                                                 // Zbb
    assert_eq!(d32(0x40c5_f533), op(AluOp::Andn, A0, A1, A2));
    assert_eq!(d32(0x40c5_c533), op(AluOp::Xnor, A0, A1, A2));
    assert_eq!(d32(0x0ac5_e533), op(AluOp::Max, A0, A1, A2));
    assert_eq!(d32(0x0ac5_f533), op(AluOp::Maxu, A0, A1, A2));
    assert_eq!(d32(0x0ac5_c533), op(AluOp::Min, A0, A1, A2));
    assert_eq!(d32(0x0ac5_d533), op(AluOp::Minu, A0, A1, A2));
    assert_eq!(d32(0x0ac5_8533), Insn::Illegal); // funct7 0000101, funct3 000 (clmul)
    assert_eq!(d32(0x60c5_9533), op(AluOp::Rol, A0, A1, A2));
    assert_eq!(d32(0x60c5_d533), op(AluOp::Ror, A0, A1, A2));
    assert_eq!(d32(0x60c5_953b), w(AluOp::Rol));
    assert_eq!(d32(0x60c5_d53b), w(AluOp::Ror));
    assert_eq!(d32(0x63f5_d513), op_imm(AluOp::Ror, A0, A1, 63));
    assert_eq!(d32(0x6055_d51b), op_imm32(AluOp::Ror, 5));
    assert_eq!(d32(0x6255_d51b), Insn::Illegal); // roriw with shamt[5] set
    assert_eq!(d32(0x6005_9513), unary(UnaryOp::Clz, A0, A1));
    assert_eq!(d32(0x6015_9513), unary(UnaryOp::Ctz, A0, A1));
    assert_eq!(d32(0x6025_9513), unary(UnaryOp::Cpop, A0, A1));
    assert_eq!(d32(0x6035_9513), Insn::Illegal); // 0x603: bmatflip is RV64 Zbm, not ratified
    assert_eq!(d32(0x6045_9513), unary(UnaryOp::SextB, A0, A1));
    assert_eq!(d32(0x6055_9513), unary(UnaryOp::SextH, A0, A1));
    assert_eq!(d32(0x6065_9513), Insn::Illegal);
    assert_eq!(d32(0x6005_951b), unary(UnaryOp::Clzw, A0, A1));
    assert_eq!(d32(0x6015_951b), unary(UnaryOp::Ctzw, A0, A1));
    assert_eq!(d32(0x6025_951b), unary(UnaryOp::Cpopw, A0, A1));
    assert_eq!(d32(0x6045_951b), Insn::Illegal); // no sext.b in OP-IMM-32
    assert_eq!(d32(0x2875_d513), unary(UnaryOp::OrcB, A0, A1));
    assert_eq!(d32(0x2885_d513), Insn::Illegal); // next to orc.b
    assert_eq!(d32(0x6b85_d513), unary(UnaryOp::Rev8, A0, A1));
    assert_eq!(d32(0x6985_d513), Insn::Illegal); // rev8's RV32 encoding (0x698)
    assert_eq!(d32(0x6b85_951b), Insn::Illegal);
    assert_eq!(d32(0x0805_c53b), unary(UnaryOp::ZextH, A0, A1));
    assert_eq!(d32(0x08c5_c53b), Insn::Illegal); // packw (Zbkb)
    assert_eq!(d32(0x0805_c533), Insn::Illegal); // zext.h's RV32 encoding (pack)
                                                 // Zbs
    assert_eq!(d32(0x48c5_9533), op(AluOp::Bclr, A0, A1, A2));
    assert_eq!(d32(0x48c5_d533), op(AluOp::Bext, A0, A1, A2));
    assert_eq!(d32(0x68c5_9533), op(AluOp::Binv, A0, A1, A2));
    assert_eq!(d32(0x28c5_9533), op(AluOp::Bset, A0, A1, A2));
    assert_eq!(d32(0x68c5_d533), Insn::Illegal); // binv with funct3 101
    assert_eq!(d32(0x4bf5_9513), op_imm(AluOp::Bclr, A0, A1, 63));
    assert_eq!(d32(0x4855_d513), op_imm(AluOp::Bext, A0, A1, 5));
    assert_eq!(d32(0x6855_9513), op_imm(AluOp::Binv, A0, A1, 5));
    assert_eq!(d32(0x2805_9513), op_imm(AluOp::Bset, A0, A1, 0));
    assert_eq!(d32(0x2855_d513), Insn::Illegal); // "bseti" with funct3 101
    assert_eq!(d32(0x4855_951b), Insn::Illegal); // no W forms
                                                 // Zicond
    assert_eq!(d32(0x0ec5_d533), op(AluOp::CzeroEqz, A0, A1, A2));
    assert_eq!(d32(0x0ec5_f533), op(AluOp::CzeroNez, A0, A1, A2));
    assert_eq!(d32(0x0ec5_c533), Insn::Illegal);
    assert_eq!(d32(0x0ec5_d53b), Insn::Illegal);
}

//! Disassembly in the syntax of `riscv64-unknown-elf-objdump -d`.
//!
//! The output matches binutils 2.40 in mnemonic and operand text, including
//! its choice of aliases (`li`, `mv`, `ret`, `csrr`, `fmv.s`...), which is
//! the first matching entry of its opcode table. Compressed instructions are
//! printed the way objdump prints them (`add a0,a0,1` for `c.addi`,
//! `c.nop 1` for a hint), which is not always how their expansion prints.
//! A single space separates the mnemonic from the operands, where objdump
//! uses a tab.

use crate::csr_names::CSR_NAMES;
use crate::insn::*;

pub(crate) const GPR_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

pub(crate) const FPR_NAMES: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

/// Well-known CSR numbers that objdump treats specially.
const CSR_FFLAGS: u16 = 0x001;
const CSR_FRM: u16 = 0x002;
const CSR_FCSR: u16 = 0x003;
const CSR_CYCLE: u16 = 0xc00;
const CSR_TIME: u16 = 0xc01;
const CSR_INSTRET: u16 = 0xc02;

/// The standard name of a CSR, if it has one.
pub fn csr_name(csr: u16) -> Option<&'static str> {
    CSR_NAMES
        .binary_search_by_key(&csr, |&(num, _)| num)
        .ok()
        .map(|i| CSR_NAMES[i].1)
}

/// A CSR operand: its name, or its number in hex when it has none.
fn csr_text(csr: u16) -> String {
    match csr_name(csr) {
        Some(name) => name.to_string(),
        None => format!("{csr:#x}"),
    }
}

/// Disassembles `d`, located at guest address `pc`, as objdump would print it
/// (mnemonic, then operands; branch and jump targets as absolute hex addresses).
pub fn disasm(d: &Decoded, pc: u64) -> String {
    if d.len == 2 {
        disasm_compressed(&d.insn, d.raw, pc)
    } else {
        disasm_insn(&d.insn, d.raw, pc)
    }
}

/// The absolute target of a pc-relative jump or branch, as objdump prints it.
fn target(pc: u64, offset: i64) -> String {
    format!("{:x}", pc.wrapping_add(offset as u64))
}

/// Joins a mnemonic and its operands with one space.
fn ins(mnemonic: &str, operands: &str) -> String {
    if operands.is_empty() {
        mnemonic.to_string()
    } else {
        format!("{mnemonic} {operands}")
    }
}

fn fmt_suffix(fmt: FpFmt) -> &'static str {
    match fmt {
        FpFmt::S => "s",
        FpFmt::D => "d",
    }
}

fn int_suffix(int: IntFmt) -> &'static str {
    match int {
        IntFmt::W => "w",
        IntFmt::Wu => "wu",
        IntFmt::L => "l",
        IntFmt::Lu => "lu",
    }
}

/// The rounding-mode operand objdump appends: nothing for `dyn`, and
/// `unknown` for the reserved values 5 and 6.
fn rm_suffix(rm: RoundingMode) -> &'static str {
    match rm.0 {
        0 => ",rne",
        1 => ",rtz",
        2 => ",rdn",
        3 => ",rup",
        4 => ",rmm",
        7 => "",
        _ => ",unknown",
    }
}

/// The rounding-mode operand of the exact conversions (`fcvt.d.s`,
/// `fcvt.d.w`, `fcvt.d.wu`), which assemblers encode with rm = 0 and objdump
/// prints without a suffix. Other values are shown explicitly, `dyn` included.
fn exact_rm_suffix(rm: RoundingMode) -> &'static str {
    match rm.0 {
        0 => "",
        7 => ",dyn",
        _ => rm_suffix(rm),
    }
}

/// A fence's predecessor or successor set, `unknown` when empty as objdump has it.
fn fence_set(bits: u8) -> String {
    if bits & 0xf == 0 {
        return "unknown".to_string();
    }
    let mut s = String::new();
    for (mask, c) in [(8, 'i'), (4, 'o'), (2, 'r'), (1, 'w')] {
        if bits & mask != 0 {
            s.push(c);
        }
    }
    s
}

fn aq_rl_suffix(aq: bool, rl: bool) -> &'static str {
    match (aq, rl) {
        (false, false) => "",
        (true, false) => ".aq",
        (false, true) => ".rl",
        (true, true) => ".aqrl",
    }
}

fn width_suffix(width: AmoWidth) -> &'static str {
    match width {
        AmoWidth::W => "w",
        AmoWidth::D => "d",
    }
}

fn alu_name(op: AluOp) -> &'static str {
    match op {
        AluOp::Add => "add",
        AluOp::Sub => "sub",
        AluOp::Sll => "sll",
        AluOp::Slt => "slt",
        AluOp::Sltu => "sltu",
        AluOp::Xor => "xor",
        AluOp::Srl => "srl",
        AluOp::Sra => "sra",
        AluOp::Or => "or",
        AluOp::And => "and",
        AluOp::Mul => "mul",
        AluOp::Mulh => "mulh",
        AluOp::Mulhsu => "mulhsu",
        AluOp::Mulhu => "mulhu",
        AluOp::Div => "div",
        AluOp::Divu => "divu",
        AluOp::Rem => "rem",
        AluOp::Remu => "remu",
        AluOp::Sh1add => "sh1add",
        AluOp::Sh2add => "sh2add",
        AluOp::Sh3add => "sh3add",
        AluOp::AddUw => "add.uw",
        AluOp::Sh1addUw => "sh1add.uw",
        AluOp::Sh2addUw => "sh2add.uw",
        AluOp::Sh3addUw => "sh3add.uw",
        AluOp::SllUw => "slli.uw",
        AluOp::Andn => "andn",
        AluOp::Orn => "orn",
        AluOp::Xnor => "xnor",
        AluOp::Max => "max",
        AluOp::Maxu => "maxu",
        AluOp::Min => "min",
        AluOp::Minu => "minu",
        AluOp::Rol => "rol",
        AluOp::Ror => "ror",
        AluOp::Bclr => "bclr",
        AluOp::Bext => "bext",
        AluOp::Binv => "binv",
        AluOp::Bset => "bset",
        AluOp::CzeroEqz => "czero.eqz",
        AluOp::CzeroNez => "czero.nez",
    }
}

fn unary_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Clz => "clz",
        UnaryOp::Clzw => "clzw",
        UnaryOp::Ctz => "ctz",
        UnaryOp::Ctzw => "ctzw",
        UnaryOp::Cpop => "cpop",
        UnaryOp::Cpopw => "cpopw",
        UnaryOp::SextB => "sext.b",
        UnaryOp::SextH => "sext.h",
        UnaryOp::ZextH => "zext.h",
        UnaryOp::OrcB => "orc.b",
        UnaryOp::Rev8 => "rev8",
    }
}

fn is_shift(op: AluOp) -> bool {
    matches!(op, AluOp::Sll | AluOp::Srl | AluOp::Sra)
}

/// Immediate forms whose immediate is a bit position, printed in hex: the
/// shifts, `rori` and the Zbs single-bit operations (which objdump prints
/// with the register-register mnemonic, `ror a0,a1,0x5`, `bset a0,a1,0x3`),
/// and `slli.uw`.
fn imm_is_bit_position(op: AluOp) -> bool {
    is_shift(op)
        || matches!(
            op,
            AluOp::Ror | AluOp::Bclr | AluOp::Bext | AluOp::Binv | AluOp::Bset | AluOp::SllUw
        )
}

fn load_name(op: LoadOp) -> &'static str {
    match op {
        LoadOp::Lb => "lb",
        LoadOp::Lh => "lh",
        LoadOp::Lw => "lw",
        LoadOp::Ld => "ld",
        LoadOp::Lbu => "lbu",
        LoadOp::Lhu => "lhu",
        LoadOp::Lwu => "lwu",
    }
}

fn store_name(op: StoreOp) -> &'static str {
    match op {
        StoreOp::Sb => "sb",
        StoreOp::Sh => "sh",
        StoreOp::Sw => "sw",
        StoreOp::Sd => "sd",
    }
}

fn amo_name(op: AmoOp) -> &'static str {
    match op {
        AmoOp::Swap => "amoswap",
        AmoOp::Add => "amoadd",
        AmoOp::Xor => "amoxor",
        AmoOp::And => "amoand",
        AmoOp::Or => "amoor",
        AmoOp::Min => "amomin",
        AmoOp::Max => "amomax",
        AmoOp::Minu => "amominu",
        AmoOp::Maxu => "amomaxu",
    }
}

fn fp_bin_name(op: FpBinOp) -> &'static str {
    match op {
        FpBinOp::Add => "fadd",
        FpBinOp::Sub => "fsub",
        FpBinOp::Mul => "fmul",
        FpBinOp::Div => "fdiv",
        FpBinOp::Sgnj => "fsgnj",
        FpBinOp::Sgnjn => "fsgnjn",
        FpBinOp::Sgnjx => "fsgnjx",
        FpBinOp::Min => "fmin",
        FpBinOp::Max => "fmax",
    }
}

fn fma_name(op: FmaOp) -> &'static str {
    match op {
        FmaOp::Madd => "fmadd",
        FmaOp::Msub => "fmsub",
        FmaOp::Nmsub => "fnmsub",
        FmaOp::Nmadd => "fnmadd",
    }
}

fn fp_cmp_name(op: FpCmpOp) -> &'static str {
    match op {
        FpCmpOp::Eq => "feq",
        FpCmpOp::Lt => "flt",
        FpCmpOp::Le => "fle",
    }
}

/// An `OpImm` without a special alias. This objdump prefers the
/// register-register mnemonic for most immediate forms (`add a0,a1,5`,
/// `and a0,a0,255`, `sll a0,a0,0x3`), an assembler alias that comes first in
/// its opcode table; only `slti` and `sltiu` keep their own names.
fn op_imm_text(op: AluOp, rd: Reg, rs1: Reg, imm: i64) -> String {
    match op {
        AluOp::Slt => format!("slti {rd},{rs1},{imm}"),
        AluOp::Sltu => format!("sltiu {rd},{rs1},{imm}"),
        _ if imm_is_bit_position(op) => format!("{} {rd},{rs1},{imm:#x}", alu_name(op)),
        _ => format!("{} {rd},{rs1},{imm}", alu_name(op)),
    }
}

/// Disassembles a 32-bit instruction.
fn disasm_insn(insn: &Insn, raw: u32, pc: u64) -> String {
    let z = Reg::ZERO;
    match *insn {
        Insn::Lui { rd, imm } => format!("lui {rd},{:#x}", (imm >> 12) & 0xfffff),
        Insn::Auipc { rd, imm } => format!("auipc {rd},{:#x}", (imm >> 12) & 0xfffff),
        Insn::Jal { rd, offset } => match rd {
            Reg::ZERO => ins("j", &target(pc, offset)),
            Reg::RA => ins("jal", &target(pc, offset)),
            _ => format!("jal {rd},{}", target(pc, offset)),
        },
        Insn::Jalr { rd, rs1, offset } => match (rd, rs1, offset) {
            (Reg::ZERO, Reg::RA, 0) => "ret".to_string(),
            (Reg::ZERO, _, 0) => format!("jr {rs1}"),
            (Reg::ZERO, _, _) => format!("jr {offset}({rs1})"),
            (Reg::RA, _, 0) => format!("jalr {rs1}"),
            (Reg::RA, _, _) => format!("jalr {offset}({rs1})"),
            (_, _, 0) => format!("jalr {rd},{rs1}"),
            _ => format!("jalr {rd},{offset}({rs1})"),
        },
        Insn::Branch {
            op,
            rs1,
            rs2,
            offset,
        } => {
            let t = target(pc, offset);
            match (op, rs1, rs2) {
                (BranchOp::Eq, _, Reg::ZERO) => format!("beqz {rs1},{t}"),
                (BranchOp::Ne, _, Reg::ZERO) => format!("bnez {rs1},{t}"),
                (BranchOp::Ge, Reg::ZERO, _) => format!("blez {rs2},{t}"),
                (BranchOp::Ge, _, Reg::ZERO) => format!("bgez {rs1},{t}"),
                (BranchOp::Lt, _, Reg::ZERO) => format!("bltz {rs1},{t}"),
                (BranchOp::Lt, Reg::ZERO, _) => format!("bgtz {rs2},{t}"),
                _ => {
                    let name = match op {
                        BranchOp::Eq => "beq",
                        BranchOp::Ne => "bne",
                        BranchOp::Lt => "blt",
                        BranchOp::Ge => "bge",
                        BranchOp::Ltu => "bltu",
                        BranchOp::Geu => "bgeu",
                    };
                    format!("{name} {rs1},{rs2},{t}")
                }
            }
        }
        Insn::Load {
            op,
            rd,
            rs1,
            offset,
        } => format!("{} {rd},{offset}({rs1})", load_name(op)),
        Insn::Store {
            op,
            rs1,
            rs2,
            offset,
        } => {
            format!("{} {rs2},{offset}({rs1})", store_name(op))
        }
        Insn::OpImm { op, rd, rs1, imm } => match (op, rs1, imm) {
            (AluOp::Add, Reg::ZERO, 0) if rd == z => "nop".to_string(),
            (AluOp::Add, Reg::ZERO, _) => format!("li {rd},{imm}"),
            (AluOp::Add, _, 0) => format!("mv {rd},{rs1}"),
            (AluOp::Xor, _, -1) => format!("not {rd},{rs1}"),
            (AluOp::Sltu, _, 1) => format!("seqz {rd},{rs1}"),
            (AluOp::And, _, 255) => format!("zext.b {rd},{rs1}"),
            _ => op_imm_text(op, rd, rs1, imm),
        },
        Insn::OpImm32 { op, rd, rs1, imm } => match (op, imm) {
            (AluOp::Add, 0) => format!("sext.w {rd},{rs1}"),
            _ if imm_is_bit_position(op) => format!("{}w {rd},{rs1},{imm:#x}", alu_name(op)),
            _ => format!("{}w {rd},{rs1},{imm}", alu_name(op)),
        },
        Insn::Op { op, rd, rs1, rs2 } => match (op, rs1, rs2) {
            (AluOp::Sub, Reg::ZERO, _) => format!("neg {rd},{rs2}"),
            (AluOp::Sltu, Reg::ZERO, _) => format!("snez {rd},{rs2}"),
            (AluOp::Slt, _, Reg::ZERO) => format!("sltz {rd},{rs1}"),
            (AluOp::Slt, Reg::ZERO, _) => format!("sgtz {rd},{rs2}"),
            (AluOp::AddUw, _, Reg::ZERO) => format!("zext.w {rd},{rs1}"),
            _ => format!("{} {rd},{rs1},{rs2}", alu_name(op)),
        },
        Insn::Unary { op, rd, rs1 } => format!("{} {rd},{rs1}", unary_name(op)),
        Insn::Op32 { op, rd, rs1, rs2 } => match (op, rs1) {
            (AluOp::Sub, Reg::ZERO) => format!("negw {rd},{rs2}"),
            _ => format!("{}w {rd},{rs1},{rs2}", alu_name(op)),
        },
        Insn::Fence { pred, succ, fm } => match (fm, pred, succ) {
            (8, _, _) => "fence.tso".to_string(),
            (_, 0xf, 0xf) => "fence".to_string(),
            _ => format!("fence {},{}", fence_set(pred), fence_set(succ)),
        },
        Insn::FenceI => "fence.i".to_string(),
        Insn::Ecall => "ecall".to_string(),
        Insn::Ebreak => "ebreak".to_string(),
        Insn::Mret => "mret".to_string(),
        Insn::Sret => "sret".to_string(),
        Insn::Wfi => "wfi".to_string(),
        Insn::SfenceVma { rs1, rs2 } => match (rs1, rs2) {
            (Reg::ZERO, Reg::ZERO) => "sfence.vma".to_string(),
            (_, Reg::ZERO) => format!("sfence.vma {rs1}"),
            _ => format!("sfence.vma {rs1},{rs2}"),
        },
        Insn::Csr { op, rd, rs1, csr } => disasm_csr(op, rd, rs1, csr),
        Insn::CsrImm { op, rd, uimm, csr } => disasm_csr_imm(op, rd, uimm, csr),
        Insn::Lr {
            width,
            aq,
            rl,
            rd,
            rs1,
        } => {
            format!(
                "lr.{}{} {rd},({rs1})",
                width_suffix(width),
                aq_rl_suffix(aq, rl)
            )
        }
        Insn::Sc {
            width,
            aq,
            rl,
            rd,
            rs1,
            rs2,
        } => {
            format!(
                "sc.{}{} {rd},{rs2},({rs1})",
                width_suffix(width),
                aq_rl_suffix(aq, rl)
            )
        }
        Insn::Amo {
            op,
            width,
            aq,
            rl,
            rd,
            rs1,
            rs2,
        } => format!(
            "{}.{}{} {rd},{rs2},({rs1})",
            amo_name(op),
            width_suffix(width),
            aq_rl_suffix(aq, rl)
        ),
        Insn::FLoad {
            fmt,
            rd,
            rs1,
            offset,
        } => {
            let name = if fmt == FpFmt::S { "flw" } else { "fld" };
            format!("{name} {rd},{offset}({rs1})")
        }
        Insn::FStore {
            fmt,
            rs1,
            rs2,
            offset,
        } => {
            let name = if fmt == FpFmt::S { "fsw" } else { "fsd" };
            format!("{name} {rs2},{offset}({rs1})")
        }
        Insn::FpBin {
            op,
            fmt,
            rm,
            rd,
            rs1,
            rs2,
        } => {
            let f = fmt_suffix(fmt);
            match op {
                FpBinOp::Sgnj if rs1 == rs2 => format!("fmv.{f} {rd},{rs1}"),
                FpBinOp::Sgnjn if rs1 == rs2 => format!("fneg.{f} {rd},{rs1}"),
                FpBinOp::Sgnjx if rs1 == rs2 => format!("fabs.{f} {rd},{rs1}"),
                FpBinOp::Sgnj | FpBinOp::Sgnjn | FpBinOp::Sgnjx | FpBinOp::Min | FpBinOp::Max => {
                    format!("{}.{f} {rd},{rs1},{rs2}", fp_bin_name(op))
                }
                FpBinOp::Add | FpBinOp::Sub | FpBinOp::Mul | FpBinOp::Div => {
                    format!("{}.{f} {rd},{rs1},{rs2}{}", fp_bin_name(op), rm_suffix(rm))
                }
            }
        }
        Insn::Fma {
            op,
            fmt,
            rm,
            rd,
            rs1,
            rs2,
            rs3,
        } => format!(
            "{}.{} {rd},{rs1},{rs2},{rs3}{}",
            fma_name(op),
            fmt_suffix(fmt),
            rm_suffix(rm)
        ),
        Insn::Fsqrt { fmt, rm, rd, rs1 } => {
            format!("fsqrt.{} {rd},{rs1}{}", fmt_suffix(fmt), rm_suffix(rm))
        }
        Insn::FpCmp {
            op,
            fmt,
            rd,
            rs1,
            rs2,
        } => {
            format!("{}.{} {rd},{rs1},{rs2}", fp_cmp_name(op), fmt_suffix(fmt))
        }
        Insn::Fclass { fmt, rd, rs1 } => format!("fclass.{} {rd},{rs1}", fmt_suffix(fmt)),
        Insn::FcvtToInt {
            fmt,
            int,
            rm,
            rd,
            rs1,
        } => format!(
            "fcvt.{}.{} {rd},{rs1}{}",
            int_suffix(int),
            fmt_suffix(fmt),
            rm_suffix(rm)
        ),
        Insn::FcvtFromInt {
            fmt,
            int,
            rm,
            rd,
            rs1,
        } => {
            // Converting a 32-bit integer to double is exact.
            let exact = fmt == FpFmt::D && matches!(int, IntFmt::W | IntFmt::Wu);
            let suffix = if exact {
                exact_rm_suffix(rm)
            } else {
                rm_suffix(rm)
            };
            format!(
                "fcvt.{}.{} {rd},{rs1}{suffix}",
                fmt_suffix(fmt),
                int_suffix(int)
            )
        }
        Insn::FcvtFp {
            to,
            from,
            rm,
            rd,
            rs1,
        } => {
            // Widening single to double is exact.
            let suffix = if to == FpFmt::D {
                exact_rm_suffix(rm)
            } else {
                rm_suffix(rm)
            };
            format!(
                "fcvt.{}.{} {rd},{rs1}{suffix}",
                fmt_suffix(to),
                fmt_suffix(from)
            )
        }
        Insn::FmvToInt { fmt, rd, rs1 } => {
            let name = if fmt == FpFmt::S {
                "fmv.x.w"
            } else {
                "fmv.x.d"
            };
            format!("{name} {rd},{rs1}")
        }
        Insn::FmvFromInt { fmt, rd, rs1 } => {
            let name = if fmt == FpFmt::S {
                "fmv.w.x"
            } else {
                "fmv.d.x"
            };
            format!("{name} {rd},{rs1}")
        }
        Insn::Illegal => format!("illegal {raw:#010x}"),
    }
}

/// Register forms of Zicsr, with objdump's aliases.
fn disasm_csr(op: CsrOp, rd: Reg, rs1: Reg, csr: u16) -> String {
    let z = Reg::ZERO;
    // `unimp` is the canonical illegal instruction `csrrw x0, cycle, x0`.
    if op == CsrOp::Rw && rd == z && rs1 == z && csr == CSR_CYCLE {
        return "unimp".to_string();
    }
    let read_alias = match csr {
        CSR_FFLAGS => Some("frflags"),
        CSR_FRM => Some("frrm"),
        CSR_FCSR => Some("frcsr"),
        CSR_CYCLE => Some("rdcycle"),
        CSR_TIME => Some("rdtime"),
        CSR_INSTRET => Some("rdinstret"),
        _ => None,
    };
    let write_alias = match csr {
        CSR_FFLAGS => Some("fsflags"),
        CSR_FRM => Some("fsrm"),
        CSR_FCSR => Some("fscsr"),
        _ => None,
    };
    let name = csr_text(csr);
    match (op, rd, rs1) {
        (CsrOp::Rs, _, Reg::ZERO) => match read_alias {
            Some(alias) => format!("{alias} {rd}"),
            None => format!("csrr {rd},{name}"),
        },
        (CsrOp::Rw, _, _) if write_alias.is_some() => {
            let alias = write_alias.unwrap_or_default();
            if rd == z {
                format!("{alias} {rs1}")
            } else {
                format!("{alias} {rd},{rs1}")
            }
        }
        (CsrOp::Rw, Reg::ZERO, _) => format!("csrw {name},{rs1}"),
        (CsrOp::Rs, Reg::ZERO, _) => format!("csrs {name},{rs1}"),
        (CsrOp::Rc, Reg::ZERO, _) => format!("csrc {name},{rs1}"),
        (CsrOp::Rw, _, _) => format!("csrrw {rd},{name},{rs1}"),
        (CsrOp::Rs, _, _) => format!("csrrs {rd},{name},{rs1}"),
        (CsrOp::Rc, _, _) => format!("csrrc {rd},{name},{rs1}"),
    }
}

/// Immediate forms of Zicsr, with objdump's aliases.
fn disasm_csr_imm(op: CsrOp, rd: Reg, uimm: u8, csr: u16) -> String {
    let write_alias = match csr {
        CSR_FFLAGS => Some("fsflagsi"),
        CSR_FRM => Some("fsrmi"),
        _ => None,
    };
    let name = csr_text(csr);
    match (op, rd, write_alias) {
        (CsrOp::Rw, _, Some(alias)) => format!("{alias} {rd},{uimm}"),
        (CsrOp::Rw, Reg::ZERO, None) => format!("csrw {name},{uimm}"),
        (CsrOp::Rs, Reg::ZERO, _) => format!("csrs {name},{uimm}"),
        (CsrOp::Rc, Reg::ZERO, _) => format!("csrc {name},{uimm}"),
        (CsrOp::Rw, _, _) => format!("csrrw {rd},{name},{uimm}"),
        (CsrOp::Rs, _, _) => format!("csrrs {rd},{name},{uimm}"),
        (CsrOp::Rc, _, _) => format!("csrrc {rd},{name},{uimm}"),
    }
}

/// Disassembles a compressed instruction the way objdump does.
///
/// objdump names most RVC forms after the base operation without the `i`
/// (`add a0,a0,1`, `sll a0,a0,0x3`), prints hints with their `c.` names, and
/// shows `c.mv` as `mv`. Which RVC form `insn` came from is read from `raw`
/// where two forms expand to the same instruction (`c.addi` and `c.li` with
/// rd = 0, `c.mv` and `c.add` with rd = 0).
fn disasm_compressed(insn: &Insn, raw: u32, pc: u64) -> String {
    let z = Reg::ZERO;
    let quadrant = raw & 3;
    let funct3 = (raw >> 13) & 7;
    match *insn {
        // c.addi, c.li, c.addi16sp, c.addi4spn.
        Insn::OpImm {
            op: AluOp::Add,
            rd,
            rs1,
            imm,
        } => match (quadrant, funct3) {
            (1, 0b000) if rd == z && imm == 0 => "nop".to_string(),
            (1, 0b000) if rd == z => format!("c.nop {imm}"),
            (1, 0b010) if rd == z => format!("c.li zero,{imm}"),
            (1, 0b010) => format!("li {rd},{imm}"),
            _ => format!("add {rd},{rs1},{imm}"),
        },
        Insn::OpImm { op, rd, rs1, imm } if is_shift(op) => {
            let name = alu_name(op);
            match (imm, rd) {
                (0, _) => format!("c.{name}i64 {rd}"),
                (_, Reg::ZERO) => format!("c.{name}i zero,{imm:#x}"),
                _ => format!("{name} {rd},{rs1},{imm:#x}"),
            }
        }
        Insn::OpImm { op, rd, rs1, imm } => format!("{} {rd},{rs1},{imm}", alu_name(op)),
        Insn::OpImm32 {
            rd, rs1, imm: 0, ..
        } => format!("sext.w {rd},{rs1}"),
        Insn::OpImm32 { rd, rs1, imm, .. } => format!("addw {rd},{rs1},{imm}"),
        Insn::Lui { rd: Reg::ZERO, imm } => format!("c.lui zero,{:#x}", (imm >> 12) & 0xfffff),
        // c.mv (bit 12 clear) and c.add (bit 12 set).
        Insn::Op {
            op: AluOp::Add,
            rd,
            rs2,
            ..
        } if (raw >> 12) & 1 == 0 => match rd {
            Reg::ZERO => format!("c.mv zero,{rs2}"),
            _ => format!("mv {rd},{rs2}"),
        },
        Insn::Op {
            op: AluOp::Add,
            rd: Reg::ZERO,
            rs2,
            ..
        } => format!("c.add zero,{rs2}"),
        Insn::Op { op, rd, rs1, rs2 } => format!("{} {rd},{rs1},{rs2}", alu_name(op)),
        Insn::Op32 { op, rd, rs1, rs2 } => format!("{}w {rd},{rs1},{rs2}", alu_name(op)),
        Insn::Illegal if raw == 0 => "unimp".to_string(),
        Insn::Illegal => format!("illegal {raw:#06x}"),
        // Everything else prints like its expansion.
        _ => disasm_insn(insn, raw, pc),
    }
}

//! Flat, pre-decoded forms of the common instructions, for the interpreter's hot loop.
//!
//! `reference::execute` is the reference semantics for every instruction. The
//! hot loop (`DecodeCache::run`) executes the common integer instructions
//! from this flat form instead — one jump-table dispatch, no nested
//! operation match — using the same helper functions (`reference::alu`,
//! `reference::alu32`, `reference::unary`, `reference::branch_taken`), so
//! the two cannot drift apart in arithmetic. Everything else (CSRs, system, atomics, FP, illegal) is
//! `Op::Generic` and goes through `reference::execute`.

use frontend_riscv::{AluOp, BranchOp, Decoded, Insn, LoadOp, StoreOp, UnaryOp};

/// One pre-decoded instruction. Register numbers are `u8` (0..31),
/// immediates `i32` (every RV64 immediate fits). The most frequent
/// operations have variants of their own so the hot loop dispatches once.
/// Variants without a `C` prefix are 4-byte instructions; `C` variants are
/// 2-byte ones; `Generic` carries its length in the slot's `Decoded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Not decoded yet.
    Empty,
    /// Use `reference::execute` on the slot's `Decoded`.
    Generic,
    Lui {
        rd: u8,
        imm: i32,
    },
    Auipc {
        rd: u8,
        imm: i32,
    },
    Jal {
        rd: u8,
        off: i32,
    },
    Jalr {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Beq {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Bne {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Blt {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Bge {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Bltu {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Bgeu {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Addi {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Andi {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Ori {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Xori {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Slli {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Srli {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Srai {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Addiw {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Slliw {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Srliw {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Sraiw {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Subw {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    /// Other register-immediate ALU operations.
    AluImm {
        op: AluOp,
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    AluImm32 {
        op: AluOp,
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Add {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Sub {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    And {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Or {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Xor {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Sll {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Srl {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Sltu {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Mul {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Addw {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Alu {
        op: AluOp,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Alu32 {
        op: AluOp,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    /// The one-operand Zbb operations (`reference::unary`).
    Unary {
        op: UnaryOp,
        rd: u8,
        rs1: u8,
    },
    Ld {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Lw {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Lbu {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Lhu {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Lwu {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Load {
        op: LoadOp,
        rd: u8,
        rs1: u8,
        off: i32,
    },
    Sd {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Sw {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    Store {
        op: StoreOp,
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    // The 2-byte (RVC) forms of the operations compressed instructions
    // expand to: the hot loop's arm for each knows the instruction length
    // as a constant, so the next pc never waits for a load from the slot.
    CLui {
        rd: u8,
        imm: i32,
    },
    CJal {
        rd: u8,
        off: i32,
    },
    CJalr {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    CBeq {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    CBne {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    CAddi {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    CAndi {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    CSlli {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    CSrli {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    CSrai {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    CAddiw {
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    CAdd {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    CSub {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    CAnd {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    COr {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    CXor {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    CAddw {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    CSubw {
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    CLd {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    CLw {
        rd: u8,
        rs1: u8,
        off: i32,
    },
    CSd {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
    CSw {
        rs1: u8,
        rs2: u8,
        off: i32,
    },
}

const _: () = assert!(core::mem::size_of::<Op>() <= 8);

fn imm32(v: i64) -> Option<i32> {
    i32::try_from(v).ok()
}

/// The flat form of `d`, or `Generic`.
pub fn lower(d: &Decoded) -> Op {
    let op = lower_op(d);
    match d.len {
        4 => op,
        2 => compressed(op),
        _ => Op::Generic,
    }
}

/// The 2-byte form of `op`; `Generic` for operations no RVC instruction
/// expands to (the reference path knows every length).
fn compressed(op: Op) -> Op {
    match op {
        Op::Lui { rd, imm } => Op::CLui { rd, imm },
        Op::Jal { rd, off } => Op::CJal { rd, off },
        Op::Jalr { rd, rs1, off } => Op::CJalr { rd, rs1, off },
        Op::Beq { rs1, rs2, off } => Op::CBeq { rs1, rs2, off },
        Op::Bne { rs1, rs2, off } => Op::CBne { rs1, rs2, off },
        Op::Addi { rd, rs1, imm } => Op::CAddi { rd, rs1, imm },
        Op::Andi { rd, rs1, imm } => Op::CAndi { rd, rs1, imm },
        Op::Slli { rd, rs1, imm } => Op::CSlli { rd, rs1, imm },
        Op::Srli { rd, rs1, imm } => Op::CSrli { rd, rs1, imm },
        Op::Srai { rd, rs1, imm } => Op::CSrai { rd, rs1, imm },
        Op::Addiw { rd, rs1, imm } => Op::CAddiw { rd, rs1, imm },
        Op::Add { rd, rs1, rs2 } => Op::CAdd { rd, rs1, rs2 },
        Op::Sub { rd, rs1, rs2 } => Op::CSub { rd, rs1, rs2 },
        Op::And { rd, rs1, rs2 } => Op::CAnd { rd, rs1, rs2 },
        Op::Or { rd, rs1, rs2 } => Op::COr { rd, rs1, rs2 },
        Op::Xor { rd, rs1, rs2 } => Op::CXor { rd, rs1, rs2 },
        Op::Addw { rd, rs1, rs2 } => Op::CAddw { rd, rs1, rs2 },
        Op::Subw { rd, rs1, rs2 } => Op::CSubw { rd, rs1, rs2 },
        Op::Ld { rd, rs1, off } => Op::CLd { rd, rs1, off },
        Op::Lw { rd, rs1, off } => Op::CLw { rd, rs1, off },
        Op::Sd { rs1, rs2, off } => Op::CSd { rs1, rs2, off },
        Op::Sw { rs1, rs2, off } => Op::CSw { rs1, rs2, off },
        _ => Op::Generic,
    }
}

fn lower_op(d: &Decoded) -> Op {
    let op = match d.insn {
        Insn::Lui { rd, imm } => imm32(imm).map(|imm| Op::Lui { rd: rd.0, imm }),
        Insn::Auipc { rd, imm } => imm32(imm).map(|imm| Op::Auipc { rd: rd.0, imm }),
        Insn::Jal { rd, offset } => imm32(offset).map(|off| Op::Jal { rd: rd.0, off }),
        Insn::Jalr { rd, rs1, offset } => imm32(offset).map(|off| Op::Jalr {
            rd: rd.0,
            rs1: rs1.0,
            off,
        }),
        Insn::Branch {
            op,
            rs1,
            rs2,
            offset,
        } => imm32(offset).map(|off| {
            let (rs1, rs2) = (rs1.0, rs2.0);
            match op {
                BranchOp::Eq => Op::Beq { rs1, rs2, off },
                BranchOp::Ne => Op::Bne { rs1, rs2, off },
                BranchOp::Lt => Op::Blt { rs1, rs2, off },
                BranchOp::Ge => Op::Bge { rs1, rs2, off },
                BranchOp::Ltu => Op::Bltu { rs1, rs2, off },
                BranchOp::Geu => Op::Bgeu { rs1, rs2, off },
            }
        }),
        Insn::OpImm { op, rd, rs1, imm } => imm32(imm).map(|imm| {
            let (rd, rs1) = (rd.0, rs1.0);
            match op {
                AluOp::Add => Op::Addi { rd, rs1, imm },
                AluOp::And => Op::Andi { rd, rs1, imm },
                AluOp::Or => Op::Ori { rd, rs1, imm },
                AluOp::Xor => Op::Xori { rd, rs1, imm },
                AluOp::Sll => Op::Slli { rd, rs1, imm },
                AluOp::Srl => Op::Srli { rd, rs1, imm },
                AluOp::Sra => Op::Srai { rd, rs1, imm },
                _ => Op::AluImm { op, rd, rs1, imm },
            }
        }),
        Insn::OpImm32 { op, rd, rs1, imm } => imm32(imm).map(|imm| {
            let (rd, rs1) = (rd.0, rs1.0);
            match op {
                AluOp::Add => Op::Addiw { rd, rs1, imm },
                AluOp::Sll => Op::Slliw { rd, rs1, imm },
                AluOp::Srl => Op::Srliw { rd, rs1, imm },
                AluOp::Sra => Op::Sraiw { rd, rs1, imm },
                _ => Op::AluImm32 { op, rd, rs1, imm },
            }
        }),
        Insn::Op { op, rd, rs1, rs2 } => {
            let (rd, rs1, rs2) = (rd.0, rs1.0, rs2.0);
            Some(match op {
                AluOp::Add => Op::Add { rd, rs1, rs2 },
                AluOp::Sub => Op::Sub { rd, rs1, rs2 },
                AluOp::And => Op::And { rd, rs1, rs2 },
                AluOp::Or => Op::Or { rd, rs1, rs2 },
                AluOp::Xor => Op::Xor { rd, rs1, rs2 },
                AluOp::Sll => Op::Sll { rd, rs1, rs2 },
                AluOp::Srl => Op::Srl { rd, rs1, rs2 },
                AluOp::Sltu => Op::Sltu { rd, rs1, rs2 },
                AluOp::Mul => Op::Mul { rd, rs1, rs2 },
                _ => Op::Alu { op, rd, rs1, rs2 },
            })
        }
        Insn::Op32 { op, rd, rs1, rs2 } => {
            let (rd, rs1, rs2) = (rd.0, rs1.0, rs2.0);
            Some(match op {
                AluOp::Add => Op::Addw { rd, rs1, rs2 },
                AluOp::Sub => Op::Subw { rd, rs1, rs2 },
                _ => Op::Alu32 { op, rd, rs1, rs2 },
            })
        }
        Insn::Unary { op, rd, rs1 } => Some(Op::Unary {
            op,
            rd: rd.0,
            rs1: rs1.0,
        }),
        Insn::Load {
            op,
            rd,
            rs1,
            offset,
        } => imm32(offset).map(|off| {
            let (rd, rs1) = (rd.0, rs1.0);
            match op {
                LoadOp::Ld => Op::Ld { rd, rs1, off },
                LoadOp::Lw => Op::Lw { rd, rs1, off },
                LoadOp::Lbu => Op::Lbu { rd, rs1, off },
                LoadOp::Lhu => Op::Lhu { rd, rs1, off },
                LoadOp::Lwu => Op::Lwu { rd, rs1, off },
                _ => Op::Load { op, rd, rs1, off },
            }
        }),
        Insn::Store {
            op,
            rs1,
            rs2,
            offset,
        } => imm32(offset).map(|off| {
            let (rs1, rs2) = (rs1.0, rs2.0);
            match op {
                StoreOp::Sd => Op::Sd { rs1, rs2, off },
                StoreOp::Sw => Op::Sw { rs1, rs2, off },
                _ => Op::Store { op, rs1, rs2, off },
            }
        }),
        _ => None,
    };
    op.unwrap_or(Op::Generic)
}

//! The reference interpreter: executes one decoded instruction against a hart and the memory system.
//!
//! This is the reference semantics of rvdbt. Every guest exception is
//! returned as an [`Exception`] value with the hart's pc still at the
//! faulting instruction; the caller enters the trap handler.

use frontend_riscv::{
    decode, AluOp, AmoOp, AmoWidth, BranchOp, CsrOp, Decoded, Insn, Reg, UnaryOp,
};
use softmmu::{AccessType, Atomic, GuestVirtAddr, MemFaultKind, Mmu};

use crate::hart::csr::{MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW};
use crate::hart::walk::Walker;
use crate::hart::{Exception, Hart, Priv, Reservation};

/// What the execution loop must do next, after an instruction retired,
/// trapped (the hart is at its handler) or a budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next instruction.
    Next,
    /// The hart executed `wfi`: wait for an interrupt.
    Wfi,
    /// A CSR that affects interrupt delivery or translation changed.
    StateChanged,
}

/// Fetches and decodes the instruction at the hart's pc.
pub fn fetch(hart: &mut Hart, mmu: &mut Mmu) -> Result<Decoded, Exception> {
    let idx = hart.fetch_idx();
    let raw = mmu.fetch(&mut Walker::new(hart), idx, GuestVirtAddr(hart.state.pc))?;
    Ok(decode(raw))
}

/// Fetches, decodes and executes one instruction.
pub fn step(hart: &mut Hart, mmu: &mut Mmu) -> Result<Flow, Exception> {
    let d = fetch(hart, mmu)?;
    execute(hart, mmu, &d)
}

#[inline(always)]
pub(super) fn x(hart: &Hart, r: Reg) -> u64 {
    hart.state.x[r.idx()]
}

pub(crate) fn alu(op: AluOp, a: u64, b: u64) -> u64 {
    match op {
        AluOp::Add => a.wrapping_add(b),
        AluOp::Sub => a.wrapping_sub(b),
        AluOp::Sll => a << (b & 63),
        AluOp::Slt => ((a as i64) < (b as i64)) as u64,
        AluOp::Sltu => (a < b) as u64,
        AluOp::Xor => a ^ b,
        AluOp::Srl => a >> (b & 63),
        AluOp::Sra => ((a as i64) >> (b & 63)) as u64,
        AluOp::Or => a | b,
        AluOp::And => a & b,
        AluOp::Mul => a.wrapping_mul(b),
        AluOp::Mulh => (((a as i64 as i128) * (b as i64 as i128)) >> 64) as u64,
        AluOp::Mulhsu => (((a as i64 as i128) * (b as i128)) >> 64) as u64,
        AluOp::Mulhu => (((a as u128) * (b as u128)) >> 64) as u64,
        AluOp::Div => {
            if b == 0 {
                u64::MAX
            } else {
                (a as i64).wrapping_div(b as i64) as u64
            }
        }
        AluOp::Divu => a.checked_div(b).unwrap_or(u64::MAX),
        AluOp::Rem => {
            if b == 0 {
                a
            } else {
                (a as i64).wrapping_rem(b as i64) as u64
            }
        }
        AluOp::Remu => {
            if b == 0 {
                a
            } else {
                a % b
            }
        }
        AluOp::Sh1add => b.wrapping_add(a << 1),
        AluOp::Sh2add => b.wrapping_add(a << 2),
        AluOp::Sh3add => b.wrapping_add(a << 3),
        AluOp::AddUw => b.wrapping_add(a as u32 as u64),
        AluOp::Sh1addUw => b.wrapping_add((a as u32 as u64) << 1),
        AluOp::Sh2addUw => b.wrapping_add((a as u32 as u64) << 2),
        AluOp::Sh3addUw => b.wrapping_add((a as u32 as u64) << 3),
        AluOp::SllUw => (a as u32 as u64) << (b & 63),
        AluOp::Andn => a & !b,
        AluOp::Orn => a | !b,
        AluOp::Xnor => !(a ^ b),
        AluOp::Max => (a as i64).max(b as i64) as u64,
        AluOp::Maxu => a.max(b),
        AluOp::Min => (a as i64).min(b as i64) as u64,
        AluOp::Minu => a.min(b),
        AluOp::Rol => a.rotate_left((b & 63) as u32),
        AluOp::Ror => a.rotate_right((b & 63) as u32),
        AluOp::Bclr => a & !(1u64 << (b & 63)),
        AluOp::Bext => (a >> (b & 63)) & 1,
        AluOp::Binv => a ^ (1u64 << (b & 63)),
        AluOp::Bset => a | (1u64 << (b & 63)),
        AluOp::CzeroEqz => {
            if b == 0 {
                0
            } else {
                a
            }
        }
        AluOp::CzeroNez => {
            if b != 0 {
                0
            } else {
                a
            }
        }
    }
}

/// The one-operand Zbb operations.
pub(crate) fn unary(op: UnaryOp, a: u64) -> u64 {
    match op {
        UnaryOp::Clz => a.leading_zeros() as u64,
        UnaryOp::Clzw => (a as u32).leading_zeros() as u64,
        UnaryOp::Ctz => a.trailing_zeros() as u64,
        UnaryOp::Ctzw => (a as u32).trailing_zeros() as u64,
        UnaryOp::Cpop => a.count_ones() as u64,
        UnaryOp::Cpopw => (a as u32).count_ones() as u64,
        UnaryOp::SextB => a as i8 as i64 as u64,
        UnaryOp::SextH => a as i16 as i64 as u64,
        UnaryOp::ZextH => a as u16 as u64,
        UnaryOp::OrcB => {
            let mut r = 0;
            for i in 0..8 {
                if (a >> (8 * i)) & 0xff != 0 {
                    r |= 0xffu64 << (8 * i);
                }
            }
            r
        }
        UnaryOp::Rev8 => a.swap_bytes(),
    }
}

/// 32-bit (`W`) operations: operands are the low 32 bits, results are
/// sign-extended from bit 31.
pub(crate) fn alu32(op: AluOp, a: u64, b: u64) -> u64 {
    let (a32, b32) = (a as u32, b as u32);
    let r: u32 = match op {
        AluOp::Add => a32.wrapping_add(b32),
        AluOp::Sub => a32.wrapping_sub(b32),
        AluOp::Sll => a32 << (b & 31),
        AluOp::Srl => a32 >> (b & 31),
        AluOp::Sra => ((a32 as i32) >> (b & 31)) as u32,
        AluOp::Mul => a32.wrapping_mul(b32),
        AluOp::Rol => a32.rotate_left(b32 & 31),
        AluOp::Ror => a32.rotate_right(b32 & 31),
        AluOp::Div => {
            if b32 == 0 {
                u32::MAX
            } else {
                (a32 as i32).wrapping_div(b32 as i32) as u32
            }
        }
        AluOp::Divu => a32.checked_div(b32).unwrap_or(u32::MAX),
        AluOp::Rem => {
            if b32 == 0 {
                a32
            } else {
                (a32 as i32).wrapping_rem(b32 as i32) as u32
            }
        }
        AluOp::Remu => {
            if b32 == 0 {
                a32
            } else {
                a32 % b32
            }
        }
        // The decoder produces no other W operation.
        _ => return alu(op, a, b) as i32 as i64 as u64,
    };
    r as i32 as i64 as u64
}

pub(crate) fn branch_taken(op: BranchOp, a: u64, b: u64) -> bool {
    match op {
        BranchOp::Eq => a == b,
        BranchOp::Ne => a != b,
        BranchOp::Lt => (a as i64) < (b as i64),
        BranchOp::Ge => (a as i64) >= (b as i64),
        BranchOp::Ltu => a < b,
        BranchOp::Geu => a >= b,
    }
}

pub(crate) fn sign_extend(v: u64, size: u8) -> u64 {
    let shift = 64 - 8 * size as u32;
    (((v << shift) as i64) >> shift) as u64
}

fn amo(op: AmoOp, width: AmoWidth, old: u64, src: u64) -> u64 {
    let (o, s) = match width {
        AmoWidth::W => (old as i32 as i64 as u64, src as i32 as i64 as u64),
        AmoWidth::D => (old, src),
    };
    match op {
        AmoOp::Swap => s,
        AmoOp::Add => o.wrapping_add(s),
        AmoOp::Xor => o ^ s,
        AmoOp::And => o & s,
        AmoOp::Or => o | s,
        AmoOp::Min => (o as i64).min(s as i64) as u64,
        AmoOp::Max => (o as i64).max(s as i64) as u64,
        AmoOp::Minu => {
            if width == AmoWidth::W {
                (o as u32).min(s as u32) as u64
            } else {
                o.min(s)
            }
        }
        AmoOp::Maxu => {
            if width == AmoWidth::W {
                (o as u32).max(s as u32) as u64
            } else {
                o.max(s)
            }
        }
    }
}

/// Translates an atomic access: it must be naturally aligned (else a
/// store/AMO misaligned fault, or a load misaligned fault for LR) and must
/// target main RAM (else an access fault).
fn atomic_pa(
    hart: &Hart,
    mmu: &mut Mmu,
    addr: u64,
    size: u8,
    op: Atomic,
) -> Result<softmmu::GuestPhysAddr, Exception> {
    let va = GuestVirtAddr(addr);
    let access = match op {
        Atomic::LoadReserved => AccessType::Read,
        _ => AccessType::Write,
    };
    if !addr.is_multiple_of(size as u64) {
        let kind = MemFaultKind::Misaligned;
        return Err(Exception::from(softmmu::MemFault {
            kind,
            access,
            addr: va,
        }));
    }
    let idx = hart.data_idx();
    Ok(mmu.translate_atomic(&mut Walker::new(hart), idx, va, size, op)?)
}

/// Executes `d`, the instruction at the hart's pc. On success the pc points
/// at the next instruction and the instruction is counted as retired.
pub fn execute(hart: &mut Hart, mmu: &mut Mmu, d: &Decoded) -> Result<Flow, Exception> {
    let pc = hart.state.pc;
    // `--profile`: this instruction's data accesses count against its pc.
    mmu.set_profile_pc(pc);
    let mut next_pc = pc.wrapping_add(d.len as u64);
    let illegal = Exception::Illegal(d.raw as u64);
    let mut retired = Flow::Next;
    match d.insn {
        Insn::Lui { rd, imm } => hart.state.set_x(rd.idx(), imm as u64),
        Insn::Auipc { rd, imm } => hart.state.set_x(rd.idx(), pc.wrapping_add(imm as u64)),
        Insn::Jal { rd, offset } => {
            hart.state.set_x(rd.idx(), next_pc);
            next_pc = pc.wrapping_add(offset as u64);
        }
        Insn::Jalr { rd, rs1, offset } => {
            let target = x(hart, rs1).wrapping_add(offset as u64) & !1;
            hart.state.set_x(rd.idx(), next_pc);
            next_pc = target;
        }
        Insn::Branch {
            op,
            rs1,
            rs2,
            offset,
        } => {
            if branch_taken(op, x(hart, rs1), x(hart, rs2)) {
                next_pc = pc.wrapping_add(offset as u64);
            }
        }
        Insn::Load {
            op,
            rd,
            rs1,
            offset,
        } => {
            let va = GuestVirtAddr(x(hart, rs1).wrapping_add(offset as u64));
            let size = op.size();
            let idx = hart.data_idx();
            let v = mmu.load(&mut Walker::new(hart), idx, va, size)?;
            let v = if op.signed() { sign_extend(v, size) } else { v };
            hart.state.set_x(rd.idx(), v);
        }
        Insn::Store {
            op,
            rs1,
            rs2,
            offset,
        } => {
            let va = GuestVirtAddr(x(hart, rs1).wrapping_add(offset as u64));
            let idx = hart.data_idx();
            mmu.store(&mut Walker::new(hart), idx, va, op.size(), x(hart, rs2))?;
        }
        Insn::OpImm { op, rd, rs1, imm } => hart
            .state
            .set_x(rd.idx(), alu(op, x(hart, rs1), imm as u64)),
        Insn::OpImm32 { op, rd, rs1, imm } => hart
            .state
            .set_x(rd.idx(), alu32(op, x(hart, rs1), imm as u64)),
        Insn::Op { op, rd, rs1, rs2 } => hart
            .state
            .set_x(rd.idx(), alu(op, x(hart, rs1), x(hart, rs2))),
        Insn::Op32 { op, rd, rs1, rs2 } => hart
            .state
            .set_x(rd.idx(), alu32(op, x(hart, rs1), x(hart, rs2))),
        Insn::Unary { op, rd, rs1 } => hart.state.set_x(rd.idx(), unary(op, x(hart, rs1))),
        // A single hart with no caches: fences have nothing to order. The
        // JIT issue gives fence.i its meaning (flushing translated code).
        Insn::Fence { .. } | Insn::FenceI => {}
        Insn::Ecall => {
            return Err(match hart.prv {
                Priv::U => Exception::EcallU,
                Priv::S => Exception::EcallS,
                Priv::M => Exception::EcallM,
            })
        }
        // tval = 0 for ebreak, as QEMU 7.2 writes (the spec allows 0 or the pc).
        Insn::Ebreak => return Err(Exception::Breakpoint(0)),
        Insn::Mret => {
            if hart.prv != Priv::M {
                return Err(illegal);
            }
            hart.mret();
            hart.csr.retire();
            return Ok(Flow::StateChanged);
        }
        Insn::Sret => {
            let tsr = hart.csr.mstatus & MSTATUS_TSR != 0;
            if hart.prv == Priv::U || (hart.prv == Priv::S && tsr) {
                return Err(illegal);
            }
            hart.sret();
            hart.csr.retire();
            return Ok(Flow::StateChanged);
        }
        Insn::Wfi => {
            let tw = hart.csr.mstatus & MSTATUS_TW != 0;
            if hart.prv == Priv::U || (hart.prv == Priv::S && tw) {
                return Err(illegal);
            }
            retired = Flow::Wfi;
        }
        Insn::SfenceVma { rs1, rs2 } => {
            let tvm = hart.csr.mstatus & MSTATUS_TVM != 0;
            if hart.prv == Priv::U || (hart.prv == Priv::S && tvm) {
                return Err(illegal);
            }
            // The TLB is not ASID-tagged (it is flushed when satp changes),
            // so it only holds entries of the current ASID.
            match (rs1 != Reg::ZERO, rs2 != Reg::ZERO) {
                (false, false) => mmu.flush_all(),
                (false, true) => mmu.flush_nonglobal(),
                (true, _) => mmu.flush_page(GuestVirtAddr(x(hart, rs1))),
            }
            retired = Flow::StateChanged;
        }
        Insn::Csr { op, rd, rs1, csr } => {
            let src = x(hart, rs1);
            retired = csr_op(hart, mmu, op, rd, csr, src, rs1 != Reg::ZERO).ok_or(illegal)?;
        }
        Insn::CsrImm { op, rd, uimm, csr } => {
            retired = csr_op(hart, mmu, op, rd, csr, uimm as u64, uimm != 0).ok_or(illegal)?;
        }
        Insn::Lr { width, rd, rs1, .. } => {
            let size = width.size();
            let pa = atomic_pa(hart, mmu, x(hart, rs1), size, Atomic::LoadReserved)?;
            let v = mmu
                .read_phys(pa, size)
                .ok_or(Exception::LoadAccess(x(hart, rs1)))?;
            hart.reservation = Some(Reservation { pa, size, value: v });
            hart.state.set_x(rd.idx(), sign_extend(v, size));
        }
        Insn::Sc {
            width,
            rd,
            rs1,
            rs2,
            ..
        } => {
            let size = width.size();
            let addr = x(hart, rs1);
            let pa = atomic_pa(hart, mmu, addr, size, Atomic::StoreConditional)?;
            let ok = match hart.reservation.take() {
                Some(r) if r.pa == pa && r.size == size => mmu.read_phys(pa, size) == Some(r.value),
                _ => false,
            };
            if ok {
                mmu.write_phys(pa, size, x(hart, rs2))
                    .ok_or(Exception::StoreAccess(addr))?;
            }
            hart.state.set_x(rd.idx(), !ok as u64);
        }
        Insn::Amo {
            op,
            width,
            rd,
            rs1,
            rs2,
            ..
        } => {
            let size = width.size();
            let addr = x(hart, rs1);
            let pa = atomic_pa(hart, mmu, addr, size, Atomic::ReadModifyWrite)?;
            let old = mmu
                .read_phys(pa, size)
                .ok_or(Exception::StoreAccess(addr))?;
            let new = amo(op, width, old, x(hart, rs2));
            mmu.write_phys(pa, size, new)
                .ok_or(Exception::StoreAccess(addr))?;
            hart.state.set_x(rd.idx(), sign_extend(old, size));
        }
        // F and D (illegal while mstatus.FS is Off).
        Insn::FLoad { .. }
        | Insn::FStore { .. }
        | Insn::FpBin { .. }
        | Insn::Fma { .. }
        | Insn::Fsqrt { .. }
        | Insn::FpCmp { .. }
        | Insn::Fclass { .. }
        | Insn::FcvtToInt { .. }
        | Insn::FcvtFromInt { .. }
        | Insn::FcvtFp { .. }
        | Insn::FmvToInt { .. }
        | Insn::FmvFromInt { .. } => super::fp::execute(hart, mmu, &d.insn, d.raw as u64)?,
        Insn::Illegal => return Err(illegal),
    }
    hart.state.pc = next_pc;
    hart.csr.retire();
    Ok(retired)
}

/// Executes a Zicsr instruction. `writes` is false for csrrs/csrrc with
/// `rs1 = x0` (or a zero immediate), which must not write (nor fault on a
/// read-only CSR); csrrw with `rd = x0` does not read.
/// A CSR instruction; carries out what the write invalidates.
fn csr_op(
    hart: &mut Hart,
    mmu: &mut Mmu,
    op: CsrOp,
    rd: Reg,
    csr: u16,
    src: u64,
    writes: bool,
) -> Option<Flow> {
    let do_write = op == CsrOp::Rw || writes;
    let old = if op == CsrOp::Rw && rd == Reg::ZERO {
        // Still check access so a csrw to a missing CSR traps.
        hart.csr_read(csr).map(|_| 0)?
    } else {
        hart.csr_read(csr)?
    };
    if do_write {
        let base = hart.csr_rmw_base(csr, old);
        let new = match op {
            CsrOp::Rw => src,
            CsrOp::Rs => base | src,
            CsrOp::Rc => base & !src,
        };
        if hart.csr_write(csr, new)?.flush_tlbs {
            mmu.flush_all();
        }
    }
    hart.state.set_x(rd.idx(), old);
    Ok::<_, ()>(if do_write {
        Flow::StateChanged
    } else {
        Flow::Next
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_edge_cases_follow_the_spec() {
        assert_eq!(alu(AluOp::Div, 5, 0), u64::MAX);
        assert_eq!(alu(AluOp::Rem, 5, 0), 5);
        assert_eq!(alu(AluOp::Div, i64::MIN as u64, u64::MAX), i64::MIN as u64);
        assert_eq!(alu(AluOp::Rem, i64::MIN as u64, u64::MAX), 0);
        assert_eq!(
            alu32(AluOp::Div, i32::MIN as u64, u64::MAX),
            i32::MIN as i64 as u64
        );
        assert_eq!(alu32(AluOp::Divu, 7, 0), u64::MAX);
        assert_eq!(
            alu32(AluOp::Remu, 0xffff_ffff_8000_0001, 0),
            0xffff_ffff_8000_0001
        );
    }

    #[test]
    fn high_multiplies() {
        assert_eq!(alu(AluOp::Mulh, u64::MAX, u64::MAX), 0);
        assert_eq!(alu(AluOp::Mulhu, u64::MAX, u64::MAX), u64::MAX - 1);
        assert_eq!(alu(AluOp::Mulhsu, u64::MAX, u64::MAX), u64::MAX);
    }

    #[test]
    fn bitmanip_edge_cases() {
        let min = i64::MIN as u64;
        assert_eq!(alu(AluOp::Sh3add, 1 << 61, 5), 5);
        assert_eq!(alu(AluOp::AddUw, u64::MAX, 1), 1 << 32);
        assert_eq!(alu(AluOp::Sh2addUw, 0xffff_ffff_8000_0000, 0), 1 << 33);
        assert_eq!(alu(AluOp::SllUw, 0xffff_ffff_ffff_ffff, 63), 1 << 63);
        assert_eq!(alu(AluOp::Max, min, 0), 0);
        assert_eq!(alu(AluOp::Maxu, min, 0), min);
        assert_eq!(alu(AluOp::Min, min, u64::MAX), min);
        assert_eq!(alu(AluOp::Minu, min, u64::MAX), min);
        assert_eq!(alu(AluOp::Rol, min | 1, 65), 3);
        assert_eq!(alu(AluOp::Ror, 1, 64), 1);
        assert_eq!(alu(AluOp::Bext, min, 127), 1);
        assert_eq!(alu(AluOp::Binv, 0, 64), 1);
        assert_eq!(alu(AluOp::CzeroEqz, 7, 0), 0);
        assert_eq!(alu(AluOp::CzeroNez, 7, 0), 7);
        assert_eq!(alu32(AluOp::Rol, 0x8000_0000, 33), 1);
        assert_eq!(alu32(AluOp::Ror, 1, 1), 0xffff_ffff_8000_0000);
        assert_eq!(unary(UnaryOp::Clz, 0), 64);
        assert_eq!(unary(UnaryOp::Clzw, 0xffff_ffff_0000_0000), 32);
        assert_eq!(unary(UnaryOp::Ctzw, 0), 32);
        assert_eq!(unary(UnaryOp::Cpopw, u64::MAX), 32);
        assert_eq!(unary(UnaryOp::SextH, 0x8000), 0xffff_ffff_ffff_8000);
        assert_eq!(
            unary(UnaryOp::OrcB, 0x0100_0000_0080_0000),
            0xff00_0000_00ff_0000
        );
        assert_eq!(
            unary(UnaryOp::Rev8, 0x0102_0304_0506_0708),
            0x0807_0605_0403_0201
        );
    }

    #[test]
    fn csr_set_and_clear_of_mip_do_not_latch_the_external_line() {
        use std::rc::Rc;

        use crate::hart::{irq, IrqLines};
        const CSR_MIP: u16 = 0x344;
        let lines = IrqLines::default();
        let mut h = Hart::new(0, lines.clone(), Rc::new(|| 0));
        let mut space = softmmu::AddressSpace::new();
        space
            .add_ram("ram", softmmu::GuestPhysAddr(0x8000_0000), 0x1000)
            .unwrap();
        let mut mmu = Mmu::new(space);
        h.csr.mip = irq::STIP;
        lines.set(irq::SEIP, true);
        // csrc mip, STIP (OpenSBI's timer path) while the PLIC asserts SEIP.
        h.state.set_x(5, irq::STIP);
        csr_op(
            &mut h,
            &mut mmu,
            CsrOp::Rc,
            Reg(6),
            CSR_MIP,
            irq::STIP,
            true,
        )
        .unwrap();
        assert_eq!(
            h.state.x[6] & irq::SEIP,
            irq::SEIP,
            "the read sees the line"
        );
        assert_eq!(h.csr.mip & (irq::SEIP | irq::STIP), 0);
        lines.set(irq::SEIP, false);
        assert_eq!(h.mip() & irq::SEIP, 0, "SEIP follows the line again");
        // A csrs of SEIP itself sets the software bit, which then stays.
        csr_op(
            &mut h,
            &mut mmu,
            CsrOp::Rs,
            Reg(0),
            CSR_MIP,
            irq::SEIP,
            true,
        )
        .unwrap();
        assert_eq!(h.mip() & irq::SEIP, irq::SEIP);
    }

    #[test]
    fn word_ops_sign_extend() {
        assert_eq!(alu32(AluOp::Add, 0x7fff_ffff, 1), 0xffff_ffff_8000_0000);
        assert_eq!(alu32(AluOp::Sll, 1, 31), 0xffff_ffff_8000_0000);
        assert_eq!(alu32(AluOp::Sra, 0x8000_0000, 4), 0xffff_ffff_f800_0000);
        assert_eq!(amo(AmoOp::Minu, AmoWidth::W, 0xffff_ffff, 1), 1);
        assert_eq!(amo(AmoOp::Min, AmoWidth::W, 0xffff_ffff, 1), u64::MAX);
    }
}

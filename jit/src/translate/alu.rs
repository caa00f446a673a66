//! Integer operations: ALU, Zbb unary, `W` forms and division with
//! RISC-V's results for the cases the host would trap on.

use super::*;

impl TbCx<'_> {
    pub(super) fn alu_imm(&mut self, op: AluOp, a: Value, imm: i64) -> Value {
        let ins = self.b.ins();
        match op {
            AluOp::Add => ins.iadd_imm_s(a, imm),
            AluOp::Xor => ins.bxor_imm_s(a, imm),
            AluOp::Or => ins.bor_imm_s(a, imm),
            AluOp::And => ins.band_imm_s(a, imm),
            AluOp::Sll => ins.ishl_imm_u(a, imm & 63),
            AluOp::Srl => ins.ushr_imm_u(a, imm & 63),
            AluOp::Sra => ins.sshr_imm_u(a, imm & 63),
            AluOp::Slt => {
                let c = ins.icmp_imm_s(IntCC::SignedLessThan, a, imm);
                self.b.ins().uextend(I64, c)
            }
            AluOp::Sltu => {
                let c = ins.icmp_imm_s(IntCC::UnsignedLessThan, a, imm);
                self.b.ins().uextend(I64, c)
            }
            _ => {
                let b = self.iconst(imm as u64);
                self.alu(op, a, b)
            }
        }
    }

    pub(super) fn alu(&mut self, op: AluOp, a: Value, b: Value) -> Value {
        match op {
            AluOp::Add => self.b.ins().iadd(a, b),
            AluOp::Sub => self.b.ins().isub(a, b),
            AluOp::Sll => self.b.ins().ishl(a, b),
            AluOp::Srl => self.b.ins().ushr(a, b),
            AluOp::Sra => self.b.ins().sshr(a, b),
            AluOp::Xor => self.b.ins().bxor(a, b),
            AluOp::Or => self.b.ins().bor(a, b),
            AluOp::And => self.b.ins().band(a, b),
            AluOp::Slt => {
                let c = self.b.ins().icmp(IntCC::SignedLessThan, a, b);
                self.b.ins().uextend(I64, c)
            }
            AluOp::Sltu => {
                let c = self.b.ins().icmp(IntCC::UnsignedLessThan, a, b);
                self.b.ins().uextend(I64, c)
            }
            AluOp::Mul => self.b.ins().imul(a, b),
            AluOp::Mulh => self.b.ins().smulhi(a, b),
            AluOp::Mulhu => self.b.ins().umulhi(a, b),
            AluOp::Mulhsu => {
                // mulhsu(a, b) = mulhu(a, b) - (a < 0 ? b : 0)
                let hi = self.b.ins().umulhi(a, b);
                let sign = self.b.ins().sshr_imm_u(a, 63);
                let corr = self.b.ins().band(sign, b);
                self.b.ins().isub(hi, corr)
            }
            AluOp::Div | AluOp::Divu | AluOp::Rem | AluOp::Remu => self.divrem(op, a, b, I64),
            AluOp::Sh1add | AluOp::Sh2add | AluOp::Sh3add => {
                let n = match op {
                    AluOp::Sh1add => 1,
                    AluOp::Sh2add => 2,
                    _ => 3,
                };
                let s = self.b.ins().ishl_imm_u(a, n);
                self.b.ins().iadd(b, s)
            }
            AluOp::AddUw | AluOp::Sh1addUw | AluOp::Sh2addUw | AluOp::Sh3addUw => {
                let n = match op {
                    AluOp::AddUw => 0,
                    AluOp::Sh1addUw => 1,
                    AluOp::Sh2addUw => 2,
                    _ => 3,
                };
                let z = self.zext32(a);
                let s = self.b.ins().ishl_imm_u(z, n);
                self.b.ins().iadd(b, s)
            }
            AluOp::SllUw => {
                let z = self.zext32(a);
                self.b.ins().ishl(z, b)
            }
            AluOp::Andn => self.b.ins().band_not(a, b),
            AluOp::Orn => self.b.ins().bor_not(a, b),
            AluOp::Xnor => self.b.ins().bxor_not(a, b),
            AluOp::Max => self.b.ins().smax(a, b),
            AluOp::Maxu => self.b.ins().umax(a, b),
            AluOp::Min => self.b.ins().smin(a, b),
            AluOp::Minu => self.b.ins().umin(a, b),
            // Cranelift's shifts and rotates take the amount modulo the width.
            AluOp::Rol => self.b.ins().rotl(a, b),
            AluOp::Ror => self.b.ins().rotr(a, b),
            AluOp::Bclr | AluOp::Binv | AluOp::Bset => {
                let one = self.b.ins().iconst(I64, 1);
                let bit = self.b.ins().ishl(one, b);
                match op {
                    AluOp::Bclr => self.b.ins().band_not(a, bit),
                    AluOp::Binv => self.b.ins().bxor(a, bit),
                    _ => self.b.ins().bor(a, bit),
                }
            }
            AluOp::Bext => {
                let s = self.b.ins().ushr(a, b);
                self.b.ins().band_imm_s(s, 1)
            }
            AluOp::CzeroEqz | AluOp::CzeroNez => {
                let cc = if op == AluOp::CzeroEqz {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                let c = self.b.ins().icmp_imm_s(cc, b, 0);
                let zero = self.b.ins().iconst(I64, 0);
                self.b.ins().select(c, zero, a)
            }
        }
    }

    /// The low 32 bits of `a`, zero-extended.
    pub(super) fn zext32(&mut self, a: Value) -> Value {
        let a32 = self.b.ins().ireduce(I32, a);
        self.b.ins().uextend(I64, a32)
    }

    /// The one-operand Zbb operations.
    pub(super) fn unary(&mut self, op: UnaryOp, a: Value) -> Value {
        let word = |tx: &mut Self, f: fn(&mut Self, Value) -> Value| {
            let a32 = tx.b.ins().ireduce(I32, a);
            let r = f(tx, a32);
            tx.b.ins().uextend(I64, r)
        };
        let narrow = |tx: &mut Self, ty, signed: bool| {
            let n = tx.b.ins().ireduce(ty, a);
            if signed {
                tx.b.ins().sextend(I64, n)
            } else {
                tx.b.ins().uextend(I64, n)
            }
        };
        match op {
            UnaryOp::Clz => self.b.ins().clz(a),
            UnaryOp::Ctz => self.b.ins().ctz(a),
            UnaryOp::Cpop => self.b.ins().popcnt(a),
            UnaryOp::Clzw => word(self, |tx, v| tx.b.ins().clz(v)),
            UnaryOp::Ctzw => word(self, |tx, v| tx.b.ins().ctz(v)),
            UnaryOp::Cpopw => word(self, |tx, v| tx.b.ins().popcnt(v)),
            UnaryOp::SextB => narrow(self, I8, true),
            UnaryOp::SextH => narrow(self, I16, true),
            UnaryOp::ZextH => narrow(self, I16, false),
            UnaryOp::Rev8 => self.b.ins().bswap(a),
            UnaryOp::OrcB => {
                // Bit 7 of each byte of t is set iff the byte is non-zero:
                // adding 0x7f to its low seven bits carries into bit 7
                // (never out of the byte) iff they are non-zero.
                const LOW7: i64 = 0x7f7f_7f7f_7f7f_7f7f;
                let low = self.b.ins().band_imm_s(a, LOW7);
                let sum = self.b.ins().iadd_imm_s(low, LOW7);
                let t = self.b.ins().bor(sum, a);
                let high = self.b.ins().band_imm_s(t, 0x8080_8080_8080_8080u64 as i64);
                let ones = self.b.ins().ushr_imm_u(high, 7);
                self.b.ins().imul_imm_s(ones, 0xff)
            }
        }
    }

    /// The `W` operations: on the low 32 bits, result sign-extended.
    pub(super) fn alu32(&mut self, op: AluOp, a: Value, b: Value) -> Value {
        let a32 = self.b.ins().ireduce(I32, a);
        let b32 = self.b.ins().ireduce(I32, b);
        let r = match op {
            AluOp::Add => self.b.ins().iadd(a32, b32),
            AluOp::Sub => self.b.ins().isub(a32, b32),
            AluOp::Sll => self.b.ins().ishl(a32, b32),
            AluOp::Srl => self.b.ins().ushr(a32, b32),
            AluOp::Sra => self.b.ins().sshr(a32, b32),
            AluOp::Mul => self.b.ins().imul(a32, b32),
            AluOp::Rol => self.b.ins().rotl(a32, b32),
            AluOp::Ror => self.b.ins().rotr(a32, b32),
            AluOp::Div | AluOp::Divu | AluOp::Rem | AluOp::Remu => self.divrem(op, a32, b32, I32),
            // The decoder produces no other W operation.
            _ => {
                let r = self.alu(op, a, b);
                self.b.ins().ireduce(I32, r)
            }
        };
        self.b.ins().sextend(I64, r)
    }

    /// Division and remainder with RISC-V's results for division by zero
    /// (quotient all ones, remainder the dividend) and signed overflow
    /// (quotient MIN, remainder 0). The divisor is replaced by 1 in those
    /// cases so the host instruction never traps.
    pub(super) fn divrem(
        &mut self,
        op: AluOp,
        a: Value,
        d: Value,
        ty: cranelift_codegen::ir::Type,
    ) -> Value {
        let min = if ty == I64 { i64::MIN } else { i32::MIN as i64 };
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, d, 0);
        let one = self.b.ins().iconst(ty, 1);
        let signed = matches!(op, AluOp::Div | AluOp::Rem);
        let overflow = if signed {
            let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, min);
            let d_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, d, -1);
            Some(self.b.ins().band(a_min, d_m1))
        } else {
            None
        };
        let bad = match overflow {
            Some(ov) => self.b.ins().bor(zero, ov),
            None => zero,
        };
        let dsafe = self.b.ins().select(bad, one, d);
        let (r, on_zero, on_ov): (Value, Value, Option<Value>) = match op {
            AluOp::Div => {
                let q = self.b.ins().sdiv(a, dsafe);
                let m1 = self.b.ins().iconst(ty, -1);
                let minv = self.b.ins().iconst(ty, min);
                (q, m1, Some(minv))
            }
            AluOp::Divu => {
                let q = self.b.ins().udiv(a, dsafe);
                let m1 = self.b.ins().iconst(ty, -1);
                (q, m1, None)
            }
            AluOp::Rem => {
                let r = self.b.ins().srem(a, dsafe);
                let z = self.b.ins().iconst(ty, 0);
                (r, a, Some(z))
            }
            _ => {
                let r = self.b.ins().urem(a, dsafe);
                (r, a, None)
            }
        };
        let r = match (overflow, on_ov) {
            (Some(ov), Some(v)) => self.b.ins().select(ov, v, r),
            _ => r,
        };
        self.b.ins().select(zero, on_zero, r)
    }
}

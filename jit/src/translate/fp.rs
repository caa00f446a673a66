//! F and D: the `fp` helper call, and the common cases inline when the TB
//! was formed with `mstatus.FS` Dirty (host FPU under an exactness guard;
//! FP loads and stores through the inline TLB sequence).

use super::*;

impl TbCx<'_> {
    /// An F or D instruction: a call to the `fp` helper, which executes it
    /// exactly (SoftFloat) against `CpuState` and returns the integer
    /// result for the instructions that write `x[rd]`. Like a memory slow
    /// path, the helper may trap or end the block (`ctx.exit`); otherwise
    /// the TB goes on.
    pub(super) fn fp(&mut self, pc: u64, next: u64, d: &Decoded) {
        if self.fp_dirty && self.fp_inline(pc, next, d) {
            return;
        }
        self.fp_call(pc, next, d);
    }

    /// The `fp` helper call (see [`TbCx::fp`]).
    pub(super) fn fp_call(&mut self, pc: u64, next: u64, d: &Decoded) {
        self.slow_prologue(pc);
        let f = self
            .b
            .ins()
            .load(I64, cold_invariant(), self.ctx, ctx_off::FP);
        let raw = self.b.ins().iconst(I32, d.raw as i64);
        let nextv = self.iconst(next);
        let call = self
            .b
            .ins()
            .call_indirect(self.fp_sig, f, &[self.ctx, raw, nextv]);
        let v = self.b.inst_results(call)[0];
        self.check_exit();
        if let Some(rd) = fp_int_rd(&d.insn) {
            self.set_x(rd, v);
        }
    }

    /// F register `r` from `CpuState` (f registers are not cached in SSA).
    pub(super) fn f_load(&mut self, r: FReg) -> Value {
        let off = cpu_off::F as i32 + 8 * (r.0 as i32 & 31);
        self.b.ins().load(I64, trusted(), self.cpu, off)
    }

    pub(super) fn f_store(&mut self, r: FReg, v: Value) {
        let off = cpu_off::F as i32 + 8 * (r.0 as i32 & 31);
        self.b.ins().store(trusted(), v, self.cpu, off);
    }

    /// 1 when `mag` (the value without its sign) is a normal number of
    /// `fmt`: `mag - min_normal < inf - min_normal`, unsigned.
    pub(super) fn fp_is_normal(&mut self, fmt: FpFmt, mag: Value) -> Value {
        let (min, inf) = match fmt {
            FpFmt::S => (0x0080_0000i64, 0x7f80_0000i64),
            FpFmt::D => (0x0010_0000_0000_0000, 0x7ff0_0000_0000_0000),
        };
        let d = self.b.ins().iadd_imm_s(mag, -min);
        self.b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, d, inf - min)
    }

    /// Operand `r` of `fmt` as raw bits (i64, a single in the low 32), and
    /// 1 when it may take the fast path: boxed (singles), and a normal
    /// number or zero.
    pub(super) fn fp_plain_operand(&mut self, fmt: FpFmt, r: FReg) -> (Value, Value) {
        let v = self.f_load(r);
        let sign = match fmt {
            FpFmt::S => 0x7fff_ffffi64,
            FpFmt::D => i64::MAX,
        };
        let mag = self.b.ins().band_imm_s(v, sign);
        let normal = self.fp_is_normal(fmt, mag);
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, mag, 0);
        let ok = self.b.ins().bor(normal, zero);
        let ok = match fmt {
            FpFmt::S => {
                let hi = self.b.ins().ushr_imm_u(v, 32);
                let boxed = self.b.ins().icmp_imm_s(IntCC::Equal, hi, 0xffff_ffff);
                self.b.ins().band(ok, boxed)
            }
            FpFmt::D => ok,
        };
        (v, ok)
    }

    /// FP inline in a TB formed with `mstatus.FS` Dirty (so it cannot trap
    /// on FS nor has to change it): add/sub/mul/div/sqrt on the host FPU
    /// under the exactness guard of `runtime::interp::fp::hard` (round to
    /// nearest/even, `fflags.NX` already set, normal-or-zero operands, a
    /// normal result), with the `fp` helper as the slow path; FP loads and
    /// stores through the inline TLB sequence. Returns false (emitting
    /// nothing) for anything else.
    pub(super) fn fp_inline(&mut self, pc: u64, next: u64, d: &Decoded) -> bool {
        match d.insn {
            Insn::FpBin {
                op: op @ (FpBinOp::Add | FpBinOp::Sub | FpBinOp::Mul | FpBinOp::Div),
                fmt,
                rm,
                rd,
                rs1,
                rs2,
            } if rm.0 == 0 || rm == RoundingMode::DYN => {
                self.fp_arith_inline(pc, next, d, Some(op), fmt, rm, rd, rs1, rs2);
            }
            Insn::Fsqrt { fmt, rm, rd, rs1 } if rm.0 == 0 || rm == RoundingMode::DYN => {
                self.fp_arith_inline(pc, next, d, None, fmt, rm, rd, rs1, rs1);
            }
            Insn::FLoad {
                fmt,
                rd,
                rs1,
                offset,
            } => {
                let size = if fmt == FpFmt::S { 4 } else { 8 };
                let base = self.x(rs1);
                let va = self.b.ins().iadd_imm_s(base, offset);
                let (_fast, host, slow) = self.tlb_access(va, size, ctx_off::ENTRY_ADDR_READ);
                let merge = self.b.create_block();
                let v = match fmt {
                    FpFmt::S => {
                        let v = self.b.ins().uload32(trusted(), host, 0);
                        self.b.ins().bor_imm_s(v, 0xffff_ffff_0000_0000u64 as i64)
                    }
                    FpFmt::D => self.b.ins().load(I64, trusted(), host, 0),
                };
                self.f_store(rd, v);
                self.b.ins().jump(merge, &[]);
                self.b.switch_to_block(slow);
                self.fp_call(pc, next, d);
                self.b.ins().jump(merge, &[]);
                self.b.switch_to_block(merge);
            }
            Insn::FStore {
                fmt,
                rs1,
                rs2,
                offset,
            } => {
                let size = if fmt == FpFmt::S { 4 } else { 8 };
                let base = self.x(rs1);
                let va = self.b.ins().iadd_imm_s(base, offset);
                let (_fast, host, slow) = self.tlb_access(va, size, ctx_off::ENTRY_ADDR_WRITE);
                let merge = self.b.create_block();
                let v = self.f_load(rs2);
                match fmt {
                    FpFmt::S => self.b.ins().istore32(trusted(), v, host, 0),
                    FpFmt::D => self.b.ins().store(trusted(), v, host, 0),
                };
                self.b.ins().jump(merge, &[]);
                self.b.switch_to_block(slow);
                self.fp_call(pc, next, d);
                self.b.ins().jump(merge, &[]);
                self.b.switch_to_block(merge);
            }
            _ => return false,
        }
        true
    }

    /// `op` (None: sqrt of `rs1`) on the host FPU when the guard holds, else
    /// the `fp` helper.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fp_arith_inline(
        &mut self,
        pc: u64,
        next: u64,
        d: &Decoded,
        op: Option<FpBinOp>,
        fmt: FpFmt,
        rm: RoundingMode,
        rd: FReg,
        rs1: FReg,
        rs2: FReg,
    ) {
        // Round to nearest/even and NX already set: fcsr & mask == 1.
        let fcsr = self
            .b
            .ins()
            .uload32(trusted(), self.cpu, cpu_off::FCSR as i32);
        let mask = if rm == RoundingMode::DYN { 0xe1 } else { 0x01 };
        let m = self.b.ins().band_imm_s(fcsr, mask);
        let mut ok = self.b.ins().icmp_imm_s(IntCC::Equal, m, 1);
        let (a, ok_a) = self.fp_plain_operand(fmt, rs1);
        ok = self.b.ins().band(ok, ok_a);
        let b = if op.is_some() {
            let (b, ok_b) = self.fp_plain_operand(fmt, rs2);
            ok = self.b.ins().band(ok, ok_b);
            b
        } else {
            a
        };
        let as_float = |cx: &mut Self, v: Value| match fmt {
            FpFmt::S => {
                let w = cx.b.ins().ireduce(I32, v);
                cx.b.ins().bitcast(F32, MemFlagsData::new(), w)
            }
            FpFmt::D => cx.b.ins().bitcast(F64, MemFlagsData::new(), v),
        };
        let (x, y) = (as_float(self, a), as_float(self, b));
        let r = match op {
            Some(FpBinOp::Add) => self.b.ins().fadd(x, y),
            Some(FpBinOp::Sub) => self.b.ins().fsub(x, y),
            Some(FpBinOp::Mul) => self.b.ins().fmul(x, y),
            Some(_) => self.b.ins().fdiv(x, y),
            None => self.b.ins().sqrt(x),
        };
        let (bits, mag) = match fmt {
            FpFmt::S => {
                let w = self.b.ins().bitcast(I32, MemFlagsData::new(), r);
                let w = self.b.ins().uextend(I64, w);
                let mag = self.b.ins().band_imm_s(w, 0x7fff_ffff);
                let boxed = self.b.ins().bor_imm_s(w, 0xffff_ffff_0000_0000u64 as i64);
                (boxed, mag)
            }
            FpFmt::D => {
                let w = self.b.ins().bitcast(I64, MemFlagsData::new(), r);
                let mag = self.b.ins().band_imm_s(w, i64::MAX);
                (w, mag)
            }
        };
        let normal = self.fp_is_normal(fmt, mag);
        ok = self.b.ins().band(ok, normal);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let merge = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        self.f_store(rd, bits);
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(slow);
        self.fp_call(pc, next, d);
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(merge);
    }
}

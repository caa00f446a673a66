//! The F and D extensions, exact to the last `fflags` bit.
//!
//! Arithmetic, square root, fused multiply-add, comparisons and
//! conversions are Berkeley SoftFloat 3 with its RISC-V specialisation
//! (`softfloat-wrapper`, feature `riscv`): canonical NaNs, the RISC-V
//! integer results of invalid conversions, tininess after rounding. Its
//! exception flags are thread-local, so machines on several threads do not
//! disturb each other. What SoftFloat does not decide is written here from
//! the ISA manual (chapters 11 and 12 of the unprivileged spec):
//!
//! - NaN boxing: a single in a 64-bit register is valid only when bits
//!   63:32 are all ones; otherwise it reads as the canonical NaN. Singles
//!   are written boxed.
//! - `fmin`/`fmax` (IEEE 754-2019 minimumNumber/maximumNumber): one NaN
//!   operand gives the other operand, two give the canonical NaN, a
//!   signalling NaN raises NV, and -0 is less than +0.
//! - `feq` is quiet (NV only for a signalling NaN), `flt`/`fle` signal (NV
//!   for any NaN).
//! - `fsgnj*`, `fmv`, `fclass`, loads and stores never raise flags.
//! - `mstatus.FS`: Off makes every FP instruction illegal; an instruction
//!   that writes an f register or accrues flags makes it Dirty.
//! - Rounding: `rm` 5 and 6 are reserved, and `rm` = 7 takes `frm`, whose
//!   values 5..7 are reserved: all illegal instructions.
//!
//! A host-FPU fast path (QEMU's "hardfloat") serves the common case of
//! add, sub, mul, div, sqrt and FMA: see [`hard`] for when its result is
//! provably SoftFloat's, flags included; `hard_path_is_softfloat` tests it.

use frontend_riscv::{FReg, FmaOp, FpBinOp, FpCmpOp, FpFmt, Insn, IntFmt, RoundingMode};
use softfloat_wrapper::{ExceptionFlags, Float, RoundingMode as Rnd, F32, F64};
use softmmu::{GuestVirtAddr, Mmu};

use super::reference::x;
use crate::hart::csr::{MSTATUS_FS, MSTATUS_SD};
use crate::hart::walk::Walker;
use crate::hart::{Exception, Hart};

/// The canonical NaNs.
const CANON_S: u32 = 0x7fc0_0000;
const CANON_D: u64 = 0x7ff8_0000_0000_0000;
/// Bits 63:32 of a boxed single.
const BOX: u64 = 0xffff_ffff_0000_0000;
/// `fflags.NV`.
const NV: u32 = 0x10;

/// Whether FP instructions and FP CSRs are usable (`mstatus.FS` != Off).
pub fn fp_enabled(hart: &Hart) -> bool {
    hart.csr.mstatus & MSTATUS_FS != 0
}

/// Marks the FP state modified: `FS` = Dirty, hence `SD` = 1.
pub fn set_dirty(hart: &mut Hart) {
    hart.csr.mstatus |= MSTATUS_FS | MSTATUS_SD;
}

/// Executes an F or D instruction (every other `Insn` is a caller bug and
/// reported as illegal). The caller moves the pc and counts the
/// instruction; a guest exception leaves the hart unchanged.
pub fn execute(hart: &mut Hart, mmu: &mut Mmu, insn: &Insn, raw: u64) -> Result<(), Exception> {
    let illegal = Exception::Illegal(raw);
    if !fp_enabled(hart) {
        return Err(illegal);
    }
    let rnd = |hart: &Hart, rm: RoundingMode| rounding(hart, rm).ok_or(illegal);
    match *insn {
        Insn::FLoad {
            fmt,
            rd,
            rs1,
            offset,
        } => {
            let va = GuestVirtAddr(x(hart, rs1).wrapping_add(offset as u64));
            let idx = hart.data_idx();
            let v = mmu.load(&mut Walker::new(hart), idx, va, size(fmt))?;
            write_f(hart, rd, fmt, v);
        }
        Insn::FStore {
            fmt,
            rs1,
            rs2,
            offset,
        } => {
            let va = GuestVirtAddr(x(hart, rs1).wrapping_add(offset as u64));
            let idx = hart.data_idx();
            // A store moves the raw bits: no unboxing.
            let v = hart.state.f[rs2.0 as usize & 31];
            mmu.store(&mut Walker::new(hart), idx, va, size(fmt), v)?;
        }
        Insn::FpBin {
            op,
            fmt,
            rm,
            rd,
            rs1,
            rs2,
        } => {
            let (a, b) = (read_f(hart, rs1, fmt), read_f(hart, rs2, fmt));
            let (v, flags) = match op {
                FpBinOp::Sgnj | FpBinOp::Sgnjn | FpBinOp::Sgnjx => (sign_inject(op, fmt, a, b), 0),
                FpBinOp::Min | FpBinOp::Max => min_max(op == FpBinOp::Max, fmt, a, b),
                _ => {
                    let r = rnd(hart, rm)?;
                    match hard_ok(hart, r).then(|| hard(HardOp::Bin(op), fmt, a, b, 0)) {
                        Some(Some(v)) => (v, 0),
                        _ => arith(op, fmt, a, b, r),
                    }
                }
            };
            write_f(hart, rd, fmt, v);
            accrue(hart, flags);
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
            let r = rnd(hart, rm)?;
            let (a, b, c) = (
                read_f(hart, rs1, fmt),
                read_f(hart, rs2, fmt),
                read_f(hart, rs3, fmt),
            );
            // Negating the product is negating one factor (a NaN result is
            // canonical whatever the signs).
            let sign = sign_bit(fmt);
            let (a, c) = match op {
                FmaOp::Madd => (a, c),
                FmaOp::Msub => (a, c ^ sign),
                FmaOp::Nmsub => (a ^ sign, c),
                FmaOp::Nmadd => (a ^ sign, c ^ sign),
            };
            let fast = hard_ok(hart, r).then(|| hard(HardOp::Fma, fmt, a, b, c));
            let (v, flags) = match fast {
                Some(Some(v)) => (v, 0),
                _ => with_flags(|| match fmt {
                    FpFmt::S => F32::from_bits(a as u32)
                        .fused_mul_add(F32::from_bits(b as u32), F32::from_bits(c as u32), r)
                        .to_bits() as u64,
                    FpFmt::D => F64::from_bits(a)
                        .fused_mul_add(F64::from_bits(b), F64::from_bits(c), r)
                        .to_bits(),
                }),
            };
            write_f(hart, rd, fmt, v);
            accrue(hart, flags);
        }
        Insn::Fsqrt { fmt, rm, rd, rs1 } => {
            let r = rnd(hart, rm)?;
            let a = read_f(hart, rs1, fmt);
            let fast = hard_ok(hart, r).then(|| hard(HardOp::Sqrt, fmt, a, 0, 0));
            let (v, flags) = match fast {
                Some(Some(v)) => (v, 0),
                _ => with_flags(|| match fmt {
                    FpFmt::S => F32::from_bits(a as u32).sqrt(r).to_bits() as u64,
                    FpFmt::D => F64::from_bits(a).sqrt(r).to_bits(),
                }),
            };
            write_f(hart, rd, fmt, v);
            accrue(hart, flags);
        }
        Insn::FpCmp {
            op,
            fmt,
            rd,
            rs1,
            rs2,
        } => {
            let (a, b) = (read_f(hart, rs1, fmt), read_f(hart, rs2, fmt));
            let (v, flags) = with_flags(|| match (fmt, op) {
                (FpFmt::S, FpCmpOp::Eq) => F32::from_bits(a as u32).eq(F32::from_bits(b as u32)),
                (FpFmt::S, FpCmpOp::Lt) => F32::from_bits(a as u32).lt(F32::from_bits(b as u32)),
                (FpFmt::S, FpCmpOp::Le) => F32::from_bits(a as u32).le(F32::from_bits(b as u32)),
                (FpFmt::D, FpCmpOp::Eq) => F64::from_bits(a).eq(F64::from_bits(b)),
                (FpFmt::D, FpCmpOp::Lt) => F64::from_bits(a).lt(F64::from_bits(b)),
                (FpFmt::D, FpCmpOp::Le) => F64::from_bits(a).le(F64::from_bits(b)),
            });
            hart.state.set_x(rd.idx(), v as u64);
            accrue(hart, flags);
        }
        Insn::Fclass { fmt, rd, rs1 } => {
            let a = read_f(hart, rs1, fmt);
            hart.state.set_x(rd.idx(), classify(fmt, a));
        }
        Insn::FcvtToInt {
            fmt,
            int,
            rm,
            rd,
            rs1,
        } => {
            let r = rnd(hart, rm)?;
            let a = read_f(hart, rs1, fmt);
            let (v, flags) = with_flags(|| to_int(fmt, int, a, r));
            hart.state.set_x(rd.idx(), v);
            accrue(hart, flags);
        }
        Insn::FcvtFromInt {
            fmt,
            int,
            rm,
            rd,
            rs1,
        } => {
            let r = rnd(hart, rm)?;
            let a = x(hart, rs1);
            let (v, flags) = with_flags(|| from_int(fmt, int, a, r));
            write_f(hart, rd, fmt, v);
            accrue(hart, flags);
        }
        Insn::FcvtFp {
            to,
            from,
            rm,
            rd,
            rs1,
        } => {
            let r = rnd(hart, rm)?;
            let a = read_f(hart, rs1, from);
            let (v, flags) = with_flags(|| match (from, to) {
                (FpFmt::S, FpFmt::D) => F32::from_bits(a as u32).to_f64(r).to_bits(),
                (FpFmt::D, FpFmt::S) => F64::from_bits(a).to_f32(r).to_bits() as u64,
                // Not encodable (the decoder never produces it).
                _ => a,
            });
            write_f(hart, rd, to, v);
            accrue(hart, flags);
        }
        Insn::FmvToInt { fmt, rd, rs1 } => {
            // The raw bits (no unboxing); fmv.x.w sign-extends bit 31.
            let v = hart.state.f[rs1.0 as usize & 31];
            let v = match fmt {
                FpFmt::S => v as u32 as i32 as i64 as u64,
                FpFmt::D => v,
            };
            hart.state.set_x(rd.idx(), v);
        }
        Insn::FmvFromInt { fmt, rd, rs1 } => {
            let v = x(hart, rs1);
            write_f(hart, rd, fmt, v);
        }
        _ => return Err(illegal),
    }
    Ok(())
}

fn size(fmt: FpFmt) -> u8 {
    match fmt {
        FpFmt::S => 4,
        FpFmt::D => 8,
    }
}

fn sign_bit(fmt: FpFmt) -> u64 {
    match fmt {
        FpFmt::S => 1 << 31,
        FpFmt::D => 1 << 63,
    }
}

/// Operand `r` in format `fmt`: a single must be NaN-boxed, else it reads
/// as the canonical NaN.
fn read_f(hart: &Hart, r: FReg, fmt: FpFmt) -> u64 {
    let v = hart.state.f[r.0 as usize & 31];
    match fmt {
        FpFmt::S if v & BOX != BOX => CANON_S as u64,
        FpFmt::S => v & 0xffff_ffff,
        FpFmt::D => v,
    }
}

/// Writes a result (a single is boxed) and marks the FP state dirty.
fn write_f(hart: &mut Hart, r: FReg, fmt: FpFmt, v: u64) {
    hart.state.f[r.0 as usize & 31] = match fmt {
        FpFmt::S => BOX | (v & 0xffff_ffff),
        FpFmt::D => v,
    };
    set_dirty(hart);
}

/// Accrues exception flags into `fflags`.
fn accrue(hart: &mut Hart, flags: u32) {
    if flags != 0 {
        hart.state.fcsr |= flags & 0x1f;
        set_dirty(hart);
    }
}

/// The rounding mode of an instruction; `None` for a reserved one.
fn rounding(hart: &Hart, rm: RoundingMode) -> Option<Rnd> {
    let m = if rm == RoundingMode::DYN {
        (hart.state.fcsr >> 5) & 7
    } else {
        rm.0 as u32
    };
    Some(match m {
        0 => Rnd::TiesToEven,
        1 => Rnd::TowardZero,
        2 => Rnd::TowardNegative,
        3 => Rnd::TowardPositive,
        4 => Rnd::TiesToAway,
        _ => return None,
    })
}

/// Runs `f` with SoftFloat's (thread-local) flags cleared; returns its
/// result and the flags it raised, in `fflags` layout (the same bits).
fn with_flags<T>(f: impl FnOnce() -> T) -> (T, u32) {
    let mut flags = ExceptionFlags::default();
    flags.set();
    let v = f();
    flags.get();
    (v, flags.to_bits() as u32)
}

fn arith(op: FpBinOp, fmt: FpFmt, a: u64, b: u64, r: Rnd) -> (u64, u32) {
    with_flags(|| match fmt {
        FpFmt::S => {
            let (a, b) = (F32::from_bits(a as u32), F32::from_bits(b as u32));
            let v = match op {
                FpBinOp::Add => a.add(b, r),
                FpBinOp::Sub => a.sub(b, r),
                FpBinOp::Mul => a.mul(b, r),
                _ => a.div(b, r),
            };
            v.to_bits() as u64
        }
        FpFmt::D => {
            let (a, b) = (F64::from_bits(a), F64::from_bits(b));
            let v = match op {
                FpBinOp::Add => a.add(b, r),
                FpBinOp::Sub => a.sub(b, r),
                FpBinOp::Mul => a.mul(b, r),
                _ => a.div(b, r),
            };
            v.to_bits()
        }
    })
}

/// What the host fast path computes.
#[derive(Clone, Copy)]
enum HardOp {
    Bin(FpBinOp),
    Fma,
    Sqrt,
}

/// Whether the fast path may be tried: round to nearest, ties to even (the
/// host's mode), and `fflags.NX` already set, so that whether this
/// operation is inexact cannot change `fcsr`.
fn hard_ok(hart: &Hart, r: Rnd) -> bool {
    matches!(r, Rnd::TiesToEven) && hart.state.fcsr & 1 != 0
}

/// A normal number or a zero (no NaN, infinity or subnormal).
fn plain(fmt: FpFmt, v: u64) -> bool {
    let (e, max, m) = match fmt {
        FpFmt::S => ((v >> 23) & 0xff, 0xff, v & 0x7f_ffff),
        FpFmt::D => ((v >> 52) & 0x7ff, 0x7ff, v & 0xf_ffff_ffff_ffff),
    };
    e != max && (e != 0 || m == 0)
}

/// A normal number (finite, non-zero, not subnormal).
fn normal(fmt: FpFmt, v: u64) -> bool {
    let (e, max) = match fmt {
        FpFmt::S => ((v >> 23) & 0xff, 0xff),
        FpFmt::D => ((v >> 52) & 0x7ff, 0x7ff),
    };
    e != 0 && e != max
}

/// The host FPU's result when it is provably SoftFloat's, else `None`.
///
/// With every input a normal number or zero, IEEE 754 arithmetic in round
/// to nearest/even gives one correctly rounded result, which the host (SSE2
/// or AArch64 FP, `f64::mul_add` a correctly rounded fma) and SoftFloat
/// compute alike. When that result is a normal number, the operation raised
/// no NV, DZ, OF or UF (those give NaN, infinity, or a tiny or huge
/// result), so its only possible flag is NX, which `hard_ok` requires to be
/// set already. Everything else (NaN inputs, whose canonical NaN differs
/// from the host's default NaN; zero, infinite or subnormal results) falls
/// back to SoftFloat.
fn hard(op: HardOp, fmt: FpFmt, a: u64, b: u64, c: u64) -> Option<u64> {
    if !plain(fmt, a) || !plain(fmt, b) || !plain(fmt, c) {
        return None;
    }
    let v = match fmt {
        FpFmt::S => {
            let (x, y, z) = (
                f32::from_bits(a as u32),
                f32::from_bits(b as u32),
                f32::from_bits(c as u32),
            );
            let r = match op {
                HardOp::Bin(FpBinOp::Add) => x + y,
                HardOp::Bin(FpBinOp::Sub) => x - y,
                HardOp::Bin(FpBinOp::Mul) => x * y,
                HardOp::Bin(FpBinOp::Div) => x / y,
                HardOp::Bin(_) => return None,
                HardOp::Fma => x.mul_add(y, z),
                HardOp::Sqrt => x.sqrt(),
            };
            r.to_bits() as u64
        }
        FpFmt::D => {
            let (x, y, z) = (f64::from_bits(a), f64::from_bits(b), f64::from_bits(c));
            let r = match op {
                HardOp::Bin(FpBinOp::Add) => x + y,
                HardOp::Bin(FpBinOp::Sub) => x - y,
                HardOp::Bin(FpBinOp::Mul) => x * y,
                HardOp::Bin(FpBinOp::Div) => x / y,
                HardOp::Bin(_) => return None,
                HardOp::Fma => x.mul_add(y, z),
                HardOp::Sqrt => x.sqrt(),
            };
            r.to_bits()
        }
    };
    normal(fmt, v).then_some(v)
}

fn sign_inject(op: FpBinOp, fmt: FpFmt, a: u64, b: u64) -> u64 {
    let s = sign_bit(fmt);
    let sign = match op {
        FpBinOp::Sgnj => b & s,
        FpBinOp::Sgnjn => !b & s,
        _ => (a ^ b) & s,
    };
    (a & !s) | sign
}

fn is_nan(fmt: FpFmt, v: u64) -> bool {
    match fmt {
        FpFmt::S => F32::from_bits(v as u32).is_nan(),
        FpFmt::D => F64::from_bits(v).is_nan(),
    }
}

fn is_snan(fmt: FpFmt, v: u64) -> bool {
    match fmt {
        FpFmt::S => F32::from_bits(v as u32).is_signaling_nan(),
        FpFmt::D => F64::from_bits(v).is_signaling_nan(),
    }
}

/// `fmin`/`fmax`: minimumNumber/maximumNumber of IEEE 754-2019.
fn min_max(max: bool, fmt: FpFmt, a: u64, b: u64) -> (u64, u32) {
    let flags = if is_snan(fmt, a) || is_snan(fmt, b) {
        NV
    } else {
        0
    };
    let v = match (is_nan(fmt, a), is_nan(fmt, b)) {
        (true, true) => match fmt {
            FpFmt::S => CANON_S as u64,
            FpFmt::D => CANON_D,
        },
        (true, false) => b,
        (false, true) => a,
        (false, false) => {
            // Quiet comparison of non-NaNs raises nothing; -0 < +0.
            let a_lt_b = match fmt {
                FpFmt::S => {
                    let (x, y) = (F32::from_bits(a as u32), F32::from_bits(b as u32));
                    x.lt_quiet(y) || (x.is_negative_zero() && y.is_positive_zero())
                }
                FpFmt::D => {
                    let (x, y) = (F64::from_bits(a), F64::from_bits(b));
                    x.lt_quiet(y) || (x.is_negative_zero() && y.is_positive_zero())
                }
            };
            if a_lt_b != max {
                a
            } else {
                b
            }
        }
    };
    (v, flags)
}

/// `fclass`: one bit of ten.
fn classify(fmt: FpFmt, v: u64) -> u64 {
    let (sign, exp_all_ones, exp_zero, frac_zero, quiet) = match fmt {
        FpFmt::S => {
            let v = v as u32;
            (
                v >> 31 != 0,
                (v >> 23) & 0xff == 0xff,
                (v >> 23) & 0xff == 0,
                v & 0x7f_ffff == 0,
                v & 0x40_0000 != 0,
            )
        }
        FpFmt::D => (
            v >> 63 != 0,
            (v >> 52) & 0x7ff == 0x7ff,
            (v >> 52) & 0x7ff == 0,
            v & 0xf_ffff_ffff_ffff == 0,
            v & 0x8_0000_0000_0000 != 0,
        ),
    };
    let bit = match (exp_all_ones, exp_zero, frac_zero) {
        (true, _, true) => {
            if sign {
                0
            } else {
                7
            }
        }
        (true, _, false) => {
            if quiet {
                9
            } else {
                8
            }
        }
        (false, true, true) => {
            if sign {
                3
            } else {
                4
            }
        }
        (false, true, false) => {
            if sign {
                2
            } else {
                5
            }
        }
        (false, false, _) => {
            if sign {
                1
            } else {
                6
            }
        }
    };
    1 << bit
}

/// FP to integer; 32-bit results are sign-extended (also `.wu`).
fn to_int(fmt: FpFmt, int: IntFmt, a: u64, r: Rnd) -> u64 {
    match fmt {
        FpFmt::S => {
            let a = F32::from_bits(a as u32);
            match int {
                IntFmt::W => a.to_i32(r, true) as i64 as u64,
                IntFmt::Wu => a.to_u32(r, true) as i32 as i64 as u64,
                IntFmt::L => a.to_i64(r, true) as u64,
                IntFmt::Lu => a.to_u64(r, true),
            }
        }
        FpFmt::D => {
            let a = F64::from_bits(a);
            match int {
                IntFmt::W => a.to_i32(r, true) as i64 as u64,
                IntFmt::Wu => a.to_u32(r, true) as i32 as i64 as u64,
                IntFmt::L => a.to_i64(r, true) as u64,
                IntFmt::Lu => a.to_u64(r, true),
            }
        }
    }
}

/// Integer to FP; `.w`/`.wu` take the low 32 bits of the register.
fn from_int(fmt: FpFmt, int: IntFmt, a: u64, r: Rnd) -> u64 {
    match fmt {
        FpFmt::S => match int {
            IntFmt::W => F32::from_i32(a as i32, r),
            IntFmt::Wu => F32::from_u32(a as u32, r),
            IntFmt::L => F32::from_i64(a as i64, r),
            IntFmt::Lu => F32::from_u64(a, r),
        }
        .to_bits() as u64,
        FpFmt::D => match int {
            IntFmt::W => F64::from_i32(a as i32, r),
            IntFmt::Wu => F64::from_u32(a as u32, r),
            IntFmt::L => F64::from_i64(a as i64, r),
            IntFmt::Lu => F64::from_u64(a, r),
        }
        .to_bits(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: f64) -> u64 {
        v.to_bits()
    }

    #[test]
    fn one_third_rounds_per_mode_and_flags_inexact() {
        let (rne, f) = arith(FpBinOp::Div, FpFmt::D, d(1.0), d(3.0), Rnd::TiesToEven);
        assert_eq!((rne, f), (0x3fd5_5555_5555_5555, 1));
        let (rup, _) = arith(FpBinOp::Div, FpFmt::D, d(1.0), d(3.0), Rnd::TowardPositive);
        assert_eq!(rup, 0x3fd5_5555_5555_5556);
        let (rtz, _) = arith(
            FpBinOp::Div,
            FpFmt::S,
            0x3f80_0000,
            0x4040_0000,
            Rnd::TowardZero,
        );
        assert_eq!(rtz, 0x3eaa_aaaa);
    }

    #[test]
    fn invalid_operations_give_the_canonical_nan() {
        assert_eq!(
            arith(FpBinOp::Div, FpFmt::S, 0, 0, Rnd::TiesToEven),
            (CANON_S as u64, NV)
        );
        assert_eq!(
            arith(
                FpBinOp::Sub,
                FpFmt::D,
                d(f64::INFINITY),
                d(f64::INFINITY),
                Rnd::TiesToEven
            ),
            (CANON_D, NV)
        );
        // A signalling NaN operand: NV, canonical result (no propagation).
        let snan = 0x7ff0_0000_0000_0001;
        assert_eq!(
            arith(FpBinOp::Add, FpFmt::D, snan, d(1.0), Rnd::TiesToEven),
            (CANON_D, NV)
        );
        assert_eq!(
            arith(FpBinOp::Div, FpFmt::D, d(1.0), 0, Rnd::TiesToEven),
            (d(f64::INFINITY), 8)
        );
    }

    #[test]
    fn min_max_follow_minimum_number() {
        let qnan = 0x7ff8_0000_0000_0001;
        let snan = 0x7ff0_0000_0000_0001;
        assert_eq!(min_max(false, FpFmt::D, qnan, d(2.0)), (d(2.0), 0));
        assert_eq!(min_max(true, FpFmt::D, snan, d(2.0)), (d(2.0), NV));
        assert_eq!(min_max(false, FpFmt::D, qnan, snan), (CANON_D, NV));
        assert_eq!(min_max(false, FpFmt::D, d(0.0), d(-0.0)), (d(-0.0), 0));
        assert_eq!(min_max(true, FpFmt::D, d(-0.0), d(0.0)), (d(0.0), 0));
        assert_eq!(
            min_max(true, FpFmt::S, 0x3f80_0000, 0x4000_0000),
            (0x4000_0000, 0)
        );
    }

    #[test]
    fn conversions_saturate_with_riscv_values() {
        let (v, f) = with_flags(|| to_int(FpFmt::D, IntFmt::W, CANON_D, Rnd::TiesToEven));
        assert_eq!((v, f), (0x7fff_ffff, NV));
        let (v, f) = with_flags(|| to_int(FpFmt::D, IntFmt::Wu, d(-1.0), Rnd::TiesToEven));
        assert_eq!((v, f), (0, NV));
        let (v, f) = with_flags(|| to_int(FpFmt::D, IntFmt::Wu, d(4e9), Rnd::TiesToEven));
        assert_eq!(
            (v, f),
            (0xffff_ffff_ee6b_2800, 0),
            "4e9 fits .wu; sign-extended"
        );
        let (v, f) = with_flags(|| to_int(FpFmt::D, IntFmt::L, d(-1e30), Rnd::TiesToEven));
        assert_eq!((v, f), (i64::MIN as u64, NV));
        let (v, f) = with_flags(|| to_int(FpFmt::S, IntFmt::Lu, 0x7f80_0000, Rnd::TiesToEven));
        assert_eq!((v, f), (u64::MAX, NV));
        let (v, f) = with_flags(|| to_int(FpFmt::D, IntFmt::W, d(2.5), Rnd::TiesToAway));
        assert_eq!((v, f), (3, 1));
    }

    #[test]
    fn classify_covers_all_ten_classes() {
        let cases: [(u64, u32); 10] = [
            (0xfff0_0000_0000_0000, 0),
            (d(-1.0), 1),
            (0x800f_ffff_ffff_ffff, 2),
            (d(-0.0), 3),
            (0, 4),
            (1, 5),
            (d(1.0), 6),
            (0x7ff0_0000_0000_0000, 7),
            (0x7ff0_0000_0000_0001, 8),
            (CANON_D, 9),
        ];
        for (v, bit) in cases {
            assert_eq!(classify(FpFmt::D, v), 1 << bit, "{v:#x}");
        }
        assert_eq!(classify(FpFmt::S, CANON_S as u64), 1 << 9);
        assert_eq!(classify(FpFmt::S, 0x8000_0001), 1 << 2);
    }

    /// The fast path's claim, checked: wherever `hard` answers, SoftFloat
    /// (round to nearest/even) gives the same bits and raises at most NX.
    #[test]
    fn hard_path_is_softfloat() {
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1d);
        // Operands over every exponent range: random bits, small and huge
        // exponents near the overflow and underflow thresholds, and
        // near-cancelling pairs.
        let operand = |fmt: FpFmt, rng: &mut crate::test_rng::XorShift| -> u64 {
            let r = rng.next();
            match (fmt, rng.below(4)) {
                (FpFmt::D, 0) => r,
                (FpFmt::D, 1) => (r & 0x800f_ffff_ffff_ffff) | (rng.below(40) << 52),
                (FpFmt::D, 2) => (r & 0x800f_ffff_ffff_ffff) | ((0x7fe - rng.below(40)) << 52),
                (FpFmt::D, _) => (r & 0x800f_ffff_ffff_ffff) | ((0x3f0 + rng.below(32)) << 52),
                (FpFmt::S, 0) => r & 0xffff_ffff,
                (FpFmt::S, 1) => (r & 0x807f_ffff) | (rng.below(30) << 23),
                (FpFmt::S, 2) => (r & 0x807f_ffff) | ((0xfe - rng.below(30)) << 23),
                (FpFmt::S, _) => (r & 0x807f_ffff) | ((0x78 + rng.below(16)) << 23),
            }
        };
        let ops = [
            HardOp::Bin(FpBinOp::Add),
            HardOp::Bin(FpBinOp::Sub),
            HardOp::Bin(FpBinOp::Mul),
            HardOp::Bin(FpBinOp::Div),
            HardOp::Fma,
            HardOp::Sqrt,
        ];
        let mut answered = 0u32;
        for i in 0..600_000u32 {
            let fmt = if i % 2 == 0 { FpFmt::D } else { FpFmt::S };
            let op = ops[(i / 2) as usize % ops.len()];
            let (a, mut b, c) = (
                operand(fmt, &mut rng),
                operand(fmt, &mut rng),
                operand(fmt, &mut rng),
            );
            if i % 7 == 0 {
                // near cancellation: b close to a
                b = a ^ (rng.below(4) | (sign_bit(fmt) * rng.below(2)));
            }
            let Some(v) = hard(op, fmt, a, b, c) else {
                continue;
            };
            answered += 1;
            let r = Rnd::TiesToEven;
            let (want, flags) = match op {
                HardOp::Bin(o) => arith(o, fmt, a, b, r),
                HardOp::Fma => with_flags(|| match fmt {
                    FpFmt::S => F32::from_bits(a as u32)
                        .fused_mul_add(F32::from_bits(b as u32), F32::from_bits(c as u32), r)
                        .to_bits() as u64,
                    FpFmt::D => F64::from_bits(a)
                        .fused_mul_add(F64::from_bits(b), F64::from_bits(c), r)
                        .to_bits(),
                }),
                HardOp::Sqrt => with_flags(|| match fmt {
                    FpFmt::S => F32::from_bits(a as u32).sqrt(r).to_bits() as u64,
                    FpFmt::D => F64::from_bits(a).sqrt(r).to_bits(),
                }),
            };
            assert_eq!(v, want, "{fmt:?} {a:#x} {b:#x} {c:#x}");
            assert_eq!(
                flags & !1,
                0,
                "{fmt:?} {a:#x} {b:#x} {c:#x}: flags {flags:#x}"
            );
        }
        assert!(
            answered > 300_000,
            "the fast path answered only {answered} cases"
        );
    }

    #[test]
    fn sign_injection_moves_only_the_sign() {
        let s = FpBinOp::Sgnjx;
        assert_eq!(
            sign_inject(s, FpFmt::S, 0xbf80_0000, 0x8000_0000),
            0x3f80_0000
        );
        assert_eq!(
            sign_inject(FpBinOp::Sgnjn, FpFmt::D, d(1.0), d(1.0)),
            d(-1.0)
        );
    }
}

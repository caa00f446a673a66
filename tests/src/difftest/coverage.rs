//! Coverage.

use std::collections::BTreeMap;
use std::fmt;

use frontend_riscv::{decode, FpFmt, Insn, IntFmt, Reg};

use super::block::{BlockSpec, GenConfig};
use super::encoder::Enc;
use super::rng::block_seed;

fn lower(x: impl fmt::Debug) -> String {
    format!("{x:?}").to_lowercase()
}

fn fs(f: FpFmt) -> &'static str {
    match f {
        FpFmt::S => "s",
        FpFmt::D => "d",
    }
}

fn int_name(i: IntFmt) -> &'static str {
    match i {
        IntFmt::W => "w",
        IntFmt::Wu => "wu",
        IntFmt::L => "l",
        IntFmt::Lu => "lu",
    }
}

/// The name of an F/D instruction form ("fadd.s", "fcvt.w.d", "fmv.x.w",
/// "fld"...), `None` for anything else.
fn fp_form(insn: Insn) -> Option<String> {
    Some(match insn {
        Insn::FLoad { fmt, .. } => format!("fl{}", if fmt == FpFmt::S { "w" } else { "d" }),
        Insn::FStore { fmt, .. } => format!("fs{}", if fmt == FpFmt::S { "w" } else { "d" }),
        Insn::FpBin { op, fmt, .. } => format!("f{}.{}", lower(op), fs(fmt)),
        Insn::Fma { op, fmt, .. } => format!("f{}.{}", lower(op), fs(fmt)),
        Insn::Fsqrt { fmt, .. } => format!("fsqrt.{}", fs(fmt)),
        Insn::FpCmp { op, fmt, .. } => format!("f{}.{}", lower(op), fs(fmt)),
        Insn::Fclass { fmt, .. } => format!("fclass.{}", fs(fmt)),
        Insn::FcvtToInt { fmt, int, .. } => format!("fcvt.{}.{}", int_name(int), fs(fmt)),
        Insn::FcvtFromInt { fmt, int, .. } => format!("fcvt.{}.{}", fs(fmt), int_name(int)),
        Insn::FcvtFp { to, from, .. } => format!("fcvt.{}.{}", fs(to), fs(from)),
        Insn::FmvToInt { fmt, .. } => format!("fmv.x.{}", if fmt == FpFmt::S { "w" } else { "d" }),
        Insn::FmvFromInt { fmt, .. } => {
            format!("fmv.{}.x", if fmt == FpFmt::S { "w" } else { "d" })
        }
        _ => return None,
    })
}

/// Whether `e` is an F/D instruction or an access to an FP CSR.
pub fn is_fp(e: Enc) -> bool {
    match decode(e.bits).insn {
        Insn::Csr { csr, .. } | Insn::CsrImm { csr, .. } => (1..=3).contains(&csr),
        insn => fp_form(insn).is_some(),
    }
}

/// A name for the instruction form of `e` ("add", "slli", "amoadd.w",
/// "c.lwsp", "fmadd.d", "fcvt.w.s", "illegal"...), for coverage counts.
/// Accesses to the FP CSRs get the CSR's name ("csrrs fflags").
pub fn form_name(e: Enc) -> String {
    let d = decode(e.bits);
    let base = match d.insn {
        Insn::Op { op, .. } => lower(op),
        Insn::OpImm { op, .. } => format!("{}i", lower(op)),
        Insn::Op32 { op, .. } => format!("{}w", lower(op)),
        Insn::OpImm32 { op, .. } => format!("{}iw", lower(op)),
        Insn::Unary { op, .. } => lower(op),
        Insn::Load { op, .. } => lower(op),
        Insn::Store { op, .. } => lower(op),
        Insn::Branch { op, .. } => format!("b{}", lower(op)),
        Insn::Lr { width, .. } => format!("lr.{}", lower(width)),
        Insn::Sc { width, .. } => format!("sc.{}", lower(width)),
        Insn::Amo { op, width, .. } => format!("amo{}.{}", lower(op), lower(width)),
        Insn::Csr { op, csr, .. } | Insn::CsrImm { op, csr, .. } => {
            let imm = if matches!(d.insn, Insn::CsrImm { .. }) {
                "i"
            } else {
                ""
            };
            let name = format!("csr{}{imm}", lower(op));
            match csr {
                1 => format!("{name} fflags"),
                2 => format!("{name} frm"),
                3 => format!("{name} fcsr"),
                _ => name,
            }
        }
        Insn::Fence { fm: 8, .. } => "fence.tso".into(),
        Insn::Fence { .. } => "fence".into(),
        Insn::FenceI => "fence.i".into(),
        Insn::SfenceVma { .. } => "sfence.vma".into(),
        Insn::Illegal => "illegal".into(),
        Insn::Lui { .. }
        | Insn::Auipc { .. }
        | Insn::Jal { .. }
        | Insn::Jalr { .. }
        | Insn::Ecall
        | Insn::Ebreak
        | Insn::Mret
        | Insn::Sret
        | Insn::Wfi => {
            let s = lower(d.insn);
            s.split([' ', '{']).next().unwrap_or("").to_string()
        }
        insn => fp_form(insn).unwrap_or_else(|| lower(insn)),
    };
    if d.len == 4 {
        return base;
    }
    // Compressed: name the RVC form itself.
    let (q, f3) = (e.bits & 3, e.bits >> 13 & 7);
    let name = match (q, f3, d.insn) {
        (_, _, Insn::Illegal) => "illegal".to_string(),
        (0, 0, _) => "addi4spn".into(),
        (1, 0, _) => "addi".into(),
        (1, 2, _) => "li".into(),
        (1, 3, Insn::Lui { .. }) => "lui".into(),
        (1, 3, _) => "addi16sp".into(),
        (1, 5, _) => "j".into(),
        (1, 6, _) => "beqz".into(),
        (1, 7, _) => "bnez".into(),
        (2, 0, _) => "slli".into(),
        (2, 2, _) => "lwsp".into(),
        (2, 3, _) => "ldsp".into(),
        (2, 6, _) => "swsp".into(),
        (2, 7, _) => "sdsp".into(),
        (2, 1, _) => "fldsp".into(),
        (2, 5, _) => "fsdsp".into(),
        (2, 4, Insn::Jalr { rd: Reg::ZERO, .. }) => "jr".into(),
        (2, 4, Insn::Jalr { .. }) => "jalr".into(),
        (2, 4, Insn::Op { rs1: Reg::ZERO, .. }) => "mv".into(),
        _ => base,
    };
    format!("c.{name}")
}

/// How often each instruction form occurs in `blocks` generated blocks.
pub fn coverage(seed: u64, blocks: u64, gen: &GenConfig) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for i in 0..blocks {
        let asm = BlockSpec::generate(block_seed(seed, i), gen).assemble();
        for l in &asm.lines[..asm.lines.len() - 2] {
            *m.entry(form_name(l.enc)).or_default() += 1;
        }
    }
    m
}

//! Tier-up in the tiered engine: a block that tier 0 keeps entering from
//! compiled code must be counted, and compiled, like any other.

use frontend_riscv::{AluOp, BranchOp, Insn, Reg, StoreOp};
use runtime::loader::{Image, Segment};
use runtime::{Config, Engine, Machine, RunExit};
use rvdbt_tests::difftest::Enc;

const A: u64 = 0x8000_0000;
/// On the next page: never in A's region, so it is reached from A's code
/// through the dispatcher and tier 0, every iteration.
const B: u64 = 0x8000_1000;
const ITERATIONS: i64 = 2000;
const THRESHOLD: u16 = 16;

fn code(insns: &[Insn]) -> Vec<u8> {
    insns
        .iter()
        .flat_map(|&i| Enc::of(i).bits.to_le_bytes())
        .collect()
}

fn addi(rd: u8, rs1: u8, imm: i64) -> Insn {
    Insn::OpImm {
        op: AluOp::Add,
        rd: Reg(rd),
        rs1: Reg(rs1),
        imm,
    }
}

/// `*(u32 *)0x10_0000 = 0x5555`: the test finisher's pass code, then spin.
fn pass() -> [Insn; 5] {
    let (a0, a1) = (10, 11);
    [
        Insn::Lui {
            rd: Reg(a0),
            imm: 0x10_0000,
        },
        Insn::Lui {
            rd: Reg(a1),
            imm: 0x5000,
        },
        addi(a1, a1, 0x555),
        Insn::Store {
            op: StoreOp::Sw,
            rs1: Reg(a0),
            rs2: Reg(a1),
            offset: 0,
        },
        Insn::Jal {
            rd: Reg(0),
            offset: 0,
        },
    ]
}

/// `t0 = ITERATIONS; loop: t0 -= 1; if t0 == 0 exit; if t0 % 4 != 0 goto
/// loop; t1 += 1 (on page B); goto loop`, then the test finisher's pass
/// code. The loop turns hot (and is compiled) four times faster than B,
/// which from then on is entered only from compiled code.
fn image() -> Image {
    let (t0, t1, t2) = (5, 6, 7);
    let page_a = code(
        &[
            addi(t0, 0, ITERATIONS),
            // 0x04: loop
            addi(t0, t0, -1),
            Insn::Branch {
                op: BranchOp::Eq,
                rs1: Reg(t0),
                rs2: Reg(0),
                offset: 16,
            },
            Insn::OpImm {
                op: AluOp::And,
                rd: Reg(t2),
                rs1: Reg(t0),
                imm: 3,
            },
            Insn::Branch {
                op: BranchOp::Ne,
                rs1: Reg(t2),
                rs2: Reg(0),
                offset: -12,
            },
            Insn::Jal {
                rd: Reg(0),
                offset: (B - (A + 0x14)) as i64,
            },
            // 0x18: done
        ]
        .into_iter()
        .chain(pass())
        .collect::<Vec<_>>(),
    );
    let page_b = code(&[
        addi(t1, t1, 1),
        Insn::Jal {
            rd: Reg(0),
            offset: (A + 4) as i64 - (B + 4) as i64,
        },
    ]);
    Image {
        entry: A,
        segments: vec![Segment::new(A, page_a), Segment::new(B, page_b)],
        tohost: None,
        fromhost: None,
    }
}

#[test]
fn a_block_entered_from_compiled_code_tiers_up() {
    let mut cfg = Config::new("tier-up");
    cfg.engine = Engine::Tiered;
    let mut m = Machine::from_image(&cfg, image(), Box::new(std::io::sink())).expect("builds");
    let jit = m.jit.as_mut().expect("the tiered engine has a JIT");
    jit.set_tier_threshold(THRESHOLD);
    // Compiles wait for the worker: what is counted is compiled at once.
    jit.set_sync_tier_up(true);
    let exit = m.run(Some(1_000_000));
    assert_eq!(exit, Some(RunExit::Exited(0)));
    assert_eq!(
        m.hart.state.x[6],
        (ITERATIONS as u64 - 1) / 4,
        "t1: B's runs"
    );
    let s = &m.jit.as_ref().expect("a JIT").stats;
    let total = s.interp_insns + s.jit_insns;
    println!("interpreted {} of {total} instructions", s.interp_insns);
    // The loop is compiled after THRESHOLD iterations (5 instructions
    // each), B after THRESHOLD runs of its own, 2 instructions each, plus
    // the loop's exits into B before B is hot: 120 instructions. Left
    // uncounted, B stays in tier 0: 600.
    assert!(
        s.interp_insns < 20 * THRESHOLD as u64,
        "{} of {total} instructions interpreted: a block stayed in tier 0",
        s.interp_insns
    );
}

/// `f` (page F) loops 15 times per call; the caller (page A) calls it
/// CALLS times. For the first PHASE_1 calls the loop takes arm C, then arm
/// B: the loop's region, formed during the first phase, leaves through
/// its exit to B once per call after that.
const F: u64 = 0x8000_1000;
const CALLS: u64 = 0x14000;
const PHASE_2_BELOW: u64 = 0xf000;

fn phased_image() -> Image {
    let (ra, t0, t1, t2, s0, t3) = (1, 5, 6, 7, 8, 28);
    let branch = |op, rs1: u8, rs2: u8, offset| Insn::Branch {
        op,
        rs1: Reg(rs1),
        rs2: Reg(rs2),
        offset,
    };
    let jal = |rd: u8, offset| Insn::Jal {
        rd: Reg(rd),
        offset,
    };
    let page_a = code(
        &[
            Insn::Lui {
                rd: Reg(s0),
                imm: CALLS as i64,
            },
            Insn::Lui {
                rd: Reg(t3),
                imm: PHASE_2_BELOW as i64,
            },
            // 0x08: outer
            jal(ra, (F - (A + 8)) as i64),
            addi(s0, s0, -1),
            branch(BranchOp::Ne, s0, 0, -8),
        ]
        .into_iter()
        .chain(pass())
        .collect::<Vec<_>>(),
    );
    let page_f = code(&[
        addi(t0, 0, 16),
        // 0x04: loop
        addi(t0, t0, -1),
        branch(BranchOp::Eq, t0, 0, 24),
        branch(BranchOp::Lt, s0, t3, 12),
        // 0x10: C
        addi(t1, t1, 1),
        jal(0, -16),
        // 0x18: B
        addi(t2, t2, 1),
        jal(0, -24),
        // 0x20: return
        Insn::Jalr {
            rd: Reg(0),
            rs1: Reg(ra),
            offset: 0,
        },
    ]);
    Image {
        entry: A,
        segments: vec![Segment::new(A, page_a), Segment::new(F, page_f)],
        tohost: None,
        fromhost: None,
    }
}

#[test]
fn a_region_whose_exit_turns_hot_is_formed_again_over_it() {
    let mut cfg = Config::new("re-formation");
    cfg.engine = Engine::Tiered;
    let mut m =
        Machine::from_image(&cfg, phased_image(), Box::new(std::io::sink())).expect("builds");
    let jit = m.jit.as_mut().expect("the tiered engine has a JIT");
    jit.set_sync_tier_up(true);
    let exit = m.run(Some(100_000_000));
    assert_eq!(exit, Some(RunExit::Exited(0)));
    let phase_1 = CALLS - PHASE_2_BELOW + 1;
    let phase_2 = CALLS - phase_1;
    let x = &m.hart.state.x;
    assert_eq!((x[6], x[7]), (15 * phase_1, 15 * phase_2), "t1, t2");
    let s = &m.jit.as_ref().expect("a JIT").stats;
    println!(
        "{} regions, {} re-formed, {} TB runs from the dispatcher",
        s.regions, s.reformed_regions, s.tb_runs
    );
    assert_eq!(s.reformed_regions, 1, "the loop's region takes B in");
}

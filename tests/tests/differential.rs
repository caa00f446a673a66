//! Lockstep differential tests: every engine runs the same random instruction blocks as the reference interpreter and must end in the same state.
//!
//! `RVDBT_DIFF_BLOCKS` sets how many blocks the main test runs (default
//! [`DEFAULT_BLOCKS`]), `RVDBT_DIFF_JIT_BLOCKS` how many the JIT test runs
//! and `RVDBT_DIFF_SEED` their seed; long runs use the `difftest` binary
//! (`cargo run --release -p rvdbt-tests --example difftest -- --help`).

use runtime::{Engine, RunExit};
use rvdbt_tests::difftest::{
    self, block_seed, coverage, engine_runners, form_name, run_all, run_campaign, BlockSpec,
    Campaign, Divergence, EngineRunner, GenConfig, Init, InitCsrs, Item, MutantRunner, Mutation,
    Runner, HANDLER_DONE,
};

/// The engines under test; the first is the reference every other one is
/// compared with, on everything including the number of instructions
/// executed. A new engine is one more entry here.
const ENGINES: &[Engine] = &[Engine::Reference, Engine::Interp, Engine::Tiered];

/// Blocks the main test runs unless `RVDBT_DIFF_BLOCKS` says otherwise.
const DEFAULT_BLOCKS: u64 = 100_000;

/// Engines compared the same way on fewer blocks: the JIT compiles every
/// block it runs (about 1000 blocks/s in the test profile, so this test
/// takes about two minutes).
const SLOW_ENGINES: &[Engine] = &[Engine::Reference, Engine::Jit];

/// Blocks for [`SLOW_ENGINES`] (override with `RVDBT_DIFF_JIT_BLOCKS`).
const SLOW_BLOCKS: u64 = 100_000;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        Err(_) => default,
    }
}

#[test]
fn engines_agree_on_random_blocks() {
    let blocks = env_u64("RVDBT_DIFF_BLOCKS", DEFAULT_BLOCKS);
    let seed = env_u64("RVDBT_DIFF_SEED", 0x5eed);
    let mut runners = engine_runners(ENGINES);
    let campaign = Campaign::new(seed, blocks);
    match run_campaign(&mut runners, &campaign, &mut |_| {}) {
        Ok(stats) => {
            eprintln!("{stats}");
            assert_eq!(stats.blocks, blocks);
            // Most blocks must run to their end or to an intended trap,
            // not stop at the first instruction.
            assert!(
                stats.insns >= 8 * stats.blocks || blocks < 100,
                "blocks are too short: {stats}"
            );
        }
        Err(d) => panic!("{d}"),
    }
}

/// Blocks run with RAM behind permissive WorldGuard checkers.
const GUARDED_BLOCKS: u64 = 20_000;

#[test]
fn engines_agree_behind_a_permissive_checker() {
    let blocks = env_u64("RVDBT_DIFF_GUARDED_BLOCKS", GUARDED_BLOCKS);
    let seed = env_u64("RVDBT_DIFF_SEED", 0x5eed) ^ 0x1001;
    let mut runners: Vec<Box<dyn Runner>> = vec![
        Box::new(EngineRunner::new(Engine::Reference)),
        Box::new(EngineRunner::guarded(Engine::Interp)),
        Box::new(EngineRunner::guarded(Engine::Jit)),
    ];
    let campaign = Campaign::new(seed, blocks);
    match run_campaign(&mut runners, &campaign, &mut |_| {}) {
        Ok(stats) => {
            eprintln!("{stats}");
            assert_eq!(stats.blocks, blocks);
            for r in &runners[1..] {
                let c = r.counters().unwrap_or_default();
                eprintln!("{}: {c}", r.name());
                assert!(r.name().ends_with("+guarded"), "{}", r.name());
                assert!(c.contains("patched"), "{}: no IOMMU path: {c}", r.name());
                assert!(
                    !c.contains("patched 0"),
                    "{}: nothing patched: {c}",
                    r.name()
                );
            }
        }
        Err(d) => panic!("{d}"),
    }
}

#[test]
fn jit_agrees_on_random_blocks() {
    let blocks = env_u64("RVDBT_DIFF_JIT_BLOCKS", SLOW_BLOCKS);
    let seed = env_u64("RVDBT_DIFF_SEED", 0x5eed);
    let mut runners = engine_runners(SLOW_ENGINES);
    match run_campaign(&mut runners, &Campaign::new(seed, blocks), &mut |_| {}) {
        Ok(stats) => {
            eprintln!("{stats}");
            assert_eq!(stats.blocks, blocks);
        }
        Err(d) => panic!("{d}"),
    }
}

/// Blocks for [`jit_compiles_every_block_and_agrees`] (override with
/// `RVDBT_DIFF_FRESH_JIT_BLOCKS`).
const FRESH_JIT_BLOCKS: u64 = 40_000;

/// The harness rewrites its code pages for every block, so the JIT's SMC
/// back-off soon interprets them (`jit_agrees_on_random_blocks` then mostly
/// compares loops that got hot). Here the JIT gets a fresh engine every 4
/// blocks and compiles every block, F/D and bit manipulation included.
#[test]
fn jit_compiles_every_block_and_agrees() {
    let blocks = env_u64("RVDBT_DIFF_FRESH_JIT_BLOCKS", FRESH_JIT_BLOCKS);
    let seed = env_u64("RVDBT_DIFF_SEED", 0x5eed) ^ 0xf7e5;
    let mut jit = EngineRunner::new(Engine::Jit);
    jit.fresh_jit = 4;
    let mut runners: Vec<Box<dyn Runner>> = vec![
        Box::new(EngineRunner::new(Engine::Reference)),
        Box::new(jit),
    ];
    match run_campaign(&mut runners, &Campaign::new(seed, blocks), &mut |_| {}) {
        Ok(stats) => {
            eprintln!("{stats}");
            assert_eq!(stats.blocks, blocks);
        }
        Err(d) => panic!("{d}"),
    }
}

/// Blocks for [`regions_agree_on_random_blocks`] (override with
/// `RVDBT_DIFF_REGION_BLOCKS`).
const REGION_BLOCKS: u64 = 100_000;

/// Region-shaped: the tiered engine compiles every block that runs twice
/// (loop bodies, the code after them, jump targets) as a region, at once,
/// so loops with branches, forward jumps, indirect jumps, memory traffic and
/// traps run as one function per region against the reference.
#[test]
fn regions_agree_on_random_blocks() {
    let blocks = env_u64("RVDBT_DIFF_REGION_BLOCKS", REGION_BLOCKS);
    let seed = env_u64("RVDBT_DIFF_SEED", 0x5eed) ^ 0x7e61;
    let mut runners: Vec<Box<dyn Runner>> = vec![
        Box::new(EngineRunner::new(Engine::Reference)),
        Box::new(EngineRunner::regions()),
    ];
    let mut campaign = Campaign::new(seed, blocks);
    campaign.gen.region_shaped = true;
    match run_campaign(&mut runners, &campaign, &mut |_| {}) {
        Ok(stats) => {
            eprintln!("{stats}");
            assert_eq!(stats.blocks, blocks);
            let counters = runners[1].counters().unwrap_or_default();
            eprintln!("{counters}");
            // Regions must have formed, or this test tests nothing new.
            let regions: u64 = counters
                .split("regions: ")
                .nth(1)
                .and_then(|r| r.split([',', ' ']).next())
                .and_then(|n| n.parse().ok())
                .expect("the tiered engine's counters name its regions");
            assert!(regions >= blocks / 10, "too few regions: {counters}");
        }
        Err(d) => panic!("{d}"),
    }
}

/// Runs the reference against a deliberately broken engine until they
/// disagree, and returns the (shrunk) divergence.
fn catch(mutation: Mutation) -> Box<Divergence> {
    let mut runners: Vec<Box<dyn Runner>> = vec![
        Box::new(EngineRunner::new(Engine::Reference)),
        Box::new(MutantRunner::new(mutation)),
    ];
    let campaign = Campaign::new(0xbad, 20_000);
    match run_campaign(&mut runners, &campaign, &mut |_| {}) {
        Ok(stats) => panic!("the harness missed the {mutation:?} bug: {stats}"),
        Err(d) => d,
    }
}

/// The forms of the shrunk block's instructions.
fn shrunk_forms(d: &Divergence) -> Vec<String> {
    let asm = d.shrunk.assemble();
    asm.lines[..asm.lines.len() - 2]
        .iter()
        .map(|l| form_name(l.enc))
        .collect()
}

#[test]
fn harness_catches_a_wrong_shift_and_shrinks_it_to_one_instruction() {
    let d = catch(Mutation::Sll);
    assert_eq!(shrunk_forms(&d), ["sll"], "{d}");
    assert!(
        d.report.contains("mutant-sll differs from reference"),
        "{d}"
    );
}

#[test]
fn harness_catches_a_wrong_byte_store() {
    let d = catch(Mutation::Sb);
    assert_eq!(shrunk_forms(&d), ["sb"], "{d}");
    assert!(d.report.contains("memory 0x"), "{d}");
}

#[test]
fn harness_catches_a_wrong_trap_value() {
    let d = catch(Mutation::Tval);
    // One item, or two when the instruction is only illegal after a
    // privilege drop (e.g. `sret` to U mode, then an M-mode CSR).
    assert!(d.shrunk.items.len() <= 2, "{d}");
    assert!(d.report.contains("mtval: reference"), "{d}");
}

#[test]
fn an_empty_block_ends_in_the_handler_through_its_ecall() {
    let spec = BlockSpec {
        seed: 0,
        items: Vec::new(),
        init: Init {
            x: [7; 32],
            f: [0; 32],
            fcsr: 0,
            prv: runtime::hart::Priv::M,
            csrs: InitCsrs::default(),
            code_off: 0,
            data: None,
            bases: Vec::new(),
        },
    };
    let asm = spec.assemble();
    let mut runners = engine_runners(ENGINES);
    let snaps = run_all(&mut runners, &asm);
    for s in &snaps {
        assert_eq!(s.exit, Some(RunExit::Exited(0)));
        assert_eq!(s.pc(), HANDLER_DONE);
        assert_eq!(s.csr("mcause"), 11);
        assert_eq!(s.csr("mepc"), asm.end);
        // The handler saved t0/t1 before using them.
        assert_eq!((s.x(5), s.x(6)), (7, 7));
        // ecall plus the handler's six instructions.
        assert_eq!(s.insns, 7);
    }
    for s in &snaps[1..] {
        assert_eq!(s, &snaps[0]);
    }
}

#[test]
fn encoder_matches_known_encodings() {
    use frontend_riscv::{AluOp, Insn, LoadOp, Reg};
    let (a0, a1, a2) = (Reg(10), Reg(11), Reg(12));
    let cases = [
        (
            Insn::Op {
                op: AluOp::Add,
                rd: a0,
                rs1: a1,
                rs2: a2,
            },
            0x00c5_8533,
        ),
        (
            Insn::OpImm {
                op: AluOp::Add,
                rd: Reg::SP,
                rs1: Reg::SP,
                imm: -16,
            },
            0xff01_0113,
        ),
        (
            Insn::Load {
                op: LoadOp::Ld,
                rd: Reg::RA,
                rs1: Reg::SP,
                offset: 8,
            },
            0x0081_3083,
        ),
        (
            Insn::Jal {
                rd: Reg::RA,
                offset: 0,
            },
            0x0000_00ef,
        ),
        (
            Insn::OpImm {
                op: AluOp::Sra,
                rd: a0,
                rs1: a0,
                imm: 63,
            },
            0x43f5_5513,
        ),
    ];
    for (insn, bits) in cases {
        assert_eq!(difftest::encode(&insn), Some(bits), "{insn:?}");
        assert_eq!(difftest::Enc::of(insn).bits, bits);
    }
}

/// Generating and assembling checks every encoding against the decoder
/// (`Enc::of`, `Enc::c` and `Enc::illegal` panic on a mismatch).
#[test]
fn generated_blocks_assemble_and_decode_as_intended() {
    let gen = GenConfig::default();
    for i in 0..3000 {
        let spec = BlockSpec::generate(block_seed(1, i), &gen);
        let asm = spec.assemble();
        assert!(asm.end > asm.pc || spec.items.is_empty());
        let again = BlockSpec::generate(block_seed(1, i), &gen);
        assert_eq!(spec, again, "generation is not deterministic");
    }
}

#[test]
fn generator_covers_the_instruction_set() {
    let seen = coverage(2, 4000, &GenConfig::default());
    let mut missing = Vec::new();
    let ops = [
        "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "mul", "mulh",
        "mulhsu", "mulhu", "div", "divu", "rem", "remu",
    ];
    let mut wanted: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
    for op in [
        "add", "slt", "sltu", "xor", "or", "and", "sll", "srl", "sra",
    ] {
        wanted.push(format!("{op}i"));
    }
    for op in [
        "add", "sub", "sll", "srl", "sra", "mul", "div", "divu", "rem", "remu",
    ] {
        wanted.push(format!("{op}w"));
    }
    for op in ["add", "sll", "srl", "sra"] {
        wanted.push(format!("{op}iw"));
    }
    // Zba, Zbb, Zbs, Zicond.
    for op in [
        "sh1add", "sh2add", "sh3add", "adduw", "sh1adduw", "sh2adduw", "sh3adduw", "andn", "orn",
        "xnor", "max", "maxu", "min", "minu", "rol", "ror", "bclr", "bext", "binv", "bset",
        "czeroeqz", "czeronez", "clz", "clzw", "ctz", "ctzw", "cpop", "cpopw", "sextb", "sexth",
        "zexth", "orcb", "rev8", "rori", "slluwi", "bclri", "bexti", "binvi", "bseti", "rolw",
        "rorw", "roriw",
    ] {
        wanted.push(op.to_string());
    }
    for w in ["w", "d"] {
        wanted.push(format!("lr.{w}"));
        wanted.push(format!("sc.{w}"));
        for op in [
            "swap", "add", "xor", "and", "or", "min", "max", "minu", "maxu",
        ] {
            wanted.push(format!("amo{op}.{w}"));
        }
    }
    for csr in ["csrrw", "csrrs", "csrrc"] {
        wanted.push(csr.to_string());
        wanted.push(format!("{csr}i"));
        for fcsr in ["fflags", "frm", "fcsr"] {
            wanted.push(format!("{csr} {fcsr}"));
            wanted.push(format!("{csr}i {fcsr}"));
        }
    }
    // F and D: every operation in both formats, every conversion.
    for f in ["s", "d"] {
        for op in [
            "add", "sub", "mul", "div", "sqrt", "madd", "msub", "nmsub", "nmadd", "sgnj", "sgnjn",
            "sgnjx", "min", "max", "eq", "lt", "le", "class",
        ] {
            wanted.push(format!("f{op}.{f}"));
        }
        for i in ["w", "wu", "l", "lu"] {
            wanted.push(format!("fcvt.{i}.{f}"));
            wanted.push(format!("fcvt.{f}.{i}"));
        }
    }
    for form in [
        "fcvt.s.d", "fcvt.d.s", "fmv.x.w", "fmv.x.d", "fmv.w.x", "fmv.d.x", "flw", "fld", "fsw",
        "fsd", "c.fld", "c.fsd", "c.fldsp", "c.fsdsp",
    ] {
        wanted.push(form.to_string());
    }
    let other = [
        "lui",
        "auipc",
        "jal",
        "jalr",
        "lb",
        "lh",
        "lw",
        "ld",
        "lbu",
        "lhu",
        "lwu",
        "sb",
        "sh",
        "sw",
        "sd",
        "beq",
        "bne",
        "blt",
        "bge",
        "bltu",
        "bgeu",
        "fence",
        "fence.tso",
        "fence.i",
        "sfence.vma",
        "ecall",
        "ebreak",
        "mret",
        "sret",
        "wfi",
        "illegal",
        "c.addi",
        "c.li",
        "c.lui",
        "c.addiw",
        "c.addi16sp",
        "c.addi4spn",
        "c.slli",
        "c.srli",
        "c.srai",
        "c.andi",
        "c.sub",
        "c.xor",
        "c.or",
        "c.and",
        "c.subw",
        "c.addw",
        "c.mv",
        "c.add",
        "c.lw",
        "c.ld",
        "c.sw",
        "c.sd",
        "c.lwsp",
        "c.ldsp",
        "c.swsp",
        "c.sdsp",
        "c.j",
        "c.jr",
        "c.jalr",
        "c.beqz",
        "c.bnez",
        "c.ebreak",
        "c.illegal",
    ];
    wanted.extend(other.iter().map(|s| s.to_string()));
    for w in &wanted {
        if !seen.contains_key(w) {
            missing.push(w.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "never generated: {missing:?}\nseen: {seen:?}"
    );
    // Loops and self-modifying code are items, not instruction forms.
    let gen = GenConfig::default();
    let (mut loops, mut smc) = (0, 0);
    for i in 0..2000 {
        for it in BlockSpec::generate(block_seed(3, i), &gen).items {
            match it {
                Item::Loop { .. } => loops += 1,
                Item::Smc { .. } => smc += 1,
                _ => {}
            }
        }
    }
    assert!(loops > 100 && smc > 50, "loops {loops}, smc {smc}");
}

/// Regression test for a bug this harness found: an access to the last
/// 4 KiB page of the address space (here `ld a0, -8(zero)`, address
/// 0xffff_ffff_ffff_fff8, in M mode) panicked the host in debug builds
/// because the PMP page check computed `page + 0x1000` in `u64`. It must be
/// an access fault (cause 5) in every engine.
#[test]
fn access_to_the_last_page_of_the_address_space_is_an_access_fault() {
    use frontend_riscv::{Insn, LoadOp, Reg};
    let ld = difftest::Enc::of(Insn::Load {
        op: LoadOp::Ld,
        rd: Reg(10),
        rs1: Reg::ZERO,
        offset: -8,
    });
    let spec = BlockSpec {
        seed: 0,
        items: vec![Item::Insn(ld)],
        init: Init {
            x: [0; 32],
            f: [0; 32],
            fcsr: 0,
            prv: runtime::hart::Priv::M,
            csrs: InitCsrs::default(),
            code_off: 0,
            data: None,
            bases: Vec::new(),
        },
    };
    let asm = spec.assemble();
    let snaps = run_all(&mut engine_runners(ENGINES), &asm);
    for s in &snaps {
        assert_eq!(s.panic, None);
        assert_eq!(s.csr("mcause"), 5, "load access fault");
        assert_eq!(s.csr("mtval"), 0xffff_ffff_ffff_fff8);
    }
}

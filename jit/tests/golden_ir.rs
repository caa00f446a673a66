//! Golden files of the CLIF the translator emits for one load and one store of each size.
//!
//! Any change to the inline TLB fast path shows up here in review. To accept
//! an intended change, run `RVDBT_BLESS=1 cargo test -p jit --test golden_ir`
//! and commit the updated files under `jit/tests/golden/`.

use std::path::PathBuf;

use frontend_riscv::decode;
use jit::cache::{CodeCache, JitOptions};
use jit::translate::{GuestBlock, TbSource};
use softmmu::GuestVirtAddr;

/// (file name, encoding): `op a0, -8(a1)` loads and `op a2, 16(a1)` stores.
const CASES: [(&str, u32); 11] = [
    ("lb", 0xff85_8503),
    ("lh", 0xff85_9503),
    ("lw", 0xff85_a503),
    ("ld", 0xff85_b503),
    ("lbu", 0xff85_c503),
    ("lhu", 0xff85_d503),
    ("lwu", 0xff85_e503),
    ("sb", 0x00c5_8823),
    ("sh", 0x00c5_9823),
    ("sw", 0x00c5_a823),
    ("sd", 0x00c5_b823),
];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn load_and_store_ir_matches_golden_files() {
    let mut cache = CodeCache::new(JitOptions::default()).expect("host ISA");
    let bless = std::env::var_os("RVDBT_BLESS").is_some();
    let mut mismatches = Vec::new();
    for (name, raw) in CASES {
        let src = TbSource {
            pc: GuestVirtAddr(0x8000_1000),
            insns: vec![decode(raw)],
            data_idx: 1,
            fetch_idx: 1,
            cells: [0x1000, 0x1008],
            fp_dirty: false,
            more: Vec::new(),
            prof: None,
            exits: None,
        };
        let clif = cache.clif(&src);
        // Every TB of one access has the fast path and the helper call.
        assert!(
            clif.contains("; guest 0x80001000:"),
            "{name}: annotated with pc and disassembly"
        );
        assert!(
            clif.contains("call_indirect"),
            "{name}: slow path calls a helper"
        );
        // It must also compile.
        cache
            .compile(&src)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = golden_dir().join(format!("{name}.clif"));
        if bless {
            std::fs::write(&path, &clif).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == clif => {}
            Ok(_) => mismatches.push(format!("{name}: differs from {}\n{clif}", path.display())),
            Err(e) => mismatches.push(format!("{name}: {}: {e}", path.display())),
        }
    }
    assert!(
        mismatches.is_empty(),
        "IR changed (RVDBT_BLESS=1 to accept):\n{}",
        mismatches.join("\n")
    );
}

/// The host code of `ld a0, -8(a1)` on x86-64, fast path first: at most
/// 8 instructions from the guest address to the host access (the issue's
/// target for the inline TLB path; QEMU's pre-scaled mask saves the shift).
#[test]
#[cfg(target_arch = "x86_64")]
fn load_fast_path_host_code_matches_golden_file() {
    // A fixed ISA (x86-64 baseline plus BMI2, whose `rorx` computes the
    // TLB index without copying the address), whatever the checking host.
    let opts = JitOptions {
        isa_features: Some(&["has_bmi2"]),
        ..JitOptions::default()
    };
    let mut cache = CodeCache::new(opts).expect("host ISA");
    let src = TbSource {
        pc: GuestVirtAddr(0x8000_1000),
        insns: vec![decode(0xff85_b503)],
        data_idx: 1,
        fetch_idx: 1,
        cells: [0x1000, 0x1008],
        fp_dirty: false,
        more: Vec::new(),
        prof: None,
        exits: None,
    };
    let asm = cache.host_disasm(&src).expect("compiles");
    let path = golden_dir().join("ld.x64.s");
    if std::env::var_os("RVDBT_BLESS").is_some() {
        std::fs::write(&path, &asm).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(asm, want, "host code changed (RVDBT_BLESS=1 to accept)");
    // The hit path, from the guest address (`leaq -8(%rax), %r9`) to the
    // access: the TLB sequence up to its branch, then the hit block up to
    // the load. Register-to-register moves the allocator puts on the hit
    // edge (keeping ctx and the budget in callee-saved registers for the
    // slow path's call) are not part of the sequence and are listed apart.
    let lines: Vec<&str> = asm.lines().map(str::trim).collect();
    let from = lines
        .iter()
        .position(|l| l.starts_with("leaq -8(%rax)"))
        .expect("the address computation");
    let branch = from
        + lines[from..]
            .iter()
            .position(|l| l.starts_with("jz"))
            .unwrap();
    let hit = lines[branch]
        .split_whitespace()
        .nth(1)
        .and_then(|l| l.strip_prefix("label"))
        .and_then(|l| l.trim_end_matches(';').parse::<usize>().ok())
        .expect("the hit label");
    let hit_block = format!("block{hit}:");
    let start = lines
        .iter()
        .position(|l| *l == hit_block)
        .expect("hit block")
        + 1;
    let access = start
        + lines[start..]
            .iter()
            .position(|l| l.contains("-8(%rax, "))
            .expect("the access");
    let is_move = |l: &&str| {
        l.starts_with("movq %") && l.split(", ").nth(1).is_some_and(|d| d.starts_with('%'))
    };
    let tlb: Vec<&str> = lines[from + 1..=branch]
        .iter()
        .chain(lines[start..access].iter().filter(|l| !is_move(l)))
        .copied()
        .collect();
    assert!(
        tlb.len() <= 8,
        "{} host instructions before the access: {tlb:#?}",
        tlb.len()
    );
    assert!(tlb.iter().any(|l| l.starts_with("rorx")), "{tlb:#?}");
}

/// A region with a loop: the entry block adds and branches forward to a
/// second block, which jumps back to the entry. The back edge is a jump
/// inside the function (no exit, no reload): each guest register is
/// loaded from `CpuState` once, at entry, and lives in SSA values around
/// the loop; the budget is checked at each block's head.
#[test]
fn region_with_a_loop_matches_golden_file() {
    let mut cache = CodeCache::new(JitOptions::default()).expect("host ISA");
    let src = TbSource {
        pc: GuestVirtAddr(0x8000_1000),
        insns: vec![
            decode(0x00c5_0533), // add a0, a0, a2
            decode(0x00b5_4663), // blt a0, a1, 0x80001010
            decode(0x0000_8067), // ret
        ],
        data_idx: 1,
        fetch_idx: 1,
        cells: [0, 0],
        fp_dirty: false,
        more: vec![GuestBlock {
            pc: 0x8000_1010,
            insns: vec![
                decode(0x0016_0613), // addi a2, a2, 1
                decode(0xfedf_f06f), // j 0x80001000
            ],
        }],
        prof: None,
        exits: None,
    };
    let clif = cache.clif(&src);
    assert!(clif.contains("; guest 0x80001010: add a2,a2,1"), "{clif}");
    assert!(clif.contains("; guest 0x80001014: j 80001000"), "{clif}");
    // a0 (x10), a1 (x11), a2 (x12) are read from CpuState once each.
    for off in [80, 88, 96] {
        let loads = clif
            .matches(&format!("load.i64 notrap aligned v1+{off}\n"))
            .count();
        assert_eq!(loads, 1, "x{} loaded {loads} times:\n{clif}", off / 8);
    }
    cache.compile(&src).expect("compiles");
    let path = golden_dir().join("region_loop.clif");
    if std::env::var_os("RVDBT_BLESS").is_some() {
        std::fs::write(&path, &clif).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(clif, want, "IR changed (RVDBT_BLESS=1 to accept)");
}

/// `--profile` compiles counters into the code; without it there are
/// none. The same `ld a0, -8(a1)` as `ld.clif`, with counters at fixed
/// addresses: the block entry bumps `counters[0]`, the fast path bumps
/// `counters[1]` (hits of instruction 0) and the page's read counter
/// (`pages + ((host - ram_host) >> 12) * 16`), an exit after the slow
/// path's helper bumps `counters[2]`. The plain golden files hold no such
/// constant.
#[test]
fn profiled_load_counts_in_generated_code_and_plain_code_does_not() {
    const COUNTERS: u64 = 0x5555_0000;
    const PAGES: u64 = 0x6666_0000;
    const RAM_HOST: u64 = 0x7777_0000;
    let mut cache = CodeCache::new(JitOptions::default()).expect("host ISA");
    let mut src = TbSource {
        pc: GuestVirtAddr(0x8000_1000),
        insns: vec![decode(0xff85_b503)],
        data_idx: 1,
        fetch_idx: 1,
        cells: [0x1000, 0x1008],
        fp_dirty: false,
        more: Vec::new(),
        prof: None,
        exits: None,
    };
    let plain = cache.clif(&src);
    src.prof = Some(jit::translate::TbProfile {
        counters: COUNTERS,
        pages: PAGES,
        ram_host: RAM_HOST,
    });
    let profiled = cache.clif(&src);
    cache.compile(&src).expect("compiles");
    for (name, v) in [
        ("block entries", COUNTERS),
        ("fast-path hits", COUNTERS + 8),
        ("early exits", COUNTERS + 16),
        ("pages", PAGES),
        ("ram host", RAM_HOST),
    ] {
        // CLIF prints large constants in groups of four hex digits.
        let needle = format!("0x{:04x}_{:04x}", v >> 16, v & 0xffff);
        assert!(
            profiled.contains(&needle),
            "profiled code lacks the {name} counter ({needle}):\n{profiled}"
        );
        assert!(
            !plain.contains(&needle),
            "plain code has a {name} constant:\n{plain}"
        );
    }
    let path = golden_dir().join("ld_profiled.clif");
    if std::env::var_os("RVDBT_BLESS").is_some() {
        std::fs::write(&path, &profiled).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(profiled, want, "IR changed (RVDBT_BLESS=1 to accept)");
    assert_eq!(
        plain,
        std::fs::read_to_string(golden_dir().join("ld.clif")).unwrap(),
        "without --profile the code is exactly ld.clif"
    );
}

//! A deterministic mutation fuzzer for the ELF loader and the CLI path:
//! mutants of every guest program (header and program-header fields set to
//! boundary values, bit flips, truncations, appended bytes, more program
//! headers than the file holds) are loaded by `loader::parse_elf` and run
//! through `rvdbt run`'s own argument parsing and machine set-up, with
//! random flags, under every engine. Nothing may panic, every accepted
//! image must fit guest RAM without overlaps, and every run ends within its
//! instruction limit.
//!
//! `RVDBT_MUTANTS=N` (default 1500) and `RVDBT_MUTATION_SEED=S` for longer
//! or other runs, e.g.
//! `RVDBT_MUTANTS=100000 cargo test --release -p rvdbt-tests --test elf_mutation`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use clap::Parser;
use runtime::cli::{Cli, Command};
use runtime::loader;
use runtime::machine::run_program_with;
use rvdbt_tests::difftest::Rng;
use rvdbt_tests::guest_dir;

const RAM_BASE: u64 = 0x8000_0000;
/// Instructions a mutant may run (keeps every run short).
const MAX_INSNS: u64 = 20_000;

const BOUNDARY: [u64; 16] = [
    0,
    1,
    7,
    0x38,
    0x40,
    0xffff,
    0xffff_ffff,
    u64::MAX,
    u64::MAX - 0xfff,
    RAM_BASE,
    RAM_BASE + 0x1000,
    RAM_BASE + (128 << 20) - 8,
    RAM_BASE + (128 << 20),
    128 << 20,
    1 << 40,
    0x8000_0000_0000_0000,
];

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(guest_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "elf"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    assert!(v.len() >= 10, "too few seed programs");
    v
}

fn put(f: &mut [u8], at: usize, width: usize, v: u64) {
    if at.checked_add(width).is_some_and(|e| e <= f.len()) {
        f[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
    }
}

fn get(f: &[u8], at: usize, width: usize) -> u64 {
    let mut b = [0u8; 8];
    if at.checked_add(width).is_some_and(|e| e <= f.len()) {
        b[..width].copy_from_slice(&f[at..at + width]);
    }
    u64::from_le_bytes(b)
}

fn boundary_or_random(rng: &mut Rng, f: &[u8]) -> u64 {
    match rng.below(4) {
        0 | 1 => rng.pick(&BOUNDARY),
        2 => f.len() as u64 + rng.below(16) - 8,
        _ => rng.next_u64() >> rng.below(64),
    }
}

/// Applies one mutation to `f`.
fn mutate(rng: &mut Rng, f: &mut Vec<u8>) {
    // ELF header fields: (offset, width).
    const HEADER: [(usize, usize); 13] = [
        (4, 1),
        (5, 1),
        (6, 1),
        (16, 2),
        (18, 2),
        (24, 8),
        (32, 8),
        (40, 8),
        (52, 2),
        (54, 2),
        (56, 2),
        (58, 2),
        (60, 2),
    ];
    // Program header fields: (offset in the entry, width).
    const PHDR: [(usize, usize); 7] = [(0, 4), (4, 4), (8, 8), (16, 8), (24, 8), (32, 8), (40, 8)];
    match rng.below(7) {
        0 => {
            for _ in 0..=rng.below(8) {
                if !f.is_empty() {
                    let i = rng.below(f.len() as u64) as usize;
                    f[i] ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            let (at, w) = rng.pick(&HEADER);
            let v = boundary_or_random(rng, f);
            put(f, at, w, v);
        }
        2 | 3 => {
            let phoff = get(f, 32, 8) as usize;
            let phnum = get(f, 56, 2).max(1);
            let (at, w) = rng.pick(&PHDR);
            let entry = phoff.saturating_add(56 * rng.below(phnum) as usize);
            let v = boundary_or_random(rng, f);
            put(f, entry.saturating_add(at), w, v);
        }
        4 => {
            let len = rng.below(f.len() as u64 + 1) as usize;
            f.truncate(len);
        }
        5 => {
            for _ in 0..rng.below(4096) {
                f.push(rng.next_u64() as u8);
            }
        }
        _ => {
            let phnum = get(f, 56, 2);
            put(f, 56, 2, phnum + 1 + rng.below(64));
        }
    }
}

/// `rvdbt run` flags: valid and invalid ones (an invalid one is a usage
/// error, which is fine).
fn flags(rng: &mut Rng, mutant: &Path, hello: &Path) -> Vec<String> {
    let mut v = Vec::new();
    let engines = ["interp", "reference", "jit", "tiered"];
    // Mostly the interpreters: compiling every mutant would be slow.
    let engine = match rng.below(8) {
        0 => "jit",
        1 => "tiered",
        2..=4 => "reference",
        _ => "interp",
    };
    v.extend(["--engine".into(), engine.to_string()]);
    if rng.chance(30) {
        let (flag, values): (&str, &[&str]) = match rng.below(9) {
            0 => (
                "--mem",
                &["1M", "2M", "3M", "64M", "256M", "0", "abc", "4097"],
            ),
            1 => ("--pmp-entries", &["0", "16", "64", "7"]),
            2 => ("--wg-worlds", &["0", "2", "300"]),
            3 => ("--rrid", &["0", "3", "999999"]),
            4 => ("--append", &["console=ttyS0", ""]),
            5 => ("--max-insns", &["0", "5", "1000"]),
            6 => ("--engine", &engines),
            7 => ("--worldguard", &[]),
            _ => ("--iopmp", &[]),
        };
        v.push(flag.to_string());
        if !values.is_empty() {
            v.push(rng.pick(values).to_string());
        }
    }
    if rng.chance(10) {
        // The mutant as firmware in front of a good program.
        v.extend(["--bios".into(), mutant.to_string_lossy().into_owned()]);
        v.push(hello.to_string_lossy().into_owned());
    } else {
        v.push(mutant.to_string_lossy().into_owned());
    }
    v
}

#[derive(Default, Debug)]
struct Tally {
    usage_errors: u64,
    input_errors: u64,
    exited: u64,
    limit: u64,
    parsed: u64,
}

#[test]
fn mutated_elfs_never_panic_and_stay_within_guest_ram() {
    let n: u64 = std::env::var("RVDBT_MUTANTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let seed: u64 = std::env::var("RVDBT_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let seeds = seeds();
    let hello: PathBuf = guest_dir().join("hello.elf");
    let dir = std::env::temp_dir().join(format!("rvdbt-mutants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mutant.elf");
    let mut rng = Rng::new(seed);
    let mut tally = Tally::default();
    let start = std::time::Instant::now();
    for i in 0..n {
        let (name, base) = &seeds[rng.below(seeds.len() as u64) as usize];
        let mut f = base.clone();
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut f);
        }
        let what = format!("mutant {i} of {name} (seed {seed})");

        // The loader on its own: an accepted image lies in RAM, without
        // overlaps, and holds no more bytes than RAM.
        let ram = (RAM_BASE, RAM_BASE + (128 << 20));
        let parsed = catch_unwind(|| loader::parse_elf(Path::new("mutant"), &f, ram))
            .unwrap_or_else(|_| panic!("{what}: parse_elf panicked"));
        if let Ok(img) = parsed {
            tally.parsed += 1;
            let mut segs: Vec<_> = img.segments.iter().map(|s| (s.addr, s.end())).collect();
            segs.sort();
            for s in &img.segments {
                assert!(
                    s.bytes.len() as u64 <= s.memsz,
                    "{what}: file bytes beyond memsz"
                );
                assert!(
                    s.addr >= ram.0 && s.end() <= ram.1,
                    "{what}: segment outside RAM"
                );
            }
            for w in segs.windows(2) {
                assert!(w[1].0 >= w[0].1, "{what}: overlapping segments accepted");
            }
        }

        // The CLI path: argument parsing, loading, machine set-up, a run.
        std::fs::write(&path, &f).unwrap();
        let argv = flags(&mut rng, &path, &hello);
        let cli = Cli::try_parse_from(
            ["rvdbt".to_string(), "run".to_string()]
                .into_iter()
                .chain(argv.iter().cloned()),
        );
        let Ok(Cli {
            command: Command::Run(args),
        }) = cli
        else {
            tally.usage_errors += 1;
            continue;
        };
        let mut cfg = args.config();
        cfg.max_insns = Some(cfg.max_insns.unwrap_or(MAX_INSNS).min(MAX_INSNS));
        let out = || -> Box<dyn std::io::Write> { Box::new(std::io::sink()) };
        let r = catch_unwind(AssertUnwindSafe(|| {
            run_program_with(&cfg, &out, &|_| {}, &mut |_| {})
        }))
        .unwrap_or_else(|_| panic!("{what}: rvdbt run {argv:?} panicked"));
        match r {
            Err(_) => tally.input_errors += 1,
            Ok((runtime::RunExit::Exited(_) | runtime::RunExit::Rebooted, insns)) => {
                assert!(insns <= MAX_INSNS + 4096, "{what}: ran past the limit");
                tally.exited += 1
            }
            Ok((runtime::RunExit::InsnLimit, _)) => tally.limit += 1,
            Ok((runtime::RunExit::OutputMatched, _)) => unreachable!("no output is watched"),
            Ok((runtime::RunExit::Stopped, _)) => unreachable!("no stop flag is set"),
        }
    }
    println!("{n} mutants in {:?}: {tally:?}", start.elapsed());
    assert!(
        tally.parsed > 0 && tally.input_errors > 0 && tally.limit + tally.exited > 0,
        "the mutants should exercise acceptance and refusal: {tally:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

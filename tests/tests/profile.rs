//! `rvdbt run --profile` counts exactly: guest programs whose data
//! accesses have known outcomes (tests/guest/src/prof_*.S) are profiled
//! under every engine, and the rows of the instructions they label must
//! hold exactly the expected counts per outcome (`fast` and `slow` and the
//! slow path's reasons), devices, blocking checkers, pages and executions.
//!
//! Every engine must give the same numbers (a mismatch is a profiler bug),
//! with one exception that is the engines' own: the reference engine keeps
//! no decoded code, so its stores into code are no NOTDIRTY slow path.
//! The loops run in two halves with a pause between, so that the tiered
//! engine runs part of them as compiled code: its counts are the sums over
//! its tiers. Each test checks all engines before failing and lists every
//! mismatch.

use std::collections::BTreeMap;
use std::fmt::Debug;

use runtime::config::WgOptions;
use runtime::profile::format::{MemPc, PageCount, Profile};
use runtime::profile::profile_program;
use runtime::profile::symbols::Symbols;
use runtime::{Config, Engine, RunExit};
use rvdbt_tests::{guest_dir, ENGINES};

/// Far more than any of the programs runs (a few hundred thousand
/// instructions, most of them waiting for mtime); a hang ends as a failure.
const MAX_INSNS: u64 = 200_000_000;

// prof_pages.S
/// Fresh pages `touch_load` reads once each, from `TOUCH_BASE` on.
const TOUCH_PAGES: u64 = 16;
const TOUCH_BASE: u64 = 0x8040_0000;
/// The page `hot_load` and `hot_store` use, `HOT_ITERS` times each (two
/// halves).
const HOT_PAGE: u64 = 0x8042_0000;
const HOT_ITERS: u64 = 1000;

// prof_mmio.S
/// Reads of the UART's line status register by `mmio_load`.
const MMIO_READS: u64 = 400;
const UART_PAGE: u64 = 0x1000_0000;

// prof_smc.S
/// Stores of `code_store` into its own code page.
const PATCHES: u64 = 200;

// prof_wg.S
/// The page world 1 may read (`wg_load`, `WG_READS` times) but not write
/// (`wg_store`, `WG_WRITES` times, dropped).
const WG_PAGE: u64 = 0x8020_0000;
const WG_READS: u64 = 400;
const WG_WRITES: u64 = 400;
/// What `blocked` names the RAM checker, world 1 (mlwid) and requester 0.
const WG_BLOCKED_BY: &str = "wgc-dram@0x6000000 world 1 rrid 0";

/// Mismatches found so far (all engines are checked before failing).
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    fn eq<T: PartialEq + Debug>(&mut self, engine: Engine, what: &str, got: T, expected: T) {
        if got != expected {
            self.0.push(format!(
                "{engine:?}: {what}: got {got:?}, expected {expected:?}"
            ));
        }
    }

    fn push(&mut self, engine: Engine, what: String) {
        self.0.push(format!("{engine:?}: {what}"));
    }

    fn finish(self, program: &str) {
        assert!(
            self.0.is_empty(),
            "{program}: {} mismatch(es):\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

/// Profiles `tests/guest/<name>.elf` under `engine`; `Err` says why it
/// did not run to a pass.
fn profile(name: &str, engine: Engine, worldguard: bool) -> Result<Profile, String> {
    let elf = guest_dir().join(format!("{name}.elf"));
    let mut cfg = Config::new(&elf);
    cfg.engine = engine;
    cfg.max_insns = Some(MAX_INSNS);
    if worldguard {
        cfg.worldguard = Some(WgOptions::default());
    }
    let syms = Symbols::load(&elf).map_err(|e| format!("symbols: {e}"))?;
    let (exit, prof) = profile_program(&cfg, &syms).map_err(|e| format!("machine: {e}"))?;
    if exit != RunExit::Exited(0) {
        return Err(format!(
            "{name} did not pass: {exit:?} (exit code = failing TEST number)"
        ));
    }
    Ok(prof)
}

/// All data-access rows, one line each (for failure messages).
fn list_rows(p: &Profile) -> String {
    p.mem_by_pc
        .iter()
        .map(|m| {
            format!(
                "\n    {:#x} {:<24} {:<5} {:<24} {:?} devices {:?} blocked {:?}",
                m.pc,
                m.symbol.as_deref().unwrap_or("?"),
                m.access,
                m.disasm,
                m.counts,
                m.devices,
                m.blocked
            )
        })
        .collect()
}

/// The address of `label` in `tests/guest/<program>.objdump` (the build
/// writes it next to the ELF): `0000000080001034 <hot_load>:`.
fn label_addr(program: &str, label: &str) -> Option<u64> {
    let path = guest_dir().join(format!("{program}.objdump"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let suffix = format!(" <{label}>:");
    text.lines()
        .find_map(|l| l.strip_suffix(suffix.as_str()))
        .and_then(|a| u64::from_str_radix(a.trim(), 16).ok())
}

/// The data-access row of the instruction at label `label` (symbol
/// `label+0x0`), access type `access` (`read` / `write`); the error lists
/// the rows there are.
fn row<'a>(p: &'a Profile, label: &str, access: &str) -> Result<&'a MemPc, String> {
    let symbol = format!("{label}+0x0");
    let found: Vec<&MemPc> = p
        .mem_by_pc
        .iter()
        .filter(|m| m.symbol.as_deref() == Some(symbol.as_str()) && m.access == access)
        .collect();
    match found[..] {
        [m] => Ok(m),
        _ => Err(format!(
            "{} rows for `{symbol}` {access} in the {} profile of {}; rows:{}",
            found.len(),
            p.engine,
            p.program,
            list_rows(p)
        )),
    }
}

/// The row of `label` in `program`'s profile, or a mismatch (and `None`)
/// when there is none. A row found by symbol must be at the label's
/// address; when no row has the symbol (a symbol-table problem), the row
/// at the label's address is used, so its counts are still checked.
fn find_row<'a>(
    mm: &mut Mismatches,
    engine: Engine,
    p: &'a Profile,
    program: &str,
    label: &str,
    access: &str,
) -> Option<&'a MemPc> {
    let addr = label_addr(program, label)
        .unwrap_or_else(|| panic!("no label `{label}` in {program}.objdump"));
    match row(p, label, access) {
        Ok(m) => {
            mm.eq(engine, &format!("pc of `{label}`"), m.pc, addr);
            Some(m)
        }
        Err(e) => {
            let m = p
                .mem_by_pc
                .iter()
                .find(|m| m.pc == addr && m.access == access);
            match m {
                Some(m) => mm.push(
                    engine,
                    format!(
                        "no {access} row has symbol `{label}+0x0`; the one at its address \
                         {addr:#x} has symbol {:?} (counts checked below)",
                        m.symbol
                    ),
                ),
                None => mm.push(engine, format!("{e}\n  (nor a {access} row at {addr:#x})")),
            }
            m
        }
    }
}

/// `counts` as the profile keeps them (zero counts left out).
fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(k, n)| (k.to_string(), *n))
        .collect()
}

/// Checks a row's whole outcome map, and that it names no device or
/// checker unless `devices` / `blocked` say so.
fn check_row(
    mm: &mut Mismatches,
    engine: Engine,
    m: &MemPc,
    expected: &[(&str, u64)],
    devices: &[(&str, u64)],
    blocked: &[(&str, u64)],
) {
    let what = format!(
        "{} {} ({})",
        m.symbol.as_deref().unwrap_or("?"),
        m.access,
        m.disasm
    );
    mm.eq(
        engine,
        &format!("{what} counts"),
        &m.counts,
        &counts(expected),
    );
    mm.eq(
        engine,
        &format!("{what} devices"),
        &m.devices,
        &counts(devices),
    );
    mm.eq(
        engine,
        &format!("{what} blocked"),
        &m.blocked,
        &counts(blocked),
    );
    let total = m.count("fast") + m.count("slow");
    let expected_total: u64 = expected
        .iter()
        .filter(|(k, _)| matches!(*k, "fast" | "slow"))
        .map(|(_, n)| n)
        .sum();
    mm.eq(
        engine,
        &format!("{what} fast + slow"),
        total,
        expected_total,
    );
}

/// Executions of the instruction at `pc`, summed over tiers.
fn executions(p: &Profile, pc: u64) -> u64 {
    p.code.iter().filter(|c| c.pc == pc).map(|c| c.count).sum()
}

/// Checks that the instruction of row `m` ran `n` times (all tiers).
fn check_executions(mm: &mut Mismatches, engine: Engine, p: &Profile, m: &MemPc, n: u64) {
    println!(
        "  {engine:?}: {:#x} {} {}: {:?}",
        m.pc, m.access, m.disasm, m.counts
    );
    let name = m.symbol.clone().unwrap_or_else(|| format!("{:#x}", m.pc));
    check_executions_at(mm, engine, p, &name, m.pc, n);
}

/// Checks that the instruction at `pc` ran `n` times (all tiers).
fn check_executions_at(
    mm: &mut Mismatches,
    engine: Engine,
    p: &Profile,
    name: &str,
    pc: u64,
    n: u64,
) {
    let tiers: Vec<(String, u64)> = p
        .code
        .iter()
        .filter(|c| c.pc == pc)
        .map(|c| (c.tier.clone(), c.count))
        .collect();
    println!("  {engine:?}: {name} ({pc:#x}) executed per tier {tiers:?}");
    mm.eq(
        engine,
        &format!("executions of {name} ({pc:#x}; per tier {tiers:?})"),
        executions(p, pc),
        n,
    );
}

/// The page row of physical page `page`.
fn page(p: &Profile, page: u64) -> Option<&PageCount> {
    p.pages.iter().find(|c| c.page == page)
}

/// Checks (read, write, read_slow, write_slow) of a page and, when given,
/// its region.
fn check_page(
    mm: &mut Mismatches,
    engine: Engine,
    p: &Profile,
    addr: u64,
    region: Option<&str>,
    expected: (u64, u64, u64, u64),
) {
    match page(p, addr) {
        Some(c) => {
            mm.eq(
                engine,
                &format!("page {addr:#x} (read, write, read_slow, write_slow)"),
                (c.read, c.write, c.read_slow, c.write_slow),
                expected,
            );
            if let Some(r) = region {
                mm.eq(
                    engine,
                    &format!("page {addr:#x} region"),
                    c.region.as_str(),
                    r,
                );
            }
        }
        None => mm.push(
            engine,
            format!(
                "no row for page {addr:#x}; pages: {:?}",
                p.pages
                    .iter()
                    .map(|c| (c.page, c.read, c.write))
                    .collect::<Vec<_>>()
            ),
        ),
    }
}

/// Runs `name` under every engine, `check`ing each profile.
fn each_engine(
    name: &str,
    worldguard: bool,
    mut check: impl FnMut(&mut Mismatches, Engine, &Profile),
) {
    let mut mm = Mismatches::default();
    for engine in ENGINES {
        match profile(name, engine, worldguard) {
            Ok(p) => {
                let before = mm.0.len();
                check(&mut mm, engine, &p);
                println!(
                    "{name:<10} {:<9} {} instructions: {}",
                    format!("{engine:?}"),
                    p.instructions,
                    if mm.0.len() == before {
                        "ok"
                    } else {
                        "MISMATCH"
                    }
                );
            }
            Err(e) => mm.push(engine, e),
        }
    }
    mm.finish(name);
}

#[test]
fn first_touches_of_fresh_pages_miss_and_a_hot_page_hits() {
    const PROG: &str = "prof_pages";
    each_engine(PROG, false, |mm, engine, p| {
        if let Some(m) = find_row(mm, engine, p, PROG, "touch_load", "read") {
            // Each of its pages is new to the TLB.
            check_row(
                mm,
                engine,
                m,
                &[("slow", TOUCH_PAGES), ("tlb_miss", TOUCH_PAGES)],
                &[],
                &[],
            );
            check_executions(mm, engine, p, m, TOUCH_PAGES);
        }
        if let Some(m) = find_row(mm, engine, p, PROG, "hot_load", "read") {
            check_row(
                mm,
                engine,
                m,
                &[("fast", HOT_ITERS - 1), ("slow", 1), ("tlb_miss", 1)],
                &[],
                &[],
            );
            check_executions(mm, engine, p, m, HOT_ITERS);
        }
        if let Some(m) = find_row(mm, engine, p, PROG, "hot_store", "write") {
            // The entry the first load filled already permits writes (the
            // page is writable RAM holding no code: no NOTDIRTY), so every
            // store hits (softmmu/src/mmu/fill.rs).
            check_row(mm, engine, m, &[("fast", HOT_ITERS)], &[], &[]);
            check_executions(mm, engine, p, m, HOT_ITERS);
        }
        for i in 0..TOUCH_PAGES {
            check_page(
                mm,
                engine,
                p,
                TOUCH_BASE + i * 4096,
                Some("ram"),
                (1, 0, 1, 0),
            );
        }
        check_page(
            mm,
            engine,
            p,
            HOT_PAGE,
            Some("ram"),
            (HOT_ITERS, HOT_ITERS, 1, 0),
        );
    });
}

#[test]
fn device_reads_are_slow_and_name_the_device() {
    const PROG: &str = "prof_mmio";
    each_engine(PROG, false, |mm, engine, p| {
        if let Some(m) = find_row(mm, engine, p, PROG, "mmio_load", "read") {
            // The device page's TLB entry stays (flagged MMIO, so every
            // access takes the slow path): one miss.
            check_row(
                mm,
                engine,
                m,
                &[("slow", MMIO_READS), ("tlb_miss", 1), ("mmio", MMIO_READS)],
                &[("uart", MMIO_READS)],
                &[],
            );
            check_executions(mm, engine, p, m, MMIO_READS);
        }
        check_page(
            mm,
            engine,
            p,
            UART_PAGE,
            Some("uart"),
            (MMIO_READS, 0, MMIO_READS, 0),
        );
    });
}

#[test]
fn stores_into_code_are_notdirty() {
    const PROG: &str = "prof_smc";
    each_engine(PROG, false, |mm, engine, p| {
        if let Some(m) = find_row(mm, engine, p, PROG, "code_store", "write") {
            // Under the engines that decode or compile code, the store's
            // page holds the loop's code (and `patched`'s) the whole time:
            // the write comparator keeps NOTDIRTY and every store takes
            // the slow path. The page's entry was filled by the fetches
            // (no TLB miss).
            //
            // The reference engine keeps no decoded or compiled code (it
            // fetches and decodes every instruction anew and never calls
            // `Mmu::mark_code`): no page of it holds code in the sense of
            // NOTDIRTY, so its stores into code hit the fast path.
            let slow = if engine == Engine::Reference {
                0
            } else {
                PATCHES
            };
            check_row(
                mm,
                engine,
                m,
                &[("fast", PATCHES - slow), ("slow", slow), ("notdirty", slow)],
                &[],
                &[],
            );
            check_executions(mm, engine, p, m, PATCHES);
            // Nothing else reads or writes the code page.
            check_page(
                mm,
                engine,
                p,
                m.pc & !0xfff,
                Some("ram"),
                (0, PATCHES, 0, slow),
            );
        }
        // The patched instruction ran once per patch, however often its
        // code was dropped and decoded or compiled again.
        let patched = label_addr(PROG, "patched").expect("label `patched`");
        check_executions_at(mm, engine, p, "patched", patched, PATCHES);
    });
}

#[test]
fn writes_a_checker_blocks_are_slow_and_name_it_reads_it_permits_are_fast() {
    const PROG: &str = "prof_wg";
    each_engine(PROG, true, |mm, engine, p| {
        if let Some(m) = find_row(mm, engine, p, PROG, "wg_load", "read") {
            // The first load misses the (S-mode, MPRV) TLB, whose fill
            // enters the guarded page untranslated; its late walk asks
            // the checker once, and the page-wide read answer patches the
            // read comparator: the other loads hit
            // (softmmu/src/mmu/iommu.rs).
            check_row(
                mm,
                engine,
                m,
                &[
                    ("fast", WG_READS - 1),
                    ("slow", 1),
                    ("tlb_miss", 1),
                    ("iommu_translate", 1),
                ],
                &[],
                &[],
            );
            check_executions(mm, engine, p, m, WG_READS);
        }
        if let Some(m) = find_row(mm, engine, p, PROG, "wg_store", "write") {
            // The entry is there (no miss), its write comparator still
            // flagged IOMMU: the first store asks the checker (one
            // translation), whose blocked answer is kept, and every store
            // goes to the checker's error handling (dropped).
            check_row(
                mm,
                engine,
                m,
                &[
                    ("slow", WG_WRITES),
                    ("iommu_translate", 1),
                    ("iommu_blocked", WG_WRITES),
                ],
                &[],
                &[(WG_BLOCKED_BY, WG_WRITES)],
            );
            check_executions(mm, engine, p, m, WG_WRITES);
        }
        // Besides the loops, M (world 3) writes the page once before the
        // checker is programmed and reads it once afterwards, both slow:
        // the first access of the page (TLB miss, checker asked) and,
        // after the register writes flushed every TLB, a TLB miss again.
        check_page(
            mm,
            engine,
            p,
            WG_PAGE,
            Some("ram (behind wgc-dram@0x6000000)"),
            (WG_READS + 1, WG_WRITES + 1, 2, WG_WRITES + 1),
        );
    });
}

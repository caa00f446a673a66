//! `rvdbt run --profile`: where a guest spends its memory time and which
//! code it runs, per guest instruction, page, MMU index and tier.
//!
//! Collection is spread over the engines, each counting what only it sees:
//! softmmu's [`MemProfile`] counts every data access that reaches the `Mmu`
//! (the interpreters' fast-path hits and every engine's slow path, with its
//! reasons); generated code compiled with `--profile` counts its own inline
//! hits, block entries and pages (`jit::translate::TbProfile`); the decode
//! cache counts the instructions it executes per slot. [`ProfileData`]
//! gathers them from a machine at the end of its run (and again after a
//! guest reboot), and [`ProfileData::build`] resolves symbols and
//! disassembly into the saved layout ([`format`]).

pub mod format;
pub mod symbols;

use rustc_hash::FxHashMap;

use frontend_riscv::{decode, disasm};
use softmmu::profile::{MemProfile, OUTCOMES};
use softmmu::{AccessType, RegionKind};

use self::format::{
    BlockCount, CodeCount, FunctionCount, JitSummary, MemPc, PageCount, Profile, TlbIndex,
};
use self::symbols::Symbols;

/// Which engine tier executed an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// One instruction at a time (the `reference` engine, the exact tail
    /// before `--max-insns`, code outside RAM).
    Reference,
    /// The decode cache (`interp`, tier 0 of `tiered`).
    Interp,
    /// A translation block of generated code.
    Jit,
    /// A block of a compiled region.
    Region,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Reference => "reference",
            Tier::Interp => "interp",
            Tier::Jit => "jit",
            Tier::Region => "region",
        }
    }
}

/// Instructions executed per tier and pc, and blocks of generated code.
#[derive(Debug, Default)]
pub struct CodeProfile {
    /// (tier, guest pc) -> executions and the instruction's bits (0 when
    /// not known yet).
    pub insns: FxHashMap<(Tier, u64), (u64, u32)>,
    /// (tier, guest pc of a block) -> instructions in it and entries.
    pub blocks: FxHashMap<(Tier, u64), (u64, u64)>,
}

impl CodeProfile {
    pub fn add_insn(&mut self, tier: Tier, pc: u64, raw: u32, n: u64) {
        if n == 0 {
            return;
        }
        let e = self.insns.entry((tier, pc)).or_insert((0, raw));
        e.0 += n;
        if e.1 == 0 {
            e.1 = raw;
        }
    }

    pub fn add_block(&mut self, tier: Tier, pc: u64, len: u64, entries: u64) {
        if entries == 0 {
            return;
        }
        let e = self.blocks.entry((tier, pc)).or_insert((len, 0));
        e.0 = e.0.max(len);
        e.1 += entries;
    }
}

/// What a profile has gathered so far (over every machine of the run: a
/// guest reboot builds a new one).
#[derive(Debug, Default)]
pub struct ProfileData {
    pub mem: MemProfile,
    pub code: CodeProfile,
    /// Per MMU index.
    pub tlb: Vec<TlbIndex>,
    /// Region names of the physical pages seen.
    pub page_regions: FxHashMap<u64, String>,
    /// Names of the checkers (IOMMU units) by unit.
    pub checker_names: FxHashMap<usize, String>,
    pub jit: Option<JitSummary>,
    pub instructions: u64,
}

/// Names of the MMU indexes (see `hart::walk`).
const MMU_NAMES: [&str; 4] = ["U", "S", "S+SUM", "M"];

impl ProfileData {
    /// Takes a machine's memory profile, TLB counters and page regions
    /// (the engines add their own parts with their `take_profile`).
    pub fn absorb_mmu(&mut self, mmu: &mut softmmu::Mmu, extra_hits: &[u64]) {
        let Some(mem) = mmu.prof.take() else { return };
        let mem = *mem;
        for (k, v) in mem.by_pc {
            let e = self.mem.by_pc.entry(k).or_default();
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
        for (k, v) in mem.devices {
            *self.mem.devices.entry(k).or_default() += v;
        }
        for (k, v) in mem.blocked_by {
            *self.mem.blocked_by.entry(k).or_default() += v;
        }
        for (k, v) in mem.pages {
            let e = self.mem.pages.entry(k).or_default();
            e[0] += v[0];
            e[1] += v[1];
        }
        let units: Vec<usize> = self.mem.blocked_by.keys().map(|k| k.2.unit).collect();
        for unit in units {
            let name = checker_name(mmu, unit);
            self.checker_names.insert(unit, name);
        }
        let pages: Vec<u64> = self.mem.pages.keys().map(|k| k.0).collect();
        for page in pages {
            self.page_regions
                .entry(page)
                .or_insert_with(|| region_name(mmu, page));
        }
        for i in 0..softmmu::tlb::NUM_MMU_IDX {
            let s = mmu.tlb_stats(softmmu::MmuIdx(i as u8));
            if self.tlb.len() <= i {
                self.tlb.push(TlbIndex {
                    index: i as u8,
                    name: MMU_NAMES.get(i).unwrap_or(&"?").to_string(),
                    ..Default::default()
                });
            }
            let t = &mut self.tlb[i];
            t.hits += s.hits + extra_hits.get(i).copied().unwrap_or(0);
            t.misses += s.misses;
            t.victim_hits += s.victim_hits;
            t.fills += s.fills;
            t.flushes += s.flushes;
            t.page_flushes += s.page_flushes;
            t.resizes += s.resizes;
            t.entries = mmu.tlb(softmmu::MmuIdx(i as u8)).len() as u64;
        }
    }

    /// Adds a JIT engine's summary (one per machine of the run).
    pub fn add_jit(&mut self, s: JitSummary) {
        let Some(t) = self.jit.as_mut() else {
            self.jit = Some(s);
            return;
        };
        t.tbs_compiled += s.tbs_compiled;
        t.regions += s.regions;
        t.region_blocks += s.region_blocks;
        t.compile_seconds += s.compile_seconds;
        t.code_bytes += s.code_bytes;
        t.tb_runs += s.tb_runs;
        t.jc_hits += s.jc_hits;
        t.dispatcher_lookups += s.dispatcher_lookups;
        t.chained_entries += s.chained_entries;
        for (k, v) in s.invalidations {
            *t.invalidations.entry(k).or_default() += v;
        }
    }

    /// The saved layout, with symbols and disassembly.
    pub fn build(&self, engine: &str, program: &str, syms: &Symbols, wall: f64) -> Profile {
        let sym = |pc: u64| syms.describe(pc);
        let mut raw_of: FxHashMap<u64, u32> = FxHashMap::default();
        for (&(_, pc), &(_, raw)) in &self.code.insns {
            if raw != 0 {
                raw_of.insert(pc, raw);
            }
        }
        let dis = |pc: u64| {
            raw_of
                .get(&pc)
                .map(|&r| disasm(&decode(r), pc))
                .unwrap_or_default()
        };
        let access_name = |a: AccessType| match a {
            AccessType::Read => "read",
            AccessType::Write => "write",
            AccessType::Fetch => "fetch",
        };

        let mut mem_by_pc: Vec<MemPc> = self
            .mem
            .by_pc
            .iter()
            .map(|(&(pc, access), counts)| MemPc {
                pc,
                symbol: sym(pc),
                disasm: dis(pc),
                access: access_name(access).into(),
                counts: OUTCOMES
                    .iter()
                    .zip(counts)
                    .filter(|(_, &n)| n != 0)
                    .map(|(k, &n)| (k.to_string(), n))
                    .collect(),
                ..Default::default()
            })
            .collect();
        let index: FxHashMap<(u64, String), usize> = mem_by_pc
            .iter()
            .enumerate()
            .map(|(i, m)| ((m.pc, m.access.clone()), i))
            .collect();
        for (&(pc, access, dev), &n) in &self.mem.devices {
            if let Some(&i) = index.get(&(pc, access_name(access).to_string())) {
                *mem_by_pc[i].devices.entry(dev.to_string()).or_default() += n;
            }
        }
        for (&(pc, access, b), &n) in &self.mem.blocked_by {
            if let Some(&i) = index.get(&(pc, access_name(access).to_string())) {
                let checker = self.checker_names.get(&b.unit);
                let name = format!(
                    "{} world {} rrid {}",
                    checker.map_or("checker", String::as_str),
                    b.attrs.world_id,
                    b.attrs.requester_id
                );
                *mem_by_pc[i].blocked.entry(name).or_default() += n;
            }
        }
        mem_by_pc.sort_by(|a, b| {
            (b.count("slow"), b.count("fast"), a.pc).cmp(&(a.count("slow"), a.count("fast"), b.pc))
        });

        let mut pages: FxHashMap<u64, PageCount> = FxHashMap::default();
        for (&(page, access), &[all, slow]) in &self.mem.pages {
            let p = pages.entry(page).or_insert_with(|| PageCount {
                page,
                region: self.page_regions.get(&page).cloned().unwrap_or_default(),
                ..Default::default()
            });
            match access {
                AccessType::Write => {
                    p.write += all;
                    p.write_slow += slow;
                }
                _ => {
                    p.read += all;
                    p.read_slow += slow;
                }
            }
        }
        let mut pages: Vec<PageCount> = pages.into_values().collect();
        pages.sort_by_key(|p| {
            (
                std::cmp::Reverse(p.read_slow + p.write_slow),
                std::cmp::Reverse(p.read + p.write),
                p.page,
            )
        });

        let mut code: Vec<CodeCount> = self
            .code
            .insns
            .iter()
            .map(|(&(tier, pc), &(count, raw))| CodeCount {
                pc,
                symbol: sym(pc),
                disasm: if raw != 0 {
                    disasm(&decode(raw), pc)
                } else {
                    String::new()
                },
                tier: tier.name().into(),
                count,
            })
            .collect();
        code.sort_by_key(|c| (std::cmp::Reverse(c.count), c.pc, c.tier.clone()));

        let mut blocks: Vec<BlockCount> = self
            .code
            .blocks
            .iter()
            .map(|(&(tier, pc), &(len, entries))| BlockCount {
                pc,
                symbol: sym(pc),
                tier: tier.name().into(),
                len,
                entries,
            })
            .collect();
        blocks.sort_by_key(|b| (std::cmp::Reverse(b.entries * b.len), b.pc));

        let mut functions: FxHashMap<String, FunctionCount> = FxHashMap::default();
        let func_of = |pc: u64| {
            syms.function(pc)
                .map(str::to_string)
                .unwrap_or_else(|| format!("[unknown {:#x}]", pc & !0xfff))
        };
        for c in &code {
            let f = functions.entry(func_of(c.pc)).or_default();
            *f.tiers.entry(c.tier.clone()).or_default() += c.count;
            f.total += c.count;
        }
        for m in &mem_by_pc {
            let f = functions.entry(func_of(m.pc)).or_default();
            f.slow_accesses += m.count("slow");
        }
        let mut functions: Vec<FunctionCount> = functions
            .into_iter()
            .map(|(name, f)| FunctionCount { name, ..f })
            .collect();
        functions.sort_by(|a, b| b.total.cmp(&a.total).then(a.name.cmp(&b.name)));

        Profile {
            format: format::FORMAT.into(),
            engine: engine.into(),
            program: program.into(),
            symbols: syms.source().map(str::to_string),
            instructions: self.instructions,
            wall_seconds: wall,
            mem_by_pc,
            pages,
            tlb: self.tlb.clone(),
            code,
            blocks,
            functions,
            jit: self.jit.clone(),
        }
    }
}

/// The region a physical page belongs to, naming the checker in front of
/// it.
fn region_name(mmu: &mut softmmu::Mmu, page: u64) -> String {
    let pa = softmmu::GuestPhysAddr(page);
    let name = mmu
        .space
        .region(pa, 1)
        .map_or("unmapped".to_string(), |r| r.name.to_string());
    match mmu.space.guard_at(pa) {
        Some(unit) => format!("{name} (behind {})", checker_name(mmu, unit)),
        None => name,
    }
}

/// A checker's name: its register window's region and address.
fn checker_name(mmu: &softmmu::Mmu, unit: usize) -> String {
    mmu.space
        .regions()
        .find(|r| matches!(r.kind, RegionKind::IommuRegs(u) if u == unit))
        .map_or(format!("checker {unit}"), |r| {
            format!("{}@{:#x}", r.name, r.base.0)
        })
}

/// Runs the program `cfg` describes with a profile (console output
/// dropped) and returns how it ended and the profile (`syms` names pcs).
pub fn profile_program(
    cfg: &crate::Config,
    syms: &Symbols,
) -> Result<(crate::RunExit, Profile), crate::MachineError> {
    let start = std::time::Instant::now();
    let mut data = ProfileData::default();
    let out = || -> Box<dyn std::io::Write> { Box::new(std::io::sink()) };
    let (exit, _) =
        crate::machine::run_program_with(cfg, &out, &|m| m.enable_profile(), &mut |m| {
            m.take_profile(&mut data)
        })?;
    let wall = start.elapsed().as_secs_f64();
    let engine = format!("{:?}", cfg.engine).to_lowercase();
    let program = cfg.program.display().to_string();
    Ok((exit, data.build(&engine, &program, syms, wall)))
}

//! `rvdbt report FILE.json`: re-prints a saved profile (`rvdbt run
//! --profile=FILE.json`, layout [`format::FORMAT`]) as aligned tables, and
//! with `--svg OUT.svg` draws it: two flame graphs (`inferno`) and a bar
//! chart of slow-path reasons (`plotters`).
//!
//! [`print_summary`] is the same report `rvdbt run --profile` prints at exit.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::EXIT_USAGE;
use crate::profile::format::{self, MemPc, Profile};

/// Exit code when the report could not be written (stdout or an SVG file).
pub const EXIT_OUTPUT: u8 = 1;

/// The `--sort` keys besides the outcome names ([`format::OUTCOMES`]).
pub const EXTRA_SORT_KEYS: [&str; 2] = ["accesses", "insns"];

/// The frame of a slow access none of whose reasons was recorded.
pub const NO_OTHER_REASON: &str = "[slow path, no other reason]";

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A profile saved by `rvdbt run --profile=FILE.json`.
    pub file: PathBuf,
    /// Rows per table (0: all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Order of the hot memory paths: an outcome count (fast, slow,
    /// tlb_miss, victim_hit, mmio, iommu_translate, iommu_blocked,
    /// notdirty, split, sub_page, fault), `accesses` (fast + slow), or
    /// `insns` (memory paths by accesses, pages by total; the code tables
    /// are always by instructions). Pages follow `slow` for outcome keys.
    #[arg(long, default_value = "slow", value_name = "KEY")]
    pub sort: String,
    /// Also draw OUT.svg (flame graph of guest instructions by tier,
    /// function and block), OUT.slow.svg (flame graph of slow-path data
    /// accesses by function and reason) and OUT.reasons.svg (bar chart of
    /// slow-path reasons).
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
}

/// `rvdbt report`: exit 0, [`EXIT_USAGE`] for a bad file or option,
/// [`EXIT_OUTPUT`] when an output could not be written.
pub fn main(args: ReportArgs) -> ExitCode {
    if let Err(e) = SortKey::parse(&args.sort) {
        eprintln!("rvdbt report: --sort {}: {e}", args.sort);
        return ExitCode::from(EXIT_USAGE);
    }
    let profile = match load(&args.file) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("rvdbt report: {}: {e}", args.file.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = print_summary(&profile, args.top, &args.sort, &mut out) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("rvdbt report: stdout: {e}");
        return ExitCode::from(EXIT_OUTPUT);
    }
    if let Some(svg) = &args.svg {
        if let Err(e) = write_svgs(&profile, svg, &mut out) {
            eprintln!("rvdbt report: {e}");
            return ExitCode::from(EXIT_OUTPUT);
        }
    }
    ExitCode::SUCCESS
}

/// Reads and checks a saved profile; the error is one line without the path.
pub fn load(path: &Path) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Profile::from_json(&text)
}

/// A `--sort` key, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortKey {
    /// One of [`format::OUTCOMES`].
    Outcome(&'static str),
    Accesses,
    Insns,
}

impl SortKey {
    fn parse(key: &str) -> Result<SortKey, String> {
        if let Some(o) = format::OUTCOMES.iter().find(|o| **o == key) {
            return Ok(SortKey::Outcome(o));
        }
        match key {
            "accesses" => Ok(SortKey::Accesses),
            "insns" => Ok(SortKey::Insns),
            _ => Err(format!(
                "unknown sort key (valid: {})",
                format::OUTCOMES
                    .iter()
                    .chain(EXTRA_SORT_KEYS.iter())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            SortKey::Outcome(o) => o,
            SortKey::Accesses => "accesses",
            SortKey::Insns => "insns",
        }
    }

    /// The value a memory row is ordered by.
    fn mem_value(self, m: &MemPc) -> u64 {
        match self {
            SortKey::Outcome(o) => m.count(o),
            SortKey::Accesses | SortKey::Insns => accesses(m),
        }
    }
}

/// Fast plus slow: every data access of the row.
fn accesses(m: &MemPc) -> u64 {
    m.count("fast").saturating_add(m.count("slow"))
}

/// The function of `symbol` (`name+0xoff` or `name`), or `[unknown 0xPAGE]`.
pub fn function_of(symbol: Option<&str>, pc: u64) -> String {
    match symbol {
        Some(s) => match s.rfind("+0x") {
            Some(i) if i > 0 => s[..i].to_string(),
            _ => s.to_string(),
        },
        None => format!("[unknown 0x{:x}]", pc & !0xfff),
    }
}

/// The slow-path reasons of a row: every count but `fast` and `slow`, in
/// [`format::OUTCOMES`] order and then (names a newer rvdbt added) by name.
fn reasons(m: &MemPc) -> Vec<(&str, u64)> {
    let known = format::OUTCOMES[2..]
        .iter()
        .map(|o| (*o, m.count(o)))
        .filter(|(_, n)| *n > 0);
    let other = m
        .counts
        .iter()
        .filter(|(k, n)| **n > 0 && !format::OUTCOMES.contains(&k.as_str()))
        .map(|(k, n)| (k.as_str(), *n));
    known.chain(other).collect()
}

/// `name=count`, with MMIO devices and blocking checkers in brackets.
fn reasons_text(m: &MemPc) -> String {
    let detail = |map: &BTreeMap<String, u64>| -> String {
        match map.len() {
            0 => String::new(),
            1 => format!("({})", map.keys().next().unwrap()),
            _ => format!(
                "({})",
                map.iter()
                    .map(|(k, n)| format!("{k}:{n}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    };
    reasons(m)
        .into_iter()
        .map(|(r, n)| {
            let extra = match r {
                "mmio" => detail(&m.devices),
                "iommu_blocked" => detail(&m.blocked),
                _ => String::new(),
            };
            format!("{r}={n}{extra}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Column alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// An aligned text table (the last column is not padded).
struct Table {
    head: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(cols: &[(&str, Align)]) -> Table {
        Table {
            head: cols.iter().map(|(h, _)| h.to_string()).collect(),
            align: cols.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "  (none)");
        }
        // objdump separates mnemonic and operands with a tab; names may
        // hold anything.
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.replace(|ch: char| ch.is_control(), " "))
                    .collect()
            })
            .collect();
        let mut width: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let last = self.head.len() - 1;
        for row in std::iter::once(&self.head).chain(&rows) {
            let mut line = String::from(" ");
            for (i, cell) in row.iter().enumerate() {
                let pad = width[i].saturating_sub(cell.chars().count());
                line.push(' ');
                match self.align[i] {
                    Align::Right => {
                        line.extend(std::iter::repeat_n(' ', pad));
                        line.push_str(cell);
                    }
                    Align::Left => {
                        line.push_str(cell);
                        if i != last {
                            line.extend(std::iter::repeat_n(' ', pad));
                        }
                    }
                }
                if i != last {
                    line.push(' ');
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// At most `n` characters of `s`, with `…` when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

const NAME_WIDTH: usize = 40;

/// The first `top` items (all of them for 0).
fn take<T>(v: &mut Vec<T>, top: usize) {
    if top != 0 {
        v.truncate(top);
    }
}

fn shown(n: usize, of: usize, what: &str) -> String {
    if n == of {
        format!("{of} {what}")
    } else {
        format!("top {n} of {of} {what}")
    }
}

fn percent(n: u64, of: u64) -> String {
    percent_digits(n, of, 1)
}

fn percent_digits(n: u64, of: u64, digits: usize) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.digits$}%", n as f64 * 100.0 / of as f64)
    }
}

/// Tiers in execution order, then any other by name.
fn tier_rank(t: &str) -> (usize, &str) {
    let known = ["reference", "interp", "jit", "region"];
    (known.iter().position(|k| *k == t).unwrap_or(known.len()), t)
}

/// Prints the profile as aligned tables (see the module doc). `sort` is a
/// `--sort` key; an unknown one is an `InvalidInput` error.
pub fn print_summary(p: &Profile, top: usize, sort: &str, out: &mut dyn Write) -> io::Result<()> {
    let key = SortKey::parse(sort)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("--sort {sort}: {e}")))?;

    // Header.
    writeln!(out, "rvdbt profile")?;
    writeln!(out, "  engine        {}", p.engine)?;
    match &p.symbols {
        Some(s) => writeln!(out, "  program       {} (symbols: {s})", p.program)?,
        None => writeln!(out, "  program       {}", p.program)?,
    }
    writeln!(out, "  instructions  {}", p.instructions)?;
    writeln!(out, "  wall time     {:.3} s", p.wall_seconds)?;
    if p.wall_seconds > 0.0 {
        writeln!(
            out,
            "  MIPS          {:.1}",
            p.instructions as f64 / p.wall_seconds / 1e6
        )?;
    } else {
        writeln!(out, "  MIPS          -")?;
    }

    // Hot memory paths.
    let mut mem: Vec<&MemPc> = p.mem_by_pc.iter().collect();
    mem.sort_by(|a, b| {
        key.mem_value(b)
            .cmp(&key.mem_value(a))
            .then(accesses(b).cmp(&accesses(a)))
            .then(a.pc.cmp(&b.pc))
            .then(a.access.cmp(&b.access))
    });
    let all = mem.len();
    take(&mut mem, top);
    writeln!(out)?;
    writeln!(
        out,
        "hot memory paths ({}, by {}):",
        shown(mem.len(), all, "pcs"),
        if key == SortKey::Insns {
            "accesses"
        } else {
            key.name()
        }
    )?;
    let mut t = Table::new(&[
        ("pc", Align::Left),
        ("symbol", Align::Left),
        ("type", Align::Left),
        ("accesses", Align::Right),
        ("fast", Align::Right),
        ("slow", Align::Right),
        ("reasons", Align::Left),
        ("disasm", Align::Left),
    ]);
    for m in &mem {
        t.rows.push(vec![
            format!("0x{:x}", m.pc),
            clip(m.symbol.as_deref().unwrap_or("?"), NAME_WIDTH),
            m.access.clone(),
            accesses(m).to_string(),
            m.count("fast").to_string(),
            m.count("slow").to_string(),
            reasons_text(m),
            m.disasm.clone(),
        ]);
    }
    t.write(out)?;

    // Hot pages.
    let by_total = matches!(key, SortKey::Accesses | SortKey::Insns);
    let mut pages: Vec<_> = p.pages.iter().collect();
    let total = |g: &format::PageCount| g.read.saturating_add(g.write);
    let slow = |g: &format::PageCount| g.read_slow.saturating_add(g.write_slow);
    pages.sort_by(|a, b| {
        let (ka, kb) = if by_total {
            ((total(a), slow(a)), (total(b), slow(b)))
        } else {
            ((slow(a), total(a)), (slow(b), total(b)))
        };
        kb.cmp(&ka).then(a.page.cmp(&b.page))
    });
    let all = pages.len();
    take(&mut pages, top);
    writeln!(out)?;
    writeln!(
        out,
        "hot pages ({}, by {}):",
        shown(pages.len(), all, "pages"),
        if by_total {
            "total, then slow"
        } else {
            "slow, then total"
        }
    )?;
    let mut t = Table::new(&[
        ("page", Align::Left),
        ("total", Align::Right),
        ("slow", Align::Right),
        ("read", Align::Right),
        ("read_slow", Align::Right),
        ("write", Align::Right),
        ("write_slow", Align::Right),
        ("region", Align::Left),
    ]);
    for g in &pages {
        t.rows.push(vec![
            format!("0x{:x}", g.page),
            total(g).to_string(),
            slow(g).to_string(),
            g.read.to_string(),
            g.read_slow.to_string(),
            g.write.to_string(),
            g.write_slow.to_string(),
            g.region.clone(),
        ]);
    }
    t.write(out)?;

    // TLBs.
    writeln!(out)?;
    writeln!(out, "TLB per MMU index:")?;
    let mut t = Table::new(&[
        ("index", Align::Right),
        ("name", Align::Left),
        ("hits", Align::Right),
        ("misses", Align::Right),
        ("hit rate", Align::Right),
        ("victim_hits", Align::Right),
        ("fills", Align::Right),
        ("flushes", Align::Right),
        ("page_flushes", Align::Right),
        ("resizes", Align::Right),
        ("entries", Align::Right),
    ]);
    for x in &p.tlb {
        t.rows.push(vec![
            x.index.to_string(),
            x.name.clone(),
            x.hits.to_string(),
            x.misses.to_string(),
            percent_digits(x.hits, x.hits.saturating_add(x.misses), 2),
            x.victim_hits.to_string(),
            x.fills.to_string(),
            x.flushes.to_string(),
            x.page_flushes.to_string(),
            x.resizes.to_string(),
            x.entries.to_string(),
        ]);
    }
    t.write(out)?;

    // Hot code: functions, then blocks.
    let mut funcs: Vec<_> = p.functions.iter().collect();
    funcs.sort_by(|a, b| b.total.cmp(&a.total).then(a.name.cmp(&b.name)));
    let code_total: u64 = p.functions.iter().map(|f| f.total).sum();
    let all = funcs.len();
    take(&mut funcs, top);
    let mut tiers: Vec<&str> = funcs
        .iter()
        .flat_map(|f| f.tiers.keys().map(String::as_str))
        .collect();
    tiers.sort_by_key(|t| tier_rank(t));
    tiers.dedup();
    writeln!(out)?;
    writeln!(
        out,
        "hot code: functions ({}, by instructions):",
        shown(funcs.len(), all, "functions")
    )?;
    let mut cols = vec![
        ("function", Align::Left),
        ("insns", Align::Right),
        ("share", Align::Right),
    ];
    cols.extend(tiers.iter().map(|t| (*t, Align::Right)));
    cols.push(("slow accesses", Align::Right));
    let mut t = Table::new(&cols);
    for f in &funcs {
        let mut row = vec![
            clip(&f.name, NAME_WIDTH),
            f.total.to_string(),
            percent(f.total, code_total),
        ];
        row.extend(
            tiers
                .iter()
                .map(|t| f.tiers.get(*t).copied().unwrap_or(0).to_string()),
        );
        row.push(f.slow_accesses.to_string());
        t.rows.push(row);
    }
    t.write(out)?;

    let insns = |b: &format::BlockCount| b.entries.saturating_mul(b.len);
    let mut blocks: Vec<_> = p.blocks.iter().collect();
    blocks.sort_by(|a, b| {
        insns(b)
            .cmp(&insns(a))
            .then(a.pc.cmp(&b.pc))
            .then(a.tier.cmp(&b.tier))
    });
    let all = blocks.len();
    take(&mut blocks, top);
    writeln!(out)?;
    writeln!(
        out,
        "hot code: blocks ({}, by entries*len):",
        shown(blocks.len(), all, "blocks")
    )?;
    let mut t = Table::new(&[
        ("pc", Align::Left),
        ("symbol", Align::Left),
        ("tier", Align::Left),
        ("len", Align::Right),
        ("entries", Align::Right),
        ("insns", Align::Right),
    ]);
    for b in &blocks {
        t.rows.push(vec![
            format!("0x{:x}", b.pc),
            clip(b.symbol.as_deref().unwrap_or("?"), NAME_WIDTH),
            b.tier.clone(),
            b.len.to_string(),
            b.entries.to_string(),
            insns(b).to_string(),
        ]);
    }
    t.write(out)?;

    // JIT.
    if let Some(j) = &p.jit {
        writeln!(out)?;
        writeln!(out, "JIT:")?;
        writeln!(
            out,
            "  compiled       {} TBs, {} regions ({} blocks) in {:.3} s, {} bytes of host code",
            j.tbs_compiled, j.regions, j.region_blocks, j.compile_seconds, j.code_bytes
        )?;
        writeln!(
            out,
            "  TB entries     {} linked in generated code (chained exits, back edges), {} from the dispatcher",
            j.chained_entries, j.tb_runs,
        )?;
        writeln!(
            out,
            "  dispatcher     {} through its jump cache, {} by lookup ({} from the jump cache)",
            j.jc_hits,
            j.dispatcher_lookups,
            percent(j.jc_hits, j.jc_hits.saturating_add(j.dispatcher_lookups))
        )?;
        let inval: Vec<String> = j
            .invalidations
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        writeln!(
            out,
            "  invalidations  {}",
            if inval.is_empty() {
                "none".to_string()
            } else {
                inval.join(" ")
            }
        )?;
    }
    Ok(())
}

/// One frame of a folded stack: no `;` (the separator), no control
/// characters, single spaces, and no trailing number (it would be read as
/// a sample count).
pub fn frame_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            ';' => ':',
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end();
    if out.is_empty() {
        return "[unnamed]".into();
    }
    match out.rfind(' ') {
        Some(i) if out[i + 1..].chars().all(|c| c.is_ascii_digit() || c == '.') => {
            out.replace(' ', "_")
        }
        _ => out.to_string(),
    }
}

fn stack(frames: &[&str]) -> String {
    frames
        .iter()
        .map(|f| frame_name(f))
        .collect::<Vec<_>>()
        .join(";")
}

/// Folded stacks (`frames`, count) of guest instructions executed:
/// `tier;function;0xPC` for the blocks of generated code (entries × len),
/// `tier;function` for the rest of a tier's count in that function (all of
/// it for tiers without blocks: interp, reference). Zero counts are left
/// out; sorted by stack.
pub fn code_flame_lines(p: &Profile) -> Vec<(String, u64)> {
    let mut code: BTreeMap<(String, String), u64> = BTreeMap::new();
    for c in &p.code {
        let e = code
            .entry((c.tier.clone(), function_of(c.symbol.as_deref(), c.pc)))
            .or_default();
        *e = e.saturating_add(c.count);
    }
    let mut lines: BTreeMap<String, u64> = BTreeMap::new();
    let mut in_blocks: BTreeMap<(String, String), u64> = BTreeMap::new();
    for b in &p.blocks {
        let n = b.entries.saturating_mul(b.len);
        if n == 0 {
            continue;
        }
        let func = function_of(b.symbol.as_deref(), b.pc);
        let e = lines
            .entry(stack(&[&b.tier, &func, &format!("0x{:x}", b.pc)]))
            .or_default();
        *e = e.saturating_add(n);
        let e = in_blocks.entry((b.tier.clone(), func)).or_default();
        *e = e.saturating_add(n);
    }
    for ((tier, func), n) in &code {
        let rest = n.saturating_sub(
            in_blocks
                .get(&(tier.clone(), func.clone()))
                .copied()
                .unwrap_or(0),
        );
        if rest > 0 {
            let e = lines.entry(stack(&[tier, func])).or_default();
            *e = e.saturating_add(rest);
        }
    }
    lines.into_iter().collect()
}

/// Folded stacks (`frames`, count) of slow-path data accesses:
/// `function;reason` per reason, and `function;[slow path, no other
/// reason]` for the slow accesses beyond the reasons' sum, so a function's
/// width is its slow count (more when one access had several reasons, e.g.
/// `tlb_miss` and `mmio`). Zero counts are left out; sorted by stack.
pub fn slow_flame_lines(p: &Profile) -> Vec<(String, u64)> {
    let mut slow: BTreeMap<String, u64> = BTreeMap::new();
    let mut lines: BTreeMap<String, u64> = BTreeMap::new();
    let mut explained: BTreeMap<String, u64> = BTreeMap::new();
    for m in &p.mem_by_pc {
        let func = function_of(m.symbol.as_deref(), m.pc);
        for (r, n) in reasons(m) {
            let e = lines.entry(stack(&[&func, r])).or_default();
            *e = e.saturating_add(n);
            let e = explained.entry(func.clone()).or_default();
            *e = e.saturating_add(n);
        }
        let e = slow.entry(func).or_default();
        *e = e.saturating_add(m.count("slow"));
    }
    for (func, n) in &slow {
        let rest = n.saturating_sub(explained.get(func).copied().unwrap_or(0));
        if rest > 0 {
            let e = lines.entry(stack(&[func, NO_OTHER_REASON])).or_default();
            *e = e.saturating_add(rest);
        }
    }
    lines.into_iter().collect()
}

/// Slow-path reasons summed over all pcs, in [`format::OUTCOMES`] order
/// (then others by name), zero ones left out.
pub fn reason_totals(p: &Profile) -> Vec<(String, u64)> {
    let mut totals: Vec<(String, u64)> = Vec::new();
    for m in &p.mem_by_pc {
        for (r, n) in reasons(m) {
            match totals.iter_mut().find(|(k, _)| k == r) {
                Some((_, t)) => *t = t.saturating_add(n),
                None => totals.push((r.to_string(), n)),
            }
        }
    }
    totals.sort_by_key(|(k, _)| {
        let i = format::OUTCOMES.iter().position(|o| o == k);
        (i.unwrap_or(format::OUTCOMES.len()), k.clone())
    });
    totals
}

/// The three files `--svg OUT` writes: OUT (`.svg` added when missing),
/// OUT.slow.svg and OUT.reasons.svg (`.svg` of OUT replaced).
pub fn svg_paths(out: &Path) -> [PathBuf; 3] {
    let base: PathBuf = if out.extension().is_some_and(|e| e == "svg") {
        out.with_extension("")
    } else {
        out.to_path_buf()
    };
    let with = |suffix: &str| {
        let mut s: OsString = base.clone().into_os_string();
        s.push(suffix);
        PathBuf::from(s)
    };
    [with(".svg"), with(".slow.svg"), with(".reasons.svg")]
}

/// Writes a flame graph of `lines` to `path`; `Ok(false)` (and no file)
/// when there is nothing to draw.
fn flame_svg(
    lines: &[(String, u64)],
    title: &str,
    subtitle: &str,
    count_name: &str,
    palette: inferno::flamegraph::Palette,
    path: &Path,
) -> Result<bool, String> {
    if lines.iter().all(|(_, n)| *n == 0) {
        return Ok(false);
    }
    let text: Vec<String> = lines
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let mut opt = inferno::flamegraph::Options::default();
    opt.title = title.to_string();
    opt.subtitle = Some(subtitle.to_string());
    opt.count_name = count_name.to_string();
    opt.name_type = "Frame:".to_string();
    opt.colors = palette;
    // Colours from the names: the same picture for the same profile.
    opt.hash = true;
    let mut svg = Vec::new();
    inferno::flamegraph::from_lines(&mut opt, text.iter().map(String::as_str), &mut svg)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(true)
}

/// `1234567` as `1.2M`.
fn si(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// Draws the slow-path total and its reasons as horizontal bars (largest
/// reason first) into `path`; `Ok(false)` (and no file) when there are no
/// slow accesses.
fn reasons_svg(p: &Profile, subtitle: &str, path: &Path) -> Result<bool, String> {
    use plotters::prelude::*;

    let slow: u64 = p.mem_by_pc.iter().map(|m| m.count("slow")).sum();
    let mut bars = reason_totals(p);
    if slow == 0 && bars.is_empty() {
        return Ok(false);
    }
    bars.sort_by_key(|b| std::cmp::Reverse(b.1));
    bars.insert(0, ("slow path (all)".to_string(), slow));
    let n = bars.len();
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let label_width = bars
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0) as u32
        * 8
        + 24;
    let height = 150 + 34 * n as u32;
    let err = |e: DrawingAreaErrorKind<_>| format!("{}: {e}", path.display());
    let root = SVGBackend::new(path, (960, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, body) = root.split_vertically(58);
    top.draw(&Text::new(
        "slow-path data accesses by reason (rvdbt profile)",
        (14, 10),
        ("sans-serif", 20).into_font(),
    ))
    .map_err(err)?;
    top.draw(&Text::new(
        subtitle.to_string(),
        (14, 36),
        ("sans-serif", 13).into_font().color(&RGBColor(90, 90, 90)),
    ))
    .map_err(err)?;
    let mut chart = ChartBuilder::on(&body)
        .margin(14)
        .margin_right(40)
        .x_label_area_size(44)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0.0..max * 1.15, 0.0..n as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(8)
        .x_label_formatter(&|v| si(*v))
        .x_desc("data accesses (one slow access can have several reasons)")
        .axis_desc_style(("sans-serif", 14))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    let total_color = RGBColor(0x80, 0x80, 0x80);
    let reason_color = RGBColor(0xc4, 0x4e, 0x52);
    // Top to bottom: the slow total, then the reasons.
    let y_of = |i: usize| (n - i) as f64;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            let color = if i == 0 { total_color } else { reason_color };
            // A sliver at least, for a count too small for a pixel.
            let w = if *v > 0 {
                (*v as f64).max(max * 0.002)
            } else {
                0.0
            };
            Rectangle::new([(0.0, y_of(i) - 0.8), (w, y_of(i) - 0.2)], color.filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            EmptyElement::at((*v as f64, y_of(i) - 0.5))
                + Text::new(v.to_string(), (6, -7), ("sans-serif", 13).into_font())
        }))
        .map_err(err)?;
    for (i, (name, _)) in bars.iter().enumerate() {
        let (_, y) = chart.backend_coord(&(0.0, y_of(i) - 0.5));
        root.draw(&Text::new(
            name.clone(),
            (16, y - 8),
            ("sans-serif", 14).into_font(),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(true)
}

/// Writes the three SVGs of `--svg OUT` ([`svg_paths`]) and prints each
/// path (or that it had nothing to draw) on `log`.
pub fn write_svgs(p: &Profile, out: &Path, log: &mut dyn Write) -> Result<Vec<PathBuf>, String> {
    let [code, slow, reasons] = svg_paths(out);
    let subtitle = format!("{} (engine {})", p.program, p.engine);
    let mut written = Vec::new();
    let logged = |log: &mut dyn Write, path: &Path, drawn: bool, what: &str| {
        if drawn {
            writeln!(log, "wrote {} ({what})", path.display())
        } else {
            writeln!(log, "(nothing to draw) {}: no {what}", path.display())
        }
        .map_err(|e| format!("stdout: {e}"))
    };
    let drawn = flame_svg(
        &code_flame_lines(p),
        "guest instructions executed (rvdbt profile)",
        &subtitle,
        "instructions",
        inferno::flamegraph::Palette::Basic(inferno::flamegraph::color::BasicPalette::Hot),
        &code,
    )?;
    logged(
        log,
        &code,
        drawn,
        "guest instructions by tier, function and block",
    )?;
    if drawn {
        written.push(code);
    }
    let drawn = flame_svg(
        &slow_flame_lines(p),
        "slow-path data accesses by function and reason (rvdbt profile)",
        &subtitle,
        "accesses",
        inferno::flamegraph::Palette::Basic(inferno::flamegraph::color::BasicPalette::Mem),
        &slow,
    )?;
    logged(
        log,
        &slow,
        drawn,
        "slow-path data accesses by function and reason",
    )?;
    if drawn {
        written.push(slow);
    }
    let drawn = reasons_svg(p, &subtitle, &reasons)?;
    logged(log, &reasons, drawn, "slow-path data accesses by reason")?;
    if drawn {
        written.push(reasons);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::format::{
        BlockCount, CodeCount, FunctionCount, JitSummary, PageCount, TlbIndex,
    };

    fn mem(pc: u64, symbol: &str, access: &str, counts: &[(&str, u64)]) -> MemPc {
        MemPc {
            pc,
            symbol: Some(symbol.to_string()),
            disasm: format!("ld\ta0,0(a1) # at {pc:x}"),
            access: access.to_string(),
            counts: counts.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            ..MemPc::default()
        }
    }

    /// A small profile: three pcs in two functions, two pages, two TLB
    /// indexes, JIT blocks in `main` and `memcpy`, interp code in `_start`.
    fn sample() -> Profile {
        let mut uart = mem(
            0x8000_0100,
            "putc+0x8",
            "write",
            &[("slow", 5), ("mmio", 5), ("tlb_miss", 1)],
        );
        uart.devices.insert("uart".into(), 5);
        let code = |pc, sym: &str, tier: &str, count| CodeCount {
            pc,
            symbol: Some(sym.into()),
            disasm: "addi a0,a0,1".into(),
            tier: tier.into(),
            count,
        };
        let block = |pc, sym: &str, len, entries| BlockCount {
            pc,
            symbol: Some(sym.into()),
            tier: "jit".into(),
            len,
            entries,
        };
        let func = |name: &str, tiers: &[(&str, u64)], slow| FunctionCount {
            name: name.into(),
            tiers: tiers.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            total: tiers.iter().map(|(_, n)| n).sum(),
            slow_accesses: slow,
        };
        Profile {
            format: format::FORMAT.into(),
            engine: "jit".into(),
            program: "guest.elf".into(),
            symbols: None,
            instructions: 2_000,
            wall_seconds: 0.001,
            mem_by_pc: vec![
                // Many accesses, few slow.
                mem(
                    0x8000_0010,
                    "memcpy+0x10",
                    "read",
                    &[("fast", 900), ("slow", 3), ("tlb_miss", 3)],
                ),
                uart,
                // Few accesses, the most slow: one without a reason.
                mem(
                    0x8000_0020,
                    "memcpy+0x20",
                    "write",
                    &[("slow", 7), ("notdirty", 6)],
                ),
            ],
            pages: vec![
                PageCount {
                    page: 0x8000_0000,
                    region: "ram".into(),
                    read: 900,
                    write: 7,
                    read_slow: 3,
                    write_slow: 7,
                },
                PageCount {
                    page: 0x1000_0000,
                    region: "uart".into(),
                    write: 5,
                    write_slow: 5,
                    ..PageCount::default()
                },
            ],
            tlb: vec![
                TlbIndex {
                    index: 0,
                    name: "U".into(),
                    hits: 900,
                    misses: 4,
                    fills: 4,
                    entries: 4,
                    ..TlbIndex::default()
                },
                TlbIndex {
                    index: 3,
                    name: "M".into(),
                    hits: 10,
                    ..TlbIndex::default()
                },
            ],
            code: vec![
                code(0x8000_0000, "_start+0x0", "interp", 40),
                code(0x8000_0004, "_start+0x4", "interp", 60),
                code(0x8000_0010, "memcpy+0x10", "jit", 1_500),
                code(0x8000_0040, "main+0x0", "jit", 400),
            ],
            blocks: vec![
                block(0x8000_0010, "memcpy+0x10", 5, 300),
                block(0x8000_0040, "main+0x0", 4, 100),
            ],
            functions: vec![
                func("_start", &[("interp", 100)], 0),
                func("memcpy", &[("jit", 1_500)], 10),
                func("main", &[("jit", 400)], 0),
            ],
            jit: Some(JitSummary {
                tbs_compiled: 2,
                code_bytes: 512,
                tb_runs: 400,
                jc_hits: 30,
                dispatcher_lookups: 10,
                invalidations: [("code_write".to_string(), 1), ("flush".to_string(), 0)]
                    .into_iter()
                    .collect(),
                ..JitSummary::default()
            }),
        }
    }

    fn summary(p: &Profile, top: usize, sort: &str) -> String {
        let mut out = Vec::new();
        print_summary(p, top, sort, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The lines of the section whose heading starts with `heading`,
    /// without the heading and the column header.
    fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
        text.lines()
            .skip_while(|l| !l.starts_with(heading))
            .skip(2)
            .take_while(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn report_summary_orders_memory_rows_by_the_sort_key() {
        let p = sample();
        let by_slow = summary(&p, 20, "slow");
        let rows = section(&by_slow, "hot memory paths");
        assert_eq!(rows.len(), 3, "{by_slow}");
        for (row, pc) in rows.iter().zip(["0x80000020", "0x80000100", "0x80000010"]) {
            assert!(
                row.trim_start().starts_with(pc),
                "{row} (want {pc})\n{by_slow}"
            );
        }
        assert!(rows[1].contains("mmio=5(uart)"), "{by_slow}");
        assert!(rows[1].contains("tlb_miss=1 mmio=5(uart)"), "{by_slow}");
        assert!(rows[0].contains("notdirty=6"), "{by_slow}");
        assert!(!rows[0].contains("fast="), "{by_slow}");
        // objdump's tab is a space: the columns stay aligned.
        assert!(!by_slow.contains('\t'));
        assert!(rows[0].ends_with("ld a0,0(a1) # at 80000020"), "{by_slow}");

        let by_accesses = summary(&p, 20, "accesses");
        let rows = section(&by_accesses, "hot memory paths");
        for (row, pc) in rows.iter().zip(["0x80000010", "0x80000020", "0x80000100"]) {
            assert!(row.trim_start().starts_with(pc), "{row} (want {pc})");
        }
        // `insns`: memory rows by accesses too.
        let by_insns = summary(&p, 20, "insns");
        assert_eq!(
            section(&by_insns, "hot memory paths"),
            section(&by_accesses, "hot memory paths")
        );

        // --top 1 keeps the first row only.
        let top1 = summary(&p, 1, "slow");
        let rows = section(&top1, "hot memory paths");
        assert_eq!(rows.len(), 1);
        assert!(rows[0].trim_start().starts_with("0x80000020"));
        assert!(
            top1.contains("hot memory paths (top 1 of 3 pcs, by slow)"),
            "{top1}"
        );
    }

    #[test]
    fn report_summary_has_every_section_aligned() {
        let p = sample();
        let text = summary(&p, 20, "slow");
        for needle in [
            "engine        jit",
            "program       guest.elf",
            "instructions  2000",
            "MIPS          2.0",
            "hot memory paths",
            "hot pages",
            "TLB per MMU index:",
            "hot code: functions",
            "hot code: blocks",
            "JIT:",
            "30 through its jump cache, 10 by lookup (75.0% from the jump cache)",
            "invalidations  code_write=1\n",
        ] {
            assert!(text.contains(needle), "missing {needle:?}:\n{text}");
        }
        // Pages: the most slow first; by total with `accesses`.
        let pages = section(&text, "hot pages");
        assert!(pages[0].trim_start().starts_with("0x80000000"));
        assert!(pages[1].trim_start().starts_with("0x10000000") && pages[1].ends_with("uart"));
        // Functions by instructions, tiers as columns.
        let head: &str = text
            .lines()
            .skip_while(|l| !l.starts_with("hot code: functions"))
            .nth(1)
            .unwrap();
        assert!(head.contains("interp") && head.contains("jit"), "{head}");
        let funcs = section(&text, "hot code: functions");
        let names: Vec<&str> = funcs
            .iter()
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(names, ["memcpy", "main", "_start"]);
        assert!(funcs[0].contains("75.0%"), "{}", funcs[0]);
        // Blocks by entries*len.
        let blocks = section(&text, "hot code: blocks");
        assert!(blocks[0].contains("memcpy+0x10") && blocks[0].ends_with("1500"));
        // Columns line up: every TLB row as long as its header's columns.
        let tlb: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("TLB per MMU index"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(tlb.len(), 3);
        assert!(tlb.iter().all(|l| l.len() == tlb[0].len()), "{tlb:#?}");
    }

    #[test]
    fn report_unknown_sort_key_is_an_error() {
        let mut out = Vec::new();
        let e = print_summary(&sample(), 20, "bogus", &mut out).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        let msg = e.to_string();
        for k in format::OUTCOMES.iter().chain(EXTRA_SORT_KEYS.iter()) {
            assert!(msg.contains(k), "{msg}");
        }
    }

    #[test]
    fn report_sort_help_names_every_key() {
        use clap::Args;
        let mut cmd = ReportArgs::augment_args(clap::Command::new("report"));
        let help = cmd.render_long_help().to_string();
        for k in format::OUTCOMES.iter().chain(EXTRA_SORT_KEYS.iter()) {
            assert!(help.contains(k), "--sort help misses {k}:\n{help}");
        }
    }

    #[test]
    fn report_empty_profile_prints_and_draws_nothing() {
        let p = Profile {
            format: format::FORMAT.into(),
            ..Profile::default()
        };
        let text = summary(&p, 20, "slow");
        assert!(
            text.contains("hot memory paths (0 pcs, by slow):\n  (none)"),
            "{text}"
        );
        assert!(text.contains("MIPS          -"));
        assert!(code_flame_lines(&p).is_empty());
        assert!(slow_flame_lines(&p).is_empty());
        let dir = scratch("empty");
        let mut log = Vec::new();
        let written = write_svgs(&p, &dir.join("out.svg"), &mut log).unwrap();
        assert!(written.is_empty());
        let log = String::from_utf8(log).unwrap();
        assert_eq!(log.matches("(nothing to draw)").count(), 3, "{log}");
        assert!(!dir.join("out.svg").exists());
    }

    #[test]
    fn report_code_flame_lines_sum_to_instructions() {
        let p = sample();
        let lines = code_flame_lines(&p);
        assert_eq!(
            lines,
            vec![
                ("interp;_start".to_string(), 100),
                ("jit;main;0x80000040".to_string(), 400),
                ("jit;memcpy;0x80000010".to_string(), 1500),
            ]
        );
        let code: u64 = p.code.iter().map(|c| c.count).sum();
        assert_eq!(lines.iter().map(|(_, n)| n).sum::<u64>(), code);

        // JIT code not covered by a listed block stays at `tier;function`.
        let mut q = p.clone();
        q.blocks.pop();
        let lines = code_flame_lines(&q);
        assert!(lines.contains(&("jit;main".to_string(), 400)), "{lines:?}");
        assert_eq!(lines.iter().map(|(_, n)| n).sum::<u64>(), code);
    }

    #[test]
    fn report_slow_flame_lines_sum_to_slow_counts() {
        let p = sample();
        let lines = slow_flame_lines(&p);
        assert_eq!(
            lines,
            vec![
                ("memcpy;[slow path, no other reason]".to_string(), 1),
                ("memcpy;notdirty".to_string(), 6),
                ("memcpy;tlb_miss".to_string(), 3),
                ("putc;mmio".to_string(), 5),
                ("putc;tlb_miss".to_string(), 1),
            ]
        );
        // memcpy: 3 + 7 slow, all drawn. putc: 5 slow with 6 reasons (one
        // access had a TLB miss and reached the UART), so wider than slow.
        let width = |f: &str| -> u64 {
            lines
                .iter()
                .filter(|(s, _)| s.starts_with(&format!("{f};")))
                .map(|(_, n)| n)
                .sum()
        };
        assert_eq!(width("memcpy"), 10);
        assert_eq!(width("putc"), 6);
        assert_eq!(
            reason_totals(&p),
            vec![
                ("tlb_miss".to_string(), 4),
                ("mmio".to_string(), 5),
                ("notdirty".to_string(), 6)
            ]
        );
    }

    #[test]
    fn report_frame_names_are_sanitized() {
        assert_eq!(frame_name("a;b\nc"), "a:b c");
        assert_eq!(frame_name("  x\t\ty  "), "x y");
        assert_eq!(frame_name(""), "[unnamed]");
        assert_eq!(frame_name("\n"), "[unnamed]");
        // A trailing number would be read as a second sample count.
        assert_eq!(frame_name("operator new 2"), "operator_new_2");
        assert_eq!(function_of(Some("a+b+0x10"), 0), "a+b");
        assert_eq!(function_of(Some("plain"), 0), "plain");
        assert_eq!(function_of(None, 0x8000_1234), "[unknown 0x80001000]");

        let mut p = sample();
        p.code[0].symbol = Some("we;ird\nname+0x0".into());
        p.mem_by_pc[0].symbol = Some("odd;fn 12+0x4".into());
        for (s, _) in code_flame_lines(&p).iter().chain(&slow_flame_lines(&p)) {
            assert!(!s.contains('\n'));
            assert!(!s.split(';').any(|f| f.is_empty() || f.contains(';')));
        }
        assert!(code_flame_lines(&p)
            .iter()
            .any(|(s, n)| s == "interp;we:ird name" && *n == 40));
        assert!(slow_flame_lines(&p)
            .iter()
            .any(|(s, _)| s == "odd:fn_12;tlb_miss"));
    }

    #[test]
    fn report_svg_paths_add_suffixes() {
        let [a, b, c] = svg_paths(Path::new("/x/out.svg"));
        assert_eq!(a, Path::new("/x/out.svg"));
        assert_eq!(b, Path::new("/x/out.slow.svg"));
        assert_eq!(c, Path::new("/x/out.reasons.svg"));
        let [a, b, _] = svg_paths(Path::new("prof"));
        assert_eq!(a, Path::new("prof.svg"));
        assert_eq!(b, Path::new("prof.slow.svg"));
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rvdbt-report-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn report_svgs_are_written_with_the_names() {
        let p = sample();
        let dir = scratch("svg");
        let mut log = Vec::new();
        let written = write_svgs(&p, &dir.join("prof.svg"), &mut log).unwrap();
        let log = String::from_utf8(log).unwrap();
        assert_eq!(written, svg_paths(&dir.join("prof.svg")).to_vec(), "{log}");
        for path in &written {
            assert!(log.contains(&path.display().to_string()), "{log}");
            let text = std::fs::read_to_string(path).unwrap();
            assert!(
                text.starts_with("<?xml") || text.starts_with("<svg"),
                "{}: {}",
                path.display(),
                &text[..80.min(text.len())]
            );
            assert!(text.trim_end().ends_with("</svg>"), "{}", path.display());
        }
        let read = |i: usize| std::fs::read_to_string(&written[i]).unwrap();
        let code = read(0);
        for needle in [
            "guest instructions executed (rvdbt profile)",
            "memcpy",
            "main",
            "_start",
            "0x80000010",
            "instructions",
        ] {
            assert!(code.contains(needle), "code flame graph misses {needle}");
        }
        let slow = read(1);
        for needle in [
            "memcpy",
            "putc",
            "notdirty",
            "mmio",
            "[slow path, no other reason]",
        ] {
            assert!(slow.contains(needle), "slow flame graph misses {needle}");
        }
        let chart = read(2);
        for needle in [
            "slow-path data accesses by reason",
            "tlb_miss",
            "mmio",
            "notdirty",
            "slow path (all)",
            "data accesses",
        ] {
            assert!(chart.contains(needle), "reasons chart misses {needle}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Comparing and reporting.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

use frontend_riscv::{decode, disasm};
use runtime::RunExit;

use super::assembly::Assembled;
use super::block::{BlockSpec, INIT_CSR_NAMES};
use super::machine::{scalar_names, Runner, Snapshot, SCALAR_PRIV};
use super::memory_map::{ABI, DATA_HI, DATA_LO, HANDLER, HANDLER_DONE, MEM_REGIONS};

thread_local! {
    /// Set while `run_all` catches panics on this thread.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic happened.
    pub(super) static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Wraps the panic hook once: panics caught by `run_all` are recorded
/// (location) instead of printed, so shrinking a panic stays quiet; every
/// other panic goes to the previous hook as before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let at = info.location().map(|l| l.to_string());
                PANIC_LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `block` on every runner. A runner that panics yields a snapshot
/// holding the panic message (its machine is reset by the next block).
pub fn run_all(runners: &mut [Box<dyn Runner>], block: &Assembled) -> Vec<Snapshot> {
    install_panic_hook();
    runners
        .iter_mut()
        .map(|r| {
            CATCHING.with(|c| c.set(true));
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| r.run(block)));
            CATCHING.with(|c| c.set(false));
            result.unwrap_or_else(|p| Snapshot::panicked(&*p))
        })
        .collect()
}

/// How the runs of one block failed: which runners panicked, which
/// disagree with the reference (the first). `None` when all is well.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Failure {
    panicked: Vec<bool>,
    differs: Vec<bool>,
}

pub(super) fn failure(snaps: &[Snapshot]) -> Option<Failure> {
    let f = Failure {
        panicked: snaps.iter().map(|s| s.panic.is_some()).collect(),
        differs: snaps.iter().map(|s| s != &snaps[0]).collect(),
    };
    (f.panicked.contains(&true) || f.differs.contains(&true)).then_some(f)
}

pub(super) fn diverges(snaps: &[Snapshot]) -> bool {
    failure(snaps).is_some()
}

/// Every difference between `a` (engine `an`) and `b` (engine `bn`), one per line.
pub fn differences(a: &Snapshot, b: &Snapshot, an: &str, bn: &str) -> Vec<String> {
    let mut d = Vec::new();
    if a.panic.is_some() || b.panic.is_some() {
        for (name, s) in [(an, a), (bn, b)] {
            if let Some(p) = &s.panic {
                d.push(format!(
                    "{name} PANICKED (a host panic on guest input): {p}"
                ));
            }
        }
        return d;
    }
    if a.exit != b.exit {
        d.push(format!("run result: {an} {:?}, {bn} {:?}", a.exit, b.exit));
    }
    if a.insns != b.insns {
        d.push(format!(
            "instructions executed: {an} {}, {bn} {}",
            a.insns, b.insns
        ));
    }
    for (i, name) in scalar_names().iter().enumerate() {
        if a.scalars[i] != b.scalars[i] {
            d.push(format!(
                "{name}: {an} {:#x}, {bn} {:#x}",
                a.scalars[i], b.scalars[i]
            ));
        }
    }
    for (r, &(lo, _)) in MEM_REGIONS.iter().enumerate() {
        let (x, y) = (&a.mem[r], &b.mem[r]);
        let mut j = 0;
        let mut shown = 0;
        while j < x.len() {
            if x[j] == y[j] {
                j += 1;
                continue;
            }
            let start = j;
            while j < x.len() && j < start + 16 && x[j] != y[j] {
                j += 1;
            }
            if shown < 8 {
                d.push(format!(
                    "memory {:#x}..{:#x}: {an} {:02x?}, {bn} {:02x?}",
                    lo + start as u64,
                    lo + j as u64,
                    &x[start..j],
                    &y[start..j]
                ));
            }
            shown += 1;
        }
        if shown > 8 {
            d.push(format!("... {} more differing memory ranges", shown - 8));
        }
    }
    d
}

fn priv_name(p: u64) -> &'static str {
    match p {
        0 => "U",
        1 => "S",
        3 => "M",
        _ => "?",
    }
}

/// The listing of an assembled block: address, encoding, disassembly.
pub fn listing(asm: &Assembled) -> String {
    let mut s = String::new();
    for l in &asm.lines {
        let d = decode(l.enc.bits);
        let raw = if l.enc.len == 2 {
            format!("{:04x}    ", l.enc.bits)
        } else {
            format!("{:08x}", l.enc.bits)
        };
        let mark = if l.addr == asm.end {
            "   <- end of block"
        } else {
            ""
        };
        let _ = writeln!(s, "  {:#010x}: {raw}  {}{mark}", l.addr, disasm(&d, l.addr));
    }
    s
}

/// Why the reference run of a block ended.
pub fn end_reason(asm: &Assembled, s: &Snapshot) -> &'static str {
    match s.exit {
        Some(RunExit::InsnLimit) => return "instruction limit",
        None => return "reset",
        Some(RunExit::Exited(c)) if c != 0 || s.pc() != HANDLER_DONE => return "finisher",
        _ => {}
    }
    let cause = s.csr("mcause");
    if cause >> 63 == 1 {
        return "interrupt";
    }
    match cause {
        8 | 9 | 11 if s.csr("mepc") == asm.end => "completed",
        0 => "instruction address misaligned",
        1 => "instruction access fault",
        2 => "illegal instruction",
        3 => "breakpoint",
        4 => "load address misaligned",
        5 => "load access fault",
        6 => "store/AMO address misaligned",
        7 => "store/AMO access fault",
        8 => "ecall from U",
        9 => "ecall from S",
        11 => "ecall from M",
        12 => "instruction page fault",
        13 => "load page fault",
        15 => "store/AMO page fault",
        _ => "other",
    }
}

/// Runs `spec` on every runner and describes the block, its initial state,
/// the reference's outcome and how every other runner differs.
pub fn report(runners: &mut [Box<dyn Runner>], spec: &BlockSpec) -> String {
    let asm = spec.assemble();
    let snaps = run_all(runners, &asm);
    let names: Vec<String> = runners.iter().map(|r| r.name()).collect();
    let mut s = String::new();
    let init = &spec.init;
    let _ = writeln!(
        s,
        "block: {} items, {} instructions, privilege {:?}, first instruction at {:#x}",
        spec.items.len(),
        asm.lines.len() - 2,
        init.prv,
        asm.pc
    );
    s.push_str(&listing(&asm));
    let _ = writeln!(s, "initial registers:");
    for row in 0..8 {
        let mut line = String::new();
        for col in 0..4 {
            let i = row * 4 + col;
            if i == 0 {
                let _ = write!(line, "  {:>18}    ", "");
                continue;
            }
            let _ = write!(line, "  {:>4}={:#018x}", ABI[i], init.x[i]);
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let _ = writeln!(
        s,
        "initial f registers (fcsr={:#04x}: frm={} fflags={:#07b}):",
        init.fcsr,
        init.fcsr >> 5 & 7,
        init.fcsr & 0x1f
    );
    for row in 0..8 {
        let mut line = String::new();
        for col in 0..4 {
            let i = row * 4 + col;
            let _ = write!(line, "  {:>4}={:#018x}", format!("f{i}"), init.f[i]);
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let bases: Vec<String> = init
        .bases
        .iter()
        .map(|(r, k)| format!("{}:{k:?}", ABI[r.idx()]))
        .collect();
    let _ = writeln!(s, "base registers: {}", bases.join(" "));
    let csrs: Vec<String> = (0..INIT_CSR_NAMES.len())
        .map(|i| format!("{}={:#x}", INIT_CSR_NAMES[i], init.csrs.field(i)))
        .collect();
    let _ = writeln!(s, "initial CSRs: {} mtvec={HANDLER:#x}", csrs.join(" "));
    let _ = writeln!(
        s,
        "data area {DATA_LO:#x}..{DATA_HI:#x}: {}",
        match init.data {
            Some(o) => format!("random pool at offset {o}"),
            None => "zeros".to_string(),
        }
    );
    let r = &snaps[0];
    if let Some(p) = &r.panic {
        let _ = writeln!(s, "{} panicked: {p}", names[0]);
    } else {
        // Zero means the runners do not count instructions.
        let ran = match r.insns {
            0 => "?".to_string(),
            n => n.to_string(),
        };
        let _ = writeln!(
            s,
            "{} ran {ran} instructions: {:?}, {}",
            names[0],
            r.exit,
            end_reason(&asm, r),
        );
        let _ = writeln!(
            s,
            "  then pc={:#x} privilege={} mcause={:#x} mepc={:#x} mtval={:#x}",
            r.pc(),
            priv_name(r.scalars[SCALAR_PRIV]),
            r.csr("mcause"),
            r.csr("mepc"),
            r.csr("mtval")
        );
    }
    for (other, name) in snaps.iter().zip(&names).skip(1) {
        let d = differences(r, other, &names[0], name);
        if d.is_empty() {
            let _ = writeln!(s, "{name} agrees with {}", names[0]);
        } else {
            let _ = writeln!(s, "{name} differs from {}:", names[0]);
            for line in d {
                let _ = writeln!(s, "  {line}");
            }
        }
    }
    s
}

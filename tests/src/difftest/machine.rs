//! Machines, runners and snapshots.

use std::sync::OnceLock;

use frontend_riscv::{AluOp, CsrOp, Insn, Reg, StoreOp};
use runtime::hart::{Csrs, Exception};
use runtime::interp;
use runtime::loader::{Image, Segment};
use runtime::{Config, Engine, Machine, RunExit};
use softmmu::GuestPhysAddr;

use super::assembly::Assembled;
use super::compare::PANIC_LOCATION;
use super::encoder::Enc;
use super::memory_map::{
    ABI, BLOCK_INSN_LIMIT, CODE_BASE, CSR_SCAUSE, CSR_STVAL, DATA_HI, DATA_LEN, DATA_LO, FINISHER,
    HANDLER, HANDLER_DONE, MEM_REGIONS, RAM_END, RAM_SIZE, ROM_RETURN, TAIL,
};
use super::rng::Rng;

pub(super) const POOL_LEN: usize = DATA_LEN + 0x8000;

/// A fixed pool of random data the data area is filled from.
fn pool() -> &'static [u8] {
    static POOL: OnceLock<Vec<u8>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut rng = Rng::new(0xda7a_da7a);
        let mut v = Vec::with_capacity(POOL_LEN);
        while v.len() < POOL_LEN {
            v.extend_from_slice(&rng.value().to_le_bytes());
        }
        v
    })
}

fn data_bytes(d: Option<usize>) -> &'static [u8] {
    static ZEROS: [u8; DATA_LEN] = [0; DATA_LEN];
    match d {
        Some(o) => &pool()[o..o + DATA_LEN],
        None => &ZEROS,
    }
}

/// The fixed code: the trap handler at `HANDLER`, an `ecall` at `ROM_RETURN`.
fn fixed_code() -> Vec<u8> {
    let (t0, t1) = (Reg(5), Reg(6));
    let handler = [
        Insn::Csr {
            op: CsrOp::Rw,
            rd: Reg::ZERO,
            rs1: t0,
            csr: CSR_STVAL,
        },
        Insn::Csr {
            op: CsrOp::Rw,
            rd: Reg::ZERO,
            rs1: t1,
            csr: CSR_SCAUSE,
        },
        Insn::Lui {
            rd: t0,
            imm: FINISHER as i64,
        },
        Insn::Lui {
            rd: t1,
            imm: 0x5000,
        },
        Insn::OpImm32 {
            op: AluOp::Add,
            rd: t1,
            rs1: t1,
            imm: 0x555,
        },
        Insn::Store {
            op: StoreOp::Sw,
            rs1: t0,
            rs2: t1,
            offset: 0,
        },
        Insn::Jal {
            rd: Reg::ZERO,
            offset: 0,
        },
    ];
    let mut bytes = vec![0u8; (ROM_RETURN - HANDLER + 4) as usize];
    for (i, insn) in handler.iter().enumerate() {
        bytes[4 * i..4 * i + 4].copy_from_slice(&Enc::of(*insn).bits.to_le_bytes());
    }
    debug_assert_eq!(HANDLER + 4 * 6, HANDLER_DONE);
    let at = (ROM_RETURN - HANDLER) as usize;
    bytes[at..at + 4].copy_from_slice(&Enc::of(Insn::Ecall).bits.to_le_bytes());
    bytes
}

/// Builds the machine every block of one engine runs on.
pub fn build_machine(engine: Engine) -> Machine {
    build_machine_with(engine, false)
}

/// Like [`build_machine`]; with `guarded`, RAM sits behind WorldGuard
/// checkers in their reset state, which grant everything to the hart's
/// world: results must not change, but every access takes the lazy IOMMU
/// translation path (fill, late walk, IOTLB, patching).
pub fn build_machine_with(engine: Engine, guarded: bool) -> Machine {
    let mut cfg = Config::new("differential-test-block");
    cfg.engine = engine;
    cfg.ram_size = RAM_SIZE;
    if guarded {
        cfg.worldguard = Some(runtime::machine::WgOptions::default());
    }
    let image = Image {
        entry: ROM_RETURN,
        segments: vec![Segment::new(HANDLER, fixed_code())],
        tohost: None,
        fromhost: None,
    };
    Machine::from_image(&cfg, image, Box::new(std::io::sink()))
        .expect("the differential-test machine builds")
}

/// Drops whatever decoded or translated code the engines keep for the
/// pages softmmu reports as written: the harness writes code from the host,
/// which no engine sees on its own. A new engine with a code cache of its
/// own must be told here too.
fn forget_stale_code(m: &mut Machine) {
    let pages = m.mmu.take_dirty_code();
    if pages.is_empty() {
        return;
    }
    m.icache.invalidate(&pages);
    if let Some(jit) = m.jit.as_mut() {
        jit.invalidate(&pages, &mut m.icache);
    }
}

/// Writes guest RAM from the host, telling softmmu (`note_external_write`)
/// so that every engine drops decoded or translated code the bytes
/// overlap: no block may run stale code of an earlier one.
fn host_write(m: &mut Machine, at: u64, bytes: &[u8]) {
    m.mmu
        .note_external_write(GuestPhysAddr(at), bytes.len() as u64);
    m.mmu
        .space
        .load_bytes(GuestPhysAddr(at), bytes)
        .expect("harness memory is RAM");
}

/// Puts the block and its initial state into `m`.
pub fn load_block(m: &mut Machine, b: &Assembled) {
    host_write(m, CODE_BASE, &b.code);
    let fixed = fixed_code();
    if m.mmu.space.peek_bytes(GuestPhysAddr(HANDLER), fixed.len()) != Some(&fixed[..]) {
        host_write(m, HANDLER, &fixed);
    }
    host_write(m, DATA_LO, data_bytes(b.init.data));
    host_write(m, RAM_END - TAIL, &[0; TAIL as usize]);
    forget_stale_code(m);

    let h = &mut m.hart;
    h.reset(b.pc);
    h.state.x = b.init.x;
    h.state.x[0] = 0;
    h.state.f = b.init.f;
    h.state.fcsr = b.init.fcsr & 0xff;
    h.prv = b.init.prv;
    b.init.csrs.apply(&mut h.csr);
    m.mmu.flush_all();
}

/// The state after a block, in a form that compares field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// What `Machine::run` returned (`None`: a reset request).
    pub exit: Option<RunExit>,
    /// Instructions executed, including the ones that trapped.
    pub insns: u64,
    /// Registers, pc, privilege, reservation, CSRs: see [`scalar_names`].
    pub scalars: Vec<u64>,
    /// The bytes of each of `MEM_REGIONS`.
    pub mem: Vec<Vec<u8>>,
    /// The message of a host panic during the run (then nothing else is
    /// captured). Any panic is a failure: no guest action may panic the host.
    pub panic: Option<String>,
}

type CsrField = (&'static str, fn(&Csrs) -> u64);

const CSR_FIELDS: [CsrField; 28] = [
    ("mstatus", |c| c.mstatus),
    ("medeleg", |c| c.medeleg),
    ("mideleg", |c| c.mideleg),
    ("mie", |c| c.mie),
    ("mip (software bits)", |c| c.mip),
    ("mtvec", |c| c.mtvec),
    ("mcounteren", |c| c.mcounteren),
    ("mcountinhibit", |c| c.mcountinhibit),
    ("menvcfg", |c| c.menvcfg),
    ("mscratch", |c| c.mscratch),
    ("mepc", |c| c.mepc),
    ("mcause", |c| c.mcause),
    ("mtval", |c| c.mtval),
    ("stvec", |c| c.stvec),
    ("scounteren", |c| c.scounteren),
    ("senvcfg", |c| c.senvcfg),
    ("sscratch", |c| c.sscratch),
    ("sepc", |c| c.sepc),
    ("scause (saved t1)", |c| c.scause),
    ("stval (saved t0)", |c| c.stval),
    ("satp", |c| c.satp),
    ("mcycle", |c| c.mcycle),
    ("minstret", |c| c.minstret),
    ("mhartid", |c| c.mhartid),
    ("pmpcfg0-7", |c| {
        u64::from_le_bytes(c.pmp.cfg()[..8].try_into().expect("8 bytes"))
    }),
    ("pmpcfg8-15", |c| {
        u64::from_le_bytes(c.pmp.cfg()[8..].try_into().expect("8 bytes"))
    }),
    ("pmpaddr0", |c| c.pmp.addr()[0]),
    ("pmpaddr1-15 (xor)", |c| {
        c.pmp.addr()[1..].iter().fold(0, |a, v| a ^ v)
    }),
];

const SCALAR_PC: usize = 64;
pub(super) const SCALAR_PRIV: usize = 65;
const SCALAR_CSRS: usize = 70;

/// The names of [`Snapshot::scalars`], in order.
pub fn scalar_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<String> = (1..32).map(|i| format!("x{i} ({})", ABI[i])).collect();
        v.extend((0..32).map(|i| format!("f{i}")));
        v.extend(
            [
                "fcsr",
                "pc",
                "privilege",
                "reservation valid",
                "reservation address",
                "reservation size",
                "reservation value",
            ]
            .map(String::from),
        );
        debug_assert_eq!(v.len(), SCALAR_CSRS);
        v.extend(CSR_FIELDS.iter().map(|(n, _)| n.to_string()));
        v
    })
}

impl Snapshot {
    /// Captures `m`'s state after a run.
    pub fn take(m: &Machine, exit: Option<RunExit>, insns: u64) -> Snapshot {
        let h = &m.hart;
        let mut s = Vec::with_capacity(SCALAR_CSRS + CSR_FIELDS.len());
        s.extend_from_slice(&h.state.x[1..]);
        s.extend_from_slice(&h.state.f);
        s.extend([h.state.fcsr as u64, h.state.pc, h.prv as u64]);
        match h.reservation {
            Some(r) => s.extend([1, r.pa.0, r.size as u64, r.value]),
            None => s.extend([0, 0, 0, 0]),
        }
        s.extend(CSR_FIELDS.iter().map(|(_, f)| f(&h.csr)));
        let mem = MEM_REGIONS
            .iter()
            .map(|&(lo, hi)| {
                m.mmu
                    .space
                    .peek_bytes(GuestPhysAddr(lo), (hi - lo) as usize)
                    .expect("compared memory is RAM")
                    .to_vec()
            })
            .collect();
        Snapshot {
            exit,
            insns,
            scalars: s,
            mem,
            panic: None,
        }
    }

    pub(super) fn panicked(payload: &(dyn std::any::Any + Send)) -> Snapshot {
        let msg = match (
            payload.downcast_ref::<&str>(),
            payload.downcast_ref::<String>(),
        ) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => "(no message)".to_string(),
        };
        let msg = match PANIC_LOCATION.with(|l| l.take()) {
            Some(at) => format!("{msg} (at {at})"),
            None => msg,
        };
        Snapshot {
            exit: None,
            insns: 0,
            scalars: Vec::new(),
            mem: Vec::new(),
            panic: Some(msg),
        }
    }

    /// The value of the CSR field `name` (a [`CSR_FIELDS`] name prefix).
    pub fn csr(&self, name: &str) -> u64 {
        let i = CSR_FIELDS
            .iter()
            .position(|(n, _)| n.starts_with(name))
            .unwrap_or_else(|| panic!("no CSR field {name}"));
        self.scalars[SCALAR_CSRS + i]
    }

    pub fn pc(&self) -> u64 {
        self.scalars[SCALAR_PC]
    }

    /// Integer register `i` as the block left it (t0/t1 from where the
    /// handler saved them).
    pub fn x(&self, i: usize) -> u64 {
        match i {
            0 => 0,
            5 if self.pc() == HANDLER_DONE => self.csr("stval"),
            6 if self.pc() == HANDLER_DONE => self.csr("scause"),
            _ => self.scalars[i - 1],
        }
    }
}

/// Something that runs blocks: an engine's machine, or a deliberately broken one.
pub trait Runner {
    fn name(&self) -> String;
    fn run(&mut self, block: &Assembled) -> Snapshot;
    /// Engine counters worth printing after a campaign (e.g. TBs compiled).
    fn counters(&self) -> Option<String> {
        None
    }
}

/// Runs blocks with one of the runtime's engines.
pub struct EngineRunner {
    pub engine: Engine,
    pub machine: Machine,
    /// Report the number of instructions executed (`Machine::insns`, which
    /// `--max-insns` counts) for comparison. It is not architectural state;
    /// `minstret` and `mcycle` are compared either way.
    pub count_insns: bool,
    /// Give the JIT (not the tiered engine) a fresh engine every
    /// `fresh_jit` blocks (0: never). The harness rewrites the code pages
    /// for every block, so after a few blocks the JIT's SMC back-off
    /// interprets them until they are hot (only long loops compile); a
    /// fresh engine compiles every block again, at about a tenth of the speed.
    pub fresh_jit: u64,
    /// Built by [`EngineRunner::regions`].
    regions: bool,
    runs: u64,
}

impl EngineRunner {
    pub fn new(engine: Engine) -> EngineRunner {
        EngineRunner {
            engine,
            machine: build_machine(engine),
            count_insns: true,
            fresh_jit: 0,
            regions: false,
            runs: 0,
        }
    }

    /// The tiered engine with a tier-up threshold of 2 and synchronous
    /// compiles: a block run twice in tier 0 is compiled at once, grown into
    /// a region along the edges tier 0 took, and runs compiled from then on.
    /// Random blocks with loops, branches and jumps then exercise regions
    /// (internal jumps, registers in SSA values across loop back edges,
    /// exits from any block) deterministically.
    pub fn regions() -> EngineRunner {
        let mut r = EngineRunner::new(Engine::Tiered);
        r.regions = true;
        let jit = r.machine.jit.as_mut().expect("the tiered engine has a JIT");
        jit.set_tier_threshold(2);
        jit.set_sync_tier_up(true);
        r
    }

    /// A runner whose RAM is behind WorldGuard checkers that grant
    /// everything (see [`build_machine_with`]).
    pub fn guarded(engine: Engine) -> EngineRunner {
        EngineRunner {
            engine,
            machine: build_machine_with(engine, true),
            count_insns: true,
            fresh_jit: 0,
            regions: false,
            runs: 0,
        }
    }
}

impl Runner for EngineRunner {
    fn name(&self) -> String {
        let guarded = if self.machine.mmu.space.has_iommus() {
            "+guarded"
        } else {
            ""
        };
        let regions = if self.regions { "+regions" } else { "" };
        format!("{:?}{guarded}{regions}", self.engine).to_lowercase()
    }

    fn run(&mut self, block: &Assembled) -> Snapshot {
        let m = &mut self.machine;
        if self.fresh_jit > 0
            && self.engine == Engine::Jit
            && self.runs.is_multiple_of(self.fresh_jit)
        {
            if let Some(jit) = m.jit.as_mut() {
                *jit = runtime::jit_engine::JitEngine::new(false).expect("a fresh JIT engine");
            }
        }
        self.runs += 1;
        load_block(m, block);
        let start = m.insns;
        let exit = m.run(Some(start + BLOCK_INSN_LIMIT));
        let insns = if self.count_insns { m.insns - start } else { 0 };
        Snapshot::take(m, exit, insns)
    }

    fn counters(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(jit) = self.machine.jit.as_ref() {
            let c = jit.jit_stats();
            parts.push(format!(
                "{} TBs compiled in {:.1} s, {:?}",
                c.compiled,
                c.compile_time.as_secs_f64(),
                jit.stats
            ));
        }
        let m = self.machine.mmu.stats;
        if self.machine.mmu.space.has_iommus() {
            parts.push(format!(
                "iommu translations {:?} slow-path {:?} iotlb-hits {} patched {}",
                m.iommu_translations, m.iommu_slow, m.iotlb_hits, m.iommu_patched
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The runners for `engines`, in order (the first is the reference).
pub fn engine_runners(engines: &[Engine]) -> Vec<Box<dyn Runner>> {
    engines
        .iter()
        .map(|&e| Box::new(EngineRunner::new(e)) as Box<dyn Runner>)
        .collect()
}

/// Like [`engine_runners`], without comparing instruction counts.
pub fn engine_runners_uncounted(engines: &[Engine]) -> Vec<Box<dyn Runner>> {
    engines
        .iter()
        .map(|&e| {
            let mut r = EngineRunner::new(e);
            r.count_insns = false;
            Box::new(r) as Box<dyn Runner>
        })
        .collect()
}

/// A deliberate bug, for proving that the harness finds bugs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mutation {
    /// `sll` by 32 or more shifts by the amount mod 32 (a wrong shift mask).
    Sll,
    /// `sb` stores the low byte of rs2 with bit 0 flipped.
    Sb,
    /// Illegal-instruction traps write 0 to mtval instead of the encoding.
    Tval,
}

/// A reference interpreter with one deliberate bug: it steps the machine
/// itself (the same order of interrupt checks and steps as the run loop)
/// and corrupts the result of the mutated instruction.
pub struct MutantRunner {
    pub mutation: Mutation,
    machine: Machine,
}

impl MutantRunner {
    pub fn new(mutation: Mutation) -> MutantRunner {
        MutantRunner {
            mutation,
            machine: build_machine(Engine::Reference),
        }
    }

    fn step(&mut self) {
        let m = &mut self.machine;
        let (hart, mmu) = (&mut m.hart, &mut m.mmu);
        let d = match interp::fetch(hart, mmu) {
            Ok(d) => d,
            Err(e) => return hart.raise(e),
        };
        let before = hart.state.x;
        let r = interp::execute(hart, mmu, &d);
        match (self.mutation, d.insn, &r) {
            (
                Mutation::Sll,
                Insn::Op {
                    op: AluOp::Sll,
                    rd,
                    rs1,
                    rs2,
                },
                Ok(_),
            ) => {
                let sh = before[rs2.idx()] & 63;
                if sh >= 32 {
                    hart.state.set_x(rd.idx(), before[rs1.idx()] << (sh & 31));
                }
            }
            (
                Mutation::Sb,
                Insn::Store {
                    op: StoreOp::Sb,
                    rs1,
                    rs2,
                    offset,
                },
                Ok(_),
            ) => {
                let ea = before[rs1.idx()].wrapping_add(offset as u64);
                if (DATA_LO..DATA_HI).contains(&ea) {
                    let byte = before[rs2.idx()] as u8 ^ 1;
                    let _ = mmu.space.load_bytes(GuestPhysAddr(ea), &[byte]);
                }
            }
            _ => {}
        }
        if let Err(e) = r {
            let e = match (self.mutation, e) {
                (Mutation::Tval, Exception::Illegal(_)) => Exception::Illegal(0),
                (_, e) => e,
            };
            hart.raise(e);
        }
        forget_stale_code(m);
        m.mmu.take_device_touched();
    }
}

impl Runner for MutantRunner {
    fn name(&self) -> String {
        format!("mutant-{:?}", self.mutation).to_lowercase()
    }

    fn run(&mut self, block: &Assembled) -> Snapshot {
        load_block(&mut self.machine, block);
        let start = self.machine.insns;
        let limit = start + BLOCK_INSN_LIMIT;
        let exit = loop {
            let m = &mut self.machine;
            if m.hart.state.pc == HANDLER_DONE {
                // Collects the finisher's exit without executing anything.
                break m.run(Some(m.insns));
            }
            if m.insns >= limit {
                break Some(RunExit::InsnLimit);
            }
            if let Some(irq) = m.hart.pending_interrupt() {
                m.hart.interrupt(irq);
            }
            m.insns += 1;
            self.step();
        };
        let m = &self.machine;
        Snapshot::take(m, exit, m.insns - start)
    }
}

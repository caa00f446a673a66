//! The `virt` machine: QEMU-compatible memory map, boot ROM, devices and the execution loop.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use frontend_riscv::disasm;
use softmmu::{AddressSpace, GuestPhysAddr, Mmu, SpaceError};

use crate::board::*;
pub use crate::config::{Bios, Config, Engine, WgOptions};
use crate::devices::checkers::{CheckerError, Checkers};
use crate::devices::clint::{Clint, Clock};
use crate::devices::finisher::{Events, Finisher, MachineEvent};
use crate::devices::plic::Plic;
use crate::devices::uart::Uart;
use crate::devices::Shared;
use crate::hart::{Hart, IrqLines};
use crate::interp::fast::DecodeCache;
use crate::interp::{self, Flow};
use crate::jit_engine::JitEngine;
use crate::loader::Image;

/// Host-side errors building a machine.
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("building the address space: {0}")]
    Space(#[from] SpaceError),
    #[error("RAM size {0:#x} is not supported (need 1 MiB .. 2^40 bytes, a multiple of 4 KiB)")]
    RamSize(u64),
    #[error("generating the device tree: {0}")]
    Fdt(#[source] vm_fdt::Error),
    #[error("{0} PMP entries: the RISC-V spec allows 0, 16 or 64")]
    PmpEntries(usize),
    #[error(transparent)]
    Checker(#[from] CheckerError),
    #[error("starting the JIT: {0}")]
    Jit(#[source] jit::cache::JitError),
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunExit {
    /// The guest powered off with this exit code (finisher or HTIF).
    Exited(u32),
    /// `max_insns` instructions ran without the guest exiting.
    InsnLimit,
    /// The console output contained the string given to
    /// [`Machine::exit_on_output`] (`--exit-on-output`).
    OutputMatched,
    /// The guest asked for a reboot and [`Config::no_reboot`] was set.
    Rebooted,
    /// The host asked the run to stop ([`Machine::set_stop_flag`]).
    Stopped,
}

/// The periodic status line of `--stats-interval`: its period, the next
/// time it is due, and the counters at the previous line (rates are over
/// the interval).
struct StatusTicker {
    every: Duration,
    start: std::time::Instant,
    next: std::time::Instant,
    last: StatusCounters,
}

/// The counters a status line reports, at one moment.
#[derive(Clone, Copy, Default)]
struct StatusCounters {
    at: Duration,
    insns: u64,
    tlb_misses: u64,
    slow_paths: u64,
    tbs: u64,
}

/// The HTIF mailbox found by ELF symbol (riscv-tests and Spike convention).
#[derive(Clone, Copy, Debug)]
struct Htif {
    tohost: u64,
    fromhost: Option<u64>,
}

/// A `virt` machine with one hart.
pub struct Machine {
    pub hart: Hart,
    pub mmu: Mmu,
    events: Events,
    clock: Rc<Clock>,
    clint: Rc<RefCell<Clint>>,
    uart: Rc<RefCell<Uart>>,
    /// The security checkers, kept for their counters.
    checkers: Checkers,
    htif: Option<Htif>,
    /// Instructions executed so far (retired or trapped).
    pub insns: u64,
    /// Host time spent asleep in `wfi` (the guest waiting for an interrupt).
    pub idle: Duration,
    pub engine: Engine,
    trace: Option<Box<dyn Write>>,
    input: Option<Rc<Receiver<Vec<u8>>>>,
    stop: Option<crate::console::StopFlag>,
    /// `--stats-interval`: when and what the last status line saw.
    status: Option<StatusTicker>,
    pub icache: DecodeCache,
    pub jit: Option<JitEngine>,
    /// `--profile`: instructions run one at a time (tier `reference`).
    prof_code: Option<crate::profile::CodeProfile>,
}

/// Instructions between polls of time-driven devices and HTIF (and
/// between interrupt checks): each poll reads the host clock and re-enters
/// the engine, which at 1024 cost compiled loops 10-13% (bench_matmul,
/// bench_sort, bench_crc at scale 5, tiered: 0.98 -> 0.74 s, 2.73 -> 1.87
/// s, 1.35 -> 1.19 s together with regions). 16384 gained 2-5% more on
/// those but left bench_bytecode 5% in tier 0 (0.3% at 4096; a hot
/// block's compiled code is installed only between chunks) and made it
/// up to 50% slower. The hot loop may overshoot its budget (it checks it
/// only at control transfers), by at most one page of straight-line code.
const POLL_INTERVAL: u64 = 4096;
/// Within this many instructions of `--max-insns`, execute one at a time.
const PRECISE_TAIL: u64 = 4096;

/// Guest RAM's physical range, once its size is checked.
fn ram_range(cfg: &Config) -> Result<(u64, u64), MachineError> {
    if cfg.ram_size < (1 << 20) || cfg.ram_size > (1 << 40) || !cfg.ram_size.is_multiple_of(4096) {
        return Err(MachineError::RamSize(cfg.ram_size));
    }
    Ok((RAM_BASE, RAM_BASE + cfg.ram_size))
}

impl Machine {
    /// Builds the machine and loads the program. Guest output goes to `out`.
    pub fn new(cfg: &Config, out: Box<dyn Write>) -> Result<Machine, MachineError> {
        let ram = ram_range(cfg)?;
        let boot = load_images(cfg, ram)?;
        Self::build(cfg, ram, boot, out)
    }

    /// Builds a machine around an in-memory image (tests, differential
    /// harnesses): the boot ROM jumps to `image.entry`.
    pub fn from_image(
        cfg: &Config,
        image: Image,
        out: Box<dyn Write>,
    ) -> Result<Machine, MachineError> {
        let ram = ram_range(cfg)?;
        for s in &image.segments {
            let end = s.addr.checked_add(s.memsz);
            if s.addr < ram.0 || end.is_none_or(|e| e > ram.1) || s.bytes.len() as u64 > s.memsz {
                return Err(MachineError::RamSize(cfg.ram_size));
            }
        }
        let boot = Boot {
            start: image.entry,
            kernel_entry: image.entry,
            images: vec![image],
            names: vec!["the program"],
            program: 0,
            initrd: None,
        };
        Self::build(cfg, ram, boot, out)
    }

    fn build(
        cfg: &Config,
        ram: (u64, u64),
        boot: Boot,
        out: Box<dyn Write>,
    ) -> Result<Machine, MachineError> {
        let images = &boot.images;
        // HTIF belongs to the program (never to firmware or an initrd).
        let program = &images[boot.program];
        let htif = program.tohost.map(|tohost| Htif {
            tohost,
            fromhost: program.fromhost,
        });

        let events = Events::default();
        let lines = IrqLines::default();
        let clock = Rc::new(Clock::default());
        let clint = Rc::new(RefCell::new(Clint::new(clock.clone(), lines.clone())));
        let plic = Rc::new(RefCell::new(Plic::new(lines.clone())));
        let uart = Rc::new(RefCell::new(Uart::new(out, plic.clone())));

        let checkers = Checkers::new(cfg, &plic)?;
        let fdt = crate::fdt::build(
            cfg.ram_size,
            &crate::fdt::BootInfo {
                bootargs: &cfg.bootargs,
                initrd: boot.initrd,
            },
            &checkers.fdt_nodes(),
            checkers.fdt_cpu().as_ref(),
        )
        .map_err(MachineError::Fdt)?;
        let fdt_addr = fdt_address(ram, fdt.len())?;
        check_layout(images, &boot.names, fdt_addr, fdt.len() as u64)?;
        let rom = reset_vector(boot.start, fdt_addr, boot.kernel_entry);

        let mut space = AddressSpace::new();
        space.add_rom("mrom", GuestPhysAddr(MROM_BASE), MROM_SIZE, &rom)?;
        space.add_mmio(
            "test",
            GuestPhysAddr(TEST_BASE),
            TEST_SIZE,
            Box::new(Finisher::new(events.clone())),
        )?;
        space.add_mmio(
            "clint",
            GuestPhysAddr(CLINT_BASE),
            crate::devices::clint::CLINT_SIZE,
            Box::new(Shared(clint.clone())),
        )?;
        space.add_mmio(
            "plic",
            GuestPhysAddr(PLIC_BASE),
            crate::devices::plic::PLIC_SIZE,
            Box::new(Shared(plic.clone())),
        )?;
        space.add_mmio(
            "uart",
            GuestPhysAddr(UART_BASE),
            crate::devices::uart::UART_SIZE,
            Box::new(Shared(uart.clone())),
        )?;
        space.add_ram("ram", GuestPhysAddr(RAM_BASE), cfg.ram_size)?;
        if checkers.wants_flash() {
            space.add_rom("flash", GuestPhysAddr(FLASH_BASE), FLASH_SIZE, &[])?;
        }
        checkers.attach(&mut space)?;
        for img in images {
            for seg in &img.segments {
                // Bounds were checked against RAM by the loader, overlaps by
                // `check_layout`; the rest of `memsz` is fresh RAM's zeros.
                space
                    .load_bytes(GuestPhysAddr(seg.addr), &seg.bytes)
                    .map_err(|_| MachineError::RamSize(cfg.ram_size))?;
            }
        }
        space
            .load_bytes(GuestPhysAddr(fdt_addr), &fdt)
            .map_err(|_| LayoutError::FdtTooBig(fdt.len()))?;

        let time_clock = clock.clone();
        if !crate::hart::csr::PMP_COUNTS.contains(&cfg.pmp_entries) {
            return Err(MachineError::PmpEntries(cfg.pmp_entries));
        }
        let mut hart = Hart::new(0, lines, Rc::new(move || time_clock.now()));
        hart.csr = crate::hart::Csrs::with_pmp(0, cfg.pmp_entries);
        hart.reset(MROM_BASE);
        checkers.configure_hart(&mut hart, cfg);
        Ok(Machine {
            hart,
            mmu: Mmu::new(space),
            events,
            clock,
            clint,
            uart,
            checkers,
            htif,
            insns: 0,
            idle: Duration::ZERO,
            engine: cfg.engine,
            trace: None,
            input: None,
            stop: None,
            status: None,
            icache: DecodeCache::default(),
            prof_code: None,
            jit: match cfg.engine {
                Engine::Jit | Engine::Tiered => {
                    Some(JitEngine::new(cfg.engine == Engine::Tiered).map_err(MachineError::Jit)?)
                }
                _ => None,
            },
        })
    }

    /// A human-readable summary of the machine's counters: TLB use per MMU
    /// index, memory slow paths, decoded pages, TBs and compile time.
    pub fn stats_report(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(s, "instructions      {}", self.insns);
        let _ = writeln!(
            s,
            "wfi idle          {:.1} ms",
            self.idle.as_secs_f64() * 1e3
        );
        let _ = writeln!(s, "uart              {}", self.uart.borrow().state());
        let h = &self.hart;
        let _ = writeln!(
            s,
            "hart              pc {:#x} {:?}-mode mstatus {:#x} mip {:#x} mie {:#x}",
            h.state.pc,
            h.prv,
            h.csr.mstatus,
            h.mip(),
            h.csr.mie
        );
        for (i, name) in ["U", "S", "S+SUM", "M"].iter().enumerate() {
            let t = self.mmu.tlb_stats(softmmu::MmuIdx(i as u8));
            if t.hits + t.misses == 0 {
                continue;
            }
            let size = self.mmu.tlb(softmmu::MmuIdx(i as u8)).len();
            let _ = writeln!(
                s,
                "tlb {name:<6} entries {size:<7} hits {} misses {} victim-hits {} fills {} flushes {} page-flushes {} resizes {}",
                t.hits, t.misses, t.victim_hits, t.fills, t.flushes, t.page_flushes, t.resizes
            );
        }
        let m = self.mmu.stats;
        let _ = writeln!(
            s,
            "memory            mmio {} split {} code-writes {}",
            m.mmio, m.split, m.code_writes
        );
        if self.mmu.space.has_iommus() {
            let [tr, tw, tx] = m.iommu_translations;
            let [sr, sw, sx] = m.iommu_slow;
            let _ = writeln!(
                s,
                "iommu             translations r/w/x {tr}/{tw}/{tx} slow-path r/w/x {sr}/{sw}/{sx} patched {} conflicts {} blocked {}",
                m.iommu_patched, m.iommu_conflicts, m.iommu_blocked
            );
            let _ = writeln!(
                s,
                "iommu flushes     checker-writes {} wid-changes {}",
                m.checker_flushes, self.hart.csr.wid_flushes
            );
        }
        s += &self.checkers.report();
        let ic = self.icache.stats;
        let _ = writeln!(
            s,
            "decode cache      decoded {} page-entries {} invalidated-insns {}",
            ic.decoded, ic.page_entries, ic.invalidated_insns
        );
        if let Some(j) = &self.jit {
            let c = j.jit_stats();
            let avg = if c.compiled > 0 {
                c.compile_time.as_micros() as f64 / c.compiled as f64
            } else {
                0.0
            };
            let e = j.stats;
            let _ = writeln!(
                s,
                "jit               tbs {} avg-compile {avg:.1} us total-compile {:.1} ms code {} KiB (memory {} KiB) flushes {}",
                c.compiled,
                c.compile_time.as_secs_f64() * 1e3,
                c.code_bytes / 1024,
                c.footprint / 1024,
                c.flushes
            );
            let interp_blocks = e.interp_blocks + ic.blocks;
            let _ = writeln!(
                s,
                "jit dispatch      tb-runs {} jump-cache-hits {} interpreted-blocks {interp_blocks} invalidated-tbs {} dropped-requests {}",
                e.tb_runs, e.jc_hits, e.invalidated_tbs, e.dropped_requests
            );
            let _ = writeln!(
                s,
                "jit regions       regions {} blocks-in-regions {} re-formed {}",
                e.regions, e.region_blocks, e.reformed_regions
            );
            let total = (e.interp_insns + e.jit_insns).max(1) as f64;
            let _ = writeln!(
                s,
                "jit tiers         interpreted-insns {} ({:.1}%) compiled-insns {} ({:.1}%)",
                e.interp_insns,
                100.0 * e.interp_insns as f64 / total,
                e.jit_insns,
                100.0 * e.jit_insns as f64 / total
            );
        }
        s
    }

    /// Prints every executed instruction to `sink`.
    /// Profiles the run (`--profile`): data accesses per pc and outcome,
    /// pages, TLBs, and instructions per pc and tier. Generated code gets
    /// counters compiled in (none is compiled yet: call before running).
    pub fn enable_profile(&mut self) {
        self.mmu.prof = Some(Box::default());
        self.prof_code = Some(Default::default());
        self.icache.enable_profile();
        if let Some(j) = self.jit.as_mut() {
            j.enable_profile(&self.mmu);
        }
    }

    /// Moves what the profile counted into `data` (after a run; a machine
    /// rebuilt by a guest reboot adds to the same `data`).
    pub fn take_profile(&mut self, data: &mut crate::profile::ProfileData) {
        let Some(own) = self.prof_code.take() else {
            return;
        };
        for ((tier, pc), (n, raw)) in own.insns {
            data.code.add_insn(tier, pc, raw, n);
        }
        self.icache.take_profile(&mut data.code, &mut self.mmu);
        let mut hits = [0u64; softmmu::tlb::NUM_MMU_IDX];
        if let (Some(j), Some(mem)) = (self.jit.as_mut(), self.mmu.prof.as_deref_mut()) {
            let s = j.take_profile(&mut data.code, mem, &mut hits);
            data.add_jit(s);
        }
        data.absorb_mmu(&mut self.mmu, &hits);
        data.instructions += self.insns;
    }

    pub fn set_trace(&mut self, sink: Box<dyn Write>) {
        self.trace = Some(sink);
    }

    /// Feeds the guest's UART from `rx` (polled with the other devices).
    pub fn set_input(&mut self, rx: Rc<Receiver<Vec<u8>>>) {
        self.input = Some(rx);
    }

    /// Ends the run (with [`RunExit::Stopped`]) once `flag` is non-zero,
    /// checked at every poll and while the hart sleeps in `wfi`.
    pub fn set_stop_flag(&mut self, flag: crate::console::StopFlag) {
        self.stop = Some(flag);
    }

    /// Prints a status line to stderr every `every` while the guest runs
    /// (`--stats-interval`): run time, instructions, MIPS, TLB misses and
    /// memory slow paths per thousand instructions, and TBs compiled, the
    /// rates over the last interval.
    pub fn set_stats_interval(&mut self, every: Duration) {
        let now = std::time::Instant::now();
        self.status = Some(StatusTicker {
            every,
            start: now,
            next: now + every,
            last: StatusCounters::default(),
        });
    }

    fn status_counters(&self, at: Duration) -> StatusCounters {
        let tlb_misses = (0..4)
            .map(|i| self.mmu.tlb_stats(softmmu::MmuIdx(i)).misses)
            .sum();
        let m = self.mmu.stats;
        let slow_paths =
            tlb_misses + m.mmio + m.split + m.code_writes + m.iommu_slow.iter().sum::<u64>();
        StatusCounters {
            at,
            insns: self.insns,
            tlb_misses,
            slow_paths,
            tbs: self.jit.as_ref().map_or(0, |j| j.jit_stats().compiled),
        }
    }

    /// The status line, when it is due.
    fn tick_status(&mut self) {
        let Some(t) = &self.status else { return };
        let now = std::time::Instant::now();
        if now < t.next {
            return;
        }
        let (start, last, every) = (t.start, t.last, t.every);
        let c = self.status_counters(now - start);
        let insns = c.insns - last.insns;
        let per_k = |n: u64| n as f64 * 1000.0 / insns.max(1) as f64;
        let secs = (c.at - last.at).as_secs_f64().max(1e-9);
        eprintln!(
            "rvdbt: {:>7.1} s {:>14} insns {:>8.1} MIPS  tlb-miss {:>6.2}/k  slow-path {:>6.2}/k  tbs {} (+{})",
            c.at.as_secs_f64(),
            c.insns,
            insns as f64 / secs / 1e6,
            per_k(c.tlb_misses - last.tlb_misses),
            per_k(c.slow_paths - last.slow_paths),
            c.tbs,
            c.tbs - last.tbs,
        );
        if let Some(t) = &mut self.status {
            t.last = c;
            t.next = now + every;
        }
    }

    /// Queues host input for the guest's UART.
    pub fn uart_input(&mut self, bytes: &[u8]) {
        self.uart.borrow_mut().receive(bytes);
    }

    /// Ends the run (with [`RunExit::OutputMatched`]) as soon as the guest's
    /// console output contains `pattern`, as a boot-time measurement or a
    /// CI job wants; the check is made as bytes are written, and the run
    /// stops before the next chunk of instructions.
    pub fn exit_on_output(&mut self, pattern: &[u8]) {
        self.uart
            .borrow_mut()
            .watch_output(pattern, self.events.clone());
    }

    /// Runs until the guest exits or resets, or `limit` total instructions
    /// have executed. Returns `None` on a reset request.
    pub fn run(&mut self, limit: Option<u64>) -> Option<RunExit> {
        let exit = self.run_loop(limit);
        self.uart.borrow_mut().flush();
        if let Some(t) = self.trace.as_mut() {
            let _ = t.flush();
        }
        exit
    }

    fn run_loop(&mut self, limit: Option<u64>) -> Option<RunExit> {
        let limit = limit.unwrap_or(u64::MAX);
        loop {
            self.poll();
            if let Some(e) = self.events.take() {
                return match e {
                    MachineEvent::Exit(code) => Some(RunExit::Exited(code)),
                    MachineEvent::Reset => None,
                    MachineEvent::OutputMatched => Some(RunExit::OutputMatched),
                    MachineEvent::Stop => Some(RunExit::Stopped),
                };
            }
            if self.insns >= limit {
                return Some(RunExit::InsnLimit);
            }
            let chunk = POLL_INTERVAL.min(limit - self.insns);
            // Between chunks no engine holds a TLB view: resize tables now.
            self.mmu.apply_tlb_resizes();
            if let Some(irq) = self.hart.pending_interrupt() {
                if let Some(t) = self.trace.as_mut() {
                    let _ = writeln!(t, "interrupt {irq} at pc {:#x}", self.hart.state.pc);
                }
                self.hart.interrupt(irq);
            }
            let stop = if self.trace.is_some() {
                self.insns += 1;
                self.step_traced()
            } else if limit - self.insns <= PRECISE_TAIL || self.engine == Engine::Reference {
                // Near the instruction limit: one at a time, so the limit is exact.
                self.insns += 1;
                self.step_precise()
            } else if let Some(jit) = self.jit.as_mut() {
                let (n, stop) = jit.run(&mut self.hart, &mut self.mmu, &mut self.icache, chunk);
                self.insns += n;
                stop
            } else {
                let (n, stop) = self.icache.run(&mut self.hart, &mut self.mmu, chunk);
                self.insns += n;
                self.sync_code();
                stop
            };
            if stop == Flow::Wfi {
                self.wait_for_interrupt();
            }
        }
    }

    /// Drains the pages written since their code was decoded or compiled
    /// and drops them from every engine's cache (the JIT engine does the same
    /// inside its own loop).
    fn sync_code(&mut self) {
        let pages = self.mmu.take_dirty_code();
        if !pages.is_empty() {
            self.icache.invalidate(&pages);
            if let Some(jit) = self.jit.as_mut() {
                jit.invalidate(&pages, &mut self.icache);
            }
        }
    }

    /// Executes exactly one instruction through the reference path.
    fn step_precise(&mut self) -> Flow {
        let pc = self.hart.state.pc;
        let r = interp::fetch(&mut self.hart, &mut self.mmu).and_then(|d| {
            if let Some(c) = self.prof_code.as_mut() {
                c.add_insn(crate::profile::Tier::Reference, pc, d.raw, 1);
            }
            interp::execute(&mut self.hart, &mut self.mmu, &d)
        });
        self.sync_code();
        self.mmu.take_device_touched();
        r.unwrap_or_else(|e| {
            self.hart.raise(e);
            Flow::Next
        })
    }

    fn step_traced(&mut self) -> Flow {
        let pc = self.hart.state.pc;
        let before = self.hart.state.x;
        let result = interp::fetch(&mut self.hart, &mut self.mmu).and_then(|d| {
            if let Some(c) = self.prof_code.as_mut() {
                c.add_insn(crate::profile::Tier::Reference, pc, d.raw, 1);
            }
            interp::execute(&mut self.hart, &mut self.mmu, &d).map(|r| (d, r))
        });
        self.sync_code();
        let Some(t) = self.trace.as_mut() else {
            return Flow::Next;
        };
        match result {
            Ok((d, r)) => {
                let raw = if d.len == 2 {
                    format!("{:04x}    ", d.raw)
                } else {
                    format!("{:08x}", d.raw)
                };
                let _ = write!(t, "{pc:016x}: {raw}  {:<32}", disasm(&d, pc));
                if let Some(i) = (1..32).find(|&i| self.hart.state.x[i] != before[i]) {
                    let name = frontend_riscv::Reg(i as u8);
                    let _ = write!(t, " {name}={:#x}", self.hart.state.x[i]);
                }
                let _ = writeln!(t);
                r
            }
            Err(e) => {
                let _ = writeln!(
                    t,
                    "{pc:016x}: exception cause={} tval={:#x}",
                    e.cause(),
                    e.tval()
                );
                self.hart.raise(e);
                Flow::Next
            }
        }
    }

    /// Updates time-driven interrupt lines and serves the HTIF mailbox.
    fn poll(&mut self) {
        // One clock read for both timer compares (mtimecmp, Sstc's stimecmp).
        let now = self.clock.now();
        self.clint.borrow_mut().update_at(now);
        self.hart.update_stip_at(now);
        if let Some(rx) = &self.input {
            while let Ok(bytes) = rx.try_recv() {
                self.uart.borrow_mut().receive(&bytes);
            }
        }
        if let Some(h) = self.htif {
            self.poll_htif(h);
        }
        if let Some(flag) = &self.stop {
            if flag.load(std::sync::atomic::Ordering::Relaxed) != 0 {
                self.events.post(MachineEvent::Stop);
            }
        }
        self.tick_status();
    }

    /// `wfi`: sleeps until an enabled interrupt is pending. With every
    /// interrupt disabled in `mie` nothing could ever wake the hart, so
    /// `wfi` completes at once (the spec allows it to be a no-op).
    fn wait_for_interrupt(&mut self) {
        if self.hart.csr.mie == 0 {
            return;
        }
        loop {
            self.poll();
            if self.hart.wfi_wakeup() || self.events.pending() {
                return;
            }
            let deadline = self
                .clint
                .borrow()
                .deadline()
                .min(self.hart.stimecmp_deadline());
            let wait = self.clock.until(deadline);
            let slept = std::time::Instant::now();
            std::thread::sleep(wait.min(Duration::from_millis(5)));
            self.idle += slept.elapsed();
        }
    }

    fn poll_htif(&mut self, h: Htif) {
        let space = &mut self.mmu.space;
        let Ok(v) = space.read(GuestPhysAddr(h.tohost), 8) else {
            return;
        };
        if v == 0 {
            return;
        }
        let _ = space.write(GuestPhysAddr(h.tohost), 8, 0);
        let (dev, cmd, payload) = (v >> 56, (v >> 48) & 0xff, v & 0xffff_ffff_ffff);
        let response = match (dev, cmd) {
            (0, 0) if payload & 1 == 1 => {
                self.events.post(MachineEvent::Exit((payload >> 1) as u32));
                return;
            }
            (0, 0) => {
                // Syscall: payload points at [number, arg0, arg1, arg2, ...].
                let mut arg = |i: u64| space.read(GuestPhysAddr(payload + 8 * i), 8).unwrap_or(0);
                let (num, a0, a1, a2) = (arg(0), arg(1), arg(2), arg(3));
                let ret = match num {
                    64 if a0 == 1 || a0 == 2 => {
                        match space.peek_bytes(GuestPhysAddr(a1), a2 as usize) {
                            Some(bytes) => {
                                let bytes = bytes.to_vec();
                                self.uart.borrow_mut().host_write(&bytes);
                                a2
                            }
                            None => (-14i64) as u64, // EFAULT
                        }
                    }
                    93 => {
                        self.events.post(MachineEvent::Exit(a0 as u32));
                        return;
                    }
                    _ => (-38i64) as u64, // ENOSYS
                };
                let _ = space.write(GuestPhysAddr(payload), 8, ret);
                1
            }
            (1, 1) => {
                self.uart.borrow_mut().host_write(&[payload as u8]);
                v & !0xffff_ffff_ffff
            }
            _ => v & !0xffff_ffff_ffff,
        };
        if let Some(fh) = h.fromhost {
            let _ = self.mmu.space.write(GuestPhysAddr(fh), 8, response);
        }
    }
}

/// Builds a machine for `cfg` and runs it to the end, rebuilding it on a
/// guest reset request (unless `cfg.no_reboot`): the images and device
/// tree are loaded again into fresh RAM. QEMU instead keeps RAM and copies
/// its ROM blobs (the same images) back over it; a guest that relies on
/// other RAM surviving a reboot (a crash-kernel log, say) finds it zeroed
/// here.
/// `setup` is called on each new machine (to attach a trace sink or input),
/// `finish` on each machine after it ran (to read its counters).
pub fn run_program(
    cfg: &Config,
    out: &dyn Fn() -> Box<dyn Write>,
    setup: &dyn Fn(&mut Machine),
) -> Result<(RunExit, u64), MachineError> {
    run_program_with(cfg, out, setup, &mut |_| {})
}

/// [`run_program`] with a hook that sees each machine after its run.
pub fn run_program_with(
    cfg: &Config,
    out: &dyn Fn() -> Box<dyn Write>,
    setup: &dyn Fn(&mut Machine),
    finish: &mut dyn FnMut(&mut Machine),
) -> Result<(RunExit, u64), MachineError> {
    let mut total = 0u64;
    loop {
        let mut m = Machine::new(cfg, out())?;
        setup(&mut m);
        let limit = cfg.max_insns.map(|l| l.saturating_sub(total));
        let exit = m.run(limit);
        total += m.insns;
        finish(&mut m);
        if let Some(e) = exit {
            return Ok((e, total));
        }
        if cfg.no_reboot {
            return Ok((RunExit::Rebooted, total));
        }
        tracing::info!("guest requested a reset after {total} instructions");
    }
}

//! Translation of one guest block (TB) to Cranelift IR.
//!
//! A [`TbCx`] holds the `FunctionBuilder` and the per-block state while the
//! guest instructions of one TB are lifted in order. Guest registers are
//! loaded from `CpuState` at their first use in a TB and then live in SSA
//! variables; written registers are stored back before every exit and every
//! helper call (slow paths included), so the architectural state in memory
//! is exact whenever anything outside the TB can look at it.
//!
//! Exits: a TB returns to the dispatcher (or tail-calls its successor)
//! after storing the next guest pc in `cpu.pc`. Instruction counting rides
//! on `ctx.budget`: a TB charges its length at entry and refunds what did
//! not run when it leaves early. A helper
//! that raises a guest exception sets `ctx.exit`; generated code checks it
//! after every helper call and returns at once (the helper already set the
//! pc to the trap handler). A memory helper whose access flushed a TLB,
//! touched a device or wrote into code completes its instruction itself
//! (the loaded value goes straight to `x[rd]`) and sets `ctx.exit` too, so
//! no TLB state read before the call is ever used after it.
//!
//! WARNING: the inline TLB sequence in [`TbCx::tlb_access`] is the memory
//! safety boundary of generated code. A host access happens only when the
//! page-aligned address (with the access's alignment bits) equals the
//! comparator of the entry *exactly*; softmmu only stores a plain page
//! address there for main-RAM pages whose addend points into the RAM
//! mapping. Any flag, misalignment or miss takes the slow path.

use std::collections::HashMap;
use std::fmt::Write as _;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{F32, F64, I16, I32, I64, I8};
use cranelift_codegen::ir::{
    AbiParam, Block, BlockArg, Function, Inst, InstBuilder, MemFlagsData, SigRef, Signature,
    UserFuncName, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::write::{FuncWriter, PlainWriter};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use frontend_riscv::{
    disasm, AluOp, BranchOp, Decoded, FReg, FpBinOp, FpFmt, Insn, LoadOp, Reg, RoundingMode,
    StoreOp, UnaryOp,
};
use softmmu::tlb::PAGE_MASK;
use softmmu::GuestVirtAddr;

use crate::ctx::offsets as ctx_off;
use crate::state::offsets as cpu_off;

mod alu;
mod fp;

/// The guest instructions of one TB, as the runtime collected them.
#[derive(Clone, Debug)]
pub struct TbSource {
    /// Guest virtual pc of the first instruction.
    pub pc: GuestVirtAddr,
    pub insns: Vec<Decoded>,
    /// MMU index of the TB's data accesses.
    pub data_idx: usize,
    /// MMU index of its instruction fetches.
    pub fetch_idx: usize,
    /// Addresses of two chaining cells (0: none): one `u64` each, owned by
    /// the runtime, holding the entry of this TB's successor at its first
    /// and second constant exit when that successor is on the same guest
    /// page. Generated code fills a cell from the jump cache and afterwards
    /// tail-calls through it without a lookup. The runtime zeroes every
    /// cell whenever TBs are dropped (a code flush).
    pub cells: [u64; 2],
    /// `mstatus.FS` was Dirty when the TB was formed (part of its key):
    /// FP arithmetic, loads and stores may then run inline, since they
    /// cannot trap on FS and need not change it.
    pub fp_dirty: bool,
    /// More guest blocks of the same region (empty for a plain TB): each
    /// on the same guest page as `pc`, starting at its guest virtual pc. A
    /// control transfer inside the region to one of them (or to `pc`) is a
    /// jump within the function, the guest registers staying in SSA values.
    pub more: Vec<GuestBlock>,
    /// Profiling counters (`--profile`); `None`: the code carries no
    /// instrumentation at all.
    pub prof: Option<TbProfile>,
    /// Region exit counters: the region adds one to `exits.counters + 8 i`
    /// each time it leaves for `exits.targets[i]` (a constant target
    /// outside it), so the runtime sees which exits turned hot and grows
    /// the region over them (see `runtime::jit_engine`, "re-formation").
    pub exits: Option<ExitCounters>,
}

/// See [`TbSource::exits`]. `counters` is runtime memory (one `u64` per
/// target) that lives as long as the code may run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCounters {
    pub counters: u64,
    pub targets: Vec<u64>,
}

/// Where a profiled TB counts (all addresses owned by the runtime, valid
/// as long as the code may run). The TB's guest instructions are numbered
/// in order: `insns`, then each block of `more`; instruction `k` owns the
/// three `u64` counters at `counters + 24 k`: entries of the guest block it
/// starts (first instruction of a block only), fast-path hits of its data
/// access (memory instructions only), and exits right after it because a
/// helper ended the block (a trap, or an access that changed what the
/// block assumed): the rest of its block did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TbProfile {
    pub counters: u64,
    /// Fast-path hits per main-RAM page: two `u64` (reads, writes) per
    /// page, indexed by `(host - ram_host) >> 12`. A fast-path host address
    /// always lies in the main-RAM mapping, so the index is in bounds.
    pub pages: u64,
    pub ram_host: u64,
}

/// One guest basic block of a region (see [`TbSource::more`]).
#[derive(Clone, Debug)]
pub struct GuestBlock {
    pub pc: u64,
    pub insns: Vec<Decoded>,
}

/// Whether the TB must end after `d` (control transfer or an instruction
/// that only the interpreter executes).
pub fn ends_block(d: &Decoded) -> bool {
    !matches!(
        d.insn,
        Insn::Lui { .. }
            | Insn::Auipc { .. }
            | Insn::OpImm { .. }
            | Insn::OpImm32 { .. }
            | Insn::Op { .. }
            | Insn::Op32 { .. }
            | Insn::Unary { .. }
            | Insn::Load { .. }
            | Insn::Store { .. }
            | Insn::Fence { .. }
    ) && !is_fp(&d.insn)
}

/// An F or D instruction: executed by the `fp` helper without ending the TB.
pub fn is_fp(insn: &Insn) -> bool {
    matches!(
        insn,
        Insn::FLoad { .. }
            | Insn::FStore { .. }
            | Insn::FpBin { .. }
            | Insn::Fma { .. }
            | Insn::Fsqrt { .. }
            | Insn::FpCmp { .. }
            | Insn::Fclass { .. }
            | Insn::FcvtToInt { .. }
            | Insn::FcvtFromInt { .. }
            | Insn::FcvtFp { .. }
            | Insn::FmvToInt { .. }
            | Insn::FmvFromInt { .. }
    )
}

/// The integer register an F/D instruction writes, if any.
pub fn fp_int_rd(insn: &Insn) -> Option<Reg> {
    match *insn {
        Insn::FpCmp { rd, .. }
        | Insn::Fclass { rd, .. }
        | Insn::FcvtToInt { rd, .. }
        | Insn::FmvToInt { rd, .. } => Some(rd),
        _ => None,
    }
}

/// Signatures of the TB function and the helpers.
pub struct Sigs {
    /// A TB: `(ctx, cpu, budget)`, tail calling convention so TBs can chain
    /// with the register-file pointer and the budget in host registers.
    pub tb: Signature,
    /// The entry trampoline: `(ctx, tb)`, host calling convention.
    pub tramp: Signature,
    pub load: Signature,
    pub store: Signature,
    pub exec: Signature,
    pub fp: Signature,
    /// The exit stub: `(ctx, cpu, budget, pc, tag, cell)`, tail convention.
    pub exit: Signature,
}

impl Sigs {
    pub fn new(call_conv: CallConv) -> Sigs {
        let sig = |params: &[cranelift_codegen::ir::Type],
                   ret: Option<cranelift_codegen::ir::Type>| {
            let mut s = Signature::new(call_conv);
            s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
            s.returns.extend(ret.map(AbiParam::new));
            s
        };
        let mut tb = sig(&[I64, I64, I64], None);
        tb.call_conv = CallConv::Tail;
        let mut exit = sig(&[I64, I64, I64, I64, I64, I64], None);
        exit.call_conv = CallConv::Tail;
        Sigs {
            tb,
            tramp: sig(&[I64, I64], None),
            load: sig(&[I64, I64, I64, I32], Some(I64)),
            store: sig(&[I64, I64, I64, I64, I32], None),
            exec: sig(&[I64, I32], None),
            fp: sig(&[I64, I32, I64], Some(I64)),
            exit,
        }
    }
}

/// Per-TB translation context.
pub struct TbCx<'a> {
    b: FunctionBuilder<'a>,
    ctx: Value,
    cpu: Value,
    /// Index in the TB of the instruction being lifted.
    index: i64,
    /// Number of guest instructions in the TB (charged at entry).
    len: i64,
    /// Guest pc of the TB's first instruction.
    start_pc: u64,
    /// Guest pc of the first instruction of the region block being lifted
    /// (`len` and `index` count within that block).
    block_pc: u64,
    /// The loop header: budget check, then the first instruction. A branch
    /// back to `start_pc` jumps here instead of leaving the TB.
    header: Block,
    /// The heads of the region's other blocks, by guest pc (each starts
    /// with its own budget check).
    heads: HashMap<u64, Block>,
    /// Region blocks whose entry checks the budget: the entry and every
    /// block some edge reaches from a block at the same or a higher pc.
    /// Every cycle of the region has such an edge, so every loop still
    /// checks once per iteration; blocks only entered going forward charge
    /// their instructions without the check (an exit there would only
    /// come a few blocks earlier).
    checked: std::collections::HashSet<u64>,
    /// The region's calls (`jal` with a link register): the link register
    /// and the return address it gets. A `jalr x0, 0(link)` in the region
    /// compares its target with these and, when one matches a block of the
    /// region, jumps there (return-address prediction keyed by the call
    /// site; when the call is in the region too, the link is a constant
    /// and the compare folds away).
    return_sites: Vec<(u8, u64)>,
    /// Guest registers cached in SSA variables: `regs[r]` once loaded.
    regs: [Option<Variable>; 32],
    /// Registers the TB (or region) writes anywhere.
    written: u32,
    /// Registers that may differ from `CpuState` at the point being
    /// lifted: those of `written` already written on the way here. A TB
    /// that never jumps back to its start is lifted in execution order, so
    /// its exits and helper calls store only what was written before them
    /// (a Linux boot's TBs lost ~15% of their IR); a loop or a region
    /// starts with all of `written`.
    dirty: u32,
    /// The instruction budget (see `JitCtx::budget`), kept in a host
    /// register and passed to chained TBs; stored to the context only
    /// when control leaves generated code or a helper may look at it.
    budget: Variable,
    ret_block: Block,
    load_sig: SigRef,
    store_sig: SigRef,
    exec_sig: SigRef,
    fp_sig: SigRef,
    tb_sig: SigRef,
    exit_sig: SigRef,
    data_idx: usize,
    /// See [`TbSource::prof`]; `serial` numbers the instruction being
    /// lifted as the counters do.
    prof: Option<TbProfile>,
    /// See [`TbSource::exits`].
    exits: Option<ExitCounters>,
    serial: u64,
    /// Jump-cache tag of this TB (successors must have the same).
    tag: u64,
    /// See [`TbSource::fp_dirty`].
    fp_dirty: bool,
    /// See [`TbSource::cells`]; the next one to use.
    cells: [u64; 2],
    next_cell: usize,
    /// First IR instruction of each guest instruction, for annotation.
    pub notes: Vec<(Option<Inst>, String)>,
}

/// The registers `d` reads and writes (bit i = x_i; x0 excluded), for
/// the instructions TBs lift. Others end the TB in the interpreter.
fn reg_masks(d: &Decoded) -> (u32, u32) {
    let m = |r: Reg| if r.0 == 0 { 0 } else { 1u32 << (r.0 & 31) };
    match d.insn {
        Insn::Lui { rd, .. } | Insn::Auipc { rd, .. } | Insn::Jal { rd, .. } => (0, m(rd)),
        Insn::Jalr { rd, rs1, .. }
        | Insn::OpImm { rd, rs1, .. }
        | Insn::OpImm32 { rd, rs1, .. }
        | Insn::Unary { rd, rs1, .. }
        | Insn::Load { rd, rs1, .. } => (m(rs1), m(rd)),
        Insn::Op { rd, rs1, rs2, .. } | Insn::Op32 { rd, rs1, rs2, .. } => (m(rs1) | m(rs2), m(rd)),
        Insn::Branch { rs1, rs2, .. } | Insn::Store { rs1, rs2, .. } => (m(rs1) | m(rs2), 0),
        Insn::FLoad { rs1, .. }
        | Insn::FStore { rs1, .. }
        | Insn::FcvtFromInt { rs1, .. }
        | Insn::FmvFromInt { rs1, .. } => (m(rs1), 0),
        ref i => (0, fp_int_rd(i).map_or(0, m)),
    }
}

/// Flags for accesses to the context and the register file.
fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Flags for context fields that do not change while a TB runs (TLB views,
/// jump-cache base, helper pointers: only the runtime changes them, between
/// TBs): Cranelift may hoist these loads out of a TB's loop.
fn invariant() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

/// Like [`invariant`], for fields only cold paths and exits read (helper
/// pointers, the jump cache): not `can_move`, so Cranelift does not hoist
/// them out of a loop into a callee-saved register that the TLB mask or a
/// guest register then lacks (`bench_crc`'s loop kept the load helper's
/// pointer in r13 and spilled the TLB mask to the stack; the C suite's
/// times did not move measurably either way).
fn cold_invariant() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly()
}

/// The jump-cache probe, for exits from TBs and for the exit stub:
/// `e = ctx.jc + ((pc >> 1) & ctx.jc_mask) * 32`, and whether `e` holds
/// `pc` under `tag`. `table` flags the loads of `ctx.jc` and `ctx.jc_mask`.
pub(crate) fn jc_probe(
    b: &mut FunctionBuilder,
    table: MemFlagsData,
    ctx: Value,
    pc: Value,
    tag: Value,
) -> (Value, Value) {
    let jc = b.ins().load(I64, table, ctx, ctx_off::JC);
    let mask = b.ins().load(I64, table, ctx, ctx_off::JC_MASK);
    let half = b.ins().ushr_imm_u(pc, 1);
    let slot = b.ins().band(half, mask);
    let off = b.ins().ishl_imm_u(slot, ctx_off::JC_ENTRY_SIZE_LOG2);
    let e = b.ins().iadd(jc, off);
    let vpc = b.ins().load(I64, trusted(), e, ctx_off::JC_VPC);
    let etag = b.ins().load(I64, trusted(), e, ctx_off::JC_TAG);
    let same_pc = b.ins().icmp(IntCC::Equal, vpc, pc);
    let same_tag = b.ins().icmp(IntCC::Equal, etag, tag);
    (b.ins().band(same_pc, same_tag), e)
}

/// Builds the IR of `src` into `func`. Returns the per-instruction notes
/// (first IR instruction, "pc: disassembly") used by [`annotate`].
/// The link register and return address of a block ending in a call
/// (`jal` with a link register other than x0).
pub fn call_site(start: u64, insns: &[Decoded]) -> Option<(u8, u64)> {
    let last = insns.last()?;
    let end = start.wrapping_add(insns.iter().map(|d| d.len as u64).sum());
    match last.insn {
        Insn::Jal { rd, .. } if rd != Reg::ZERO => Some((rd.0, end)),
        _ => None,
    }
}

/// Where control may go inside a region after the block `insns` at
/// `start` (an over-approximation: the branch or jump target, the next pc,
/// and for a return every return address of the region's calls).
fn block_targets(start: u64, insns: &[Decoded], return_sites: &[(u8, u64)]) -> Vec<u64> {
    let Some((last, body)) = insns.split_last() else {
        return Vec::new();
    };
    let pc = start.wrapping_add(body.iter().map(|d| d.len as u64).sum());
    let mut t = vec![pc.wrapping_add(last.len as u64)];
    match last.insn {
        Insn::Branch { offset, .. } | Insn::Jal { offset, .. } => {
            t.push(pc.wrapping_add(offset as u64))
        }
        Insn::Jalr { .. } => t.extend(return_sites.iter().map(|r| r.1)),
        _ => {}
    }
    t
}

/// Whether a branch or `jal` among `insns` (starting at `start`) targets
/// `target`.
fn jumps_to(start: u64, insns: &[Decoded], target: u64) -> bool {
    let mut pc = start;
    insns.iter().any(|d| {
        let here = pc;
        pc = pc.wrapping_add(d.len as u64);
        match d.insn {
            Insn::Branch { offset, .. } | Insn::Jal { offset, .. } => {
                here.wrapping_add(offset as u64) == target
            }
            _ => false,
        }
    })
}

pub fn build(
    func: &mut Function,
    fbc: &mut FunctionBuilderContext,
    sigs: &Sigs,
    src: &TbSource,
) -> Vec<(Option<Inst>, String)> {
    func.signature = sigs.tb.clone();
    func.name = UserFuncName::testcase(format!("tb_{:x}", src.pc.0));
    let mut b = FunctionBuilder::new(func, fbc);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let (ctx, cpu, budget) = (
        b.block_params(entry)[0],
        b.block_params(entry)[1],
        b.block_params(entry)[2],
    );
    let budget_var = b.declare_var(I64);
    b.def_var(budget_var, budget);
    let ret_block = b.create_block();
    let header = b.create_block();
    let load_sig = b.import_signature(sigs.load.clone());
    let store_sig = b.import_signature(sigs.store.clone());
    let exec_sig = b.import_signature(sigs.exec.clone());
    let fp_sig = b.import_signature(sigs.fp.clone());
    let tb_sig = b.import_signature(sigs.tb.clone());
    let exit_sig = b.import_signature(sigs.exit.clone());
    let mut cx = TbCx {
        b,
        ctx,
        cpu,
        regs: [None; 32],
        budget: budget_var,
        written: 0,
        dirty: 0,
        index: 0,
        len: src.insns.len() as i64,
        start_pc: src.pc.0,
        block_pc: src.pc.0,
        header,
        heads: HashMap::new(),
        checked: std::collections::HashSet::new(),
        return_sites: Vec::new(),
        ret_block,
        load_sig,
        store_sig,
        exec_sig,
        fp_sig,
        tb_sig,
        exit_sig,
        data_idx: src.data_idx,
        prof: src.prof,
        exits: src.exits.clone(),
        serial: 0,
        tag: crate::ctx::JcEntry::tag_of(src.fetch_idx as u8, src.data_idx as u8, src.fp_dirty),
        fp_dirty: src.fp_dirty,
        cells: src.cells,
        next_cell: 0,
        notes: Vec::new(),
    };
    // Every register the TB reads is loaded once, at entry, so the SSA
    // variables hold the architectural values all through (also around the
    // loop back edges). A loop or region also loads the registers it only
    // writes (a later iteration's exit stores them back); straight-line code
    // skips those (`dirty` below).
    let all = src
        .insns
        .iter()
        .chain(src.more.iter().flat_map(|b| &b.insns));
    let (used, written) = all.fold((0u32, 0u32), |(u, w), d| {
        let (r, wr) = reg_masks(d);
        (u | r | wr, w | wr)
    });
    let straight = src.more.is_empty() && !jumps_to(src.pc.0, &src.insns, src.pc.0);
    let (read_first, _) = src.insns.iter().fold((0u32, 0u32), |(rf, w), d| {
        let (r, wr) = reg_masks(d);
        (rf | (r & !w), w | wr)
    });
    let preload = if straight { read_first } else { used };
    for blk in src.more.iter().filter(|b| b.pc != src.pc.0) {
        let head = cx.b.create_block();
        cx.heads.insert(blk.pc, head);
    }
    if !src.more.is_empty() {
        let blocks = std::iter::once((src.pc.0, &src.insns[..]))
            .chain(src.more.iter().map(|b| (b.pc, &b.insns[..])));
        cx.return_sites = blocks
            .filter_map(|(pc, insns)| call_site(pc, insns))
            .collect();
    }
    cx.checked.insert(src.pc.0);
    if !src.more.is_empty() {
        let blocks = std::iter::once((src.pc.0, &src.insns[..]))
            .chain(src.more.iter().map(|b| (b.pc, &b.insns[..])));
        for (pc, insns) in blocks {
            for t in block_targets(pc, insns, &cx.return_sites) {
                if t <= pc {
                    cx.checked.insert(t);
                }
            }
        }
    }
    cx.written = written;
    cx.dirty = if straight { 0 } else { written };
    for i in 1..32 {
        if preload & (1 << i) != 0 {
            cx.x(Reg(i as u8));
        }
    }
    cx.b.ins().jump(header, &[]);
    cx.b.switch_to_block(header);
    cx.lift_block(src.pc.0, &src.insns, 0);
    let mut serial = src.insns.len() as u64;
    for blk in &src.more {
        let base = serial;
        serial += blk.insns.len() as u64;
        let Some(&head) = cx.heads.get(&blk.pc) else {
            continue;
        };
        cx.b.switch_to_block(head);
        cx.lift_block(blk.pc, &blk.insns, base);
    }
    cx.b.switch_to_block(cx.ret_block);
    cx.b.ins().return_(&[]);
    cx.b.seal_all_blocks();
    let notes = std::mem::take(&mut cx.notes);
    cx.b.finalize(crate::cache::frontend_config());
    notes
}

/// The CLIF text of `func`, with each guest instruction's pc and
/// disassembly as a comment before its first IR instruction.
pub fn annotate(func: &Function, notes: &[(Option<Inst>, String)]) -> String {
    struct Annotator<'n> {
        notes: HashMap<Inst, Vec<&'n str>>,
    }
    impl FuncWriter for Annotator<'_> {
        fn write_block_header(
            &mut self,
            w: &mut dyn std::fmt::Write,
            func: &Function,
            block: Block,
            indent: usize,
        ) -> std::fmt::Result {
            PlainWriter.write_block_header(w, func, block, indent)
        }
        fn write_instruction(
            &mut self,
            w: &mut dyn std::fmt::Write,
            func: &Function,
            aliases: &cranelift_codegen::entity::SecondaryMap<Value, Vec<Value>>,
            inst: Inst,
            indent: usize,
        ) -> std::fmt::Result {
            if let Some(ns) = self.notes.get(&inst) {
                for n in ns {
                    writeln!(w, "{:indent$}; guest {n}", "")?;
                }
            }
            PlainWriter.write_instruction(w, func, aliases, inst, indent)
        }
    }
    let mut map: HashMap<Inst, Vec<&str>> = HashMap::new();
    for (inst, n) in notes {
        if let Some(i) = inst {
            map.entry(*i).or_default().push(n);
        }
    }
    let mut out = String::new();
    let _ =
        cranelift_codegen::write::decorate_function(&mut Annotator { notes: map }, &mut out, func);
    for (inst, n) in notes {
        if inst.is_none() {
            let _ = writeln!(out, "; guest {n} (no IR: nop)");
        }
    }
    out
}

impl TbCx<'_> {
    /// Lifts one guest block at the current (empty) Cranelift block: its
    /// budget check, its instructions, and a jump to the next pc when it
    /// does not end in a control transfer.
    fn lift_block(&mut self, start: u64, insns: &[Decoded], serial: u64) {
        self.block_pc = start;
        self.len = insns.len() as i64;
        if self.checked.contains(&start) {
            self.budget_check();
        } else {
            self.charge();
        }
        if self.prof.is_some() {
            self.serial = serial;
            self.count(0);
        }
        let mut pc = start;
        let mut ended = false;
        for (i, d) in insns.iter().enumerate() {
            self.index = i as i64;
            self.serial = serial + i as u64;
            let note = format!("{pc:#x}: {}", disasm(d, pc));
            let start_len = self.b.func.dfg.num_insts();
            ended = self.insn(pc, d);
            // The first instruction created for this guest instruction.
            let created =
                (start_len < self.b.func.dfg.num_insts()).then(|| Inst::from_u32(start_len as u32));
            self.notes.push((created, note));
            pc = pc.wrapping_add(d.len as u64);
            if ended {
                break;
            }
        }
        if !ended {
            self.goto(pc);
        }
    }

    /// `--profile`: adds one to counter `which` (0: block entries, 1:
    /// fast-path hits, 2: early exits) of the instruction being lifted.
    fn count(&mut self, which: u64) {
        let Some(p) = self.prof else { return };
        let addr = self.iconst(p.counters + 24 * self.serial + 8 * which);
        self.bump(addr);
    }

    /// `*addr += 1` on a profiling or exit counter (runtime memory no
    /// guest access can reach; read only after generated code returned).
    fn bump(&mut self, addr: Value) {
        let v = self.b.ins().load(I64, trusted(), addr, 0);
        let v = self.b.ins().iadd_imm_s(v, 1);
        self.b.ins().store(trusted(), v, addr, 0);
    }

    /// `--profile`: counts a fast-path hit of the instruction being lifted
    /// and of the main-RAM page `host` lies in.
    fn count_fast(&mut self, host: Value, write: bool) {
        let Some(p) = self.prof else { return };
        self.count(1);
        let ram = self.iconst(p.ram_host);
        let off = self.b.ins().isub(host, ram);
        let page = self.b.ins().ushr_imm_u(off, 12);
        let byte = self.b.ins().ishl_imm_u(page, 4);
        let base = self.iconst(p.pages + 8 * write as u64);
        let addr = self.b.ins().iadd(base, byte);
        self.bump(addr);
    }

    fn iconst(&mut self, v: u64) -> Value {
        self.b.ins().iconst(I64, v as i64)
    }

    /// Reads guest register `r` (x0 is the constant zero). The first read
    /// in a TB loads it from `CpuState`; later reads use the SSA value.
    fn x(&mut self, r: Reg) -> Value {
        if r.0 == 0 {
            return self.iconst(0);
        }
        let i = r.0 as usize & 31;
        if let Some(var) = self.regs[i] {
            return self.b.use_var(var);
        }
        let v = self
            .b
            .ins()
            .load(I64, trusted(), self.cpu, cpu_off::X as i32 + 8 * i as i32);
        let var = self.b.declare_var(I64);
        self.b.def_var(var, v);
        self.regs[i] = Some(var);
        v
    }

    /// Writes guest register `r` (writes to x0 are dropped). The value is
    /// stored to `CpuState` at the next exit or helper call.
    fn set_x(&mut self, r: Reg, v: Value) {
        if r.0 == 0 {
            return;
        }
        let i = r.0 as usize & 31;
        let var = match self.regs[i] {
            Some(var) => var,
            None => {
                let var = self.b.declare_var(I64);
                self.regs[i] = Some(var);
                var
            }
        };
        self.b.def_var(var, v);
        self.dirty |= 1 << i;
    }

    /// Stores every register that may differ from `CpuState` (`dirty`)
    /// before anything that may read the architectural state: an exit, a
    /// helper call.
    fn writeback(&mut self) {
        for i in 1..32 {
            if self.dirty & (1 << i) != 0 {
                let var = self.regs[i].expect("a written register has a variable");
                let v = self.b.use_var(var);
                self.b
                    .ins()
                    .store(trusted(), v, self.cpu, cpu_off::X as i32 + 8 * i as i32);
            }
        }
    }

    fn store_pc(&mut self, pc: Value) {
        self.b
            .ins()
            .store(trusted(), pc, self.cpu, cpu_off::PC as i32);
    }

    /// Stores the budget to `ctx.budget`, plus a refund of `n` instructions
    /// charged at entry that will not (or not yet) run.
    fn publish_budget(&mut self, n: i64) {
        let c = self.b.use_var(self.budget);
        let c = if n != 0 {
            self.b.ins().iadd_imm_s(c, n)
        } else {
            c
        };
        self.b.ins().store(trusted(), c, self.ctx, ctx_off::BUDGET);
    }

    /// Instructions from the current one to the end of the TB.
    fn rest(&self) -> i64 {
        self.len - self.index
    }

    /// At the loop header: leave (with `cpu.pc` = the TB's pc and the
    /// registers stored) when the budget is spent, else charge the whole TB.
    /// Every exit before the TB's end refunds what did not run, so
    /// `budget` at entry minus `budget` at return is the number of
    /// instructions the TB (and its chained successors) executed.
    /// Charges the block's instructions to the budget without checking it
    /// (a region block only entered going forward; see `checked`).
    fn charge(&mut self) {
        let budget = self.b.use_var(self.budget);
        let left = self.b.ins().iadd_imm_s(budget, -self.len);
        self.b.def_var(self.budget, left);
    }

    fn budget_check(&mut self) {
        let budget = self.b.use_var(self.budget);
        let spent = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThanOrEqual, budget, 0);
        let body = self.b.create_block();
        let out = self.b.create_block();
        self.b.set_cold_block(out);
        self.b.ins().brif(spent, out, &[], body, &[]);
        self.b.switch_to_block(out);
        self.writeback();
        let pcv = self.iconst(self.block_pc);
        self.store_pc(pcv);
        self.publish_budget(0);
        self.b.ins().jump(self.ret_block, &[]);
        self.b.switch_to_block(body);
        let left = self.b.ins().iadd_imm_s(budget, -self.len);
        self.b.def_var(self.budget, left);
    }

    /// A control transfer to `target`: back to the header when it is this
    /// TB's own start (a loop stays inside generated code, registers in
    /// SSA values), else leave through the jump cache.
    fn goto(&mut self, target: u64) {
        if target == self.start_pc {
            self.b.ins().jump(self.header, &[]);
            return;
        }
        if let Some(&head) = self.heads.get(&target) {
            self.b.ins().jump(head, &[]);
            return;
        }
        let counter = self.exits.as_ref().and_then(|e| {
            let i = e.targets.iter().position(|&t| t == target)?;
            Some(e.counters + 8 * i as u64)
        });
        if let Some(addr) = counter {
            let addr = self.iconst(addr);
            self.bump(addr);
        }
        let same_page = (target ^ self.start_pc) & PAGE_MASK == 0;
        let cell = self.cells.get(self.next_cell).copied().unwrap_or(0);
        self.next_cell += 1;
        let t = self.iconst(target);
        if !same_page || cell == 0 {
            self.exit_with_pc(t);
            return;
        }
        // A successor on the same page stays valid as long as this TB is
        // (same mapping, same code page), so the cell needs no checks:
        //   code = *cell; if code != 0 { return_call code } else { exit stub }
        // The registers are written back once, before the test.
        self.writeback();
        let cellv = self.iconst(cell);
        let code = self.b.ins().load(I64, trusted(), cellv, 0);
        let direct = self.b.create_block();
        let lookup = self.b.create_block();
        self.b.ins().brif(code, direct, &[], lookup, &[]);
        self.b.switch_to_block(direct);
        let budget = self.b.use_var(self.budget);
        let args = [self.ctx, self.cpu, budget];
        self.b.ins().return_call_indirect(self.tb_sig, code, &args);
        self.b.switch_to_block(lookup);
        self.leave(t, cellv);
    }

    /// A return (`jalr x0, 0(link)`) in a region: for each of the region's
    /// calls through `link` whose return address starts a region block,
    /// `if t == that address { jump there }`; the caller then emits the
    /// exit for the other targets.
    fn predict_return(&mut self, link: Reg, t: Value) {
        let sites: Vec<u64> = self
            .return_sites
            .iter()
            .filter(|&&(r, pc)| {
                r == link.0 && (pc == self.start_pc || self.heads.contains_key(&pc))
            })
            .map(|&(_, pc)| pc)
            .collect();
        for pc in sites {
            let hit = self.b.ins().icmp_imm_s(IntCC::Equal, t, pc as i64);
            let there = self.b.create_block();
            let other = self.b.create_block();
            self.b.ins().brif(hit, there, &[], other, &[]);
            self.b.switch_to_block(there);
            self.goto(pc);
            self.b.switch_to_block(other);
        }
    }

    /// Leaves the TB with `pc` as the next guest pc: the successor is looked
    /// up in the jump cache and tail-called, or control returns to the
    /// dispatcher.
    ///
    /// ```text
    /// e = ctx.jc + ((pc >> 1) & ctx.jc_mask) * 32
    /// if e.vpc == pc && e.tag == TAG { return_call e.code(ctx) } else { return }
    /// ```
    ///
    /// The probe is inline, not in the exit stub that linking uses
    /// (`leave`): these exits run it every time (indirect jumps, successors
    /// on other pages), and one shared indirect jump for all of them
    /// predicts worse than one per exit (through the stub, `bench_cm_state`
    /// and `bench_cm_list` took 8-13% longer).
    fn exit_with_pc(&mut self, pc: Value) {
        self.writeback();
        self.store_pc(pc);
        let tag = self.iconst(self.tag);
        let (hit, e) = jc_probe(&mut self.b, cold_invariant(), self.ctx, pc, tag);
        let chain = self.b.create_block();
        let miss = self.b.create_block();
        self.b.ins().brif(hit, chain, &[], miss, &[]);
        self.b.switch_to_block(miss);
        self.publish_budget(0);
        self.b.ins().jump(self.ret_block, &[]);
        self.b.switch_to_block(chain);
        let code = self.b.ins().load(I64, trusted(), e, ctx_off::JC_CODE);
        let budget = self.b.use_var(self.budget);
        let args = [self.ctx, self.cpu, budget];
        self.b.ins().return_call_indirect(self.tb_sig, code, &args);
    }

    /// Tail-calls the exit stub (`CodeCache::build_exit_stub`) for `pc`,
    /// which links `cell` when it finds the successor: the path of a
    /// chaining cell not linked yet, so it runs until the successor is
    /// compiled and then no more. The registers are already written back.
    fn leave(&mut self, pc: Value, cell: Value) {
        let stub = self
            .b
            .ins()
            .load(I64, cold_invariant(), self.ctx, ctx_off::EXIT_STUB);
        let tag = self.iconst(self.tag);
        let budget = self.b.use_var(self.budget);
        let args = [self.ctx, self.cpu, budget, pc, tag, cell];
        self.b
            .ins()
            .return_call_indirect(self.exit_sig, stub, &args);
    }

    /// After a helper call: return at once if the helper set `ctx.exit`.
    fn check_exit(&mut self) {
        let e = self.b.ins().load(I64, trusted(), self.ctx, ctx_off::EXIT);
        let cont = self.b.create_block();
        if self.prof.is_some() {
            // Counted: the rest of the guest block did not run.
            let early = self.b.create_block();
            self.b.set_cold_block(early);
            self.b.ins().brif(e, early, &[], cont, &[]);
            self.b.switch_to_block(early);
            self.count(2);
            self.b.ins().jump(self.ret_block, &[]);
        } else {
            self.b.ins().brif(e, self.ret_block, &[], cont, &[]);
        }
        self.b.switch_to_block(cont);
    }

    /// Lifts one instruction; returns true when the TB ends with it.
    fn insn(&mut self, pc: u64, d: &Decoded) -> bool {
        let next = pc.wrapping_add(d.len as u64);
        match d.insn {
            Insn::Lui { rd, imm } => {
                let v = self.iconst(imm as u64);
                self.set_x(rd, v);
            }
            Insn::Auipc { rd, imm } => {
                let v = self.iconst(pc.wrapping_add(imm as u64));
                self.set_x(rd, v);
            }
            Insn::OpImm { op, rd, rs1, imm } => {
                let a = self.x(rs1);
                let v = self.alu_imm(op, a, imm);
                self.set_x(rd, v);
            }
            Insn::OpImm32 { op, rd, rs1, imm } => {
                let a = self.x(rs1);
                let b = self.iconst(imm as u64);
                let v = self.alu32(op, a, b);
                self.set_x(rd, v);
            }
            Insn::Op { op, rd, rs1, rs2 } => {
                let a = self.x(rs1);
                let b = self.x(rs2);
                let v = self.alu(op, a, b);
                self.set_x(rd, v);
            }
            Insn::Op32 { op, rd, rs1, rs2 } => {
                let a = self.x(rs1);
                let b = self.x(rs2);
                let v = self.alu32(op, a, b);
                self.set_x(rd, v);
            }
            Insn::Unary { op, rd, rs1 } => {
                let a = self.x(rs1);
                let v = self.unary(op, a);
                self.set_x(rd, v);
            }
            Insn::Fence { .. } => {}
            Insn::Load {
                op,
                rd,
                rs1,
                offset,
            } => {
                let base = self.x(rs1);
                let va = self.b.ins().iadd_imm_s(base, offset);
                let v = self.load(pc, next, va, op, rd);
                self.set_x(rd, v);
            }
            Insn::Store {
                op,
                rs1,
                rs2,
                offset,
            } => {
                let base = self.x(rs1);
                let va = self.b.ins().iadd_imm_s(base, offset);
                let v = self.x(rs2);
                self.store(pc, next, va, v, op);
            }
            Insn::Jal { rd, offset } => {
                let link = self.iconst(next);
                self.set_x(rd, link);
                self.goto(pc.wrapping_add(offset as u64));
                return true;
            }
            Insn::Jalr { rd, rs1, offset } => {
                let base = self.x(rs1);
                let t = self.b.ins().iadd_imm_s(base, offset);
                let t = self.b.ins().band_imm_s(t, !1);
                let link = self.iconst(next);
                self.set_x(rd, link);
                if rd == Reg::ZERO && offset == 0 {
                    self.predict_return(rs1, t);
                }
                self.exit_with_pc(t);
                return true;
            }
            Insn::Branch {
                op,
                rs1,
                rs2,
                offset,
            } => {
                let a = self.x(rs1);
                let b = self.x(rs2);
                let cc = match op {
                    BranchOp::Eq => IntCC::Equal,
                    BranchOp::Ne => IntCC::NotEqual,
                    BranchOp::Lt => IntCC::SignedLessThan,
                    BranchOp::Ge => IntCC::SignedGreaterThanOrEqual,
                    BranchOp::Ltu => IntCC::UnsignedLessThan,
                    BranchOp::Geu => IntCC::UnsignedGreaterThanOrEqual,
                };
                let c = self.b.ins().icmp(cc, a, b);
                let taken = self.b.create_block();
                let not_taken = self.b.create_block();
                self.b.ins().brif(c, taken, &[], not_taken, &[]);
                self.b.switch_to_block(taken);
                self.goto(pc.wrapping_add(offset as u64));
                self.b.switch_to_block(not_taken);
                self.goto(next);
                return true;
            }
            ref i if is_fp(i) => self.fp(pc, next, d),
            _ => {
                // Everything else runs in the interpreter, which leaves the
                // pc (next instruction, jump target or trap handler) in
                // cpu.pc; the TB ends here.
                self.writeback();
                let pcv = self.iconst(pc);
                self.store_pc(pcv);
                // The interpreter retires this instruction itself.
                self.publish_budget(self.rest());
                let f = self
                    .b
                    .ins()
                    .load(I64, cold_invariant(), self.ctx, ctx_off::EXEC);
                let raw = self.b.ins().iconst(I32, d.raw as i64);
                self.b
                    .ins()
                    .call_indirect(self.exec_sig, f, &[self.ctx, raw]);
                self.b.ins().jump(self.ret_block, &[]);
                return true;
            }
        }
        false
    }

    /// The inline TLB lookup. Branches to a fast block (with the host
    /// address as parameter) or a cold slow block; returns both.
    ///
    /// ```text
    /// view  = ctx.tlb[data_idx]                  ; base, mask (pre-scaled)
    /// entry = base + ((va >> 7) & mask)          ; 32-byte entries
    /// tag   = va & (PAGE_MASK | (size - 1))      ; alignment bits make misaligned accesses miss
    /// if tag == entry.<comparator> { host = va + entry.addend } else { slow path }
    /// ```
    fn tlb_access(&mut self, va: Value, size: u8, comparator: i32) -> (Block, Value, Block) {
        let view = ctx_off::TLB + ctx_off::TLB_VIEW_SIZE * self.data_idx as i32;
        let base = self
            .b
            .ins()
            .load(I64, invariant(), self.ctx, view + ctx_off::TLB_BASE);
        let mask = self
            .b
            .ins()
            .load(I64, invariant(), self.ctx, view + ctx_off::TLB_MASK);
        // The mask is pre-scaled (see `TlbView::mask`): no shift left.
        let scaled = self.b.ins().rotr_imm_u(va, 12 - ctx_off::ENTRY_SIZE_LOG2);
        let off = self.b.ins().band(scaled, mask);
        let entry = self.b.ins().iadd(base, off);
        let cmp = self.b.ins().load(I64, trusted(), entry, comparator);
        let tag = self
            .b
            .ins()
            .band_imm_s(va, (PAGE_MASK | (size as u64 - 1)) as i64);
        let hit = self.b.ins().icmp(IntCC::Equal, tag, cmp);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(hit, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let addend = self
            .b
            .ins()
            .load(I64, trusted(), entry, ctx_off::ENTRY_ADDEND);
        let host = self.b.ins().iadd(va, addend);
        self.count_fast(host, comparator == ctx_off::ENTRY_ADDR_WRITE);
        (fast, host, slow)
    }

    /// Before a slow-path call: registers, the pc of the instruction and the
    /// retired count must be exact, as the helper may raise an exception.
    /// The published budget refunds the rest of the TB; on success the
    /// budget variable (still charged) carries on unchanged.
    fn slow_prologue(&mut self, pc: u64) {
        self.writeback();
        let pcv = self.iconst(pc);
        self.store_pc(pcv);
        self.publish_budget(self.rest());
    }

    fn load(&mut self, pc: u64, next: u64, va: Value, op: LoadOp, rd: Reg) -> Value {
        let size = op.size();
        let (_fast, host, slow) = self.tlb_access(va, size, ctx_off::ENTRY_ADDR_READ);
        let merge = self.b.create_block();
        let raw = self.b.append_block_param(merge, I64);
        let v = match size {
            1 => self.b.ins().uload8(I64, trusted(), host, 0),
            2 => self.b.ins().uload16(I64, trusted(), host, 0),
            4 => self.b.ins().uload32(trusted(), host, 0),
            _ => self.b.ins().load(I64, trusted(), host, 0),
        };
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);

        self.b.switch_to_block(slow);
        self.slow_prologue(pc);
        let f = self
            .b
            .ins()
            .load(I64, cold_invariant(), self.ctx, ctx_off::LOAD);
        let nextv = self.iconst(next);
        let desc = crate::ctx::load_desc(size, op.signed(), rd.0);
        let desc = self.b.ins().iconst(I32, desc as i64);
        let call = self
            .b
            .ins()
            .call_indirect(self.load_sig, f, &[self.ctx, va, nextv, desc]);
        let v = self.b.inst_results(call)[0];
        self.check_exit();
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);

        self.b.switch_to_block(merge);
        if op.signed() && size < 8 {
            let ty = match size {
                1 => I8,
                2 => cranelift_codegen::ir::types::I16,
                _ => I32,
            };
            let n = self.b.ins().ireduce(ty, raw);
            self.b.ins().sextend(I64, n)
        } else {
            raw
        }
    }

    fn store(&mut self, pc: u64, next: u64, va: Value, v: Value, op: StoreOp) {
        let size = op.size();
        let (_fast, host, slow) = self.tlb_access(va, size, ctx_off::ENTRY_ADDR_WRITE);
        let merge = self.b.create_block();
        match size {
            1 => self.b.ins().istore8(trusted(), v, host, 0),
            2 => self.b.ins().istore16(trusted(), v, host, 0),
            4 => self.b.ins().istore32(trusted(), v, host, 0),
            _ => self.b.ins().store(trusted(), v, host, 0),
        };
        self.b.ins().jump(merge, &[]);

        self.b.switch_to_block(slow);
        self.slow_prologue(pc);
        let f = self
            .b
            .ins()
            .load(I64, cold_invariant(), self.ctx, ctx_off::STORE);
        let nextv = self.iconst(next);
        let sz = self.b.ins().iconst(I32, size as i64);
        self.b
            .ins()
            .call_indirect(self.store_sig, f, &[self.ctx, va, v, nextv, sz]);
        self.check_exit();
        self.b.ins().jump(merge, &[]);

        self.b.switch_to_block(merge);
    }
}

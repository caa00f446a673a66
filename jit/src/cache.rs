//! The code cache: compiles TBs with Cranelift and owns their machine code.
//!
//! Cranelift's `JITModule` cannot free single functions, so code lives in
//! *generations*: one module per generation. When the generation takes
//! more than [`CODE_BUDGET`] bytes of memory, the owner calls
//! [`CodeCache::flush`] (between TB executions, never while generated code
//! runs), which drops every TB and starts a fresh module.
//!
//! The budget counts memory, not code bytes: `cranelift-jit` makes each
//! finalized function's pages read-only and executable, so every TB starts
//! on a fresh page and takes at least [`CODE_PAGE`] bytes (a 400-byte TB
//! costs 4 KiB). Counting code bytes let a compile storm hold ten times
//! the budget (~700 MB of RSS) before a flush.

use std::time::{Duration, Instant};

use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Module};

use crate::ctx::offsets as off;
use crate::translate::{annotate, build, jc_probe, Sigs, TbSource};

/// Memory (whole pages of code) per generation before a full flush.
pub const CODE_BUDGET: usize = 128 << 20;
/// The granule of code memory: each finalisation's code occupies whole pages.
pub const CODE_PAGE: usize = 4096;

/// The memory a TB of `size` code bytes occupies.
pub fn footprint(size: usize) -> usize {
    size.max(1).next_multiple_of(CODE_PAGE)
}

/// A compiled TB: an opaque handle to its entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TbCode {
    pub(crate) entry: *const u8,
    /// The generation's entry trampoline (host calling convention).
    pub(crate) tramp: *const u8,
    /// The generation's exit stub (tail convention), see
    /// [`CodeCache::build_exit_stub`].
    pub(crate) exit_stub: *const u8,
    /// The generation that owns the code (stale after a flush).
    pub generation: u64,
    /// Machine-code size in bytes (for perf maps).
    pub size: u32,
}

impl TbCode {
    /// The TB's entry address, for the jump cache.
    pub fn entry_addr(&self) -> u64 {
        self.entry as u64
    }
}

/// Why a TB could not be compiled (a host-side bug, never guest-caused).
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    #[error("cranelift: {0}")]
    Module(String),
}

/// Compile-time counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitStats {
    pub compiled: u64,
    pub compile_time: Duration,
    pub code_bytes: usize,
    /// Memory those TBs occupied (see [`footprint`]).
    pub footprint: usize,
    pub flushes: u64,
}

/// Compiler settings.
#[derive(Clone, Copy, Debug)]
pub struct JitOptions {
    /// Cranelift `opt_level`: "none", "speed" or "speed_and_size".
    pub opt_level: &'static str,
    /// Run Cranelift's IR verifier (on in debug builds by default).
    pub verify: bool,
    /// `None`: generate code for the host's ISA features (detected).
    /// `Some(flags)`: for the baseline of the host's architecture plus
    /// exactly these Cranelift ISA flags (e.g. `"has_bmi2"`), so golden
    /// host code does not depend on the machine that checks it.
    pub isa_features: Option<&'static [&'static str]>,
}

impl Default for JitOptions {
    fn default() -> Self {
        JitOptions {
            opt_level: "speed",
            verify: cfg!(debug_assertions),
            isa_features: None,
        }
    }
}

pub struct CodeCache {
    opts: JitOptions,
    module: Option<JITModule>,
    ctx: Context,
    fbc: FunctionBuilderContext,
    sigs: Sigs,
    generation: u64,
    /// Functions declared in this process (unique names across flushes).
    serial: u64,
    /// Memory taken by this generation's code (whole pages per finalisation).
    bytes: usize,
    tramp: *const u8,
    exit_stub: *const u8,
    pub stats: JitStats,
}

/// The frontend configuration of the host (pointer width, call convention).
pub fn frontend_config() -> TargetFrontendConfig {
    TargetFrontendConfig {
        default_call_conv: cranelift_codegen::isa::CallConv::triple_default(
            &target_lexicon::Triple::host(),
        ),
        pointer_width: target_lexicon::PointerWidth::U64,
        page_size_align_log2: 12,
    }
}

fn new_module(opts: JitOptions) -> Result<JITModule, JitError> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v)
            .map_err(|e| JitError::Module(format!("setting {k}={v}: {e}")))
    };
    set(&mut flags, "opt_level", opts.opt_level)?;
    set(
        &mut flags,
        "enable_verifier",
        if opts.verify { "true" } else { "false" },
    )?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // Tail calls between TBs need frame pointers on x86-64.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    let isa = match opts.isa_features {
        None => cranelift_native::builder()
            .map_err(|e| JitError::Module(format!("host not supported: {e}")))?,
        Some(features) => {
            let mut b = cranelift_codegen::isa::lookup(target_lexicon::Triple::host())
                .map_err(|e| JitError::Module(format!("host not supported: {e}")))?;
            for f in features {
                b.enable(f)
                    .map_err(|e| JitError::Module(format!("ISA flag {f}: {e}")))?;
            }
            b
        }
    };
    let isa = isa
        .finish(settings::Flags::new(flags))
        .map_err(|e| JitError::Module(e.to_string()))?;
    Ok(JITModule::new(JITBuilder::with_isa(
        isa,
        default_libcall_names(),
    )))
}

impl CodeCache {
    pub fn new(opts: JitOptions) -> Result<CodeCache, JitError> {
        let module = new_module(opts)?;
        let sigs = Sigs::new(module.isa().default_call_conv());
        let mut cache = CodeCache {
            opts,
            ctx: module.make_context(),
            module: Some(module),
            fbc: FunctionBuilderContext::new(),
            sigs,
            generation: 0,
            serial: 0,
            bytes: 0,
            tramp: std::ptr::null(),
            exit_stub: std::ptr::null(),
            stats: JitStats::default(),
        };
        cache.tramp = cache.build_trampoline()?;
        cache.exit_stub = cache.build_exit_stub()?;
        Ok(cache)
    }

    /// Compiles the entry trampoline of a generation: called with the host
    /// calling convention as `tramp(ctx, tb)`, it calls
    /// `tb(ctx, ctx.cpu, ctx.budget)` with the tail convention, so TBs can
    /// tail-call each other.
    fn build_trampoline(&mut self) -> Result<*const u8, JitError> {
        let (sig, tb_sig) = (self.sigs.tramp.clone(), self.sigs.tb.clone());
        self.build_glue(sig, |b, p| {
            let (ctx, tb) = (p[0], p[1]);
            let flags = MemFlagsData::trusted();
            let cpu = b.ins().load(I64, flags, ctx, off::CPU);
            let budget = b.ins().load(I64, flags, ctx, off::BUDGET);
            let sig = b.import_signature(tb_sig);
            b.ins().call_indirect(sig, tb, &[ctx, cpu, budget]);
            b.ins().return_(&[]);
        })
    }

    /// Compiles the exit stub of a generation, which TBs tail-call (tail
    /// convention) as `stub(ctx, cpu, budget, pc, tag, cell)` when they
    /// leave for `pc` through a chaining cell not linked yet. It keeps the
    /// jump-cache probe out of every TB (about 17 IR instructions and three
    /// blocks an exit, which Cranelift compiled again for each):
    ///
    /// ```text
    /// cpu.pc = pc
    /// e = ctx.jc + ((pc >> 1) & ctx.jc_mask) * 32
    /// if e.vpc == pc && e.tag == tag {
    ///     if cell != 0 { *cell = e.code }      // link the caller's cell
    ///     return_call e.code(ctx, cpu, budget)
    /// }
    /// ctx.budget = budget; return              // to the dispatcher
    /// ```
    fn build_exit_stub(&mut self) -> Result<*const u8, JitError> {
        let (sig, tb_sig) = (self.sigs.exit.clone(), self.sigs.tb.clone());
        self.build_glue(sig, |b, p| {
            let (ctx, cpu, budget, pc, tag, cell) = (p[0], p[1], p[2], p[3], p[4], p[5]);
            let flags = MemFlagsData::trusted();
            b.ins()
                .store(flags, pc, cpu, crate::state::offsets::PC as i32);
            let (hit, e) = jc_probe(b, flags, ctx, pc, tag);
            let (chain, link, go, miss) = (
                b.create_block(),
                b.create_block(),
                b.create_block(),
                b.create_block(),
            );
            b.ins().brif(hit, chain, &[], miss, &[]);
            b.switch_to_block(miss);
            b.ins().store(flags, budget, ctx, off::BUDGET);
            b.ins().return_(&[]);
            b.switch_to_block(chain);
            let code = b.ins().load(I64, flags, e, off::JC_CODE);
            b.ins().brif(cell, link, &[], go, &[]);
            b.switch_to_block(link);
            b.ins().store(flags, code, cell, 0);
            b.ins().jump(go, &[]);
            b.switch_to_block(go);
            let sig = b.import_signature(tb_sig);
            b.ins().return_call_indirect(sig, code, &[ctx, cpu, budget]);
        })
    }

    /// Builds one of a generation's glue functions (`body` gets the entry
    /// block's parameters and builds the rest), compiles it and makes it
    /// executable at once.
    fn build_glue(
        &mut self,
        sig: cranelift_codegen::ir::Signature,
        body: impl FnOnce(&mut FunctionBuilder, &[cranelift_codegen::ir::Value]),
    ) -> Result<*const u8, JitError> {
        let module = self
            .module
            .as_mut()
            .expect("a module exists between flushes");
        self.ctx.clear();
        self.ctx.func.signature = sig;
        let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fbc);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        body(&mut b, &params);
        b.seal_all_blocks();
        b.finalize(frontend_config());
        let id = module
            .declare_anonymous_function(&self.ctx.func.signature)
            .map_err(|e| JitError::Module(e.to_string()))?;
        module
            .define_function(id, &mut self.ctx)
            .map_err(|e| JitError::Module(format!("{e:?}")))?;
        module.clear_context(&mut self.ctx);
        module
            .finalize_definitions()
            .map_err(|e| JitError::Module(e.to_string()))?;
        Ok(module.get_finalized_function(id))
    }

    /// The current generation; TBs of older generations must not run.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the generation is over its code budget.
    pub fn is_full(&self) -> bool {
        self.bytes > CODE_BUDGET
    }

    /// Drops every TB and starts a new generation, freeing its code.
    ///
    /// # Safety
    ///
    /// No code of the current generation is executing, and no pointer into
    /// it (a `TbCode`, a jump-cache entry, a chaining cell) is ever used
    /// again: the caller clears every such structure first.
    #[allow(unsafe_code)]
    ///
    /// On an error nothing changes: the old generation (and its glue) stays,
    /// so the TBs compiled after a failed flush still get a trampoline and
    /// an exit stub that exist.
    pub unsafe fn flush(&mut self) -> Result<(), JitError> {
        let old = self.module.replace(new_module(self.opts)?);
        let glue = self
            .build_trampoline()
            .and_then(|tramp| Ok((tramp, self.build_exit_stub()?)));
        let (tramp, exit_stub) = match glue {
            Ok(g) => g,
            Err(e) => {
                if let Some(m) = std::mem::replace(&mut self.module, old) {
                    // SAFETY: nothing points into the new module: its glue
                    // was never handed out.
                    unsafe { m.free_memory() };
                }
                return Err(e);
            }
        };
        if let Some(m) = old {
            // SAFETY: the caller's contract: no pointer into the old
            // module's code is used again, and none is executing.
            unsafe { m.free_memory() };
        }
        self.generation += 1;
        self.bytes = 0;
        self.stats.flushes += 1;
        self.tramp = tramp;
        self.exit_stub = exit_stub;
        Ok(())
    }

    /// Compiles `src`.
    pub fn compile(&mut self, src: &TbSource) -> Result<TbCode, JitError> {
        self.compile_batch(std::slice::from_ref(src))
            .pop()
            .unwrap_or_else(|| Err(JitError::Module("empty batch".into())))
    }

    /// Compiles several TBs and makes them executable together: one
    /// `mprotect` (and one round of TLB shootdowns) for the batch, and its
    /// TBs share pages. One result per source, in order.
    pub fn compile_batch(&mut self, srcs: &[TbSource]) -> Vec<Result<TbCode, JitError>> {
        let t0 = Instant::now();
        let defined: Vec<_> = srcs.iter().map(|src| self.define(src)).collect();
        let module = self
            .module
            .as_mut()
            .expect("a module exists between flushes");
        if let Err(e) = module.finalize_definitions() {
            let e = e.to_string();
            return srcs
                .iter()
                .map(|_| Err(JitError::Module(e.clone())))
                .collect();
        }
        // Code of one finalisation is packed (16-byte aligned) on pages of
        // its own.
        let bytes: usize = defined
            .iter()
            .flatten()
            .map(|(_, size)| size.next_multiple_of(16))
            .sum();
        let pages = if bytes > 0 { footprint(bytes) } else { 0 };
        self.bytes += pages;
        self.stats.footprint += pages;
        self.stats.compile_time += t0.elapsed();
        defined
            .into_iter()
            .map(|d| {
                let (id, size) = d?;
                self.stats.compiled += 1;
                self.stats.code_bytes += size;
                Ok(TbCode {
                    entry: module.get_finalized_function(id),
                    tramp: self.tramp,
                    exit_stub: self.exit_stub,
                    generation: self.generation,
                    size: size as u32,
                })
            })
            .collect()
    }

    /// Lowers `src` and defines it in the module (not yet executable).
    fn define(&mut self, src: &TbSource) -> Result<(FuncId, usize), JitError> {
        let module = self
            .module
            .as_mut()
            .expect("a module exists between flushes");
        self.ctx.clear();
        build(&mut self.ctx.func, &mut self.fbc, &self.sigs, src);
        // Named by guest pc (and a serial: a TB can be compiled again after
        // an invalidation): under `perf record`, Cranelift writes these
        // names to the perf map itself, so profiles name generated code by
        // guest pc even without `--perf-map`.
        self.serial += 1;
        let name = format!("rvdbt_tb_{:x}_{}", src.pc.0, self.serial);
        let id = module
            .declare_function(
                &name,
                cranelift_module::Linkage::Local,
                &self.ctx.func.signature,
            )
            .map_err(|e| JitError::Module(e.to_string()))?;
        // A Cranelift panic is a host bug: it becomes an error, so the guest
        // keeps running in the interpreter instead of the host dying.
        let ctx = &mut self.ctx;
        let defined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            module
                .define_function(id, ctx)
                .map_err(|e| format!("{e:?}"))
        }));
        match defined {
            Ok(r) => r.map_err(JitError::Module)?,
            Err(_) => {
                self.ctx.clear();
                return Err(JitError::Module("Cranelift panicked".into()));
            }
        }
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_buffer().len());
        module.clear_context(&mut self.ctx);
        Ok((id, size))
    }

    /// The annotated CLIF of `src` (before optimisation), for golden tests
    /// and `--dump-ir`.
    pub fn clif(&mut self, src: &TbSource) -> String {
        let mut func = cranelift_codegen::ir::Function::new();
        let notes = build(&mut func, &mut self.fbc, &self.sigs, src);
        annotate(&func, &notes)
    }

    /// The host code `src` compiles to, as Cranelift's disassembly (for
    /// golden files and reviews; nothing is installed).
    pub fn host_disasm(&mut self, src: &TbSource) -> Result<String, JitError> {
        let module = self
            .module
            .as_ref()
            .expect("a module exists between flushes");
        let mut ctx = cranelift_codegen::Context::new();
        build(&mut ctx.func, &mut self.fbc, &self.sigs, src);
        ctx.set_disasm(true);
        let code = ctx
            .compile(module.isa(), &mut Default::default())
            .map_err(|e| JitError::Module(format!("{:?}", e.inner)))?;
        Ok(code.vcode.clone().unwrap_or_default())
    }
}

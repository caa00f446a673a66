//! Entering generated code: the one place the runtime calls into a TB.

use crate::cache::TbCode;
use crate::ctx::JitCtx;

/// Runs one TB.
///
/// # Safety
///
/// `tb` must come from the `CodeCache` of the current generation (not
/// flushed since), and `ctx` must point to a `JitCtx` whose `cpu` points to
/// a live `CpuState`, whose TLB views describe the current fast tables of
/// the memory system (so every host address formed from an addend lies in
/// guest RAM), whose helpers are valid, and which nothing else accesses
/// while the TB runs except the helpers it calls.
pub unsafe fn run_tb(tb: TbCode, ctx: *mut JitCtx) {
    // SAFETY: `tb.tramp` was produced by Cranelift for the signature
    // `extern "C" fn(*mut JitCtx, *const u8)` (`translate::Sigs::tramp`, the
    // host's default calling convention); it calls `tb.entry` with the tail
    // convention the TB was compiled for. The caller upholds the contract
    // above.
    let f: extern "C" fn(*mut JitCtx, *const u8) = unsafe { core::mem::transmute(tb.tramp) };
    // SAFETY: the caller guarantees `ctx` is valid and not accessed
    // elsewhere; the exit stub belongs to the TB's generation, as the TBs
    // it will tail-call do.
    unsafe { (*ctx).exit_stub = tb.exit_stub };
    f(ctx, tb.entry)
}

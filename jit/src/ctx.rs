//! The ABI between generated code and the runtime: the `#[repr(C)]` context and its helpers.
//!
//! Generated code receives one argument, a pointer to [`JitCtx`]. From it
//! it reads the guest register file ([`CpuState`]), the fast TLB table of
//! each MMU index, and the slow-path helpers, which the runtime fills in.
//! Every offset generated code uses comes from [`offsets`], derived with
//! `offset_of!`; tests pin them.

use core::ffi::c_void;

use softmmu::tlb::NUM_MMU_IDX;

use crate::state::CpuState;

/// Where generated code finds one MMU index's fast TLB table.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TlbView {
    /// Address of the first `softmmu::tlb::TlbEntry`.
    pub base: u64,
    /// Number of entries minus one, shifted left by
    /// [`offsets::ENTRY_SIZE_LOG2`]: the mask of an entry's byte offset
    /// (pre-scaled, as QEMU's), so generated code finds the entry of `va`
    /// at `base + ((va >> (12 - ENTRY_SIZE_LOG2)) & mask)` without a shift.
    pub mask: u64,
}

/// Slow-path load: `(ctx, va, next_pc, desc) -> zero-extended value`, where
/// `desc` ([`load_desc`]) gives the size, signedness and destination
/// register. On a guest exception the helper enters the trap handler and
/// sets `ctx.exit`; generated code then returns at once. Generated code has
/// stored the instruction's pc in `cpu.pc` and every register before the
/// call.
///
/// When the access changed what the rest of the block assumed (a TLB flush
/// or resize, for instance by a page walk's A/D write into a checker's
/// registers; a device access; a write into code), the helper *completes*
/// the instruction itself: it writes the value to `x[rd]`, sets `cpu.pc` to
/// `next_pc`, charges the instruction to the budget and sets `ctx.exit`, so
/// generated code returns without touching memory again.
pub type LoadHelper = extern "C" fn(*mut JitCtx, u64, u64, u32) -> u64;

/// The `desc` argument of [`LoadHelper`]: size in bytes (bits 0-7), sign
/// extension (bit 8), destination register (bits 16-20).
pub const fn load_desc(size: u8, signed: bool, rd: u8) -> u32 {
    size as u32 | (signed as u32) << 8 | (rd as u32) << 16
}

/// The parts of a [`load_desc`]: `(size, signed, rd)`.
pub const fn load_desc_parts(desc: u32) -> (u8, bool, u8) {
    (desc as u8, desc & 0x100 != 0, (desc >> 16) as u8 & 31)
}

/// Slow-path store: `(ctx, va, value, next_pc, size)`; same exit protocol
/// (the store is complete when the helper ends the block).
pub type StoreHelper = extern "C" fn(*mut JitCtx, u64, u64, u64, u32);
/// Executes one F or D instruction: `(ctx, raw bits, next_pc)` -> the value
/// written to `x[rd]` by the instructions that write one (else 0). Same exit
/// protocol as the load helper (a trap, or an access that changed what the
/// block assumed, sets `ctx.exit`; the instruction is then complete in
/// `CpuState`). The TB goes on otherwise.
pub type FpHelper = extern "C" fn(*mut JitCtx, u32, u64) -> u64;
/// Executes one instruction through the interpreter: `(ctx, raw bits)`.
/// Always ends the block: the helper leaves `cpu.pc` at the next pc to run.
pub type ExecHelper = extern "C" fn(*mut JitCtx, u32);

/// The context generated code runs against.
#[repr(C)]
pub struct JitCtx {
    pub cpu: *mut CpuState,
    pub tlb: [TlbView; NUM_MMU_IDX],
    /// The value of `budget` when the hart's instruction counters were last
    /// brought up to date: `counted_budget - budget` instructions ran since.
    pub counted_budget: i64,
    /// Nonzero when a helper asks generated code to return now.
    pub exit: u64,
    pub load: LoadHelper,
    pub store: StoreHelper,
    pub exec: ExecHelper,
    /// The runtime's own data (the hart and memory system).
    pub opaque: *mut c_void,
    /// Instructions left before generated code must return to the
    /// dispatcher (checked at each TB entry and loop back edge, so exit
    /// requests are honoured within one TB). Each TB charges its length at
    /// entry and refunds what it did not run, so the budget also counts
    /// retired instructions.
    pub budget: i64,
    /// The jump cache: `jc_mask + 1` entries of [`JcEntry`].
    /// Helpers empty it at a TLB flush (generated code only reads it).
    pub jc: *mut JcEntry,
    pub jc_mask: u64,
    pub fp: FpHelper,
    /// The generation's exit stub (set by `exec::run_tb` from the TB's
    /// `TbCode`): a TB leaving without a linked successor tail-calls it to
    /// probe the jump cache (see `CodeCache::build_exit_stub`).
    pub exit_stub: *const u8,
}

/// One jump-cache entry: generated code looks its successor up here and
/// tail-calls it. The runtime fills it and clears it whenever translations
/// or code change.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JcEntry {
    /// Guest virtual pc, or `u64::MAX` when empty.
    pub vpc: u64,
    /// `fetch_idx | data_idx << 8 | fp_dirty << 16` of the TB.
    pub tag: u64,
    /// Entry point of the TB (tail calling convention).
    pub code: u64,
    pub _pad: u64,
}

impl JcEntry {
    pub const EMPTY: JcEntry = JcEntry {
        vpc: u64::MAX,
        tag: 0,
        code: 0,
        _pad: 0,
    };

    /// The tag of a TB translated for these MMU indexes and FP state
    /// (`mstatus.FS` Dirty or not: only then may FP run inline).
    pub fn tag_of(fetch_idx: u8, data_idx: u8, fp_dirty: bool) -> u64 {
        fetch_idx as u64 | (data_idx as u64) << 8 | (fp_dirty as u64) << 16
    }
}

/// Byte offsets of [`JitCtx`] and [`softmmu::tlb::TlbEntry`] fields.
pub mod offsets {
    use core::mem::{offset_of, size_of};

    use softmmu::tlb::TlbEntry;

    use super::{JcEntry, JitCtx, TlbView};

    pub const CPU: i32 = offset_of!(JitCtx, cpu) as i32;
    pub const TLB: i32 = offset_of!(JitCtx, tlb) as i32;
    pub const TLB_VIEW_SIZE: i32 = size_of::<TlbView>() as i32;
    pub const TLB_BASE: i32 = offset_of!(TlbView, base) as i32;
    pub const TLB_MASK: i32 = offset_of!(TlbView, mask) as i32;
    pub const COUNTED_BUDGET: i32 = offset_of!(JitCtx, counted_budget) as i32;
    pub const EXIT: i32 = offset_of!(JitCtx, exit) as i32;
    pub const LOAD: i32 = offset_of!(JitCtx, load) as i32;
    pub const STORE: i32 = offset_of!(JitCtx, store) as i32;
    pub const EXEC: i32 = offset_of!(JitCtx, exec) as i32;
    pub const BUDGET: i32 = offset_of!(JitCtx, budget) as i32;
    pub const JC: i32 = offset_of!(JitCtx, jc) as i32;
    pub const JC_MASK: i32 = offset_of!(JitCtx, jc_mask) as i32;
    pub const FP: i32 = offset_of!(JitCtx, fp) as i32;
    pub const EXIT_STUB: i32 = offset_of!(JitCtx, exit_stub) as i32;
    pub const JC_ENTRY_SIZE_LOG2: i64 = 5;
    pub const JC_VPC: i32 = offset_of!(JcEntry, vpc) as i32;
    pub const JC_TAG: i32 = offset_of!(JcEntry, tag) as i32;
    pub const JC_CODE: i32 = offset_of!(JcEntry, code) as i32;

    pub const ENTRY_SIZE_LOG2: i64 = 5;
    pub const ENTRY_ADDR_READ: i32 = offset_of!(TlbEntry, addr_read) as i32;
    pub const ENTRY_ADDR_WRITE: i32 = offset_of!(TlbEntry, addr_write) as i32;
    pub const ENTRY_ADDR_CODE: i32 = offset_of!(TlbEntry, addr_code) as i32;
    pub const ENTRY_ADDEND: i32 = offset_of!(TlbEntry, addend) as i32;
}

const _: () =
    assert!(core::mem::size_of::<softmmu::tlb::TlbEntry>() == 1 << offsets::ENTRY_SIZE_LOG2);

#[cfg(test)]
mod tests {
    use super::offsets::*;

    #[test]
    fn ctx_layout_is_pinned() {
        assert_eq!(
            (CPU, TLB, TLB_VIEW_SIZE, TLB_BASE, TLB_MASK),
            (0, 8, 16, 0, 8)
        );
        assert_eq!(
            (COUNTED_BUDGET, EXIT, LOAD, STORE, EXEC),
            (72, 80, 88, 96, 104)
        );
        assert_eq!((BUDGET, JC, JC_MASK, FP), (120, 128, 136, 144));
        assert_eq!((JC_VPC, JC_TAG, JC_CODE), (0, 8, 16));
        assert_eq!(
            (
                ENTRY_ADDR_READ,
                ENTRY_ADDR_WRITE,
                ENTRY_ADDR_CODE,
                ENTRY_ADDEND
            ),
            (0, 8, 16, 24)
        );
    }
}

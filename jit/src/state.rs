//! The `#[repr(C)]` hart state shared by the interpreter and generated code.
//!
//! Generated code addresses these fields by byte offset, so the layout is
//! defined here once and pinned by tests; any change must update the JIT's
//! offset users, which read them from [`offsets`].

/// Architectural register state of one hart that generated code touches.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CpuState {
    /// Integer registers; `x[0]` is kept zero by every writer.
    pub x: [u64; 32],
    /// Floating-point registers, NaN-boxed (the F/D issue executes them).
    pub f: [u64; 32],
    /// Program counter of the next instruction to execute.
    pub pc: u64,
    /// Floating-point control and status (`frm` << 5 | `fflags`).
    pub fcsr: u32,
}

impl CpuState {
    /// Writes integer register `rd`, ignoring writes to `x0`.
    #[inline(always)]
    pub fn set_x(&mut self, rd: usize, value: u64) {
        if rd != 0 {
            self.x[rd] = value;
        }
    }
}

/// Byte offsets of [`CpuState`] fields, for generated code.
pub mod offsets {
    use super::CpuState;
    use core::mem::offset_of;

    pub const X: usize = offset_of!(CpuState, x);
    pub const F: usize = offset_of!(CpuState, f);
    pub const PC: usize = offset_of!(CpuState, pc);
    pub const FCSR: usize = offset_of!(CpuState, fcsr);
}

const _: () = assert!(core::mem::size_of::<CpuState>() == 8 * 65 + 8);

#[cfg(test)]
mod tests {
    use super::offsets::*;

    #[test]
    fn layout_is_pinned() {
        assert_eq!((X, F, PC, FCSR), (0, 256, 512, 520));
    }
}

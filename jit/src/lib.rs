//! Cranelift translation of guest blocks, and the state layout generated code uses.
//!
//! For now this crate defines only the `#[repr(C)]` architectural state
//! ([`state::CpuState`]) that the interpreter already uses and that generated
//! code will address by field offset; the translator itself lands with the
//! JIT issue. Keeping the layout here from the start means the runtime never
//! grows a second copy of it.
#![forbid(unsafe_code)]

pub mod state;

//! Cranelift translation of guest blocks, and the state layout generated code uses.
//!
//! - [`state`]: the `#[repr(C)]` register file shared with the interpreter.
//! - [`ctx`]: the ABI of generated code (context, helpers, offsets).
//! - [`translate`]: lifting one TB to Cranelift IR (`TbCx`).
//! - [`cache`]: compiling TBs and owning their code (generations).
//! - [`exec`]: calling a TB (the crate's only `unsafe` besides freeing code:
//!   [`cache::CodeCache::flush`] and [`worker::CompileWorker::flush`] are
//!   `unsafe fn`s whose callers promise no pointer into the old code is
//!   used again).
//! - [`worker`]: a background compile thread for the tiered engine.
//!
//! The runtime decides what a TB contains, keys and looks TBs up, and
//! implements the helpers; this crate knows nothing of harts or devices.
#![deny(unsafe_code)]

pub mod cache;
pub mod ctx;
#[allow(unsafe_code)]
pub mod exec;
pub mod state;
pub mod translate;
pub mod worker;

//! The interpreters.
//!
//! - [`reference`]: executes one decoded instruction; the reference
//!   semantics of every instruction (the `reference` engine, and the
//!   fallback of every other engine).
//! - [`fp`]: the F and D extensions (SoftFloat, exact flags), called by
//!   `reference`.
//! - [`fast`] with [`fastops`]: the `interp` engine (and the tiered engine's
//!   tier 0): decoded pages, flat operations and a hot loop that keeps the
//!   pc in a local.

pub mod fast;
pub mod fastops;
pub mod fp;
pub mod reference;

pub use reference::{execute, fetch, step, Flow};

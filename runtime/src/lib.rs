//! The rvdbt runtime: harts, the interpreter, the `virt` machine, loading and the CLI.
//!
//! Architecture invariant: nothing a guest does can panic the host or touch
//! host memory outside guest RAM (`unsafe` is confined to `jit_engine`); guest faults are [`hart::Exception`]
//! values, host-side problems are error values with a message a user can act on.
#![deny(unsafe_code)]

pub mod board;
pub mod cli;
pub mod compare;
pub mod config;
pub mod console;
pub mod devices;
pub mod fdt;
pub mod hart;
pub mod interp;
pub mod jit_engine;
pub mod loader;
pub mod machine;
pub mod profile;
pub mod report;
#[cfg(test)]
mod test_rng;

pub use machine::{Bios, Config, Engine, Machine, MachineError, RunExit};

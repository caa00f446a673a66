//! The rvdbt runtime: harts, the interpreter, the `virt` machine, loading and the CLI.
//!
//! Architecture invariant: nothing a guest does can panic the host or touch
//! host memory outside guest RAM; guest faults are [`hart::Exception`]
//! values, host-side problems are error values with a message a user can act on.
#![forbid(unsafe_code)]

pub mod cli;
pub mod devices;
pub mod fastops;
pub mod fdt;
pub mod hart;
pub mod icache;
pub mod interp;
pub mod loader;
pub mod machine;

pub use machine::{Bios, Config, Engine, Machine, MachineError, RunExit};

//! The benchmark runner behind `cargo bench -p rvdbt-benches --bench mips`: guest programs, engines, timing and the report.
//!
//! [`boot`] holds what `--bench boot` and the `linux_boot` test share:
//! booting Linux to its root-fs panic under `rvdbt run` and QEMU.
//!
//! Each guest program in `benches/guest/` is self-checking and ends through
//! the SiFive test finisher (exit codes in `benches/guest/common/bench.h`).
//! Every rvdbt engine in [`RVDBT_ENGINES`] runs every selected program
//! in-process through [`runtime::machine::run_program`]; when
//! `qemu-system-riscv64` is on the `PATH` the same ELFs are timed on QEMU as
//! a reference. The report is a table (program, engine, instructions,
//! seconds, MIPS; engines the runtime does not have yet as `n/a (engine not
//! built)` rows) followed by ratios measured in the same run (jit/interp,
//! tiered/jit, rvdbt/QEMU per program and their geometric means over the C
//! suite) and the target checks.

pub mod boot;
pub mod chart;
mod options;
mod qemu;
mod report;
mod runner;
mod suite;
mod targets;

pub use options::{
    parse_options, Options, DEFAULT_REPEAT, MAX_SCALE, QUICK_MAX_INSNS, SAFETY_MAX_INSNS, USAGE,
};
pub use qemu::{find_qemu, qemu_version, run_qemu, QEMU_TIMEOUT};
pub use report::{host_line, Ratio, Report, NOT_BUILT};
pub use runner::{
    bootargs, describe_exit, not_built, run_in_process, Engine, Measurement, Status, INTERP,
    REPORTED_ENGINES, RVDBT_ENGINES,
};
pub use suite::{elf_path, guest_dir, suite, Program, PROGRAMS, QEMU_MEM, RAM_SIZE};
pub use targets::{RatioTarget, Target, FEW_SECONDS, RATIO_TARGETS, TARGETS};

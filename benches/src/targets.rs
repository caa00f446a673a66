//! The targets the report checks: guest MIPS and speed ratios.

use crate::runner::{Engine, INTERP};

/// A guest-MIPS target of the issue: `program` on `engine` must reach `mips`.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub label: &'static str,
    pub program: &'static str,
    pub engine: Engine,
    pub mips: f64,
}

pub const TARGETS: &[Target] = &[
    Target {
        label: "bare",
        program: "intloop_bare",
        engine: INTERP,
        mips: 300.0,
    },
    Target {
        label: "Sv39",
        program: "intloop_sv39",
        engine: INTERP,
        mips: 250.0,
    },
];

/// A speed-ratio target of the issue: over the C suite, the geometric mean
/// of `num`'s speed divided by `den`'s must reach `min`.
#[derive(Clone, Copy, Debug)]
pub struct RatioTarget {
    pub label: &'static str,
    /// Engine names ([`Engine::name`]).
    pub num: &'static str,
    pub den: &'static str,
    pub min: f64,
}

/// The issues' JIT targets, which are also the first columns of the ratio
/// table. (The first wave's `jit >= 10x interp` is gone: the interpreter is
/// no longer the reference, as the JIT-regions issue says.)
pub const RATIO_TARGETS: &[RatioTarget] = &[
    RatioTarget {
        label: "tiered >= 1.5x QEMU",
        num: "tiered",
        den: "qemu",
        min: 1.5,
    },
    RatioTarget {
        label: "tiered within 10% of jit",
        num: "tiered",
        den: "jit",
        min: 0.9,
    },
];

/// A floor for every C suite program, not the geometric mean: the
/// JIT-regions issue's "no C program below 1.0x QEMU".
pub const PROGRAM_FLOOR: RatioTarget = RatioTarget {
    label: "no C program below QEMU",
    num: "tiered",
    den: "qemu",
    min: 1.0,
};

/// Runs of the tiered engine shorter than this get a reminder on the
/// tiered/jit target, which the issue states for runs of a few seconds.
pub const FEW_SECONDS: f64 = 2.0;

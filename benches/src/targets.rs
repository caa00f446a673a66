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

/// The JIT targets, which are also the first columns of the ratio
/// table.
pub const RATIO_TARGETS: &[RatioTarget] = &[
    RatioTarget {
        label: "jit >= 10x interp",
        num: "jit",
        den: "interp",
        min: 10.0,
    },
    RatioTarget {
        label: "tiered within 10% of jit",
        num: "tiered",
        den: "jit",
        min: 0.9,
    },
    RatioTarget {
        label: "tiered no slower than QEMU",
        num: "tiered",
        den: "qemu",
        min: 1.0,
    },
];

/// Runs of the tiered engine shorter than this get a reminder on the
/// tiered/jit target, which the issue states for runs of a few seconds.
pub const FEW_SECONDS: f64 = 2.0;

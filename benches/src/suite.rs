//! The benchmark guest programs: the suite, where their ELFs are, and the guest RAM they run in.

use std::path::{Path, PathBuf};

/// Guest RAM for every program, in rvdbt and on QEMU (`-m 256M`). The
/// tlbwalk programs need at least 128 MiB.
pub const RAM_SIZE: u64 = 256 << 20;
/// `-m` argument matching [`RAM_SIZE`].
pub const QEMU_MEM: &str = "256M";

/// A benchmark guest program (`benches/guest/<name>.elf`).
#[derive(Clone, Copy, Debug)]
pub struct Program {
    pub name: &'static str,
    /// One line: what the program measures.
    pub measures: &'static str,
    /// One of the C benchmarks (`guest/src/bench_*.c`): counted in
    /// the geometric means and target checks, and reads `bench.scale=N`
    /// from the kernel command line (N repetitions; 0 runs nothing, which
    /// times QEMU's start-up). The assembly programs ignore the command line.
    pub suite: bool,
    /// A C benchmark (`cbench`): reads `bench.scale=N` like the suite. The
    /// rv64gc builds (`_gc` twins of the suite, the `fpbench_*` FP kernels)
    /// are C benchmarks outside the suite: their rows and ratios are printed
    /// beside the suite's, not folded into its geometric means.
    pub c: bool,
}

/// Every program, in the order they run and are reported.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "bench_matmul",
        measures: "C: 96x96 uint32 matrix multiply (i-j-k), 80 products",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_sort",
        measures: "C: quicksort of 128K random uint32 keys, 24 times",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_crc",
        measures: "C: table CRC-32 + FNV-1a over a 256 KiB buffer, 128 passes",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_list",
        measures: "C: walk a randomly linked list of 128K nodes over 4 MiB, 160 times",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_memcpy",
        measures: "C: byte-by-byte copy of 4 MiB, 24 times",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_bytecode",
        measures: "C: switch-dispatched register VM running a sieve and a hash",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_cm_core",
        measures: "C: CoreMark-like list, matrix, state machine, CRC-16; small calls",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_cm_state",
        measures: "C: lexer, parser, stack VM of a little language; HDLC deframer",
        suite: true,
        c: true,
    },
    Program {
        name: "bench_cm_list",
        measures: "C: linked-list insert/find/remove/sort through callbacks",
        suite: true,
        c: true,
    },
    Program {
        name: "smcbench_nextdoor",
        measures: "C: a loop storing into counters on its own code page, 20M iterations",
        suite: false,
        c: true,
    },
    Program {
        name: "intloop_bare",
        measures: "integer loop, M-mode, satp Bare",
        suite: false,
        c: false,
    },
    Program {
        name: "intloop_sv39",
        measures: "same integer loop, S-mode under Sv39 (4 KiB pages)",
        suite: false,
        c: false,
    },
    Program {
        name: "tlbwalk_4k",
        measures: "S-mode Sv39, one dword per 4 KiB page over 64 MiB, 4 KiB pages",
        suite: false,
        c: false,
    },
    Program {
        name: "tlbwalk_2m",
        measures: "same walk, the 64 MiB mapped with 2 MiB megapages",
        suite: false,
        c: false,
    },
    Program {
        name: "fpbench_nbody",
        measures: "C rv64gc: five-body simulation, 200K steps (double, sqrt, div)",
        suite: false,
        c: true,
    },
    Program {
        name: "fpbench_linalg",
        measures: "C rv64gc: 64x64 double matmul + Gaussian elimination, 24 times",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_matmul_gc",
        measures: "bench_matmul, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_sort_gc",
        measures: "bench_sort, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_crc_gc",
        measures: "bench_crc, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_list_gc",
        measures: "bench_list, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_memcpy_gc",
        measures: "bench_memcpy, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_bytecode_gc",
        measures: "bench_bytecode, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_cm_core_gc",
        measures: "bench_cm_core, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_cm_state_gc",
        measures: "bench_cm_state, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
    Program {
        name: "bench_cm_list_gc",
        measures: "bench_cm_list, built rv64gc (lp64d)",
        suite: false,
        c: true,
    },
];

/// The C suite's programs (the geometric means are over these).
pub fn suite() -> impl Iterator<Item = &'static Program> {
    PROGRAMS.iter().filter(|p| p.suite)
}

/// The directory holding the guest programs.
pub fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guest")
}

/// The ELF of `program`.
pub fn elf_path(program: &Program) -> PathBuf {
    guest_dir().join(format!("{}.elf", program.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_is_committed() {
        for p in PROGRAMS {
            assert!(elf_path(p).is_file(), "{} missing", elf_path(p).display());
        }
    }
}

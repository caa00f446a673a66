//! Lockstep differential testing: random instruction blocks run under every engine, compared state by state.
//!
//! A *block* is a short random program (a [`BlockSpec`]): valid encodings of
//! every RV64IMAFDC + Zicsr/Zifencei (+ Zba/Zbb/Zbs/Zicond) instruction the
//! runtime executes, plus a few illegal encodings that must trap, forward
//! branches and jumps,
//! bounded loops, privilege changes (`mret`/`sret`), self-modifying stores,
//! loads/stores/atomics through *base registers* that point into a mapped data
//! window (or, on purpose, at the boot ROM, unmapped space, the end of RAM or
//! a device), and random initial registers and CSRs. F and D instructions
//! use random f registers and rounding modes (reserved ones included) on
//! initial f registers full of special values (signed zeros, infinities,
//! quiet and signalling NaNs, subnormals, halfway cases, improperly boxed
//! singles), with a random `fcsr` (`frm` now and then reserved) and a random
//! `mstatus.FS` (now and then Off: every FP instruction traps). Every encoding is
//! produced by this file's own encoder and checked with
//! `frontend_riscv::decode` (which is itself checked against objdump).
//!
//! Each engine owns one `virt` machine that is reused for every block: the
//! block is written into RAM, the data window is refilled, the hart is reset
//! and given the block's initial state, and `Machine::run` runs it. A block
//! ends at its final `ecall`, or earlier at any trap: every trap goes to a
//! fixed M-mode handler (`mtvec`) that saves `t0`/`t1` in `stval`/`scause`
//! (CSRs no block writes) and stops the machine through the SiFive test
//! finisher, so `run` returns `Exited(0)`. A run also stops after
//! [`BLOCK_INSN_LIMIT`] instructions. Afterwards the whole architectural state
//! is compared with the first ("reference") engine: x and f registers, pc,
//! privilege, the LR/SC reservation, every CSR field (including `mcycle` and
//! `minstret`: all engines must count retired instructions exactly), the
//! number of instructions executed, the handler/code pages, the data area and
//! the last bytes of RAM.
//!
//! On a divergence the block is shrunk (fewer items, loops unrolled into their
//! bodies, simpler register and CSR values) while it still diverges, and a
//! report with the disassembled block, its initial state and every difference
//! is produced.
//!
//! Not generated, because the result is not a function of the block: reads of
//! `time`/`mtime` (host clock), writes of `mie`/`mip`/`medeleg`/`mideleg`/`mtvec`
//! (they would let host time or the harness's handler change), PMP
//! configuration, and stores outside the compared areas.

mod assembly;
mod block;
mod campaign;
mod compare;
mod coverage;
mod encoder;
mod generator;
mod generator_mem_ctrl;
mod machine;
mod memory_map;
mod rng;
mod shrink;

pub use assembly::{Assembled, Line};
pub use block::{BaseKind, BlockSpec, GenConfig, Init, InitCsrs, Item, JumpForm, Target};
pub use campaign::{run_campaign, Campaign, Divergence, Stats};
pub use compare::{differences, end_reason, listing, report, run_all};
pub use coverage::{coverage, form_name, is_fp};
pub use encoder::{encode, Enc};
pub use machine::{
    build_machine, build_machine_with, engine_runners, engine_runners_uncounted, load_block,
    scalar_names, EngineRunner, MutantRunner, Mutation, Runner, Snapshot,
};
pub use memory_map::{
    BLOCK_INSN_LIMIT, CODE_BASE, CODE_SIZE, DATA_HI, DATA_LO, HANDLER, HANDLER_DONE, RAM_BASE,
    RAM_END, RAM_SIZE, ROM_RETURN, WINDOW, WINDOW_SIZE,
};
pub use rng::{block_seed, mix, Rng};
pub use shrink::shrink;

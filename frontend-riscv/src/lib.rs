//! RISC-V instruction decoding and disassembly: the one decoder every engine uses.
//!
//! `decode` turns raw instruction bits into a [`Decoded`] value; the
//! interpreter, the JIT lifter and the disassembler all consume that form.
#![forbid(unsafe_code)]

mod csr_names;
pub mod decode;
pub mod disasm;
pub mod insn;

pub use decode::{decode, decode_32, decode_compressed, insn_len};
pub use disasm::{csr_name, disasm};
pub use insn::*;

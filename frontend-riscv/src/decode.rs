//! Decoding of 32-bit and compressed (RVC) RISC-V encodings into [`Insn`].

use crate::insn::*;

/// Length in bytes (2 or 4) of the instruction whose first 16 bits are `first_half`.
pub fn insn_len(first_half: u16) -> u8 {
    if first_half & 3 == 3 {
        4
    } else {
        2
    }
}

/// Decodes the instruction at the start of `raw` (low 16 bits for RVC).
pub fn decode(raw: u32) -> Decoded {
    if raw & 3 == 3 {
        Decoded { insn: decode_32(raw), raw, len: 4 }
    } else {
        let half = raw as u16;
        Decoded { insn: decode_compressed(half), raw: half as u32, len: 2 }
    }
}

/// Decodes a 32-bit encoding.
pub fn decode_32(_word: u32) -> Insn {
    Insn::Illegal // TODO(helper): fill in
}

/// Decodes and expands a 16-bit RVC encoding.
pub fn decode_compressed(_half: u16) -> Insn {
    Insn::Illegal // TODO(helper): fill in
}

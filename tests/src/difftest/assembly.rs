//! Assembly.

use frontend_riscv::{AluOp, BranchOp, CsrOp, Insn, Reg, StoreOp};

use super::block::{BlockSpec, Init, Item, JumpForm, Target};
use super::encoder::{c_bz, c_j, c_jr, c_nop, hi_lo, Enc};
use super::memory_map::{CODE_BASE, CODE_SIZE, CSR_MEPC, CSR_SEPC};

/// One laid-out instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub addr: u64,
    pub enc: Enc,
    /// A standalone instruction self-modifying code may replace.
    smc_ok: bool,
}

/// A block placed in the code area, ready to run.
#[derive(Clone, Debug)]
pub struct Assembled {
    /// The first instruction.
    pub pc: u64,
    /// The final `ecall`.
    pub end: u64,
    pub lines: Vec<Line>,
    /// The whole code area's bytes.
    pub code: Vec<u8>,
    pub init: Init,
}

/// Layout of one item (and of a loop's body).
#[derive(Clone, Debug, Default)]
struct Placed {
    addr: u64,
    /// A compressed branch/jump that did not reach: use the 32-bit form.
    wide: bool,
    body: Vec<Placed>,
    body_end: u64,
}

pub(super) fn item_size(it: &Item, wide: bool) -> u64 {
    match it {
        Item::Insn(e) => e.len as u64,
        Item::Seq(v) => v.iter().map(|e| e.len as u64).sum(),
        Item::Branch { compressed, .. } | Item::Jal { compressed, .. } => {
            if *compressed && !wide {
                2
            } else {
                4
            }
        }
        Item::JumpReg { form, .. } => match form {
            JumpForm::Jalr { .. } => 8,
            JumpForm::CJr | JumpForm::CJalr => 10,
        },
        Item::XRet { .. } => 16,
        Item::Smc { .. } => 20,
        Item::Loop { body, .. } => 12 + body.iter().map(|b| item_size(b, wide)).sum::<u64>(),
        Item::Call {
            body, compressed, ..
        } => 8 + ret_len(*compressed) + body.iter().map(|b| item_size(b, wide)).sum::<u64>(),
    }
}

/// Bytes of a call's return instruction.
fn ret_len(compressed: bool) -> u64 {
    if compressed {
        2
    } else {
        4
    }
}

fn place(items: &[Item], mut pc: u64, prev: &[Placed]) -> (Vec<Placed>, u64) {
    let mut v = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let old = prev.get(i);
        let wide = old.is_some_and(|p| p.wide);
        let addr = pc;
        if let Item::Loop { body, .. } = it {
            let (b, end) = place(body, pc + 4, old.map_or(&[][..], |p| &p.body));
            pc = end + 8;
            v.push(Placed {
                addr,
                wide,
                body: b,
                body_end: end,
            });
        } else if let Item::Call {
            body, compressed, ..
        } = it
        {
            let (b, end) = place(body, pc + 8, old.map_or(&[][..], |p| &p.body));
            pc = end + ret_len(*compressed);
            v.push(Placed {
                addr,
                wide,
                body: b,
                body_end: end,
            });
        } else {
            pc += item_size(it, wide);
            v.push(Placed {
                addr,
                wide,
                ..Placed::default()
            });
        }
    }
    (v, pc)
}

struct SmcFixup {
    line: usize,
    auipc: u64,
    target: u64,
    tmp: Reg,
    val: Reg,
}

struct Emitter {
    pc: u64,
    lines: Vec<Line>,
    fixups: Vec<SmcFixup>,
}

impl Emitter {
    fn put(&mut self, enc: Enc, smc_ok: bool) {
        self.lines.push(Line {
            addr: self.pc,
            enc,
            smc_ok,
        });
        self.pc += enc.len as u64;
    }
}

fn resolve(to: Target, i: usize, placed: &[Placed], seq_end: u64, block_end: u64) -> u64 {
    match to {
        Target::End => block_end,
        Target::Skip(k) => placed.get(i + 1 + k as usize).map_or(seq_end, |p| p.addr),
    }
}

/// Emits `items`; false when a compressed transfer was out of range (it is
/// marked wide and the caller lays the block out again).
fn emit(
    items: &[Item],
    placed: &mut [Placed],
    seq_end: u64,
    block_end: u64,
    em: &mut Emitter,
) -> bool {
    let mut ok = true;
    let add = AluOp::Add;
    for (i, it) in items.iter().enumerate() {
        debug_assert_eq!(em.pc, placed[i].addr);
        let pc = em.pc;
        let target = |to: Target| resolve(to, i, placed, seq_end, block_end);
        match it {
            Item::Insn(e) => em.put(*e, e.len == 4),
            Item::Seq(v) => v.iter().for_each(|e| em.put(*e, false)),
            &Item::Branch {
                op,
                rs1,
                rs2,
                to,
                compressed,
            } => {
                let offset = target(to) as i64 - pc as i64;
                if compressed && !placed[i].wide {
                    if (-256..=254).contains(&offset) {
                        let insn = Insn::Branch {
                            op,
                            rs1,
                            rs2,
                            offset,
                        };
                        em.put(Enc::c(c_bz(op == BranchOp::Ne, rs1, offset), insn), true);
                    } else {
                        placed[i].wide = true;
                        ok = false;
                        em.put(c_nop(), false);
                    }
                } else {
                    em.put(
                        Enc::of(Insn::Branch {
                            op,
                            rs1,
                            rs2,
                            offset,
                        }),
                        true,
                    );
                }
            }
            &Item::Jal { rd, to, compressed } => {
                let offset = target(to) as i64 - pc as i64;
                if compressed && !placed[i].wide {
                    if (-2048..=2046).contains(&offset) {
                        em.put(
                            Enc::c(
                                c_j(offset),
                                Insn::Jal {
                                    rd: Reg::ZERO,
                                    offset,
                                },
                            ),
                            true,
                        );
                    } else {
                        placed[i].wide = true;
                        ok = false;
                        em.put(c_nop(), false);
                    }
                } else {
                    em.put(Enc::of(Insn::Jal { rd, offset }), true);
                }
            }
            &Item::JumpReg { tmp, rd, to, form } => {
                let off = target(to) as i64 - pc as i64;
                em.put(Enc::of(Insn::Auipc { rd: tmp, imm: 0 }), false);
                match form {
                    JumpForm::Jalr { lsb } => {
                        let offset = off + lsb as i64;
                        em.put(
                            Enc::of(Insn::Jalr {
                                rd,
                                rs1: tmp,
                                offset,
                            }),
                            false,
                        );
                    }
                    JumpForm::CJr | JumpForm::CJalr => {
                        let link = form == JumpForm::CJalr;
                        em.put(
                            Enc::of(Insn::OpImm {
                                op: add,
                                rd: tmp,
                                rs1: tmp,
                                imm: off,
                            }),
                            false,
                        );
                        let rd = if link { Reg::RA } else { Reg::ZERO };
                        let insn = Insn::Jalr {
                            rd,
                            rs1: tmp,
                            offset: 0,
                        };
                        em.put(Enc::c(c_jr(link, tmp), insn), false);
                    }
                }
            }
            &Item::XRet { tmp, to, sret } => {
                let off = target(to) as i64 - pc as i64;
                em.put(Enc::of(Insn::Auipc { rd: tmp, imm: 0 }), false);
                em.put(
                    Enc::of(Insn::OpImm {
                        op: add,
                        rd: tmp,
                        rs1: tmp,
                        imm: off,
                    }),
                    false,
                );
                let csr = if sret { CSR_SEPC } else { CSR_MEPC };
                let op = CsrOp::Rw;
                em.put(
                    Enc::of(Insn::Csr {
                        op,
                        rd: Reg::ZERO,
                        rs1: tmp,
                        csr,
                    }),
                    false,
                );
                em.put(Enc::of(if sret { Insn::Sret } else { Insn::Mret }), false);
            }
            &Item::Smc { tmp, val, word, to } => {
                let (hi, lo) = hi_lo(word);
                let t = target(to);
                em.put(Enc::of(Insn::Auipc { rd: tmp, imm: 0 }), false);
                em.put(Enc::of(Insn::Lui { rd: val, imm: hi }), false);
                em.put(
                    Enc::of(Insn::OpImm32 {
                        op: add,
                        rd: val,
                        rs1: val,
                        imm: lo,
                    }),
                    false,
                );
                em.fixups.push(SmcFixup {
                    line: em.lines.len(),
                    auipc: pc,
                    target: t,
                    tmp,
                    val,
                });
                let op = StoreOp::Sw;
                em.put(
                    Enc::of(Insn::Store {
                        op,
                        rs1: tmp,
                        rs2: val,
                        offset: 0,
                    }),
                    false,
                );
                em.put(Enc::of(Insn::FenceI), false);
            }
            Item::Loop { cnt, n, body } => {
                let cnt = *cnt;
                let imm = *n as i64;
                em.put(
                    Enc::of(Insn::OpImm {
                        op: add,
                        rd: cnt,
                        rs1: Reg::ZERO,
                        imm,
                    }),
                    false,
                );
                let start = em.pc;
                let body_end = placed[i].body_end;
                ok &= emit(body, &mut placed[i].body, body_end, block_end, em);
                em.put(
                    Enc::of(Insn::OpImm {
                        op: add,
                        rd: cnt,
                        rs1: cnt,
                        imm: -1,
                    }),
                    false,
                );
                let offset = start as i64 - em.pc as i64;
                let back = Insn::Branch {
                    op: BranchOp::Ne,
                    rs1: cnt,
                    rs2: Reg::ZERO,
                    offset,
                };
                em.put(Enc::of(back), false);
            }
            Item::Call {
                link,
                body,
                compressed,
            } => {
                let (link, compressed) = (*link, *compressed);
                let body_end = placed[i].body_end;
                let after = body_end + ret_len(compressed);
                let call = Insn::Jal {
                    rd: link,
                    offset: 8,
                };
                em.put(Enc::of(call), false);
                let skip = Insn::Jal {
                    rd: Reg::ZERO,
                    offset: after as i64 - em.pc as i64,
                };
                em.put(Enc::of(skip), false);
                ok &= emit(body, &mut placed[i].body, body_end, block_end, em);
                let ret = Insn::Jalr {
                    rd: Reg::ZERO,
                    rs1: link,
                    offset: 0,
                };
                if compressed {
                    em.put(Enc::c(c_jr(false, link), ret), false);
                } else {
                    em.put(Enc::of(ret), false);
                }
            }
        }
    }
    ok
}

impl BlockSpec {
    /// Lays the block out in the code area and encodes it.
    pub fn assemble(&self) -> Assembled {
        let pc = CODE_BASE + (self.init.code_off & !1).min(0x1000);
        let mut placed = Vec::new();
        loop {
            let (p, end) = place(&self.items, pc, &placed);
            placed = p;
            let mut em = Emitter {
                pc,
                lines: Vec::new(),
                fixups: Vec::new(),
            };
            if !emit(&self.items, &mut placed, end, end, &mut em) {
                continue;
            }
            assert_eq!(em.pc, end, "layout and emission disagree");
            // The final ecall, and a second one in case self-modifying code
            // replaced the first.
            em.put(Enc::of(Insn::Ecall), true);
            em.put(Enc::of(Insn::Ecall), false);
            assert!(
                em.pc <= CODE_BASE + CODE_SIZE,
                "block too large: ends at {:#x}",
                em.pc
            );
            let mut lines = em.lines;
            for f in em.fixups {
                let t = lines
                    .iter()
                    .find(|l| l.addr >= f.target && l.enc.len == 4 && l.smc_ok)
                    .map_or(end, |l| l.addr);
                let offset = t as i64 - f.auipc as i64;
                let (op, rs1, rs2) = (StoreOp::Sw, f.tmp, f.val);
                lines[f.line].enc = Enc::of(Insn::Store {
                    op,
                    rs1,
                    rs2,
                    offset,
                });
            }
            let mut code = vec![0u8; CODE_SIZE as usize];
            for l in &lines {
                let o = (l.addr - CODE_BASE) as usize;
                let n = l.enc.len as usize;
                code[o..o + n].copy_from_slice(&l.enc.bits.to_le_bytes()[..n]);
            }
            return Assembled {
                pc,
                end,
                lines,
                code,
                init: self.init.clone(),
            };
        }
    }
}

//! Blocks: the generator's memory, control-flow and system items.

use frontend_riscv::{
    AluOp, AmoWidth, BranchOp, CsrOp, FReg, FmaOp, FpBinOp, FpCmpOp, FpFmt, Insn, IntFmt, LoadOp,
    Reg, RoundingMode, StoreOp,
};
use runtime::hart::Priv;

use super::block::{BaseKind, Item, JumpForm};
use super::encoder::{
    amo_word, c_ldsp, c_lwsp, c_mem, c_sdsp, c_swsp, i_type, r_type, s_type, Enc,
};
use super::generator::{
    is_protected, Base, Gen, OffForm, AMO_OPS, BRANCH_OPS, CSR_COUNTERS, CSR_ILLEGAL, CSR_READ,
    CSR_READ_ONLY, CSR_READ_S, CSR_WRITE, CSR_WRITE_S, LOAD_OPS, STORE_OPS, TOP_PAGE,
};
use super::memory_map::{
    BELOW_RAM, BOOT_ROM, CODE_BASE, CODE_SIZE, CSR_FCSR, CSR_FFLAGS, CSR_FRM, CSR_MSTATUS,
    CSR_SSTATUS, DATA_HI, DATA_LO, FINISHER, RAM_BASE, WINDOW, WINDOW_SIZE,
};

impl Gen {
    // ---- Memory -------------------------------------------------------------

    fn pick_base(&mut self, ok: impl Fn(&Base) -> bool) -> Option<Base> {
        let all: Vec<Base> = self.bases.iter().copied().filter(|b| ok(b)).collect();
        let windows: Vec<Base> = all
            .iter()
            .copied()
            .filter(|b| b.kind == BaseKind::Window)
            .collect();
        if !windows.is_empty() && self.rng.chance(75) {
            Some(self.rng.pick(&windows))
        } else if all.is_empty() {
            None
        } else {
            Some(self.rng.pick(&all))
        }
    }

    /// An effective address in the data window for a `size`-byte access.
    fn window_ea(&mut self, size: u64, atomic: bool) -> u64 {
        let r = &mut self.rng;
        let aligned = WINDOW + r.below(WINDOW_SIZE / size) * size;
        match r.below(20) {
            0..=18 if atomic => aligned,
            0..=13 => aligned,
            14..=16 => WINDOW + r.below(WINDOW_SIZE - size),
            // Across the page boundary in the middle of the window.
            17 | 18 if size > 1 => WINDOW + 0x1000 - 1 - r.below(size - 1),
            _ => {
                if r.chance(50) {
                    WINDOW
                } else {
                    WINDOW + WINDOW_SIZE - size
                }
            }
        }
    }

    /// Whether an access at `ea` through base `b` is one the harness allows:
    /// it stays inside the compared areas, or faults, or reads a device.
    fn ea_ok(&self, b: &Base, ea: u64, size: u64, store: bool) -> bool {
        if !self.top_page && ea.checked_add(size).is_none_or(|end| end > TOP_PAGE) {
            return false;
        }
        match b.kind {
            BaseKind::Window => ea >= DATA_LO && ea + size <= DATA_HI,
            BaseKind::Unmapped if b.value == BELOW_RAM => ea < RAM_BASE,
            // Offset 0 is the finisher's command register.
            BaseKind::Device => !(store && ea == FINISHER),
            BaseKind::Code => ea >= CODE_BASE && ea + size <= CODE_BASE + CODE_SIZE,
            _ => true,
        }
    }

    /// The offset of an access of `size` bytes through `b`.
    fn mem_offset(&mut self, b: &Base, size: u64, store: bool, form: OffForm) -> i64 {
        for _ in 0..16 {
            let off = match form {
                OffForm::Unsigned { scale, max } => {
                    (scale * self.rng.below(max / scale + 1)) as i64
                }
                OffForm::I12 | OffForm::Atomic => match b.kind {
                    BaseKind::Window => {
                        let ea = self.window_ea(size, form == OffForm::Atomic);
                        ea.wrapping_sub(b.value) as i64
                    }
                    BaseKind::Rom => self.rng.range(-16, 255),
                    BaseKind::Unmapped if b.value == BELOW_RAM => self.rng.range(0, 15),
                    BaseKind::Unmapped => self.rng.range(-16, 16),
                    BaseKind::RamEnd => self.rng.range(-8, 24),
                    BaseKind::Device => self.rng.range(-16, 32),
                    BaseKind::Code => self.rng.range(-32, 256),
                },
            };
            let in_range = match form {
                OffForm::Unsigned { .. } => true,
                _ => (-2048..=2047).contains(&off),
            };
            if in_range && self.ea_ok(b, b.value.wrapping_add(off as u64), size, store) {
                return off;
            }
        }
        0
    }

    pub(super) fn load(&mut self) -> Option<Item> {
        let op = self.rng.pick(&LOAD_OPS);
        let b = self.pick_base(|_| true)?;
        let rd = self.dst();
        let offset = self.mem_offset(&b, op.size() as u64, false, OffForm::I12);
        Some(Item::Insn(Enc::of(Insn::Load {
            op,
            rd,
            rs1: b.reg,
            offset,
        })))
    }

    pub(super) fn store(&mut self) -> Option<Item> {
        let op = self.rng.pick(&STORE_OPS);
        let b = self.pick_base(|_| true)?;
        let rs2 = self.src();
        let offset = self.mem_offset(&b, op.size() as u64, true, OffForm::I12);
        Some(Item::Insn(Enc::of(Insn::Store {
            op,
            rs1: b.reg,
            rs2,
            offset,
        })))
    }

    /// c.lw/c.ld/c.sw/c.sd through an x8..x15 base, c.lwsp/... through sp.
    pub(super) fn c_load_store(&mut self) -> Option<Item> {
        let dword = self.rng.chance(50);
        let size = if dword { 8 } else { 4 };
        let enc = match self.rng.below(6) {
            0 | 1 => {
                let b = self.pick_base(|b| (8..16).contains(&b.reg.0))?;
                let rd = self.dst_c()?;
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 31 * size,
                };
                let offset = self.mem_offset(&b, size, false, form);
                let (f3, op) = if dword {
                    (3, LoadOp::Ld)
                } else {
                    (2, LoadOp::Lw)
                };
                let insn = Insn::Load {
                    op,
                    rd,
                    rs1: b.reg,
                    offset,
                };
                Enc::c(c_mem(f3, rd, b.reg, offset), insn)
            }
            2 | 3 => {
                let b = self.pick_base(|b| (8..16).contains(&b.reg.0))?;
                let rs2 = self.src_c();
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 31 * size,
                };
                let offset = self.mem_offset(&b, size, true, form);
                let (f3, op) = if dword {
                    (7, StoreOp::Sd)
                } else {
                    (6, StoreOp::Sw)
                };
                let insn = Insn::Store {
                    op,
                    rs1: b.reg,
                    rs2,
                    offset,
                };
                Enc::c(c_mem(f3, rs2, b.reg, offset), insn)
            }
            4 => {
                let b = self.pick_base(|b| b.reg == Reg::SP)?;
                let rd = self.dst_nonzero();
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 63 * size,
                };
                let offset = self.mem_offset(&b, size, false, form);
                let sp = Reg::SP;
                if dword {
                    let insn = Insn::Load {
                        op: LoadOp::Ld,
                        rd,
                        rs1: sp,
                        offset,
                    };
                    Enc::c(c_ldsp(3, rd.0, offset), insn)
                } else {
                    let insn = Insn::Load {
                        op: LoadOp::Lw,
                        rd,
                        rs1: sp,
                        offset,
                    };
                    Enc::c(c_lwsp(rd, offset), insn)
                }
            }
            _ => {
                let b = self.pick_base(|b| b.reg == Reg::SP)?;
                let rs2 = self.src();
                let form = OffForm::Unsigned {
                    scale: size,
                    max: 63 * size,
                };
                let offset = self.mem_offset(&b, size, true, form);
                let sp = Reg::SP;
                if dword {
                    let insn = Insn::Store {
                        op: StoreOp::Sd,
                        rs1: sp,
                        rs2,
                        offset,
                    };
                    Enc::c(c_sdsp(7, rs2.0, offset), insn)
                } else {
                    let insn = Insn::Store {
                        op: StoreOp::Sw,
                        rs1: sp,
                        rs2,
                        offset,
                    };
                    Enc::c(c_swsp(rs2, offset), insn)
                }
            }
        };
        Some(Item::Insn(enc))
    }

    /// `addi tmp, base, off` for an atomic access of `size` bytes.
    fn atomic_addr(&mut self, size: u64) -> Option<(Base, Reg, Enc)> {
        let b = self.pick_base(|_| true)?;
        let tmp = self.dst_nonzero();
        let imm = self.mem_offset(&b, size, true, OffForm::Atomic);
        let e = Enc::of(Insn::OpImm {
            op: AluOp::Add,
            rd: tmp,
            rs1: b.reg,
            imm,
        });
        Some((b, tmp, e))
    }

    fn width(&mut self) -> AmoWidth {
        if self.rng.chance(50) {
            AmoWidth::W
        } else {
            AmoWidth::D
        }
    }

    pub(super) fn amo(&mut self) -> Option<Item> {
        let width = self.width();
        let (_, tmp, addr) = self.atomic_addr(width.size() as u64)?;
        let insn = Insn::Amo {
            op: self.rng.pick(&AMO_OPS),
            width,
            aq: self.rng.chance(30),
            rl: self.rng.chance(30),
            rd: self.dst(),
            rs1: tmp,
            rs2: self.src(),
        };
        Some(Item::Seq(vec![addr, Enc::of(insn)]))
    }

    /// LR ... SC on one address, with stores of the same or another value,
    /// ALU work or a width mismatch in between; sometimes a lone SC.
    pub(super) fn lr_sc(&mut self) -> Option<Item> {
        let width = self.width();
        let (b, tmp, addr) = self.atomic_addr(width.size() as u64)?;
        let mut v = vec![addr];
        let rd1 = loop {
            let r = self.dst();
            if r != tmp {
                break r;
            }
        };
        let (aq, rl) = (self.rng.chance(30), self.rng.chance(30));
        if !self.rng.chance(15) {
            v.push(Enc::of(Insn::Lr {
                width,
                aq,
                rl,
                rd: rd1,
                rs1: tmp,
            }));
        }
        for _ in 0..self.rng.below(3) {
            let same = match width {
                AmoWidth::W => StoreOp::Sw,
                AmoWidth::D => StoreOp::Sd,
            };
            let e = match self.rng.below(4) {
                0 => Insn::Store {
                    op: same,
                    rs1: tmp,
                    rs2: rd1,
                    offset: 0,
                },
                1 if b.kind == BaseKind::Window => Insn::Store {
                    op: self.rng.pick(&STORE_OPS),
                    rs1: tmp,
                    rs2: self.src(),
                    offset: self.rng.pick(&[0, 4, 8]),
                },
                _ => {
                    let rd = loop {
                        let r = self.dst();
                        if r != tmp {
                            break r;
                        }
                    };
                    self.alu_insn(rd)
                }
            };
            v.push(Enc::of(e));
        }
        let sc_width = if self.rng.chance(85) {
            width
        } else {
            self.width()
        };
        v.push(Enc::of(Insn::Sc {
            width: sc_width,
            aq,
            rl,
            rd: self.dst(),
            rs1: tmp,
            rs2: self.src(),
        }));
        Some(Item::Seq(v))
    }

    // ---- Control flow -------------------------------------------------------

    pub(super) fn branch(&mut self) -> Item {
        let op = self.rng.pick(&BRANCH_OPS);
        let to = self.target();
        if matches!(op, BranchOp::Eq | BranchOp::Ne) && self.rng.chance(35) {
            return Item::Branch {
                op,
                rs1: self.src_c(),
                rs2: Reg::ZERO,
                to,
                compressed: true,
            };
        }
        Item::Branch {
            op,
            rs1: self.src(),
            rs2: self.src(),
            to,
            compressed: false,
        }
    }

    pub(super) fn jal(&mut self) -> Item {
        let rd = if self.rng.chance(40) {
            Reg::ZERO
        } else {
            self.dst()
        };
        Item::Jal {
            rd,
            to: self.target(),
            compressed: rd == Reg::ZERO && self.rng.chance(50),
        }
    }

    pub(super) fn jump_reg(&mut self) -> Item {
        let tmp = self.dst_nonzero();
        let form = match self.rng.below(5) {
            0..=2 => JumpForm::Jalr {
                lsb: self.rng.chance(30),
            },
            3 => JumpForm::CJr,
            _ if !is_protected(self.protected, Reg::RA) => JumpForm::CJalr,
            _ => JumpForm::Jalr { lsb: false },
        };
        Item::JumpReg {
            tmp,
            rd: self.dst(),
            to: self.target(),
            form,
        }
    }

    pub(super) fn loop_item(&mut self, depth: usize) -> Item {
        let cnt = self.dst_nonzero();
        self.protected |= 1 << cnt.0;
        // Now and then more iterations than the tiered engine's hot
        // threshold (32), so that it compiles the body in the middle of a run.
        let n = if self.rng.chance(10) {
            33 + self.rng.below(8) as u8
        } else {
            1 + self.rng.below(4) as u8
        };
        // Region-shaped blocks: the outer loop's body is the block's bulk.
        let len = if self.region_shaped && depth == 0 {
            4 + self.rng.below(20) as usize
        } else {
            1 + self.rng.below(6) as usize
        };
        let body = self.items(len, depth + 1);
        self.protected &= !(1 << cnt.0);
        Item::Loop { cnt, n, body }
    }

    /// A call/return pair around a short body (a leaf function): linked
    /// through `ra` or `t0` mostly (the return-address hints), now and then
    /// another register; returns through `jalr` or `c.jr`.
    pub(super) fn call_item(&mut self, depth: usize) -> Item {
        let link = match self.rng.below(4) {
            0 | 1 => Reg::RA,
            2 => Reg(5),
            _ => self.dst_nonzero(),
        };
        let link = if is_protected(self.protected, link) {
            self.dst_nonzero()
        } else {
            link
        };
        self.protected |= 1 << link.0;
        let len = 1 + self.rng.below(6) as usize;
        let body = self.items(len, depth + 1);
        self.protected &= !(1 << link.0);
        Item::Call {
            link,
            body,
            compressed: self.rng.chance(40),
        }
    }

    pub(super) fn xret(&mut self) -> Item {
        Item::XRet {
            tmp: self.dst_nonzero(),
            to: self.target(),
            sret: self.rng.chance(40),
        }
    }

    pub(super) fn smc(&mut self) -> Item {
        let tmp = self.dst_nonzero();
        let val = loop {
            let r = self.dst_nonzero();
            if r != tmp {
                break r;
            }
        };
        let word = self.alu().bits;
        Item::Smc {
            tmp,
            val,
            word,
            to: self.target(),
        }
    }

    /// A jump out of the block: into the boot ROM (which jumps on to the
    /// image entry, an `ecall`), to an unmapped address, or to the end of RAM.
    pub(super) fn wild_jump(&mut self) -> Option<Item> {
        if self.rng.chance(40) {
            let tmp = self.dst_nonzero();
            let lui = Enc::of(Insn::Lui {
                rd: tmp,
                imm: BOOT_ROM as i64,
            });
            let jalr = Enc::of(Insn::Jalr {
                rd: self.dst(),
                rs1: tmp,
                offset: 0,
            });
            return Some(Item::Seq(vec![lui, jalr]));
        }
        let b = self.pick_base(|b| matches!(b.kind, BaseKind::Unmapped | BaseKind::RamEnd))?;
        let offset = match b.kind {
            BaseKind::Unmapped if b.value == BELOW_RAM => self.rng.range(0, 8),
            _ => self.rng.range(-8, 8),
        };
        if !self.ea_ok(&b, b.value.wrapping_add(offset as u64) & !1, 4, false) {
            return None;
        }
        Some(Item::Insn(Enc::of(Insn::Jalr {
            rd: self.dst(),
            rs1: b.reg,
            offset,
        })))
    }

    // ---- System -------------------------------------------------------------

    pub(super) fn csr(&mut self) -> Enc {
        let rd = self.dst();
        // Below M mode most CSRs trap; mostly pick ones the block's starting
        // privilege may use, so that blocks go on.
        if self.prv != Priv::M && self.rng.chance(80) {
            let (reads, writes): (&[u16], &[u16]) = match self.prv {
                Priv::S => (&CSR_READ_S, &CSR_WRITE_S),
                _ => (&CSR_COUNTERS, &[]),
            };
            let insn = if writes.is_empty() || self.rng.chance(40) {
                Insn::Csr {
                    op: CsrOp::Rs,
                    rd,
                    rs1: Reg::ZERO,
                    csr: self.rng.pick(reads),
                }
            } else {
                Insn::Csr {
                    op: self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                    rd,
                    rs1: self.src(),
                    csr: self.rng.pick(writes),
                }
            };
            return Enc::of(insn);
        }
        let (op, csr, src) = match self.rng.below(10) {
            // Reads: csrrs/csrrc with x0 or a zero immediate write nothing.
            0..=3 => (
                self.rng.pick(&[CsrOp::Rs, CsrOp::Rc]),
                self.rng.pick(&CSR_READ),
                None,
            ),
            4..=7 => (
                self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                self.rng.pick(&CSR_WRITE),
                Some(()),
            ),
            8 => (
                self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                self.rng.pick(&[CSR_MSTATUS, CSR_SSTATUS]),
                Some(()),
            ),
            _ => {
                if self.rng.chance(50) {
                    (
                        self.rng.pick(&[CsrOp::Rw, CsrOp::Rs]),
                        self.rng.pick(&CSR_ILLEGAL),
                        Some(()),
                    )
                } else {
                    (CsrOp::Rw, self.rng.pick(&CSR_READ_ONLY), Some(()))
                }
            }
        };
        let imm_form = self.rng.chance(40);
        let insn = match (src, imm_form) {
            (None, false) => Insn::Csr {
                op,
                rd,
                rs1: Reg::ZERO,
                csr,
            },
            (None, true) => Insn::CsrImm {
                op,
                rd,
                uimm: 0,
                csr,
            },
            (Some(()), false) => Insn::Csr {
                op,
                rd,
                rs1: self.src(),
                csr,
            },
            (Some(()), true) => {
                // mstatus immediates: SIE (2) and MIE (8) are the bits in reach.
                let uimm = if csr == CSR_MSTATUS && self.rng.chance(50) {
                    self.rng.pick(&[8, 2, 10])
                } else {
                    self.rng.below(32) as u8
                };
                Insn::CsrImm { op, rd, uimm, csr }
            }
        };
        Enc::of(insn)
    }

    pub(super) fn fence(&mut self) -> Enc {
        Enc::of(match self.rng.below(5) {
            0 | 1 => Insn::Fence {
                pred: self.rng.below(16) as u8,
                succ: self.rng.below(16) as u8,
                fm: 0,
            },
            2 => Insn::Fence {
                pred: 3,
                succ: 3,
                fm: 8,
            },
            3 => Insn::FenceI,
            _ => Insn::SfenceVma {
                rs1: self.src(),
                rs2: self.src(),
            },
        })
    }

    pub(super) fn system(&mut self) -> Enc {
        match self.rng.below(10) {
            0..=2 => Enc::of(Insn::Ecall),
            3 | 4 => Enc::of(Insn::Ebreak),
            5 => Enc::c(0x9002, Insn::Ebreak),
            _ => Enc::of(Insn::Wfi),
        }
    }

    /// An encoding the decoder must reject.
    pub(super) fn illegal(&mut self) -> Enc {
        let r = self.rng.next_u64() as u32;
        let reg = |n: u32| Reg((r >> n & 31) as u8);
        Enc::illegal(match self.rng.below(9) {
            0 => 0x0000,
            1 => 0xffff_ffff,
            // custom-0
            2 => r & !0x7f | 0x0b,
            // OP with an unassigned funct7.
            3 => r_type(
                0x33,
                r >> 7 & 7,
                self.rng.pick(&[0x02, 0x03, 0x08, 0x40, 0x7f]),
                reg(10),
                reg(15),
                reg(20),
            ),
            // Reserved RVC: c.lwsp x0, c.jr x0, c.addiw x0, c.lui imm=0,
            // c.addi16sp imm=0, the RV128 arithmetic slots.
            4 => self.rng.pick(&[
                0x4002 | (r & 0x107c),
                0x8002,
                0x2001 | (r & 0x107c),
                0x6081,
                0x6101,
                0x9c41,
                0x9c61,
            ]),
            // SYSTEM funct3 = 4 (hypervisor loads/stores).
            5 => r & !0x707f | 0x4073,
            // AMO with an unassigned funct5, LR with rs2 != 0.
            6 => {
                if self.rng.chance(50) {
                    amo_word(0b00101, AmoWidth::W, false, false, reg(7), reg(12), reg(17))
                } else {
                    let rs2 = Reg(1 + (r >> 20) as u8 % 31);
                    amo_word(0b00010, AmoWidth::D, false, false, reg(7), reg(12), rs2)
                }
            }
            // LOAD funct3 = 7, STORE funct3 >= 4.
            7 => i_type(0x03, 7, reg(7), reg(15), self.rng.imm12()),
            _ => s_type(0x23, 4 + (r & 3), reg(15), reg(20), self.rng.imm12()),
        })
    }

    fn freg(&mut self) -> FReg {
        FReg(self.rng.below(32) as u8)
    }

    fn fmt(&mut self) -> FpFmt {
        if self.rng.chance(50) {
            FpFmt::S
        } else {
            FpFmt::D
        }
    }

    /// A rounding mode: mostly a static one (0..4) or dynamic (7, which
    /// takes `frm`), now and then a reserved one (5, 6: illegal).
    fn fp_rm(&mut self) -> RoundingMode {
        RoundingMode(match self.rng.below(20) {
            0..=12 => self.rng.below(5) as u8,
            13..=18 => 7,
            _ => 5 + self.rng.below(3) as u8,
        })
    }

    /// An F or D instruction with random f registers and rounding modes,
    /// an FP load or store through a base register, or an access to
    /// `fflags`/`frm`/`fcsr`.
    pub(super) fn fp(&mut self) -> Option<Item> {
        let fmt = self.fmt();
        let rm = self.fp_rm();
        let (rd, rs1, rs2, rs3) = (self.freg(), self.freg(), self.freg(), self.freg());
        let int = self
            .rng
            .pick(&[IntFmt::W, IntFmt::Wu, IntFmt::L, IntFmt::Lu]);
        let insn = match self.rng.below(100) {
            0..=17 => Insn::FpBin {
                op: self
                    .rng
                    .pick(&[FpBinOp::Add, FpBinOp::Sub, FpBinOp::Mul, FpBinOp::Div]),
                fmt,
                rm,
                rd,
                rs1,
                rs2,
            },
            18..=22 => Insn::Fsqrt { fmt, rm, rd, rs1 },
            23..=32 => Insn::Fma {
                op: self
                    .rng
                    .pick(&[FmaOp::Madd, FmaOp::Msub, FmaOp::Nmsub, FmaOp::Nmadd]),
                fmt,
                rm,
                rd,
                rs1,
                rs2,
                rs3,
            },
            // No rounding: funct3 selects the operation (and is `rm`).
            33..=42 => {
                let (op, f3) = self.rng.pick(&[
                    (FpBinOp::Sgnj, 0u8),
                    (FpBinOp::Sgnjn, 1),
                    (FpBinOp::Sgnjx, 2),
                    (FpBinOp::Min, 0),
                    (FpBinOp::Max, 1),
                ]);
                Insn::FpBin {
                    op,
                    fmt,
                    rm: RoundingMode(f3),
                    rd,
                    rs1,
                    // fsgnj with rs1 = rs2 is fmv/fneg/fabs.
                    rs2: if self.rng.chance(20) { rs1 } else { rs2 },
                }
            }
            43..=50 => Insn::FpCmp {
                op: self.rng.pick(&[FpCmpOp::Eq, FpCmpOp::Lt, FpCmpOp::Le]),
                fmt,
                rd: self.dst(),
                rs1,
                rs2: if self.rng.chance(15) { rs1 } else { rs2 },
            },
            51..=54 => Insn::Fclass {
                fmt,
                rd: self.dst(),
                rs1,
            },
            55..=63 => Insn::FcvtToInt {
                fmt,
                int,
                rm,
                rd: self.dst(),
                rs1,
            },
            64..=70 => Insn::FcvtFromInt {
                fmt,
                int,
                rm,
                rd,
                rs1: self.src(),
            },
            71..=75 => {
                let to = fmt;
                let from = match fmt {
                    FpFmt::S => FpFmt::D,
                    FpFmt::D => FpFmt::S,
                };
                Insn::FcvtFp {
                    to,
                    from,
                    rm,
                    rd,
                    rs1,
                }
            }
            76..=79 => Insn::FmvToInt {
                fmt,
                rd: self.dst(),
                rs1,
            },
            80..=83 => Insn::FmvFromInt {
                fmt,
                rd,
                rs1: self.src(),
            },
            84..=90 => return self.fp_mem(fmt, rd),
            _ => return Some(Item::Insn(self.fp_csr())),
        };
        Some(Item::Insn(Enc::of(insn)))
    }

    /// flw/fld/fsw/fsd through a base register; c.fld/c.fsd through
    /// x8..x15, c.fldsp/c.fsdsp through sp.
    fn fp_mem(&mut self, fmt: FpFmt, fr: FReg) -> Option<Item> {
        let store = self.rng.chance(50);
        if self.rng.chance(65) {
            let b = self.pick_base(|_| true)?;
            let size = match fmt {
                FpFmt::S => 4,
                FpFmt::D => 8,
            };
            let offset = self.mem_offset(&b, size, store, OffForm::I12);
            let insn = if store {
                Insn::FStore {
                    fmt,
                    rs1: b.reg,
                    rs2: fr,
                    offset,
                }
            } else {
                Insn::FLoad {
                    fmt,
                    rd: fr,
                    rs1: b.reg,
                    offset,
                }
            };
            return Some(Item::Insn(Enc::of(insn)));
        }
        let d = FpFmt::D;
        let (half, rs1, offset, fr) = if self.rng.chance(50) {
            let b = self.pick_base(|b| (8..16).contains(&b.reg.0))?;
            let form = OffForm::Unsigned { scale: 8, max: 248 };
            let off = self.mem_offset(&b, 8, store, form);
            let fr = FReg(8 + (fr.0 & 7));
            let half = c_mem(if store { 5 } else { 1 }, Reg(fr.0), b.reg, off);
            (half, b.reg, off, fr)
        } else {
            let b = self.pick_base(|b| b.reg == Reg::SP)?;
            let form = OffForm::Unsigned { scale: 8, max: 504 };
            let off = self.mem_offset(&b, 8, store, form);
            let half = if store {
                c_sdsp(5, fr.0, off)
            } else {
                c_ldsp(1, fr.0, off)
            };
            (half, b.reg, off, fr)
        };
        let insn = if store {
            Insn::FStore {
                fmt: d,
                rs1,
                rs2: fr,
                offset,
            }
        } else {
            Insn::FLoad {
                fmt: d,
                rd: fr,
                rs1,
                offset,
            }
        };
        Some(Item::Insn(Enc::c(half, insn)))
    }

    /// csrr/csrw/csrs/csrc (register or immediate forms) on fflags, frm or
    /// fcsr: usable in every privilege while FS is not Off.
    fn fp_csr(&mut self) -> Enc {
        let csr = self.rng.pick(&[CSR_FFLAGS, CSR_FRM, CSR_FCSR]);
        let rd = self.dst();
        let insn = match self.rng.below(10) {
            // csrr
            0..=3 => Insn::Csr {
                op: CsrOp::Rs,
                rd,
                rs1: Reg::ZERO,
                csr,
            },
            4..=7 => Insn::Csr {
                op: self.rng.pick(&[CsrOp::Rw, CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                rd: if self.rng.chance(50) { Reg::ZERO } else { rd },
                rs1: self.src(),
                csr,
            },
            _ => Insn::CsrImm {
                op: self.rng.pick(&[CsrOp::Rw, CsrOp::Rs, CsrOp::Rc]),
                rd,
                uimm: self.rng.below(32) as u8,
                csr,
            },
        };
        Enc::of(insn)
    }
}

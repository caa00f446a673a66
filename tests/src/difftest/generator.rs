//! Blocks: the generator's state, tables and initial state, and its register and ALU items.

use frontend_riscv::{decode, AluOp, AmoOp, BranchOp, Insn, LoadOp, Reg, StoreOp, UnaryOp};
use runtime::hart::Priv;

use super::assembly::item_size;
use super::block::{BaseKind, BlockSpec, GenConfig, Init, InitCsrs, Item, Target};
use super::encoder::{c_addi16sp, c_addi4spn, c_arith, c_ci, c_mv_add, c_nop, c_shift_andi, Enc};
use super::machine::POOL_LEN;
use super::memory_map::{
    BELOW_RAM, BOOT_ROM, CODE_BASE, DATA_LEN, FINISHER, MSTATUS_MIE, MSTATUS_SIE, RAM_END, SSIP,
    WINDOW, WINDOW_SIZE,
};
use super::rng::Rng;

#[derive(Clone, Copy, Debug)]
pub(super) struct Base {
    pub(super) reg: Reg,
    pub(super) kind: BaseKind,
    pub(super) value: u64,
}

/// The offset forms of memory instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OffForm {
    /// A 12-bit signed offset.
    I12,
    /// A 12-bit signed offset computing an atomic's address (mostly aligned).
    Atomic,
    /// An RVC offset: a multiple of `scale` in `0..=max`.
    Unsigned { scale: u64, max: u64 },
}

pub(super) const LOAD_OPS: [LoadOp; 7] = [
    LoadOp::Lb,
    LoadOp::Lh,
    LoadOp::Lw,
    LoadOp::Ld,
    LoadOp::Lbu,
    LoadOp::Lhu,
    LoadOp::Lwu,
];
pub(super) const STORE_OPS: [StoreOp; 4] = [StoreOp::Sb, StoreOp::Sh, StoreOp::Sw, StoreOp::Sd];
pub(super) const BRANCH_OPS: [BranchOp; 6] = [
    BranchOp::Eq,
    BranchOp::Ne,
    BranchOp::Lt,
    BranchOp::Ge,
    BranchOp::Ltu,
    BranchOp::Geu,
];
const OP_OPS: [AluOp; 18] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Sll,
    AluOp::Slt,
    AluOp::Sltu,
    AluOp::Xor,
    AluOp::Srl,
    AluOp::Sra,
    AluOp::Or,
    AluOp::And,
    AluOp::Mul,
    AluOp::Mulh,
    AluOp::Mulhsu,
    AluOp::Mulhu,
    AluOp::Div,
    AluOp::Divu,
    AluOp::Rem,
    AluOp::Remu,
];
const OP32_OPS: [AluOp; 10] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Sll,
    AluOp::Srl,
    AluOp::Sra,
    AluOp::Mul,
    AluOp::Div,
    AluOp::Divu,
    AluOp::Rem,
    AluOp::Remu,
];
const OPIMM_OPS: [AluOp; 9] = [
    AluOp::Add,
    AluOp::Slt,
    AluOp::Sltu,
    AluOp::Xor,
    AluOp::Or,
    AluOp::And,
    AluOp::Sll,
    AluOp::Srl,
    AluOp::Sra,
];
/// Zba, Zbb, Zbs and Zicond register-register operations (`Insn::Op`).
pub(super) const BITMANIP_OP_OPS: [AluOp; 22] = [
    AluOp::Sh1add,
    AluOp::Sh2add,
    AluOp::Sh3add,
    AluOp::AddUw,
    AluOp::Sh1addUw,
    AluOp::Sh2addUw,
    AluOp::Sh3addUw,
    AluOp::Andn,
    AluOp::Orn,
    AluOp::Xnor,
    AluOp::Max,
    AluOp::Maxu,
    AluOp::Min,
    AluOp::Minu,
    AluOp::Rol,
    AluOp::Ror,
    AluOp::Bclr,
    AluOp::Bext,
    AluOp::Binv,
    AluOp::Bset,
    AluOp::CzeroEqz,
    AluOp::CzeroNez,
];
/// Their immediate forms (`Insn::OpImm`, a 6-bit amount).
pub(super) const BITMANIP_OPIMM_OPS: [AluOp; 6] = [
    AluOp::Ror,
    AluOp::SllUw,
    AluOp::Bclr,
    AluOp::Bext,
    AluOp::Binv,
    AluOp::Bset,
];
pub(super) const UNARY_OPS: [UnaryOp; 11] = [
    UnaryOp::Clz,
    UnaryOp::Clzw,
    UnaryOp::Ctz,
    UnaryOp::Ctzw,
    UnaryOp::Cpop,
    UnaryOp::Cpopw,
    UnaryOp::SextB,
    UnaryOp::SextH,
    UnaryOp::ZextH,
    UnaryOp::OrcB,
    UnaryOp::Rev8,
];
pub(super) const AMO_OPS: [AmoOp; 9] = [
    AmoOp::Swap,
    AmoOp::Add,
    AmoOp::Xor,
    AmoOp::And,
    AmoOp::Or,
    AmoOp::Min,
    AmoOp::Max,
    AmoOp::Minu,
    AmoOp::Maxu,
];

/// CSRs any block may read: their values are functions of the block alone.
pub(super) const CSR_READ: [u16; 43] = [
    0x300, 0x100, 0x301, 0x302, 0x303, 0x304, 0x104, 0x344, 0x144, 0x305, 0x105, 0x306, 0x106,
    0x30a, 0x10a, 0x320, 0x340, 0x140, 0x341, 0x141, 0x342, 0x142, 0x343, 0x143, 0x180, 0x3a0,
    0x3a2, 0x3b0, 0x3bf, 0xf11, 0xf12, 0xf13, 0xf14, 0xf15, 0xb00, 0xb02, 0xb03, 0xb1f, 0xc00,
    0xc02, 0xc03, 0x323, 0x33f,
];
/// CSRs any block may write: none redirects traps, enables an interrupt or
/// changes what the harness relies on (`stval`/`scause` hold the handler's
/// saved registers; `sie`/`sip` writes are masked by `mideleg` = 0).
pub(super) const CSR_WRITE: [u16; 21] = [
    0x340, 0x140, 0x341, 0x141, 0x342, 0x343, 0x180, 0xb00, 0xb02, 0x320, 0x306, 0x106, 0x30a,
    0x10a, 0x105, 0x144, 0x104, 0x301, 0x323, 0xb03, 0x3b0,
];
/// CSRs that do not exist here (or are read-only, for writes). The FP CSRs
/// (0x001-0x003) exist: [`Gen::fp`] accesses them.
pub(super) const CSR_ILLEGAL: [u16; 8] = [0x7c0, 0x5c0, 0x3a1, 0x3a3, 0x7b0, 0x800, 0xfff, 0x321];
pub(super) const CSR_READ_ONLY: [u16; 6] = [0xf11, 0xf12, 0xf14, 0xc00, 0xc02, 0xc03];
/// Counters U and S mode may read (when `mcounteren`/`scounteren` allow).
pub(super) const CSR_COUNTERS: [u16; 3] = [0xc00, 0xc02, 0xc03];
/// CSRs S mode may read and write (satp traps with mstatus.TVM).
pub(super) const CSR_READ_S: [u16; 13] = [
    0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x143, 0x144, 0x180, 0xc00, 0xc02, 0xc03,
];
pub(super) const CSR_WRITE_S: [u16; 8] = [0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x180];

/// The generator's state while it builds one block.
pub(super) struct Gen {
    pub(super) rng: Rng,
    /// Registers no item may write: base registers and loop counters.
    pub(super) protected: u32,
    pub(super) bases: Vec<Base>,
    bytes: u64,
    max_bytes: u64,
    pub(super) top_page: bool,
    /// The privilege the block starts in (CSR choices mostly suit it).
    pub(super) prv: Priv,
    /// Loops may start at item depths below this (1: no nested loops).
    loop_depth: usize,
    /// See [`GenConfig::region_shaped`].
    pub(super) region_shaped: bool,
}

/// The weight of F/D items (all other items together weigh 100).
const FP_WEIGHT: u64 = 20;

/// Interesting singles: zeros, ones, infinities, quiet and signalling NaNs
/// with payloads, subnormals, the extreme normals, values halfway between
/// integers, integer-conversion limits, and inexact values.
const SPECIAL_S: [u32; 38] = [
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical NaN
    0x7fc0_0001, // quiet NaN, payload
    0xffc1_2345, // negative quiet NaN, payload
    0x7f80_0001, // signalling NaN
    0x7fa0_0000, // signalling NaN, payload
    0xff80_0001, // negative signalling NaN
    0x0000_0001, // smallest subnormal
    0x8000_0001,
    0x007f_ffff, // largest subnormal
    0x0080_0000, // smallest normal
    0x8080_0000,
    0x7f7f_ffff, // largest normal
    0xff7f_ffff,
    0x3f00_0000, // 0.5
    0xbf00_0000, // -0.5
    0x3fc0_0000, // 1.5
    0x4020_0000, // 2.5
    0xc020_0000, // -2.5
    0x3f7f_ffff, // just below 1
    0x3f80_0001, // just above 1
    0x4eff_ffff, // largest below 2^31
    0x4f00_0000, // 2^31
    0xcf00_0000, // -2^31
    0xcf00_0001, // just below -2^31
    0x4f80_0000, // 2^32
    0x5f00_0000, // 2^63
    0xdf00_0000, // -2^63
    0x5f80_0000, // 2^64
    0x3eaa_aaab, // 1/3
    0x4049_0fdb, // pi
    0x1e3c_e508, // tiny normal (products underflow)
    0x6c4e_cb8f, // huge (products overflow)
];

/// Interesting doubles: the same classes, plus values halfway between
/// singles (for `fcvt.s.d`) and at the edges of the single range.
const SPECIAL_D: [u64; 44] = [
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000, // 1
    0xbff0_0000_0000_0000,
    0x7ff0_0000_0000_0000, // +inf
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000, // canonical NaN
    0x7ff8_0000_0000_0001,
    0xfff8_dead_0000_0000,
    0x7ff0_0000_0000_0001, // signalling NaN
    0x7ff4_0000_0000_0000,
    0xfff0_0000_0000_0001,
    0x0000_0000_0000_0001, // smallest subnormal
    0x8000_0000_0000_0001,
    0x000f_ffff_ffff_ffff, // largest subnormal
    0x0010_0000_0000_0000, // smallest normal
    0x7fef_ffff_ffff_ffff, // largest normal
    0xffef_ffff_ffff_ffff,
    0x3fe0_0000_0000_0000, // 0.5
    0xbfe0_0000_0000_0000,
    0x3ff8_0000_0000_0000, // 1.5
    0x4004_0000_0000_0000, // 2.5
    0xc004_0000_0000_0000,
    0x3ff0_0000_1000_0000, // 1 + 2^-24: halfway between two singles
    0x3ff0_0000_1000_0001, // just above that halfway point
    0x3ff0_0000_3000_0000, // another halfway point (odd lower neighbour)
    0x41df_ffff_ffc0_0000, // 2^31 - 1
    0x41df_ffff_ffe0_0000, // 2^31 - 0.5
    0x41e0_0000_0000_0000, // 2^31
    0xc1e0_0000_0000_0000, // -2^31
    0xc1e0_0000_0010_0000, // -2^31 - 0.5
    0x41f0_0000_0000_0000, // 2^32
    0x43e0_0000_0000_0000, // 2^63
    0xc3e0_0000_0000_0000, // -2^63
    0x43f0_0000_0000_0000, // 2^64
    0x47ef_ffff_e000_0000, // largest single
    0x47ef_ffff_f000_0000, // halfway between it and the overflow threshold
    0x3690_0000_0000_0000, // half the smallest subnormal single
    0x36a0_0000_0000_0000, // smallest subnormal single
    0x3810_0000_0000_0000, // smallest normal single
    0x380f_ffff_f000_0000, // just below it: rounds up to it or not
    0x3fd5_5555_5555_5555, // 1/3
    0x4009_21fb_5444_2d18, // pi
    0x2000_0000_0000_0001, // tiny (products underflow)
];

/// The last 4 KiB page of the 64-bit address space.
pub(super) const TOP_PAGE: u64 = 0xffff_ffff_ffff_f000;

pub(super) fn is_protected(mask: u32, r: Reg) -> bool {
    mask & (1 << r.0) != 0
}

impl BlockSpec {
    /// Generates block `seed`. The same seed always gives the same block.
    pub fn generate(seed: u64, cfg: &GenConfig) -> BlockSpec {
        let mut g = Gen {
            rng: Rng::new(seed),
            protected: 0,
            bases: Vec::new(),
            bytes: 0,
            max_bytes: cfg.max_bytes,
            top_page: cfg.top_page,
            prv: Priv::M,
            loop_depth: if cfg.region_shaped { 2 } else { 1 },
            region_shaped: cfg.region_shaped,
        };
        let mut x = [0u64; 32];
        for v in x.iter_mut().skip(1) {
            *v = g.rng.value();
        }
        g.choose_bases(&mut x);
        let mut f = [0u64; 32];
        for v in f.iter_mut() {
            *v = g.fp_value();
        }
        // Random accrued flags; frm mostly a valid mode, now and then a
        // reserved one (5..7), which makes dynamic rounding illegal.
        let frm = if g.rng.chance(85) {
            g.rng.below(5)
        } else {
            5 + g.rng.below(3)
        };
        let fcsr = (frm << 5 | g.rng.below(32)) as u32;
        let (prv, csrs) = g.init_csrs();
        g.prv = prv;
        let code_off = match g.rng.below(20) {
            0..=13 => 0,
            14..=16 => g.rng.below(0x400) * 2,
            // Near the end of the first page: the block crosses into the
            // second, and 32-bit instructions may straddle the boundary.
            _ => 0x1000 - 2 * (1 + g.rng.below(48)),
        };
        let data = if g.rng.chance(90) {
            Some(g.rng.below((POOL_LEN - DATA_LEN) as u64) as usize)
        } else {
            None
        };
        let n = 1 + g.rng.below(cfg.max_items.max(1) as u64) as usize;
        let items = if cfg.region_shaped {
            // A loop around most of the block (its body may hold loops
            // too), then a few items after it.
            let mut items = vec![g.loop_item(0)];
            let after = g.rng.below(4) as usize;
            items.extend(g.items(after, 0));
            items
        } else {
            g.items(n, 0)
        };
        let bases = g.bases.iter().map(|b| (b.reg, b.kind)).collect();
        BlockSpec {
            seed,
            items,
            init: Init {
                x,
                f,
                fcsr,
                prv,
                csrs,
                code_off,
                data,
                bases,
            },
        }
    }
}

impl Gen {
    fn add_base(&mut self, x: &mut [u64; 32], reg: Reg, kind: BaseKind) {
        let r = &mut self.rng;
        let value = match kind {
            BaseKind::Window => match r.below(10) {
                0..=4 => WINDOW + r.below(WINDOW_SIZE / 8) * 8,
                5 | 6 => WINDOW + r.below(WINDOW_SIZE / 4) * 4,
                7 => WINDOW + r.below(WINDOW_SIZE),
                // Near the page boundary in the middle of the window.
                _ => WINDOW + 0x1000 - 16 + r.below(32),
            },
            BaseKind::Rom => BOOT_ROM + r.below(0x100),
            BaseKind::Unmapped => match r.below(6) {
                0 => 0,
                1 => BELOW_RAM,
                2 => 0x4000_0000 + r.below(0x1000),
                3 if self.top_page => u64::MAX - 15,
                3 => TOP_PAGE - 16,
                4 => 0x8000_0000_0000_0000,
                _ => r.next_u64() | 1 << 40,
            },
            BaseKind::RamEnd => RAM_END - 16,
            BaseKind::Device => FINISHER + 16,
            BaseKind::Code => CODE_BASE + 2 * r.below(0x80),
        };
        x[reg.idx()] = value;
        self.protected |= 1 << reg.0;
        self.bases.push(Base { reg, kind, value });
    }

    /// A register in `lo..=hi` that is neither protected nor sp.
    fn free_reg(&mut self, lo: u8, hi: u8) -> Option<Reg> {
        let free: Vec<u8> = (lo..=hi)
            .filter(|&r| r != 2 && self.protected & (1 << r) == 0)
            .collect();
        (!free.is_empty()).then(|| Reg(self.rng.pick(&free)))
    }

    fn any_kind(&mut self) -> BaseKind {
        self.rng.pick(&[
            BaseKind::Window,
            BaseKind::Window,
            BaseKind::Rom,
            BaseKind::Unmapped,
            BaseKind::RamEnd,
            BaseKind::Device,
        ])
    }

    fn choose_bases(&mut self, x: &mut [u64; 32]) {
        // A window base that compressed loads and stores can use.
        let r = Reg(8 + self.rng.below(8) as u8);
        self.add_base(x, r, BaseKind::Window);
        if self.rng.chance(50) {
            if let Some(r) = self.free_reg(8, 15) {
                let k = self.any_kind();
                self.add_base(x, r, k);
            }
        }
        if self.rng.chance(35) {
            let k = if self.rng.chance(70) {
                BaseKind::Window
            } else {
                self.any_kind()
            };
            self.add_base(x, Reg::SP, k);
        }
        if let Some(r) = self.free_reg(1, 31) {
            self.add_base(x, r, BaseKind::Window);
        }
        for (kind, pct) in [
            (BaseKind::Rom, 30),
            (BaseKind::Unmapped, 30),
            (BaseKind::RamEnd, 30),
            (BaseKind::Device, 30),
            (BaseKind::Code, 12),
        ] {
            if self.rng.chance(pct) {
                if let Some(r) = self.free_reg(1, 31) {
                    self.add_base(x, r, kind);
                }
            }
        }
    }

    fn init_csrs(&mut self) -> (Priv, InitCsrs) {
        let r = &mut self.rng;
        // "Armed": SSIE enabled and SSIP pending, so an interrupt is taken as
        // soon as a block sets mstatus.MIE or drops to S or U mode.
        let armed = r.chance(10);
        let prv = if armed {
            Priv::M
        } else {
            match r.below(10) {
                0..=5 => Priv::M,
                6 | 7 => Priv::S,
                _ => Priv::U,
            }
        };
        let mut ms = r.pick(&[0u64, 1, 3]) << 11 | r.below(2) << 8;
        // FS: mostly usable (Initial, Clean or Dirty), now and then Off.
        ms |= r.pick(&[0u64, 1, 1, 2, 2, 3, 3, 3, 3, 3]) << 13;
        for (bit, p) in [
            (1u64 << 7, 50),
            (1 << 5, 50),
            (1 << 18, 30),
            (1 << 19, 30),
            (1 << 20, 15),
            (1 << 21, 15),
            (1 << 22, 15),
            (1 << 17, 10),
            (MSTATUS_SIE, 20),
        ] {
            if r.chance(p) {
                ms |= bit;
            }
        }
        if !armed && r.chance(20) {
            ms |= MSTATUS_MIE;
        }
        let (mie, mip) = if armed {
            (SSIP, SSIP)
        } else {
            (0, r.pick(&[0, 2, 0x20, 0x22]))
        };
        let counter = |r: &mut Rng| match r.below(3) {
            0 => 0,
            1 => r.next_u64(),
            _ => u64::MAX - r.below(64),
        };
        let csrs = InitCsrs {
            mstatus: ms,
            mie,
            mip,
            mcounteren: r.pick(&[0, 7, 5, 2, 0xffff_ffff]),
            scounteren: r.pick(&[0, 7, 1, 0xffff_ffff]),
            mcountinhibit: if r.chance(20) { r.pick(&[1, 4, 5]) } else { 0 },
            mscratch: r.value(),
            sscratch: r.value(),
            mepc: r.value() & !1,
            sepc: r.value() & !1,
            mcause: r.value(),
            mtval: r.value(),
            mcycle: counter(r),
            minstret: counter(r),
        };
        (prv, csrs)
    }

    // ---- FP values ----------------------------------------------------------

    /// A single's bits: special, a small integer, a value near 1, random.
    fn fp_single(&mut self) -> u32 {
        let r = &mut self.rng;
        match r.below(10) {
            0..=4 => r.pick(&SPECIAL_S),
            5 => (r.range(-100, 100) as f32).to_bits(),
            6 => (r.next_u64() as i64 as f32 / (1u64 << r.below(64)) as f32).to_bits(),
            // Same exponent range as 1.0 and its neighbours.
            7 => (0x3f00_0000 + (r.next_u64() as u32 & 0x00ff_ffff)) | (r.below(2) as u32) << 31,
            _ => r.next_u64() as u32,
        }
    }

    fn fp_double(&mut self) -> u64 {
        let r = &mut self.rng;
        match r.below(10) {
            0..=4 => r.pick(&SPECIAL_D),
            5 => (r.range(-100, 100) as f64).to_bits(),
            6 => (r.next_u64() as i64 as f64 / (1u64 << r.below(64)) as f64).to_bits(),
            7 => {
                let m = r.next_u64() & 0x001f_ffff_ffff_ffff;
                (0x3fe0_0000_0000_0000 + m) | r.below(2) << 63
            }
            // A single's value, exactly (conversions back are exact).
            8 => {
                let s = self.fp_single();
                (f32::from_bits(s) as f64).to_bits()
            }
            _ => r.next_u64(),
        }
    }

    /// An initial f register: mostly a NaN-boxed single or a double, now
    /// and then an improperly boxed single (which reads as the canonical NaN).
    pub(super) fn fp_value(&mut self) -> u64 {
        match self.rng.below(20) {
            0..=9 => 0xffff_ffff_0000_0000 | self.fp_single() as u64,
            10..=17 => self.fp_double(),
            _ => {
                let any = self.rng.next_u64() >> 32;
                let hi = self
                    .rng
                    .pick(&[0u64, 0x7fff_ffff, 0xffff_fffe, 0xffff_0000, any]);
                hi << 32 | self.fp_single() as u64
            }
        }
    }

    // ---- Registers ----------------------------------------------------------

    /// Any source register.
    pub(super) fn src(&mut self) -> Reg {
        if self.rng.chance(5) {
            Reg::ZERO
        } else {
            Reg(1 + self.rng.below(31) as u8)
        }
    }

    pub(super) fn src_c(&mut self) -> Reg {
        Reg(8 + self.rng.below(8) as u8)
    }

    /// A destination register (x0 now and then).
    pub(super) fn dst(&mut self) -> Reg {
        if self.rng.chance(4) {
            Reg::ZERO
        } else {
            self.dst_nonzero()
        }
    }

    pub(super) fn dst_nonzero(&mut self) -> Reg {
        loop {
            let r = Reg(1 + self.rng.below(31) as u8);
            if !is_protected(self.protected, r) {
                return r;
            }
        }
    }

    /// A writable register of the RVC 3-bit fields, if any.
    pub(super) fn dst_c(&mut self) -> Option<Reg> {
        let free: Vec<u8> = (8..16)
            .filter(|&r| self.protected & (1 << r) == 0)
            .collect();
        (!free.is_empty()).then(|| Reg(self.rng.pick(&free)))
    }

    fn writes_ok(&self, insn: &Insn) -> bool {
        match *insn {
            Insn::OpImm { rd, .. }
            | Insn::OpImm32 { rd, .. }
            | Insn::Op { rd, .. }
            | Insn::Op32 { rd, .. }
            | Insn::Unary { rd, .. }
            | Insn::Lui { rd, .. }
            | Insn::Auipc { rd, .. } => !is_protected(self.protected, rd),
            _ => false,
        }
    }

    // ---- Items --------------------------------------------------------------

    pub(super) fn items(&mut self, n: usize, depth: usize) -> Vec<Item> {
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            if self.bytes >= self.max_bytes {
                break;
            }
            let it = self.item(depth);
            self.bytes += match &it {
                Item::Loop { .. } | Item::Call { .. } => 12,
                it => item_size(it, true),
            };
            v.push(it);
        }
        v
    }

    fn item(&mut self, depth: usize) -> Item {
        if self.region_shaped && depth > 0 && self.rng.chance(75) {
            return self.loop_body_item(depth);
        }
        loop {
            let it = match self.rng.below(FP_WEIGHT + 100) {
                0..=13 => Some(Item::Insn(self.alu())),
                14..=23 => self.c_alu().map(Item::Insn),
                24..=26 => Some(Item::Insn(self.fuzz())),
                27..=36 => self.load(),
                37..=44 => self.store(),
                45..=51 => self.c_load_store(),
                52..=55 => self.amo(),
                56..=58 => self.lr_sc(),
                59..=65 => Some(self.branch()),
                66 | 67 => Some(self.jal()),
                68 | 69 => Some(self.jump_reg()),
                70..=72 if depth < self.loop_depth => Some(self.loop_item(depth)),
                73..=79 => Some(Item::Insn(self.csr())),
                80 | 81 => Some(Item::Insn(self.fence())),
                82 | 83 => Some(Item::Insn(self.system())),
                84 => Some(self.xret()),
                85 if self.rng.chance(50) => Some(Item::Insn(self.illegal())),
                85 => self.fp(),
                86 => Some(Item::Insn(self.csr())),
                87 => Some(self.smc()),
                88 => self.wild_jump(),
                89..=93 => Some(Item::Insn(self.bitmanip())),
                94 | 95 if depth <= self.loop_depth => Some(self.call_item(depth)),
                94..=99 => Some(Item::Insn(self.alu())),
                // F and D (about one item in six).
                _ => self.fp(),
            };
            if let Some(it) = it {
                return it;
            }
        }
    }

    /// Region-shaped blocks: a loop body item that seldom traps (ALU,
    /// branches and jumps, memory traffic, inner loops), so loops run the
    /// iterations that get them compiled and keep running compiled.
    fn loop_body_item(&mut self, depth: usize) -> Item {
        loop {
            let it = match self.rng.below(100) {
                0..=29 => Some(Item::Insn(self.alu())),
                30..=44 => self.c_alu().map(Item::Insn),
                45..=54 => self.load(),
                55..=62 => self.store(),
                63..=64 => self.c_load_store(),
                65..=79 => Some(self.branch()),
                80..=84 => Some(self.jal()),
                85..=87 => Some(self.jump_reg()),
                88..=91 if depth < self.loop_depth => Some(self.loop_item(depth)),
                92..=94 if depth <= self.loop_depth => Some(self.call_item(depth)),
                _ => Some(Item::Insn(self.bitmanip())),
            };
            if let Some(it) = it {
                return it;
            }
        }
    }

    pub(super) fn target(&mut self) -> Target {
        if self.rng.chance(25) {
            Target::End
        } else {
            Target::Skip(self.rng.below(5) as u8)
        }
    }

    /// A random 32-bit integer ALU instruction (RV64I + M) writing `rd`.
    pub(super) fn alu_insn(&mut self, rd: Reg) -> Insn {
        let (rs1, rs2) = (self.src(), self.src());
        match self.rng.below(10) {
            0..=3 => Insn::Op {
                op: self.rng.pick(&OP_OPS),
                rd,
                rs1,
                rs2,
            },
            4..=6 => {
                let op = self.rng.pick(&OPIMM_OPS);
                let imm = match op {
                    AluOp::Sll | AluOp::Srl | AluOp::Sra => self.rng.shamt(64),
                    _ => self.rng.imm12(),
                };
                Insn::OpImm { op, rd, rs1, imm }
            }
            7 => Insn::Op32 {
                op: self.rng.pick(&OP32_OPS),
                rd,
                rs1,
                rs2,
            },
            8 => {
                let op = self
                    .rng
                    .pick(&[AluOp::Add, AluOp::Sll, AluOp::Srl, AluOp::Sra]);
                let imm = if op == AluOp::Add {
                    self.rng.imm12()
                } else {
                    self.rng.shamt(32)
                };
                Insn::OpImm32 { op, rd, rs1, imm }
            }
            _ => {
                let imm = ((self.rng.next_u64() as u32 & 0xffff_f000) as i32) as i64;
                if self.rng.chance(50) {
                    Insn::Lui { rd, imm }
                } else {
                    Insn::Auipc { rd, imm }
                }
            }
        }
    }

    /// A random Zba/Zbb/Zbs/Zicond instruction.
    fn bitmanip(&mut self) -> Enc {
        let rd = self.dst();
        let (rs1, rs2) = (self.src(), self.src());
        Enc::of(match self.rng.below(10) {
            0..=4 => Insn::Op {
                op: self.rng.pick(&BITMANIP_OP_OPS),
                rd,
                rs1,
                rs2,
            },
            5 | 6 => Insn::OpImm {
                op: self.rng.pick(&BITMANIP_OPIMM_OPS),
                rd,
                rs1,
                imm: self.rng.shamt(64),
            },
            7 => Insn::Op32 {
                op: self.rng.pick(&[AluOp::Rol, AluOp::Ror]),
                rd,
                rs1,
                rs2,
            },
            8 if self.rng.chance(30) => Insn::OpImm32 {
                op: AluOp::Ror,
                rd,
                rs1,
                imm: self.rng.shamt(32),
            },
            _ => Insn::Unary {
                op: self.rng.pick(&UNARY_OPS),
                rd,
                rs1,
            },
        })
    }

    pub(super) fn alu(&mut self) -> Enc {
        let rd = self.dst();
        Enc::of(self.alu_insn(rd))
    }

    /// A compressed integer instruction (quadrants 1 and 2 arithmetic).
    fn c_alu(&mut self) -> Option<Enc> {
        let imm6 = self.rng.range(-32, 31);
        let add = AluOp::Add;
        Some(match self.rng.below(14) {
            0 => {
                let rd = self.dst_nonzero();
                let e = c_ci(0, 1, rd, imm6);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op: add,
                        rd,
                        rs1: rd,
                        imm: imm6,
                    },
                )
            }
            1 => {
                let rd = self.dst_nonzero();
                let e = c_ci(2, 1, rd, imm6);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op: add,
                        rd,
                        rs1: Reg::ZERO,
                        imm: imm6,
                    },
                )
            }
            2 => {
                let rd = self.dst_nonzero();
                if rd == Reg::SP || imm6 == 0 {
                    return None;
                }
                Enc::c(
                    c_ci(3, 1, rd, imm6),
                    Insn::Lui {
                        rd,
                        imm: imm6 << 12,
                    },
                )
            }
            3 => {
                let rd = self.dst_nonzero();
                let e = c_ci(1, 1, rd, imm6);
                Enc::c(
                    e,
                    Insn::OpImm32 {
                        op: add,
                        rd,
                        rs1: rd,
                        imm: imm6,
                    },
                )
            }
            4 => {
                let rd = self.dst_nonzero();
                let sh = self.rng.shamt(64);
                let e = c_ci(0, 2, rd, sh);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op: AluOp::Sll,
                        rd,
                        rs1: rd,
                        imm: sh,
                    },
                )
            }
            5..=7 => {
                let rd = self.dst_c()?;
                let kind = self.rng.below(3) as u16;
                let (op, imm) = match kind {
                    0 => (AluOp::Srl, self.rng.shamt(64)),
                    1 => (AluOp::Sra, self.rng.shamt(64)),
                    _ => (AluOp::And, imm6),
                };
                let e = c_shift_andi(kind, rd, imm);
                Enc::c(
                    e,
                    Insn::OpImm {
                        op,
                        rd,
                        rs1: rd,
                        imm,
                    },
                )
            }
            8 | 9 => {
                let rd = self.dst_c()?;
                let rs2 = self.src_c();
                let (word, f2) = self.rng.pick(&[
                    (false, 0),
                    (false, 1),
                    (false, 2),
                    (false, 3),
                    (true, 0),
                    (true, 1),
                ]);
                let op = match (word, f2) {
                    (false, 0) | (true, 0) => AluOp::Sub,
                    (false, 1) => AluOp::Xor,
                    (false, 2) => AluOp::Or,
                    (false, _) => AluOp::And,
                    (true, _) => AluOp::Add,
                };
                let insn = if word {
                    Insn::Op32 {
                        op,
                        rd,
                        rs1: rd,
                        rs2,
                    }
                } else {
                    Insn::Op {
                        op,
                        rd,
                        rs1: rd,
                        rs2,
                    }
                };
                Enc::c(c_arith(word, f2, rd, rs2), insn)
            }
            10 => {
                let rd = self.dst_nonzero();
                let rs2 = Reg(1 + self.rng.below(31) as u8);
                Enc::c(
                    c_mv_add(false, rd, rs2),
                    Insn::Op {
                        op: add,
                        rd,
                        rs1: Reg::ZERO,
                        rs2,
                    },
                )
            }
            11 => {
                let rd = self.dst_nonzero();
                let rs2 = Reg(1 + self.rng.below(31) as u8);
                Enc::c(
                    c_mv_add(true, rd, rs2),
                    Insn::Op {
                        op: add,
                        rd,
                        rs1: rd,
                        rs2,
                    },
                )
            }
            12 => {
                let rd = self.dst_c()?;
                let u = 4 * (1 + self.rng.below(255)) as u16;
                let insn = Insn::OpImm {
                    op: add,
                    rd,
                    rs1: Reg::SP,
                    imm: u as i64,
                };
                Enc::c(c_addi4spn(rd, u), insn)
            }
            _ => {
                if is_protected(self.protected, Reg::SP) || self.rng.chance(30) {
                    return Some(c_nop());
                }
                let mut k = self.rng.range(-32, 31);
                if k == 0 {
                    k = 1;
                }
                let imm = 16 * k;
                let sp = Reg::SP;
                Enc::c(
                    c_addi16sp(imm),
                    Insn::OpImm {
                        op: add,
                        rd: sp,
                        rs1: sp,
                        imm,
                    },
                )
            }
        })
    }

    /// A random word in an ALU opcode space: whatever the decoder makes of
    /// it (illegal encodings included) as long as it writes no protected register.
    fn fuzz(&mut self) -> Enc {
        loop {
            if self.rng.chance(60) {
                let op = self.rng.pick(&[0x13u32, 0x1b, 0x33, 0x3b, 0x37, 0x17]);
                let w = (self.rng.next_u64() as u32 & !0x7f) | op;
                let d = decode(w);
                if self.writes_ok(&d.insn) || d.insn == Insn::Illegal && self.rng.chance(15) {
                    return Enc::raw(w);
                }
            } else {
                let h = self.rng.next_u64() as u32 & 0x1ffc;
                let h = match self.rng.below(3) {
                    0 => h | (self.rng.below(5) as u32) << 13 | 1,
                    1 => h | 2,
                    _ => h,
                };
                let d = decode(h);
                if self.writes_ok(&d.insn) || d.insn == Insn::Illegal && self.rng.chance(15) {
                    return Enc::raw(h);
                }
            }
        }
    }
}

/* iopmp.h - constants and macros for the IOPMP guest tests (iopmp_*.S).
 * Include after test.h.
 *
 * The device is rvdbt's `--iopmp`: a RISC-V IOPMP (spec v0.7, full model:
 * MDCFG table, SRCMD_EN table) at 0x1020_0000 guarding RAM, with QEMU's
 * default sizes (8 MDs, 16 RRIDs, 48 entries, ENTRYOFFSET 0x4000, all 48
 * entries priority entries at reset), its interrupt on PLIC source 12.
 * The hart's accesses (M-mode included) carry the RRID given by `--rrid`.
 * Until HWCFG0.enable is set nothing is checked; once it is, the program
 * needs entries that let its RRID fetch its code and read / write its data
 * and stack, so every program first programs a catch-all entry over the
 * image and then enables the checker.
 *
 * Violations answer a bus error: an access fault (load 5, store/AMO 7,
 * fetch 1) with mtval = the address. */
#ifndef RVDBT_IOPMP_H
#define RVDBT_IOPMP_H

#define IOPMP_BASE      0x10200000
#define IOPMP_VERSION   0x00
#define IOPMP_IMPL      0x04
#define IOPMP_HWCFG0    0x08
#define IOPMP_HWCFG1    0x0c
#define IOPMP_HWCFG2    0x10
#define IOPMP_ENTRYOFF  0x14
#define IOPMP_MDLCK     0x40
#define IOPMP_MDCFGLCK  0x48
#define IOPMP_ENTRYLCK  0x4c
#define IOPMP_ERR_CFG   0x60
#define IOPMP_ERR_INFO  0x64
#define IOPMP_ERR_REQADDR  0x68
#define IOPMP_ERR_REQADDRH 0x6c
#define IOPMP_ERR_REQID 0x70
#define IOPMP_ERR_MFR   0x74
#define IOPMP_MDCFG(m)  (0x800 + 4 * (m))
#define IOPMP_SRCMD_EN(s)  (0x1000 + 32 * (s))
#define IOPMP_SRCMD_ENH(s) (0x1004 + 32 * (s))
#define IOPMP_ENTRY_OFFSET 0x4000
#define IOPMP_ENTRY_ADDR(i)  (IOPMP_ENTRY_OFFSET + 16 * (i))
#define IOPMP_ENTRY_ADDRH(i) (IOPMP_ENTRY_OFFSET + 16 * (i) + 4)
#define IOPMP_ENTRY_CFG(i)   (IOPMP_ENTRY_OFFSET + 16 * (i) + 8)

#define IOPMP_ENTRIES   48
#define IOPMP_MDS       8
#define IOPMP_RRIDS     16
#define IOPMP_IRQ       12

/* HWCFG0 (v0.7 layout) */
#define HWCFG0_TOR_EN      (1 << 4)
#define HWCFG0_PRIENT_PROG (1 << 7)
#define HWCFG0_CHK_X       (1 << 10)
#define HWCFG0_PEIS        (1 << 14)
#define HWCFG0_PEES        (1 << 15)
#define HWCFG0_MFR_EN      (1 << 16)
#define HWCFG0_MD_NUM_SHIFT 24
#define HWCFG0_MD_NUM_MASK (0x3f << 24)
#define HWCFG0_ENABLE      0x80000000

/* ENTRY_CFG */
#define E_R     0x001
#define E_W     0x002
#define E_X     0x004
#define E_OFF   0x000
#define E_TOR   0x008
#define E_NA4   0x010
#define E_NAPOT 0x018
#define E_SIRE  0x020
#define E_SIWE  0x040
#define E_SIXE  0x080
#define E_SERE  0x100
#define E_SEWE  0x200
#define E_SEXE  0x400

/* ERR_CFG */
#define ERRCFG_L  1
#define ERRCFG_IE 2
#define ERRCFG_RS 4

/* ERR_INFO: v | ttype << 1 | etype << 4 (| svc << 8) */
#define TT_READ   1
#define TT_WRITE  2
#define TT_FETCH  3
#define ET_READ    1
#define ET_WRITE   2
#define ET_FETCH   3
#define ET_PARTIAL 4
#define ET_NOT_HIT 5
#define ERR_INFO_VAL(tt, et) (1 | ((tt) << 1) | ((et) << 4))
#define ERR_INFO_SVC 0x100
/* ERR_REQID: eid << 16 | rrid */
#define REQID(eid, rrid) (((eid) << 16) | (rrid))

/* PLIC (hart 0 context 0 = M mode) */
#define PLIC_BASE       0x0c000000
#define PLIC_PRIO(s)    (PLIC_BASE + 4 * (s))
#define PLIC_PENDING0   (PLIC_BASE + 0x1000)
#define PLIC_ENABLE0    (PLIC_BASE + 0x2000)
#define PLIC_THRESHOLD0 (PLIC_BASE + 0x200000)
#define PLIC_CLAIM0     (PLIC_BASE + 0x200004)

#define MIE_MEIE        0x800
#define CAUSE_M_EXT_IRQ 0x800000000000000b

#ifdef __ASSEMBLER__

/* IOPMP register off <- 32-bit constant val. Clobbers t0, t1. */
.macro IOPMP_W off, val
        li      t0, IOPMP_BASE + (\off)
        li      t1, \val
        sw      t1, 0(t0)
.endm
/* IOPMP register off <- register reg. Clobbers t0. */
.macro IOPMP_WR off, reg
        li      t0, IOPMP_BASE + (\off)
        sw      \reg, 0(t0)
.endm
/* reg <- IOPMP register off (zero-extended). Clobbers t0. */
.macro IOPMP_R reg, off
        li      t0, IOPMP_BASE + (\off)
        lwu     \reg, 0(t0)
.endm
/* Fail unless IOPMP register off == val. Clobbers t0, t5, t6. */
.macro EXPECT_IOPMP off, val
        IOPMP_R t5, \off
        EXPECT  t5, \val
.endm
/* Fail unless (IOPMP register off & mask) == val. */
.macro EXPECT_IOPMP_MASK off, mask, val
        IOPMP_R t5, \off
        li      t6, \mask
        and     t5, t5, t6
        EXPECT  t5, \val
.endm

/* Entry i: NAPOT region [label + off, + size) (size a power of two >= 8,
 * the region naturally aligned), cfg. ENTRY_ADDR first, ENTRY_CFG last.
 * Clobbers t0, t1. */
.macro ENTRY_NAPOT i, label, off, size, cfg
        la      t1, \label + (\off) + (\size) / 2 - 1
        srli    t1, t1, 2
        IOPMP_WR IOPMP_ENTRY_ADDR(\i), t1
        IOPMP_WR IOPMP_ENTRY_ADDRH(\i), zero
        IOPMP_W IOPMP_ENTRY_CFG(\i), \cfg
.endm
/* Same with a constant physical address. */
.macro ENTRY_NAPOT_PA i, pa, size, cfg
        IOPMP_W IOPMP_ENTRY_ADDR(\i), ((\pa) + (\size) / 2 - 1) >> 2
        IOPMP_WR IOPMP_ENTRY_ADDRH(\i), zero
        IOPMP_W IOPMP_ENTRY_CFG(\i), \cfg
.endm
/* Entry i: ENTRY_ADDR = (label + off) >> 2, cfg (NA4 word, TOR top, or
 * the bottom of entry i + 1's TOR when cfg is E_OFF). Clobbers t0, t1. */
.macro ENTRY_ADDR i, label, off, cfg
        la      t1, \label + (\off)
        srli    t1, t1, 2
        IOPMP_WR IOPMP_ENTRY_ADDR(\i), t1
        IOPMP_WR IOPMP_ENTRY_ADDRH(\i), zero
        IOPMP_W IOPMP_ENTRY_CFG(\i), \cfg
.endm
.macro ENTRY_ADDR_PA i, pa, cfg
        IOPMP_W IOPMP_ENTRY_ADDR(\i), (\pa) >> 2
        IOPMP_WR IOPMP_ENTRY_ADDRH(\i), zero
        IOPMP_W IOPMP_ENTRY_CFG(\i), \cfg
.endm
/* ENTRY_CFG(i) <- cfg alone (a single register write). */
.macro ENTRY_CFG i, cfg
        IOPMP_W IOPMP_ENTRY_CFG(\i), \cfg
.endm
.macro ENTRY_OFF i
        IOPMP_W IOPMP_ENTRY_CFG(\i), E_OFF
.endm

/* Fail unless the capture record holds (ERR_INFO, address, ERR_REQID),
 * then clear ERR_INFO.v and check it reads 0. addr is a register.
 * Clobbers t0, t1, t5, t6. */
.macro EXPECT_CAPTURE info, addr, reqid
        EXPECT_IOPMP IOPMP_ERR_INFO, \info
        IOPMP_R t5, IOPMP_ERR_REQADDR
        srli    t1, \addr, 2
        slli    t1, t1, 32
        srli    t1, t1, 32
        EXPECT_REG t5, t1
        IOPMP_R t5, IOPMP_ERR_REQADDRH
        srli    t1, \addr, 34
        EXPECT_REG t5, t1
        EXPECT_IOPMP IOPMP_ERR_REQID, \reqid
        CLEAR_ERR
.endm
/* Same for an etype whose eid is undefined (not hit): only the RRID is
 * checked in ERR_REQID. */
.macro EXPECT_CAPTURE_NOEID info, addr, rrid
        EXPECT_IOPMP IOPMP_ERR_INFO, \info
        IOPMP_R t5, IOPMP_ERR_REQADDR
        srli    t1, \addr, 2
        slli    t1, t1, 32
        srli    t1, t1, 32
        EXPECT_REG t5, t1
        EXPECT_IOPMP_MASK IOPMP_ERR_REQID, 0xffff, \rrid
        CLEAR_ERR
.endm
/* ERR_INFO.v <- 0 (write 1 to clear), and check it. */
.macro CLEAR_ERR
        IOPMP_W IOPMP_ERR_INFO, 1
        EXPECT_IOPMP_MASK IOPMP_ERR_INFO, 1, 0
.endm
/* Fail unless no violation is captured. */
.macro EXPECT_NO_CAPTURE
        EXPECT_IOPMP_MASK IOPMP_ERR_INFO, 1, 0
.endm

/* Call the code at register reg (jalr ra). A trap taken to M (recorded by
 * mtrap_record, which then does not touch the faulting instruction)
 * resumes after the call. The trap records are reset first. Clobbers
 * t0, t1, ra. */
.macro CALL_TRY reg
        TRAP_RESET
        la      t0, 9003f
        la      t1, mtrap_resume
        sd      t0, 0(t1)
        jalr    ra, 0(\reg)
9003:   la      t1, mtrap_resume
        sd      zero, 0(t1)
.endm

/* One access fault of `cause` at the instruction at label, mtval = reg. */
.macro EXPECT_FAULT_AT cause, label, reg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        EXPECT_MTRAP_EPC \label
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \reg
.endm
/* A fetch fault: mepc = mtval = reg. */
.macro EXPECT_FETCH_FAULT_AT reg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_ACCESS
        la      t5, mtrap
        ld      t5, TR_EPC(t5)
        EXPECT_REG t5, \reg
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \reg
.endm
.macro EXPECT_NO_TRAP
        EXPECT_MTRAP_COUNT 0
.endm

/* The standard set-up: every MD empty but MD 0 (all 48 entries), RRID
 * `rrid` associated with MD 0, entry 47 a NAPOT RWX rule over the image
 * (the first 16 MiB of RAM, as common/link.ld allows), the checker not yet
 * enabled. Clobbers t0, t1. */
.macro IOPMP_STD_SETUP rrid
        .irp m, 0, 1, 2, 3, 4, 5, 6, 7
        IOPMP_W IOPMP_MDCFG(\m), IOPMP_ENTRIES
        .endr
        IOPMP_W IOPMP_SRCMD_EN(\rrid), (1 << 0) << 1
        ENTRY_NAPOT_PA 47, 0x80000000, 0x1000000, E_NAPOT | E_R | E_W | E_X
.endm
.macro IOPMP_ENABLE
        IOPMP_W IOPMP_HWCFG0, HWCFG0_ENABLE
.endm

#endif /* __ASSEMBLER__ */
#endif /* RVDBT_IOPMP_H */

/* wg.h - RISC-V WorldGuard constants and macros for the wg_* guest tests
 * (run with `rvdbt run --worldguard`: QEMU's `virt,wg=on` layout, 4 worlds,
 * trusted WID 3, M-mode WID 3, hardware bypass).  Include after test.h.
 *
 * wgCheckers (register windows, 4- and 8-byte accesses):
 *   0x600_0000  in front of RAM (0x8000_0000..), 16 slots, PLIC source 15
 *   0x600_1000  in front of the flash (0x2000_0000), 16 slots, source 16
 *   0x600_2000  in front of the UART page (0x1000_0000), 1 slot, source 17
 * Register map: nslots +0x08, errcause +0x10 (wid[7:0], r[8], w[9],
 * be[62], ip[63]), erraddr +0x18 (address >> 2), slot[i] at 0x20 + 0x20*i:
 * addr +0 (address >> 2), perm +8 (bit 2w: world w reads, 2w+1: writes),
 * cfg +0x10 (32 bits: A[1:0], ER[8], EW[9], IR[10], IW[11], L[31]).
 * slot[0].addr is the range start (0), slot[nslots].addr the range end;
 * at reset slot[nslots] is TOR over everything, read/write for world 3. */
#ifndef RVDBT_WG_H
#define RVDBT_WG_H

#define WGC_DRAM        0x06000000
#define WGC_FLASH       0x06001000
#define WGC_UART        0x06002000
#define WGC_DRAM_IRQ    15
#define WGC_DRAM_SLOTS  16

#define WGC_VENDOR      0x00
#define WGC_IMPID       0x04
#define WGC_NSLOTS      0x08
#define WGC_ERRCAUSE    0x10
#define WGC_ERRADDR     0x18
#define WGC_SLOT(i)     (0x20 + 0x20 * (i))
#define WGC_ADDR        0x00
#define WGC_PERM        0x08
#define WGC_CFG         0x10
/* absolute address of register f of slot i of the checker at base */
#define WGC_REG(base, i, f) ((base) + WGC_SLOT(i) + (f))

#define WG_OFF          0
#define WG_TOR          1
#define WG_NA4          2
#define WG_NAPOT        3
#define WG_ER           0x100
#define WG_EW           0x200
#define WG_IR           0x400
#define WG_IW           0x800
#define WG_L            0x80000000

#define ERR_R           0x100
#define ERR_W           0x200
#define ERR_BE          0x4000000000000000
#define ERR_IP          0x8000000000000000

/* perm bits: world w may read / write */
#define WG_R(w)         (1 << (2 * (w)))
#define WG_W(w)         (2 << (2 * (w)))
#define WG_RW(w)        (3 << (2 * (w)))

/* slot addr register values */
#define WG_ADDR(a)          ((a) >> 2)
#define WG_NAPOT_ADDR(a, s) (((a) + (s) / 2 - 1) >> 2)
/* the range end of the virt checkers (start 0, size 2^64 - 1), >> 2 */
#define WG_RANGE_END    0x3fffffffffffffff

/* WorldGuard CSRs */
#define CSR_MLWID       0x390
#define CSR_SLWID       0x190
#define CSR_MWIDDELEG   0x748

/* PLIC (context 0 = hart 0 M mode) */
#define PLIC_BASE       0x0c000000
#define PLIC_PRIO(s)    (PLIC_BASE + 4 * (s))
#define PLIC_PENDING    (PLIC_BASE + 0x1000)
#define PLIC_ENABLE0    (PLIC_BASE + 0x2000)
#define PLIC_THRESH0    (PLIC_BASE + 0x200000)
#define PLIC_CLAIM0     (PLIC_BASE + 0x200004)

#define MIE_MEIE        0x800

#ifdef __ASSEMBLER__

/* slot i of the checker at base <- addr (register value), perm, cfg.
 * Clobbers t0, t1. */
.macro WG_SLOT base, i, addr, perm, cfg
        li      t0, WGC_REG(\base, \i, 0)
        li      t1, \addr
        sd      t1, WGC_ADDR(t0)
        li      t1, \perm
        sd      t1, WGC_PERM(t0)
        li      t1, \cfg
        sw      t1, WGC_CFG(t0)
.endm
/* one register of slot i <- val (8-byte perm / addr, 4-byte cfg). */
.macro WG_SET_PERM base, i, perm
        li      t0, WGC_REG(\base, \i, WGC_PERM)
        li      t1, \perm
        sd      t1, 0(t0)
.endm
.macro WG_SET_ADDR base, i, addr
        li      t0, WGC_REG(\base, \i, WGC_ADDR)
        li      t1, \addr
        sd      t1, 0(t0)
.endm
.macro WG_SET_CFG base, i, cfg
        li      t0, WGC_REG(\base, \i, WGC_CFG)
        li      t1, \cfg
        sw      t1, 0(t0)
.endm
/* Fail unless the 8-byte (ld) / 4-byte (lwu) register at addr == val.
 * Clobbers t5, t6. */
.macro EXPECT_REG64 addr, val
        li      t5, \addr
        ld      t5, 0(t5)
        EXPECT  t5, \val
.endm
.macro EXPECT_REG32 addr, val
        li      t5, \addr
        lwu     t5, 0(t5)
        EXPECT  t5, \val
.endm
/* errcause of the RAM checker <- 0 (clears be and ip). Clobbers t0. */
.macro WG_CLEAR_ERR
        li      t0, WGC_DRAM + WGC_ERRCAUSE
        sd      zero, 0(t0)
.endm

/* mlwid <- w. Clobbers t0. */
.macro SET_MLWID w
        li      t0, \w
        csrw    CSR_MLWID, t0
.endm

/* M-mode data accesses with the WID of S (mlwid) or U: MPRV = 1 with
 * MPP = S / U (satp is Bare, so nothing is translated).  Fetches stay M.
 * Clobber t0. */
.macro MPRV_S
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs    mstatus, t0
.endm
.macro MPRV_U
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV
        csrs    mstatus, t0
.endm
.macro MPRV_OFF
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
.endm

#endif /* __ASSEMBLER__ */
#endif /* RVDBT_WG_H */

/* iopmp_basic - the IOPMP (`rvdbt run --iopmp`, RRID 0) checking the
 * hart's own accesses, M-mode included (common/iopmp.h):
 *  - reset values (HWCFG0/1/2, ENTRYOFFSET, no capture); nothing is checked
 *    until HWCFG0.enable is set, which is sticky;
 *  - a NAPOT read-only page: loads (and LR) work, stores, byte stores and
 *    AMOs take a store access fault (mcause 7, mtval = the address) and
 *    write nothing; the violation is captured in ERR_INFO (v, ttype,
 *    etype), ERR_REQADDR(H) (address >> 2) and ERR_REQID (entry index,
 *    RRID); a rule denying everything faults loads (mcause 5);
 *  - the capture latches: a second violation leaves the record alone, sets
 *    ERR_INFO.svc and its RRID's bit in ERR_MFR (read clears); writing 0
 *    to ERR_INFO.v does nothing, writing 1 clears it and re-arms capture;
 *    "not hit any rule" (etype 5) outside every entry;
 *  - TOR (entry i-1's address as the bottom, a boundary inside a page),
 *    NA4 and 8-byte NAPOT rules; an access only partly inside a priority
 *    entry is a partial hit (etype 4) even when the entry grants it;
 *  - every R/W/X combination of one entry over a page holding code and
 *    data: load / store / fetch allowed or access fault 5 / 7 / 1 (fetch:
 *    mepc = mtval = the target), with the capture (ttype/etype 3 for
 *    fetches);
 *  - per-entry error suppression (sere / sewe: reads return 0, writes are
 *    dropped, no fault) and global ERR_CFG.rs (every etype);
 *  - the wired interrupt: with ERR_CFG.ie a violation raises PLIC source
 *    12 (context 0 = M external interrupt): pending in the PLIC and
 *    mip.MEIP, taken right after mstatus.MIE is set, claim = 12; the line
 *    is held while ERR_INFO.v is set (a completion re-pends the source)
 *    and clearing v drops it; an interrupt after a faulting store, after a
 *    suppressed (sewe) store and after a globally suppressed (rs) load;
 *    per-entry interrupt suppression (siwe / sire, per access type);
 *  - ERR_CFG.l locks ERR_CFG;
 *  - misaligned loads / stores crossing from an allowed page into a denied
 *    one fault (mtval = the address or that of the denied part) and leave
 *    the denied part unwritten;
 *  - a write-only page: stores work, loads and LR fault, AMOs (which need
 *    r and w) take a store access fault.
 * The suppressed read value (0) is this model's choice (the spec lets an
 * implementation define it). */
#include "test.h"
#include "iopmp.h"

#define MARK_A  0xa0a0a0a0a0a0a001
#define MARK_A2 0xa0a0a0a0a0a0a002
#define MARK_B  0xb0b0b0b0b0b0b001
#define MARK_C  0xc0c0c0c0c0c0c001
#define MARK_D  0xd0d0d0d0d0d0d001
#define MARK_D2 0xd0d0d0d0d0d0d002
#define MARK_X  0x7e7e7e7e7e7e7e01
#define NOT_HIT 0x81000000              /* RAM outside every entry */

/* insn must not trap */
.macro OK insn
        TRAP_RESET
        \insn
        EXPECT_NO_TRAP
.endm
/* insn must take an access fault `cause` with mtval = register treg */
.macro FAULT cause, treg, insn
        TRAP_RESET
9005:   \insn
        EXPECT_FAULT_AT \cause, 9005b, \treg
.endm

/* One R/W/X combination of entry 2 over xpg: load xpg+0x100 (MARK_X),
 * store xpg+0x800, fetch xpg (li a0, 0x77; ret). */
.macro PERM3 perm
        ENTRY_OFF 2
        la      t0, xpg + 0x800
        sd      zero, 0(t0)
        ENTRY_NAPOT 2, xpg, 0, 4096, E_NAPOT | (\perm)
        la      s1, xpg
        la      s2, xpg + 0x800
        la      s3, xpg + 0x100
        li      a0, 0x5a5a
        .if (\perm) & E_R
        OK      "ld a0, 0(s3)"
        EXPECT  a0, MARK_X
        EXPECT_NO_CAPTURE
        .else
        FAULT   CAUSE_LOAD_ACCESS, s3, "ld a0, 0(s3)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(2, 0)
        .endif
        li      a2, 0x5100d
        .if (\perm) & E_W
        OK      "sd a2, 0(s2)"
        EXPECT_NO_CAPTURE
        .else
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a2, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(2, 0)
        .endif
        li      a0, 0x5a5a
        CALL_TRY s1
        .if (\perm) & E_X
        EXPECT_NO_TRAP
        EXPECT  a0, 0x77
        EXPECT_NO_CAPTURE
        .else
        EXPECT_FETCH_FAULT_AT s1
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s1, REQID(2, 0)
        .endif
        /* the store landed only if W was granted */
        ENTRY_OFF 2
        la      t0, xpg + 0x800
        ld      a0, 0(t0)
        .if (\perm) & E_W
        EXPECT  a0, 0x5100d
        .else
        EXPECT  a0, 0
        .endif
.endm

/* Wait (bounded) until irq_log.count == n. Clobbers t2, t5, t6. */
.macro WAIT_IRQ n
        li      t2, 1000
9006:   la      t5, irq_log
        ld      t5, 0(t5)
        li      t6, \n
        beq     t5, t6, 9007f
        addi    t2, t2, -1
        bnez    t2, 9006b
        j       fail
9007:
.endm
/* Spin a while, then fail unless irq_log.count == n. */
.macro SPIN_EXPECT_IRQ n
        li      t2, 1000
9008:   addi    t2, t2, -1
        bnez    t2, 9008b
        la      t5, irq_log
        ld      t5, 0(t5)
        EXPECT  t5, \n
.endm
.macro EXPECT_IRQ_LOG off, val
        la      t5, irq_log
        ld      t5, \off(t5)
        EXPECT  t5, \val
.endm
.macro IRQ_RESET
        la      t0, irq_log
        sd      zero, 0(t0)
        li      t1, -1
        sd      t1, 8(t0)
        sd      t1, 16(t0)
        sd      t1, 24(t0)
        sd      t1, 32(t0)
.endm
/* mip.MEIP == bit and PLIC pending bit 12 == bit (0 or 1) */
.macro EXPECT_MEIP bit
        csrr    t5, mip
        srli    t5, t5, 11
        andi    t5, t5, 1
        EXPECT  t5, \bit
        li      t5, PLIC_PENDING0
        lwu     t5, 0(t5)
        srli    t5, t5, IOPMP_IRQ
        andi    t5, t5, 1
        EXPECT  t5, \bit
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS

        /* reset values; nothing is checked before enable */
        TEST 1
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_ENABLE, 0
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_PRIENT_PROG, HWCFG0_PRIENT_PROG
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_MD_NUM_MASK, IOPMP_MDS << HWCFG0_MD_NUM_SHIFT
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_TOR_EN | HWCFG0_CHK_X, HWCFG0_TOR_EN | HWCFG0_CHK_X
        EXPECT_IOPMP IOPMP_HWCFG1, (IOPMP_ENTRIES << 16) | IOPMP_RRIDS
        EXPECT_IOPMP IOPMP_HWCFG2, IOPMP_ENTRIES
        EXPECT_IOPMP IOPMP_ENTRYOFF, IOPMP_ENTRY_OFFSET
        EXPECT_IOPMP IOPMP_ERR_CFG, 0
        EXPECT_IOPMP_MASK IOPMP_ERR_INFO, 1, 0
        /* entry 0 denies pg_a, but the checker is off */
        ENTRY_NAPOT 0, pg_a, 0, 4096, E_NAPOT
        la      s1, pg_a
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK_A
        li      a1, 0x1234
        OK      "sd a1, 16(s1)"
        OK      "ld a0, 16(s1)"
        EXPECT  a0, 0x1234
        OK      "sd zero, 16(s1)"
        EXPECT_NO_CAPTURE

        /* enable (sticky): entry 0 now denies pg_a; the catch-all entry 47
         * keeps the program running */
        TEST 2
        IOPMP_STD_SETUP 0
        IOPMP_ENABLE
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_ENABLE, HWCFG0_ENABLE
        la      s1, pg_a
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s1, REQID(0, 0)
        IOPMP_W IOPMP_HWCFG0, 0
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_ENABLE, HWCFG0_ENABLE
        addi    s2, s1, 8
        FAULT   CAUSE_STORE_ACCESS, s2, "sd zero, 8(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(0, 0)

        /* a read-only NAPOT page (entry 5) */
        TEST 3
        ENTRY_OFF 0
        ENTRY_NAPOT 5, pg_a, 0, 4096, E_NAPOT | E_R
        la      s1, pg_a
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK_A
        la      s3, pg_a + 0xfff
        OK      "lbu a0, 0(s3)"
        EXPECT  a0, 0
        OK      "lr.d a0, (s1)"
        EXPECT  a0, MARK_A
        EXPECT_NO_CAPTURE
        addi    s2, s1, 8
        li      a1, 0xbad
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 8(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(5, 0)
        OK      "ld a0, 8(s1)"
        EXPECT  a0, MARK_A2
        addi    s2, s1, 0x7ff
        addi    s2, s2, 0x7ff
        addi    s2, s2, 1               /* pg_a + 0xfff */
        FAULT   CAUSE_STORE_ACCESS, s2, "sb a1, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(5, 0)
        li      a0, 0x5a5a
        FAULT   CAUSE_STORE_ACCESS, s1, "amoadd.d a0, a1, (s1)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s1, REQID(5, 0)
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK_A
        la      s3, pg_b
        OK      "ld a0, 0(s3)"          /* the next page: catch-all */
        EXPECT  a0, MARK_B

        /* the capture latches; ERR_MFR; ERR_INFO.v write-1-to-clear */
        TEST 4
        la      s1, pg_a
        addi    s2, s1, 8
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 8(s1)"
        EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        addi    s3, s1, 0x10
        FAULT   CAUSE_STORE_ACCESS, s3, "sd a1, 0x10(s1)"
        li      s4, NOT_HIT
        FAULT   CAUSE_LOAD_ACCESS, s4, "ld a0, 0(s4)"
        /* still the first one, with a subsequent violation noted */
        EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_WRITE, ET_WRITE) | ERR_INFO_SVC
        EXPECT_IOPMP IOPMP_ERR_MFR, 0x80000000 | (0 << 16) | (1 << 0)
        EXPECT_IOPMP IOPMP_ERR_MFR, 0
        EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        IOPMP_W IOPMP_ERR_INFO, 0       /* no effect */
        EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(5, 0)
        /* re-armed: the next one is recorded (not hit: eid undefined) */
        FAULT   CAUSE_LOAD_ACCESS, s4, "ld a0, 0(s4)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s4, 0
        li      s4, NOT_HIT - 8         /* just below: the catch-all */
        OK      "ld a0, 0(s4)"
        EXPECT_NO_CAPTURE
        ENTRY_OFF 5

        /* TOR: [pg_b, pg_b + 0x800) read-only (entry 9 = bottom, OFF) */
        TEST 5
        ENTRY_ADDR 9, pg_b, 0, E_OFF
        ENTRY_ADDR 10, pg_b, 0x800, E_TOR | E_R
        la      s1, pg_b
        addi    s2, s1, 0x7f8
        addi    s3, s1, 0x7fc
        addi    s4, s2, 8               /* pg_b + 0x800 */
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK_B
        OK      "ld a0, 0(s2)"
        li      a1, 0x70e
        FAULT   CAUSE_STORE_ACCESS, s1, "sd a1, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s1, REQID(10, 0)
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(10, 0)
        FAULT   CAUSE_STORE_ACCESS, s3, "sw a1, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s3, REQID(10, 0)
        OK      "sd a1, 0(s4)"          /* above the TOR: catch-all */
        OK      "ld a0, 0(s4)"
        EXPECT  a0, 0x70e
        OK      "sd a1, -8(s1)"         /* below it (pg_a): catch-all */
        OK      "ld a0, -8(s1)"
        EXPECT  a0, 0x70e
        EXPECT_NO_CAPTURE
        /* an empty TOR (top below the bottom) matches nothing */
        ENTRY_ADDR 9, pg_b, 0x900, E_OFF
        OK      "sd a1, 0(s2)"
        OK      "ld a0, 0(s2)"
        EXPECT  a0, 0x70e
        EXPECT_NO_CAPTURE
        ENTRY_OFF 10

        /* NA4 (write-only word) and 8-byte NAPOT (read-only); partial hits */
        TEST 6
        ENTRY_ADDR 3, pg_c, 0x10, E_NA4 | E_W
        ENTRY_NAPOT 4, pg_c, 0x20, 8, E_NAPOT | E_R
        la      s1, pg_c
        addi    s2, s1, 0x10
        addi    s3, s1, 0x12
        addi    s4, s1, 0x20
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s2, "lw a0, 0(s2)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(3, 0)
        FAULT   CAUSE_LOAD_ACCESS, s3, "lh a0, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(3, 0)
        OK      "lw a0, 4(s2)"
        OK      "lw a0, -4(s2)"
        li      a1, 0x4a4
        OK      "sw a1, 0(s2)"
        OK      "sh a1, 0(s3)"
        /* 8 bytes at pg_c + 0x10: half inside the NA4 rule */
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_PARTIAL), s2, REQID(3, 0)
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_PARTIAL), s2, REQID(3, 0)
        /* the 8-byte NAPOT */
        OK      "ld a0, 0(s4)"
        EXPECT  a0, 0
        OK      "lw a0, 4(s4)"
        FAULT   CAUSE_STORE_ACCESS, s4, "sd a1, 0(s4)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s4, REQID(4, 0)
        addi    s5, s4, 4
        FAULT   CAUSE_STORE_ACCESS, s5, "sw a1, 0(s5)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s5, REQID(4, 0)
        OK      "sd a1, 8(s4)"
        OK      "sd a1, -8(s4)"
        /* what the NA4 store wrote */
        ENTRY_OFF 3
        ENTRY_OFF 4
        OK      "ld a0, 0(s2)"
        EXPECT  a0, 0x04a404a4
        OK      "ld a0, 0(s4)"
        EXPECT  a0, 0

        /* every R/W/X combination of one entry */
        TEST 7
        PERM3   0
        TEST 8
        PERM3   E_R
        TEST 9
        PERM3   E_W
        TEST 10
        PERM3   E_R | E_W
        TEST 11
        PERM3   E_X
        TEST 12
        PERM3   E_R | E_X
        TEST 13
        PERM3   E_W | E_X
        TEST 14
        PERM3   E_R | E_W | E_X

        /* per-entry error suppression (ERR_CFG = 0: no interrupt) */
        TEST 15
        ENTRY_NAPOT 6, pg_d, 0, 4096, E_NAPOT | E_SERE
        la      s1, pg_d
        addi    s2, s1, 8
        li      a0, 0x5a5a
        OK      "ld a0, 0(s1)"          /* suppressed: reads 0 */
        EXPECT  a0, 0
        li      a1, 0x5e5e
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(6, 0)
        ENTRY_CFG 6, E_NAPOT | E_SEWE
        OK      "sd a1, 0(s2)"          /* suppressed: dropped */
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s1, REQID(6, 0)
        ENTRY_CFG 6, E_NAPOT | E_SERE | E_SEWE
        OK      "ld a0, 8(s1)"
        EXPECT  a0, 0
        OK      "sd a1, 8(s1)"
        CLEAR_ERR
        ENTRY_CFG 6, E_NAPOT | E_R | E_SEWE
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK_D
        OK      "ld a0, 8(s1)"
        EXPECT  a0, MARK_D2             /* nothing was written */
        /* suppression applies to the type it names only */
        ENTRY_CFG 6, E_NAPOT | E_SEWE | E_SEXE
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s1, REQID(6, 0)
        ENTRY_OFF 6

        /* global suppression: ERR_CFG.rs */
        TEST 16
        IOPMP_W IOPMP_ERR_CFG, ERRCFG_RS
        EXPECT_IOPMP IOPMP_ERR_CFG, ERRCFG_RS
        ENTRY_NAPOT 6, pg_d, 0, 4096, E_NAPOT
        la      s1, pg_d
        li      a0, 0x5a5a
        OK      "ld a0, 0(s1)"
        EXPECT  a0, 0
        li      a1, 0x5e5e
        OK      "sd a1, 8(s1)"
        li      s4, NOT_HIT
        li      a0, 0x5a5a
        OK      "ld a0, 0(s4)"          /* not hit: suppressed too */
        EXPECT  a0, 0
        OK      "sd a1, 0(s4)"
        li      a0, 0x5a5a
        CALL_TRY s4                     /* fetch: reads 0, illegal insn */
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        la      t5, mtrap
        ld      t5, TR_EPC(t5)
        EXPECT_REG t5, s4
        EXPECT  a0, 0x5a5a
        IOPMP_W IOPMP_ERR_CFG, 0
        CLEAR_ERR
        ENTRY_CFG 6, E_NAPOT | E_R
        OK      "ld a0, 8(s1)"
        EXPECT  a0, MARK_D2
        ENTRY_OFF 6
        FAULT   CAUSE_LOAD_ACCESS, s4, "ld a0, 0(s4)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s4, 0

        /* the interrupt: pending in the PLIC and MEIP, taken when MIE is
         * set, claim = 12, handled by clearing ERR_INFO.v */
        TEST 17
        li      t0, PLIC_PRIO(IOPMP_IRQ)
        li      t1, 1
        sw      t1, 0(t0)
        li      t0, PLIC_ENABLE0
        li      t1, 1 << IOPMP_IRQ
        sw      t1, 0(t0)
        li      t0, PLIC_THRESHOLD0
        sw      zero, 0(t0)
        la      t0, irq_mtvec
        csrw    mtvec, t0
        IRQ_RESET
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0
        li      t0, MIE_MEIE
        csrw    mie, t0
        EXPECT_MEIP 0
        IOPMP_W IOPMP_ERR_CFG, ERRCFG_IE
        EXPECT_IOPMP IOPMP_ERR_CFG, ERRCFG_IE
        ENTRY_NAPOT 5, pg_a, 0, 4096, E_NAPOT | E_R
        la      s1, pg_a
        addi    s2, s1, 8
        li      a1, 0xbad
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        EXPECT_MEIP 1
        EXPECT_IRQ_LOG 0, 0
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0
2:      csrc    mstatus, t0
        EXPECT_IRQ_LOG 0, 1
        EXPECT_IRQ_LOG 8, CAUSE_M_EXT_IRQ
        la      t6, 2b
        la      t5, irq_log
        ld      t5, 16(t5)
        EXPECT_REG t5, t6
        EXPECT_IRQ_LOG 24, IOPMP_IRQ
        EXPECT_IRQ_LOG 32, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        EXPECT_MEIP 0
        EXPECT_NO_CAPTURE
        OK      "ld a0, 8(s1)"
        EXPECT  a0, MARK_A2

        /* the line is held while ERR_INFO.v is set (polling, MIE = 0) */
        TEST 18
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        EXPECT_MEIP 1
        li      s5, PLIC_CLAIM0
        lwu     a0, 0(s5)
        EXPECT  a0, IOPMP_IRQ
        csrr    t5, mip
        srli    t5, t5, 11
        andi    t5, t5, 1
        EXPECT  t5, 0                   /* claimed */
        sw      a0, 0(s5)               /* complete: still high */
        EXPECT_MEIP 1
        lwu     a0, 0(s5)
        EXPECT  a0, IOPMP_IRQ
        EXPECT_IOPMP_MASK IOPMP_ERR_INFO, 1, 1
        IOPMP_W IOPMP_ERR_INFO, 1       /* drops the line */
        sw      a0, 0(s5)
        EXPECT_MEIP 0
        lwu     a0, 0(s5)
        EXPECT  a0, 0                   /* nothing to claim */
        /* re-armed */
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        EXPECT_MEIP 1
        lwu     a0, 0(s5)
        EXPECT  a0, IOPMP_IRQ
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(5, 0)
        sw      a0, 0(s5)
        EXPECT_MEIP 0

        /* with MIE = 1: the fault is taken, then the interrupt */
        TEST 19
        IRQ_RESET
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        WAIT_IRQ 1
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0
        EXPECT_IRQ_LOG 8, CAUSE_M_EXT_IRQ
        EXPECT_IRQ_LOG 24, IOPMP_IRQ
        EXPECT_IRQ_LOG 32, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        EXPECT_MEIP 0
        EXPECT_NO_CAPTURE
        /* a suppressed store (sewe): no fault, but the interrupt */
        ENTRY_CFG 5, E_NAPOT | E_R | E_SEWE
        IRQ_RESET
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0
        OK      "sd a1, 0(s2)"
        WAIT_IRQ 1
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0
        EXPECT_IRQ_LOG 24, IOPMP_IRQ
        EXPECT_IRQ_LOG 32, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        EXPECT_MEIP 0
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK_A2

        /* per-entry interrupt suppression: siwe for writes, sire for reads */
        TEST 20
        ENTRY_CFG 5, E_NAPOT | E_R | E_SIWE
        IRQ_RESET
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        SPIN_EXPECT_IRQ 0
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0
        EXPECT_MEIP 0
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(5, 0)
        ENTRY_CFG 5, E_NAPOT | E_SIRE
        IRQ_RESET
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        SPIN_EXPECT_IRQ 0
        EXPECT_MEIP 0
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(5, 0)
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 0(s2)"
        WAIT_IRQ 1
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0
        EXPECT_IRQ_LOG 24, IOPMP_IRQ
        EXPECT_IRQ_LOG 32, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        EXPECT_MEIP 0
        ENTRY_OFF 5

        /* ERR_CFG.rs with ie: a not-hit load reads 0, interrupt raised */
        TEST 21
        IOPMP_W IOPMP_ERR_CFG, ERRCFG_IE | ERRCFG_RS
        IRQ_RESET
        li      s4, NOT_HIT
        li      a0, 0x5a5a
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0
        OK      "ld a0, 0(s4)"
        WAIT_IRQ 1
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0
        EXPECT  a0, 0
        EXPECT_IRQ_LOG 24, IOPMP_IRQ
        EXPECT_IRQ_LOG 32, ERR_INFO_VAL(TT_READ, ET_NOT_HIT)
        EXPECT_MEIP 0
        EXPECT_NO_CAPTURE

        /* ERR_CFG.l locks ERR_CFG */
        TEST 22
        IOPMP_W IOPMP_ERR_CFG, ERRCFG_L
        EXPECT_IOPMP IOPMP_ERR_CFG, ERRCFG_L
        IOPMP_W IOPMP_ERR_CFG, ERRCFG_IE | ERRCFG_RS
        EXPECT_IOPMP IOPMP_ERR_CFG, ERRCFG_L
        li      s4, NOT_HIT
        FAULT   CAUSE_LOAD_ACCESS, s4, "ld a0, 0(s4)"
        EXPECT_MEIP 0
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s4, 0

        /* misaligned accesses crossing from one rule into another */
        TEST 23
        csrw    mie, zero
        la      s1, pg_a + 0xffc
        la      s2, pg_b
        li      a1, 0x1111111122222222
        sd      a1, -4(s1)              /* pg_a + 0xff8 */
        li      a1, 0x3333333344444444
        sd      a1, 0(s2)
        ENTRY_NAPOT 11, pg_b, 0, 4096, E_NAPOT
        li      a0, 0x5a5a
        TRAP_RESET
1:      ld      a0, 0(s1)
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_ACCESS
        EXPECT_MTRAP_EPC 1b
        la      t5, mtrap               /* mtval: the access or its part */
        ld      t5, TR_TVAL(t5)
        beq     t5, s1, 2f
        EXPECT_REG t5, s2
2:      EXPECT  a0, 0x5a5a
        EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_READ, ET_READ)
        EXPECT_IOPMP IOPMP_ERR_REQID, REQID(11, 0)
        CLEAR_ERR
        ENTRY_CFG 11, E_NAPOT | E_R
        OK      "ld a0, 0(s1)"
        EXPECT  a0, 0x4444444411111111
        li      a1, -1
        TRAP_RESET
3:      sd      a1, 0(s1)
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_STORE_ACCESS
        EXPECT_MTRAP_EPC 3b
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        beq     t5, s1, 4f
        EXPECT_REG t5, s2
4:      EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
        EXPECT_IOPMP IOPMP_ERR_REQID, REQID(11, 0)
        CLEAR_ERR
        OK      "ld a0, 0(s2)"          /* the part in pg_b is unchanged */
        EXPECT  a0, 0x3333333344444444
        ENTRY_OFF 11

        /* a write-only page: stores work, loads and LR fault (5), AMOs
         * (which need r and w) fault (7); an AMO may be captured as a
         * write/AMO violation or, done as read-modify-write, a read one */
        TEST 24
        ENTRY_NAPOT 12, pg_d, 0, 4096, E_NAPOT | E_W
        la      s1, pg_d
        li      a1, 0x77
        OK      "sd a1, 16(s1)"
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s1, "lr.d a0, (s1)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s1, REQID(12, 0)
        FAULT   CAUSE_STORE_ACCESS, s1, "amoswap.d a0, a1, (s1)"
        EXPECT  a0, 0x5a5a
        IOPMP_R t5, IOPMP_ERR_INFO
        li      t6, ERR_INFO_VAL(TT_READ, ET_READ)
        beq     t5, t6, 5f
        EXPECT  t5, ERR_INFO_VAL(TT_WRITE, ET_WRITE)
5:      EXPECT_IOPMP IOPMP_ERR_REQID, REQID(12, 0)
        CLEAR_ERR
        ENTRY_CFG 12, E_NAPOT | E_R
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK_D              /* the AMO wrote nothing */
        OK      "ld a0, 16(s1)"
        EXPECT  a0, 0x77
        ENTRY_OFF 12

        j       pass

/* M trap vector for the interrupt tests: exceptions go to mtrap_record;
 * the IOPMP interrupt is logged (count, mcause, mepc, claim, ERR_INFO),
 * claimed, cleared at the IOPMP (ERR_INFO.v) and completed. */
        .balign 4
irq_mtvec:
        csrw    mscratch, t0
        csrr    t0, mcause
        bltz    t0, 1f
        csrr    t0, mscratch
        j       mtrap_record
1:      la      t0, irq_save
        sd      t1, 0(t0)
        sd      t2, 8(t0)
        la      t0, irq_log
        ld      t1, 0(t0)
        addi    t1, t1, 1
        sd      t1, 0(t0)
        csrr    t1, mcause
        sd      t1, 8(t0)
        csrr    t1, mepc
        sd      t1, 16(t0)
        li      t2, IOPMP_BASE + IOPMP_ERR_INFO
        lwu     t1, 0(t2)
        sd      t1, 32(t0)
        li      t2, PLIC_CLAIM0
        lwu     t1, 0(t2)
        sd      t1, 24(t0)
        li      t0, IOPMP_BASE + IOPMP_ERR_INFO
        li      t2, 1
        sw      t2, 0(t0)
        li      t2, PLIC_CLAIM0
        sw      t1, 0(t2)
        la      t0, irq_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        csrr    t0, mscratch
        mret

/* A page of code and data for the R/W/X combinations. */
        .balign 4096
xpg:    li      a0, 0x77
        ret
        .balign 256
        .dword  MARK_X
        .balign 4096

        .data
        .balign 8
irq_log:  .dword 0, 0, 0, 0, 0
irq_save: .dword 0, 0
        .balign 4096
pg_a:   .dword  MARK_A, MARK_A2
        .fill   510, 8, 0
pg_b:   .dword  MARK_B
        .fill   511, 8, 0
pg_c:   .dword  MARK_C
        .fill   511, 8, 0
pg_d:   .dword  MARK_D, MARK_D2
        .fill   510, 8, 0

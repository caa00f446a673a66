/* test.h - macros and constants for rvdbt self-checking assembly tests.
 *
 * Each asm test is linked with common/asm_rt.S, which provides _start
 * (machine setup, then `j test_main`), pass/fail exits, trap handlers and
 * the trap record variables used below.
 *
 * Register conventions inside tests:
 *   gp (x3)  current test number (TESTNUM); the exit code on failure
 *   t6 (x31) scratch used by EXPECT* (expected value)
 *   t5 (x30) scratch used by EXPECT_MEM / trap checks
 *   t0, t1   clobbered by ENTER_MODE and the trap macros
 * Everything else is free for the test.
 *
 * Numbering: TEST n must be used with n = 1, 2, 3, ... in order (the
 * assembler checks this), n <= 250.  A test may contain several EXPECTs;
 * the first failing EXPECT exits with code n.  An unexpected trap prints a
 * diagnostic line on the UART and also exits with code n.
 */
#ifndef RVDBT_TEST_H
#define RVDBT_TEST_H

#define UART0_BASE      0x10000000
#define FINISHER_BASE   0x100000
#define FINISHER_PASS   0x5555
#define FINISHER_FAIL   0x3333
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP  (CLINT_BASE + 0x4000)
#define CLINT_MTIME     (CLINT_BASE + 0xbff8)

#define MSTATUS_SIE     0x2
#define MSTATUS_MIE     0x8
#define MSTATUS_SPIE    0x20
#define MSTATUS_MPIE    0x80
#define MSTATUS_SPP     0x100
#define MSTATUS_MPP     0x1800
#define MSTATUS_MPP_S   0x0800
#define MSTATUS_MPP_M   0x1800
#define MSTATUS_MPRV    0x20000
#define MSTATUS_SUM     0x40000
#define MSTATUS_MXR     0x80000
#define MSTATUS_TVM     0x100000
#define MSTATUS_TW      0x200000
#define MSTATUS_TSR     0x400000

#define MIP_SSIP        0x2
#define MIP_MSIP        0x8
#define MIP_STIP        0x20
#define MIP_MTIP        0x80
#define MIP_SEIP        0x200
#define MIP_MEIP        0x800

#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL_INSN      2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_USER_ECALL        8
#define CAUSE_SUPERVISOR_ECALL  9
#define CAUSE_MACHINE_ECALL     11
#define INTR_BIT                0x8000000000000000

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define TESTNUM gp

#ifdef __ASSEMBLER__

/* offsets in the trap record (see asm_rt.S) */
#define TR_COUNT  0
#define TR_CAUSE  8
#define TR_EPC    16
#define TR_TVAL   24
#define TR_STATUS 32

        .set __last_test, 0

/* Let a background compiler (the tiered engine's) deliver the blocks that
 * turned hot: wait ~10 ms of host time (mtime runs at 10 MHz from the host
 * clock). Clobbers t0-t2. */
.macro SETTLE
        li      t0, CLINT_MTIME
        ld      t1, 0(t0)
        li      t2, 100000
        add     t2, t1, t2
8002:   ld      t1, 0(t0)
        bltu    t1, t2, 8002b
.endm

/* Start test number n (must be sequential). */
.macro TEST n
        .if (\n) != (__last_test + 1)
        .error "TEST numbers must be sequential"
        .endif
        .if (\n) > 250
        .error "TEST number too large for an exit code"
        .endif
        .set __last_test, \n
        li      TESTNUM, \n
.endm

/* Fail the current test unless reg == val (64-bit constant). */
.macro EXPECT reg, val
        li      t6, \val
        beq     \reg, t6, 9998f
        j       fail
9998:
.endm

/* Fail unless reg1 == reg2. */
.macro EXPECT_REG reg1, reg2
        beq     \reg1, \reg2, 9998f
        j       fail
9998:
.endm

/* Fail unless reg != val. */
.macro EXPECT_NE reg, val
        li      t6, \val
        bne     \reg, t6, 9998f
        j       fail
9998:
.endm

/* Fail unless reg == address of label. */
.macro EXPECT_ADDR reg, label
        la      t6, \label
        beq     \reg, t6, 9998f
        j       fail
9998:
.endm

/* Fail unless the 64-bit word at symbol == val. */
.macro EXPECT_MEM sym, val
        la      t5, \sym
        ld      t5, 0(t5)
        EXPECT  t5, \val
.endm

/* ---- trap record helpers (M-mode record is `mtrap`, S-mode is `strap`) */

/* Clear both trap records (count=0, fields poisoned). */
.macro TRAP_RESET
        call    trap_reset
.endm

/* Expect exactly `count` M-mode traps since TRAP_RESET; last had `cause`. */
.macro EXPECT_MTRAP_CAUSE cause
        la      t5, mtrap
        ld      t5, TR_CAUSE(t5)
        EXPECT  t5, \cause
.endm
.macro EXPECT_MTRAP_COUNT n
        la      t5, mtrap
        ld      t5, TR_COUNT(t5)
        EXPECT  t5, \n
.endm
.macro EXPECT_MTRAP_TVAL val
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT  t5, \val
.endm
.macro EXPECT_MTRAP_EPC label
        la      t5, mtrap
        ld      t5, TR_EPC(t5)
        EXPECT_ADDR t5, \label
.endm
/* mtval must equal the address of label (+ offset) */
.macro EXPECT_MTRAP_TVAL_ADDR label, off=0
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        la      t6, \label
        addi    t6, t6, \off
        beq     t5, t6, 9998f
        j       fail
9998:
.endm
/* (mstatus seen by the handler & mask) == val */
.macro EXPECT_MTRAP_STATUS mask, val
        la      t5, mtrap
        ld      t5, TR_STATUS(t5)
        li      t6, \mask
        and     t5, t5, t6
        EXPECT  t5, \val
.endm
/* One M trap with the given cause at label, tval = val. */
.macro EXPECT_MTRAP cause, label, tval
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        EXPECT_MTRAP_EPC \label
        EXPECT_MTRAP_TVAL \tval
.endm

.macro EXPECT_STRAP_CAUSE cause
        la      t5, strap
        ld      t5, TR_CAUSE(t5)
        EXPECT  t5, \cause
.endm
.macro EXPECT_STRAP_COUNT n
        la      t5, strap
        ld      t5, TR_COUNT(t5)
        EXPECT  t5, \n
.endm
.macro EXPECT_STRAP_TVAL val
        la      t5, strap
        ld      t5, TR_TVAL(t5)
        EXPECT  t5, \val
.endm
.macro EXPECT_STRAP_EPC label
        la      t5, strap
        ld      t5, TR_EPC(t5)
        EXPECT_ADDR t5, \label
.endm
.macro EXPECT_STRAP_STATUS mask, val
        la      t5, strap
        ld      t5, TR_STATUS(t5)
        li      t6, \mask
        and     t5, t5, t6
        EXPECT  t5, \val
.endm

/* Use the recording handlers: M traps -> mtrap_record, S -> strap_record. */
.macro USE_RECORD_HANDLERS
        la      t0, mtrap_record
        csrw    mtvec, t0
        la      t0, strap_record
        csrw    stvec, t0
.endm

/* Drop from M to privilege `mode` (PRV_U / PRV_S) at `target` (with
 * mstatus.MPIE cleared first, so MIE = 0 afterwards).  The next
 * trap taken to M (typically an ecall at the end of the lower-mode code) is
 * recorded and then resumes in M-mode at `resume`. Clobbers t0, t1. */
.macro ENTER_MODE mode, target, resume
        la      t0, \resume
        la      t1, mtrap_resume
        sd      t0, 0(t1)
        li      t0, MSTATUS_MPP | MSTATUS_MPIE
        csrc    mstatus, t0
        li      t0, ((\mode) << 11)
        csrs    mstatus, t0
        la      t0, \target
        csrw    mepc, t0
        mret
.endm

/* Print a NUL-terminated string (label) on the UART; clobbers a0, t0-t2. */
.macro PRINT label
        la      a0, \label
        call    print_str
.endm

#endif /* __ASSEMBLER__ */
#endif /* RVDBT_TEST_H */

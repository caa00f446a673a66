/* traps - synchronous trap entry and return:
 * ecall from M/S/U (causes 11/9/8, mepc = the ecall, mtval = 0), ebreak and
 * c.ebreak (cause 3; mtval = 0 on QEMU 7.2), mstatus.MPP/MPIE/MIE on entry
 * and on mret (MPP <- U, MIE <- MPIE, MPIE <- 1), mret/sret landing in the
 * right mode, sret from M, medeleg delegating ecall-from-U / ecall-from-S /
 * illegal instruction to S (scause, sepc, stval, SPP, SPIE, SIE seen by the
 * S handler, sret back), M-mode exceptions never delegated, sstatus as a
 * view of mstatus from S-mode. */
#include "test.h"

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS

        /* ecall from M */
        TEST 1
        TRAP_RESET
1:      ecall
        EXPECT_MTRAP CAUSE_MACHINE_ECALL, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MPP, MSTATUS_MPP_M

        /* trap entry: MPIE <- MIE, MIE <- 0; mret: MIE <- MPIE, MPIE <- 1,
         * MPP <- U (M -> M here, so MPP is read after the mret) */
        TEST 2
        TRAP_RESET
        li      t0, MSTATUS_MIE
        csrs    mstatus, t0                 /* mie = 0: no interrupts */
1:      ecall
        EXPECT_MTRAP CAUSE_MACHINE_ECALL, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MIE | MSTATUS_MPIE, MSTATUS_MPIE
        csrr    a0, mstatus
        li      t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_MIE | MSTATUS_MPIE
        li      t0, MSTATUS_MIE
        csrc    mstatus, t0

        /* explicit mret M -> M: MPP becomes U, MIE <- MPIE (0), MPIE <- 1 */
        TEST 3
        li      t0, MSTATUS_MPP | MSTATUS_MIE
        csrs    mstatus, t0
        li      t0, MSTATUS_MPIE
        csrc    mstatus, t0
        la      t0, 1f
        csrw    mepc, t0
        mret
        j       fail
1:      csrr    a0, mstatus
        li      t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_MPIE

        /* ecall from S: cause 9, MPP = S */
        TEST 4
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      ecall
        j       fail
2:      EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MPP, MSTATUS_MPP_S

        /* ecall from U: cause 8, MPP = U */
        TEST 5
        TRAP_RESET
        ENTER_MODE PRV_U, 1f, 2f
1:      ecall
        j       fail
2:      EXPECT_MTRAP CAUSE_USER_ECALL, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MPP, 0

        /* registers survive the mode switches; code in U runs */
        TEST 6
        TRAP_RESET
        li      a0, 40
        ENTER_MODE PRV_U, 1f, 2f
1:      addi    a0, a0, 2
        ecall
2:      EXPECT  a0, 42

        /* ebreak: cause 3, mepc = the ebreak, mtval = 0 (QEMU 7.2 writes 0) */
        TEST 7
        TRAP_RESET
1:      ebreak
        EXPECT_MTRAP CAUSE_BREAKPOINT, 1b, 0

        TEST 8
        TRAP_RESET
        li      a0, 1
1:      c.ebreak
        addi    a0, a0, 1                   /* the handler skips 2 bytes */
        EXPECT_MTRAP CAUSE_BREAKPOINT, 1b, 0
        EXPECT  a0, 2

        /* ebreak from U and S */
        TEST 9
        TRAP_RESET
        ENTER_MODE PRV_U, 1f, 2f
1:      ebreak
        j       fail
2:      EXPECT_MTRAP CAUSE_BREAKPOINT, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MPP, 0

        TEST 10
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      ebreak
        j       fail
2:      EXPECT_MTRAP CAUSE_BREAKPOINT, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MPP, MSTATUS_MPP_S

        /* medeleg[8]: ecall from U goes to the S handler, which srets back
         * to U; an ebreak (not delegated) then goes to M.  sstatus.SIE = 1
         * before: the S handler sees SIE = 0, SPIE = 1, SPP = U; after sret
         * SIE = 1, SPIE = 1. */
        TEST 11
        TRAP_RESET
        li      t0, 1 << CAUSE_USER_ECALL
        csrw    medeleg, t0
        li      t0, MSTATUS_SPP | MSTATUS_SPIE
        csrc    mstatus, t0
        li      t0, MSTATUS_SIE
        csrs    mstatus, t0
        csrw    mie, zero                   /* no S interrupts either */
        li      a0, 0
        ENTER_MODE PRV_U, 1f, 3f
1:      ecall
        addi    a0, a0, 1
2:      ebreak
        j       fail
3:      csrw    medeleg, zero
        EXPECT  a0, 1
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_USER_ECALL
        EXPECT_STRAP_EPC 1b
        EXPECT_STRAP_TVAL 0
        EXPECT_STRAP_STATUS MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE
        EXPECT_MTRAP CAUSE_BREAKPOINT, 2b, 0
        EXPECT_MTRAP_STATUS MSTATUS_MPP | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SIE | MSTATUS_SPIE
        li      t0, MSTATUS_SIE
        csrc    mstatus, t0

        /* medeleg[9]: ecall from S is handled in S (SPP = S, SPIE = 0 as
         * SIE was 0); sret returns to S, whose ebreak then goes to M */
        TEST 12
        TRAP_RESET
        li      t0, 1 << CAUSE_SUPERVISOR_ECALL
        csrw    medeleg, t0
        li      t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
        csrc    mstatus, t0
        ENTER_MODE PRV_S, 1f, 3f
1:      ecall
2:      ebreak
        j       fail
3:      csrw    medeleg, zero
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT_STRAP_EPC 1b
        EXPECT_STRAP_STATUS MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPP
        EXPECT_MTRAP CAUSE_BREAKPOINT, 2b, 0
        /* sret set SPP <- U, SPIE <- 1 and came back to S (MPP = S) */
        EXPECT_MTRAP_STATUS MSTATUS_MPP | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_MPP_S | MSTATUS_SPIE

        /* delegated illegal instruction from U: stval = instruction bits;
         * the S handler forwards to M with an ecall (strap_to_m) */
        TEST 13
        TRAP_RESET
        li      t0, 1 << CAUSE_ILLEGAL_INSN
        csrw    medeleg, t0
        la      t0, strap_to_m
        li      t1, 1
        sd      t1, 0(t0)
        ENTER_MODE PRV_U, 1f, 2f
1:      .word   0xfe000033
        j       fail
2:      csrw    medeleg, zero
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_STRAP_EPC 1b
        EXPECT_STRAP_TVAL 0xfe000033
        EXPECT_STRAP_STATUS MSTATUS_SPP, 0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        /* the M-mode trap record did not see the illegal instruction */
        csrr    a0, mcause
        EXPECT  a0, CAUSE_SUPERVISOR_ECALL

        /* exceptions raised in M-mode are never delegated */
        TEST 14
        TRAP_RESET
        li      t0, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL_INSN)
        csrw    medeleg, t0
1:      ebreak
2:      .word   0xfe000033
        csrw    medeleg, zero
        EXPECT_MTRAP_COUNT 2
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 2b
        EXPECT_STRAP_COUNT 0

        /* a non-delegated exception from S goes to M even with medeleg set
         * for other causes */
        TEST 15
        TRAP_RESET
        li      t0, 1 << CAUSE_USER_ECALL
        csrw    medeleg, t0
        ENTER_MODE PRV_S, 1f, 2f
1:      ecall
2:      csrw    medeleg, zero
        EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 1b, 0
        EXPECT_STRAP_COUNT 0

        /* sret from M-mode: to S (SPP = 1) with SIE <- SPIE (1), SPIE <- 1,
         * SPP <- U */
        TEST 16
        TRAP_RESET
        la      t0, mtrap_resume
        la      t1, 2f
        sd      t1, 0(t0)
        li      t0, MSTATUS_SIE
        csrc    mstatus, t0
        li      t0, MSTATUS_SPP | MSTATUS_SPIE
        csrs    mstatus, t0
        la      t0, 1f
        csrw    sepc, t0
        sret
        j       fail
1:      ecall
2:      EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 1b, 0
        EXPECT_MTRAP_STATUS MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SIE | MSTATUS_SPIE
        li      t0, MSTATUS_SIE
        csrc    mstatus, t0

        /* sret from M with SPP = 0 goes to U */
        TEST 17
        TRAP_RESET
        la      t0, mtrap_resume
        la      t1, 2f
        sd      t1, 0(t0)
        li      t0, MSTATUS_SPP | MSTATUS_SPIE
        csrc    mstatus, t0
        la      t0, 1f
        csrw    sepc, t0
        sret
        j       fail
1:      ecall
2:      EXPECT_MTRAP CAUSE_USER_ECALL, 1b, 0

        /* S-mode sees sstatus as a view of mstatus: sets SUM and SIE from
         * S, M observes them; S reading sstatus sees SPP of its own trap */
        TEST 18
        TRAP_RESET
        li      t0, MSTATUS_SUM | MSTATUS_SIE
        csrc    mstatus, t0
        ENTER_MODE PRV_S, 1f, 2f
1:      li      a1, MSTATUS_SUM
        csrs    sstatus, a1
        csrr    a2, sstatus
        ecall
2:      li      t0, MSTATUS_SUM
        and     a2, a2, t0
        EXPECT  a2, MSTATUS_SUM
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_SUM
        csrc    mstatus, t0

        /* S handler runs in S: a delegated trap from S has SPP = 1 and the
         * handler's sret returns to S (checked by the ecall cause) */
        TEST 19
        TRAP_RESET
        li      t0, 1 << CAUSE_BREAKPOINT
        csrw    medeleg, t0
        ENTER_MODE PRV_S, 1f, 3f
1:      ebreak
2:      ecall
3:      csrw    medeleg, zero
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_BREAKPOINT
        EXPECT_STRAP_EPC 1b
        EXPECT_STRAP_STATUS MSTATUS_SPP, MSTATUS_SPP
        EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 2b, 0

        /* a delegated trap writes scause, a later M trap writes mcause */
        TEST 20
        TRAP_RESET
        li      t0, 1 << CAUSE_USER_ECALL
        csrw    medeleg, t0
        li      s1, 0x5a5a
        ENTER_MODE PRV_U, 1f, 2f
1:      ecall                               /* -> S, sret back */
        ebreak                              /* -> M, resume */
2:      csrw    medeleg, zero
        csrr    a0, scause
        EXPECT  a0, CAUSE_USER_ECALL
        csrr    a0, mcause
        EXPECT  a0, CAUSE_BREAKPOINT
        EXPECT_STRAP_EPC 1b
        EXPECT  s1, 0x5a5a

        j       pass

/* interrupts - CLINT timer and software interrupts, gating and delegation:
 * rdtime vs CLINT mtime, mtimecmp driving mip.MTIP (64-bit and 32-bit
 * halves), MTIP/MSIP read-only in mip, M timer interrupt
 * (mcause = 0x8000000000000007), software interrupt via msip (cause 3),
 * mie and mstatus.MIE gating (taken right after the enabling CSR write),
 * MSI before MTI priority, wfi waking with MIE = 0 (no trap) and with
 * MIE = 1 (mepc = wfi + 4), M interrupts taken in S regardless of MIE,
 * STIP: not delegated -> M, delegated via mideleg -> S (not taken in M,
 * gated by SIE in S, always taken in U), the OpenSBI-style flow (M timer
 * interrupt -> M sets mip.STIP -> S timer interrupt -> ecall to M clears
 * it), SSIP written from S, vectored mtvec and stvec dispatch. */
#include "test.h"

#define SBI_MAGIC 0x54494d45            /* a7 value of the "clear STIP" ecall */
#define LOG_COUNT  0
#define LOG_CAUSE0 8                    /* 8 entries */
#define LOG_EPC    72                   /* last */
#define LOG_STATUS 80                   /* last */

/* Wait (bounded by `ticks` of mtime) until the dword at sym == val.
 * Clobbers t0-t3. */
.macro WAIT_FOR sym, val, ticks=2000000
        li      t0, CLINT_MTIME
        ld      t1, 0(t0)
        li      t2, \ticks
        add     t2, t1, t2
9997:   la      t1, \sym
        ld      t1, 0(t1)
        li      t3, \val
        beq     t1, t3, 9996f
        ld      t1, 0(t0)
        bltu    t1, t2, 9997b
        j       fail
9996:
.endm

/* mtimecmp = mtime + delta. Clobbers t0, t1. */
.macro TIMER_IN delta
        li      t0, CLINT_MTIME
        ld      t1, 0(t0)
        addi    t1, t1, \delta
        li      t0, CLINT_MTIMECMP
        sd      t1, 0(t0)
.endm

.macro TIMER_OFF
        li      t0, CLINT_MTIMECMP
        li      t1, -1
        sd      t1, 0(t0)
.endm

.macro EXPECT_LOG log, off, val
        la      t5, \log
        ld      t5, \off(t5)
        EXPECT  t5, \val
.endm
.macro EXPECT_LOG_EPC log, label
        la      t5, \log
        ld      t5, LOG_EPC(t5)
        EXPECT_ADDR t5, \label
.endm
.macro EXPECT_LOG_STATUS log, mask, val
        la      t5, \log
        ld      t5, LOG_STATUS(t5)
        li      t6, \mask
        and     t5, t5, t6
        EXPECT  t5, \val
.endm

        .text
        .globl  test_main
test_main:
        la      t0, irq_handler
        csrw    mtvec, t0
        la      t0, sirq_handler
        csrw    stvec, t0
        call    irq_reset

        /* rdtime lies between two reads of CLINT mtime, and time advances */
        TEST 1
        li      t0, CLINT_MTIME
        ld      a1, 0(t0)
        rdtime  a0
        ld      a2, 0(t0)
        bltu    a0, a1, fail
        bltu    a2, a0, fail
        li      a3, 1000000
1:      ld      a4, 0(t0)
        bne     a4, a2, 2f
        addi    a3, a3, -1
        bnez    a3, 1b
        j       fail
2:      bltu    a4, a2, fail

        /* mtimecmp drives mip.MTIP immediately */
        TEST 2
        TIMER_OFF
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, 0
        li      t0, CLINT_MTIMECMP
        sd      zero, 0(t0)
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, MIP_MTIP
        li      t0, CLINT_MTIME
        ld      t1, 0(t0)
        li      t2, 1000000000
        add     t1, t1, t2
        li      t0, CLINT_MTIMECMP
        sd      t1, 0(t0)
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, 0
        ld      a0, 0(t0)
        EXPECT_REG a0, t1

        /* 32-bit accesses to mtimecmp halves */
        TEST 3
        li      t0, CLINT_MTIMECMP
        li      t1, -1
        sw      t1, 4(t0)
        sw      zero, 0(t0)
        ld      a0, 0(t0)
        EXPECT  a0, 0xffffffff00000000
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, 0
        sw      zero, 4(t0)
        lwu     a0, 4(t0)
        EXPECT  a0, 0
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, MIP_MTIP
        TIMER_OFF

        /* MTIP and MSIP are read-only in mip */
        TEST 4
        li      t0, CLINT_MTIMECMP
        sd      zero, 0(t0)
        li      t0, MIP_MTIP
        csrc    mip, t0
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP | MIP_MSIP
        EXPECT  a0, MIP_MTIP
        li      t0, MIP_MSIP
        csrs    mip, t0
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP | MIP_MSIP
        EXPECT  a0, MIP_MTIP
        TIMER_OFF

        /* machine timer interrupt while spinning */
        TEST 5
        call    irq_reset
        li      t0, MIP_MTIP
        csrw    mie, t0
        TIMER_IN 1000
        csrsi   mstatus, MSTATUS_MIE
        WAIT_FOR irq_log_m, 1
spin_end:
        csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000007
        EXPECT_LOG_STATUS irq_log_m, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MSTATUS_MPP_M | MSTATUS_MPIE
        la      t5, irq_log_m
        ld      t5, LOG_EPC(t5)
        la      t6, test_main
        bltu    t5, t6, fail
        la      t6, spin_end
        bgeu    t5, t6, fail
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, 0                       /* handler reprogrammed mtimecmp */

        /* mie gating: pending MTIP, MIE = 1, MTIE = 0 -> nothing; setting
         * MTIE takes the interrupt right after the csrs */
        TEST 6
        call    irq_reset
        li      t0, CLINT_MTIMECMP
        sd      zero, 0(t0)
        csrsi   mstatus, MSTATUS_MIE
        nop
        nop
        EXPECT_LOG irq_log_m, LOG_COUNT, 0
        li      t0, MIP_MTIP
        csrs    mie, t0
1:      csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000007
        EXPECT_LOG_EPC irq_log_m, 1b

        /* mstatus.MIE gating */
        TEST 7
        call    irq_reset
        li      t0, MIP_MTIP
        csrw    mie, t0
        li      t0, CLINT_MTIMECMP
        sd      zero, 0(t0)
        nop
        nop
        EXPECT_LOG irq_log_m, LOG_COUNT, 0
        csrsi   mstatus, MSTATUS_MIE
1:      csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000007
        EXPECT_LOG_EPC irq_log_m, 1b

        /* software interrupt through CLINT msip */
        TEST 8
        call    irq_reset
        li      t0, CLINT_MSIP
        li      t1, 1
        sw      t1, 0(t0)
        lw      a0, 0(t0)
        EXPECT  a0, 1
        csrr    a0, mip
        andi    a0, a0, MIP_MSIP
        EXPECT  a0, MIP_MSIP
        li      t0, MIP_MSIP
        csrw    mie, t0
        csrsi   mstatus, MSTATUS_MIE
1:      csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000003
        EXPECT_LOG_EPC irq_log_m, 1b
        csrr    a0, mip
        andi    a0, a0, MIP_MSIP
        EXPECT  a0, 0
        li      t0, CLINT_MSIP
        lw      a0, 0(t0)
        EXPECT  a0, 0

        /* priority: MSI is taken before MTI */
        TEST 9
        call    irq_reset
        li      t0, CLINT_MTIMECMP
        sd      zero, 0(t0)
        li      t0, CLINT_MSIP
        li      t1, 1
        sw      t1, 0(t0)
        li      t0, MIP_MSIP | MIP_MTIP
        csrw    mie, t0
        csrsi   mstatus, MSTATUS_MIE
        csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 2
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000003
        EXPECT_LOG irq_log_m, LOG_CAUSE0 + 8, 0x8000000000000007

        /* wfi with MIE = 0 wakes up when MTIP becomes pending (MTIE = 1),
         * without taking the interrupt */
        TEST 10
        call    irq_reset
        li      t0, MIP_MTIP
        csrw    mie, t0
        TIMER_IN 1000
        li      t0, CLINT_MTIMECMP
        ld      a1, 0(t0)
        wfi
        csrr    a0, mip
        andi    a0, a0, MIP_MTIP
        EXPECT  a0, MIP_MTIP
        li      t0, CLINT_MTIME
        ld      a0, 0(t0)
        bltu    a0, a1, fail
        EXPECT_LOG irq_log_m, LOG_COUNT, 0
        TIMER_OFF

        /* wfi with MIE = 1: the interrupt is taken, mepc = wfi + 4.
         * If the host is slow and the timer fires before the wfi (mepc =
         * the wfi), the handler skips the wfi (wfi_skip) and we retry with
         * a new deadline, up to 8 times. */
        TEST 11
        li      s2, 8
1:      call    irq_reset
        la      t0, wfi_skip
        la      t1, 2f
        sd      t1, 0(t0)
        li      t0, MIP_MTIP
        csrw    mie, t0
        TIMER_IN 2000
        csrsi   mstatus, MSTATUS_MIE
2:      wfi
3:      csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000007
        la      t5, irq_log_m
        ld      t5, LOG_EPC(t5)
        la      t6, 3b
        beq     t5, t6, 4f
        EXPECT_ADDR t5, 2b                  /* early: taken before the wfi */
        addi    s2, s2, -1
        bnez    s2, 1b
        j       fail
4:

        /* M interrupts are taken in S-mode even with mstatus.MIE = 0:
         * right at the first S instruction */
        TEST 12
        call    irq_reset
        li      t0, CLINT_MTIMECMP
        sd      zero, 0(t0)
        li      t0, MIP_MTIP
        csrw    mie, t0
        ENTER_MODE PRV_S, 1f, 2f
1:      ecall
2:      EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000007
        EXPECT_LOG_EPC irq_log_m, 1b
        EXPECT_LOG_STATUS irq_log_m, MSTATUS_MPP, MSTATUS_MPP_S
        EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 1b, 0

        /* STIP not delegated: taken in M with cause 5 */
        TEST 13
        call    irq_reset
        li      t0, MIP_STIP
        csrw    mie, t0
        csrs    mip, t0
        csrsi   mstatus, MSTATUS_MIE
1:      csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000005
        EXPECT_LOG_EPC irq_log_m, 1b
        csrr    a0, mip
        andi    a0, a0, MIP_STIP
        EXPECT  a0, 0

        /* STIP delegated: not taken in M; taken in S (SIE = 1) at the first
         * instruction with scause = 0x8000000000000005 */
        TEST 14
        call    irq_reset
        li      t0, MIP_STIP
        csrw    mideleg, t0
        csrw    mie, t0
        csrs    mip, t0
        csrsi   mstatus, MSTATUS_MIE
        nop
        csrci   mstatus, MSTATUS_MIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 0
        csrr    a0, sip
        EXPECT  a0, MIP_STIP
        csrsi   mstatus, MSTATUS_SIE
        ENTER_MODE PRV_S, 1f, 2f
1:      ecall
2:      EXPECT_LOG irq_log_s, LOG_COUNT, 1
        EXPECT_LOG irq_log_s, LOG_CAUSE0, 0x8000000000000005
        EXPECT_LOG_EPC irq_log_s, 1b
        EXPECT_LOG_STATUS irq_log_s, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 0
        EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 1b, 0
        csrr    a0, mip
        andi    a0, a0, MIP_STIP
        EXPECT  a0, 0

        /* delegated STIP with SIE = 0: not taken in S ... */
        TEST 15
        call    irq_reset
        li      t0, MIP_STIP
        csrw    mideleg, t0
        csrw    mie, t0
        csrs    mip, t0
        csrci   mstatus, MSTATUS_SIE
        ENTER_MODE PRV_S, 1f, 2f
1:      nop
        ecall
2:      EXPECT_LOG irq_log_s, LOG_COUNT, 0
        csrr    a0, mip
        andi    a0, a0, MIP_STIP
        EXPECT  a0, MIP_STIP

        /* ... but always taken in U (SPP = U) */
        TEST 16
        TRAP_RESET
        ENTER_MODE PRV_U, 1f, 2f
1:      ecall
2:      EXPECT_LOG irq_log_s, LOG_COUNT, 1
        EXPECT_LOG irq_log_s, LOG_CAUSE0, 0x8000000000000005
        EXPECT_LOG_EPC irq_log_s, 1b
        EXPECT_LOG_STATUS irq_log_s, MSTATUS_SPP, 0
        EXPECT_MTRAP CAUSE_USER_ECALL, 1b, 0
        csrr    a0, mip
        andi    a0, a0, MIP_STIP
        EXPECT  a0, 0

        /* OpenSBI-style timer: S waits; the M timer interrupt sets mip.STIP
         * and masks MTIE; S takes the S timer interrupt and asks M (ecall)
         * to clear STIP */
        TEST 17
        call    irq_reset
        la      t0, mti_to_stip
        li      t1, 1
        sd      t1, 0(t0)
        li      t0, MIP_STIP
        csrw    mideleg, t0
        li      t0, MIP_STIP | MIP_MTIP
        csrw    mie, t0
        csrsi   mstatus, MSTATUS_SIE
        TIMER_IN 1000
        ENTER_MODE PRV_S, 1f, 2f
1:      WAIT_FOR irq_log_s, 1
        ecall
2:      csrci   mstatus, MSTATUS_SIE
        EXPECT_LOG irq_log_m, LOG_COUNT, 1
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000007
        EXPECT_LOG_STATUS irq_log_m, MSTATUS_MPP, MSTATUS_MPP_S
        EXPECT_LOG irq_log_s, LOG_COUNT, 1
        EXPECT_LOG irq_log_s, LOG_CAUSE0, 0x8000000000000005
        csrr    a0, mie
        EXPECT  a0, MIP_STIP                /* MTIE masked by M handler */
        csrr    a0, mip
        andi    a0, a0, MIP_STIP | MIP_MTIP
        EXPECT  a0, 0

        /* vectored mtvec: interrupts go to base + 4 * cause, exceptions to
         * base */
        TEST 18
        call    irq_reset
        la      t0, mvec
        ori     t0, t0, 1
        csrw    mtvec, t0
        li      t0, CLINT_MSIP
        li      t1, 1
        sw      t1, 0(t0)
        li      t0, MIP_MSIP | MIP_MTIP
        csrw    mie, t0
        csrsi   mstatus, MSTATUS_MIE
        csrci   mstatus, MSTATUS_MIE
        TIMER_IN 500
        csrsi   mstatus, MSTATUS_MIE
        WAIT_FOR irq_log_m, 2
        csrci   mstatus, MSTATUS_MIE
1:      ecall
        la      t0, irq_handler
        csrw    mtvec, t0
        EXPECT_LOG irq_log_m, LOG_CAUSE0, 0x8000000000000003
        EXPECT_LOG irq_log_m, LOG_CAUSE0 + 8, 0x8000000000000007
        EXPECT_MTRAP CAUSE_MACHINE_ECALL, 1b, 0
        la      a0, mvec_hit
        ld      a1, 0(a0)
        EXPECT_NE a1, 0
        ld      a1, 8(a0)
        EXPECT  a1, 0
        ld      a1, 24(a0)
        EXPECT_NE a1, 0
        ld      a1, 56(a0)
        EXPECT_NE a1, 0
        ld      a1, 40(a0)
        EXPECT  a1, 0

        /* vectored stvec + SSIP raised from S through sip */
        TEST 19
        call    irq_reset
        la      t0, svec
        ori     t0, t0, 1
        csrw    stvec, t0
        li      t0, MIP_SSIP
        csrw    mideleg, t0
        csrw    mie, t0
        csrsi   mstatus, MSTATUS_SIE
        ENTER_MODE PRV_S, 1f, 3f
1:      csrsi   sip, MIP_SSIP
2:      ecall
3:      csrci   mstatus, MSTATUS_SIE
        la      t0, sirq_handler
        csrw    stvec, t0
        EXPECT_LOG irq_log_s, LOG_COUNT, 1
        EXPECT_LOG irq_log_s, LOG_CAUSE0, 0x8000000000000001
        EXPECT_LOG_EPC irq_log_s, 2b
        EXPECT_MTRAP CAUSE_SUPERVISOR_ECALL, 2b, 0
        la      a0, svec_hit
        ld      a1, 8(a0)
        EXPECT_NE a1, 0
        ld      a1, 40(a0)
        EXPECT  a1, 0
        csrr    a0, mip
        andi    a0, a0, MIP_SSIP
        EXPECT  a0, 0

        call    irq_reset
        j       pass

/* ------------------------------------------------------------------ */
/* irq_reset: everything off, logs cleared. Clobbers t0, t1, t2 and calls
 * trap_reset. */
irq_reset:
        csrci   mstatus, MSTATUS_MIE | MSTATUS_SIE
        csrw    mie, zero
        csrw    mideleg, zero
        li      t0, MIP_SSIP | MIP_STIP
        csrc    mip, t0
        li      t0, CLINT_MTIMECMP
        li      t1, -1
        sd      t1, 0(t0)
        li      t0, CLINT_MSIP
        sw      zero, 0(t0)
        la      t0, irq_log_m
        la      t1, irq_data_end
1:      sd      zero, 0(t0)
        addi    t0, t0, 8
        bltu    t0, t1, 1b
        mv      t2, ra
        call    trap_reset
        mv      ra, t2
        ret

/* M handler: logs interrupts into irq_log_m and clears their source;
 * `ecall` with a7 = SBI_MAGIC clears mip.STIP and disarms the timer;
 * other exceptions go to mtrap_record. */
        .balign 4
irq_handler:
        csrw    mscratch, t0
        la      t0, irq_save
        sd      t1, 0(t0)
        sd      t2, 8(t0)
        sd      t3, 16(t0)
        csrr    t1, mcause
        bgez    t1, m_exception
        la      t0, irq_log_m
        ld      t2, LOG_COUNT(t0)
        andi    t3, t2, 7
        slli    t3, t3, 3
        add     t3, t3, t0
        sd      t1, LOG_CAUSE0(t3)
        addi    t2, t2, 1
        sd      t2, LOG_COUNT(t0)
        csrr    t3, mepc
        sd      t3, LOG_EPC(t0)
        csrr    t3, mstatus
        sd      t3, LOG_STATUS(t0)
        la      t2, wfi_skip                /* interrupted just before a */
        ld      t2, 0(t2)                   /* wfi that must not sleep? */
        csrr    t3, mepc
        bne     t2, t3, 1f
        addi    t3, t3, 4
        csrw    mepc, t3
1:      slli    t1, t1, 1
        srli    t1, t1, 1
        li      t2, 7
        beq     t1, t2, m_mti
        li      t2, 3
        beq     t1, t2, m_msi
        li      t2, 5
        beq     t1, t2, m_sti
        li      t2, 1
        beq     t1, t2, m_ssi
        j       unexpected_trap
m_mti:  la      t2, mti_to_stip
        ld      t2, 0(t2)
        bnez    t2, 1f
        li      t2, CLINT_MTIMECMP
        li      t3, -1
        sd      t3, 0(t2)
        j       m_ret
1:      li      t2, MIP_STIP
        csrs    mip, t2
        li      t2, MIP_MTIP
        csrc    mie, t2
        j       m_ret
m_msi:  li      t2, CLINT_MSIP
        sw      zero, 0(t2)
        j       m_ret
m_sti:  li      t2, MIP_STIP
        csrc    mip, t2
        j       m_ret
m_ssi:  li      t2, MIP_SSIP
        csrc    mip, t2
        j       m_ret
m_exception:
        li      t2, CAUSE_SUPERVISOR_ECALL
        bne     t1, t2, 2f
        li      t2, SBI_MAGIC
        bne     a7, t2, 2f
        li      t2, MIP_STIP
        csrc    mip, t2
        li      t2, CLINT_MTIMECMP
        li      t3, -1
        sd      t3, 0(t2)
        csrr    t2, mepc
        addi    t2, t2, 4
        csrw    mepc, t2
m_ret:  la      t0, irq_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        ld      t3, 16(t0)
        csrr    t0, mscratch
        mret
2:      la      t0, irq_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        ld      t3, 16(t0)
        csrr    t0, mscratch
        j       mtrap_record

/* S handler: logs interrupts into irq_log_s; STI -> ecall SBI_MAGIC to M;
 * SSI -> clear sip.SSIP; exceptions go to strap_record. */
        .balign 4
sirq_handler:
        csrw    sscratch, t0
        la      t0, sirq_save
        sd      t1, 0(t0)
        sd      t2, 8(t0)
        sd      a7, 16(t0)
        csrr    t1, scause
        bgez    t1, s_exception
        la      t0, irq_log_s
        ld      t2, LOG_COUNT(t0)
        andi    a7, t2, 7
        slli    a7, a7, 3
        add     a7, a7, t0
        sd      t1, LOG_CAUSE0(a7)
        addi    t2, t2, 1
        sd      t2, LOG_COUNT(t0)
        csrr    a7, sepc
        sd      a7, LOG_EPC(t0)
        csrr    a7, sstatus
        sd      a7, LOG_STATUS(t0)
        slli    t1, t1, 1
        srli    t1, t1, 1
        li      t2, 5
        beq     t1, t2, s_sti
        li      t2, 1
        beq     t1, t2, s_ssi
        j       fail
s_sti:  li      a7, SBI_MAGIC
        ecall
        j       s_ret
s_ssi:  csrci   sip, MIP_SSIP
s_ret:  la      t0, sirq_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        ld      a7, 16(t0)
        csrr    t0, sscratch
        sret
s_exception:
        la      t0, sirq_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        ld      a7, 16(t0)
        csrr    t0, sscratch
        j       strap_record

/* vector tables: entry n marks slot n (stores its own address there) */
.macro VEC_ENTRY_M n
        .balign 4
mvec_\n:
        csrw    mscratch, t0
        la      t0, mvec_hit + 8 * \n
        sd      t0, 0(t0)
        csrr    t0, mscratch
        j       irq_handler
.endm
.macro VEC_ENTRY_S n
        .balign 4
svec_\n:
        csrw    sscratch, t0
        la      t0, svec_hit + 8 * \n
        sd      t0, 0(t0)
        csrr    t0, sscratch
        j       sirq_handler
.endm

        .balign 256
        .option push
        .option norvc
mvec:
        j       mvec_0
        j       mvec_1
        j       mvec_2
        j       mvec_3
        j       mvec_4
        j       mvec_5
        j       mvec_6
        j       mvec_7
        j       mvec_8
        j       mvec_9
        j       mvec_10
        j       mvec_11
        .balign 256
svec:
        j       svec_0
        j       svec_1
        j       svec_2
        j       svec_3
        j       svec_4
        j       svec_5
        j       svec_6
        j       svec_7
        j       svec_8
        j       svec_9
        .option pop
        VEC_ENTRY_M 0
        VEC_ENTRY_M 1
        VEC_ENTRY_M 2
        VEC_ENTRY_M 3
        VEC_ENTRY_M 4
        VEC_ENTRY_M 5
        VEC_ENTRY_M 6
        VEC_ENTRY_M 7
        VEC_ENTRY_M 8
        VEC_ENTRY_M 9
        VEC_ENTRY_M 10
        VEC_ENTRY_M 11
        VEC_ENTRY_S 0
        VEC_ENTRY_S 1
        VEC_ENTRY_S 2
        VEC_ENTRY_S 3
        VEC_ENTRY_S 4
        VEC_ENTRY_S 5
        VEC_ENTRY_S 6
        VEC_ENTRY_S 7
        VEC_ENTRY_S 8
        VEC_ENTRY_S 9

        .data
        .balign 8
irq_save:     .dword 0, 0, 0
sirq_save:    .dword 0, 0, 0
irq_log_m:    .fill 12, 8, 0
irq_log_s:    .fill 12, 8, 0
mti_to_stip:  .dword 0
wfi_skip:     .dword 0
mvec_hit:     .fill 12, 8, 0
svec_hit:     .fill 12, 8, 0
irq_data_end:

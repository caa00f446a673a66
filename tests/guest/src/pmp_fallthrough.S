/* pmp_fallthrough - a PMP rule smaller than a page must stop sequential
 * execution, not only jumps (rvdbt only: QEMU 7.2 checks PMP for fetches
 * only where a translation block starts, and runs straight through).
 *
 * S-mode code at `seq` (bare translation) is run once with every fetch
 * allowed, so the page's decoded/translated code is cached. Then an NA4
 * rule without X covers seq+8 (a NAPOT rule below it allows everything
 * else), and the same code runs again from seq: the first two
 * instructions execute, the third must raise an instruction access fault
 * with mepc = mtval = seq+8. The test runs under every engine of rvdbt
 * (interpreter, JIT), which must all stop at the rule. */
#include "test.h"
#include "vm.h"

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS

        /* Everything allowed for S: NAPOT over the whole address space. */
        TEST 1
        li      t0, -1
        csrw    pmpaddr1, t0
        li      t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8
        csrw    pmpcfg0, t0
        TRAP_RESET
        li      a0, 0
        ENTER_MODE PRV_S, seq, 1f
1:      EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT  a0, 4

        /* Run it a few more times so every engine has it hot/compiled. */
        TEST 2
        li      s3, 40
2:      TRAP_RESET
        li      a0, 0
        ENTER_MODE PRV_S, seq, 3f
3:      EXPECT  a0, 4
        addi    s3, s3, -1
        bnez    s3, 2b

        /* NA4 at seq+8 with R only: falling through into it must fault. */
        TEST 3
        la      t0, seq+8
        srli    t0, t0, 2
        csrw    pmpaddr0, t0
        li      t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | PMP_NA4 | PMP_R
        csrw    pmpcfg0, t0
        sfence.vma
        TRAP_RESET
        li      a0, 0
        ENTER_MODE PRV_S, seq, 4f
4:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_ACCESS
        EXPECT_MTRAP_EPC seq+8
        la      t1, seq+8
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, t1
        EXPECT  a0, 2

        /* The rule's neighbours still run: entering at seq+12 works. */
        TEST 4
        TRAP_RESET
        li      a0, 10
        ENTER_MODE PRV_S, seq+12, 5f
5:      EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT  a0, 11

        csrw    pmpcfg0, zero
        j       pass

        .balign 64
        .option push
        .option norvc
seq:    addi    a0, a0, 1
        addi    a0, a0, 1
        addi    a0, a0, 1
        addi    a0, a0, 1
        ecall
        .option pop

/* csr_gaps - two CSR behaviours conformance suites probe (rvdbt only: QEMU
 * 7.2 implements triggers, and gets the second one wrong):
 *  1-3. Sdtrig present with no triggers (debug spec 1.0 §5.7): tselect,
 *       tdata1-3 and tinfo are M-mode read/write CSRs that do not trap;
 *       tselect is hard-wired to 0, tdata1 reads type 0 ("no trigger at this
 *       tselect"), tinfo reads 1 (the selected trigger does not exist),
 *       writes are ignored; from S mode they are illegal instructions.
 *  4-6. A write to minstret / mcycle takes precedence over the writing
 *       instruction's own retirement (priv spec §3.1.11): a read right
 *       after it returns the written value, in a loop the JIT compiles,
 *       and with csrrw (old value returned). */
#include "test.h"

#define TSELECT 0x7a0
#define TDATA1  0x7a1
#define TDATA2  0x7a2
#define TDATA3  0x7a3
#define TINFO   0x7a4
#define LOOPS   200

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        TEST 1
        TRAP_RESET
        csrw    TSELECT, zero
        csrr    a0, TSELECT
        EXPECT  a0, 0
        li      t0, 5
        csrw    TSELECT, t0             /* no trigger 5: WARL, reads 0 */
        csrr    a0, TSELECT
        EXPECT  a0, 0
        EXPECT_MTRAP_COUNT 0

        TEST 2
        TRAP_RESET
        csrr    a0, TDATA1
        EXPECT  a0, 0
        csrr    a0, TINFO
        EXPECT  a0, 1
        li      t0, -1
        csrw    TDATA1, t0
        csrw    TDATA2, t0
        csrw    TDATA3, t0
        csrr    a0, TDATA1
        EXPECT  a0, 0
        csrr    a0, TDATA2
        EXPECT  a0, 0
        csrr    a0, TDATA3
        EXPECT  a0, 0
        EXPECT_MTRAP_COUNT 0

        /* from S mode: illegal instruction */
        TEST 3
        TRAP_RESET
        ENTER_MODE PRV_S, s_probe, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC s_probe

        /* minstret: the write wins over its own retirement */
        TEST 4
        li      s1, LOOPS
        li      s2, 1000
2:      csrw    minstret, s2
        csrr    a0, minstret
        bne     a0, s2, fail
        addi    s2, s2, 7
        addi    s1, s1, -1
        bnez    s1, 2b

        /* mcycle likewise */
        TEST 5
        li      s1, LOOPS
        li      s2, 5000
3:      csrw    mcycle, s2
        csrr    a0, mcycle
        bne     a0, s2, fail
        addi    s2, s2, 3
        addi    s1, s1, -1
        bnez    s1, 3b

        /* csrrw returns the old value; counting resumes after the write */
        TEST 6
        li      t0, 100
        li      t1, 200
        csrw    minstret, t0
        nop                             /* retires: 101 */
        csrrw   a0, minstret, t1        /* reads 101, writes 200 */
        csrr    a1, minstret            /* 200 */
        nop
        csrr    a2, minstret            /* the csrr above and the nop: 202 */
        EXPECT  a0, 101
        EXPECT  a1, 200
        EXPECT  a2, 202
        j       pass

s_probe:
        csrr    a0, TSELECT
        ecall

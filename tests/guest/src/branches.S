/* branches - conditional branches (taken / not taken, signed vs unsigned,
 * forward / backward / far), jal and jalr (link values, rd = x0, rd = rs1,
 * negative and odd offsets, bit 0 of the target cleared). */
#include "test.h"

/* a0 ends up 0 if the branch was taken, 1 if it fell through */
.macro BR n, inst, a, b, taken
        TEST    \n
        li      a1, \a
        li      a2, \b
        li      a0, 0
        \inst   a1, a2, 1f
        li      a0, 1
1:
        .if \taken
        EXPECT  a0, 0
        .else
        EXPECT  a0, 1
        .endif
.endm

        .text
        .globl  test_main
test_main:
        BR 1,  beq,  5, 5, 1
        BR 2,  beq,  5, 6, 0
        BR 3,  beq,  -1, 0xffffffff, 0
        BR 4,  bne,  5, 6, 1
        BR 5,  bne,  -7, -7, 0
        BR 6,  bne,  0x100000000, 0, 1
        BR 7,  blt,  -1, 1, 1
        BR 8,  blt,  1, -1, 0
        BR 9,  blt,  3, 3, 0
        BR 10, blt,  0x8000000000000000, 0x7fffffffffffffff, 1
        BR 11, bge,  1, -1, 1
        BR 12, bge,  -1, 1, 0
        BR 13, bge,  3, 3, 1
        BR 14, bge,  -3, -3, 1
        BR 15, bltu, -1, 1, 0
        BR 16, bltu, 1, -1, 1
        BR 17, bltu, 3, 3, 0
        BR 18, bltu, 0x7fffffffffffffff, 0x8000000000000000, 1
        BR 19, bgeu, -1, 1, 1
        BR 20, bgeu, 1, -1, 0
        BR 21, bgeu, 3, 3, 1
        BR 22, bgeu, 0, 0, 1

        /* backward branches: loops */
        TEST 23
        li      a0, 0
        li      a1, 10
1:      addi    a0, a0, 3
        addi    a1, a1, -1
        bne     a1, zero, 1b
        EXPECT  a0, 30
        EXPECT  a1, 0

        TEST 24
        li      a0, 0
        li      a1, -5
1:      addi    a0, a0, 1
        addi    a1, a1, 1
        blt     a1, zero, 1b
        EXPECT  a0, 5

        TEST 25
        li      a0, 0
        li      a1, 0
        li      a2, 7
1:      addi    a0, a0, 2
        addi    a1, a1, 1
        bltu    a1, a2, 1b
        EXPECT  a0, 14

        TEST 26
        li      a0, 0
        li      a1, 4
1:      addi    a0, a0, 1
        addi    a1, a1, -1
        bgeu    a1, a0, 1b          /* 4>=1, 3>=2, 2<3 stop */
        EXPECT  a0, 3

        TEST 27
        li      a0, 0
        li      a1, 3
1:      addi    a0, a0, 1
        addi    a1, a1, -1
        bge     a1, zero, 1b        /* a1 = 2,1,0,-1 */
        EXPECT  a0, 4

        TEST 28
        li      a0, 0
        li      a1, 6
1:      addi    a0, a0, 1
        addi    a1, a1, -2
        beq     a1, a0, 2f
        j       1b
2:      EXPECT  a0, 2               /* (1,4) (2,2) */

        /* far branches (about 4000 bytes): the skipped region is filled
         * with illegal instructions, landing anywhere in it traps */
        TEST 29
        li      a1, 1
        li      a2, 1
        beq     a1, a2, 2f
        j       fail
        .fill   1020, 4, 0
2:      li      a0, 0x29
        bne     a1, a2, 3f          /* not taken */
        j       4f
3:      j       fail
4:      EXPECT  a0, 0x29

        TEST 30
        j       2f
1:      li      a0, 0x30            /* backward target ~4000 bytes back */
        j       3f
        .fill   1015, 4, 0
2:      li      a1, -1
        bltu    zero, a1, 1b
        j       fail
3:      EXPECT  a0, 0x30

        /* jal: link = pc + 4 */
        TEST 31
        li      ra, 0
        jal     ra, 1f
2:      j       fail
1:      EXPECT_ADDR ra, 2b

        TEST 32
        li      a0, 0
        jal     a0, 1f
2:      j       fail
1:      EXPECT_ADDR a0, 2b

        TEST 33
        /* jal x0 (j) writes nothing; far jal over 8 KiB */
        li      a0, 7
        jal     x0, 1f
        .fill   2048, 4, 0
1:      EXPECT  x0, 0
        EXPECT  a0, 7

        TEST 34
        /* backward jal, link checked */
        j       2f
1:      EXPECT_ADDR a0, 3f
        j       4f
2:      jal     a0, 1b
3:      j       fail
4:

        /* jalr */
        TEST 35
        la      t0, 1f
        li      a0, 0
        jalr    a0, 0(t0)
2:      j       fail
1:      EXPECT_ADDR a0, 2b

        TEST 36
        la      t0, 1f
        addi    t0, t0, -8
        jalr    a0, 8(t0)           /* positive offset */
2:      j       fail
1:      EXPECT_ADDR a0, 2b

        TEST 37
        la      t0, 1f
        addi    t0, t0, 100
        jalr    a0, -100(t0)        /* negative offset */
2:      j       fail
1:      EXPECT_ADDR a0, 2b

        TEST 38
        la      t0, 1f
        addi    t0, t0, 1           /* odd target: bit 0 is cleared */
        jalr    a0, 0(t0)
2:      j       fail
1:      EXPECT_ADDR a0, 2b

        TEST 39
        la      t0, 1f
        addi    t0, t0, 4
        jalr    a0, -3(t0)          /* t0-3 = target+1 -> target */
2:      j       fail
1:      EXPECT_ADDR a0, 2b

        TEST 40
        la      t0, 1f
        jalr    t0, 0(t0)           /* rd == rs1: target uses old value */
2:      j       fail
1:      EXPECT_ADDR t0, 2b

        TEST 41
        la      t0, 1f
        li      a0, 0x55
        jalr    x0, 0(t0)           /* rd = x0 */
        j       fail
1:      EXPECT  x0, 0
        EXPECT  a0, 0x55

        TEST 42
        /* call/ret through a function, nested link registers */
        li      a0, 1
        call    func_double
        call    func_double
        EXPECT  a0, 4

        TEST 43
        /* jalr to a computed table entry */
        la      t0, jtab
        li      a1, 2
        slli    a1, a1, 3
        add     t0, t0, a1
        jalr    ra, 0(t0)
        EXPECT  a0, 0x222

        j       pass

func_double:
        add     a0, a0, a0
        ret

        .balign 8
jtab:
        .option push
        .option norvc
        li      a0, 0x000
        ret
        li      a0, 0x111
        ret
        li      a0, 0x222
        ret
        li      a0, 0x333
        ret
        .option pop

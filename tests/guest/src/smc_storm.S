/* smc_storm - code that keeps writing next to itself, and code that
 * rewrites itself, on one page:
 *  1. 20,000 iterations of a loop that stores into a data word (and a
 *     byte next to it) on its own code page: every store makes the page's
 *     decoded and compiled code stale;
 *  2. 1,000 times: patch the immediate of `addi a0, zero, imm` in a
 *     function on the same page, fence.i, call it: it must return the new
 *     immediate;
 *  3. the same, writing only the instruction's upper halfword (sh);
 *  4. the same, writing only its top byte (sb): engines that track code
 *     per instruction must drop it for a 2- or 1-byte write too.
 * The JIT must not recompile the page after every store (tests/tests/smc.rs
 * checks its compile count); every engine must run the patched code. */
#include "test.h"

#define ITERS   20000
#define PATCHES 1000

        .text
        .balign 4096
        .globl  test_main
test_main:
        TEST 1
        la      s0, storm_data
        li      s1, ITERS
        li      s2, 0
1:      sd      s2, 0(s0)
        addi    s2, s2, 1
        andi    t0, s2, 63
        add     t1, s0, t0
        sb      s2, 8(t1)
        bne     s2, s1, 1b
        EXPECT_MEM storm_data, ITERS - 1

        TEST 2
        la      s0, patched
        li      s1, 0
2:      andi    s3, s1, 1023
        slli    t0, s3, 20
        li      t1, 0x00000513          /* addi a0, zero, 0 */
        or      t0, t0, t1
        sw      t0, 0(s0)
        fence.i
        call    patched
        EXPECT_REG a0, s3
        addi    s1, s1, 1
        li      t0, PATCHES
        bne     s1, t0, 2b
        TEST 3                          /* the same with halfword stores */
        la      s0, patched_h
        li      s1, 0
3:      andi    s3, s1, 1023
        slli    t0, s3, 4               /* bits 16-31: imm << 4 (rs1 = x0) */
        sh      t0, 2(s0)
        fence.i
        call    patched_h
        EXPECT_REG a0, s3
        addi    s1, s1, 1
        li      t0, PATCHES
        bne     s1, t0, 3b
        TEST 4                          /* and with byte stores: imm[11:4] */
        la      s0, patched_b
        li      s1, 0
4:      andi    s3, s1, 127
        sb      s3, 3(s0)
        fence.i
        call    patched_b
        slli    s4, s3, 4
        EXPECT_REG a0, s4
        addi    s1, s1, 1
        li      t0, PATCHES
        bne     s1, t0, 4b
        j       pass

        .balign 4
        .option push
        .option norvc                   /* a 4-byte addi, patched whole */
patched:
        addi    a0, zero, 0
        ret
patched_h:
        addi    a0, zero, 0
        ret
patched_b:
        addi    a0, zero, 0
        ret
        .option pop
        .balign 8
storm_data:
        .dword  0
        .space  128

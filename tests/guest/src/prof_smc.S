/* prof_smc - PATCHES times: rewrite the immediate of `addi a0, zero, imm`
 * in `patched` (on the same page as the loop) with one store
 * (`code_store`), fence.i, call it: it must return the new immediate
 * (i + 7 in iteration i: never the previous one, never the initial 0).
 * For `rvdbt run --profile` (tests/tests/profile.rs): every `code_store`
 * writes a page holding decoded / compiled code (NOTDIRTY, slow path),
 * except under the reference engine, which keeps no decoded code. */
#include "test.h"

#define PATCHES         200
#define IMM_BASE        7

        .text
        .balign 4096
        .globl  test_main
test_main:
        TEST 1
        la      s0, patched
        li      s1, 0
1:      addi    s3, s1, IMM_BASE        /* the new immediate */
        slli    t0, s3, 20
        li      t1, 0x00000513          /* addi a0, zero, 0 */
        or      t0, t0, t1
code_store:
        sw      t0, 0(s0)
        fence.i
        li      a0, -1
        call    patched
        EXPECT_REG a0, s3
        addi    s1, s1, 1
        li      t0, PATCHES
        bne     s1, t0, 1b
        j       pass

        .balign 4
        .option push
        .option norvc                   /* a 4-byte addi, patched whole */
patched:
        addi    a0, zero, 0
        ret
        .option pop
        .balign 4096                    /* .data starts on another page */

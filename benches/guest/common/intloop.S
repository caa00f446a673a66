/* intloop.S - the integer-loop kernel shared by intloop_bare and
 * intloop_sv39, so both run the very same instructions.
 * Per iteration (18 instructions): a 64-bit xorshift step (shifts, xors),
 * a load-add-store to a 64-entry dword array indexed by the random value,
 * an xor into the accumulator, a data-dependent branch (about 50% taken)
 * choosing between two 2-instruction updates, and the loop counter.
 * After INTLOOP_ITERS iterations the array is folded into the accumulator
 * and compared with INTLOOP_EXPECTED, computed on the host by
 * gen/intloop_model.c (build.sh passes both with -D). */
#include "bench.h"

#ifndef INTLOOP_ITERS
#error "INTLOOP_ITERS must be defined (build.sh)"
#endif
#ifndef INTLOOP_EXPECTED
#error "INTLOOP_EXPECTED must be defined (build.sh)"
#endif
#define INTLOOP_SEED 0x9e3779b97f4a7c15

        .text
/* intloop_run: runs the kernel, exits with EXIT_PASS or EXIT_MISMATCH.
 * Runs in whatever mode it is entered in; touches only intloop_arr and the
 * UART/finisher. */
        .globl  intloop_run
intloop_run:
        li      s0, INTLOOP_ITERS
        la      s1, intloop_arr
        li      s2, 0
        li      s3, INTLOOP_SEED
1:      slli    t0, s3, 13
        xor     s3, s3, t0
        srli    t0, s3, 7
        xor     s3, s3, t0
        slli    t0, s3, 17
        xor     s3, s3, t0
        andi    t1, s3, 0x1f8
        add     t1, t1, s1
        ld      t2, 0(t1)
        add     t2, t2, s3
        sd      t2, 0(t1)
        xor     s2, s2, t2
        andi    t3, s3, 1
        beqz    t3, 2f
        addi    s2, s2, 7
        j       3f
2:      srli    t4, s2, 3
        add     s2, s2, t4
3:      addi    s0, s0, -1
        bnez    s0, 1b
        /* fold: sum = rotl(sum, 1) ^ arr[i] for i = 0..63 */
        li      t0, 64
        mv      t1, s1
4:      slli    t2, s2, 1
        srli    t3, s2, 63
        or      s2, t2, t3
        ld      t2, 0(t1)
        xor     s2, s2, t2
        addi    t1, t1, 8
        addi    t0, t0, -1
        bnez    t0, 4b
        li      t0, INTLOOP_EXPECTED
        bne     s2, t0, 5f
        li      a0, EXIT_PASS
        j       bench_exit
5:      la      a0, msg_intloop_got
        call    print_str
        mv      a0, s2
        call    print_hex
        la      a0, msg_intloop_exp
        call    print_str
        li      a0, INTLOOP_EXPECTED
        call    print_hex
        la      a0, msg_nl
        call    print_str
        li      a0, EXIT_MISMATCH
        j       bench_exit

        .section .rodata
msg_intloop_got:        .asciz "intloop checksum mismatch: got "
msg_intloop_exp:        .asciz " expected "

        .bss
        .balign 16
intloop_arr:    .space 64 * 8

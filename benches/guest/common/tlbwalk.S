/* tlbwalk.S - the page-walking kernel shared by tlbwalk_4k and tlbwalk_2m
 * (they differ only in how the walk region is mapped).
 * TLBWALK_PASSES passes over the 64 MiB region WALK_BASE .. +WALK_SIZE,
 * each touching one dword in every 4 KiB page (16384 pages): load, add 1,
 * store.  Within a page the dword sits at (page index % 64) * 64, so
 * consecutive touches are 4160 bytes apart and spread over host cache sets
 * instead of all hitting one.  The inner loop is 5 instructions per page.
 * A final load-only pass sums the words; the sum must be
 * TLBWALK_PASSES * 16384. */
#include "bench.h"

#ifndef TLBWALK_PASSES
#error "TLBWALK_PASSES must be defined (build.sh)"
#endif

#define WALK_PAGES      (WALK_SIZE >> 12)
#define WALK_STRIDE     (4096 + 64)
#define WALK_GROUP      (64 * 4096)

        .text
/* tlbwalk_run: the walk and its check; exits with EXIT_PASS or
 * EXIT_MISMATCH.  Meant to run in S-mode under Sv39. */
        .globl  tlbwalk_run
tlbwalk_run:
        li      s0, TLBWALK_PASSES
        li      s4, WALK_STRIDE
        li      s6, 64 * WALK_STRIDE
        li      s7, WALK_GROUP
        li      s5, WALK_BASE + WALK_SIZE
1:      li      s1, WALK_BASE           /* pass */
2:      mv      t0, s1                  /* group of 64 pages */
        add     t1, s1, s6
3:      ld      t2, 0(t0)
        addi    t2, t2, 1
        sd      t2, 0(t0)
        add     t0, t0, s4
        bne     t0, t1, 3b
        add     s1, s1, s7
        bne     s1, s5, 2b
        addi    s0, s0, -1
        bnez    s0, 1b
        /* check pass: sum every touched word */
        li      s2, 0
        li      s1, WALK_BASE
4:      mv      t0, s1
        add     t1, s1, s6
5:      ld      t2, 0(t0)
        add     s2, s2, t2
        add     t0, t0, s4
        bne     t0, t1, 5b
        add     s1, s1, s7
        bne     s1, s5, 4b
        li      t0, TLBWALK_PASSES * WALK_PAGES
        bne     s2, t0, 6f
        li      a0, EXIT_PASS
        j       bench_exit
6:      la      a0, msg_walk_got
        call    print_str
        mv      a0, s2
        call    print_hex
        la      a0, msg_walk_exp
        call    print_str
        li      a0, TLBWALK_PASSES * WALK_PAGES
        call    print_hex
        la      a0, msg_nl
        call    print_str
        li      a0, EXIT_MISMATCH
        j       bench_exit

        .section .rodata
msg_walk_got:   .asciz "tlbwalk word sum mismatch: got "
msg_walk_exp:   .asciz " expected "

/* prof_pages - data accesses for `rvdbt run --profile` to count exactly
 * (tests/tests/profile.rs):
 *  1. one load (`touch_load`) from each of TOUCH_PAGES fresh pages
 *     (4096-byte stride): every one a TLB miss;
 *  2. HOT_ITERS iterations over one other fresh page: one load
 *     (`hot_load`) and one store (`hot_store`) of the same dword: the
 *     first load fills the TLB (its entry can also be written: the page
 *     is writable RAM and holds no code), everything else hits. The
 *     iterations run in two halves with a pause (SETTLE) after each, so
 *     that the tiered engine runs the second half as compiled code (the
 *     loop is hot after TIER_THRESHOLD = 128 runs).
 * The data pages lie beyond the image (fixed physical addresses, never
 * touched by anything else); the code sits on a page of its own and no
 * other label shares an address with the ones the test looks up. */
#include "test.h"

#define TOUCH_BASE      0x80400000      /* TOUCH_PAGES pages */
#define TOUCH_PAGES     16
#define HOT_PAGE        0x80420000
#define HOT_OFF         0x88
#define HOT_ITERS       1000            /* two halves of 500 */

        .text
        .balign 4096
        .globl  test_main
test_main:
        TEST 1                          /* fresh pages read as zero */
        li      s0, TOUCH_BASE
        li      s1, TOUCH_PAGES
        li      s2, 0
        li      s3, 4096
1:
touch_load:
        ld      a0, 0(s0)
        or      s2, s2, a0
        add     s0, s0, s3
        addi    s1, s1, -1
        bnez    s1, 1b
        EXPECT  s2, 0

        TEST 2                          /* each load sees the last store */
        li      s0, HOT_PAGE
        li      s2, 0
        li      s4, 2                   /* halves */
3:      li      s1, HOT_ITERS / 2
2:
hot_load:
        ld      a0, HOT_OFF(s0)
        EXPECT_REG a0, s2
        addi    s2, s2, 1
hot_store:
        sd      s2, HOT_OFF(s0)
        addi    s1, s1, -1
        bnez    s1, 2b
        SETTLE
        addi    s4, s4, -1
        bnez    s4, 3b
        EXPECT  s2, HOT_ITERS
        j       pass
        .balign 4096                    /* .data starts on another page */

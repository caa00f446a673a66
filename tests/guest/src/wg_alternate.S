/* wg_alternate - loads and stores alternating on a page that is read-only
 * for the current world (rvdbt only: run with --worldguard).
 *
 * Slot 2 of the RAM checker makes one page readable, not writable, for
 * world 1, with EW = IW = 0: a store by world 1 is dropped silently.  M
 * mode, with MPRV = 1 and MPP = S (satp Bare), makes its data accesses as
 * world mlwid = 1 and runs a tight loop of exactly 1,000,000 iterations:
 * one load (must return the original value), one store of the loop
 * counter (dropped), counter, branch.  Nothing inside the loop touches the
 * checker, the WID CSRs or satp, so after the first load of the page every
 * load can take the TLB fast path while every store goes to the checker
 * (the memory-system counters of --stats show it).  Afterwards: memory
 * still holds the original value, no trap, errcause still 0. */
#include "test.h"
#include "wg.h"

#define PAGE    0x80200000
#define VALUE   0x0123456789abcdef
#define ITERS   1000000

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        li      s1, PAGE + 0x100
        li      s2, VALUE
        sd      s2, 0(s1)               /* M: world 3 (reset bypass rule) */

        TEST 1
        WG_SLOT WGC_DRAM, 2, WG_NAPOT_ADDR(PAGE, 4096), WG_R(1), WG_NAPOT
        SET_MLWID 1
        li      s3, ITERS
        MPRV_S
1:      ld      a0, 0(s1)
        bne     a0, s2, 2f
        sd      s3, 0(s1)
        addi    s3, s3, -1
        bnez    s3, 1b
2:      MPRV_OFF
        EXPECT  s3, 0                   /* every load returned VALUE */
        EXPECT_REG a0, s2

        TEST 2
        ld      a0, 0(s1)
        EXPECT_REG a0, s2               /* every store was dropped */
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        SET_MLWID 3
        j       pass
        .balign 4096                    /* keep .data off the loop's page */

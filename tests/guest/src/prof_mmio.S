/* prof_mmio - MMIO_READS reads of the UART's line status register with one
 * `lbu` (`mmio_load`), for `rvdbt run --profile` to count
 * (tests/tests/profile.rs): every one a device access on the slow path
 * (the TLB keeps the device page's entry, flagged MMIO: one TLB miss).
 * The transmitter is idle, so every read must see THRE (bit 5). The reads
 * run in two halves with a pause (SETTLE) after each, so that the tiered
 * engine runs the second half as compiled code (the loop is hot after
 * TIER_THRESHOLD = 128 runs). */
#include "test.h"

#define UART_LSR        5
#define LSR_THRE        0x20
#define MMIO_READS      400             /* two halves of 200 */

        .text
        .balign 4096
        .globl  test_main
test_main:
        TEST 1
        li      s0, UART0_BASE
        li      s2, 0                   /* reads that saw THRE */
        li      s4, 2                   /* halves */
3:      li      s1, MMIO_READS / 2
1:
mmio_load:
        lbu     a0, UART_LSR(s0)
        andi    a0, a0, LSR_THRE
        beqz    a0, 2f
        addi    s2, s2, 1
2:      addi    s1, s1, -1
        bnez    s1, 1b
        SETTLE
        addi    s4, s4, -1
        bnez    s4, 3b
        EXPECT  s2, MMIO_READS
        j       pass
        .balign 4096                    /* .data starts on another page */

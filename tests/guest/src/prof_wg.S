/* prof_wg - a page readable but not writable for world 1 (rvdbt only: run
 * with --worldguard), for `rvdbt run --profile` (tests/tests/profile.rs).
 *
 * Slot 2 of the RAM checker grants world 1 reads of WG_PAGE, nothing else
 * (no ER / EW: blocked writes are dropped silently). M mode, with MPRV = 1
 * and MPP = S (satp Bare), makes its data accesses as world mlwid = 1:
 * WG_READS loads with one `ld` (`wg_load`), each must return WG_VALUE,
 * then WG_WRITES stores with one `sd` (`wg_store`), all dropped. Nothing
 * in the loops touches the checker, the WID CSRs or satp (a pause between
 * and after the two halves of each loop, SETTLE, reads mtime: the tiered
 * engine then runs the second halves as compiled code). Afterwards M
 * (world 3) reads WG_VALUE back, no trap was taken, errcause is 0. */
#include "test.h"
#include "wg.h"

#define WG_PAGE         0x80200000
#define WG_DATA_OFF     0x100
#define WG_VALUE        0x0123456789abcdef
#define WG_READS        400             /* two halves of 200 */
#define WG_WRITES       400             /* two halves of 200 */

        .text
        .balign 4096
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        li      s1, WG_PAGE + WG_DATA_OFF
        li      s2, WG_VALUE
        sd      s2, 0(s1)               /* M: world 3 (reset bypass rule) */

        TEST 1
        WG_SLOT WGC_DRAM, 2, WG_NAPOT_ADDR(WG_PAGE, 4096), WG_R(1), WG_NAPOT
        SET_MLWID 1
        li      s4, 0                   /* loads that returned WG_VALUE */
        li      s5, 2                   /* halves */
        MPRV_S
4:      li      s3, WG_READS / 2
1:
wg_load:
        ld      a0, 0(s1)
        bne     a0, s2, 2f
        addi    s4, s4, 1
2:      addi    s3, s3, -1
        bnez    s3, 1b
        SETTLE                          /* mtime: MPRV does not matter */
        addi    s5, s5, -1
        bnez    s5, 4b
        li      s5, 2
5:      li      s3, WG_WRITES / 2
3:
wg_store:
        sd      s3, 0(s1)
        addi    s3, s3, -1
        bnez    s3, 3b
        SETTLE
        addi    s5, s5, -1
        bnez    s5, 5b
        MPRV_OFF
        EXPECT  s4, WG_READS

        TEST 2
        ld      a0, 0(s1)
        EXPECT_REG a0, s2               /* every store was dropped */
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        SET_MLWID 3
        j       pass
        .balign 4096                    /* .data starts on another page */

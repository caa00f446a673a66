/* iopmp_prio - IOPMP priority and non-priority entries, memory domains
 * and the RRID -> MD mapping (run with `rvdbt run --iopmp --rrid 3`;
 * common/iopmp.h):
 *  - HWCFG2.prio_entry is programmable while HWCFG0.prient_prog is set
 *    (set to 8: entries 0-7 are priority entries); prient_prog is
 *    write-1-to-clear and then prio_entry is fixed;
 *  - MDCFG: MD0 = entries 0-3, MD1 = 4-7, MD2 = 8-15, MD3 = 16-23, ...
 *    MD7 = 44-47; SRCMD_EN(3) maps RRID 3 to MD0, MD2 and MD7 (entry 47,
 *    non-priority, covers the program image RWX); test pages T0.. lie
 *    outside the image, where only the test's entries apply;
 *  - a priority entry decides alone (denies what a non-priority entry
 *    grants, grants what one denies); the lowest-indexed priority entry
 *    wins; an access only partly inside a priority entry (an aligned 8-byte
 *    load or store across an NA4 or TOR boundary) is a partial hit
 *    (etype 4) even when the entry and a covering non-priority entry grant
 *    it; the same straddle of a non-priority entry is just "not hit";
 *  - non-priority entries OR their permissions (R from one, W from
 *    another; a smaller one inside a larger one), a non-priority entry
 *    without permissions denies nothing; a violation names the entry;
 *  - bus-error suppression with several matching non-priority entries
 *    needs every one of them to suppress;
 *  - entries of MDs RRID 3 is not associated with do not apply (a denying
 *    priority entry in MD1, a granting entry in MD3 mapped to RRID 0 only);
 *    SRCMD_EN and MDCFG changes (moving an entry into or out of a mapped
 *    MD) take effect at once, for pages already accessed;
 *  - captures and ERR_MFR carry RRID 3;
 *  - locks: SRCMD_EN(s).l, MDLCK.md, ENTRYLCK.f, MDCFGLCK.f (increase
 *    only). */
#include "test.h"
#include "iopmp.h"

#define RRID    3
#define T0      0x81000000              /* test pages: 4 KiB each */
#define T1      0x81001000
#define T2      0x81002000
#define T3      0x81003000
#define T4      0x81004000
#define T5      0x81005000
#define T6      0x81006000
#define MARK    0x7e57000000000000      /* + page number at offset 0 */
#define MD(m)   (1 << (m))
#define SRCMD3  ((MD(0) | MD(2) | MD(7)) << 1)

.macro OK insn
        TRAP_RESET
        \insn
        EXPECT_NO_TRAP
.endm
.macro FAULT cause, treg, insn
        TRAP_RESET
9005:   \insn
        EXPECT_FAULT_AT \cause, 9005b, \treg
.endm
/* reg <- constant address */
.macro ADDR reg, pa
        li      \reg, \pa
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS

        /* prio_entry programming */
        TEST 1
        EXPECT_IOPMP IOPMP_HWCFG2, IOPMP_ENTRIES
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_PRIENT_PROG, HWCFG0_PRIENT_PROG
        IOPMP_W IOPMP_HWCFG2, 8
        EXPECT_IOPMP IOPMP_HWCFG2, 8
        IOPMP_W IOPMP_HWCFG0, HWCFG0_PRIENT_PROG
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_PRIENT_PROG, 0
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_ENABLE, 0
        IOPMP_W IOPMP_HWCFG2, 20
        EXPECT_IOPMP IOPMP_HWCFG2, 8
        IOPMP_W IOPMP_HWCFG0, HWCFG0_PRIENT_PROG    /* stays clear */
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_PRIENT_PROG, 0

        /* domains, the RRID 3 mapping, the catch-all; enable */
        TEST 2
        IOPMP_W IOPMP_MDCFG(0), 4
        IOPMP_W IOPMP_MDCFG(1), 8
        IOPMP_W IOPMP_MDCFG(2), 16
        IOPMP_W IOPMP_MDCFG(3), 24
        IOPMP_W IOPMP_MDCFG(4), 32
        IOPMP_W IOPMP_MDCFG(5), 40
        IOPMP_W IOPMP_MDCFG(6), 44
        IOPMP_W IOPMP_MDCFG(7), 48
        EXPECT_IOPMP IOPMP_MDCFG(0), 4
        EXPECT_IOPMP IOPMP_MDCFG(3), 24
        EXPECT_IOPMP IOPMP_MDCFG(7), 48
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3
        EXPECT_IOPMP IOPMP_SRCMD_EN(RRID), SRCMD3
        EXPECT_IOPMP IOPMP_SRCMD_ENH(RRID), 0
        /* RRID 0 gets MD1 and MD3 (never ours) */
        IOPMP_W IOPMP_SRCMD_EN(0), (MD(1) | MD(3)) << 1
        EXPECT_IOPMP IOPMP_SRCMD_EN(0), (MD(1) | MD(3)) << 1
        ENTRY_NAPOT_PA 47, 0x80000000, 0x1000000, E_NAPOT | E_R | E_W | E_X
        /* fill the test pages while nothing is checked */
        li      a0, T0
        li      a1, MARK
        li      a2, 8
1:      sd      a1, 0(a0)
        sd      zero, 8(a0)
        li      t0, 0x1000
        add     a0, a0, t0
        addi    a1, a1, 1
        addi    a2, a2, -1
        bnez    a2, 1b
        IOPMP_ENABLE
        EXPECT_IOPMP_MASK IOPMP_HWCFG0, HWCFG0_ENABLE, HWCFG0_ENABLE
        EXPECT_NO_CAPTURE
        /* no entry covers T0: not hit, RRID 3 */
        ADDR    s1, T0
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s1, RRID

        /* a priority entry decides over a non-priority one */
        TEST 3
        ENTRY_NAPOT_PA 0, T0, 0x1000, E_NAPOT | E_R
        ENTRY_NAPOT_PA 8, T0, 0x1000, E_NAPOT | E_R | E_W
        ADDR    s1, T0
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK
        li      a1, 0x33
        FAULT   CAUSE_STORE_ACCESS, s1, "sd a1, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s1, REQID(0, RRID)
        ENTRY_CFG 0, E_NAPOT | E_R | E_W
        ENTRY_CFG 8, E_NAPOT
        OK      "sd a1, 8(s1)"
        OK      "ld a0, 8(s1)"
        EXPECT  a0, 0x33
        ENTRY_OFF 0
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s1, REQID(8, RRID)
        ENTRY_CFG 8, E_NAPOT | E_R
        addi    s2, s1, 8
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 8(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(8, RRID)
        ENTRY_OFF 8

        /* the lowest-indexed priority entry wins, whatever its size */
        TEST 4
        ENTRY_NAPOT_PA 1, T1, 0x1000, E_NAPOT
        ENTRY_NAPOT_PA 2, T0, 0x2000, E_NAPOT | E_R | E_W
        ADDR    s1, T0
        ADDR    s2, T1
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(1, RRID)
        ENTRY_OFF 1
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK + 1
        ENTRY_NAPOT_PA 1, T0, 0x2000, E_NAPOT
        ENTRY_NAPOT_PA 2, T1, 0x1000, E_NAPOT | E_R | E_W
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(1, RRID)
        ENTRY_OFF 1
        ENTRY_OFF 2

        /* partial hits on priority entries (NA4 and TOR) */
        TEST 5
        ENTRY_ADDR_PA 0, T2 + 0x104, E_NA4 | E_R | E_W
        ENTRY_NAPOT_PA 9, T2, 0x1000, E_NAPOT | E_R | E_W
        ADDR    s1, T2 + 0x100
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_PARTIAL), s1, REQID(0, RRID)
        li      a1, 0x77
        FAULT   CAUSE_STORE_ACCESS, s1, "sd a1, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_PARTIAL), s1, REQID(0, RRID)
        OK      "lw a0, 4(s1)"          /* inside the NA4 */
        OK      "lw a0, 0(s1)"          /* outside: entry 9 */
        OK      "ld a0, 8(s1)"
        OK      "sw a1, 4(s1)"
        OK      "sw a1, 0(s1)"
        OK      "ld a0, -8(s1)"
        /* TOR [T2 + 0x204, T2 + 0x20c): entry 1 is the bottom */
        ENTRY_ADDR_PA 1, T2 + 0x204, E_OFF
        ENTRY_ADDR_PA 2, T2 + 0x20c, E_TOR | E_R | E_W
        ADDR    s2, T2 + 0x200
        ADDR    s3, T2 + 0x208
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_PARTIAL), s2, REQID(2, RRID)
        FAULT   CAUSE_LOAD_ACCESS, s3, "ld a0, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_PARTIAL), s3, REQID(2, RRID)
        FAULT   CAUSE_STORE_ACCESS, s3, "sd a1, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_PARTIAL), s3, REQID(2, RRID)
        OK      "lw a0, 4(s2)"
        OK      "lw a0, 0(s3)"
        OK      "lw a0, 0(s2)"
        OK      "lw a0, 4(s3)"
        OK      "lbu a0, 3(s3)"
        OK      "sw a1, 0(s3)"
        OK      "ld a0, 8(s3)"
        /* with the TOR read-only, the words around it stay writable */
        ENTRY_CFG 2, E_TOR | E_R
        OK      "sw a1, 0(s2)"
        OK      "sw a1, 4(s3)"
        addi    s4, s2, 4
        FAULT   CAUSE_STORE_ACCESS, s4, "sw a1, 4(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s4, REQID(2, RRID)
        FAULT   CAUSE_STORE_ACCESS, s3, "sh a1, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s3, REQID(2, RRID)
        ENTRY_OFF 0
        OK      "ld a0, 0(s1)"          /* no priority entry left there */
        EXPECT  a0, 0x0000007700000077
        ENTRY_OFF 2
        ENTRY_OFF 9

        /* straddling a non-priority entry is not a partial hit */
        TEST 6
        ENTRY_ADDR_PA 10, T3 + 4, E_NA4 | E_R
        ADDR    s1, T3
        addi    s2, s1, 4
        OK      "lw a0, 4(s1)"
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s1, RRID
        FAULT   CAUSE_LOAD_ACCESS, s1, "lw a0, 0(s1)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s1, RRID
        FAULT   CAUSE_STORE_ACCESS, s2, "sw a1, 4(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(10, RRID)
        ENTRY_OFF 10

        /* non-priority entries OR their permissions */
        TEST 7
        ENTRY_NAPOT_PA 9, T3, 0x1000, E_NAPOT | E_R
        ENTRY_NAPOT_PA 10, T3, 0x1000, E_NAPOT | E_W
        ENTRY_NAPOT_PA 11, T3, 0x1000, E_NAPOT
        ADDR    s1, T3
        li      a1, 0x4e4e
        OK      "sd a1, 8(s1)"
        OK      "ld a0, 8(s1)"
        EXPECT  a0, 0x4e4e
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK + 3
        ENTRY_OFF 10
        ENTRY_OFF 11
        addi    s2, s1, 8
        FAULT   CAUSE_STORE_ACCESS, s2, "sd a1, 8(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(9, RRID)
        /* W from the page, R from 256 bytes inside it */
        ENTRY_CFG 9, E_NAPOT | E_W
        ENTRY_NAPOT_PA 10, T3 + 0x100, 0x100, E_NAPOT | E_R
        addi    s3, s1, 0x100
        addi    s4, s1, 0x80
        OK      "ld a0, 0(s3)"
        OK      "ld a0, 0xf8(s3)"
        OK      "sd a1, 0(s3)"
        OK      "sd a1, 0(s4)"
        FAULT   CAUSE_LOAD_ACCESS, s4, "ld a0, 0(s4)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s4, REQID(9, RRID)
        OK      "ld a0, 0(s3)"
        EXPECT  a0, 0x4e4e
        ENTRY_OFF 10

        /* bus-error suppression needs every matching non-priority entry */
        TEST 8
        ENTRY_NAPOT_PA 9, T3, 0x1000, E_NAPOT | E_SERE
        ENTRY_NAPOT_PA 10, T3, 0x1000, E_NAPOT
        ADDR    s1, T3
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        IOPMP_R t5, IOPMP_ERR_INFO
        EXPECT  t5, ERR_INFO_VAL(TT_READ, ET_READ)
        CLEAR_ERR
        ENTRY_CFG 10, E_NAPOT | E_SERE | E_W
        OK      "ld a0, 0(s1)"
        EXPECT  a0, 0
        ENTRY_OFF 9
        li      a0, 0x5a5a
        OK      "ld a0, 0(s1)"
        EXPECT  a0, 0
        ENTRY_OFF 10
        CLEAR_ERR

        /* memory domains RRID 3 is not associated with do not apply */
        TEST 9
        ENTRY_NAPOT_PA 4, T4, 0x1000, E_NAPOT            /* MD1 */
        ENTRY_NAPOT_PA 12, T4, 0x1000, E_NAPOT | E_R | E_W /* MD2 */
        ENTRY_NAPOT_PA 16, T5, 0x1000, E_NAPOT | E_R | E_W /* MD3 */
        ADDR    s1, T4
        ADDR    s2, T5
        li      a1, 0x99
        OK      "ld a0, 0(s1)"
        EXPECT  a0, MARK + 4
        OK      "sd a1, 8(s1)"
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s2, RRID
        /* map MD3: entry 16 grants T5 at once */
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3 | (MD(3) << 1)
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK + 5
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s2, RRID
        /* map MD1: priority entry 4 denies T4 */
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3 | (MD(1) << 1)
        FAULT   CAUSE_LOAD_ACCESS, s1, "ld a0, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s1, REQID(4, RRID)
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3
        OK      "ld a0, 8(s1)"
        EXPECT  a0, 0x99
        /* RRID 0's mapping (MD3) changes nothing for RRID 3 */
        IOPMP_W IOPMP_SRCMD_EN(0), (MD(3) | MD(2)) << 1
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s2, RRID

        /* MDCFG moves entries between domains */
        TEST 10
        IOPMP_W IOPMP_MDCFG(2), 20      /* entry 16 joins MD2 */
        EXPECT_IOPMP IOPMP_MDCFG(2), 20
        ADDR    s2, T5
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK + 5
        IOPMP_W IOPMP_MDCFG(2), 16
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s2, RRID
        ENTRY_NAPOT_PA 0, T6, 0x1000, E_NAPOT            /* MD0 */
        ENTRY_NAPOT_PA 13, T6, 0x1000, E_NAPOT | E_R     /* MD2 */
        ADDR    s3, T6
        FAULT   CAUSE_LOAD_ACCESS, s3, "ld a0, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(0, RRID)
        IOPMP_W IOPMP_MDCFG(0), 0       /* entries 0-3 go to MD1 */
        OK      "ld a0, 0(s3)"
        EXPECT  a0, MARK + 6
        IOPMP_W IOPMP_MDCFG(0), 4
        FAULT   CAUSE_LOAD_ACCESS, s3, "ld a0, 0(s3)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(0, RRID)
        ENTRY_OFF 0

        /* subsequent violations of RRID 3 in ERR_MFR */
        TEST 11
        ADDR    s2, T5
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        addi    s3, s2, 8
        FAULT   CAUSE_LOAD_ACCESS, s3, "ld a0, 0(s3)"
        EXPECT_IOPMP IOPMP_ERR_INFO, ERR_INFO_VAL(TT_READ, ET_NOT_HIT) | ERR_INFO_SVC
        EXPECT_IOPMP IOPMP_ERR_MFR, 0x80000000 | (1 << RRID)
        EXPECT_IOPMP IOPMP_ERR_MFR, 0
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s2, RRID

        /* locks */
        TEST 12
        /* MDLCK.md[4]: no RRID's MD4 bit changes */
        IOPMP_W IOPMP_MDLCK, MD(4) << 1
        EXPECT_IOPMP IOPMP_MDLCK, MD(4) << 1
        IOPMP_W IOPMP_SRCMD_EN(0), (MD(4) | MD(1)) << 1
        EXPECT_IOPMP IOPMP_SRCMD_EN(0), MD(1) << 1
        /* ENTRYLCK.f = 1: entry 0 is locked; f only increases */
        IOPMP_W IOPMP_ENTRYLCK, 1 << 1
        EXPECT_IOPMP IOPMP_ENTRYLCK, 1 << 1
        ENTRY_CFG 0, E_NAPOT | E_R
        EXPECT_IOPMP IOPMP_ENTRY_CFG(0), E_OFF
        IOPMP_W IOPMP_ENTRYLCK, 0
        EXPECT_IOPMP IOPMP_ENTRYLCK, 1 << 1
        ENTRY_CFG 1, E_NAPOT | E_R
        EXPECT_IOPMP IOPMP_ENTRY_CFG(1), E_NAPOT | E_R
        ENTRY_OFF 1
        /* MDCFGLCK.f = 1: MDCFG(0) is locked */
        IOPMP_W IOPMP_MDCFGLCK, 1 << 1
        IOPMP_W IOPMP_MDCFG(0), 2
        EXPECT_IOPMP IOPMP_MDCFG(0), 4
        /* SRCMD_EN(3).l: the row is locked (and mapping MD3 fails) */
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3 | 1
        EXPECT_IOPMP IOPMP_SRCMD_EN(RRID), SRCMD3 | 1
        IOPMP_W IOPMP_SRCMD_EN(RRID), SRCMD3 | (MD(3) << 1)
        EXPECT_IOPMP IOPMP_SRCMD_EN(RRID), SRCMD3 | 1
        ADDR    s2, T5
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE_NOEID ERR_INFO_VAL(TT_READ, ET_NOT_HIT), s2, RRID

        j       pass

/* iopmp_walk - the IOPMP also checks the hart's implicit accesses: Sv39
 * page-table walks (PTE reads) and A/D updates (PTE writes), with the
 * hart's RRID (`rvdbt run --iopmp`, RRID 0; common/iopmp.h, common/vm.h):
 *  - S-mode loads, stores and fetches through VA_T work while every table
 *    is readable;
 *  - the leaf table's page without r: the walk's PTE read is blocked and
 *    the access takes an access fault of its own type (load 5, store 7,
 *    fetch 1) with mtval = the VA; the IOPMP captures a read of the PTE
 *    address;
 *  - only the 8 bytes of VA_T's PTE denied: VA_T faults, another VA whose
 *    PTE shares the table page does not;
 *  - a non-leaf (level-1) table without r: the same faults;
 *  - tables readable but not writable: a walk that must set A (load) or D
 *    (store) takes an access fault, the PTE and the memory stay unchanged,
 *    the IOPMP captures a write of the PTE; with A and D already set the
 *    accesses work;
 *  - with sewe on the table's entry the A/D write is silently dropped: the
 *    access completes, the PTE in memory is unchanged.
 * Every IOPMP change is followed by sfence.vma (the hart may keep
 * translations cached across a checker change). */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"
#include "iopmp.h"

#define VA_T    0x0000000300000000      /* -> wpg */
#define VA_T2   0x0000000300001000      /* -> wpg, PTE next to VA_T's */
#define MARK    0x3a3a3a3a3a3a3a01
#define FLAGS_RWX (PTE_V | PTE_R | PTE_W | PTE_X)

/* S access at register treg (with insn) must take access fault cause,
 * mtval = treg */
.macro S_FAULT cause, treg, insn
        li      a0, 0x5a5a
        TRY     PRV_S, "\insn"
        EXPECT_FAULT \cause, \treg
        EXPECT  a0, 0x5a5a
.endm
/* reg <- start of the page holding the PTE whose address is in pte */
.macro PAGE_OF reg, pte
        srli    \reg, \pte, 12
        slli    \reg, \reg, 12
.endm
/* entry i <- NAPOT over the 4 KiB page at register preg, cfg */
.macro ENTRY_PAGE i, preg, cfg
        li      t1, 0x7ff
        add     t1, \preg, t1
        srli    t1, t1, 2
        IOPMP_WR IOPMP_ENTRY_ADDR(\i), t1
        IOPMP_WR IOPMP_ENTRY_ADDRH(\i), zero
        IOPMP_W IOPMP_ENTRY_CFG(\i), \cfg
        sfence.vma
.endm
/* reg <- the low 8 bits of the PTE at address pte */
.macro PTE_BITS reg, pte
        ld      \reg, 0(\pte)
        andi    \reg, \reg, 0xff
.endm
/* the PTE at address pte <- wpg with flags, then sfence.vma */
.macro SET_PTE pte, flags
        la      t0, wpg
        srli    t0, t0, 12
        slli    t0, t0, 10
        ori     t0, t0, \flags
        sd      t0, 0(\pte)
        sfence.vma
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        IOPMP_STD_SETUP 0
        IOPMP_ENABLE
        li      a0, 3
        call    vm_init
        VM_MAP_LABEL VA_T, wpg, FLAGS_RWX | PTE_AD, 0
        mv      s3, a0                  /* VA_T's PTE */
        VM_MAP_LABEL VA_T2, wpg, FLAGS_RWX | PTE_AD, 0
        mv      s4, a0                  /* VA_T2's PTE: s3 + 8 */
        VM_PTE  VA_T, 1
        mv      s5, a0                  /* the level-1 PTE on the way */
        VM_ON
        li      s1, VA_T
        addi    s2, s1, 8
        li      s6, VA_T2 + 8

        /* walks through readable tables */
        TEST 1
        addi    t0, s3, 8
        EXPECT_REG s4, t0
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s2)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK
        li      a2, 0x1234
        TRY     PRV_S, "sd a2, 0x100(s1)"
        EXPECT_OK PRV_S
        EXPECT_MEM wpg + 0x100, 0x1234
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77
        EXPECT_NO_CAPTURE

        /* the leaf table without r */
        TEST 2
        PAGE_OF s7, s3
        ENTRY_PAGE 0, s7, E_NAPOT | E_W
        S_FAULT CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(0, 0)
        addi    t2, s1, 0x100
        S_FAULT CAUSE_STORE_ACCESS, t2, "sd a2, 0x100(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(0, 0)
        li      a0, 0x5a5a
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_FETCH_FAULT CAUSE_FETCH_ACCESS, s1
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(0, 0)
        /* readable again */
        ENTRY_PAGE 0, s7, E_NAPOT | E_R | E_W
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s2)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK
        EXPECT_NO_CAPTURE

        /* only VA_T's PTE denied (NAPOT 8 bytes): VA_T2's still readable */
        TEST 3
        ENTRY_OFF 0
        srli    t1, s3, 2
        IOPMP_WR IOPMP_ENTRY_ADDR(1), t1
        IOPMP_WR IOPMP_ENTRY_ADDRH(1), zero
        IOPMP_W IOPMP_ENTRY_CFG(1), E_NAPOT
        sfence.vma
        S_FAULT CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s3, REQID(1, 0)
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s6)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK
        EXPECT_NO_CAPTURE
        ENTRY_OFF 1
        sfence.vma

        /* a non-leaf table without r */
        TEST 4
        PAGE_OF s8, s5
        ENTRY_PAGE 2, s8, E_NAPOT | E_W
        S_FAULT CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s5, REQID(2, 0)
        addi    t2, s1, 0x100
        S_FAULT CAUSE_STORE_ACCESS, t2, "sd a2, 0x100(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s5, REQID(2, 0)
        ENTRY_OFF 2
        sfence.vma
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s6)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK

        /* tables read-only: A and D updates are blocked (the checker binds
         * M too: the PTEs are rewritten with the table writable) */
        TEST 5
        SET_PTE s3, FLAGS_RWX           /* A = D = 0 */
        ENTRY_PAGE 0, s7, E_NAPOT | E_R
        S_FAULT CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s3, REQID(0, 0)
        PTE_BITS t2, s3
        EXPECT  t2, FLAGS_RWX
        /* A set, D clear: loads work, stores fault */
        ENTRY_CFG 0, E_NAPOT | E_R | E_W
        SET_PTE s3, FLAGS_RWX | PTE_A
        ENTRY_CFG 0, E_NAPOT | E_R
        sfence.vma
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s2)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK
        li      a2, 0x5678
        addi    t2, s1, 0x100
        S_FAULT CAUSE_STORE_ACCESS, t2, "sd a2, 0x100(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s3, REQID(0, 0)
        PTE_BITS t2, s3
        EXPECT  t2, FLAGS_RWX | PTE_A
        EXPECT_MEM wpg + 0x100, 0x1234
        /* A and D set: no update needed */
        ENTRY_CFG 0, E_NAPOT | E_R | E_W
        SET_PTE s3, FLAGS_RWX | PTE_AD
        ENTRY_CFG 0, E_NAPOT | E_R
        sfence.vma
        TRY     PRV_S, "sd a2, 0x100(s1)"
        EXPECT_OK PRV_S
        EXPECT_MEM wpg + 0x100, 0x5678
        EXPECT_NO_CAPTURE

        /* sewe on the tables' entry: the A/D write is dropped */
        TEST 6
        ENTRY_CFG 0, E_NAPOT | E_R | E_W
        SET_PTE s3, FLAGS_RWX
        ENTRY_PAGE 0, s7, E_NAPOT | E_R | E_SEWE
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s2)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK
        PTE_BITS t2, s3
        EXPECT  t2, FLAGS_RWX
        EXPECT_NO_CAPTURE
        ENTRY_OFF 0
        sfence.vma
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s2)"
        EXPECT_OK PRV_S
        PTE_BITS t2, s3
        EXPECT  t2, FLAGS_RWX | PTE_A

        VM_OFF
        j       pass

        .balign 4096
wpg:    li      a0, 0x77
        ret
        .balign 8
        .dword  MARK
        .balign 4096

        VM_FINISH

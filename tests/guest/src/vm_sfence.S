/* vm_sfence - sfence.vma makes page-table changes visible (Sv39).  Every
 * check reads through a translation first (so a TLB may hold it), changes
 * the PTE, fences, and reads again: the new mapping MUST be used.  Nothing
 * is asserted about accesses before the fence (a stale entry may or may
 * not be used there).  Most of it runs inside one S-mode session, S
 * writing the page tables itself (they are identity mapped).
 *  - sfence.vma va (page base or any address inside the page), x0
 *  - sfence.vma x0, x0
 *  - sfence.vma x0, asid and va, asid for a non-global mapping (satp.ASID
 *    as read back)
 *  - global (G = 1) mapping with sfence.vma va, x0 and x0, x0
 *  - a 2 MiB page: several 4 KiB pieces read, the leaf changed, a fence
 *    of ONE address inside it, a different piece read (and one never read)
 *  - valid -> invalid (page fault), RW -> R (store fault), R -> RW
 *  - instruction fetch through a remapped page
 *  - a non-leaf PTE changed (sfence.vma x0, x0)
 *  - the PTE changed and sfence.vma executed by M between two S sessions
 *  - X removed from a page that was executed: fetch fault after the fence
 *  - code rewritten through a writable alias, fence.i, run through the X
 *    alias
 *  - a U-mode translation remapped by S (from a delegated ecall) + fence
 *  - M with MPRV = 1: remap + fence between two translated loads */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define VA_T    0x0000000300000000
#define VA_G    0x0000000300001000
#define VA_C    0x0000000300002000
#define VA_N    0x0000000300400000      /* own level-0 table */
#define VA_M    0x0000000300600000      /* 2 MiB page */
#define VA_C3   0x0000000300003000      /* code3, X */
#define VA_W3   0x0000000300004000      /* code3, RW */
#define VA_U    0x0000000300005000      /* U page */

#define REGION1 0x80200000
#define REGION2 0x80400000
#define R1MARK  0x10000000              /* REGION1 page k: R1MARK + k */
#define R2MARK  0x20000000

#define MARK1   0x1111111111111111
#define MARK2   0x2222222222222222

#define RW      (PTE_V | PTE_R | PTE_W | PTE_AD)
#define RO      (PTE_V | PTE_R | PTE_AD)
#define XO      (PTE_V | PTE_X | PTE_AD)

/* reg <- PTE for the page at label with flags */
.macro PTE_VAL reg, label, flags
        la      \reg, \label
        srli    \reg, \reg, 12
        slli    \reg, \reg, 10
        ori     \reg, \reg, \flags
.endm
/* reg <- PTE for physical address pa (constant) with flags */
.macro PTE_PA reg, pa, flags
        li      \reg, (((\pa) >> 12) << 10) | (\flags)
.endm

/* fill: 512 pages from base, dword 0 of page k = mark + k */
.macro FILL_REGION base, mark
        li      t0, \base
        li      t1, \mark
        li      t2, 512
        li      t3, 4096
1:      sd      t1, 0(t0)
        addi    t1, t1, 1
        add     t0, t0, t3
        addi    t2, t2, -1
        bnez    t2, 1b
.endm

.macro S_BEGIN
        TRAP_RESET
        ENTER_MODE PRV_S, 8001f, 8002f
8001:
.endm
.macro S_END
        ecall
8002:   EXPECT_OK PRV_S
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        FILL_REGION REGION1, R1MARK
        FILL_REGION REGION2, R2MARK
        li      a0, 3
        call    vm_init
        VM_MAP_LABEL VA_T, pg1, RW, 0
        VM_MAP_LABEL VA_G, pg1, RW | PTE_G, 0
        VM_MAP_LABEL VA_C, code1, XO, 0
        VM_MAP_LABEL VA_N, pg1, RW, 0
        VM_MAP  VA_M, REGION1, RW, 1
        VM_ON

        /* sfence.vma va, x0 */
        TEST 1
        VM_PTE  VA_T, 0
        mv      s3, a0
        li      s1, VA_T
        PTE_VAL s4, pg2, RW
        PTE_VAL s5, pg1, RW
        S_BEGIN
        ld      a0, 0(s1)
        ld      a0, 0(s1)
        sd      s4, 0(s3)
        sfence.vma s1, zero
        ld      a1, 0(s1)
        /* back to pg1, fence with an address inside the page */
        sd      s5, 0(s3)
        addi    t2, s1, 0x7f8
        sfence.vma t2, zero
        ld      a2, 8(s1)
        S_END
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2
        EXPECT  a2, MARK1 + 1

        /* sfence.vma x0, x0 */
        TEST 2
        S_BEGIN
        ld      a0, 0(s1)
        sd      s4, 0(s3)
        sfence.vma zero, zero
        ld      a1, 0(s1)
        sd      s5, 0(s3)
        sfence.vma
        ld      a2, 0(s1)
        S_END
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2
        EXPECT  a2, MARK1

        /* non-global mapping, nonzero ASID: sfence.vma x0, asid and
         * sfence.vma va, asid (asid = satp.ASID as read back, whatever
         * ASIDLEN is) */
        TEST 3
        la      t0, vm_satp
        ld      t0, 0(t0)
        li      t1, 5 << SATP_ASID_SHIFT
        or      t0, t0, t1
        csrw    satp, t0
        sfence.vma zero, zero
        S_BEGIN
        csrr    t2, satp
        srli    t2, t2, SATP_ASID_SHIFT
        li      t3, 0xffff
        and     t2, t2, t3
        ld      a0, 0(s1)
        sd      s4, 0(s3)
        sfence.vma zero, t2
        ld      a1, 0(s1)
        sd      s5, 0(s3)
        sfence.vma s1, t2
        ld      a2, 0(s1)
        S_END
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2
        EXPECT  a2, MARK1
        VM_ON                                   /* back to ASID 0 */

        /* global mapping: sfence.vma va, x0 and x0, x0 (rs2 = x0 covers
         * global entries) */
        TEST 4
        VM_PTE  VA_G, 0
        mv      s3, a0
        li      s1, VA_G
        PTE_VAL s4, pg2, RW | PTE_G
        PTE_VAL s5, pg1, RW | PTE_G
        S_BEGIN
        ld      a0, 0(s1)
        sd      s4, 0(s3)
        sfence.vma s1, zero
        ld      a1, 0(s1)
        sd      s5, 0(s3)
        sfence.vma zero, zero
        ld      a2, 0(s1)
        S_END
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2
        EXPECT  a2, MARK1

        /* 2 MiB page: read pieces 0, 1, 5, 511; move the leaf to REGION2;
         * fence ONE address (in piece 1); read pieces 5 (read before), 3
         * (never read), 511, 0 */
        TEST 5
        VM_PTE  VA_M, 1
        mv      s3, a0
        li      s1, VA_M
        PTE_PA  s4, REGION2, RW
        PTE_PA  s5, REGION1, RW
        li      s6, 0x1000
        S_BEGIN
        ld      a0, 0(s1)
        add     t2, s1, s6
        ld      a0, 0(t2)                       /* piece 1 */
        slli    t3, s6, 2
        add     t2, t2, t3
        ld      a1, 0(t2)                       /* piece 5 */
        li      t3, 0x1ff000
        add     t2, s1, t3
        ld      a2, 0(t2)                       /* piece 511 */
        ld      a3, 0(s1)                       /* piece 0 */
        sd      s4, 0(s3)
        add     t2, s1, s6
        addi    t2, t2, 0x10
        sfence.vma t2, zero                     /* one address in piece 1 */
        li      t3, 0x5000
        add     t2, s1, t3
        ld      a4, 0(t2)                       /* piece 5 */
        li      t3, 0x3000
        add     t2, s1, t3
        ld      a5, 0(t2)                       /* piece 3 */
        li      t3, 0x1ff000
        add     t2, s1, t3
        ld      a6, 0(t2)                       /* piece 511 */
        ld      a7, 0(s1)                       /* piece 0 */
        S_END
        EXPECT  a0, R1MARK + 1
        EXPECT  a1, R1MARK + 5
        EXPECT  a2, R1MARK + 511
        EXPECT  a3, R1MARK
        EXPECT  a4, R2MARK + 5
        EXPECT  a5, R2MARK + 3
        EXPECT  a6, R2MARK + 511
        EXPECT  a7, R2MARK

        /* ... and back, fencing an address never accessed */
        TEST 6
        S_BEGIN
        li      t3, 0x5000
        add     t2, s1, t3
        ld      a0, 0(t2)                       /* piece 5, REGION2 */
        li      t3, 0x100000
        add     t2, s1, t3
        ld      a1, 0(t2)                       /* piece 256 */
        sd      s5, 0(s3)
        li      t3, 0x7008
        add     t2, s1, t3
        sfence.vma t2, zero
        li      t3, 0x100000
        add     t2, s1, t3
        ld      a2, 0(t2)                       /* piece 256, REGION1 */
        li      t3, 0x5000
        add     t2, s1, t3
        ld      a3, 0(t2)
        S_END
        EXPECT  a0, R2MARK + 5
        EXPECT  a1, R2MARK + 256
        EXPECT  a2, R1MARK + 256
        EXPECT  a3, R1MARK + 5

        /* valid -> invalid: page fault after the fence */
        TEST 7
        VM_PTE  VA_T, 0
        mv      s3, a0
        li      s1, VA_T
        PTE_VAL s5, pg1, RW
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      ld      a0, 0(s1)
        sd      zero, 0(s3)
        sfence.vma s1, zero
2:      ld      a1, 0(s1)
        ecall
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VA_T
        EXPECT  a0, MARK1
        EXPECT  a1, 0x5a5a
        sd      s5, 0(s3)
        sfence.vma

        /* RW -> R: the store after the fence faults, the one before lands */
        TEST 8
        PTE_VAL s4, pg1, RO
        POKE    pg1, 16, 0
        POKE    pg1, 24, 0
        li      a2, 0x55
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      sd      a2, 16(s1)
        sd      s4, 0(s3)
        sfence.vma s1, zero
2:      sd      a2, 24(s1)
        ecall
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_STORE_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VA_T + 24
        EXPECT_MEM pg1 + 16, 0x55
        EXPECT_MEM pg1 + 24, 0

        /* R -> RW: the store after the fence succeeds */
        TEST 9
        li      a2, 0x66
        S_BEGIN
        ld      a0, 16(s1)
        sd      s5, 0(s3)
        sfence.vma s1, zero
        sd      a2, 24(s1)
        S_END
        EXPECT  a0, 0x55
        EXPECT_MEM pg1 + 24, 0x66

        /* instruction fetch through a remapped page */
        TEST 10
        VM_PTE  VA_C, 0
        mv      s3, a0
        li      s1, VA_C
        PTE_VAL s4, code2, XO
        PTE_VAL s5, code1, XO
        S_BEGIN
        jalr    ra, 0(s1)
        mv      s6, a0
        sd      s4, 0(s3)
        sfence.vma s1, zero
        jalr    ra, 0(s1)
        mv      s7, a0
        sd      s5, 0(s3)
        sfence.vma zero, zero
        jalr    ra, 0(s1)
        mv      s8, a0
        S_END
        EXPECT  s6, 1
        EXPECT  s7, 2
        EXPECT  s8, 1

        /* non-leaf PTE changed: VA_N's level-1 entry switched to table2,
         * whose entry maps VA_N to pg2; sfence.vma x0, x0 */
        TEST 11
        li      t0, VA_N
        srli    t0, t0, 12
        andi    t0, t0, 511
        slli    t0, t0, 3
        la      t1, table2
        add     t1, t1, t0
        PTE_VAL t2, pg2, RW
        sd      t2, 0(t1)
        VM_PTE  VA_N, 1
        mv      s3, a0
        ld      s5, 0(s3)                       /* the old pointer */
        PTE_VAL s4, table2, PTE_V
        li      s1, VA_N
        S_BEGIN
        ld      a0, 0(s1)
        sd      s4, 0(s3)
        sfence.vma zero, zero
        ld      a1, 0(s1)
        sd      s5, 0(s3)
        sfence.vma zero, zero
        ld      a2, 0(s1)
        S_END
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2
        EXPECT  a2, MARK1

        /* M changes the PTE and fences between two S sessions */
        TEST 12
        VM_PTE  VA_T, 0
        mv      s3, a0
        li      s1, VA_T
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK1
        PTE_VAL t0, pg2, RW
        sd      t0, 0(s3)
        sfence.vma s1, zero
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK2
        PTE_VAL t0, pg1, RW
        sd      t0, 0(s3)
        sfence.vma zero, zero
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK1

        /* X taken away (same page): the fetch after the fence faults */
        TEST 13
        VM_PTE  VA_C, 0
        mv      s3, a0
        li      s1, VA_C
        PTE_VAL s4, code1, RO
        li      s6, 0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      jalr    ra, 0(s1)
        mv      s6, a0
        sd      s4, 0(s3)
        sfence.vma s1, zero
        li      a0, 0x5a5a
        jalr    ra, 0(s1)
        ecall
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL VA_C
        EXPECT_MTRAP_TVAL VA_C
        EXPECT  s6, 1
        EXPECT  a0, 0x5a5a
        PTE_VAL t0, code1, XO
        sd      t0, 0(s3)
        sfence.vma

        /* code rewritten through a writable alias + fence.i: the X alias
         * runs the new code (no PTE changed, no sfence needed) */
        TEST 14
        VM_MAP_LABEL VA_C3, code3, XO, 0
        VM_MAP_LABEL VA_W3, code3, RW, 0
        sfence.vma
        li      s1, VA_C3
        li      s2, VA_W3
        li      s4, 0x00200513                  /* addi a0, zero, 2 */
        li      s5, 0x00300513                  /* addi a0, zero, 3 */
        S_BEGIN
        jalr    ra, 0(s1)
        mv      s6, a0
        sw      s4, 0(s2)
        fence.i
        jalr    ra, 0(s1)
        mv      s7, a0
        sw      s5, 0(s2)
        fence.i
        jalr    ra, 0(s1)
        mv      s8, a0
        S_END
        EXPECT  s6, 1
        EXPECT  s7, 2
        EXPECT  s8, 3

        /* U's translation: U reads VA_U, its ecall goes to S (delegated,
         * stvec = u_ecall_handler), which remaps VA_U and fences; back in
         * U the same load sees the new page; then ebreak -> M */
        TEST 15
        VM_MAP_LABEL VA_U, pg1, RW | PTE_U, 0
        mv      s3, a0
        sfence.vma
        li      s1, VA_U
        PTE_VAL s4, pg2, RW | PTE_U
        li      t0, 1 << CAUSE_USER_ECALL
        csrw    medeleg, t0
        la      t0, u_ecall_handler
        csrw    stvec, t0
        li      a0, 0
        li      a1, 0
        TRAP_RESET
        ENTER_MODE PRV_U, 1f, 3f
        USER_CODE
1:      ld      a0, 0(s1)
        ecall
        ld      a1, 0(s1)
        ebreak
        END_USER
3:      csrw    medeleg, zero
        la      t0, strap_record
        csrw    stvec, t0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_BREAKPOINT
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2

        /* M with MPRV = 1 (MPP = S): M remaps and fences between two
         * translated loads */
        TEST 16
        VM_PTE  VA_T, 0
        mv      s3, a0
        li      s1, VA_T
        PTE_VAL s4, pg2, RW
        PTE_VAL s5, pg1, RW
        TRAP_RESET
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs    mstatus, t0
        ld      a0, 0(s1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        sd      s4, 0(s3)
        sfence.vma s1, zero
        li      t0, MSTATUS_MPRV
        csrs    mstatus, t0
        ld      a1, 0(s1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        sd      s5, 0(s3)
        sfence.vma zero, zero
        li      t0, MSTATUS_MPRV
        csrs    mstatus, t0
        ld      a2, 0(s1)
        li      t0, MSTATUS_MPRV | MSTATUS_MPP
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, MARK1
        EXPECT  a1, MARK2
        EXPECT  a2, MARK1

        VM_OFF
        j       pass

/* S handler for test 15: remap VA_U (s3 = PTE address, s4 = new PTE),
 * fence, return behind the ecall */
        .balign 4
u_ecall_handler:
        sd      s4, 0(s3)
        sfence.vma s1, zero
        csrr    t2, sepc
        addi    t2, t2, 4
        csrw    sepc, t2
        sret

        .data
        .balign 4096
pg1:    .dword  MARK1, MARK1 + 1
        .balign 4096
pg2:    .dword  MARK2, MARK2 + 1
        .balign 4096
code1:  li      a0, 1
        ret
        .balign 4096
code2:  li      a0, 2
        ret
        .balign 4096
table2: .fill   4096, 1, 0
        .balign 4096
        .option push
        .option norvc
code3:  addi    a0, zero, 1
        ret
        .option pop
        .balign 4096
        VM_FINISH

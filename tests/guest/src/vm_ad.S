/* vm_ad - Sv39 accessed / dirty bits, updated by the hardware walk as QEMU
 * 7.2 does (no page fault for A = 0 or for a store with D = 0):
 *  - a load or fetch sets A and leaves D clear (also on writable pages);
 *  - a store or AMO sets A and D; LR sets only A, a successful SC sets D;
 *  - a store after a load of the same page (the translation is cached
 *    without D) still sets D;
 *  - A/D cleared by software + sfence.vma are set again by the next access
 *    (also when S itself clears D and stores again);
 *  - accesses that fault on permissions (no W, U page with SUM = 0) leave
 *    the PTE alone; non-leaf PTEs are never modified;
 *  - superpage leaves get A/D too; U-mode and MPRV accesses set them;
 *  - a misaligned access across two pages sets A (and D) in both PTEs. */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define VA_1    0x0000000300000000
#define VA_2    0x0000000300001000
#define VA_3    0x0000000300002000
#define VA_4    0x0000000300003000
#define VA_5    0x0000000300004000
#define VA_6    0x0000000300005000
#define VA_7    0x0000000300006000
#define VA_8    0x0000000300007000
#define VA_9    0x0000000300008000
#define VA_10   0x0000000300009000
#define VA_11   0x000000030000a000
#define VA_12   0x000000030000b000
#define VA_13   0x000000030000c000      /* and VA_13 + 0x1000 */
#define VA_MEGA 0x0000000300200000

#define RW      (PTE_V | PTE_R | PTE_W)
#define MARK    0x5eed5eed5eed5eed
#define MARK2   0x2eed2eed2eed2eed

/* Fail unless (PTE of va at level) & 0xff == flags. Clobbers a0-a5, t0-t6. */
.macro EXPECT_PTE va, level, flags
        VM_PTE  \va, \level
        ld      a0, 0(a0)
        andi    a0, a0, 0xff
        EXPECT  a0, \flags
.endm
/* PTE of va <- (pa >> 12) << 10 | flags, and sfence.vma */
.macro SET_PTE va, label, flags
        VM_MAP_LABEL \va, \label, \flags, 0
        sfence.vma zero, zero
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        li      t0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV
        csrc    mstatus, t0
        li      a0, 3
        call    vm_init
        VM_MAP_LABEL VA_1, pg_d, RW, 0
        VM_MAP_LABEL VA_2, pg_d, RW, 0
        VM_MAP_LABEL VA_3, pg_d, RW | PTE_A, 0
        VM_MAP_LABEL VA_4, pg_code, PTE_V | PTE_X, 0
        VM_MAP_LABEL VA_5, pg_d, PTE_V | PTE_R, 0
        VM_MAP_LABEL VA_6, pg_d, RW | PTE_U, 0
        VM_MAP  VA_MEGA, 0x80200000, RW, 1
        VM_MAP_LABEL VA_7, pg_d, RW, 0
        VM_MAP_LABEL VA_8, pg_d, RW, 0
        VM_MAP_LABEL VA_9, pg_d, RW | PTE_U, 0
        VM_MAP_LABEL VA_10, pg_d, RW, 0
        VM_MAP_LABEL VA_11, pg_d, RW, 0
        VM_MAP_LABEL VA_12, pg_d, RW | PTE_X, 0
        VM_ON

        /* load: A set, D stays clear although the page is writable; the
         * rest of the PTE is unchanged */
        TEST 1
        li      s1, VA_1
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK
        VM_PTE  VA_1, 0
        ld      a0, 0(a0)
        la      t0, pg_d
        srli    t0, t0, 12
        slli    t0, t0, 10
        ori     t0, t0, RW | PTE_A
        EXPECT_REG a0, t0

        /* store: A and D set */
        TEST 2
        li      s1, VA_2
        li      a2, 0x1234
        TRY     PRV_S, "sd a2, 8(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_2, 0, RW | PTE_A | PTE_D
        EXPECT_MEM pg_d + 8, 0x1234

        /* A = 1, D = 0: a load leaves D clear; a store right after the load
         * (same S session, translation possibly cached) sets D */
        TEST 3
        li      s1, VA_3
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_3, 0, RW | PTE_A
        li      a2, 0x77
        TRY     PRV_S, "ld a0, 0(s1)", "sd a2, 16(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_3, 0, RW | PTE_A | PTE_D
        EXPECT_MEM pg_d + 16, 0x77

        /* fetch: A set, D clear */
        TEST 4
        li      s1, VA_4
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x66
        EXPECT_PTE VA_4, 0, PTE_V | PTE_X | PTE_A

        /* permission faults do not touch the PTE */
        TEST 5
        li      s1, VA_5
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_PTE VA_5, 0, PTE_V | PTE_R
        li      s1, VA_6                        /* U page, SUM = 0 */
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_PTE VA_6, 0, RW | PTE_U
        li      s1, VA_1                        /* fetch from a non-X page */
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_FETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s1
        EXPECT_PTE VA_1, 0, RW | PTE_A
        /* ... and a load from the read-only page then sets A only */
        li      s1, VA_5
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_5, 0, PTE_V | PTE_R | PTE_A

        /* 2 MiB leaf: load sets A, store sets D */
        TEST 6
        li      s1, VA_MEGA + 0x3000
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_MEGA, 1, RW | PTE_A
        li      s1, VA_MEGA + 0x1ff000
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_MEGA, 1, RW | PTE_A | PTE_D

        /* non-leaf PTEs are not modified by the walks: still exactly V */
        TEST 7
        VM_PTE  VA_1, 1
        ld      a0, 0(a0)
        andi    a0, a0, 0x3ff
        EXPECT  a0, PTE_V
        VM_PTE  VA_1, 2
        ld      a0, 0(a0)
        andi    a0, a0, 0x3ff
        EXPECT  a0, PTE_V

        /* software clears A and D (and fences): the next accesses set them
         * again */
        TEST 8
        li      s1, VA_7
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_7, 0, RW | PTE_A | PTE_D
        SET_PTE VA_7, pg_d, RW
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_7, 0, RW | PTE_A
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_7, 0, RW | PTE_A | PTE_D

        /* S clears D itself, sfence.vma of the page, stores again */
        TEST 9
        li      s1, VA_8
        VM_PTE  VA_8, 0
        mv      s3, a0                          /* PTE address (identity) */
        li      a2, 0x88
        li      a3, 0x99
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      sd      a2, 0(s1)
        ld      s4, 0(s3)                       /* PTE with D = 1 */
        li      t2, ~PTE_D
        and     t2, s4, t2
        sd      t2, 0(s3)
        sfence.vma s1, zero
        ld      s5, 0(s3)                       /* D = 0 */
        sd      a3, 8(s1)
        ld      s6, 0(s3)                       /* D = 1 again */
        ecall
2:      EXPECT_OK PRV_S
        andi    s4, s4, 0xff
        EXPECT  s4, RW | PTE_A | PTE_D
        andi    s5, s5, 0xff
        EXPECT  s5, RW | PTE_A
        andi    s6, s6, 0xff
        EXPECT  s6, RW | PTE_A | PTE_D
        EXPECT_MEM pg_d + 8, 0x99

        /* AMO: A and D; LR: A only; successful SC: D */
        TEST 10
        li      s1, VA_10
        li      a2, 1
        TRY     PRV_S, "amoadd.d a0, a2, (s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_10, 0, RW | PTE_A | PTE_D
        li      s1, VA_11
        li      a1, 5
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      lr.d    a0, (s1)
        ecall
2:      EXPECT_OK PRV_S
        EXPECT_PTE VA_11, 0, RW | PTE_A
        li      a1, 5
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      lr.d    a0, (s1)
        sc.d    a1, a2, (s1)
        ecall
2:      EXPECT_OK PRV_S
        EXPECT  a1, 0
        EXPECT_PTE VA_11, 0, RW | PTE_A | PTE_D

        /* U-mode accesses set A and D in U pages */
        TEST 11
        li      s1, VA_9
        TRY     PRV_U, "ld a0, 0(s1)"
        EXPECT_OK PRV_U
        EXPECT_PTE VA_9, 0, RW | PTE_U | PTE_A
        TRY     PRV_U, "sd a2, 0(s1)"
        EXPECT_OK PRV_U
        EXPECT_PTE VA_9, 0, RW | PTE_U | PTE_A | PTE_D

        /* M-mode with MPRV = 1, MPP = S: A and D set by the translated
         * accesses */
        TEST 12
        li      s1, VA_12 + 0x800
        TRAP_RESET
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs    mstatus, t0
        ld      a0, 0(s1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, MARK2
        EXPECT_PTE VA_12, 0, RW | PTE_X | PTE_A
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs    mstatus, t0
        sd      a2, 0(s1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 0
        EXPECT_PTE VA_12, 0, RW | PTE_X | PTE_A | PTE_D

        /* a misaligned access across two pages updates both PTEs */
        TEST 13
        VM_MAP_LABEL VA_13, pg_d, RW, 0
        VM_MAP_LABEL VA_13 + 0x1000, pg_e, RW, 0
        sfence.vma
        li      s1, VA_13 + 4092
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x5eed5eed00000000
        EXPECT_PTE VA_13, 0, RW | PTE_A
        EXPECT_PTE VA_13 + 0x1000, 0, RW | PTE_A
        li      a2, 0x1122334455667788
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PTE VA_13, 0, RW | PTE_A | PTE_D
        EXPECT_PTE VA_13 + 0x1000, 0, RW | PTE_A | PTE_D
        EXPECT_MEM pg_e, 0x5eed5eed11223344

        VM_OFF
        j       pass

        .data
        .balign 4096
pg_d:   .dword  MARK
        .balign 0x800
        .dword  MARK2                           /* never written */
        .balign 4096
pg_e:   .dword  MARK
        .balign 4096
pg_code:
        li      a0, 0x66
        ret
        .balign 4096
        VM_FINISH

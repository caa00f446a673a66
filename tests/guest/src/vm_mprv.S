/* vm_mprv - mstatus.MPRV under Sv39.  M-mode with MPRV = 1 and MPP = S or U
 * translates its loads, stores and AMOs through the page table with S or U
 * permissions (SUM and MXR respected); faults are page faults (13 / 15,
 * mtval = the VA, mepc = the M-mode instruction) taken in M even when
 * medeleg would delegate them; instruction fetches are NOT translated
 * (M runs code whose identity mapping is invalid); MPRV with MPP = M, or
 * with satp = Bare, is untranslated; changes of MPP and MPRV apply to the
 * very next access.
 * Each access sits between the csrs that sets MPRV and the csrc that
 * clears it, with no other memory access in between (the trap handler runs
 * with MPP = M, so it is not translated; after its mret MPP = U). */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define VM_B    0x0000000300000000      /* S, RW  -> pg_b */
#define VM_UB   0x0000000300001000      /* U, RW  -> pg_b */
#define VM_R    0x0000000300002000      /* S, R   -> pg_b */
#define VM_X    0x0000000300003000      /* S, X   -> pg_b */
#define VM_UX   0x0000000300004000      /* U, X   -> pg_b */
#define VM_UR   0x0000000300005000      /* U, R   -> pg_b */

#define MARK_B  0xb0b1b2b3b4b5b6b7
#define MARK_U  0x0badf00d0badf00d

/* Run insn in M with MPRV = 1, MPP = mpp (PRV_S / PRV_U / PRV_M). */
.macro MPRV_TRY mpp, insn
        TRAP_RESET
        li      t0, MSTATUS_MPP | MSTATUS_MPRV
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | ((\mpp) << 11)
        csrs    mstatus, t0
9001:   \insn
        li      t0, MSTATUS_MPRV | MSTATUS_MPP
        csrc    mstatus, t0
.endm
.macro MPRV_FAULT cause, treg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        EXPECT_MTRAP_EPC 9001b
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \treg
        /* taken from M: MPP = M, MPRV still set at the trap */
        EXPECT_MTRAP_STATUS MSTATUS_MPP | MSTATUS_MPRV, MSTATUS_MPP_M | MSTATUS_MPRV
.endm
.macro MPRV_LOAD_OK mpp, va, val
        li      s1, \va
        li      a0, 0x5a5a
        MPRV_TRY \mpp, "ld a0, 0(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, \val
.endm
.macro MPRV_LOAD_FAULT mpp, va
        li      s1, \va
        li      a0, 0x5a5a
        MPRV_TRY \mpp, "ld a0, 0(s1)"
        MPRV_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
.endm
/* store a2 to va + 8; ok: pg_b + 8 == a2 afterwards */
.macro MPRV_STORE_OK mpp, va, val
        POKE    pg_b, 8, 0
        li      s1, \va + 8
        li      a2, \val
        MPRV_TRY \mpp, "sd a2, 0(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT_MEM pg_b + 8, \val
.endm
.macro MPRV_STORE_FAULT mpp, va
        POKE    pg_b, 8, 0
        li      s1, \va + 8
        li      a2, 0x7777
        MPRV_TRY \mpp, "sd a2, 0(s1)"
        MPRV_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_MEM pg_b + 8, 0
.endm
.macro SET_STATUS bits
        li      t0, \bits
        csrs    mstatus, t0
.endm
.macro CLEAR_STATUS bits
        li      t0, \bits
        csrc    mstatus, t0
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        CLEAR_STATUS MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV
        li      a0, 3
        call    vm_init
        VM_MAP_LABEL VM_B,  pg_b, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL VM_UB, pg_b, PTE_V | PTE_U | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL VM_R,  pg_b, PTE_V | PTE_R | PTE_AD, 0
        VM_MAP_LABEL VM_X,  pg_b, PTE_V | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VM_UX, pg_b, PTE_V | PTE_U | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VM_UR, pg_b, PTE_V | PTE_U | PTE_R | PTE_AD, 0
        /* identity entries of mcode and pg_unmapped: invalid */
        la      a0, mcode
        la      a1, mcode
        li      a2, 0
        li      a3, 0
        call    vm_map
        la      a0, pg_unmapped
        la      a1, pg_unmapped
        li      a2, 0
        li      a3, 0
        call    vm_map
        VM_ON

        /* MPP = S: loads and stores go through the page table */
        TEST 1
        MPRV_LOAD_OK PRV_S, VM_B, MARK_B
        MPRV_STORE_OK PRV_S, VM_B, 0x1111
        /* narrower accesses at an offset */
        li      s1, VM_B + 4
        li      a0, 0
        MPRV_TRY PRV_S, "lwu a0, 0(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, 0xb0b1b2b3

        /* MPP = S: S permissions */
        TEST 2
        MPRV_LOAD_FAULT PRV_S, VM_UB            /* SUM = 0 */
        MPRV_STORE_FAULT PRV_S, VM_UB
        MPRV_STORE_FAULT PRV_S, VM_R            /* no W */
        MPRV_LOAD_FAULT PRV_S, VM_X             /* no R, MXR = 0 */
        MPRV_LOAD_FAULT PRV_S, VM_B + 0x100000  /* unmapped */

        /* SUM = 1: U pages accessible to MPP = S loads/stores */
        TEST 3
        SET_STATUS MSTATUS_SUM
        MPRV_LOAD_OK PRV_S, VM_UB, MARK_B
        MPRV_STORE_OK PRV_S, VM_UB, 0x2222
        MPRV_STORE_FAULT PRV_S, VM_UR
        CLEAR_STATUS MSTATUS_SUM

        /* MXR = 1: X-only pages readable */
        TEST 4
        SET_STATUS MSTATUS_MXR
        MPRV_LOAD_OK PRV_S, VM_X, MARK_B
        MPRV_STORE_FAULT PRV_S, VM_X
        CLEAR_STATUS MSTATUS_MXR

        /* MPP = U: U permissions (SUM does not matter) */
        TEST 5
        MPRV_LOAD_OK PRV_U, VM_UB, MARK_B
        MPRV_STORE_OK PRV_U, VM_UB, 0x3333
        MPRV_LOAD_FAULT PRV_U, VM_B
        MPRV_STORE_FAULT PRV_U, VM_B
        MPRV_STORE_FAULT PRV_U, VM_UR
        MPRV_LOAD_FAULT PRV_U, VM_UX
        SET_STATUS MSTATUS_SUM
        MPRV_LOAD_FAULT PRV_U, VM_B
        CLEAR_STATUS MSTATUS_SUM
        SET_STATUS MSTATUS_MXR
        MPRV_LOAD_OK PRV_U, VM_UX, MARK_B
        MPRV_LOAD_FAULT PRV_U, VM_X
        CLEAR_STATUS MSTATUS_MXR

        /* AMOs and LR/SC are translated too */
        TEST 6
        POKE    pg_b, 16, 40
        li      s1, VM_B + 16
        li      a2, 2
        li      a0, 0
        MPRV_TRY PRV_S, "amoadd.d a0, a2, (s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, 40
        EXPECT_MEM pg_b + 16, 42
        li      s1, VM_R + 16
        li      a0, 0x5a5a
        MPRV_TRY PRV_S, "amoadd.d a0, a2, (s1)"
        MPRV_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
        EXPECT_MEM pg_b + 16, 42
        li      s1, VM_UB + 16
        li      a2, 7
        li      a0, 0
        li      a1, 1
        TRAP_RESET
        li      t0, MSTATUS_MPP | MSTATUS_MPRV
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | (PRV_U << 11)
        csrs    mstatus, t0
        lr.d    a0, (s1)
        sc.d    a1, a2, (s1)
        li      t0, MSTATUS_MPRV | MSTATUS_MPP
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, 42
        EXPECT  a1, 0
        EXPECT_MEM pg_b + 16, 7

        /* instruction fetches are not translated: with MPRV = 1 and MPP =
         * S or U, M runs mcode, whose identity mapping is invalid (and all
         * of the code is on U = 0 pages) */
        TEST 7
        li      a0, 0
        MPRV_TRY PRV_S, "call mcode"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, 0x55
        li      a0, 0
        MPRV_TRY PRV_U, "call mcode"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, 0x55

        /* MPP = M: MPRV has no effect (pg_unmapped has no valid mapping) */
        TEST 8
        la      s1, pg_unmapped
        li      a0, 0
        MPRV_TRY PRV_M, "ld a0, 0(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, MARK_U
        li      a2, 0x4444
        MPRV_TRY PRV_M, "sd a2, 8(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT_MEM pg_unmapped + 8, 0x4444

        /* the same access with MPP = S does fault */
        TEST 9
        la      s1, pg_unmapped
        li      a0, 0x5a5a
        MPRV_TRY PRV_S, "ld a0, 0(s1)"
        MPRV_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a

        /* M-mode faults are never delegated, MPRV or not */
        TEST 10
        li      t0, (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
        csrw    medeleg, t0
        li      s1, VM_UB
        li      a0, 0x5a5a
        MPRV_TRY PRV_S, "ld a0, 0(s1)"
        MPRV_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT_STRAP_COUNT 0
        li      s1, VM_R
        MPRV_TRY PRV_U, "sd a0, 0(s1)"
        MPRV_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_STRAP_COUNT 0
        csrw    medeleg, zero

        /* satp = Bare: MPRV with MPP = U is untranslated (physical) */
        TEST 11
        VM_OFF
        la      s1, pg_unmapped
        li      a0, 0
        MPRV_TRY PRV_U, "ld a0, 0(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, MARK_U
        la      s1, pg_b
        li      a0, 0
        MPRV_TRY PRV_S, "ld a0, 0(s1)"
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, MARK_B

        /* MPP changes take effect at once for MPRV accesses: MPP = S reads
         * an S page, MPP becomes U (MPRV stays 1), the same load faults;
         * MPP = U reads a U page, MPP becomes S (SUM = 0), it faults */
        TEST 12
        VM_ON
        li      s1, VM_B
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        li      t0, MSTATUS_MPP | MSTATUS_MPRV
        csrc    mstatus, t0
        li      t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs    mstatus, t0
        ld      a0, 0(s1)
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
1:      ld      a1, 0(s1)
        li      t0, MSTATUS_MPRV | MSTATUS_MPP
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 1b
        EXPECT_MTRAP_TVAL VM_B
        EXPECT  a0, MARK_B
        EXPECT  a1, 0x5a5a
        li      s1, VM_UB
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        li      t0, MSTATUS_MPRV
        csrs    mstatus, t0                     /* MPP = U */
        ld      a0, 0(s1)
        li      t0, MSTATUS_MPP_S
        csrs    mstatus, t0
1:      ld      a1, 0(s1)
        li      t0, MSTATUS_MPRV | MSTATUS_MPP
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 1b
        EXPECT_MTRAP_TVAL VM_UB
        EXPECT  a0, MARK_B
        EXPECT  a1, 0x5a5a
        /* and clearing MPRV: untranslated again (VM_B is no RAM address,
         * so read pg_unmapped, whose identity PTE is invalid) */
        la      s1, pg_unmapped
        li      t0, MSTATUS_MPRV | MSTATUS_MPP_S
        csrs    mstatus, t0
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        TRAP_RESET
        ld      a0, 0(s1)
        EXPECT_MTRAP_COUNT 0
        EXPECT  a0, MARK_U
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        VM_OFF

        j       pass

/* code run by M with MPRV = 1; its identity PTE is invalid */
        .balign 4096
mcode:  li      a0, 0x55
        ret
        .balign 4096

        .data
        .balign 4096
pg_b:   .dword  MARK_B
        .balign 4096
pg_unmapped:
        .dword  MARK_U
        .balign 4096
        VM_FINISH

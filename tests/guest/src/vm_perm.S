/* vm_perm - Sv39 page permissions.  One physical page (pg_x: a marker at
 * +0, `li a0, 0x77; ret` at +0x100, a scratch dword at +0x800) is mapped at
 * ten VAs with R, RW, X, RX, RWX and the same with U = 1.  Checked:
 *  - every R/W/X combination for load, store and fetch, from S on U = 0
 *    pages and from U on U = 1 pages; AMOs need W (store page fault);
 *  - page-fault causes 12 (fetch) / 13 (load) / 15 (store, AMO), mtval =
 *    the faulting VA, mepc = the faulting instruction (the jump target for
 *    fetches); a faulting store leaves memory alone;
 *  - U-mode never touches U = 0 pages (also with SUM = 1);
 *  - S-mode loads/stores to U = 1 pages fault unless SUM = 1; S never
 *    executes U = 1 pages, SUM or not;
 *  - MXR = 1 makes execute-only pages readable (S and U pages, S and U
 *    mode) but not writable;
 *  - the same faults delegated to S with medeleg (scause/sepc/stval);
 *  - SUM / MXR changes apply at once (no fence), both ways; translations
 *    used by S are not usable by U after an sret (loads, fetches), nor
 *    U's by S after a delegated ecall.
 * The root is built by common/vm_rt.S; the code run in U lives in the
 * U = 1 block (USER_CODE). */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define VP_R    0x0000000300000000
#define VP_RW   0x0000000300001000
#define VP_X    0x0000000300002000
#define VP_RX   0x0000000300003000
#define VP_RWX  0x0000000300004000
#define VP_UR   0x0000000300010000
#define VP_URW  0x0000000300011000
#define VP_UX   0x0000000300012000
#define VP_URX  0x0000000300013000
#define VP_URWX 0x0000000300014000

#define MARK    0x0f1e2d3c4b5a6978

/* Load, store and fetch through the page at va from `mode`; l/s/x say
 * which of them must succeed (1) or page-fault (0). */
.macro PERM3 mode, va, l, s, x
        li      s1, \va
        /* load */
        li      a0, 0x5a5a
        TRY     \mode, "ld a0, 0(s1)"
        .if \l
        EXPECT_OK \mode
        EXPECT  a0, MARK
        .else
        EXPECT_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
        .endif
        /* store */
        POKE    pg_x, 0x800, 0
        addi    s2, s1, 0x7f8
        addi    s2, s2, 8
        li      a2, 0x5100d
        TRY     \mode, "sd a2, 0(s2)"
        .if \s
        EXPECT_OK \mode
        EXPECT_MEM pg_x + 0x800, 0x5100d
        .else
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s2
        EXPECT_MEM pg_x + 0x800, 0
        .endif
        /* fetch */
        addi    s2, s1, 0x100
        li      a0, 0x5a5a
        TRY     \mode, "jalr ra, 0(s2)"
        .if \x
        EXPECT_OK \mode
        EXPECT  a0, 0x77
        .else
        EXPECT_FETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s2
        EXPECT  a0, 0x5a5a
        .endif
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
        CLEAR_STATUS MSTATUS_SUM | MSTATUS_MXR
        li      a0, 3
        call    vm_init
        VM_MAP_LABEL VP_R,    pg_x, PTE_V | PTE_R | PTE_AD, 0
        VM_MAP_LABEL VP_RW,   pg_x, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL VP_X,    pg_x, PTE_V | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VP_RX,   pg_x, PTE_V | PTE_R | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VP_RWX,  pg_x, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VP_UR,   pg_x, PTE_V | PTE_U | PTE_R | PTE_AD, 0
        VM_MAP_LABEL VP_URW,  pg_x, PTE_V | PTE_U | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL VP_UX,   pg_x, PTE_V | PTE_U | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VP_URX,  pg_x, PTE_V | PTE_U | PTE_R | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VP_URWX, pg_x, PTE_V | PTE_U | PTE_R | PTE_W | PTE_X | PTE_AD, 0
        VM_ON

        /* S-mode on S pages */
        TEST 1
        PERM3   PRV_S, VP_R,   1, 0, 0
        TEST 2
        PERM3   PRV_S, VP_RW,  1, 1, 0
        TEST 3
        PERM3   PRV_S, VP_X,   0, 0, 1
        TEST 4
        PERM3   PRV_S, VP_RX,  1, 0, 1
        TEST 5
        PERM3   PRV_S, VP_RWX, 1, 1, 1

        /* U-mode on U pages */
        TEST 6
        PERM3   PRV_U, VP_UR,   1, 0, 0
        TEST 7
        PERM3   PRV_U, VP_URW,  1, 1, 0
        TEST 8
        PERM3   PRV_U, VP_UX,   0, 0, 1
        TEST 9
        PERM3   PRV_U, VP_URX,  1, 0, 1
        TEST 10
        PERM3   PRV_U, VP_URWX, 1, 1, 1

        /* AMOs need write permission: store/AMO page fault (15) */
        TEST 11
        POKE    pg_x, 0x800, 5
        li      s1, VP_R + 0x800
        li      a2, 1
        li      a0, 0x5a5a
        TRY     PRV_S, "amoadd.d a0, a2, (s1)"
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
        EXPECT_MEM pg_x + 0x800, 5
        li      s1, VP_RX + 0x800
        TRY     PRV_S, "amoswap.w a0, a2, (s1)"
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s1
        li      s1, VP_UR + 0x800
        TRY     PRV_U, "amoor.d a0, a2, (s1)"
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_MEM pg_x + 0x800, 5
        li      s1, VP_RW + 0x800
        TRY     PRV_S, "amoadd.d a0, a2, (s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 5
        EXPECT_MEM pg_x + 0x800, 6
        li      s1, VP_URW + 0x800
        TRY     PRV_U, "amoadd.d a0, a2, (s1)"
        EXPECT_OK PRV_U
        EXPECT  a0, 6
        EXPECT_MEM pg_x + 0x800, 7
        /* LR is a load: X-only page -> load page fault */
        li      s1, VP_X + 0x800
        li      a0, 0x5a5a
        TRY     PRV_S, "lr.d a0, (s1)"
        EXPECT_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a

        /* U-mode cannot touch S pages */
        TEST 12
        PERM3   PRV_U, VP_RWX, 0, 0, 0
        TEST 13
        PERM3   PRV_U, VP_R, 0, 0, 0
        /* ... even with SUM = 1 (SUM only affects S) */
        TEST 14
        SET_STATUS MSTATUS_SUM
        PERM3   PRV_U, VP_RWX, 0, 0, 0
        CLEAR_STATUS MSTATUS_SUM

        /* S-mode on U pages: SUM = 0 -> no access at all */
        TEST 15
        PERM3   PRV_S, VP_URWX, 0, 0, 0
        TEST 16
        PERM3   PRV_S, VP_URW, 0, 0, 0

        /* SUM = 1: loads and stores allowed (per R/W), fetch never */
        TEST 17
        SET_STATUS MSTATUS_SUM
        PERM3   PRV_S, VP_URWX, 1, 1, 0
        TEST 18
        PERM3   PRV_S, VP_URX, 1, 0, 0
        TEST 19
        PERM3   PRV_S, VP_UR, 1, 0, 0
        /* no R: SUM does not make an X-only U page readable */
        TEST 20
        PERM3   PRV_S, VP_UX, 0, 0, 0
        CLEAR_STATUS MSTATUS_SUM

        /* MXR = 1: execute-only pages become readable, not writable */
        TEST 21
        SET_STATUS MSTATUS_MXR
        PERM3   PRV_S, VP_X, 1, 0, 1
        TEST 22
        PERM3   PRV_U, VP_UX, 1, 0, 1
        TEST 23
        SET_STATUS MSTATUS_SUM
        PERM3   PRV_S, VP_UX, 1, 0, 0
        CLEAR_STATUS MSTATUS_SUM
        /* MXR does not cross the U/S boundary */
        TEST 24
        PERM3   PRV_S, VP_UX, 0, 0, 0
        PERM3   PRV_U, VP_X, 0, 0, 0
        CLEAR_STATUS MSTATUS_MXR
        /* and without MXR the X-only pages are unreadable again */
        TEST 25
        PERM3   PRV_S, VP_X, 0, 0, 1
        PERM3   PRV_U, VP_UX, 0, 0, 1

        /* page faults delegated to S */
        TEST 26
        li      t0, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
        csrw    medeleg, t0
        /* S store to a read-only page: the S handler skips the store */
        POKE    pg_x, 0x800, 0
        li      s1, VP_R + 0x800
        li      a2, 0x99
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_SFAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_STRAP_STATUS MSTATUS_SPP, MSTATUS_SPP
        EXPECT_MEM pg_x + 0x800, 0
        csrr    a0, mcause
        EXPECT  a0, CAUSE_SUPERVISOR_ECALL
        /* S load from a U page with SUM = 0 */
        li      s1, VP_URW + 8
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_SFAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
        /* S fetch from a U page */
        li      s1, VP_URWX + 0x100
        TRAP_RESET
        STRAP_TO_M
        ENTER_MODE PRV_S, 1f, 2f
1:      jalr    ra, 0(s1)
        ecall
2:      EXPECT_SFETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s1

        TEST 27
        /* U load from an S page: scause 13, SPP = U */
        li      s1, VP_RW + 16
        li      a0, 0x5a5a
        TRY_TO_M PRV_U, "ld a0, 0(s1)"
        EXPECT_SFAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT_STRAP_STATUS MSTATUS_SPP, 0
        EXPECT  a0, 0x5a5a
        /* U store to a U read-only page */
        li      s1, VP_URX + 24
        li      a2, 0x99
        TRY_TO_M PRV_U, "sd a2, 0(s1)"
        EXPECT_SFAULT CAUSE_STORE_PAGE_FAULT, s1
        EXPECT_MEM pg_x + 24, 0
        /* U fetch from a U page without X */
        li      s1, VP_URW + 0x100
        TRAP_RESET
        STRAP_TO_M
        ENTER_MODE PRV_U, 1f, 2f
        USER_CODE
1:      jalr    ra, 0(s1)
        ecall
        END_USER
2:      EXPECT_SFETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s1
        csrw    medeleg, zero

        /* SUM changes take effect at once (no fence): S reads a U page
         * with SUM = 1, clears SUM, reads again -> fault; and the reverse
         * (fault delegated to S, so the session continues) */
        TEST 28
        li      s1, VP_URW
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      li      t2, MSTATUS_SUM
        csrs    sstatus, t2
        ld      a0, 0(s1)
        csrc    sstatus, t2
2:      ld      a1, 0(s1)
        ecall
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VP_URW
        EXPECT  a0, MARK
        EXPECT  a1, 0x5a5a
        li      t0, 1 << CAUSE_LOAD_PAGE_FAULT
        csrw    medeleg, t0
        li      a0, 0x5a5a
        li      a1, 0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      li      t2, MSTATUS_SUM
2:      ld      a0, 0(s1)                       /* fault, skipped */
        csrs    sstatus, t2
        ld      a1, 0(s1)
        csrc    sstatus, t2
        ecall
3:      csrw    medeleg, zero
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_STRAP_EPC 2b
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT  a0, 0x5a5a
        EXPECT  a1, MARK

        /* MXR changes take effect at once, both ways */
        TEST 29
        li      s1, VP_X
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      li      t2, MSTATUS_MXR
        csrs    sstatus, t2
        ld      a0, 0(s1)
        csrc    sstatus, t2
2:      ld      a1, 0(s1)
        ecall
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VP_X
        EXPECT  a0, MARK
        EXPECT  a1, 0x5a5a
        li      t0, 1 << CAUSE_LOAD_PAGE_FAULT
        csrw    medeleg, t0
        li      a0, 0x5a5a
        li      a1, 0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      li      t2, MSTATUS_MXR
2:      ld      a0, 0(s1)                       /* fault, skipped */
        csrs    sstatus, t2
        ld      a1, 0(s1)
        csrc    sstatus, t2
        ecall
3:      csrw    medeleg, zero
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_STRAP_EPC 2b
        EXPECT  a0, 0x5a5a
        EXPECT  a1, MARK

        /* S uses an S page (load, fetch), then srets to U, which must not
         * get at it through whatever S left cached */
        TEST 30
        li      s1, VP_RWX
        addi    s2, s1, 0x100
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      ld      s5, 0(s1)
        jalr    ra, 0(s2)
        la      t2, 2f
        csrw    sepc, t2
        li      t2, MSTATUS_SPP
        csrc    sstatus, t2
        sret
        USER_CODE
2:      ld      a1, 0(s1)
        ecall
        END_USER
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VP_RWX
        EXPECT  s5, MARK
        EXPECT  a0, 0x77
        EXPECT  a1, 0x5a5a
        li      a0, 0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      jalr    ra, 0(s2)
        la      t2, 2f
        csrw    sepc, t2
        li      t2, MSTATUS_SPP
        csrc    sstatus, t2
        li      a0, 0x5a5a
        sret
        USER_CODE
2:      jalr    ra, 0(s2)
        ecall
        END_USER
3:      EXPECT_FETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s2
        EXPECT  a0, 0x5a5a

        /* U uses a U page, its ecall goes to S (delegated, stvec = 2f),
         * where the same load (SUM = 0) must fault */
        TEST 31
        li      t0, 1 << CAUSE_USER_ECALL
        csrw    medeleg, t0
        la      t0, 2f
        csrw    stvec, t0
        li      s1, VP_URW
        li      a0, 0
        li      a1, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_U, 1f, 3f
        USER_CODE
1:      ld      a0, 0(s1)
        ecall
        END_USER
        .balign 4
2:      ld      a1, 0(s1)                       /* S, from stvec */
        ecall
3:      csrw    medeleg, zero
        la      t0, strap_record
        csrw    stvec, t0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VP_URW
        EXPECT_MTRAP_STATUS MSTATUS_MPP, MSTATUS_MPP_S
        EXPECT  a0, MARK
        EXPECT  a1, 0x5a5a

        VM_OFF
        j       pass

        .data
        .balign 4096
pg_x:   .dword  MARK
        .balign 0x100
        li      a0, 0x77
        ret
        .balign 4096
        VM_FINISH

/* vm_satp_switch - two Sv39 address spaces (roots A and B, both with the
 * identity map the code runs from) map VA_X to different pages (pgA /
 * pgB), VA_C to different code, VA_ONLY_A only in A, and VA_G to one page
 * with G = 1 in both.  S-mode switches satp back and forth:
 *  - with sfence.vma x0, x0 after every satp write (always enough);
 *  - with distinct ASIDs and no fence at all: correct by the spec (nothing
 *    modified, no ASID reused), checked only when satp.ASID holds both
 *    ASIDs (ASIDLEN >= 2; satp.ASID is WARL, the implemented bits are the
 *    low ones);
 *  - one ASID reused for both roots: sfence.vma x0, x0 or sfence.vma x0,
 *    asid after the switch;
 *  - the global mapping in both, a mapping only in A (page fault in B),
 *    switching to Bare and back, M switching between S sessions, fetches. */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define VA_X      0x0000000300000000
#define VA_G      0x0000000300001000
#define VA_ONLY_A 0x0000000300002000
#define VA_C      0x0000000300003000

#define MARK_A  0xaaaa0000aaaa0000
#define MARK_B  0xbbbb0000bbbb0000
#define MARK_G  0x6666000066660000

#define RW      (PTE_V | PTE_R | PTE_W | PTE_AD)
#define XO      (PTE_V | PTE_X | PTE_AD)

.macro S_BEGIN
        TRAP_RESET
        ENTER_MODE PRV_S, 8001f, 8002f
8001:
.endm
.macro S_END
        ecall
8002:   EXPECT_OK PRV_S
.endm
/* s2 / s3 <- satp of A / B with ASIDs a / b */
.macro SET_ASIDS a, b
        la      t0, satp_a
        ld      s2, 0(t0)
        li      t0, (\a) << SATP_ASID_SHIFT
        or      s2, s2, t0
        la      t0, satp_b
        ld      s3, 0(t0)
        li      t0, (\b) << SATP_ASID_SHIFT
        or      s3, s3, t0
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        li      a0, 3
        call    vm_init                         /* root A */
        la      t0, satp_a
        sd      a0, 0(t0)
        VM_MAP_LABEL VA_X, pg_a, RW, 0
        VM_MAP_LABEL VA_G, pg_g, RW | PTE_G, 0
        VM_MAP_LABEL VA_ONLY_A, pg_a, RW, 0
        VM_MAP_LABEL VA_C, code_a, XO, 0
        call    vm_build_root                   /* root B */
        la      t0, satp_b
        sd      a0, 0(t0)
        VM_MAP_LABEL VA_X, pg_b, RW, 0
        VM_MAP_LABEL VA_G, pg_g, RW | PTE_G, 0
        VM_MAP_LABEL VA_C, code_b, XO, 0
        li      s1, VA_X
        li      s5, VA_C

        /* satp.ASID is WARL: the implemented bits are the low ASIDLEN */
        TEST 1
        la      t0, satp_a
        ld      t0, 0(t0)
        li      t1, 0xffff << SATP_ASID_SHIFT
        or      t0, t0, t1
        csrw    satp, t0
        csrr    a0, satp
        csrw    satp, zero
        sfence.vma
        srli    a0, a0, SATP_ASID_SHIFT
        li      t0, 0xffff
        and     a0, a0, t0
        la      t0, asid_mask
        sd      a0, 0(t0)
        addi    t0, a0, 1
        and     t0, t0, a0                      /* 2^k - 1 ? */
        EXPECT  t0, 0

        /* switching with sfence.vma x0, x0 after each satp write */
        TEST 2
        SET_ASIDS 1, 2
        S_BEGIN
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a0, 0(s1)
        csrw    satp, s3
        sfence.vma zero, zero
        ld      a1, 0(s1)
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a2, 0(s1)
        csrw    satp, s3
        sfence.vma zero, zero
        ld      a3, 0(s1)
        li      t2, 0x1234
        sd      t2, 8(s1)                       /* pgB + 8 */
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a4, 8(s1)                       /* pgA + 8 */
        S_END
        EXPECT  a0, MARK_A
        EXPECT  a1, MARK_B
        EXPECT  a2, MARK_A
        EXPECT  a3, MARK_B
        EXPECT  a4, 0
        EXPECT_MEM pg_b + 8, 0x1234

        /* distinct ASIDs 1 and 2 (the same tables as in test 2, so no
         * ASID is reused with other tables): no fence needed */
        TEST 3
        la      t0, asid_mask
        ld      t0, 0(t0)
        andi    t0, t0, 3
        li      t1, 3
        bne     t0, t1, 1f
        S_BEGIN
        csrw    satp, s2
        ld      a0, 0(s1)
        csrw    satp, s3
        ld      a1, 0(s1)
        csrw    satp, s2
        ld      a2, 0(s1)
        jalr    ra, 0(s5)
        mv      a4, a0
        csrw    satp, s3
        ld      a3, 0(s1)
        jalr    ra, 0(s5)
        mv      a5, a0
        csrw    satp, s2
        jalr    ra, 0(s5)
        mv      a6, a0
        ld      a0, 0(s1)
        S_END
        EXPECT  a0, MARK_A
        EXPECT  a1, MARK_B
        EXPECT  a2, MARK_A
        EXPECT  a3, MARK_B
        EXPECT  a4, 0xa
        EXPECT  a5, 0xb
        EXPECT  a6, 0xa
1:

        /* one ASID (3) for both roots: fence after each switch, with
         * sfence.vma x0, x0 and with sfence.vma x0, asid */
        TEST 4
        SET_ASIDS 3, 3
        S_BEGIN
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a0, 0(s1)
        csrw    satp, s3
        sfence.vma zero, zero
        ld      a1, 0(s1)
        csrr    t2, satp
        srli    t2, t2, SATP_ASID_SHIFT
        li      t3, 0xffff
        and     t2, t2, t3
        csrw    satp, s2
        sfence.vma zero, t2
        ld      a2, 0(s1)
        csrw    satp, s3
        sfence.vma zero, t2
        ld      a3, 0(s1)
        S_END
        EXPECT  a0, MARK_A
        EXPECT  a1, MARK_B
        EXPECT  a2, MARK_A
        EXPECT  a3, MARK_B

        /* the global mapping is the same in both; a store through it in B
         * is seen in A */
        TEST 5
        SET_ASIDS 1, 2
        li      s4, VA_G
        S_BEGIN
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a0, 0(s4)
        csrw    satp, s3
        sfence.vma zero, zero
        ld      a1, 0(s4)
        li      t2, 0x4321
        sd      t2, 8(s4)
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a2, 8(s4)
        S_END
        EXPECT  a0, MARK_G
        EXPECT  a1, MARK_G
        EXPECT  a2, 0x4321

        /* a mapping that only A has: page fault in B */
        TEST 6
        li      s4, VA_ONLY_A
        li      a1, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 3f
1:      csrw    satp, s2
        sfence.vma zero, zero
        ld      a0, 0(s4)
        csrw    satp, s3
        sfence.vma zero, zero
2:      ld      a1, 0(s4)
        ecall
3:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_PAGE_FAULT
        EXPECT_MTRAP_EPC 2b
        EXPECT_MTRAP_TVAL VA_ONLY_A
        EXPECT  a0, MARK_A
        EXPECT  a1, 0x5a5a

        /* S switches to Bare (physical addresses) and back */
        TEST 7
        la      s4, pg_b
        S_BEGIN
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a0, 0(s1)
        csrw    satp, zero
        sfence.vma zero, zero
        ld      a1, 0(s4)                       /* physical pgB */
        csrr    a3, satp
        csrw    satp, s2
        sfence.vma zero, zero
        ld      a2, 0(s1)
        S_END
        EXPECT  a0, MARK_A
        EXPECT  a1, MARK_B
        EXPECT  a2, MARK_A
        EXPECT  a3, 0

        /* M switches between S sessions */
        TEST 8
        csrw    satp, s3
        sfence.vma
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_B
        csrw    satp, s2
        sfence.vma
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_A
        csrw    satp, s3
        sfence.vma
        TRY     PRV_S, "jalr ra, 0(s5)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0xb

        /* fetches after a switch with a fence */
        TEST 9
        S_BEGIN
        csrw    satp, s2
        sfence.vma zero, zero
        jalr    ra, 0(s5)
        mv      a1, a0
        csrw    satp, s3
        sfence.vma zero, zero
        jalr    ra, 0(s5)
        mv      a2, a0
        csrw    satp, s2
        sfence.vma zero, zero
        jalr    ra, 0(s5)
        mv      a3, a0
        S_END
        EXPECT  a1, 0xa
        EXPECT  a2, 0xb
        EXPECT  a3, 0xa

        VM_OFF
        j       pass

        .data
        .balign 8
satp_a:    .dword 0
satp_b:    .dword 0
asid_mask: .dword 0
        .balign 4096
pg_a:   .dword  MARK_A
        .balign 4096
pg_b:   .dword  MARK_B
        .balign 4096
pg_g:   .dword  MARK_G
        .balign 4096
code_a: li      a0, 0xa
        ret
        .balign 4096
code_b: li      a0, 0xb
        ret
        .balign 4096
        VM_FINISH

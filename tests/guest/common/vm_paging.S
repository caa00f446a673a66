/* vm_paging.S - body of vm_sv39 / vm_sv48 / vm_sv57 (#included by them with
 * VM_LEVELS = 3 / 4 / 5).  The test numbers are the same in all three
 * programs; tests that need a larger mode (512 GiB / 256 TiB pages) are
 * empty in the smaller ones.
 *
 * satp MODE is WARL (an unsupported mode leaves satp unchanged, the mode
 * under test reads back); S-mode translation through 4 KiB pages at low,
 * highest-positive, lowest-negative and highest-negative canonical VAs,
 * aliases, 2 MiB / 1 GiB pages (and 512 GiB for Sv48+, 256 TiB for Sv57),
 * mapped around RAM without touching the rest of the region; loads, stores
 * and fetches through them.  Page faults (cause 12/13/15, mtval = VA, mepc =
 * the instruction or the fetch target): misaligned superpages (PPN low
 * bits set), non-canonical VAs, reserved encodings (W without R, W+X
 * without R, bits 63 / 61 / 54 set in a leaf, bit 60 in a non-leaf PTE),
 * a level-0 PTE that is not a leaf, invalid PTEs; page faults delegated to
 * S through medeleg; sequential execution off the end of the positive
 * canonical half (fault at the first non-canonical VA) and off the top of
 * the address space (wraps to VA 0). */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define L VM_LEVELS
#define VA_BITS (12 + 9 * L)
#define MODE (SATP_MODE_SV39 + L - 3)

/* test VAs (canonical in every mode unless said otherwise) */
#define V4K_LOW     0x0000001234567000
#define V4K_ALIAS   0x0000001234568000
#define V4K_TOP_POS ((1 << (VA_BITS - 1)) - 0x1000)
#define V4K_LOW_NEG (-(1 << (VA_BITS - 1)))
#define V4K_TOP_NEG 0xfffffffffffff000
#define VNEG_UNMAPPED 0xffffffffffe00000
#define VMEGA_LOW   0x0000000200600000
#define VMEGA_NEG   0xfffffffff0000000
#define VGIGA_NEG   0xffffffff80000000
#define VGIGA_LOW   0x00000001c0000000
#define VTERA       0x0000100000000000
#define VPETA       0x0001000000000000
#define VMIS_MEGA   0x0000000200a00000
#define VMIS_GIGA   0x0000000240000000
#define VMIS_TERA   0x0000200000000000
#define VMIS_PETA   0x0002000000000000
#define VRES_W      0x0000000280000000
#define VRES_WX     0x0000000280001000
#define VRES_B63    0x0000000280002000
#define VRES_B54    0x0000000280003000
#define VRES_PBMT   0x0000000280004000
#define VRES_NL     0x0000000280400000
#define VRES_L0PTR  0x0000000280600000

#define REGION1     0x80200000          /* 2 MiB aligned RAM after the image */
#define REGION2     0x80400000

#define MARK_A  0xa1a1a1a1a1a1a1a1
#define MARK_A2 0xa2a2a2a2a2a2a2a2
#define MARK_B  0xb1b1b1b1b1b1b1b1
#define MARK_C  0xc1c1c1c1c1c1c1c1
#define MARK_D  0xd1d1d1d1d1d1d1d1
#define MARK_D2 0xd2d2d2d2d2d2d2d2
#define MARK_R1_0   0x1111000000000000
#define MARK_R1_1   0x1111000000001008
#define MARK_R1_E   0x11110000001ffff8
#define MARK_R2_0   0x2222000000000000
#define MARK_R2_1   0x2222000000001008
#define MARK_R2_E   0x22220000001ffff8

/* s1 = constant VA; TRY a load in S that must see `val` */
.macro S_LOAD_OK va, val
        li      s1, \va
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, \val
.endm
/* s1 = VA in a register expression (already set); load must fault */
.macro S_LOAD_FAULT_S1
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_FAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
.endm
.macro S_STORE_FAULT_S1
        li      a2, 0x7777
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_FAULT CAUSE_STORE_PAGE_FAULT, s1
.endm
.macro S_FETCH_FAULT_S1
        li      a0, 0x5a5a
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_FETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        /* markers in the two 2 MiB regions */
        POKE_PHYS REGION1, MARK_R1_0
        POKE_PHYS REGION1 + 0x1008, MARK_R1_1
        POKE_PHYS REGION1 + 0x1ffff8, MARK_R1_E
        POKE_PHYS REGION2, MARK_R2_0
        POKE_PHYS REGION2 + 0x1008, MARK_R2_1
        POKE_PHYS REGION2 + 0x1ffff8, MARK_R2_E

        /* satp: MODE is WARL; a write with an unsupported mode changes
         * nothing (not even the PPN); the mode under test reads back */
        TEST 1
        li      a0, L
        call    vm_init
        mv      s0, a0                          /* satp of the root */
        csrw    satp, zero
        li      t0, (1 << SATP_MODE_SHIFT) | 0x1234
        csrw    satp, t0
        csrr    a0, satp
        EXPECT  a0, 0
        li      t0, (11 << SATP_MODE_SHIFT) | 0x1234
        csrw    satp, t0
        csrr    a0, satp
        EXPECT  a0, 0
        li      t0, (15 << SATP_MODE_SHIFT) | 0x1234
        csrw    satp, t0
        csrr    a0, satp
        EXPECT  a0, 0
        csrw    satp, s0
        csrr    a0, satp
        EXPECT_REG a0, s0
        srli    a0, a0, SATP_MODE_SHIFT
        EXPECT  a0, MODE
        li      t0, (1 << SATP_MODE_SHIFT) | 0x1234
        csrw    satp, t0
        csrr    a0, satp
        EXPECT_REG a0, s0
        li      t0, (7 << SATP_MODE_SHIFT) | 0x1234
        csrw    satp, t0
        csrr    a0, satp
        EXPECT_REG a0, s0
        li      t0, (11 << SATP_MODE_SHIFT) | 0x1234
        csrw    satp, t0
        csrr    a0, satp
        EXPECT_REG a0, s0
        csrw    satp, zero

        /* build the test mappings, then turn translation on */
        VM_MAP_LABEL V4K_LOW, pg_a, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD, 0
        VM_MAP_LABEL V4K_TOP_POS, pg_b, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL V4K_LOW_NEG, pg_c, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL V4K_TOP_NEG, pg_d, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP_LABEL V4K_ALIAS, pg_d, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_MAP  VMEGA_LOW, REGION1, PTE_V | PTE_R | PTE_W | PTE_AD, 1
        VM_MAP  VMEGA_NEG, REGION2, PTE_V | PTE_R | PTE_W | PTE_AD, 1
        VM_MAP  VGIGA_NEG, RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD, 2
        VM_MAP  VGIGA_LOW, RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_AD, 2
#if L >= 4
        VM_MAP  VTERA, 0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD, 3
        VM_MAP  VMIS_TERA, RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_AD, 3
#endif
#if L >= 5
        VM_MAP  VPETA, 0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD, 4
        VM_MAP  VMIS_PETA, 0x8000000000, PTE_V | PTE_R | PTE_W | PTE_AD, 4
#endif
        VM_MAP  VMIS_MEGA, REGION1 + 0x1000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD, 1
        VM_MAP  VMIS_GIGA, RAM_BASE + 0x1000, PTE_V | PTE_R | PTE_W | PTE_AD, 2
        VM_MAP_LABEL VRES_W, pg_a, PTE_V | PTE_W | PTE_AD, 0
        VM_MAP_LABEL VRES_WX, pg_code, PTE_V | PTE_W | PTE_X | PTE_AD, 0
        VM_MAP_LABEL VRES_B63, pg_a, PTE_V | PTE_R | PTE_W | PTE_AD | (1 << 63), 0
        VM_MAP_LABEL VRES_B54, pg_a, PTE_V | PTE_R | PTE_W | PTE_AD | (1 << 54), 0
        VM_MAP_LABEL VRES_PBMT, pg_a, PTE_V | PTE_R | PTE_W | PTE_AD | (1 << 61), 0
        VM_MAP_LABEL VRES_NL, pg_a, PTE_V | PTE_R | PTE_W | PTE_AD, 0
        VM_PTE  VRES_NL, 1                      /* its level-1 (non-leaf) PTE */
        ld      t0, 0(a0)
        li      t1, 1 << 60
        or      t0, t0, t1
        sd      t0, 0(a0)
        /* VRES_L0PTR: a level-0 PTE pointing to a "table" (no R/W/X) */
        VM_MAP_LABEL VRES_L0PTR, pg_a, PTE_V, 0
        VM_ON

        /* identity mapping: S runs, reads and writes its own data */
        TEST 2
        la      s1, pg_a
        li      a0, 0
        li      a2, 0x1234
        TRY     PRV_S, "ld a0, 0(s1)", "sd a2, 0x10(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_A
        EXPECT_MEM pg_a + 0x10, 0x1234

        /* 4 KiB pages */
        TEST 3
        S_LOAD_OK V4K_LOW, MARK_A
        S_LOAD_OK V4K_LOW + 0x800, MARK_A2
        li      s1, V4K_LOW                     /* fetch: pg_a is RWX */
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0x100(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77

        TEST 4
        S_LOAD_OK V4K_TOP_POS, MARK_B
        S_LOAD_OK V4K_TOP_POS + 0xff8, 0

        TEST 5
        S_LOAD_OK V4K_LOW_NEG, MARK_C

        TEST 6
        S_LOAD_OK V4K_TOP_NEG, MARK_D
        S_LOAD_OK V4K_TOP_NEG + 0xff8, MARK_D2

        /* stores; two VAs for one page */
        TEST 7
        li      s1, V4K_TOP_NEG
        li      s2, V4K_ALIAS
        li      a2, 0x0123456789abcdef
        TRY     PRV_S, "sd a2, 0x10(s1)", "ld a0, 0x10(s2)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x0123456789abcdef
        EXPECT_MEM pg_d + 0x10, 0x0123456789abcdef
        li      s1, V4K_TOP_POS + 0xff8
        li      a2, 0x55
        TRY     PRV_S, "sb a2, 7(s1)"
        EXPECT_OK PRV_S
        EXPECT_MEM pg_b + 0xff8, 0x5500000000000000

        /* 2 MiB pages */
        TEST 8
        S_LOAD_OK VMEGA_LOW, MARK_R1_0
        S_LOAD_OK VMEGA_LOW + 0x1008, MARK_R1_1
        S_LOAD_OK VMEGA_LOW + 0x1ffff8, MARK_R1_E

        TEST 9
        S_LOAD_OK VMEGA_NEG, MARK_R2_0
        S_LOAD_OK VMEGA_NEG + 0x1008, MARK_R2_1
        S_LOAD_OK VMEGA_NEG + 0x1ffff8, MARK_R2_E
        li      s1, VMEGA_NEG + 0x2000
        li      a2, 0x600d
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PHYS REGION2 + 0x2000, 0x600d

        /* 1 GiB pages over RAM (the rest of the gigabyte is never touched) */
        TEST 10
        la      s1, pg_a
        li      t0, VGIGA_NEG - RAM_BASE
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_A
        S_LOAD_OK VGIGA_NEG + (REGION2 - RAM_BASE) + 0x1008, MARK_R2_1
        la      s1, pg_code
        li      t0, VGIGA_NEG - RAM_BASE
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77
        li      s1, VGIGA_NEG + (REGION1 - RAM_BASE) + 0x3000
        li      a2, 0xfeed
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_PHYS REGION1 + 0x3000, 0xfeed

        TEST 11
        la      s1, pg_c
        li      t0, VGIGA_LOW - RAM_BASE
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_C
        S_LOAD_OK VGIGA_LOW + (REGION1 - RAM_BASE) + 0x1ffff8, MARK_R1_E

        /* 512 GiB page over physical 0 .. 512 GiB (Sv48, Sv57) */
        TEST 12
#if L >= 4
        la      s1, pg_b
        li      t0, VTERA
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_B
        S_LOAD_OK VTERA + REGION2 + 0x1008, MARK_R2_1
        la      s1, pg_code
        li      t0, VTERA
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77
#endif

        /* 256 TiB page over physical 0 .. 256 TiB (Sv57) */
        TEST 13
#if L >= 5
        la      s1, pg_d
        li      t0, VPETA + 0xff8
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, MARK_D2
        S_LOAD_OK VPETA + REGION1 + 0x1008, MARK_R1_1
        la      s1, pg_code
        li      t0, VPETA
        add     s1, s1, t0
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77
#endif

        /* misaligned superpages: page fault */
        TEST 14
        li      s1, VMIS_MEGA
        S_LOAD_FAULT_S1
        li      s1, VMIS_MEGA + 0x1008
        S_LOAD_FAULT_S1
        li      s1, VMIS_MEGA + 0x10
        S_STORE_FAULT_S1
        EXPECT_PHYS REGION1 + 0x1010, 0

        TEST 15
        li      s1, VMIS_MEGA + 0x100
        S_FETCH_FAULT_S1

        TEST 16
        li      s1, VMIS_GIGA
        S_LOAD_FAULT_S1
        li      s1, VMIS_GIGA + 0x20
        S_STORE_FAULT_S1

        TEST 17
#if L >= 4
        li      s1, VMIS_TERA + 0x1008
        S_LOAD_FAULT_S1
#endif

        TEST 18
#if L >= 5
        li      s1, VMIS_PETA + 0x1008
        S_LOAD_FAULT_S1
#endif

        /* non-canonical VAs (the low VA_BITS bits would translate through
         * the identity map): page fault, mtval = the whole VA */
        TEST 19
        la      s1, pg_a
        li      t0, 1 << VA_BITS
        or      s1, s1, t0
        S_LOAD_FAULT_S1
        S_STORE_FAULT_S1

        TEST 20
        la      s1, pg_a
        li      t0, -1 << VA_BITS
        or      s1, s1, t0
        S_LOAD_FAULT_S1
        S_STORE_FAULT_S1

        TEST 21
        la      s1, pg_a
        li      t0, 1 << 63
        or      s1, s1, t0
        S_LOAD_FAULT_S1

        TEST 22
        la      s1, pg_code
        li      t0, 1 << VA_BITS
        or      s1, s1, t0
        S_FETCH_FAULT_S1

        /* reserved encodings */
        TEST 23                                 /* W without R */
        li      s1, VRES_W
        S_LOAD_FAULT_S1
        S_STORE_FAULT_S1

        TEST 24                                 /* W + X without R */
        li      s1, VRES_WX
        S_FETCH_FAULT_S1
        S_LOAD_FAULT_S1

        TEST 25                                 /* bit 63 (N without Svnapot) */
        li      s1, VRES_B63
        S_LOAD_FAULT_S1

        TEST 26                                 /* bit 54 */
        li      s1, VRES_B54
        S_LOAD_FAULT_S1

        TEST 27                                 /* bits 62:61 = 1 (no Svpbmt) */
        li      s1, VRES_PBMT
        S_LOAD_FAULT_S1

        TEST 28                                 /* bit 60 in a non-leaf PTE */
        li      s1, VRES_NL
        S_LOAD_FAULT_S1

        TEST 29                                 /* non-leaf PTE at level 0 */
        li      s1, VRES_L0PTR
        S_LOAD_FAULT_S1

        TEST 30                                 /* invalid PTEs */
        li      s1, V4K_LOW + 0x2000
        S_LOAD_FAULT_S1
        li      s1, VNEG_UNMAPPED
        S_LOAD_FAULT_S1
        S_STORE_FAULT_S1
        li      s1, VNEG_UNMAPPED + 0x100
        S_FETCH_FAULT_S1

        /* page faults delegated to S */
        TEST 31
        li      t0, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
        csrw    medeleg, t0
        li      s1, VNEG_UNMAPPED + 8
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_SFAULT CAUSE_LOAD_PAGE_FAULT, s1
        EXPECT  a0, 0x5a5a
        li      s1, VMIS_MEGA
        TRY     PRV_S, "sd a0, 0(s1)"
        EXPECT_SFAULT CAUSE_STORE_PAGE_FAULT, s1
        la      s1, pg_code
        li      t0, 1 << VA_BITS
        or      s1, s1, t0
        TRAP_RESET
        STRAP_TO_M
        ENTER_MODE PRV_S, 1f, 2f
1:      jalr    ra, 0(s1)
        ecall
2:      EXPECT_SFETCH_FAULT CAUSE_FETCH_PAGE_FAULT, s1
        csrw    medeleg, zero

        /* running off the end of the positive canonical half: the next
         * fetch is at the first non-canonical VA -> fetch page fault */
        TEST 32
        VM_MAP_LABEL V4K_TOP_POS, pg_end, PTE_V | PTE_X | PTE_AD, 0
        VM_MAP_LABEL V4K_TOP_NEG, pg_end, PTE_V | PTE_X | PTE_AD, 0
        sfence.vma
        li      s1, V4K_TOP_POS + 0xffe
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL 1 << (VA_BITS - 1)
        EXPECT_MTRAP_TVAL 1 << (VA_BITS - 1)
        EXPECT  a0, 7

        /* running off the top of the address space wraps to VA 0 (mapped
         * by the device gigapage, not executable) */
        TEST 33
        li      s1, V4K_TOP_NEG + 0xffe
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL 0
        EXPECT_MTRAP_TVAL 0
        EXPECT  a0, 7

        VM_OFF
        j       pass

/* executable test page: offsets 0 and 0x100 hold `li a0, 0x77; ret` */
        .balign 4096
pg_code:
        li      a0, 0x77
        ret

        .data
        .balign 4096
pg_a:   .dword  MARK_A
        .fill   0x100 - 8, 1, 0
        /* pg_a + 0x100: code (pg_a is mapped RWX at V4K_LOW) */
        li      a0, 0x77
        ret
        .balign 0x800
        .dword  MARK_A2
        .balign 4096
pg_b:   .dword  MARK_B
        .balign 4096
pg_c:   .dword  MARK_C
        .balign 4096
pg_d:   .dword  MARK_D
        .fill   0xff8 - 8, 1, 0
        .dword  MARK_D2
        .balign 4096
pg_end: .skip   4094
        c.li    a0, 7                           /* the last 2 bytes */
        .balign 4096
        VM_FINISH

/* vm_cross - accesses that cross a 4 KiB page boundary under Sv39.
 *  - misaligned loads/stores from a mapped page into an unmapped (or
 *    read-only, or U) page: page fault (13 / 15) at the instruction, mtval =
 *    the first byte of the second page (the address of the part of the
 *    access that faulted; QEMU 7.2 reports exactly that), and a faulting
 *    store writes nothing, not even its bytes in the first page;
 *  - when both pages are mapped (to physically non-adjacent pages) the
 *    access is performed with the right bytes from each page;
 *  - a 32-bit instruction whose second half is in an unmapped or
 *    non-executable page: fetch page fault (12), mepc = the instruction,
 *    mtval = the first byte of the second page (as QEMU 7.2); reached by a
 *    jump to it and by falling through; with both pages executable it runs
 *    with its halves taken from the two (non-adjacent) physical pages;
 *  - a 16-bit instruction in the last two bytes runs, then the fetch of
 *    the next page faults (mepc = mtval = the page);
 *  - the same faults delegated to S (scause / sepc / stval). */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"

#define VA_P    0x0000000300000000      /* pg_x, next page unmapped */
#define VA_Q    0x0000000300010000      /* pg_y, next page -> pg_z */
#define VA_R    0x0000000300020000      /* pg_w, next page -> pg_v read-only */
#define VA_U    0x0000000300030000      /* pg_w, next page -> pg_v with U */
#define VA_C    0x0000000300040000      /* cp1, next page unmapped */
#define VA_D    0x0000000300050000      /* cp1, next page -> cp2 (X) */
#define VA_E    0x0000000300060000      /* cp3, next page unmapped */
#define VA_F    0x0000000300070000      /* cp1, next page -> cp2 (RW, no X) */

#define RW      (PTE_V | PTE_R | PTE_W | PTE_AD)
#define RO      (PTE_V | PTE_R | PTE_AD)
#define XO      (PTE_V | PTE_X | PTE_AD)

#define X_TAIL  0x0807060504030201      /* pg_x + 4088 */
#define Y_TAIL  0x8877665544332211      /* pg_y + 4088 */
#define Z_HEAD  0xffeeddccbbaa9988      /* pg_z + 0 */
#define W_TAIL  0x4847464544434241      /* pg_w + 4088 */
#define V_HEAD  0x5857565554535251      /* pg_v + 0 */

/* insn at s1 (+off in insn) in S must page-fault with cause, mtval = s2 */
.macro CROSS_FAULT cause, insn
        TRY     PRV_S, "\insn"
        EXPECT_FAULT \cause, s2
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        li      a0, 3
        call    vm_init
        VM_MAP_LABEL VA_P, pg_x, RW, 0
        VM_MAP_LABEL VA_Q, pg_y, RW, 0
        VM_MAP_LABEL VA_Q + 0x1000, pg_z, RW, 0
        VM_MAP_LABEL VA_R, pg_w, RW, 0
        VM_MAP_LABEL VA_R + 0x1000, pg_v, RO, 0
        VM_MAP_LABEL VA_U, pg_w, RW, 0
        VM_MAP_LABEL VA_U + 0x1000, pg_v, RW | PTE_U, 0
        VM_MAP_LABEL VA_C, cp1, XO, 0
        VM_MAP_LABEL VA_D, cp1, XO, 0
        VM_MAP_LABEL VA_D + 0x1000, cp2, XO, 0
        VM_MAP_LABEL VA_E, cp3, XO, 0
        VM_MAP_LABEL VA_F, cp1, XO, 0
        VM_MAP_LABEL VA_F + 0x1000, cp2, RW, 0
        li      t0, MSTATUS_SUM | MSTATUS_MXR
        csrc    mstatus, t0
        VM_ON

        /* loads from a mapped page into an unmapped one */
        TEST 1
        li      s1, VA_P + 4093
        li      s2, VA_P + 0x1000
        li      a0, 0x5a5a
        CROSS_FAULT CAUSE_LOAD_PAGE_FAULT, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        li      s1, VA_P + 4094
        CROSS_FAULT CAUSE_LOAD_PAGE_FAULT, "lw a0, 0(s1)"
        li      s1, VA_P + 4095
        CROSS_FAULT CAUSE_LOAD_PAGE_FAULT, "lhu a0, 0(s1)"
        li      s1, VA_P + 4089
        CROSS_FAULT CAUSE_LOAD_PAGE_FAULT, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a

        /* the same misaligned accesses inside the page work */
        TEST 2
        li      s1, VA_P + 4087
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x0706050403020100
        li      s1, VA_P + 4093
        TRY     PRV_S, "lhu a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x0706

        /* stores into the unmapped page: fault, nothing written */
        TEST 3
        li      s1, VA_P + 4093
        li      s2, VA_P + 0x1000
        li      a2, 0xa1a2a3a4a5a6a7a8
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sd a2, 0(s1)"
        EXPECT_MEM pg_x + 4088, X_TAIL
        li      s1, VA_P + 4094
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sw a2, 0(s1)"
        EXPECT_MEM pg_x + 4088, X_TAIL
        li      s1, VA_P + 4095
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sh a2, 0(s1)"
        EXPECT_MEM pg_x + 4088, X_TAIL
        li      s1, VA_P + 4089
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sd a2, 0(s1)"
        EXPECT_MEM pg_x + 4088, X_TAIL

        /* both pages mapped (physically apart): performed, bytes from each */
        TEST 4
        li      s1, VA_Q + 4093
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0xccbbaa9988887766
        li      s1, VA_Q + 4095
        TRY     PRV_S, "lw a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0xffffffffaa998888
        li      s1, VA_Q + 4091
        li      a2, 0x0123456789abcdef
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT_MEM pg_y + 4088, 0x6789abcdef332211
        EXPECT_MEM pg_z, 0xffeeddccbb012345
        EXPECT_MEM gap, 0x5555555555555555

        /* second page read-only: loads work, stores fault and write
         * nothing */
        TEST 5
        li      s1, VA_R + 4092
        li      a0, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x5453525148474645
        li      s2, VA_R + 0x1000
        li      a2, -1
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sd a2, 0(s1)"
        EXPECT_MEM pg_w + 4088, W_TAIL
        EXPECT_MEM pg_v, V_HEAD
        li      s1, VA_R + 4095
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sh a2, 0(s1)"
        EXPECT_MEM pg_w + 4088, W_TAIL

        /* second page is a U page (SUM = 0): S load faults */
        TEST 6
        li      s1, VA_U + 4090
        li      s2, VA_U + 0x1000
        li      a0, 0x5a5a
        CROSS_FAULT CAUSE_LOAD_PAGE_FAULT, "ld a0, 0(s1)"
        EXPECT  a0, 0x5a5a
        CROSS_FAULT CAUSE_STORE_PAGE_FAULT, "sd a2, 0(s1)"
        EXPECT_MEM pg_w + 4088, W_TAIL

        /* delegated to S */
        TEST 7
        li      t0, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
        csrw    medeleg, t0
        li      s1, VA_P + 4092
        li      s2, VA_P + 0x1000
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_SFAULT CAUSE_LOAD_PAGE_FAULT, s2
        EXPECT  a0, 0x5a5a
        li      a2, -1
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_SFAULT CAUSE_STORE_PAGE_FAULT, s2
        EXPECT_MEM pg_x + 4088, X_TAIL
        csrw    medeleg, zero

        /* fetch: a jump to a 32-bit instruction whose second half is in
         * the unmapped next page */
        TEST 8
        li      s1, VA_C + 4094
        li      s2, VA_C + 0x1000
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL VA_C + 4094
        EXPECT_MTRAP_TVAL VA_C + 0x1000
        EXPECT  a0, 0

        /* ... reached by falling through from the previous instruction */
        TEST 9
        li      s1, VA_C + 4090
        li      a0, 0
        li      a1, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL VA_C + 4094
        EXPECT_MTRAP_TVAL VA_C + 0x1000
        EXPECT  a1, 5
        EXPECT  a0, 0

        /* both pages executable: the halves come from cp1 and cp2 (the
         * page physically after cp1 holds a different second half) */
        TEST 10
        li      s1, VA_D + 4090
        li      a0, 10
        li      a1, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a1, 5
        EXPECT  a0, 11
        li      s1, VA_D + 4094
        li      a0, 20
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 21

        /* second page mapped but not executable */
        TEST 11
        li      s1, VA_F + 4090
        li      a0, 0
        li      a1, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL VA_F + 4094
        EXPECT_MTRAP_TVAL VA_F + 0x1000
        EXPECT  a1, 5
        EXPECT  a0, 0

        /* a compressed instruction at the end of the page runs; the next
         * fetch faults on the next page */
        TEST 12
        li      s1, VA_E + 4094
        li      a0, 0
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_MTRAP_EPC_VAL VA_E + 0x1000
        EXPECT_MTRAP_TVAL VA_E + 0x1000
        EXPECT  a0, 7

        /* straddling fetch fault delegated to S */
        TEST 13
        li      t0, 1 << CAUSE_FETCH_PAGE_FAULT
        csrw    medeleg, t0
        li      s1, VA_C + 4094
        li      a0, 0
        TRY_TO_M PRV_S, "jalr ra, 0(s1)"
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE CAUSE_FETCH_PAGE_FAULT
        EXPECT_STRAP_EPC_VAL VA_C + 4094
        EXPECT_STRAP_TVAL VA_C + 0x1000
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        csrw    medeleg, zero

        VM_OFF
        j       pass

/* code pages (run through VA_C / VA_D / VA_E / VA_F only) */
        .balign 4096
cp1:    .skip   4090
        .option push
        .option norvc
        addi    a1, zero, 5                     /* cp1 + 4090 */
        .half   0x0513                          /* addi a0, a0, 1: low half */
        .option pop
cp1_next:                                       /* physically after cp1 */
        .half   0x0025                          /* ... would be addi a0, a0, 2 */
        ret
        .balign 4096
cp2:    .half   0x0015                          /* addi a0, a0, 1: high half */
        ret
        .balign 4096
cp3:    .skip   4094
        c.li    a0, 7
        .half   0x0001                          /* c.nop */
        ret
        .balign 4096

        .data
        .balign 4096
pg_x:   .skip   4088
        .dword  X_TAIL
        .dword  0x0909090909090909
        .balign 4096
pg_y:   .skip   4088
        .dword  Y_TAIL
gap:    .fill   4096, 1, 0x55
pg_z:   .dword  Z_HEAD
        .balign 4096
pg_w:   .skip   4088
        .dword  W_TAIL
pg_v:   .dword  V_HEAD
        .balign 4096
        VM_FINISH

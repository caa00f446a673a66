/* sv39.S - Sv39 page-table helpers and the M-to-S switch (M-mode code).
 * Included by the Sv39 guests after rt.S.  The tables built here:
 *   pt_root[0]      -> pt_l1_io
 *   pt_root[2]      -> pt_l1_ram            (VA/PA 0x8000_0000 .. 0xc000_0000)
 *   pt_l1_io[0]     =  2 MiB leaf at 0x0    (finisher at 0x10_0000), RW
 *   pt_l1_io[0x80]  =  2 MiB leaf at 0x1000_0000 (UART), RW
 *   pt_l1_ram[0]    -> pt_l0_kernel
 *   pt_l0_kernel[*] =  512 4 KiB leaves over 0x8000_0000 .. 0x8020_0000, RWX
 * Everything is identity mapped; programs add their own entries to
 * pt_l1_ram (index (PA - 0x8000_0000) >> 21) before sv39_enter_s. */
#include "bench.h"

        .text
/* pt_fill: write a2 consecutive PTEs starting at entry a1 of table a0; the
 * first points at physical address a3, each next one a4 bytes further, all
 * with low bits a5 (flags).  Clobbers t0, a0, a2, a3. */
        .globl  pt_fill
pt_fill:
        slli    t0, a1, 3
        add     a0, a0, t0
1:      beqz    a2, 2f
        srli    t0, a3, 12
        slli    t0, t0, 10
        or      t0, t0, a5
        sd      t0, 0(a0)
        addi    a0, a0, 8
        add     a3, a3, a4
        addi    a2, a2, -1
        j       1b
2:      ret

/* sv39_map_kernel: build the tables listed above.  Uses the stack. */
        .globl  sv39_map_kernel
sv39_map_kernel:
        addi    sp, sp, -16
        sd      ra, 0(sp)
        la      a0, pt_root
        li      a1, 0
        li      a2, 1
        la      a3, pt_l1_io
        li      a4, 0
        li      a5, PTE_TABLE
        call    pt_fill
        la      a0, pt_root
        li      a1, 2
        li      a2, 1
        la      a3, pt_l1_ram
        li      a4, 0
        li      a5, PTE_TABLE
        call    pt_fill
        la      a0, pt_l1_io
        li      a1, 0
        li      a2, 1
        li      a3, 0
        li      a4, 0
        li      a5, PTE_LEAF_RW
        call    pt_fill
        la      a0, pt_l1_io
        li      a1, UART0_BASE >> 21
        li      a2, 1
        li      a3, UART0_BASE
        li      a4, 0
        li      a5, PTE_LEAF_RW
        call    pt_fill
        la      a0, pt_l1_ram
        li      a1, 0
        li      a2, 1
        la      a3, pt_l0_kernel
        li      a4, 0
        li      a5, PTE_TABLE
        call    pt_fill
        la      a0, pt_l0_kernel
        li      a1, 0
        li      a2, KERNEL_SIZE >> 12
        li      a3, KERNEL_BASE
        li      a4, 4096
        li      a5, PTE_LEAF_RWX
        call    pt_fill
        ld      ra, 0(sp)
        addi    sp, sp, 16
        ret

/* sv39_enter_s: a0 = S-mode entry point.  Turns on Sv39 with pt_root,
 * checks that satp kept the mode (exit EXIT_NO_SV39 if the emulator only
 * implements Bare, so that a run never silently measures Bare), and mrets
 * to a0 in S-mode.  Nothing is delegated: any trap goes to m_trap. */
        .globl  sv39_enter_s
sv39_enter_s:
        la      t0, pt_root
        srli    t0, t0, 12
        li      t1, SATP_SV39
        or      t0, t0, t1
        csrw    satp, t0
        sfence.vma
        csrr    t1, satp
        bne     t0, t1, 1f
        li      t1, MSTATUS_MPP
        csrc    mstatus, t1
        li      t1, MSTATUS_MPP_S
        csrs    mstatus, t1
        csrw    mepc, a0
        mret
1:      mv      s0, t1
        la      a0, msg_no_sv39
        call    print_str
        mv      a0, s0
        call    print_hex
        la      a0, msg_nl
        call    print_str
        li      a0, EXIT_NO_SV39
        j       bench_exit

        .section .rodata
msg_no_sv39:    .asciz "satp did not accept Sv39; it reads "

        .section .bss.pagetables, "aw", @nobits
        .balign 4096
pt_root:        .space 4096
pt_l1_io:       .space 4096
        .globl  pt_l1_ram
pt_l1_ram:      .space 4096
pt_l0_kernel:   .space 4096

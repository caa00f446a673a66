/* tlbwalk_4k - S-mode under Sv39 walking 64 MiB of RAM (0x8200_0000 ..
 * 0x8600_0000) one dword per 4 KiB page (common/tlbwalk.S), the region
 * mapped with 16384 4 KiB leaf pages (32 level-0 tables): every touch is a
 * new page, so this measures TLB misses and three-level page walks.
 * Needs >= 128 MiB of RAM (the runner and QEMU use -m 256M). */
#include "rt.S"
#include "sv39.S"
#include "tlbwalk.S"

        .text
        .globl  bench_main
bench_main:
        call    sv39_map_kernel
        /* pt_l1_ram[16 .. 48) -> the 32 level-0 tables of the walk region */
        la      a0, pt_l1_ram
        li      a1, (WALK_BASE - KERNEL_BASE) >> 21
        li      a2, WALK_SIZE >> 21
        la      a3, walk_l0
        li      a4, 4096
        li      a5, PTE_TABLE
        call    pt_fill
        /* the level-0 tables are contiguous: fill them as one array */
        la      a0, walk_l0
        li      a1, 0
        li      a2, WALK_SIZE >> 12
        li      a3, WALK_BASE
        li      a4, 4096
        li      a5, PTE_LEAF_RW
        call    pt_fill
        la      a0, tlbwalk_run
        j       sv39_enter_s

        .section .bss.pagetables, "aw", @nobits
        .balign 4096
walk_l0:        .space (WALK_SIZE >> 21) * 4096

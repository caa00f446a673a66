/* tlbwalk_2m - the same walk as tlbwalk_4k (common/tlbwalk.S), but the
 * 64 MiB region is mapped with 32 2 MiB megapages (level-1 leaves): the
 * same page touches with 32 translations instead of 16384 and two-level
 * walks.  Time here / time of tlbwalk_4k shows what the small-page TLB
 * misses cost.  Needs >= 128 MiB of RAM (the runner and QEMU use -m 256M). */
#include "rt.S"
#include "sv39.S"
#include "tlbwalk.S"

        .text
        .globl  bench_main
bench_main:
        call    sv39_map_kernel
        /* pt_l1_ram[16 .. 48) = 2 MiB leaves over the walk region */
        la      a0, pt_l1_ram
        li      a1, (WALK_BASE - KERNEL_BASE) >> 21
        li      a2, WALK_SIZE >> 21
        li      a3, WALK_BASE
        li      a4, 1 << 21
        li      a5, PTE_LEAF_RW
        call    pt_fill
        la      a0, tlbwalk_run
        j       sv39_enter_s

/* intloop_sv39 - the same integer kernel as intloop_bare (common/intloop.S),
 * run in S-mode under Sv39: M-mode builds identity page tables (4 KiB leaf
 * pages over the image, 2 MiB pages for the finisher and UART; see
 * common/sv39.S), sets satp, delegates nothing and mrets to the kernel.
 * MIPS here / MIPS of intloop_bare is the cost of translation on
 * TLB-friendly code.  Needs >= 16 MiB of RAM. */
#include "rt.S"
#include "sv39.S"
#include "intloop.S"

        .text
        .globl  bench_main
bench_main:
        call    sv39_map_kernel
        la      a0, intloop_run
        j       sv39_enter_s

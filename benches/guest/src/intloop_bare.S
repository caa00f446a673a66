/* intloop_bare - the integer kernel (common/intloop.S) in M-mode with
 * translation off (satp = Bare): the interpreter's raw guest MIPS.
 * Needs >= 16 MiB of RAM (any size the emulators accept). */
#include "rt.S"
#include "intloop.S"

        .text
        .globl  bench_main
bench_main:
        j       intloop_run

/* cbench.h - the interface between a C benchmark guest and its runtime.
 *
 * A C benchmark (src/bench_*.c) is freestanding C that defines one
 * `const struct bench BENCH`: its name, a run() function doing one complete
 * unit of work from scratch (inputs generated, kernel run, result folded)
 * and returning a 64-bit checksum, and the checksum that unit must produce.
 *
 * On the guest it is linked with common/rt.S (M-mode start-up, PMP, trap
 * report, bench_exit) and common/cbench.c (bench_main, memcpy/memset, the
 * FDT bootargs reader): bench_main runs BENCH.run() `scale` times (1 unless
 * the kernel command line holds `bench.scale=N`), checks every result
 * against BENCH.expected, prints one line on the UART and exits through the
 * SiFive test finisher: 0 = pass, 1 = mismatch (EXIT_* in bench.h).
 *
 * On the host (build.sh, gen/host_main.c, -DBENCH_HOST) the same source is
 * compiled with the host C compiler and run once, so a wrong `expected`
 * or non-portable code fails the build before any emulator sees it.  Hence
 * the rules: fixed-width unsigned arithmetic only (wrap-around, no UB), no
 * checksum that depends on an address, memory outside the image only
 * through bench_heap().
 */
#ifndef RVDBT_CBENCH_H
#define RVDBT_CBENCH_H

#include <stddef.h>
#include <stdint.h>

struct bench {
  const char *name;
  uint64_t (*run)(void);
  uint64_t expected;
};

extern const struct bench BENCH;

/* Scratch memory for working sets larger than the 2 MiB image: on the guest
 * the 64 MiB at 0x8200_0000 (WALK_BASE..+WALK_SIZE in bench.h, the same
 * region tlbwalk_* walk; RAM must be >= 128 MiB), on the host a static
 * array.  Contents are undefined at entry to run(): initialise before use. */
#define BENCH_HEAP_SIZE (64u << 20)
void *bench_heap(void);

/* The guest's scale (bench.scale=N on the kernel command line), on the host
 * always 1.  For information only: bench_main repeats run() itself. */
uint32_t bench_scale(void);

/* xorshift64 pseudo-random numbers (any nonzero seed). */
static inline uint64_t xorshift64(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *s = x;
  return x;
}

/* Order-sensitive fold of one value into a checksum. */
static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

#endif

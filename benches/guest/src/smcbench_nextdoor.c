/* smcbench_nextdoor - data written next to its code, on the same page (the
 * shape of riscv-tests' `pmp` benchmark and of code with writable literal
 * pools): a hot loop keeps a 64-entry table of counters that the linker
 * places just before the loop's own instructions, inside one 4 KiB page of
 * .text.  Every iteration stores into that page; no store touches an
 * instruction.  An engine that invalidates code per page recompiles (or
 * re-decodes) the loop after every store; one that tracks the bytes of
 * translated instructions runs it like any other loop.  NEXTDOOR_ITERS
 * iterations of ~14 instructions, ~0.28G instructions per run. */
#include "cbench.h"

#define NEXTDOOR_ITERS (20u * 1000 * 1000)

#ifdef BENCH_HOST
#define NEXTDOOR_CODE
#define NEXTDOOR_DATA
#else
/* One page: the counters first (page-aligned), the loop right after them
 * (common/link.ld places .nextdoor.* in name order at the start of .text). */
#define NEXTDOOR_DATA __attribute__((section(".nextdoor.0data"), aligned(4096)))
#define NEXTDOOR_CODE __attribute__((section(".nextdoor.1code"), noipa))
#endif

static NEXTDOOR_DATA volatile uint64_t counters[64];

static NEXTDOOR_CODE uint64_t churn(uint64_t seed, uint32_t n) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    uint32_t k = (uint32_t)seed & 63;
    counters[k] = counters[k] + i;
    sum += counters[(seed >> 6) & 63];
  }
  return sum;
}

static uint64_t run(void) {
  for (int k = 0; k < 64; k++)
    counters[k] = (uint64_t)k;
  uint64_t h = churn(0x9e3779b97f4a7c15ull, NEXTDOOR_ITERS);
  for (int k = 0; k < 64; k++)
    h = mix64(h, counters[k]);
  return h;
}

const struct bench BENCH = {"smcbench_nextdoor", run, 0xf92d871a1b2ac8a0ull};

/* host_main.c - runs one C benchmark (src/bench_*.c) once on the host.
 * build.sh compiles each benchmark with the host C compiler, -DBENCH_HOST
 * and this file, and fails unless the host computes the checksum the
 * source expects: a wrong constant or non-portable code is caught before
 * the guest is ever run.  Prints "name: 0x... ok" or the mismatch. */
#include <inttypes.h>
#include <stdio.h>

#include "cbench.h"

static uint64_t heap[BENCH_HEAP_SIZE / sizeof(uint64_t)];

void *bench_heap(void) { return heap; }

uint32_t bench_scale(void) { return 1; }

int main(void) {
  uint64_t got = BENCH.run();
  if (got != BENCH.expected) {
    printf("%s: host checksum 0x%016" PRIx64 ", source expects 0x%016" PRIx64 "\n", BENCH.name,
           got, BENCH.expected);
    return 1;
  }
  printf("%s: 0x%016" PRIx64 " ok\n", BENCH.name, got);
  return 0;
}

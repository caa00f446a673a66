/* bench_memcpy - a byte-by-byte copy loop (load byte, store byte, two
 * pointer bumps, branch: 5 instructions per byte) moving 4 MiB between two
 * heap buffers MEMCPY_REPS times, back and forth, at a source offset that
 * changes every pass (so most passes copy between differently aligned
 * addresses).  The data are folded into the checksum at the end.  ~0.5G
 * instructions per run.  build.sh compiles with
 * -fno-tree-loop-distribute-patterns, so gcc keeps the loop a loop. */
#include "cbench.h"

#define MEMCPY_SIZE (4u << 20)
#define MEMCPY_REPS 24
#define MEMCPY_SLACK 64
/* Distance between the two buffers: 4 MiB + 36 KiB, an odd number of
 * pages, so the source and destination pages of a pass never share a slot
 * of a direct-mapped TLB of any power-of-two size (at exactly 1 MiB
 * apart, QEMU's 256-entry TLB would thrash on every byte). */
#define MEMCPY_GAP (MEMCPY_SIZE + (36u << 10))

static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n) {
  while (n--)
    *d++ = *s++;
}

static uint64_t run(void) {
  uint8_t *a = bench_heap();
  uint8_t *b = a + MEMCPY_GAP;
  uint64_t seed = 0x6a09e667f3bcc909ull, h = 0;
  for (size_t i = 0; i < MEMCPY_SIZE + MEMCPY_SLACK; i += 8) {
    uint64_t v = xorshift64(&seed), w = xorshift64(&seed);
    for (int k = 0; k < 8; k++) {
      a[i + k] = (uint8_t)(v >> (8 * k));
      b[i + k] = (uint8_t)(w >> (8 * k));
    }
  }
  for (uint32_t r = 0; r < MEMCPY_REPS; r++) {
    size_t off = (r * 7) % MEMCPY_SLACK;
    if (r & 1)
      copy_bytes(a, b + off, MEMCPY_SIZE);
    else
      copy_bytes(b, a + off, MEMCPY_SIZE);
    h = mix64(h, (r & 1) ? a[r * 4099] : b[r * 4099]);
  }
  const uint64_t *w = (const uint64_t *)a;
  uint64_t sum = 0;
  for (size_t i = 0; i < MEMCPY_SIZE / 8; i += 61)
    sum = sum * 31 + w[i];
  return mix64(h, sum);
}

const struct bench BENCH = {"bench_memcpy", run, 0xccfc1c37574c1306ull};

/* bench_matmul - integer matrix multiply: C = A x B on 96x96 uint32
 * matrices (36 KiB each, 108 KiB working set), naive i-j-k order (the
 * inner loop walks B by column, a 384-byte stride), repeated MATMUL_REPS
 * times with the product fed back as the next A.  About 7 instructions
 * per inner step (two loads, mul, add, two pointer bumps, branch):
 * 0.89M steps per product, ~0.5G instructions per run. */
#include "cbench.h"

#define N 96
#define MATMUL_REPS 80

static uint32_t m[3][N][N];

static void matmul(uint32_t (*c)[N], uint32_t (*a)[N], uint32_t (*b)[N]) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      uint32_t s = 0;
      for (int k = 0; k < N; k++)
        s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
}

static uint64_t run(void) {
  uint64_t seed = 0x2545f4914f6cdd1dull;
  uint32_t (*a)[N] = m[0], (*b)[N] = m[1], (*c)[N] = m[2];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (uint32_t)xorshift64(&seed) & 0xffff;
      b[i][j] = (uint32_t)xorshift64(&seed) & 0xffff;
    }
  uint64_t h = 0;
  for (int r = 0; r < MATMUL_REPS; r++) {
    matmul(c, a, b);
    /* fold one diagonal, then the product becomes the next A */
    for (int i = 0; i < N; i++)
      h = mix64(h, c[i][(i + r) % N]);
    uint32_t (*t)[N] = a;
    a = c;
    c = t;
  }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      h = mix64(h, a[i][j]);
  return h;
}

const struct bench BENCH = {"bench_matmul", run, 0xc247f90c2416d1fcull};

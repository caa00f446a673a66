/* fpbench_linalg - dense double-precision linear algebra: C = A x B on
 * 64x64 matrices (i-k-j order, the inner loop a row AXPY), then Gaussian
 * elimination with partial pivoting of C, LINALG_REPS times with the
 * product fed back.  The checksum folds result bit patterns, so guest and
 * host must agree to the last bit (-ffp-contract=off on both). Built
 * rv64gc. */
#include "cbench.h"

#define N 64
#define LINALG_REPS 24

static double m[3][N][N];

static uint64_t bits(double d) {
  union {
    double d;
    uint64_t u;
  } v = {d};
  return v.u;
}

static void matmul(double (*c)[N], double (*a)[N], double (*b)[N]) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++)
      c[i][j] = 0;
    for (int k = 0; k < N; k++) {
      double s = a[i][k];
      for (int j = 0; j < N; j++)
        c[i][j] += s * b[k][j];
    }
  }
}

/* Row-reduces a copy of `a` to upper triangular form; returns the folded
 * pivots. */
static uint64_t eliminate(double (*t)[N], double (*a)[N]) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      t[i][j] = a[i][j];
  uint64_t h = 0;
  for (int k = 0; k < N; k++) {
    int p = k;
    for (int i = k + 1; i < N; i++) {
      double x = t[i][k] < 0 ? -t[i][k] : t[i][k];
      double y = t[p][k] < 0 ? -t[p][k] : t[p][k];
      if (x > y)
        p = i;
    }
    if (p != k)
      for (int j = 0; j < N; j++) {
        double s = t[k][j];
        t[k][j] = t[p][j];
        t[p][j] = s;
      }
    double piv = t[k][k];
    h = mix64(h, bits(piv));
    if (piv == 0)
      continue;
    for (int i = k + 1; i < N; i++) {
      double f = t[i][k] / piv;
      for (int j = k; j < N; j++)
        t[i][j] -= f * t[k][j];
    }
  }
  return h;
}

static uint64_t run(void) {
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  double (*a)[N] = m[0], (*b)[N] = m[1], (*c)[N] = m[2];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (double)(xorshift64(&seed) % 2001) / 1000.0 - 1.0;
      b[i][j] = (double)(xorshift64(&seed) % 2001) / 1000.0 - 1.0;
    }
  uint64_t h = 0;
  for (int r = 0; r < LINALG_REPS; r++) {
    matmul(c, a, b);
    /* scale the product back to O(1) entries, then reduce it */
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++)
        c[i][j] /= 8.0;
    h = mix64(h, eliminate(a, c));
    double (*t)[N] = a;
    a = c;
    c = t;
  }
  return h;
}

const struct bench BENCH = {"fpbench_linalg", run, 0x1d9f832e6ca523f2ull};

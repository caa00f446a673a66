/* fpbench_nbody - the classic five-body planetary simulation (double
 * precision): N_STEPS symplectic-Euler steps of 0.01 days, with the
 * pairwise forces from one square root and one division per pair.  About
 * 10 pairs x ~30 FP operations per step; the checksum folds the bit
 * patterns of every position and velocity after each STRIDE steps, so the
 * guest must agree with the host's IEEE arithmetic to the last bit (both
 * are built with -ffp-contract=off: no fused multiply-add). Built rv64gc. */
#include "cbench.h"

#define NB 5
#define N_STEPS 200000
#define STRIDE 5000

struct body {
  double x, y, z, vx, vy, vz, m;
};

static uint64_t bits(double d) {
  union {
    double d;
    uint64_t u;
  } v = {d};
  return v.u;
}

static uint64_t run(void) {
  const double pi = 3.141592653589793, days = 365.24, sm = 4 * pi * pi;
  struct body b[NB] = {
      {0, 0, 0, 0, 0, 0, sm},
      {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
       1.66007664274403694e-03 * days, 7.69901118419740425e-03 * days,
       -6.90460016972063023e-05 * days, 9.54791938424326609e-04 * sm},
      {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
       -2.76742510726862411e-03 * days, 4.99852801234917238e-03 * days,
       2.30417297573763929e-05 * days, 2.85885980666130812e-04 * sm},
      {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
       2.96460137564761618e-03 * days, 2.37847173959480950e-03 * days,
       -2.96589568540237556e-05 * days, 4.36624404335156298e-05 * sm},
      {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
       2.68067772490389322e-03 * days, 1.62824170038242295e-03 * days,
       -9.51592254519715870e-05 * days, 5.15138902046611451e-05 * sm},
  };
  const double dt = 0.01;
  uint64_t h = 0;
  for (int s = 0; s < N_STEPS; s++) {
    for (int i = 0; i < NB; i++)
      for (int j = i + 1; j < NB; j++) {
        double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        double d2 = dx * dx + dy * dy + dz * dz;
        double d = __builtin_sqrt(d2);
        double mag = dt / (d2 * d);
        b[i].vx -= dx * b[j].m * mag;
        b[i].vy -= dy * b[j].m * mag;
        b[i].vz -= dz * b[j].m * mag;
        b[j].vx += dx * b[i].m * mag;
        b[j].vy += dy * b[i].m * mag;
        b[j].vz += dz * b[i].m * mag;
      }
    for (int i = 0; i < NB; i++) {
      b[i].x += dt * b[i].vx;
      b[i].y += dt * b[i].vy;
      b[i].z += dt * b[i].vz;
    }
    if (s % STRIDE == 0)
      for (int i = 0; i < NB; i++) {
        h = mix64(h, bits(b[i].x));
        h = mix64(h, bits(b[i].vz));
      }
  }
  for (int i = 0; i < NB; i++) {
    h = mix64(h, bits(b[i].x));
    h = mix64(h, bits(b[i].y));
    h = mix64(h, bits(b[i].z));
  }
  return h;
}

const struct bench BENCH = {"fpbench_nbody", run, 0x3365a6e96ea67326ull};

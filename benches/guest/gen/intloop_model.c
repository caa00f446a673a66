/* intloop_model.c - host model of common/intloop.S: prints the checksum the
 * guest must reach after ITERS iterations (argv[1]) as 0x + 16 hex digits.
 * build.sh compiles it with the host C compiler and passes the result to the
 * guest as INTLOOP_EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s ITERS\n", argv[0]);
    return 2;
  }
  uint64_t iters = strtoull(argv[1], NULL, 0);
  uint64_t arr[64] = {0};
  uint64_t x = 0x9e3779b97f4a7c15ull, acc = 0;
  for (uint64_t n = 0; n < iters; n++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t *p = &arr[(x & 0x1f8) >> 3];
    uint64_t v = *p + x;
    *p = v;
    acc ^= v;
    if (x & 1)
      acc += 7;
    else
      acc += acc >> 3;
  }
  for (int i = 0; i < 64; i++) {
    acc = (acc << 1) | (acc >> 63);
    acc ^= arr[i];
  }
  printf("0x%016" PRIx64 "\n", acc);
  return 0;
}

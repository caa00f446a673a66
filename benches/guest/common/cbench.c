/* cbench.c - guest runtime of the C benchmarks (see cbench.h).
 *
 * rt.S jumps to bench_main in M-mode with a0 = hartid and a1 = the device
 * tree (QEMU's and rvdbt's boot contract).  bench_main reads the scale from
 * /chosen/bootargs, runs BENCH.run() that many times, checks each result
 * and exits.  Scale 0 runs nothing and passes: the runner times QEMU's
 * start-up that way.  Also provides memcpy/memset, which gcc may call on its own
 * even in freestanding code. */
#include "bench.h"
#include "cbench.h"

void print_str(const char *s);
void print_hex(uint64_t v);
__attribute__((noreturn)) void bench_exit(uint64_t code);
__attribute__((noreturn)) void bench_main(uint64_t hartid, const void *fdt);

/* Largest accepted bench.scale. */
#define SCALE_MAX 1000

static uint32_t scale = 1;

void *bench_heap(void) { return (void *)(uintptr_t)WALK_BASE; }

uint32_t bench_scale(void) { return scale; }

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--)
    *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--)
    *d++ = (unsigned char)c;
  return dst;
}

static void print_dec(uint64_t v) {
  char buf[24];
  char *p = buf + sizeof buf;
  *--p = 0;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  print_str(p);
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

/* The value of /chosen/bootargs in the flattened device tree, or 0. */
static const char *fdt_bootargs(const unsigned char *fdt) {
  enum { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9 };
  if (!fdt || be32(fdt) != 0xd00dfeed)
    return 0;
  uint32_t size = be32(fdt + 4);
  const unsigned char *p = fdt + be32(fdt + 8), *end = fdt + size;
  const char *strings = (const char *)fdt + be32(fdt + 12);
  int depth = 0, in_chosen = 0;
  while (p + 4 <= end) {
    uint32_t tok = be32(p);
    p += 4;
    if (tok == BEGIN_NODE) {
      const char *name = (const char *)p;
      depth++;
      if (depth == 2)
        in_chosen = str_eq(name, "chosen");
      while (p < end && *p)
        p++;
      p = (const unsigned char *)(((uintptr_t)p + 4) & ~(uintptr_t)3);
    } else if (tok == END_NODE) {
      if (depth-- == 2)
        in_chosen = 0;
    } else if (tok == PROP) {
      uint32_t len = be32(p), nameoff = be32(p + 4);
      const char *value = (const char *)p + 8;
      if (in_chosen && depth == 2 && len > 0 && str_eq(strings + nameoff, "bootargs"))
        return value;
      p += 8 + ((len + 3) & ~3u);
    } else if (tok != NOP) {
      break;
    }
  }
  return 0;
}

/* N from the first "bench.scale=N" word of the command line (0..SCALE_MAX),
 * 1 if absent or malformed. */
static uint32_t parse_scale(const char *args) {
  static const char key[] = "bench.scale=";
  for (const char *w = args; w && *w;) {
    const char *k = key, *p = w;
    while (*k && *p == *k) {
      k++;
      p++;
    }
    if (!*k) {
      uint64_t n = 0;
      while (*p >= '0' && *p <= '9' && n <= SCALE_MAX)
        n = n * 10 + (uint64_t)(*p++ - '0');
      int digits = p > w + sizeof key - 1;
      return digits && n <= SCALE_MAX && (*p == 0 || *p == ' ') ? (uint32_t)n : 1;
    }
    while (*w && *w != ' ')
      w++;
    while (*w == ' ')
      w++;
  }
  return 1;
}

void bench_main(uint64_t hartid, const void *fdt) {
  (void)hartid;
  scale = parse_scale(fdt_bootargs(fdt));
  print_str(BENCH.name);
  print_str(": ");
  if (scale == 0) {
    print_str("nothing run (scale 0)\n");
    bench_exit(EXIT_PASS);
  }
  for (uint32_t i = 0; i < scale; i++) {
    uint64_t got = BENCH.run();
    if (got != BENCH.expected) {
      print_str("MISMATCH in run ");
      print_dec(i + 1);
      print_str(": checksum ");
      print_hex(got);
      print_str(", expected ");
      print_hex(BENCH.expected);
      print_str("\n");
      bench_exit(EXIT_MISMATCH);
    }
  }
  print_str("checksum ");
  print_hex(BENCH.expected);
  print_str(" ok (scale ");
  print_dec(scale);
  print_str(")\n");
  bench_exit(EXIT_PASS);
}

/* bench_crc - hashing: CRC_PASSES passes over a 256 KiB buffer (in the
 * heap), each computing a table-driven CRC-32 (IEEE, reflected, 1 KiB
 * table: ~10 instructions per byte) and a 64-bit FNV-1a (multiply per
 * byte, ~5 instructions per byte), then flipping one byte so the next
 * pass hashes different data.  ~0.5G instructions per run. */
#include "cbench.h"

#define CRC_BUF (256 * 1024)
#define CRC_PASSES 128

static uint32_t crc_table[256];

static void crc32_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc) {
  crc = ~crc;
  while (n--)
    crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  while (n--) {
    h ^= *p++;
    h *= 0x100000001b3ull;
  }
  return h;
}

static uint64_t run(void) {
  uint8_t *buf = bench_heap();
  uint64_t seed = 0xda942042e4dd58b5ull, h = 0;
  crc32_init();
  for (size_t i = 0; i < CRC_BUF; i += 8) {
    uint64_t v = xorshift64(&seed);
    for (int k = 0; k < 8; k++)
      buf[i + k] = (uint8_t)(v >> (8 * k));
  }
  uint32_t crc = 0;
  for (uint32_t pass = 0; pass < CRC_PASSES; pass++) {
    crc = crc32(buf, CRC_BUF, crc);
    uint64_t f = fnv1a64(buf, CRC_BUF);
    h = mix64(h, crc);
    h = mix64(h, f);
    buf[(f ^ pass) % CRC_BUF] ^= (uint8_t)(crc | 1);
  }
  /* the CRC of "123456789" is 0xcbf43926: check the table too */
  static const uint8_t check[] = "123456789";
  return mix64(h, crc32(check, 9, 0));
}

const struct bench BENCH = {"bench_crc", run, 0x51a23403e7747e68ull};

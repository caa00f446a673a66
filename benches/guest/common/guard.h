/* guard.h - one memory kernel timed in unguarded RAM and behind a
 * WorldGuard checker (benches/benches/iommu.rs compares the three builds).
 *
 * src/guard_plain.c, guard_rw.c and guard_ro.c define GUARD_MODE and include
 * this file, so the three ELFs run the same kernel:
 *   0  unguarded: run without --worldguard
 *   1  --worldguard, RAM behind one wgChecker slot granting read/write to
 *      M mode's world (3), the reset-time bypass slot switched off
 *   2  --worldguard, like 1 but the kernel's input buffer behind a
 *      read-only slot (the kernel only reads it)
 * The kernel streams over a 2 MiB input and a 2 MiB output buffer (one
 * load of each, one store per 8-byte word) KERNEL_PASSES times.  Every
 * access stays in generated code when the lazy IOMMU translation works:
 * the benchmark's target is guarded speed >= 95% of unguarded. */
#include "cbench.h"

#define WORDS (256u << 10)       /* 2 MiB of uint64_t */
#define KERNEL_PASSES 384
#define IN_OFFSET 0              /* in the heap (0x8200_0000 on the guest) */
/* An odd number of pages past the input: the two streams never share a
 * slot of a direct-mapped TLB. */
#define OUT_OFFSET ((4u << 20) + (36u << 10))

#if !defined(BENCH_HOST) && GUARD_MODE != 0
/* The DRAM wgChecker of QEMU's virt,wg=on layout (runtime/src/devices/wgchecker.rs). */
#define WGC_DRAM 0x6000000ul
#define WGC_NSLOTS 16
#define SLOT(i) (WGC_DRAM + 0x20 + 0x20 * (i))
#define CFG_TOR 1u
#define PERM_R(w) (1ull << (2 * (w)))
#define PERM_W(w) (2ull << (2 * (w)))
#define MWID 3
#define GUARD_END 0x100000000ull /* above any RAM size the runner uses */

static void slot(int i, uint64_t end, uint64_t perm) {
  *(volatile uint64_t *)SLOT(i) = end >> 2;
  *(volatile uint64_t *)(SLOT(i) + 8) = perm;
  *(volatile uint32_t *)(SLOT(i) + 0x10) = CFG_TOR;
}

static void guard(uint8_t *in) {
  uint64_t rw = PERM_R(MWID) | PERM_W(MWID);
#if GUARD_MODE == 1
  (void)in;
  slot(1, GUARD_END, rw);
#else
  uint64_t lo = (uint64_t)(uintptr_t)in, hi = lo + WORDS * 8;
  slot(1, lo, rw);
  slot(2, hi, PERM_R(MWID));
  slot(3, GUARD_END, rw);
#endif
  /* The new slots grant everything the program needs: now switch off the
   * reset-time bypass rule (TOR over everything for the trusted world). */
  *(volatile uint32_t *)(SLOT(WGC_NSLOTS) + 0x10) = 0;
}
#else
static void guard(uint8_t *in) { (void)in; }
#endif

static uint64_t run(void) {
  static int ready;
  uint8_t *heap = bench_heap();
  uint64_t *in = (uint64_t *)(heap + IN_OFFSET);
  uint64_t *out = (uint64_t *)(heap + OUT_OFFSET);
  if (!ready) {
    /* The input is written once, before it becomes read-only. */
    uint64_t seed = 0x510e527fade682d1ull;
    for (uint32_t i = 0; i < WORDS; i++)
      in[i] = xorshift64(&seed);
    guard((uint8_t *)in);
    ready = 1;
  }
  for (uint32_t i = 0; i < WORDS; i++)
    out[i] = i;
  for (uint32_t p = 0; p < KERNEL_PASSES; p++)
    for (uint32_t i = 0; i < WORDS; i++)
      out[i] = (in[i] ^ (out[i] >> 1)) + p;
  uint64_t h = 0;
  for (uint32_t i = 0; i < WORDS; i += 97)
    h = mix64(h, out[i]);
  return h;
}

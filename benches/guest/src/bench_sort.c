/* bench_sort - sorting: SORT_REPS times, fill 128K uint32 keys (512 KiB,
 * in the heap) from xorshift64 and sort them with a quicksort (median of
 * three, the smaller side recursed first, insertion sort below 16 keys),
 * then check the order and fold the keys into the checksum.  Compares,
 * swaps and unpredictable branches: ~20M instructions per sort, ~0.5G per
 * run. */
#include "cbench.h"

#define SORT_N (128 * 1024)
#define SORT_REPS 24
#define SORT_SMALL 16

static void insertion_sort(uint32_t *a, long n) {
  for (long i = 1; i < n; i++) {
    uint32_t v = a[i];
    long j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

static inline void swap(uint32_t *a, uint32_t *b) {
  uint32_t t = *a;
  *a = *b;
  *b = t;
}

static void quicksort(uint32_t *a, long n) {
  while (n > SORT_SMALL) {
    long mid = n / 2;
    if (a[mid] < a[0])
      swap(&a[mid], &a[0]);
    if (a[n - 1] < a[0])
      swap(&a[n - 1], &a[0]);
    if (a[n - 1] < a[mid])
      swap(&a[n - 1], &a[mid]);
    uint32_t pivot = a[mid];
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i >= j)
        break;
      swap(&a[i], &a[j]);
      i++;
      j--;
    }
    /* a[0..=j] <= pivot <= a[j+1..n) */
    long left = j + 1;
    if (left < n - left) {
      quicksort(a, left);
      a += left;
      n -= left;
    } else {
      quicksort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static uint64_t run(void) {
  uint32_t *a = bench_heap();
  uint64_t seed = 0x853c49e6748fea9bull, h = 0;
  for (int r = 0; r < SORT_REPS; r++) {
    for (long i = 0; i < SORT_N; i++)
      a[i] = (uint32_t)(xorshift64(&seed) >> 16);
    quicksort(a, SORT_N);
    uint64_t sum = 0, bad = 0;
    for (long i = 1; i < SORT_N; i++) {
      bad += a[i - 1] > a[i];
      sum = sum * 31 + a[i];
    }
    h = mix64(h, sum);
    h = mix64(h, bad);
    h = mix64(h, a[SORT_N / 3]);
  }
  return h;
}

const struct bench BENCH = {"bench_sort", run, 0x422f40290da54fb8ull};

/* sort: sorts the same pseudo-random array (xorshift32, fixed seed) with
 * five algorithms (insertion, shell, quick, heap, bottom-up merge), checks
 * each result is ordered and identical to the others, prints an FNV-1a
 * checksum of the sorted array and compares it with a constant computed
 * independently (Python). Exits 0 on success, 1..n on the first failure. */
#include <stdio.h>
#include <string.h>
#include "guest.h"

#define N 600
#define EXPECTED_CHECKSUM 0xb01e0b8cU  /* FNV-1a over the sorted words (LE) */
#define EXPECTED_MIN 0x005e02f9U
#define EXPECTED_MAX 0xffbb00baU

static uint32_t input[N], work[N], ref[N], tmp[N];

static uint32_t rng_state = 0x12345678u;
static uint32_t xorshift32(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static void insertion_sort(uint32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void shell_sort(uint32_t *a, int n)
{
    static const int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int gap = gaps[g];
        for (int i = gap; i < n; i++) {
            uint32_t v = a[i];
            int j = i;
            while (j >= gap && a[j - gap] > v) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = v;
        }
    }
}

static void quick_sort(uint32_t *a, int lo, int hi)
{
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* recurse into the smaller half, loop on the larger */
        if (j - lo < hi - i) {
            quick_sort(a, lo, j);
            lo = i;
        } else {
            quick_sort(a, i, hi);
            hi = j;
        }
    }
}

static void sift_down(uint32_t *a, int start, int end)
{
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1;
        int sw = root;
        if (a[sw] < a[child])
            sw = child;
        if (child + 1 <= end && a[sw] < a[child + 1])
            sw = child + 1;
        if (sw == root)
            return;
        uint32_t t = a[root];
        a[root] = a[sw];
        a[sw] = t;
        root = sw;
    }
}

static void heap_sort(uint32_t *a, int n)
{
    for (int start = (n - 2) / 2; start >= 0; start--)
        sift_down(a, start, n - 1);
    for (int end = n - 1; end > 0; end--) {
        uint32_t t = a[end];
        a[end] = a[0];
        a[0] = t;
        sift_down(a, 0, end - 1);
    }
}

static void merge_sort(uint32_t *a, int n)
{
    uint32_t *src = a, *dst = tmp;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, sizeof(uint32_t) * (size_t)n);
}

static int is_sorted(const uint32_t *a, int n)
{
    for (int i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

static uint32_t fnv1a(const uint32_t *a, int n)
{
    uint32_t h = 0x811c9dc5u;
    for (int i = 0; i < n; i++)
        for (int b = 0; b < 32; b += 8) {
            h ^= (a[i] >> b) & 0xff;
            h *= 0x01000193u;
        }
    return h;
}

static int run(const char *name, int algo, int fail_code)
{
    memcpy(work, input, sizeof work);
    switch (algo) {
    case 0: insertion_sort(work, N); break;
    case 1: shell_sort(work, N); break;
    case 2: quick_sort(work, 0, N - 1); break;
    case 3: heap_sort(work, N); break;
    default: merge_sort(work, N); break;
    }
    if (!is_sorted(work, N)) {
        printf("%s: not sorted\n", name);
        return fail_code;
    }
    if (algo == 0)
        memcpy(ref, work, sizeof ref);
    else if (memcmp(ref, work, sizeof ref) != 0) {
        printf("%s: differs from insertion sort\n", name);
        return fail_code;
    }
    printf("%s sort ok\n", name);
    return 0;
}

int main(void)
{
    for (int i = 0; i < N; i++)
        input[i] = xorshift32();
    printf("sorting %d pseudo-random words\n", N);

    static const char *const names[] = { "insertion", "shell", "quick", "heap", "merge" };
    for (int algo = 0; algo < 5; algo++) {
        int rc = run(names[algo], algo, algo + 1);
        if (rc)
            return rc;
    }

    uint32_t sum = fnv1a(ref, N);
    printf("min %08x max %08x\n", (unsigned)ref[0], (unsigned)ref[N - 1]);
    printf("checksum %08x\n", (unsigned)sum);
    if (ref[0] != EXPECTED_MIN || ref[N - 1] != EXPECTED_MAX)
        return 6;
    if (sum != EXPECTED_CHECKSUM)
        return 7;
    printf("sort: PASS\n");
    return 0;
}

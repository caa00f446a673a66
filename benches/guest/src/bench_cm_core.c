/* bench_cm_core - a CoreMark-class mix in one program: CM_ITERS times, with
 * a seed drawn from the previous iteration's CRC,
 *   - list: a 64-node linked list of (value, index) items in a static
 *     arena: find by value (a hit moves the node to the front, a miss
 *     reverses the list), merge sort by value and back by index through
 *     comparator callbacks, one item removed and reinserted, CRC in order;
 *   - matrix: 8x8 uint16 matrices, add/multiply by a constant, matrix
 *     times vector, matrix times matrix and a bit-field extracted from each
 *     product (out-of-line extractor), each result folded by a clipping
 *     sum; the constant add is undone afterwards;
 *   - state: a switch-driven state machine classifying the comma-separated
 *     words of a 360-byte buffer (integers, hex, decimals, exponents,
 *     garbage), counting final states and transitions, then again with
 *     every STRIDE-th byte corrupted by the seed (and restored);
 * everything folded into a CRC-16 one byte at a time.  All of it goes
 * through small functions kept out of line (noipa: no inlining, cloning
 * or interprocedural shortcuts, as across translation units), so calls
 * and returns weigh what they weigh in CoreMark.  The working set is a few
 * KiB; ~110K guest instructions per iteration, ~7.5G per run (about a
 * quarter each in list, matrix, state machine and CRC). */
#include "cbench.h"

#define CM_ITERS 68000
#define CALL __attribute__((noipa))

/* ---- CRC-16 (reflected, polynomial 0xa001) ---- */

CALL static uint16_t crc_u8(uint8_t b, uint16_t crc) {
  crc ^= b;
  for (int i = 0; i < 8; i++)
    crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001u) : (uint16_t)(crc >> 1);
  return crc;
}

CALL static uint16_t crc_u16(uint16_t v, uint16_t crc) {
  crc = crc_u8((uint8_t)v, crc);
  return crc_u8((uint8_t)(v >> 8), crc);
}

CALL static uint16_t crc_u32(uint32_t v, uint16_t crc) {
  crc = crc_u16((uint16_t)v, crc);
  return crc_u16((uint16_t)(v >> 16), crc);
}

/* ---- list ---- */

#define LIST_N 64

struct item {
  uint16_t value;
  uint16_t index;
};

struct lnode {
  struct lnode *next;
  struct item *item;
};

static struct lnode lnodes[LIST_N];
static struct item litems[LIST_N];

typedef int (*item_cmp)(const struct item *, const struct item *);

CALL static int cmp_value(const struct item *a, const struct item *b) {
  return (int)a->value - (int)b->value;
}

CALL static int cmp_index(const struct item *a, const struct item *b) {
  return (int)a->index - (int)b->index;
}

CALL static struct lnode *list_find(struct lnode *list, uint16_t value, struct lnode **prev) {
  struct lnode *p = 0;
  while (list && list->item->value != value) {
    p = list;
    list = list->next;
  }
  *prev = p;
  return list;
}

CALL static struct lnode *list_reverse(struct lnode *list) {
  struct lnode *r = 0;
  while (list) {
    struct lnode *n = list->next;
    list->next = r;
    r = list;
    list = n;
  }
  return r;
}

/* Merges two sorted lists (stable: a first on ties). */
CALL static struct lnode *list_merge(struct lnode *a, struct lnode *b, item_cmp cmp) {
  struct lnode head, *t = &head;
  while (a && b) {
    if (cmp(a->item, b->item) <= 0) {
      t->next = a;
      a = a->next;
    } else {
      t->next = b;
      b = b->next;
    }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

/* Bottom-up merge sort: runs of 1, 2, 4, ... merged pairwise. */
CALL static struct lnode *list_sort(struct lnode *list, item_cmp cmp) {
  for (uint32_t width = 1;; width *= 2) {
    struct lnode *out = 0, *tail = 0, *rest = list;
    uint32_t merges = 0;
    while (rest) {
      struct lnode *a = rest, *p = rest;
      for (uint32_t i = 1; i < width && p->next; i++)
        p = p->next;
      struct lnode *b = p->next;
      p->next = 0;
      rest = 0;
      if (b) {
        p = b;
        for (uint32_t i = 1; i < width && p->next; i++)
          p = p->next;
        rest = p->next;
        p->next = 0;
      }
      struct lnode *m = list_merge(a, b, cmp);
      if (tail)
        tail->next = m;
      else
        out = m;
      for (tail = m; tail->next;)
        tail = tail->next;
      merges++;
    }
    list = out;
    if (merges <= 1)
      return list;
  }
}

CALL static struct lnode *list_remove_at(struct lnode *list, uint32_t pos, struct lnode **removed) {
  struct lnode *prev = 0, *p = list;
  while (pos-- && p->next) {
    prev = p;
    p = p->next;
  }
  *removed = p;
  if (prev)
    prev->next = p->next;
  else
    list = p->next;
  p->next = 0;
  return list;
}

CALL static struct lnode *list_insert_after(struct lnode *list, uint32_t pos, struct lnode *n) {
  struct lnode *p = list;
  while (pos-- && p->next)
    p = p->next;
  n->next = p->next;
  p->next = n;
  return list;
}

CALL static uint16_t list_crc(const struct lnode *list, uint16_t crc) {
  for (; list; list = list->next)
    crc = crc_u16(list->item->value, crc);
  return crc;
}

CALL static struct lnode *list_init(uint16_t seed) {
  uint64_t s = 0x2545f4914f6cdd1dull ^ seed;
  for (uint32_t i = 0; i < LIST_N; i++) {
    litems[i].value = (uint16_t)(xorshift64(&s) & 0x3ff);
    litems[i].index = (uint16_t)i;
    lnodes[i].item = &litems[i];
    lnodes[i].next = i + 1 < LIST_N ? &lnodes[i + 1] : 0;
  }
  return &lnodes[0];
}

CALL static uint16_t list_bench(uint16_t seed, uint16_t crc) {
  struct lnode *list = list_init(seed);
  uint32_t found = 0, missed = 0;
  for (uint32_t i = 0; i < 16; i++) {
    struct lnode *prev;
    struct lnode *n = list_find(list, (uint16_t)((seed + i * 131u) & 0x3ff), &prev);
    if (n) {
      found++;
      if (prev) {
        prev->next = n->next;
        n->next = list;
        list = n;
      }
    } else {
      missed++;
      list = list_reverse(list);
    }
  }
  list = list_sort(list, cmp_value);
  crc = list_crc(list, crc);
  struct lnode *r;
  list = list_remove_at(list, seed % LIST_N, &r);
  r->item->value = (uint16_t)(r->item->value ^ seed);
  list = list_insert_after(list, (seed >> 4) % (LIST_N - 1), r);
  list = list_sort(list, cmp_index);
  crc = list_crc(list, crc);
  crc = crc_u16((uint16_t)found, crc);
  return crc_u16((uint16_t)missed, crc);
}

/* ---- matrix ---- */

#define MAT_N 8

typedef uint16_t mat16[MAT_N][MAT_N];
typedef uint32_t mat32[MAT_N][MAT_N];

static mat16 ma, mb;
static mat32 mc;
static uint16_t mv[MAT_N];

CALL static uint32_t bits(uint32_t x, uint32_t lo, uint32_t n) {
  return (x >> lo) & ((1u << n) - 1);
}

/* CoreMark-style clipping sum: a running sum that resets past `clip`,
 * counting rises and clips. */
CALL static uint16_t mat_sum(const mat32 c, uint32_t clip) {
  uint32_t sum = 0, prev = 0, ret = 0;
  for (uint32_t i = 0; i < MAT_N; i++)
    for (uint32_t j = 0; j < MAT_N; j++) {
      uint32_t cur = c[i][j];
      sum += cur;
      if (sum > clip) {
        ret += 10;
        sum = 0;
      } else {
        ret += cur > prev;
      }
      prev = cur;
    }
  return (uint16_t)ret;
}

CALL static void mat_add_const(mat16 a, uint16_t v) {
  for (uint32_t i = 0; i < MAT_N; i++)
    for (uint32_t j = 0; j < MAT_N; j++)
      a[i][j] = (uint16_t)(a[i][j] + v);
}

CALL static void mat_mul_const(mat32 c, const mat16 a, uint16_t v) {
  for (uint32_t i = 0; i < MAT_N; i++)
    for (uint32_t j = 0; j < MAT_N; j++)
      c[i][j] = (uint32_t)a[i][j] * v;
}

CALL static void mat_mul_vec(mat32 c, const mat16 a, const uint16_t *v) {
  for (uint32_t i = 0; i < MAT_N; i++) {
    uint32_t s = 0;
    for (uint32_t j = 0; j < MAT_N; j++)
      s += (uint32_t)a[i][j] * v[j];
    c[i][0] = s;
  }
}

CALL static void mat_mul_mat(mat32 c, const mat16 a, const mat16 b) {
  for (uint32_t i = 0; i < MAT_N; i++)
    for (uint32_t j = 0; j < MAT_N; j++) {
      uint32_t s = 0;
      for (uint32_t k = 0; k < MAT_N; k++)
        s += (uint32_t)a[i][k] * b[k][j];
      c[i][j] = s;
    }
}

CALL static void mat_mul_bits(mat32 c, const mat16 a, const mat16 b) {
  for (uint32_t i = 0; i < MAT_N; i++)
    for (uint32_t j = 0; j < MAT_N; j++) {
      uint32_t s = 0;
      for (uint32_t k = 0; k < MAT_N; k++) {
        uint32_t p = (uint32_t)a[i][k] * b[k][j];
        s += bits(p, 2, 4) * bits(p, 5, 7);
      }
      c[i][j] = s;
    }
}

CALL static void mat_init(uint16_t seed) {
  uint32_t x = seed | 1u;
  for (uint32_t i = 0; i < MAT_N; i++) {
    for (uint32_t j = 0; j < MAT_N; j++) {
      x = x * 1103515245u + 12345u;
      ma[i][j] = (uint16_t)((x >> 16) & 0xff);
      mb[i][j] = (uint16_t)(((x >> 8) ^ (i + j)) & 0xff);
    }
    mv[i] = (uint16_t)(i * 7 + (seed & 0xf));
  }
}

CALL static uint16_t matrix_bench(uint16_t seed, uint16_t crc) {
  uint16_t v = (uint16_t)(seed | 0xf000);
  uint32_t clip = 0xffffu;
  mat_init(seed);
  mat_add_const(ma, v);
  mat_mul_const(mc, ma, v);
  crc = crc_u16(mat_sum(mc, clip), crc);
  mat_mul_vec(mc, ma, mv);
  crc = crc_u16(mat_sum(mc, clip), crc);
  mat_mul_mat(mc, ma, mb);
  crc = crc_u16(mat_sum(mc, clip), crc);
  mat_mul_bits(mc, ma, mb);
  crc = crc_u16(mat_sum(mc, clip), crc);
  mat_add_const(ma, (uint16_t)-v);
  mat_mul_vec(mc, ma, mv);
  return crc_u32(mc[MAT_N - 1][0], crc);
}

/* ---- state machine ---- */

enum state {
  S_START,
  S_INVALID,
  S_S1,       /* a sign */
  S_INT,      /* digits */
  S_HEX0,     /* a leading 0 */
  S_HEXX,     /* 0x */
  S_HEX,      /* 0x and hex digits */
  S_FLOAT,    /* digits, point, digits */
  S_EXP,      /* e or E after a float */
  S_S2,       /* a sign after the exponent mark */
  S_SCI,      /* exponent digits */
  S_COUNT
};

#define STATE_BUF 360
#define STRIDE 11

static uint8_t sbuf[STATE_BUF + 1];

static const char *const words[] = {
    "5012", "1234", "-874", "+122", "0x1f4", "0XaB3", "35.54400", "0.500e+3",
    "-110.700", "+0.64400", "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12",
    "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^", "0x", "7e",
};

CALL static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

CALL static int is_hex(uint8_t c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One word: from *p up to the next comma (consumed) or NUL; returns the
 * final state and counts transitions per state. */
CALL static enum state state_step(const uint8_t **p, uint32_t *transitions) {
  const uint8_t *s = *p;
  enum state st = S_START;
  for (; *s && st != S_INVALID; s++) {
    uint8_t c = *s;
    if (c == ',') {
      s++;
      break;
    }
    switch (st) {
    case S_START:
      if (is_digit(c))
        st = c == '0' ? S_HEX0 : S_INT;
      else if (c == '+' || c == '-')
        st = S_S1;
      else if (c == '.')
        st = S_FLOAT;
      else {
        st = S_INVALID;
        transitions[S_INVALID]++;
      }
      transitions[S_START]++;
      break;
    case S_S1:
      if (is_digit(c)) {
        st = S_INT;
        transitions[S_S1]++;
      } else if (c == '.') {
        st = S_FLOAT;
        transitions[S_S1]++;
      } else {
        st = S_INVALID;
        transitions[S_S1]++;
      }
      break;
    case S_HEX0:
      if (c == 'x' || c == 'X')
        st = S_HEXX;
      else if (is_digit(c))
        st = S_INT;
      else if (c == '.')
        st = S_FLOAT;
      else
        st = S_INVALID;
      transitions[S_HEX0]++;
      break;
    case S_HEXX:
    case S_HEX:
      if (is_hex(c)) {
        st = S_HEX;
      } else {
        st = S_INVALID;
        transitions[S_HEX]++;
      }
      break;
    case S_INT:
      if (c == '.') {
        st = S_FLOAT;
        transitions[S_INT]++;
      } else if (c == 'e' || c == 'E') {
        st = S_EXP;
        transitions[S_INT]++;
      } else if (!is_digit(c)) {
        st = S_INVALID;
        transitions[S_INT]++;
      }
      break;
    case S_FLOAT:
      if (c == 'e' || c == 'E') {
        st = S_EXP;
        transitions[S_FLOAT]++;
      } else if (!is_digit(c)) {
        st = S_INVALID;
        transitions[S_FLOAT]++;
      }
      break;
    case S_EXP:
      if (c == '+' || c == '-')
        st = S_S2;
      else if (is_digit(c))
        st = S_SCI;
      else
        st = S_INVALID;
      transitions[S_EXP]++;
      break;
    case S_S2:
      st = is_digit(c) ? S_SCI : S_INVALID;
      transitions[S_S2]++;
      break;
    case S_SCI:
      if (!is_digit(c)) {
        st = S_INVALID;
        transitions[S_SCI]++;
      }
      break;
    default:
      break;
    }
  }
  if (st == S_INVALID) /* skip the rest of the word */
    while (*s && *s++ != ',') {
    }
  *p = s;
  return st;
}

CALL static uint16_t state_scan(uint16_t crc) {
  uint32_t finals[S_COUNT] = {0}, transitions[S_COUNT] = {0};
  const uint8_t *p = sbuf;
  while (*p)
    finals[state_step(&p, transitions)]++;
  uint32_t t = 0;
  for (uint32_t i = 0; i < S_COUNT; i++) {
    crc = crc_u16((uint16_t)finals[i], crc);
    t = t * 31 + transitions[i];
  }
  return crc_u32(t, crc);
}

/* Fills sbuf with words from the table, picked by the seed. */
CALL static void state_init(uint16_t seed) {
  uint32_t n = 0, k = seed;
  for (;;) {
    const char *w = words[k % (sizeof words / sizeof words[0])];
    uint32_t len = 0;
    while (w[len])
      len++;
    if (n + len + 1 > STATE_BUF)
      break;
    for (uint32_t i = 0; i < len; i++)
      sbuf[n++] = (uint8_t)w[i];
    sbuf[n++] = ',';
    k = k * 5 + 3;
  }
  sbuf[n] = 0;
}

/* XORs every STRIDE-th byte with x, except where that would make a NUL or
 * a comma (the word boundaries stay put). */
CALL static void state_corrupt(uint8_t x) {
  for (uint32_t i = 0; sbuf[i]; i += STRIDE) {
    uint8_t c = (uint8_t)(sbuf[i] ^ x);
    if (sbuf[i] != ',' && c != ',' && c != 0)
      sbuf[i] = c;
  }
}

CALL static void state_restore(const uint8_t *saved) {
  for (uint32_t i = 0; i <= STATE_BUF; i++)
    sbuf[i] = saved[i];
}

CALL static uint16_t state_bench(uint16_t seed, uint16_t crc) {
  uint8_t saved[STATE_BUF + 1];
  state_init(seed);
  crc = state_scan(crc);
  for (uint32_t i = 0; i <= STATE_BUF; i++)
    saved[i] = sbuf[i];
  state_corrupt((uint8_t)((seed & 0x7f) | 1));
  crc = state_scan(crc);
  state_restore(saved);
  return state_scan(crc);
}

static uint64_t run(void) {
  uint16_t crc = 0;
  uint64_t h = 0;
  for (uint32_t it = 0; it < CM_ITERS; it++) {
    uint16_t seed = (uint16_t)(crc ^ it);
    crc = list_bench(seed, crc);
    crc = matrix_bench((uint16_t)(seed + 0x1111), crc);
    crc = state_bench((uint16_t)(seed ^ 0x5a5a), crc);
    if ((it & 1023) == 1023)
      h = mix64(h, crc);
  }
  return mix64(h, crc);
}

const struct bench BENCH = {"bench_cm_core", run, 0xf8f2a74b7d41f084ull};

/* bench_cm_list - linked lists through callbacks, CoreMark-class: LIST_ITERS
 * rounds over a 512-node pool (a free list, 12 KiB), each
 *   - building a list of 192 keyed nodes by sorted insertion (the walk
 *     calls a comparator through a function pointer at every step; the
 *     comparator rotates through four: key up, key down, value up, a
 *     mixed key),
 *   - 48 finds with a predicate callback (an equal key, most of them hits),
 *     counting matches with another,
 *   - removing every node a predicate picks (about one in five) back to
 *     the free list,
 *   - visiting every node with visitor callbacks that update values,
 *   - a recursive merge sort by another comparator (the halves found with
 *     slow/fast pointers), a reversal, an order check, indexed lookups,
 *   - pushing 64 more nodes at the front and sorting again,
 *   - folding every node, in order, into the checksum,
 * then freeing the list.  The keys come from the previous round's
 * checksum.  Every list operation and callback is an out-of-line function
 * (noipa, as across translation units): pointer chasing, indirect calls
 * and returns.  ~375K guest instructions per round, ~3.7G per run. */
#include "cbench.h"

#define LIST_ITERS 9800
#define POOL 512
#define BUILD 192
#define FINDS 48
#define MORE 64
#define CALL __attribute__((noipa))

struct node {
  struct node *next;
  uint32_t key;
  uint32_t val;
};

typedef int (*cmp_fn)(const struct node *, const struct node *);
typedef int (*pred_fn)(const struct node *, uint32_t);
typedef void (*visit_fn)(struct node *, uint32_t *);

static struct node pool[POOL];
static struct node *free_list;
static uint32_t allocated;

/* ---- pool ---- */

CALL static void pool_init(void) {
  free_list = 0;
  for (uint32_t i = POOL; i-- > 0;) {
    pool[i].next = free_list;
    free_list = &pool[i];
  }
  allocated = 0;
}

CALL static struct node *node_alloc(uint32_t key, uint32_t val) {
  struct node *n = free_list;
  if (!n)
    return 0;
  free_list = n->next;
  n->next = 0;
  n->key = key;
  n->val = val;
  allocated++;
  return n;
}

CALL static void node_free(struct node *n) {
  n->next = free_list;
  free_list = n;
  allocated--;
}

/* ---- callbacks ---- */

CALL static int cmp_key_up(const struct node *a, const struct node *b) {
  return a->key < b->key ? -1 : a->key > b->key;
}

CALL static int cmp_key_down(const struct node *a, const struct node *b) {
  return cmp_key_up(b, a);
}

CALL static int cmp_val_up(const struct node *a, const struct node *b) {
  return a->val < b->val ? -1 : a->val > b->val;
}

CALL static uint32_t mixed(const struct node *n) {
  uint32_t x = n->key ^ (n->val << 7 | n->val >> 25);
  return x ^ (x >> 11);
}

CALL static int cmp_mixed(const struct node *a, const struct node *b) {
  uint32_t x = mixed(a), y = mixed(b);
  return x < y ? -1 : x > y;
}

static const cmp_fn cmps[] = {cmp_key_up, cmp_key_down, cmp_val_up, cmp_mixed};

CALL static int pred_key_eq(const struct node *n, uint32_t k) { return n->key == k; }
CALL static int pred_key_below(const struct node *n, uint32_t k) { return n->key < k; }
CALL static int pred_key_mod5(const struct node *n, uint32_t r) { return n->key % 5 == r; }
CALL static int pred_val_odd(const struct node *n, uint32_t unused) {
  (void)unused;
  return n->val & 1;
}

CALL static void visit_scale(struct node *n, uint32_t *ctx) { n->val = n->val * 3 + n->key + *ctx; }

CALL static void visit_add(struct node *n, uint32_t *ctx) {
  *ctx += n->val >> 3;
  n->val += *ctx & 0xff;
}

CALL static void visit_fold(struct node *n, uint32_t *ctx) {
  *ctx = (*ctx ^ n->key) * 16777619u + n->val;
}

/* ---- list operations ---- */

CALL static struct node *list_insert_sorted(struct node *head, struct node *n, cmp_fn cmp) {
  struct node **pp = &head;
  while (*pp && cmp(*pp, n) <= 0)
    pp = &(*pp)->next;
  n->next = *pp;
  *pp = n;
  return head;
}

CALL static struct node *list_push_front(struct node *head, struct node *n) {
  n->next = head;
  return n;
}

CALL static struct node *list_find(struct node *head, pred_fn pred, uint32_t arg) {
  while (head && !pred(head, arg))
    head = head->next;
  return head;
}

CALL static uint32_t list_count_if(const struct node *head, pred_fn pred, uint32_t arg) {
  uint32_t n = 0;
  for (; head; head = head->next)
    n += pred(head, arg) != 0;
  return n;
}

CALL static struct node *list_remove_if(struct node *head, pred_fn pred, uint32_t arg, uint32_t *removed) {
  struct node **pp = &head;
  while (*pp) {
    struct node *n = *pp;
    if (pred(n, arg)) {
      *pp = n->next;
      node_free(n);
      ++*removed;
    } else {
      pp = &n->next;
    }
  }
  return head;
}

CALL static void list_foreach(struct node *head, visit_fn visit, uint32_t *ctx) {
  for (; head; head = head->next)
    visit(head, ctx);
}

CALL static struct node *list_reverse(struct node *head) {
  struct node *r = 0;
  while (head) {
    struct node *n = head->next;
    head->next = r;
    r = head;
    head = n;
  }
  return r;
}

CALL static uint32_t list_length(const struct node *head) {
  uint32_t n = 0;
  for (; head; head = head->next)
    n++;
  return n;
}

CALL static struct node *list_nth(struct node *head, uint32_t i) {
  while (head && i--)
    head = head->next;
  return head;
}

/* Splits off and returns the second half (slow/fast pointers). */
CALL static struct node *list_split(struct node *head) {
  struct node *slow = head, *fast = head->next;
  while (fast && fast->next) {
    slow = slow->next;
    fast = fast->next->next;
  }
  struct node *second = slow->next;
  slow->next = 0;
  return second;
}

CALL static struct node *list_merge(struct node *a, struct node *b, cmp_fn cmp) {
  struct node head, *t = &head;
  while (a && b) {
    if (cmp(a, b) <= 0) {
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

CALL static struct node *list_sort(struct node *head, cmp_fn cmp) {
  if (!head || !head->next)
    return head;
  struct node *second = list_split(head);
  return list_merge(list_sort(head, cmp), list_sort(second, cmp), cmp);
}

/* Number of adjacent pairs out of order under cmp (0 for a sorted list). */
CALL static uint32_t list_disorder(const struct node *head, cmp_fn cmp) {
  uint32_t bad = 0;
  for (; head && head->next; head = head->next)
    bad += cmp(head, head->next) > 0;
  return bad;
}

CALL static void list_free(struct node *head) {
  while (head) {
    struct node *n = head->next;
    node_free(head);
    head = n;
  }
}

/* ---- the run ---- */

static uint64_t run(void) {
  uint64_t h = 0;
  uint64_t seed = 0x3c6ef372fe94f82bull;
  uint32_t keys[BUILD];
  pool_init();
  for (uint32_t it = 0; it < LIST_ITERS; it++) {
    cmp_fn build_cmp = cmps[it % 4], sort_cmp = cmps[(it / 4 + 1 + it) % 4];
    struct node *list = 0;
    for (uint32_t i = 0; i < BUILD; i++) {
      keys[i] = (uint32_t)xorshift64(&seed) & 0xfff;
      list = list_insert_sorted(list, node_alloc(keys[i], i * 0x9e3779b9u), build_cmp);
    }
    uint32_t found = 0, below = 0;
    for (uint32_t i = 0; i < FINDS; i++) {
      /* mostly keys that are there, every fourth one most likely not */
      uint32_t k = (i & 3) == 3 ? (keys[i] ^ 0x5a5) : keys[(i * 37) % BUILD];
      struct node *n = list_find(list, pred_key_eq, k);
      if (n) {
        found++;
        n->val ^= k;
      }
    }
    below = list_count_if(list, pred_key_below, 0x800);
    uint32_t removed = 0;
    list = list_remove_if(list, pred_key_mod5, it % 5, &removed);
    uint32_t ctx = it;
    list_foreach(list, visit_scale, &ctx);
    list_foreach(list, visit_add, &ctx);
    list = list_sort(list, sort_cmp);
    uint32_t bad = list_disorder(list, sort_cmp);
    list = list_reverse(list);
    uint32_t odd = list_count_if(list, pred_val_odd, 0);
    uint32_t len = list_length(list);
    struct node *mid = list_nth(list, len / 2);
    uint32_t probe = mid ? mid->key ^ mid->val : 0;
    for (uint32_t i = 0; i < MORE; i++)
      list = list_push_front(list, node_alloc((uint32_t)xorshift64(&seed) & 0xfff, i));
    list = list_sort(list, cmps[(it + 2) % 4]);
    bad += list_disorder(list, cmps[(it + 2) % 4]);
    uint32_t fold = 0x811c9dc5u;
    list_foreach(list, visit_fold, &fold);
    h = mix64(h, (uint64_t)found << 48 | (uint64_t)below << 32 | (uint64_t)removed << 16 | odd);
    h = mix64(h, (uint64_t)len << 48 | (uint64_t)allocated << 32 | bad);
    h = mix64(h, (uint64_t)probe << 32 | fold);
    list_free(list);
    seed ^= fold; /* the next round's keys depend on this one */
    if (!seed)
      seed = 1;
  }
  return mix64(h, allocated);
}

const struct bench BENCH = {"bench_cm_list", run, 0x7db4da3733e976b6ull};

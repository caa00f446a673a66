/* bench_list - pointer chasing: 128K 32-byte nodes (4 MiB, in the heap)
 * linked in a random order (Fisher-Yates shuffle of their indices), walked
 * LIST_WALKS times; each visit loads the node, folds its value into a sum
 * and stores back an updated value.  Successive nodes are far apart, so
 * most visits miss the host's L1/L2 caches and TLB, and any softmmu TLB
 * with fewer than 1K entries (QEMU's starts at 256 and only grows at a
 * flush, which this program never causes).  ~6 instructions per visit,
 * 21M visits, ~0.13G instructions per run: memory latency, not
 * instruction count, sets its time (1.5-2.5 s on rvdbt's interpreter and
 * on QEMU), so it is sized by time, not by the 0.5G of the others. */
#include "cbench.h"

#define LIST_NODES (128 * 1024)
#define LIST_WALKS 160

struct node {
  struct node *next;
  uint64_t value;
  uint64_t pad[2];
};

static uint64_t run(void) {
  struct node *nodes = bench_heap();
  uint32_t *order = (uint32_t *)(nodes + LIST_NODES);
  uint64_t seed = 0x9fb21c651e98df25ull;
  for (uint32_t i = 0; i < LIST_NODES; i++) {
    order[i] = i;
    nodes[i].value = i;
    nodes[i].pad[0] = nodes[i].pad[1] = 0;
  }
  for (uint32_t i = LIST_NODES - 1; i > 0; i--) {
    uint32_t j = (uint32_t)(xorshift64(&seed) % (i + 1));
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (uint32_t i = 0; i + 1 < LIST_NODES; i++)
    nodes[order[i]].next = &nodes[order[i + 1]];
  nodes[order[LIST_NODES - 1]].next = 0;
  struct node *head = &nodes[order[0]];

  uint64_t h = 0;
  for (uint32_t w = 0; w < LIST_WALKS; w++) {
    uint64_t sum = w;
    for (struct node *p = head; p; p = p->next) {
      sum += p->value;
      p->value = sum >> 7;
    }
    h = mix64(h, sum);
  }
  return h;
}

const struct bench BENCH = {"bench_list", run, 0x613b01b2d9760c42ull};

/* iopmp_walk_revoke - a page walk's A update that reprograms the IOPMP
 * (the leaf PTE is entry 0's ENTRY_ADDR/ENTRY_ADDRH pair) revokes access
 * in the middle of a block; every later access of that block, of a
 * chained block and of a looping block must be blocked (rvdbt only: run
 * with --iopmp, RRID 0).  See common/walk_revoke.S for the scenarios.
 *
 * Entries (all priority entries: the first match decides):
 *   0   NAPOT PTE0, no permission, SERE | SEWE (blocked reads give zero,
 *       blocked writes are dropped): [trig_page + 0xe00, t_page); with A
 *       set [trig_page, t_page + 0x1000): t_page, and trig_page itself,
 *       are denied from the trigger's own load on
 *   47  NAPOT RWX over the image (IOPMP_STD_SETUP) */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"
#include "iopmp.h"

#define L0_TABLE    (IOPMP_BASE + IOPMP_ENTRY_ADDR(0))
#define TRIG_IDX    0
#define REG_PTE     (IOPMP_BASE + IOPMP_ENTRY_ADDR(0))
#define TRIG_EXPECT 0

.macro CHECKER_SETUP
        IOPMP_STD_SETUP 0
        IOPMP_WR IOPMP_ENTRY_ADDR(0), s8
        IOPMP_WR IOPMP_ENTRY_ADDRH(0), zero
        IOPMP_W IOPMP_ENTRY_CFG(0), E_NAPOT | E_SERE | E_SEWE
        IOPMP_ENABLE
.endm

#include "walk_revoke.S"

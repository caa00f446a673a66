/* wg_walk_revoke - a page walk's A update that reprograms a wgChecker
 * (the leaf PTE is a slot's address register) revokes access in the middle
 * of a block; every later access of that block, of a chained block and of
 * a looping block must be blocked (rvdbt only: run with --worldguard).
 * See common/walk_revoke.S for the scenarios.
 *
 * S runs as the trusted world 3 (mlwid = 3), the only world that reaches
 * the checker's registers, and thus reads its page-table entry there.
 * Rules for world 3 (slot[0]'s ER/EW clear: blocked reads give zero,
 * blocked writes are dropped):
 *   slot 1  TOR   [0, t_page)                 RW
 *   slot 2  NAPOT PTE0: [trig_page + 0xe00, t_page), grants nothing; with
 *                 A set [trig_page, t_page + 0x1000)
 *   slot 3  TOR   [end of slot 2, RAM + 1 GiB) RW: from t_page before the
 *                 A update, from t_page + 0x1000 after it
 *   slot 16 (the reset rule over everything) OFF
 * so t_page is accessible before the update and in no rule after it. */
#include "test.h"
#include "vm.h"
#include "vm_rt.S"
#include "wg.h"

#define L0_TABLE    WGC_DRAM
#define TRIG_IDX    (WGC_SLOT(2) / 8)
#define REG_PTE     WGC_REG(WGC_DRAM, 2, WGC_ADDR)
#define TRIG_EXPECT TRIG_MARK

.macro CHECKER_SETUP
        SET_MLWID 3
        li      t0, WGC_REG(WGC_DRAM, 1, 0)
        la      t1, t_page
        srli    t1, t1, 2
        sd      t1, WGC_ADDR(t0)
        li      t1, WG_RW(3)
        sd      t1, WGC_PERM(t0)
        li      t1, WG_TOR
        sw      t1, WGC_CFG(t0)
        li      t0, WGC_REG(WGC_DRAM, 2, 0)
        sd      s8, WGC_ADDR(t0)
        sd      zero, WGC_PERM(t0)
        li      t1, WG_NAPOT
        sw      t1, WGC_CFG(t0)
        WG_SLOT WGC_DRAM, 3, WG_ADDR(0x80000000 + 0x40000000), WG_RW(3), WG_TOR
        WG_SET_CFG WGC_DRAM, WGC_DRAM_SLOTS, WG_OFF
.endm

#include "walk_revoke.S"

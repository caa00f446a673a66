/* bench.h - constants and macros shared by the rvdbt benchmark guests.
 *
 * Every guest is linked with common/rt.S (M-mode start-up, exit, trap
 * reporting); the Sv39 guests also with common/sv39.S (page-table helpers
 * and the switch to S-mode).  Exit codes, reported through the SiFive test
 * finisher, are the contract with the runner (benches/src/lib.rs):
 *   0  pass (the self-check matched)
 *   1  self-check mismatch (wrong checksum / wrong word sum)
 *   2  satp did not accept Sv39 (the emulator only has Bare translation)
 *   3  unexpected trap (cause, epc and tval printed on the UART)
 */
#ifndef RVDBT_BENCH_H
#define RVDBT_BENCH_H

#define UART0_BASE      0x10000000
#define FINISHER_BASE   0x100000
#define FINISHER_PASS   0x5555
#define FINISHER_FAIL   0x3333

#define EXIT_PASS       0
#define EXIT_MISMATCH   1
#define EXIT_NO_SV39    2
#define EXIT_TRAP       3

#define MSTATUS_MPP     0x1800
#define MSTATUS_MPP_S   0x0800

/* Sv39 */
#define SATP_SV39       (8 << 60)
#define PTE_V           0x001
#define PTE_R           0x002
#define PTE_W           0x004
#define PTE_X           0x008
#define PTE_A           0x040
#define PTE_D           0x080
/* Leaves carry A and D so that neither hardware A/D updating (QEMU) nor
 * A/D-fault behaviour (Svade) changes what is measured. */
#define PTE_LEAF_RWX    (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define PTE_LEAF_RW     (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PTE_TABLE       PTE_V

/* RAM layout used by the benchmarks (identity mapped under Sv39):
 *   0x8000_0000 .. 0x8020_0000  the image (code, data, page tables, stack);
 *                               4 KiB leaf pages under Sv39
 *   0x8200_0000 .. 0x8600_0000  the 64 MiB region walked by tlbwalk_*, and
 *                               the C programs' heap (cbench.h)
 * so every guest needs at least 128 MiB of RAM (QEMU and rvdbt put the
 * device tree in the last 2 MiB below the end of RAM, clear of both). */
#define KERNEL_BASE     0x80000000
#define KERNEL_SIZE     0x200000
#define WALK_BASE       0x82000000
#define WALK_SIZE       0x4000000

#endif

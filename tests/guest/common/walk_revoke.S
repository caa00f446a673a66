/* walk_revoke.S - body shared by wg_walk_revoke and iopmp_walk_revoke
 * (issue: generated code must never use a TLB that a helper flushed or
 * resized in the middle of a block).  #include it after test.h, vm.h,
 * vm_rt.S and the checker's header, with these defined by the program:
 *
 *   L0_TABLE      physical page of the checker's register window that the
 *                 trigger VA's level-1 PTE points to as a page table
 *   TRIG_IDX      VPN[0] of the trigger VA: the PTE read from L0_TABLE at
 *                 8 * TRIG_IDX is the checker register `REG_PTE`
 *   REG_PTE       that register's address
 *   TRIG_EXPECT   what the trigger load itself must read (the walk's A
 *                 update comes before the load's own check)
 *   CHECKER_SETUP macro: program the checker (REG_PTE <- s8) and enable it
 *
 * The register holds PTE0 = (trig_page >> 2) | 0x3bf: a valid leaf PTE
 * (V R W X U G D, A clear) mapping the trigger VA to trig_page, and to the
 * checker a NAPOT rule over [trig_page + 0xe00, trig_page + 0x1000).  An
 * S-mode load through the trigger VA walks the table, and the walk's A
 * update writes PTE0 | A back: the NAPOT rule now covers
 * [trig_page, trig_page + 0x2000), which takes away the access to t_page
 * (the program arranges that), and the checker change flushes every TLB.
 * Before the trigger the S+SUM TLB is shrunk (32 flushes with nothing
 * filled) and then filled with WARM_PAGES pages, so the flush also makes the
 * table grow: code that kept using the table it read at entry would read
 * freed memory, and the t_page entries patched for the fast path in it.
 *
 * Three scenarios, each ITERS times (the tiered engine compiles the blocks;
 * a pause of ~20 ms of mtime lets its background compiler deliver):
 *   1 same block:    trigger load, then load / store / load of t_page
 *   2 chained block: trigger load; j to the next block on the same page
 *                    (found by its chaining cell or the jump cache, as a
 *                    first pass left them), which loads / stores / loads
 *                    t_page
 *   3 looping block: LOOP_N iterations of trigger load, t_page load and
 *                    store in one block that branches to its own start
 * After each run, every t_page load must have read zero and every store
 * must have been dropped (M re-arms the rule and checks t_page), and the
 * register must hold PTE0 | A.
 *
 * Registers: s1 = trigger VA, s2 = t_page, s5 = value stored by S,
 * s6 = iterations left, s8 = PTE0, s9 = REG_PTE. */

#define VA_TRIG     (0x0000000300000000 + (TRIG_IDX << 12))
#define MARK        0x6d61726b00000001
#define MARK2       0x6d61726b00000002
#define TRIG_MARK   0x7472696700000003
#define STORED      0x5757575757575757
#define WARM_PAGES  100
#define ITERS       48
#define WAIT_AT     12
#define LOOP_N      1000

/* M: REG_PTE <- PTE0 (the rule shrinks back; a checker change flushes). */
.macro REARM
        sd      s8, 0(s9)
.endm

.macro SCENARIO label, expect_a0
        li      s6, ITERS
8100:   REARM
        /* t_page is intact: every store of the run was dropped */
        EXPECT_MEM t_page, MARK
        EXPECT_MEM t_page + 8, MARK2
        call    shrink_tlbs
        li      t0, WAIT_AT
        bne     s6, t0, 8101f
        call    wait_compile
8101:   TRAP_RESET
        li      a0, 0x5a5a
        li      a1, 0x5a5a
        li      a3, 0x5a5a
        ENTER_MODE PRV_S, \label, 8102f
8102:   EXPECT_OK PRV_S
        EXPECT  a0, \expect_a0
        EXPECT  a1, 0
        EXPECT  a3, 0
        /* the walk set A in the register */
        ld      t2, 0(s9)
        ori     t3, s8, PTE_A
        EXPECT_REG t2, t3
        addi    s6, s6, -1
        bnez    s6, 8100b
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        la      s2, t_page
        la      s8, trig_page
        srli    s8, s8, 2
        ori     s8, s8, 0x3bf
        li      s9, REG_PTE
        li      s5, STORED
        li      s1, VA_TRIG
        /* page tables: identity root, and the trigger VA's level-1 PTE
         * pointing at the checker's register window */
        li      a0, 3
        call    vm_init
        li      a0, VA_TRIG
        li      a1, 1
        li      a2, 1
        call    vm_walk
        li      t0, ((L0_TABLE >> 12) << 10) | PTE_V
        sd      t0, 0(a0)
        CHECKER_SETUP
        VM_ON
        li      t0, MSTATUS_SUM
        csrs    mstatus, t0

        /* the walk reads PTE0 from the checker, t_page is accessible */
        TEST 1
        ld      t2, 0(s9)
        EXPECT_REG t2, s8
        EXPECT_MEM t_page, MARK

        TEST 2
        SCENARIO s_same, TRIG_EXPECT
        TEST 3
        SCENARIO s_chain, TRIG_EXPECT
        TEST 4
        SCENARIO s_loop, TRIG_EXPECT

        REARM
        VM_OFF
        j       pass

/* M: 32 flushes with nothing filled in between: the S+SUM TLB shrinks to
 * its minimum (a resize window is 16 flushes). */
shrink_tlbs:
        li      t0, 32
1:      sfence.vma
        addi    t0, t0, -1
        bnez    t0, 1b
        ret

/* M: wait ~20 ms of mtime (10 MHz). */
wait_compile:
        li      t0, CLINT_MTIME
        ld      t1, 0(t0)
        li      t2, 200000
        add     t1, t1, t2
1:      ld      t2, 0(t0)
        bltu    t2, t1, 1b
        ret

/* ---- S mode, on one page (the chained block's cell needs it) ---- */
        .balign 4096
/* WARM_PAGES distinct pages into the S+SUM TLB, then t_page read and
 * written, so its entry is patched for the fast path of both types. */
s_warm: li      t0, RAM_FREE
        li      t1, WARM_PAGES
        li      t4, 4096
1:      ld      t2, 0(t0)
        add     t0, t0, t4
        addi    t1, t1, -1
        bnez    t1, 1b
        ld      t2, 0(s2)
        sd      t2, 0(s2)
        ret

s_same: call    s_warm
        ld      a0, 0(s1)
        ld      a1, 0(s2)
        sd      s5, 8(s2)
        ld      a3, 8(s2)
        ecall

/* Two passes through blocks A (2:) and B (1:): the first, with a harmless
 * address, enters B through the dispatcher and fills B's cell to A and the
 * jump cache with B; the second triggers in A, whose exit to B then finds
 * B by a chaining cell or the jump cache, without the dispatcher. */
s_chain:
        call    s_warm
        mv      t6, s2                  /* pass 1: no trigger */
        ld      t4, 8(s2)               /* pass 1 stores what is there */
        li      t5, 2
2:      ld      a0, 0(t6)
        j       1f
1:      ld      a1, 0(s2)
        sd      t4, 8(s2)
        ld      a3, 8(s2)
        mv      t6, s1                  /* pass 2: the trigger */
        mv      t4, s5
        addi    t5, t5, -1
        bnez    t5, 2b
        ecall

s_loop: call    s_warm
        li      t3, LOOP_N
        li      a1, 0
        j       1f
1:      ld      a0, 0(s1)
        ld      t2, 0(s2)
        add     a1, a1, t2
        sd      s5, 8(s2)
        addi    t3, t3, -1
        bnez    t3, 1b
        ld      a3, 8(s2)
        ecall

        .data
        .balign 8192
trig_page:
        .dword  TRIG_MARK
        .balign 4096
t_page: .dword  MARK, MARK2
        .balign 4096
        .space  4096

        VM_FINISH

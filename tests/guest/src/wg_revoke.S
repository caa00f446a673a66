/* wg_revoke - a wgChecker rule change applies from the very next access,
 * even to code that is hot (compiled by the JIT, its TLB entries patched
 * for the fast path) (rvdbt only: run with --worldguard).
 *
 * A page is read (written) by a called function HOT = 1000 times, the
 * program waits ~10 ms of host time (mtime) so that the tiered engine's
 * background compiler delivers, and 1000 times again, so every engine runs
 * the function as compiled / cached code; then ONE register write
 * revokes the access and the very next call must be blocked: read as zero
 * / write dropped (ER / EW = 0), or an access fault (ER / EW = 1, mcause
 * 5 / 7, mtval = address, mepc = the access); a second register write
 * grants the access again and the next call sees memory again.  Revoking
 * is done by clearing perm bits (R, W or both), and by turning the slot
 * OFF (the page is then covered by no rule: slot[0]'s ER decides).
 *
 * The same for three requesters:
 *  - M mode itself (world 3): the reset bypass rule is replaced by two
 *    TOR rules for world 3 around the test region, so a slot there can
 *    take world 3's access away; the register write and the next call
 *    follow each other directly;
 *  - M with MPRV (MPP = S) as world mlwid = 1;
 *  - S mode (world 1): the hot loop runs in S, M revokes between two
 *    visits of S (trap entry and mret flush nothing).
 * Also: M's register write and its access in one hot block (world 3),
 * and fetches: a hot function on a test page stops running when R is
 * revoked (zeros fetched: illegal instruction; with ER: instruction
 * access fault). */
#include "test.h"
#include "vm.h"
#include "wg.h"

#define TBASE   0x80200000              /* test region: 64 KiB */
#define TEND    0x80210000
#define PG_R    (TBASE + 0x0000)        /* slot 2 */
#define PG_W    (TBASE + 0x1000)        /* slot 3 */
#define PG_X    (TBASE + 0x2000)        /* slot 4: code */
#define PG_N    (TBASE + 0x8000)        /* in no rule */
#define MARK    0x7e7e0000c0de0000
#define HOT     1000

#define SLOT_R_PERM WGC_REG(WGC_DRAM, 2, WGC_PERM)
#define SLOT_R_CFG  WGC_REG(WGC_DRAM, 2, WGC_CFG)
#define SLOT_W_PERM WGC_REG(WGC_DRAM, 3, WGC_PERM)
#define SLOT_W_CFG  WGC_REG(WGC_DRAM, 3, WGC_CFG)
#define SLOT_X_PERM WGC_REG(WGC_DRAM, 4, WGC_PERM)
#define SLOT_X_CFG  WGC_REG(WGC_DRAM, 4, WGC_CFG)

/* Register conventions: s1 = address used by rd_fn / wr_fn, s3 = the
 * value expected from memory, s4 = loop counter. */

/* HOT calls of rd_fn, each must return s3 (a0 <- s3 at the end) */
.macro HOT_READS
        li      s4, HOT
8001:   call    rd_fn
        EXPECT_REG a0, s3
        addi    s4, s4, -1
        bnez    s4, 8001b
.endm
/* HOT calls of wr_fn storing HOT, HOT - 1, ..., 1 */
.macro HOT_WRITES
        li      s4, HOT
8001:   mv      a2, s4
        call    wr_fn
        addi    s4, s4, -1
        bnez    s4, 8001b
.endm

/* A trap resumes M at label (clobbers t0, t1); no trap: clear it */
.macro RESUME_AT label
        la      t0, \label
        la      t1, mtrap_resume
        sd      t0, 0(t1)
.endm
.macro NO_RESUME
        la      t1, mtrap_resume
        sd      zero, 0(t1)
.endm
/* HOT calls of the function at PG_X, each must return 0x77 (a trap, if
 * code went missing, ends the loop and fails) */
.macro HOT_CALLS
        TRAP_RESET
        RESUME_AT 8004f
        li      s4, HOT
        li      s5, PG_X
8001:   li      a0, 0
        jalr    ra, 0(s5)
        EXPECT  a0, 0x77
        addi    s4, s4, -1
        bnez    s4, 8001b
8004:   EXPECT_MTRAP_COUNT 0
        NO_RESUME
.endm
/* the next call of it returns 0x77 / traps with cause, mepc = PG_X and
 * mtval = tval (the handler resumes after the call) */
.macro NEXT_CALL_OK
        TRAP_RESET
        RESUME_AT 8003f
        li      a0, 0
        li      s5, PG_X
        jalr    ra, 0(s5)
8003:   EXPECT_MTRAP_COUNT 0
        EXPECT  a0, 0x77
        NO_RESUME
.endm
.macro NEXT_CALL_TRAP cause, tval
        TRAP_RESET
        RESUME_AT 8003f
        li      a0, 0x5a5a
        li      s5, PG_X
        jalr    ra, 0(s5)
8003:   EXPECT  a0, 0x5a5a
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        EXPECT_MTRAP_EPC_VAL PG_X
        EXPECT_MTRAP_TVAL \tval
.endm

/* hot reads / writes, a pause for the compiler, hot again */
.macro WARM_READS
        HOT_READS
        SETTLE
        HOT_READS
.endm
.macro WARM_WRITES
        HOT_WRITES
        SETTLE
        HOT_WRITES
.endm

/* revoke / grant: one register write (perm: 8 bytes, cfg: 4 bytes) */
.macro SET_PERM reg, val
        li      t0, \reg
        li      t1, \val
        sd      t1, 0(t0)
.endm
.macro SET_CFG reg, val
        li      t0, \reg
        li      t1, \val
        sw      t1, 0(t0)
.endm

/* call fn, with MPRV = 1 / MPP = S around the call if mprv = 1 */
.macro CALL_FN fn, mprv
        .if \mprv
        MPRV_S
        .endif
        call    \fn
        .if \mprv
        MPRV_OFF
        .endif
.endm
/* the next call of rd_fn reads 0 (blocked, no fault) */
.macro NEXT_READ_ZERO mprv=0
        TRAP_RESET
        li      a0, 0x5a5a
        CALL_FN rd_fn, \mprv
        EXPECT  a0, 0
        EXPECT_MTRAP_COUNT 0
.endm
/* the next call of rd_fn returns s3 */
.macro NEXT_READ_OK mprv=0
        TRAP_RESET
        li      a0, 0x5a5a
        CALL_FN rd_fn, \mprv
        EXPECT_REG a0, s3
        EXPECT_MTRAP_COUNT 0
.endm
/* the next call of rd_fn faults (M trap, mepc = the load, mtval = s1) */
.macro NEXT_READ_FAULT mprv=0
        TRAP_RESET
        li      a0, 0x5a5a
        CALL_FN rd_fn, \mprv
        EXPECT  a0, 0x5a5a
        EXPECT_MTRAP_R CAUSE_LOAD_ACCESS, rd_fn, s1
.endm
/* the next call of wr_fn (a2 = 0x777): no trap, or a store access fault;
 * the caller checks memory */
.macro NEXT_WRITE fault, mprv=0
        TRAP_RESET
        li      a2, 0x777
        CALL_FN wr_fn, \mprv
        .if \fault
        EXPECT_MTRAP_R CAUSE_STORE_ACCESS, wr_fn, s1
        .else
        EXPECT_MTRAP_COUNT 0
        .endif
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        /* markers in the test region and the dwords around it (M: world 3,
         * reset bypass rule) */
        li      s1, TBASE - 8
        li      s2, TEND
1:      li      a4, MARK
        xor     a4, a4, s1
        sd      a4, 0(s1)
        addi    s1, s1, 8
        bleu    s1, s2, 1b              /* TEND included */

        /* world 3's rules: TOR [0, TBASE) (slot 13, from slot 12's
         * address 0) and TOR [TEND, end) (slot 16, from slot 15's address);
         * worlds 0..2 may use the image (slot 1); slot 2 = page R, RW for
         * world 3 and R for world 1; slot 3 = page W, RW for 3 and 1 */
        TEST 1
        WG_SLOT WGC_DRAM, 1, WG_NAPOT_ADDR(0x80000000, 0x200000), WG_RW(0) | WG_RW(1) | WG_RW(2), WG_NAPOT
        WG_SLOT WGC_DRAM, 13, WG_ADDR(TBASE), WG_RW(3), WG_TOR
        WG_SET_ADDR WGC_DRAM, 15, WG_ADDR(TEND)
        WG_SLOT WGC_DRAM, 2, WG_NAPOT_ADDR(PG_R, 4096), WG_RW(3) | WG_R(1), WG_NAPOT
        WG_SLOT WGC_DRAM, 3, WG_NAPOT_ADDR(PG_W, 4096), WG_RW(3) | WG_RW(1), WG_NAPOT
        /* M: the page in no rule reads as zero, writes dropped */
        li      s1, PG_N
        ld      a0, 0(s1)
        EXPECT  a0, 0
        li      a0, 0x1234
        sd      a0, 8(s1)
        ld      a0, 8(s1)
        EXPECT  a0, 0
        li      s1, TEND
        ld      a0, 0(s1)
        li      a4, MARK
        xor     a4, a4, s1
        EXPECT_REG a0, a4
        li      s1, TBASE - 8
        ld      a0, 0(s1)
        li      a4, MARK
        xor     a4, a4, s1
        EXPECT_REG a0, a4
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* ---------------------------------------------- M (world 3) */
        /* reads: R revoked (perm 0), read as zero; granted again */
        TEST 2
        li      s1, PG_R + 0x10
        li      s3, MARK ^ (PG_R + 0x10)
        WARM_READS
        SET_PERM SLOT_R_PERM, WG_R(1)
        NEXT_READ_ZERO
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK
        /* R revoked, W kept */
        WARM_READS
        SET_PERM SLOT_R_PERM, WG_W(3)
        NEXT_READ_ZERO
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK

        /* reads with ER: access fault */
        TEST 3
        SET_CFG SLOT_R_CFG, WG_NAPOT | WG_ER
        WARM_READS
        SET_PERM SLOT_R_PERM, 0
        NEXT_READ_FAULT
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 3 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_R + 0x10) >> 2
        WG_CLEAR_ERR
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK
        SET_CFG SLOT_R_CFG, WG_NAPOT

        /* the slot turned OFF: no rule covers the page, slot[0] decides */
        TEST 4
        WARM_READS
        SET_CFG SLOT_R_CFG, WG_OFF
        NEXT_READ_ZERO
        SET_CFG SLOT_R_CFG, WG_NAPOT
        NEXT_READ_OK
        SET_CFG WGC_REG(WGC_DRAM, 0, WGC_CFG), WG_ER
        WARM_READS
        SET_CFG SLOT_R_CFG, WG_OFF
        NEXT_READ_FAULT
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 3 | ERR_R | ERR_BE
        WG_CLEAR_ERR
        SET_CFG SLOT_R_CFG, WG_NAPOT
        NEXT_READ_OK
        SET_CFG WGC_REG(WGC_DRAM, 0, WGC_CFG), 0

        /* writes: W revoked (RW -> R), the store is dropped; granted again */
        TEST 5
        li      s1, PG_W + 0x20
        WARM_WRITES
        ld      a0, 0(s1)
        EXPECT  a0, 1
        SET_PERM SLOT_W_PERM, WG_R(3) | WG_RW(1)
        NEXT_WRITE 0
        ld      a0, 0(s1)
        EXPECT  a0, 1
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        NEXT_WRITE 0
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        /* with EW: store access fault */
        SET_CFG SLOT_W_CFG, WG_NAPOT | WG_EW
        WARM_WRITES
        SET_PERM SLOT_W_PERM, WG_R(3)
        NEXT_WRITE 1
        ld      a0, 0(s1)
        EXPECT  a0, 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 3 | ERR_W | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_W + 0x20) >> 2
        WG_CLEAR_ERR
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        NEXT_WRITE 0
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        SET_CFG SLOT_W_CFG, WG_NAPOT

        /* ------------------------------- M with MPRV (MPP = S), world 1 */
        TEST 6
        SET_MLWID 1
        li      s1, PG_R + 0x30
        li      s3, MARK ^ (PG_R + 0x30)
        MPRV_S
        WARM_READS
        MPRV_OFF
        SET_PERM SLOT_R_PERM, WG_RW(3)
        NEXT_READ_ZERO 1
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK 1
        /* with ER */
        SET_CFG SLOT_R_CFG, WG_NAPOT | WG_ER
        MPRV_S
        WARM_READS
        MPRV_OFF
        SET_PERM SLOT_R_PERM, WG_RW(3)
        NEXT_READ_FAULT 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_R + 0x30) >> 2
        WG_CLEAR_ERR
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK 1
        SET_CFG SLOT_R_CFG, WG_NAPOT

        TEST 7
        li      s1, PG_W + 0x40
        MPRV_S
        WARM_WRITES
        MPRV_OFF
        ld      a0, 0(s1)
        EXPECT  a0, 1
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_R(1)
        NEXT_WRITE 0, 1
        ld      a0, 0(s1)
        EXPECT  a0, 1
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        NEXT_WRITE 0, 1
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        SET_CFG SLOT_W_CFG, WG_NAPOT | WG_EW
        MPRV_S
        WARM_WRITES
        MPRV_OFF
        SET_PERM SLOT_W_PERM, WG_RW(3)
        NEXT_WRITE 1, 1
        ld      a0, 0(s1)
        EXPECT  a0, 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_W | ERR_BE
        WG_CLEAR_ERR
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        NEXT_WRITE 0, 1
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        SET_CFG SLOT_W_CFG, WG_NAPOT

        /* ------------------------------------------- S mode, world 1 */
        TEST 8
        li      s1, PG_R + 0x50
        li      s3, MARK ^ (PG_R + 0x50)
        TRAP_RESET
        ENTER_MODE PRV_S, s_hot_reads, 1f
1:      EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT  a5, 0                   /* no read went wrong */
        SET_PERM SLOT_R_PERM, WG_RW(3)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_read, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT  a0, 0
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_read, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_REG a0, s3
        /* with ER: the fault is taken in M */
        SET_CFG SLOT_R_CFG, WG_NAPOT | WG_ER
        TRAP_RESET
        ENTER_MODE PRV_S, s_hot_reads, 1f
1:      EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT  a5, 0
        SET_PERM SLOT_R_PERM, WG_RW(3)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_read, 1f
1:      EXPECT_MTRAP_R CAUSE_LOAD_ACCESS, rd_fn, s1
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        WG_CLEAR_ERR
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_read, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        EXPECT_REG a0, s3
        SET_CFG SLOT_R_CFG, WG_NAPOT

        TEST 9
        li      s1, PG_W + 0x60
        TRAP_RESET
        ENTER_MODE PRV_S, s_hot_writes, 1f
1:      EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        ld      a0, 0(s1)
        EXPECT  a0, 1
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_R(1)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_write, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        ld      a0, 0(s1)
        EXPECT  a0, 1
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_write, 1f
1:      EXPECT_MTRAP_COUNT 1
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        SET_CFG SLOT_W_CFG, WG_NAPOT | WG_EW
        TRAP_RESET
        ENTER_MODE PRV_S, s_hot_writes, 1f
1:      EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        SET_PERM SLOT_W_PERM, WG_RW(3)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_write, 1f
1:      EXPECT_MTRAP_R CAUSE_STORE_ACCESS, wr_fn, s1
        ld      a0, 0(s1)
        EXPECT  a0, 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_W | ERR_BE
        WG_CLEAR_ERR
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        TRAP_RESET
        ENTER_MODE PRV_S, s_one_write, 1f
1:      EXPECT_MTRAP_COUNT 1
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        SET_CFG SLOT_W_CFG, WG_NAPOT
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* -------- M (world 3): the register write and the access in
         * one block: s4 iterations of "perm <- s5 (s6 the last time); load
         * (store)"; a first run keeps the grant (the blocks get hot), the
         * second revokes in its last iteration */
        TEST 10
        SET_MLWID 3
        li      s1, PG_R + 0x70
        li      s3, MARK ^ (PG_R + 0x70)
        li      s5, WG_RW(3) | WG_R(1)
        li      s6, WG_RW(3) | WG_R(1)
        li      s4, HOT
        li      t0, SLOT_R_PERM
        call    same_tb_reads
        EXPECT  a5, 0
        EXPECT_REG a0, s3
        SETTLE
        TRAP_RESET
        li      s6, WG_R(1)
        li      s4, HOT
        li      t0, SLOT_R_PERM
        call    same_tb_reads
        EXPECT  a5, 0
        EXPECT  a0, 0
        EXPECT_MTRAP_COUNT 0
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK
        /* with ER */
        SET_CFG SLOT_R_CFG, WG_NAPOT | WG_ER
        li      s4, HOT
        li      t0, SLOT_R_PERM
        call    same_tb_reads
        SETTLE
        TRAP_RESET
        li      s4, HOT
        li      t0, SLOT_R_PERM
        call    same_tb_reads
        EXPECT  a5, 0
        EXPECT_MTRAP_R CAUSE_LOAD_ACCESS, same_tb_ld, s1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 3 | ERR_R | ERR_BE
        WG_CLEAR_ERR
        SET_PERM SLOT_R_PERM, WG_RW(3) | WG_R(1)
        NEXT_READ_OK
        SET_CFG SLOT_R_CFG, WG_NAPOT

        TEST 11
        li      s1, PG_W + 0x70
        li      s5, WG_RW(3) | WG_RW(1)
        li      s6, WG_RW(3) | WG_RW(1)
        li      s4, HOT
        li      t0, SLOT_W_PERM
        call    same_tb_writes
        ld      a0, 0(s1)
        EXPECT  a0, 0
        SETTLE
        TRAP_RESET
        li      s6, WG_R(3) | WG_RW(1)
        li      s4, HOT
        li      t0, SLOT_W_PERM
        call    same_tb_writes
        EXPECT_MTRAP_COUNT 0
        ld      a0, 0(s1)
        EXPECT  a0, 1                   /* the last store (0) was dropped */
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        NEXT_WRITE 0
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        /* with EW */
        SET_CFG SLOT_W_CFG, WG_NAPOT | WG_EW
        li      s4, HOT
        li      t0, SLOT_W_PERM
        call    same_tb_writes
        SETTLE
        TRAP_RESET
        li      s4, HOT
        li      t0, SLOT_W_PERM
        call    same_tb_writes
        EXPECT_MTRAP_R CAUSE_STORE_ACCESS, same_tb_sd, s1
        ld      a0, 0(s1)
        EXPECT  a0, 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 3 | ERR_W | ERR_BE
        WG_CLEAR_ERR
        SET_PERM SLOT_W_PERM, WG_RW(3) | WG_RW(1)
        NEXT_WRITE 0
        ld      a0, 0(s1)
        EXPECT  a0, 0x777
        SET_CFG SLOT_W_CFG, WG_NAPOT
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* fetches: M calls a function on page X (slot 4) hot; with R
         * revoked the next call fetches zeros (illegal instruction, mtval
         * 0) or, with ER, faults (mcause 1, mepc = mtval = the function) */
        TEST 12
        WG_SLOT WGC_DRAM, 4, WG_NAPOT_ADDR(PG_X, 4096), WG_RW(3), WG_NAPOT
        li      s1, PG_X
        li      t0, 0x07700513          /* li a0, 0x77 */
        sw      t0, 0(s1)
        li      t0, 0x00008067          /* ret */
        sw      t0, 4(s1)
        fence.i
        HOT_CALLS
        SETTLE
        HOT_CALLS
        SET_PERM SLOT_X_PERM, WG_W(3)
        NEXT_CALL_TRAP CAUSE_ILLEGAL_INSN, 0
        SET_PERM SLOT_X_PERM, WG_RW(3)
        NEXT_CALL_OK
        SET_CFG SLOT_X_CFG, WG_NAPOT | WG_ER
        HOT_CALLS
        SETTLE
        HOT_CALLS
        SET_PERM SLOT_X_PERM, 0
        NEXT_CALL_TRAP CAUSE_FETCH_ACCESS, PG_X
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 3 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, PG_X >> 2
        WG_CLEAR_ERR
        SET_PERM SLOT_X_PERM, WG_RW(3)
        NEXT_CALL_OK
        SET_CFG SLOT_X_CFG, WG_NAPOT

        j       pass

/* the hot functions, on a page of their own: nothing is ever written
 * to it (a write would drop its decoded / compiled code) */
        .balign 4096
rd_fn:  ld      a0, 0(s1)
        ret
        .balign 64
wr_fn:  sd      a2, 0(s1)
        ret

/* s4 times: the register at t0 <- s5 (s6 in the last iteration), then,
 * in the same block, a load of (s1) (a0 = the last one, a5 = how many of
 * the others differed from s3) or a store of the remaining count to (s1)
 * (HOT - 1, ..., 1, 0) */
same_tb_reads:
        li      a5, 0
1:      mv      t1, s5
        addi    s4, s4, -1
        bnez    s4, 2f
        mv      t1, s6
2:      sd      t1, 0(t0)
same_tb_ld:
        ld      a0, 0(s1)
        beqz    s4, 3f
        beq     a0, s3, 1b
        addi    a5, a5, 1
        j       1b
3:      ret
same_tb_writes:
1:      mv      t1, s5
        addi    s4, s4, -1
        bnez    s4, 2f
        mv      t1, s6
2:      sd      t1, 0(t0)
same_tb_sd:
        sd      s4, 0(s1)
        bnez    s4, 1b
        ret

/* S mode: HOT reads (a5 <- how many differed from s3), a pause, HOT
 * again, or the same with writes; or one read / write (a0 = 0x5a5a /
 * a2 = 0x777 before); then ecall */
s_hot_reads:
        li      a5, 0
        jal     s7, s_reads
        SETTLE
        jal     s7, s_reads
        ecall
s_hot_writes:
        jal     s7, s_writes
        SETTLE
        jal     s7, s_writes
        ecall
s_one_read:
        li      a0, 0x5a5a
        call    rd_fn
        ecall
s_one_write:
        li      a2, 0x777
        call    wr_fn
        ecall
/* HOT calls of rd_fn (a5 += mismatches) / wr_fn; return through s7 */
s_reads:
        li      s4, HOT
1:      call    rd_fn
        beq     a0, s3, 2f
        addi    a5, a5, 1
2:      addi    s4, s4, -1
        bnez    s4, 1b
        jr      s7
s_writes:
        li      s4, HOT
1:      mv      a2, s4
        call    wr_fn
        addi    s4, s4, -1
        bnez    s4, 1b
        jr      s7
        .balign 4096                    /* .data starts on another page */

/* iopmp_exec - IOPMP instruction-fetch permission (x, HWCFG0.chk_x = 1)
 * and revocation of permissions from code and data the engines have
 * already cached or compiled (`rvdbt run --iopmp`, RRID 0;
 * common/iopmp.h):
 *  - a page readable but not executable: loads work, a call into it takes
 *    an instruction access fault (mcause 1, mepc = mtval = the target),
 *    captured with ttype = etype = 3;
 *  - a page executable but not readable: its code runs, loads from it
 *    (from outside and from its own code) take a load access fault
 *    (mcause 5);
 *  - a 4-byte instruction whose second half leaves an execute-only TOR
 *    rule: fetch fault with mepc = the instruction and mtval = its second
 *    half; straight-line code falling into an NA4 rule without x stops
 *    exactly there (both after running the same code hot with the whole
 *    page executable);
 *  - revocation of x: a function called hundreds of times (so that the
 *    tiered engine compiles it, jit_engine.rs HOT_THRESHOLD = 32; a 10 ms
 *    wfi pause lets the background compilation land), then one
 *    ENTRY_CFG write removes x: the very next call faults (called with
 *    jalr, and with a jal right after the revoking store); x given back:
 *    it runs again; x kept but r removed: it still runs while loads from
 *    it fault;
 *  - code revoking x of its own page: the store completes and the next
 *    instruction's fetch faults (rvdbt applies checker changes from the
 *    very next access: softmmu/src/mmu.rs `after_device_write`);
 *  - revocation of r (and w): a hot load (store) of a data page, then r
 *    (w) removed: the very next load (store) faults, in a separate call
 *    and in the same straight-line block as the revoking store;
 *  - self-modifying code behind the IOPMP: a hot function rewritten
 *    through a writable entry (+ fence.i) runs the new code; with w
 *    removed the rewrite faults and the code stays;
 *  - page boundaries: a hot 4-byte instruction straddling into a page
 *    whose x is then revoked faults (mepc = the instruction, mtval = the
 *    second page); hot code falling off a page into one without x faults
 *    at the first instruction there. */
#include "test.h"
#include "iopmp.h"

#define MARK_RX 0x5258000000000001
#define MARK_XO 0x584f000000000002
#define MARK_DT 0x4454000000000003
#define HOT_CALLS 300
#define HOT_AFTER 50
#define PAUSE_TICKS 100000              /* 10 ms of mtime (10 MHz) */
#define LI_A0_11 0x01100513             /* addi a0, zero, 0x11 */
#define LI_A0_22 0x02200513             /* addi a0, zero, 0x22 */
#define LI_A0_33 0x03300513             /* addi a0, zero, 0x33 */

.macro OK insn
        TRAP_RESET
        \insn
        EXPECT_NO_TRAP
.endm
.macro FAULT cause, treg, insn
        TRAP_RESET
9005:   \insn
        EXPECT_FAULT_AT \cause, 9005b, \treg
.endm

/* Call the function at register reg n times, sleep PAUSE_TICKS of mtime
 * in wfi (so that the tiered engine's background compilations land), then
 * call it HOT_AFTER more times (running the compiled code). Clobbers t0-t2,
 * s9, ra. */
.macro HOT reg, n=HOT_CALLS
        li      s9, \n
9020:   jalr    ra, 0(\reg)
        addi    s9, s9, -1
        bnez    s9, 9020b
        call    pause
        li      s9, HOT_AFTER
9021:   jalr    ra, 0(\reg)
        addi    s9, s9, -1
        bnez    s9, 9021b
.endm

/* The next trap to M resumes at label (mtrap_record's resume path, which
 * never reads the trapping instruction). Clobbers t0, t1. */
.macro RESUME_AT label
        la      t0, \label
        la      t1, mtrap_resume
        sd      t0, 0(t1)
.endm
.macro NO_RESUME
        la      t1, mtrap_resume
        sd      zero, 0(t1)
.endm

        /* no linker relaxation: the test pages' layout is fixed here */
        .option norelax
        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        IOPMP_STD_SETUP 0
        IOPMP_ENABLE

        /* readable, not executable */
        TEST 1
        ENTRY_NAPOT 1, rx_pg, 0, 4096, E_NAPOT | E_R
        la      s1, rx_pg
        la      s2, rx_pg + 0x100
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK_RX
        li      a0, 0x5a5a
        CALL_TRY s1
        EXPECT_FETCH_FAULT_AT s1
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s1, REQID(1, 0)
        ENTRY_CFG 1, E_NAPOT | E_R | E_X
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 0x77
        EXPECT_NO_CAPTURE

        /* executable, not readable */
        TEST 2
        ENTRY_NAPOT 4, xo_pg, 0, 4096, E_NAPOT | E_X
        la      s1, xo_fn
        la      s2, xo_pg + 0x100
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 0x55
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(4, 0)
        /* its own code loading from it */
        la      s1, xo_self
        li      a0, 0x5a5a
        CALL_TRY s1
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_LOAD_ACCESS
        EXPECT_MTRAP_EPC xo_self_ld
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, s2
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(4, 0)
        ENTRY_CFG 4, E_NAPOT | E_R | E_X
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, MARK_XO

        /* a 4-byte instruction leaving an execute-only TOR rule */
        TEST 3
        la      s1, straddle
        li      a0, 0
        HOT     s1
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 4
        ENTRY_ADDR 2, xo_pg, 0, E_OFF
        ENTRY_ADDR 3, xo_pg, 0x200, E_TOR | E_X
        ENTRY_CFG 4, E_NAPOT | E_R
        li      a0, 0
        CALL_TRY s1
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_ACCESS
        EXPECT_MTRAP_EPC straddle_insn
        la      s2, xo_pg + 0x200
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, s2
        EXPECT  a0, 3
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s2, REQID(4, 0)
        /* the whole page executable again: it runs */
        ENTRY_CFG 4, E_NAPOT | E_R | E_X
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 4
        ENTRY_OFF 3
        ENTRY_OFF 4

        /* straight-line code falling into an NA4 rule without x */
        TEST 4
        la      s1, seq
        li      a0, 0
        HOT     s1
        ENTRY_ADDR 8, seq, 8, E_NA4 | E_R
        li      a0, 0
        CALL_TRY s1
        la      s2, seq + 8
        EXPECT_FETCH_FAULT_AT s2
        EXPECT  a0, 2
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s2, REQID(8, 0)
        la      s3, seq + 12            /* its neighbours still run */
        li      a0, 10
        CALL_TRY s3
        EXPECT_NO_TRAP
        EXPECT  a0, 12
        ENTRY_OFF 8
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 5

        /* revocation of x from hot code: the next call faults */
        TEST 5
        ENTRY_NAPOT 5, hot_pg, 0, 4096, E_NAPOT | E_R | E_X
        la      s1, hot_fn
        li      a0, 0
        HOT     s1
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 10
        ENTRY_CFG 5, E_NAPOT | E_R
        li      a0, 0
        CALL_TRY s1
        EXPECT_FETCH_FAULT_AT s1
        EXPECT  a0, 0
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s1, REQID(5, 0)
        /* given back: runs again */
        ENTRY_CFG 5, E_NAPOT | E_R | E_X
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 10

        /* the revoking store and the call in one straight-line block */
        TEST 6
        li      a0, 0
        HOT     s1
        TRAP_RESET
        RESUME_AT 1f
        li      a0, 0
        li      s2, IOPMP_BASE + IOPMP_ENTRY_CFG(5)
        li      s3, E_NAPOT | E_R
        sw      s3, 0(s2)
        fence
        jalr    ra, 0(s1)
1:      NO_RESUME
        EXPECT_FETCH_FAULT_AT s1
        EXPECT  a0, 0
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s1, REQID(5, 0)
        /* the same with a direct call */
        ENTRY_CFG 5, E_NAPOT | E_R | E_X
        li      a0, 0
        HOT     s1
        TRAP_RESET
        RESUME_AT 2f
        li      a0, 0
        li      s3, E_NAPOT | E_R
        sw      s3, 0(s2)
        fence
        jal     ra, hot_fn
2:      NO_RESUME
        EXPECT_FETCH_FAULT_AT s1
        EXPECT  a0, 0
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s1, REQID(5, 0)

        /* x kept, r removed (and back): code runs, loads fault */
        TEST 7
        ENTRY_CFG 5, E_NAPOT | E_R | E_X
        la      s2, hot_pg + 0x100
        li      a0, 0
        HOT     s1
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK_XO
        ENTRY_CFG 5, E_NAPOT | E_X
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 10
        li      a0, 0x5a5a
        FAULT   CAUSE_LOAD_ACCESS, s2, "ld a0, 0(s2)"
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), s2, REQID(5, 0)
        ENTRY_CFG 5, E_NAPOT | E_R
        OK      "ld a0, 0(s2)"
        EXPECT  a0, MARK_XO
        CALL_TRY s1
        EXPECT_FETCH_FAULT_AT s1
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s1, REQID(5, 0)

        /* code revoking x of its own page: the next fetch faults */
        TEST 8
        ENTRY_CFG 5, E_NAPOT | E_R | E_X
        la      s1, rev_self
        li      a2, IOPMP_BASE + IOPMP_ENTRY_CFG(5)
        li      a3, E_NAPOT | E_R | E_X         /* unchanged while hot */
        li      a0, 0
        HOT     s1
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 1
        TRAP_RESET
        RESUME_AT 1f
        li      a0, 0
        li      a3, E_NAPOT | E_R
        jalr    ra, 0(s1)
1:      NO_RESUME
        la      s2, rev_self_next
        EXPECT_FETCH_FAULT_AT s2
        EXPECT  a0, 0
        EXPECT_IOPMP IOPMP_ENTRY_CFG(5), E_NAPOT | E_R  /* the store landed */
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s2, REQID(5, 0)
        ENTRY_OFF 5

        /* revocation of r and w from hot loads and stores of a data page */
        TEST 9
        ENTRY_NAPOT 6, dat_pg, 0, 4096, E_NAPOT | E_R | E_W
        la      s1, reader
        la      a1, dat_pg + 8
        li      a0, 0
        HOT     s1
        EXPECT  a0, MARK_DT
        ENTRY_CFG 6, E_NAPOT | E_W
        li      a0, 0x5a5a
        TRAP_RESET
        jalr    ra, 0(s1)
        EXPECT_FAULT_AT CAUSE_LOAD_ACCESS, reader, a1
        EXPECT  a0, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), a1, REQID(6, 0)
        /* stores: writer stores a2 at a1 */
        ENTRY_CFG 6, E_NAPOT | E_R | E_W
        la      s1, writer
        la      a1, dat_pg + 16
        li      a2, 0x1111
        HOT     s1
        ENTRY_CFG 6, E_NAPOT | E_R
        li      a2, 0x2222
        TRAP_RESET
        jalr    ra, 0(s1)
        EXPECT_FAULT_AT CAUSE_STORE_ACCESS, writer, a1
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), a1, REQID(6, 0)
        OK      "ld a0, 0(a1)"
        EXPECT  a0, 0x1111

        /* the same within one straight-line block, run hot */
        TEST 10
        ENTRY_CFG 6, E_NAPOT | E_R | E_W
        la      s1, rev_data
        la      a1, dat_pg + 8
        li      a2, IOPMP_BASE + IOPMP_ENTRY_CFG(6)
        li      a3, E_NAPOT | E_R | E_W         /* unchanged while hot */
        HOT     s1
        EXPECT  a0, MARK_DT
        EXPECT  a4, MARK_DT
        li      a3, E_NAPOT | E_W
        li      a0, 0
        li      a4, 0x5a5a
        TRAP_RESET
        jalr    ra, 0(s1)
        EXPECT_FAULT_AT CAUSE_LOAD_ACCESS, rev_data_ld2, a1
        EXPECT  a0, MARK_DT
        EXPECT  a4, 0x5a5a
        EXPECT_CAPTURE ERR_INFO_VAL(TT_READ, ET_READ), a1, REQID(6, 0)
        /* w: store, revoke, store */
        ENTRY_CFG 6, E_NAPOT | E_R | E_W
        la      s1, rev_wdata
        la      a1, dat_pg + 24
        li      a3, E_NAPOT | E_R | E_W
        li      a4, 0x3131
        HOT     s1
        li      a3, E_NAPOT | E_R
        li      a4, 0x4141
        TRAP_RESET
        jalr    ra, 0(s1)
        addi    s2, a1, 8
        EXPECT_FAULT_AT CAUSE_STORE_ACCESS, rev_wdata_sd2, s2
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s2, REQID(6, 0)
        OK      "ld a0, 0(a1)"
        EXPECT  a0, 0x4141              /* the first store landed */
        OK      "ld a0, 8(a1)"
        EXPECT  a0, 0x3131              /* the second did not */
        ENTRY_OFF 6

        /* self-modifying code behind the IOPMP */
        TEST 11
        ENTRY_NAPOT 7, smc_pg, 0, 4096, E_NAPOT | E_R | E_W | E_X
        la      s1, smc_fn
        li      a0, 0
        HOT     s1
        EXPECT  a0, 0x11
        li      a1, LI_A0_22
        sw      a1, 0(s1)
        fence.i
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 0x22
        HOT     s1
        EXPECT  a0, 0x22
        ENTRY_CFG 7, E_NAPOT | E_R | E_X
        li      a1, LI_A0_33
        FAULT   CAUSE_STORE_ACCESS, s1, "sw a1, 0(s1)"
        EXPECT_CAPTURE ERR_INFO_VAL(TT_WRITE, ET_WRITE), s1, REQID(7, 0)
        fence.i
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 0x22
        ENTRY_CFG 7, E_NAPOT | E_R | E_W | E_X
        li      a1, LI_A0_33
        sw      a1, 0(s1)
        fence.i
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 0x33
        ENTRY_OFF 7

        /* across page boundaries: a 4-byte instruction straddling into a
         * page whose x is revoked, and code falling off the end of a page
         * into one without x (both hot first) */
        TEST 12
        la      s1, xpage_straddle
        la      s2, xpage_fall
        li      a0, 0
        HOT     s1
        li      a0, 0
        HOT     s2
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 4
        li      a0, 0
        CALL_TRY s2
        EXPECT_NO_TRAP
        EXPECT  a0, 4
        ENTRY_NAPOT 9, xb_pg, 0, 4096, E_NAPOT | E_R
        li      a0, 0
        CALL_TRY s1
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_FETCH_ACCESS
        EXPECT_MTRAP_EPC xpage_straddle_insn
        la      s3, xb_pg
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, s3
        EXPECT  a0, 3
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s3, REQID(9, 0)
        li      a0, 0
        CALL_TRY s2                     /* entirely in xb_pg: faults */
        EXPECT_FETCH_FAULT_AT s2
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s2, REQID(9, 0)
        ENTRY_CFG 9, E_NAPOT | E_R | E_X
        ENTRY_NAPOT 10, xc_pg, 0, 4096, E_NAPOT | E_R
        li      a0, 0
        CALL_TRY s1
        EXPECT_NO_TRAP
        EXPECT  a0, 4
        li      a0, 0
        CALL_TRY s2
        la      s3, xc_pg
        EXPECT_FETCH_FAULT_AT s3
        EXPECT  a0, 3
        EXPECT_CAPTURE ERR_INFO_VAL(TT_FETCH, ET_FETCH), s3, REQID(10, 0)
        ENTRY_OFF 9
        ENTRY_OFF 10
        li      a0, 0
        CALL_TRY s2
        EXPECT_NO_TRAP
        EXPECT  a0, 4

        j       pass

/* pause: wfi until mtime has advanced by PAUSE_TICKS (MTIP wakes the hart;
 * mstatus.MIE = 0, so no trap is taken). Clobbers t0-t2. */
pause:  li      t0, CLINT_MTIME
        ld      t1, 0(t0)
        li      t2, PAUSE_TICKS
        add     t1, t1, t2
        li      t0, CLINT_MTIMECMP
        sd      t1, 0(t0)
        li      t0, MIP_MTIP
        csrs    mie, t0
1:      wfi
        csrr    t1, mip
        and     t1, t1, t0
        beqz    t1, 1b
        csrc    mie, t0
        li      t0, CLINT_MTIMECMP
        li      t1, -1
        sd      t1, 0(t0)
        ret

/* functions used from the main page */
        .balign 4
reader: ld      a0, 0(a1)
        ret
writer: sd      a2, 0(a1)
        ret
/* a0 <- [a1]; ENTRY_CFG <- a3 (at a2); a4 <- [a1] */
rev_data:
        ld      a0, 0(a1)
        sw      a3, 0(a2)
        fence
rev_data_ld2:
        ld      a4, 0(a1)
        ret
/* [a1] <- a4; ENTRY_CFG <- a3 (at a2); [a1 + 8] <- a4 */
rev_wdata:
        sd      a4, 0(a1)
        sw      a3, 0(a2)
        fence
rev_wdata_sd2:
        sd      a4, 8(a1)
        ret

/* readable-not-executable page */
        .balign 4096
rx_pg:  li      a0, 0x77
        ret
        .balign 256
        .dword  MARK_RX
        .balign 4096

/* execute-only page */
xo_pg:
xo_fn:  li      a0, 0x55
        ret
xo_self:
        la      t0, xo_pg + 0x100
xo_self_ld:
        ld      a0, 0(t0)
        ret
        .balign 256
        .dword  MARK_XO
        .space  xo_pg + 0x1f8 - .
straddle:                               /* xo_pg + 0x1f8 */
        c.li    a0, 1
        c.addi  a0, 1
        c.addi  a0, 1
        .option push
        .option norvc
straddle_insn:                          /* xo_pg + 0x1fe: 4 bytes */
        addi    a0, a0, 1
        .option pop
        ret
        .balign 4096

/* hot code */
hot_pg:
hot_fn: li      t0, 10
1:      addi    a0, a0, 1
        addi    t0, t0, -1
        bnez    t0, 1b
        ret
        .balign 256
        .dword  MARK_XO
        .balign 4
/* ENTRY_CFG <- a3 (at a2), then a0 += 1 */
rev_self:
        sw      a3, 0(a2)
rev_self_next:
        addi    a0, a0, 1
        ret
        .balign 4096

/* straight-line code (a0 += 5) */
        .option push
        .option norvc
seq:    addi    a0, a0, 1
        addi    a0, a0, 1
        addi    a0, a0, 1               /* seq + 8 */
        addi    a0, a0, 1
        addi    a0, a0, 1
        ret
        .option pop
        .balign 4096

/* rewritten code */
smc_pg:
        .option push
        .option norvc
smc_fn: addi    a0, zero, 0x11
        ret
        .option pop
        .balign 4096

/* three pages: an instruction straddling xa_pg / xb_pg, code falling
 * from xb_pg into xc_pg (a0 += 4 each) */
xa_pg:  .space  0xff8
xpage_straddle:                         /* xa_pg + 0xff8 */
        c.li    a0, 1
        c.addi  a0, 1
        c.addi  a0, 1
        .option push
        .option norvc
xpage_straddle_insn:                    /* xa_pg + 0xffe: 4 bytes */
        addi    a0, a0, 1
        .option pop
        ret                             /* xb_pg + 2 */
        .space  xa_pg + 0x1ff8 - .
xpage_fall:                             /* xb_pg + 0xff8 */
        c.li    a0, 1
        c.addi  a0, 1
        c.addi  a0, 1
        c.nop
        c.addi  a0, 1                   /* xc_pg */
        ret
        .balign 4096
        .set    xb_pg, xa_pg + 0x1000
        .set    xc_pg, xa_pg + 0x2000

        .data
        .balign 4096
dat_pg: .dword  0, MARK_DT
        .fill   510, 8, 0

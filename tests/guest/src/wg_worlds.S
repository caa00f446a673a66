/* wg_worlds - RISC-V WorldGuard worlds, wgChecker rules and responses
 * (rvdbt only: run with --worldguard; QEMU 7.2 has no WorldGuard).
 *
 *  - reset state: mlwid = 3 (hardware bypass), mwiddeleg = 0, slwid
 *    illegal; checker registers (vendor, impid, nslots 16/16/1, errcause,
 *    erraddr, slot[0] at the range start, slot[nslots] TOR to the range end,
 *    read/write for world 3);
 *  - CSR WARL: mlwid / slwid keep a legal WID (illegal -> the lowest legal
 *    one), mwiddeleg keeps the existing worlds; slwid is illegal (M and S)
 *    while mwiddeleg = 0, mlwid / mwiddeleg are M-only, slwid is not for U;
 *  - checker register WARL: slot[0] addr / perm fixed and A hard-wired OFF,
 *    slot[nslots] addr fixed and A limited to OFF / TOR, perm and cfg masks,
 *    addr bits, the L bit freezing a slot, 2-byte register access faults;
 *  - per-world rules on four RAM pages (worlds 0, 1, 2 each get one RO, one
 *    WO, one RW and one no-access page), checked by M-mode data accesses
 *    made as world mlwid (MPRV, MPP = S): blocked reads return 0, blocked
 *    writes are dropped (ER = EW = 0), nothing latched; world 3 (M, or
 *    mlwid = 3) passes through the reset TOR rule;
 *  - sub-page rules: NA4 (an 8-byte access half inside is blocked), TOR
 *    (from an OFF slot's address and from the top of a NAPOT slot), and
 *    permissions of overlapping rules adding up (R from one, W from another);
 *  - S mode runs as mlwid; U runs as mlwid while mwiddeleg = 0 and as
 *    slwid when WIDs are delegated; S sets slwid and srets to U; MPRV with
 *    MPP = U uses U's WID;
 *  - ER / EW: blocked read -> load access fault (mcause 5), blocked write
 *    -> store access fault (7), mtval = address, memory unchanged; errcause
 *    (wid, r / w, be) and erraddr (= address >> 2) hold the first error
 *    until software clears errcause (be or ip still set keeps it latched);
 *    ER alone does not affect writes, EW alone not reads;
 *  - IR / IW: errcause.ip drives PLIC source 15 (level: pending again after
 *    complete while ip is set), claimed polled with MIE = 0, and taken as
 *    an M external interrupt whose handler claims 15 and clears errcause;
 *    ER + IR: fault and interrupt;
 *  - trusted WID 3: worlds 0..2 read the checker registers as 0 and their
 *    writes are ignored (errors too); mlwid = 3 below M reaches them;
 *  - the UART checker: world 0 reads the LSR as 0 and its THR writes are
 *    dropped (nothing appears on the output) until its slot grants it;
 *  - fetches are reads: S code on a test page runs for a world that may
 *    read it, fetches zeros otherwise (illegal instruction, mtval 0), or
 *    an instruction access fault with ER (errcause r), also right after
 *    the world lost R. */
#include "test.h"
#include "vm.h"
#include "wg.h"

#define TBASE   0x80200000              /* test pages, outside the image rule */
#define PG_A    (TBASE + 0x0000)
#define PG_B    (TBASE + 0x1000)
#define PG_C    (TBASE + 0x2000)
#define PG_D    (TBASE + 0x3000)
#define PG_E    (TBASE + 0x4000)        /* ER / EW */
#define PG_F    (TBASE + 0x5000)        /* IR / IW */
#define PG_G    (TBASE + 0x6000)        /* sub-page rules */
#define NPAGES  7
#define MARK    0x5eedf00d00000000      /* dword at a = MARK ^ a */

#define UART_LSR (UART0_BASE + 5)

#define CSRR_A0_SLWID 0x19002573        /* csrr a0, slwid */

/* a4 <- the marker of the dword at s1 */
.macro MARKER
        li      a4, MARK
        xor     a4, a4, s1
.endm

/* Load at addr as the world of M's data accesses with MPRV and MPP =
 * mode (S or U): expect the marker (ok = 1) or 0 (blocked, no fault);
 * insn is ld or lw (lw only at 8-aligned addresses when ok). */
.macro RD addr, ok, insn=ld, mode=S
        li      s1, \addr
        li      a0, 0x5a5a
        MPRV_\mode
        \insn   a0, 0(s1)
        MPRV_OFF
        .if \ok
        MARKER
        .ifc \insn, lw
        sext.w  a4, a4
        .endif
        EXPECT_REG a0, a4
        .else
        EXPECT  a0, 0
        .endif
.endm
/* Store ~marker at addr the same way: expect it written (ok = 1; the
 * marker is put back by M) or dropped (memory still holds the marker). */
.macro WR addr, ok, mode=S
        li      s1, \addr
        MARKER
        not     a2, a4
        MPRV_\mode
        sd      a2, 0(s1)
        MPRV_OFF
        ld      a3, 0(s1)
        .if \ok
        EXPECT_REG a3, a2
        sd      a4, 0(s1)
        .else
        EXPECT_REG a3, a4
        .endif
.endm
/* Reads and writes of pages A..D (start and end of each) as world w. */
.macro WORLD4 w, ra, wa, rb, wb, rc, wc, rd, wd
        SET_MLWID \w
        RD      PG_A, \ra
        RD      PG_A + 0xff8, \ra
        WR      PG_A + 0x8, \wa
        RD      PG_B, \rb
        RD      PG_B + 0xff8, \rb
        WR      PG_B + 0x8, \wb
        RD      PG_C, \rc
        RD      PG_C + 0xff8, \rc
        WR      PG_C + 0xff0, \wc
        RD      PG_D, \rd
        RD      PG_D + 0xff8, \rd
        WR      PG_D + 0x8, \wd
.endm

/* One M trap with cause at label, mtval = s1, a0 untouched. */
.macro EXPECT_ACC_FAULT cause, label
        EXPECT_MTRAP_R \cause, \label, s1
.endm

/* a0 <- mip.MEIP (0 or MIP_MEIP) */
.macro GET_MEIP
        csrr    a0, mip
        li      t0, MIP_MEIP
        and     a0, a0, t0
.endm
/* a0 <- PLIC claim (context 0); complete(val) */
.macro PLIC_CLAIM
        li      t0, PLIC_CLAIM0
        lw      a0, 0(t0)
.endm
.macro PLIC_COMPLETE src
        li      t0, PLIC_CLAIM0
        li      t1, \src
        sw      t1, 0(t0)
.endm
/* a0 <- PLIC pending bit of source 15 */
.macro PLIC_PENDING15
        li      t0, PLIC_PENDING
        lw      a0, 0(t0)
        srli    a0, a0, WGC_DRAM_IRQ
        andi    a0, a0, 1
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS
        /* fill the test pages with markers (M: world 3) */
        li      s1, TBASE
        li      s2, TBASE + NPAGES * 4096
1:      MARKER
        sd      a4, 0(s1)
        addi    s1, s1, 8
        bltu    s1, s2, 1b

        /* reset state of the hart's CSRs and of the checkers */
        TEST 1
        csrr    a0, CSR_MLWID
        EXPECT  a0, 3
        csrr    a0, CSR_MWIDDELEG
        EXPECT  a0, 0
        TRAP_RESET
        li      a0, 0x5a5a
1:      csrr    a0, CSR_SLWID
        EXPECT_MTRAP CAUSE_ILLEGAL_INSN, 1b, CSRR_A0_SLWID
        EXPECT  a0, 0x5a5a
        EXPECT_REG32 WGC_DRAM + WGC_VENDOR, 0
        EXPECT_REG32 WGC_DRAM + WGC_IMPID, 0
        EXPECT_REG32 WGC_DRAM + WGC_NSLOTS, 16
        EXPECT_REG64 WGC_DRAM + WGC_NSLOTS, 16
        EXPECT_REG32 WGC_FLASH + WGC_NSLOTS, 16
        EXPECT_REG32 WGC_UART + WGC_NSLOTS, 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 0, WGC_ADDR), 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 0, WGC_PERM), 0
        EXPECT_REG32 WGC_REG(WGC_DRAM, 0, WGC_CFG), 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 1, WGC_ADDR), 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 1, WGC_PERM), 0
        EXPECT_REG32 WGC_REG(WGC_DRAM, 1, WGC_CFG), WG_OFF
        EXPECT_REG64 WGC_REG(WGC_DRAM, 15, WGC_ADDR), 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 16, WGC_ADDR), WG_RANGE_END
        EXPECT_REG64 WGC_REG(WGC_DRAM, 16, WGC_PERM), WG_RW(3)
        EXPECT_REG32 WGC_REG(WGC_DRAM, 16, WGC_CFG), WG_TOR
        EXPECT_REG64 WGC_REG(WGC_FLASH, 16, WGC_PERM), WG_RW(3)
        EXPECT_REG32 WGC_REG(WGC_FLASH, 16, WGC_CFG), WG_TOR
        EXPECT_REG64 WGC_REG(WGC_UART, 1, WGC_ADDR), WG_RANGE_END
        EXPECT_REG64 WGC_REG(WGC_UART, 1, WGC_PERM), WG_RW(3)
        EXPECT_REG32 WGC_REG(WGC_UART, 1, WGC_CFG), WG_TOR
        EXPECT_REG64 WGC_UART + WGC_ERRCAUSE, 0

        /* WARL rules of mlwid, mwiddeleg and slwid (from M) */
        TEST 2
        SET_MLWID 2
        csrr    a0, CSR_MLWID
        EXPECT  a0, 2
        SET_MLWID 4                     /* no world 4: lowest legal WID */
        csrr    a0, CSR_MLWID
        EXPECT  a0, 0
        SET_MLWID 3
        csrr    a0, CSR_MLWID
        EXPECT  a0, 3
        SET_MLWID -1
        csrr    a0, CSR_MLWID
        EXPECT  a0, 0
        SET_MLWID 1
        csrr    a0, CSR_MLWID
        EXPECT  a0, 1
        li      t0, -1
        csrw    CSR_MWIDDELEG, t0
        csrr    a0, CSR_MWIDDELEG
        EXPECT  a0, 0xf
        li      t0, 0x10
        csrw    CSR_MWIDDELEG, t0
        csrr    a0, CSR_MWIDDELEG
        EXPECT  a0, 0
        li      t0, 0x16
        csrw    CSR_MWIDDELEG, t0
        csrr    a0, CSR_MWIDDELEG
        EXPECT  a0, 0x6
        /* slwid now exists and holds a delegated WID (1 or 2) */
        csrr    a0, CSR_SLWID
        addi    a0, a0, -1
        sltiu   a0, a0, 2
        EXPECT  a0, 1
        li      t0, 2
        csrw    CSR_SLWID, t0
        csrr    a0, CSR_SLWID
        EXPECT  a0, 2
        li      t0, 3                   /* not delegated */
        csrw    CSR_SLWID, t0
        csrr    a0, CSR_SLWID
        EXPECT  a0, 1
        li      t0, 2
        csrw    CSR_SLWID, t0
        li      t0, 0
        csrw    CSR_SLWID, t0
        csrr    a0, CSR_SLWID
        EXPECT  a0, 1
        li      t0, -1
        csrw    CSR_SLWID, t0
        csrr    a0, CSR_SLWID
        EXPECT  a0, 1
        /* no delegation: slwid is illegal again (reads and writes) */
        csrw    CSR_MWIDDELEG, zero
        TRAP_RESET
        li      a0, 0x5a5a
        csrr    a0, CSR_SLWID
        csrw    CSR_SLWID, zero
        EXPECT_MTRAP_COUNT 2
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT  a0, 0x5a5a
        csrr    a0, CSR_MLWID
        EXPECT  a0, 1
        SET_MLWID 3

        /* WARL rules of the checker registers */
        TEST 3
        /* slot[0]: address (range start) and perm fixed, A hard-wired OFF */
        WG_SET_ADDR WGC_DRAM, 0, 0x1234
        EXPECT_REG64 WGC_REG(WGC_DRAM, 0, WGC_ADDR), 0
        WG_SET_PERM WGC_DRAM, 0, -1
        EXPECT_REG64 WGC_REG(WGC_DRAM, 0, WGC_PERM), 0
        WG_SET_CFG WGC_DRAM, 0, 0x7fffffff
        EXPECT_REG32 WGC_REG(WGC_DRAM, 0, WGC_CFG), WG_ER | WG_EW | WG_IR | WG_IW
        WG_SET_CFG WGC_DRAM, 0, 0
        EXPECT_REG32 WGC_REG(WGC_DRAM, 0, WGC_CFG), 0
        /* slot[16]: address (range end) fixed, A only OFF or TOR */
        WG_SET_ADDR WGC_DRAM, 16, 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 16, WGC_ADDR), WG_RANGE_END
        WG_SET_CFG WGC_DRAM, 16, WG_NAPOT
        EXPECT_REG32 WGC_REG(WGC_DRAM, 16, WGC_CFG), WG_TOR
        WG_SET_CFG WGC_DRAM, 16, WG_NA4
        EXPECT_REG32 WGC_REG(WGC_DRAM, 16, WGC_CFG), WG_TOR
        /* slot[1]: two perm bits per world (4 worlds), cfg bits, addr bits */
        WG_SET_PERM WGC_DRAM, 1, -1
        EXPECT_REG64 WGC_REG(WGC_DRAM, 1, WGC_PERM), 0xff
        WG_SET_ADDR WGC_DRAM, 1, -1
        EXPECT_REG64 WGC_REG(WGC_DRAM, 1, WGC_ADDR), 0x3fffffffffffffff
        WG_SET_CFG WGC_DRAM, 1, 0x7ffffffc
        EXPECT_REG32 WGC_REG(WGC_DRAM, 1, WGC_CFG), WG_ER | WG_EW | WG_IR | WG_IW
        WG_SLOT WGC_DRAM, 1, 0, 0, 0
        EXPECT_REG64 WGC_REG(WGC_DRAM, 1, WGC_PERM), 0
        /* a 4-byte write changes half of an 8-byte register */
        li      t0, WGC_REG(WGC_DRAM, 1, WGC_ADDR)
        li      t1, 0x12345678
        sw      t1, 4(t0)
        EXPECT_REG64 WGC_REG(WGC_DRAM, 1, WGC_ADDR), 0x1234567800000000
        sd      zero, 0(t0)
        /* L freezes the slot (slot 14 stays locked until reset) */
        WG_SLOT WGC_DRAM, 14, 0x1234, 0, WG_L
        WG_SET_ADDR WGC_DRAM, 14, 0x5678
        WG_SET_PERM WGC_DRAM, 14, 3
        WG_SET_CFG WGC_DRAM, 14, WG_NAPOT
        EXPECT_REG64 WGC_REG(WGC_DRAM, 14, WGC_ADDR), 0x1234
        EXPECT_REG64 WGC_REG(WGC_DRAM, 14, WGC_PERM), 0
        EXPECT_REG32 WGC_REG(WGC_DRAM, 14, WGC_CFG), WG_L
        /* only 4- and 8-byte register accesses: others are access faults */
        TRAP_RESET
        li      s1, WGC_DRAM + WGC_NSLOTS
        li      a0, 0x5a5a
1:      lhu     a0, 0(s1)
        EXPECT_ACC_FAULT CAUSE_LOAD_ACCESS, 1b
        EXPECT  a0, 0x5a5a
        TRAP_RESET
        li      s1, WGC_REG(WGC_DRAM, 2, WGC_PERM)
1:      sb      a0, 0(s1)
        EXPECT_ACC_FAULT CAUSE_STORE_ACCESS, 1b
        EXPECT_REG64 WGC_REG(WGC_DRAM, 2, WGC_PERM), 0

        /* the rules: slot 1 lets worlds 0..2 use the image (code, data,
         * stack); slots 2..5 give each world an RO, a WO, an RW and a
         * no-access page */
        TEST 4
        WG_SLOT WGC_DRAM, 1, WG_NAPOT_ADDR(0x80000000, 0x200000), WG_RW(0) | WG_RW(1) | WG_RW(2), WG_NAPOT
        WG_SLOT WGC_DRAM, 2, WG_NAPOT_ADDR(PG_A, 4096), WG_R(0) | WG_W(1) | WG_RW(2), WG_NAPOT
        WG_SLOT WGC_DRAM, 3, WG_NAPOT_ADDR(PG_B, 4096), WG_W(0) | WG_RW(1), WG_NAPOT
        WG_SLOT WGC_DRAM, 4, WG_NAPOT_ADDR(PG_C, 4096), WG_RW(0) | WG_R(2), WG_NAPOT
        WG_SLOT WGC_DRAM, 5, WG_NAPOT_ADDR(PG_D, 4096), WG_R(1) | WG_W(2), WG_NAPOT
        EXPECT_REG64 WGC_REG(WGC_DRAM, 2, WGC_ADDR), WG_NAPOT_ADDR(PG_A, 4096)
        EXPECT_REG64 WGC_REG(WGC_DRAM, 2, WGC_PERM), WG_R(0) | WG_W(1) | WG_RW(2)
        EXPECT_REG32 WGC_REG(WGC_DRAM, 2, WGC_CFG), WG_NAPOT
        /* M (world 3) still reaches every page through slot 16 */
        li      s1, PG_D + 0x10
        ld      a0, 0(s1)
        MARKER
        EXPECT_REG a0, a4
        li      s1, PG_A + 0x10
        sd      zero, 0(s1)
        ld      a0, 0(s1)
        EXPECT  a0, 0
        MARKER
        sd      a4, 0(s1)

        TEST 5
        TRAP_RESET
        WORLD4  0, 1,0, 0,1, 1,1, 0,0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        TEST 6
        WORLD4  1, 0,1, 1,1, 0,0, 1,0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        TEST 7
        WORLD4  2, 1,1, 0,0, 1,0, 0,1
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, 0

        /* world 3 below M passes everywhere; M is world 3 whatever mlwid
         * says; MPRV with MPP = U uses mlwid while mwiddeleg = 0 */
        TEST 8
        WORLD4  3, 1,1, 1,1, 1,1, 1,1
        SET_MLWID 0
        li      s1, PG_D + 0x20
        ld      a0, 0(s1)
        MARKER
        EXPECT_REG a0, a4
        SET_MLWID 1
        RD      PG_D, 1, ld, U
        RD      PG_C, 0, ld, U
        WR      PG_B, 1, U
        WR      PG_D, 0, U
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* sub-page rules in page G */
        TEST 9
        WG_SLOT WGC_DRAM, 8, WG_ADDR(PG_G + 0x10), WG_R(0), WG_NA4
        WG_SLOT WGC_DRAM, 9, WG_ADDR(PG_G + 0x100), WG_RW(1), WG_OFF
        WG_SLOT WGC_DRAM, 10, WG_ADDR(PG_G + 0x200), WG_R(0), WG_TOR
        WG_SLOT WGC_DRAM, 11, WG_NAPOT_ADDR(PG_G + 0x800, 0x800), WG_R(0), WG_NAPOT
        WG_SLOT WGC_DRAM, 12, WG_NAPOT_ADDR(PG_G + 0xc00, 0x400), WG_W(0), WG_NAPOT
        SET_MLWID 0
        RD      PG_G + 0x10, 1, lw
        RD      PG_G + 0x10, 0          /* 8 bytes, half outside the NA4 rule */
        RD      PG_G + 0x14, 0, lw
        RD      PG_G + 0x8, 0
        RD      PG_G + 0x100, 1
        RD      PG_G + 0x1f8, 1
        RD      PG_G + 0x200, 0
        RD      PG_G + 0xf8, 0
        WR      PG_G + 0x100, 0
        RD      PG_G + 0x7f8, 0
        RD      PG_G + 0x800, 1
        WR      PG_G + 0x800, 0
        WR      PG_G + 0xbf8, 0
        RD      PG_G + 0xc00, 1         /* R from slot 11, W from slot 12 */
        WR      PG_G + 0xc00, 1
        RD      PG_G + 0xff8, 1
        WR      PG_G + 0xff8, 1
        SET_MLWID 1                     /* OFF slot 9 grants nothing */
        RD      PG_G + 0x100, 0
        WR      PG_G + 0x100, 0
        RD      PG_G + 0xc00, 0
        WR      PG_G + 0xc00, 0
        /* a TOR range starting at the top of a NAPOT slot */
        WG_SLOT WGC_DRAM, 9, WG_NAPOT_ADDR(PG_G + 0x400, 0x100), 0, WG_NAPOT
        WG_SET_ADDR WGC_DRAM, 10, WG_ADDR(PG_G + 0x600)
        SET_MLWID 0
        RD      PG_G + 0x100, 0
        RD      PG_G + 0x400, 0
        RD      PG_G + 0x4f8, 0
        RD      PG_G + 0x500, 1
        RD      PG_G + 0x5f8, 1
        RD      PG_G + 0x600, 0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        .irp    i, 8, 9, 10, 11, 12
        WG_SLOT WGC_DRAM, \i, 0, 0, WG_OFF
        .endr
        RD      PG_G + 0xc00, 0

        /* S and U without delegation: the WG CSRs are out of reach (slwid
         * does not exist), both run as mlwid */
        TEST 10
        SET_MLWID 0
        li      a0, 0x5a5a
        TRY     PRV_S, "csrr a0, 0x190"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 9001b
        EXPECT  a0, 0x5a5a
        TRY     PRV_S, "csrw 0x190, zero"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        TRY     PRV_S, "csrr a0, 0x390"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        TRY     PRV_S, "csrw 0x390, zero"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        TRY     PRV_S, "csrr a0, 0x748"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        TRY     PRV_U, "csrr a0, 0x390"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT  a0, 0x5a5a
        csrr    a0, CSR_MLWID
        EXPECT  a0, 0
        /* S as world 0 */
        li      s1, PG_C
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        MARKER
        EXPECT_REG a0, a4
        li      s1, PG_D
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0
        li      s1, PG_A + 0x18
        li      a2, 0x1111
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        ld      a0, 0(s1)
        MARKER
        EXPECT_REG a0, a4
        li      s1, PG_B + 0x18
        TRY     PRV_S, "sd a2, 0(s1)"
        EXPECT_OK PRV_S
        ld      a0, 0(s1)
        EXPECT  a0, 0x1111
        MARKER
        sd      a4, 0(s1)
        /* U as world 0 (mlwid) */
        li      s1, PG_D
        li      a0, 0x5a5a
        TRY     PRV_U, "ld a0, 0(s1)"
        EXPECT_OK PRV_U
        EXPECT  a0, 0
        li      s1, PG_C
        TRY     PRV_U, "ld a0, 0(s1)"
        EXPECT_OK PRV_U
        MARKER
        EXPECT_REG a0, a4
        /* S as world 2 */
        SET_MLWID 2
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        MARKER
        EXPECT_REG a0, a4
        li      s1, PG_B
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* WIDs delegated to S (worlds 1 and 2): slwid is S's to set, U
         * runs as slwid, S keeps mlwid */
        TEST 11
        SET_MLWID 0
        li      t0, 0x6
        csrw    CSR_MWIDDELEG, t0
        li      a0, 0x5a5a
        TRY     PRV_S, "csrr a0, 0x190"
        EXPECT_OK PRV_S
        addi    a0, a0, -1
        sltiu   a0, a0, 2
        EXPECT  a0, 1
        li      a1, 3
        TRY     PRV_S, "csrw 0x190, a1", "csrr a0, 0x190"
        EXPECT_OK PRV_S
        EXPECT  a0, 1
        li      a1, 2
        TRY     PRV_S, "csrw 0x190, a1", "csrr a0, 0x190"
        EXPECT_OK PRV_S
        EXPECT  a0, 2
        li      a1, 0
        TRY     PRV_S, "csrw 0x190, a1", "csrr a0, 0x190"
        EXPECT_OK PRV_S
        EXPECT  a0, 1
        csrr    a0, CSR_SLWID
        EXPECT  a0, 1
        TRY     PRV_S, "csrr a0, 0x748"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        li      a0, 0x5a5a
        TRY     PRV_U, "csrr a0, 0x190"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT  a0, 0x5a5a
        /* S sets slwid = 1 and enters U: U reads page D (world 1: R) */
        li      a1, 1
        li      s1, PG_D + 0x30
        li      a0, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, s_to_u_load, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_USER_ECALL
        EXPECT  a5, 1
        MARKER
        EXPECT_REG a0, a4
        /* slwid = 2: page D is write-only, page A RW, page C RO */
        li      a1, 2
        li      a0, 0x5a5a
        TRAP_RESET
        ENTER_MODE PRV_S, s_to_u_load, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_USER_ECALL
        EXPECT  a5, 2
        EXPECT  a0, 0
        li      s1, PG_A + 0x30
        TRAP_RESET
        ENTER_MODE PRV_S, s_to_u_load, 1f
1:      EXPECT_MTRAP_COUNT 1
        MARKER
        EXPECT_REG a0, a4
        li      s1, PG_D + 0x30
        li      a2, 0x2222
        TRAP_RESET
        ENTER_MODE PRV_S, s_to_u_store, 1f
1:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_USER_ECALL
        ld      a0, 0(s1)
        EXPECT  a0, 0x2222
        MARKER
        sd      a4, 0(s1)
        li      s1, PG_C + 0x30
        TRAP_RESET
        ENTER_MODE PRV_S, s_to_u_store, 1f
1:      EXPECT_MTRAP_COUNT 1
        ld      a0, 0(s1)
        MARKER
        EXPECT_REG a0, a4
        csrr    a0, CSR_SLWID
        EXPECT  a0, 2
        /* meanwhile S is still world 0 (mlwid): page D no access */
        li      s1, PG_D
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0
        /* U directly (slwid = 2) */
        li      s1, PG_A
        TRY     PRV_U, "ld a0, 0(s1)"
        EXPECT_OK PRV_U
        MARKER
        EXPECT_REG a0, a4
        /* M with MPRV: MPP = U uses slwid, MPP = S mlwid */
        li      t0, 1
        csrw    CSR_SLWID, t0
        RD      PG_D, 1, ld, U
        RD      PG_C, 0, ld, U
        RD      PG_D, 0, ld, S
        RD      PG_C, 1, ld, S
        /* delegation withdrawn: U is world mlwid (0) again */
        csrw    CSR_MWIDDELEG, zero
        RD      PG_D, 0, ld, U
        RD      PG_C, 1, ld, U
        li      s1, PG_D
        li      a0, 0x5a5a
        TRY     PRV_U, "ld a0, 0(s1)"
        EXPECT_OK PRV_U
        EXPECT  a0, 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* ER / EW: access faults; errcause / erraddr keep the first error */
        TEST 12
        WG_SLOT WGC_DRAM, 6, WG_NAPOT_ADDR(PG_E, 4096), WG_R(0), WG_NAPOT | WG_ER | WG_EW
        SET_MLWID 1
        TRAP_RESET
        li      s1, PG_E + 0x10
        li      a0, 0x5a5a
        MPRV_S
1:      ld      a0, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_LOAD_ACCESS, 1b
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x10) >> 2
        /* a second error (world 2, a write) is not captured */
        SET_MLWID 2
        TRAP_RESET
        li      s1, PG_E + 0x28
        li      a2, 0x3333
        MPRV_S
1:      sd      a2, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_STORE_ACCESS, 1b
        ld      a0, 0(s1)
        MARKER
        EXPECT_REG a0, a4
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x10) >> 2
        /* world 0 reads (allowed), its write faults, not captured either */
        SET_MLWID 0
        TRAP_RESET
        RD      PG_E + 0x40, 1
        EXPECT_MTRAP_COUNT 0
        li      s1, PG_E + 0x48
        MPRV_S
1:      sd      a2, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_STORE_ACCESS, 1b
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        /* clearing errcause re-arms the capture */
        WG_CLEAR_ERR
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        SET_MLWID 2
        TRAP_RESET
        li      s1, PG_E + 0x28
        MPRV_S
1:      sd      a2, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_STORE_ACCESS, 1b
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 2 | ERR_W | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x28) >> 2
        /* clearing only the other bits (be kept) does not re-arm it */
        li      t0, WGC_DRAM + WGC_ERRCAUSE
        li      t1, ERR_BE
        sd      t1, 0(t0)
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, ERR_BE
        SET_MLWID 1
        TRAP_RESET
        li      s1, PG_E + 0x50
        MPRV_S
1:      ld      a0, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_LOAD_ACCESS, 1b
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x28) >> 2
        WG_CLEAR_ERR
        /* from S mode (world 1): the fault is taken in M, captured */
        li      s1, PG_E + 0x58
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_FAULT CAUSE_LOAD_ACCESS, s1
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x58) >> 2
        WG_CLEAR_ERR

        /* ER alone leaves writes silent, EW alone reads */
        TEST 13
        WG_SET_CFG WGC_DRAM, 6, WG_NAPOT | WG_ER
        SET_MLWID 1
        TRAP_RESET
        WR      PG_E + 0x60, 0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        li      s1, PG_E + 0x68
        MPRV_S
1:      ld      a0, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_LOAD_ACCESS, 1b
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        WG_CLEAR_ERR
        WG_SET_CFG WGC_DRAM, 6, WG_NAPOT | WG_EW
        TRAP_RESET
        RD      PG_E + 0x70, 0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        li      s1, PG_E + 0x78
        MPRV_S
1:      sd      a2, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_STORE_ACCESS, 1b
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_W | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x78) >> 2
        WG_CLEAR_ERR
        WG_SET_CFG WGC_DRAM, 6, WG_NAPOT
        TRAP_RESET
        RD      PG_E + 0x80, 0
        WR      PG_E + 0x80, 0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* IR / IW: errcause.ip is PLIC source 15 (polled, MIE = 0) */
        TEST 14
        li      t0, PLIC_PRIO(WGC_DRAM_IRQ)
        li      t1, 1
        sw      t1, 0(t0)
        li      t0, PLIC_ENABLE0
        li      t1, 1 << WGC_DRAM_IRQ
        sw      t1, 0(t0)
        li      t0, PLIC_THRESH0
        sw      zero, 0(t0)
        li      t0, MIE_MEIE
        csrw    mie, t0
        WG_SLOT WGC_DRAM, 7, WG_NAPOT_ADDR(PG_F, 4096), WG_R(0), WG_NAPOT | WG_IR | WG_IW
        GET_MEIP
        EXPECT  a0, 0
        PLIC_PENDING15
        EXPECT  a0, 0
        SET_MLWID 1
        TRAP_RESET
        RD      PG_F + 0x10, 0          /* no fault: read as zero */
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_IP
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_F + 0x10) >> 2
        GET_MEIP
        EXPECT  a0, MIP_MEIP
        PLIC_PENDING15
        EXPECT  a0, 1
        /* a second violation (a write) is dropped, not captured */
        SET_MLWID 2
        WR      PG_F + 0x18, 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_IP
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_F + 0x10) >> 2
        /* claim; complete while ip is set: pending again (a level) */
        PLIC_CLAIM
        EXPECT  a0, WGC_DRAM_IRQ
        GET_MEIP
        EXPECT  a0, 0
        PLIC_COMPLETE WGC_DRAM_IRQ
        GET_MEIP
        EXPECT  a0, MIP_MEIP
        PLIC_CLAIM
        EXPECT  a0, WGC_DRAM_IRQ
        WG_CLEAR_ERR
        PLIC_COMPLETE WGC_DRAM_IRQ
        GET_MEIP
        EXPECT  a0, 0
        PLIC_CLAIM
        EXPECT  a0, 0
        /* a write violation now */
        WR      PG_F + 0x18, 0
        EXPECT_MTRAP_COUNT 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 2 | ERR_W | ERR_IP
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_F + 0x18) >> 2
        GET_MEIP
        EXPECT  a0, MIP_MEIP
        PLIC_CLAIM
        EXPECT  a0, WGC_DRAM_IRQ
        WG_CLEAR_ERR
        PLIC_COMPLETE WGC_DRAM_IRQ
        GET_MEIP
        EXPECT  a0, 0
        /* world 0 may read page F: no violation */
        SET_MLWID 0
        RD      PG_F + 0x20, 1
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        PLIC_PENDING15
        EXPECT  a0, 0

        /* IR / IW with MIE = 1: an M external interrupt whose handler
         * claims source 15 and clears errcause */
        TEST 15
        la      t0, irq_log
        sd      zero, 0(t0)
        la      t0, wg_irq_handler
        csrw    mtvec, t0
        csrsi   mstatus, MSTATUS_MIE
        SET_MLWID 1
        RD      PG_F + 0x28, 0
        li      a1, 1
        call    wait_irq
        EXPECT  a0, 1
        la      s2, irq_log
        ld      a0, 8(s2)
        EXPECT  a0, WGC_DRAM_IRQ
        ld      a0, 16(s2)
        EXPECT  a0, 1 | ERR_R | ERR_IP
        ld      a0, 24(s2)
        EXPECT  a0, (PG_F + 0x28) >> 2
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        GET_MEIP
        EXPECT  a0, 0
        SET_MLWID 2
        WR      PG_F + 0x30, 0
        li      a1, 2
        call    wait_irq
        EXPECT  a0, 2
        ld      a0, 8(s2)
        EXPECT  a0, WGC_DRAM_IRQ
        ld      a0, 16(s2)
        EXPECT  a0, 2 | ERR_W | ERR_IP
        ld      a0, 24(s2)
        EXPECT  a0, (PG_F + 0x30) >> 2
        csrci   mstatus, MSTATUS_MIE
        USE_RECORD_HANDLERS
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0

        /* ER + IR (EW + IW): an access fault and the interrupt */
        TEST 16
        WG_SET_CFG WGC_DRAM, 7, WG_NAPOT | WG_ER | WG_IR | WG_EW | WG_IW
        SET_MLWID 1
        TRAP_RESET
        li      s1, PG_F + 0x38
        li      a0, 0x5a5a
        MPRV_S
1:      ld      a0, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_LOAD_ACCESS, 1b
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE | ERR_IP
        GET_MEIP
        EXPECT  a0, MIP_MEIP
        PLIC_CLAIM
        EXPECT  a0, WGC_DRAM_IRQ
        WG_CLEAR_ERR
        PLIC_COMPLETE WGC_DRAM_IRQ
        GET_MEIP
        EXPECT  a0, 0
        SET_MLWID 2
        TRAP_RESET
        li      s1, PG_F + 0x40
        MPRV_S
1:      sd      a2, 0(s1)
        MPRV_OFF
        EXPECT_ACC_FAULT CAUSE_STORE_ACCESS, 1b
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 2 | ERR_W | ERR_BE | ERR_IP
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_F + 0x40) >> 2
        PLIC_CLAIM
        EXPECT  a0, WGC_DRAM_IRQ
        WG_CLEAR_ERR
        PLIC_COMPLETE WGC_DRAM_IRQ
        GET_MEIP
        EXPECT  a0, 0
        WG_SET_CFG WGC_DRAM, 7, WG_NAPOT
        csrw    mie, zero

        /* only the trusted world (3) reaches the checker registers */
        TEST 17
        li      t0, WGC_DRAM + WGC_ERRCAUSE
        li      t1, ERR_R | 2
        sd      t1, 0(t0)
        TRAP_RESET
        li      s2, 0
1:      csrw    CSR_MLWID, s2
        li      s1, WGC_DRAM + WGC_NSLOTS
        li      a0, 0x5a5a
        MPRV_S
        ld      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        li      a0, 0x5a5a
        MPRV_S
        lw      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        li      s1, WGC_FLASH + WGC_NSLOTS
        MPRV_S
        lw      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        li      s1, WGC_UART + WGC_NSLOTS
        MPRV_S
        lw      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        li      s1, WGC_REG(WGC_DRAM, 2, WGC_PERM)
        MPRV_S
        ld      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        li      s1, WGC_DRAM + WGC_ERRCAUSE
        MPRV_S
        ld      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        /* writes are ignored */
        li      a2, -1
        li      s1, WGC_REG(WGC_DRAM, 2, WGC_PERM)
        MPRV_S
        sd      a2, 0(s1)
        MPRV_OFF
        li      s1, WGC_REG(WGC_DRAM, 2, WGC_CFG)
        MPRV_S
        sw      zero, 0(s1)
        MPRV_OFF
        li      s1, WGC_REG(WGC_DRAM, 2, WGC_ADDR)
        MPRV_S
        sd      zero, 0(s1)
        MPRV_OFF
        li      s1, WGC_DRAM + WGC_ERRCAUSE
        MPRV_S
        sd      zero, 0(s1)
        MPRV_OFF
        li      s1, WGC_REG(WGC_UART, 1, WGC_PERM)
        MPRV_S
        sd      a2, 0(s1)
        MPRV_OFF
        EXPECT_REG64 WGC_REG(WGC_DRAM, 2, WGC_PERM), WG_R(0) | WG_W(1) | WG_RW(2)
        EXPECT_REG32 WGC_REG(WGC_DRAM, 2, WGC_CFG), WG_NAPOT
        EXPECT_REG64 WGC_REG(WGC_DRAM, 2, WGC_ADDR), WG_NAPOT_ADDR(PG_A, 4096)
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, ERR_R | 2
        EXPECT_REG64 WGC_REG(WGC_UART, 1, WGC_PERM), WG_RW(3)
        addi    s2, s2, 1
        li      t0, 3
        bltu    s2, t0, 1b
        EXPECT_MTRAP_COUNT 0
        /* S as world 0 reads zero too */
        SET_MLWID 0
        li      s1, WGC_DRAM + WGC_NSLOTS
        li      a0, 0x5a5a
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0
        /* world 3 below M is trusted */
        SET_MLWID 3
        li      s1, WGC_DRAM + WGC_NSLOTS
        MPRV_S
        lw      a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 16
        li      s1, WGC_DRAM + WGC_ERRCAUSE
        MPRV_S
        ld      a0, 0(s1)
        sd      zero, 0(s1)
        MPRV_OFF
        EXPECT  a0, ERR_R | 2
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        TRY     PRV_S, "ld a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0
        li      s1, WGC_DRAM + WGC_NSLOTS
        TRY     PRV_S, "lw a0, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 16

        /* the UART checker: world 0 only reaches the UART when granted */
        TEST 18
        TRAP_RESET
        SET_MLWID 0
        li      s1, UART_LSR
        li      t0, UART0_BASE
        lbu     a0, 5(t0)               /* M: THR empty */
        andi    a0, a0, 0x20
        EXPECT  a0, 0x20
        li      a0, 0x5a5a
        MPRV_S
        lbu     a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        li      s1, UART0_BASE
        li      a2, 'X'                 /* must not appear on the output */
        MPRV_S
        sb      a2, 0(s1)
        MPRV_OFF
        WG_SET_PERM WGC_UART, 1, WG_RW(3) | WG_R(0)
        li      s1, UART_LSR
        MPRV_S
        lbu     a0, 0(s1)
        MPRV_OFF
        andi    a0, a0, 0x20
        EXPECT  a0, 0x20
        li      s1, UART0_BASE
        li      a2, 'Y'                 /* read-only for world 0 */
        MPRV_S
        sb      a2, 0(s1)
        MPRV_OFF
        SET_MLWID 1
        li      s1, UART_LSR
        li      a0, 0x5a5a
        MPRV_S
        lbu     a0, 0(s1)
        MPRV_OFF
        EXPECT  a0, 0
        /* its only slot is the last one: address fixed, A only OFF / TOR */
        WG_SET_ADDR WGC_UART, 1, 0
        EXPECT_REG64 WGC_REG(WGC_UART, 1, WGC_ADDR), WG_RANGE_END
        WG_SET_CFG WGC_UART, 1, WG_NAPOT
        EXPECT_REG32 WGC_REG(WGC_UART, 1, WGC_CFG), WG_TOR
        WG_SET_PERM WGC_UART, 1, WG_RW(3)
        EXPECT_REG64 WGC_UART + WGC_ERRCAUSE, 0
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        EXPECT_MTRAP_COUNT 0

        /* fetches are reads: S code on page D runs for world 1 (R), reads
         * as zeros for world 0 (an illegal instruction, mtval 0), and on
         * page E (ER) is an instruction access fault for world 1 */
        TEST 19
        TRAP_RESET
        .irp    pg, PG_D, PG_E
        li      s1, \pg + 0x800
        li      t0, 0x07700513          /* li a0, 0x77 */
        sw      t0, 0(s1)
        li      t0, 0x00008067          /* ret */
        sw      t0, 4(s1)
        .endr
        fence.i
        SET_MLWID 1
        li      s1, PG_D + 0x800
        li      a0, 0x5a5a
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77
        SET_MLWID 0
        li      a0, 0x5a5a
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC_VAL PG_D + 0x800
        EXPECT_MTRAP_TVAL 0
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0
        WG_SET_CFG WGC_DRAM, 6, WG_NAPOT | WG_ER
        SET_MLWID 1
        li      s1, PG_E + 0x800
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_FETCH_FAULT CAUSE_FETCH_ACCESS, s1
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 1 | ERR_R | ERR_BE
        EXPECT_REG64 WGC_DRAM + WGC_ERRADDR, (PG_E + 0x800) >> 2
        WG_CLEAR_ERR
        SET_MLWID 0                     /* world 0 may read page E */
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_OK PRV_S
        EXPECT  a0, 0x77
        /* and loses it: the code it just ran is not fetched again */
        WG_SET_PERM WGC_DRAM, 6, 0
        li      a0, 0x5a5a
        TRY     PRV_S, "jalr ra, 0(s1)"
        EXPECT_FETCH_FAULT CAUSE_FETCH_ACCESS, s1
        EXPECT  a0, 0x5a5a
        EXPECT_REG64 WGC_DRAM + WGC_ERRCAUSE, 0 | ERR_R | ERR_BE
        WG_CLEAR_ERR

        SET_MLWID 3
        j       pass

/* S mode: slwid <- a1, a5 <- slwid, then U at u_load / u_store */
s_to_u_load:
        csrw    CSR_SLWID, a1
        csrr    a5, CSR_SLWID
        la      t0, u_load
        j       1f
s_to_u_store:
        csrw    CSR_SLWID, a1
        csrr    a5, CSR_SLWID
        la      t0, u_store
1:      csrw    sepc, t0
        li      t0, MSTATUS_SPP
        csrc    sstatus, t0
        sret
/* U mode: a0 <- (s1), or (s1) <- a2; then back to M */
u_load:
        ld      a0, 0(s1)
        ecall
u_store:
        sd      a2, 0(s1)
        ecall

/* a0 <- irq_log count once it reaches a1 (bounded wait, else fail).
 * Clobbers t0, t2. */
wait_irq:
        la      t0, irq_log
        li      t2, 1000000
1:      ld      a0, 0(t0)
        bgeu    a0, a1, 2f
        addi    t2, t2, -1
        bnez    t2, 1b
        j       fail
2:      ret

/* M external interrupt handler: claims, logs (count, source, errcause,
 * erraddr), clears errcause, completes.  Anything else is unexpected. */
        .balign 4
wg_irq_handler:
        csrw    mscratch, t0
        la      t0, irq_save
        sd      t1, 0(t0)
        sd      t2, 8(t0)
        csrr    t1, mcause
        li      t2, INTR_BIT | 11
        beq     t1, t2, 1f
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        csrr    t0, mscratch
        j       unexpected_trap
1:      la      t0, irq_log
        li      t1, PLIC_CLAIM0
        lw      t2, 0(t1)
        sd      t2, 8(t0)
        li      t1, WGC_DRAM
        ld      t2, WGC_ERRCAUSE(t1)
        sd      t2, 16(t0)
        ld      t2, WGC_ERRADDR(t1)
        sd      t2, 24(t0)
        sd      zero, WGC_ERRCAUSE(t1)
        ld      t2, 8(t0)
        li      t1, PLIC_CLAIM0
        sw      t2, 0(t1)
        ld      t1, 0(t0)
        addi    t1, t1, 1
        sd      t1, 0(t0)
        la      t0, irq_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        csrr    t0, mscratch
        mret

        .balign 4096                    /* keep .data off the code pages */

        .data
        .balign 8
irq_log:  .dword 0, 0, 0, 0
irq_save: .dword 0, 0

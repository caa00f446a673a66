/* illegal - illegal-instruction traps (cause 2) with mtval = the faulting
 * instruction bits (zero-extended; 16-bit encodings give 16 bits), mepc =
 * the instruction, and the handler resuming after it:
 *  - reserved / unknown 32-bit encodings (unknown funct7/funct3 in OP,
 *    OP-32, OP-IMM shifts, LOAD, STORE, BRANCH, JALR, MISC-MEM, AMO,
 *    custom-0, ecall with rd != 0);
 *  - reserved 16-bit encodings (all-zero, c.addi4spn/c.lui/c.addi16sp with
 *    zero immediate, c.jr x0, c.lwsp/c.ldsp x0, c.addiw x0);
 *  - privileged instructions in the wrong mode: mret in S, sret in U, sret
 *    in S with TSR, wfi in U (QEMU always traps), wfi in S with TW,
 *    sfence.vma in U and in S with TVM, satp in S with TVM, M CSRs from S,
 *    S CSRs from U, counters from U/S gated by mcounteren/scounteren;
 *  - and the legal counterparts that must NOT trap (wfi in M with TW,
 *    sret in S without TSR, counters once enabled, fence.i).
 * FP encodings are deliberately not used (QEMU implements F/D). */
#include "test.h"

/* Execute `.word bits` / `.half bits` in M, expect illegal + mtval */
.macro ILL32 n, bits
        TEST    \n
        TRAP_RESET
9995:   .word   \bits
        EXPECT_MTRAP CAUSE_ILLEGAL_INSN, 9995b, \bits
.endm
.macro ILL16 n, bits
        TEST    \n
        TRAP_RESET
        li      a0, 1
9995:   .half   \bits
        addi    a0, a0, 1                   /* resumes 2 bytes later */
        EXPECT_MTRAP CAUSE_ILLEGAL_INSN, 9995b, \bits
        EXPECT  a0, 2
.endm

/* Run `insn` in `mode`, expect an illegal instruction trap to M with
 * mtval = bits; the lower-mode code then ecalls back. */
.macro ILL_IN_MODE n, mode, insn, bits
        TEST    \n
        TRAP_RESET
        ENTER_MODE \mode, 9994f, 9993f
9994:   \insn
        ecall
9993:   EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 9994b
        EXPECT_MTRAP_TVAL \bits
        EXPECT_MTRAP_STATUS MSTATUS_MPP, (\mode << 11)
.endm
/* the counterpart: `insn` in `mode` must not trap (only the ecall) */
.macro OK_IN_MODE n, mode, insn
        TEST    \n
        TRAP_RESET
        ENTER_MODE \mode, 9994f, 9993f
9994:   \insn
9992:   ecall
9993:   EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_EPC 9992b
.endm

        .text
        .globl  test_main
test_main:
        USE_RECORD_HANDLERS

        /* 32-bit reserved encodings */
        ILL32 1,  0xfe000033                /* OP, funct7 = 0x7f */
        ILL32 2,  0x7e00003b                /* OP-32, funct7 = 0x3f */
        ILL32 3,  0x1234500b                /* custom-0 */
        ILL32 4,  0x0200101b                /* slliw, shamt[5] = 1 */
        ILL32 5,  0x0200501b                /* srliw, shamt[5] = 1 */
        ILL32 6,  0x4000101b                /* slliw, funct7 = 0x20 */
        ILL32 7,  0x04001013                /* slli, imm[11:6] = 1 */
        ILL32 8,  0x00007003                /* LOAD funct3 = 7 */
        ILL32 9,  0x00004023                /* STORE funct3 = 4 */
        ILL32 10, 0x00002063                /* BRANCH funct3 = 2 */
        ILL32 11, 0x00001067                /* JALR funct3 = 1 */
        ILL32 12, 0x0000200f                /* MISC-MEM funct3 = 2 */
        ILL32 13, 0x3800202f                /* AMO funct5 = 7 */
        ILL32 14, 0x0000402f                /* AMO funct3 = 4 */
        ILL32 15, 0x000000f3                /* ecall with rd = 1 */

        /* 16-bit reserved encodings */
        ILL16 16, 0x0000                    /* all zero */
        ILL16 17, 0x0004                    /* c.addi4spn, nzuimm = 0 */
        ILL16 18, 0x6081                    /* c.lui x1, 0 */
        ILL16 19, 0x6101                    /* c.addi16sp, 0 */
        ILL16 20, 0x8002                    /* c.jr x0 */
        ILL16 21, 0x4002                    /* c.lwsp x0 */
        ILL16 22, 0x6002                    /* c.ldsp x0 */
        ILL16 23, 0x2001                    /* c.addiw x0 */

        /* rd of a trapping instruction is not written */
        TEST 24
        TRAP_RESET
        li      a0, 0x5a5a
1:      csrr    a0, 0x8ff
        EXPECT_MTRAP CAUSE_ILLEGAL_INSN, 1b, 0x8ff02573
        EXPECT  a0, 0x5a5a

        /* privileged instructions in the wrong mode */
        ILL_IN_MODE 25, PRV_S, mret, 0x30200073
        ILL_IN_MODE 26, PRV_U, mret, 0x30200073
        ILL_IN_MODE 27, PRV_U, sret, 0x10200073
        ILL_IN_MODE 28, PRV_U, wfi, 0x10500073
        ILL_IN_MODE 29, PRV_U, sfence.vma, 0x12000073
        ILL_IN_MODE 30, PRV_U, "sfence.vma a0, a1", 0x12b50073
        ILL_IN_MODE 31, PRV_S, "csrr a0, mscratch", 0x34002573
        ILL_IN_MODE 32, PRV_S, "csrr a0, mstatus", 0x30002573
        ILL_IN_MODE 33, PRV_S, "csrw mepc, a0", 0x34151073
        ILL_IN_MODE 34, PRV_S, "csrr a0, mhartid", 0xf1402573
        ILL_IN_MODE 35, PRV_U, "csrr a0, sscratch", 0x14002573
        ILL_IN_MODE 36, PRV_U, "csrw sstatus, a0", 0x10051073
        ILL_IN_MODE 37, PRV_U, "csrr a0, satp", 0x18002573
        ILL_IN_MODE 38, PRV_U, "csrr a0, mstatus", 0x30002573

        /* the same instructions that are legal in S */
        OK_IN_MODE 39, PRV_S, sfence.vma
        OK_IN_MODE 40, PRV_S, "csrr a0, sscratch"
        OK_IN_MODE 41, PRV_S, "csrr a0, satp"

        /* mstatus.TSR: sret in S traps */
        TEST 42
        li      t0, MSTATUS_TSR
        csrs    mstatus, t0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      sret
        ecall
2:      li      t0, MSTATUS_TSR
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 1b
        EXPECT_MTRAP_TVAL 0x10200073

        /* without TSR, sret in S works (returns to SPP = U at sepc) */
        TEST 43
        TRAP_RESET
        li      t0, MSTATUS_SPP
        csrc    mstatus, t0
        ENTER_MODE PRV_S, 1f, 3f
1:      la      a0, 2f
        csrw    sepc, a0
        sret
        j       fail
2:      ecall
3:      EXPECT_MTRAP CAUSE_USER_ECALL, 2b, 0

        /* mstatus.TW: wfi in S traps */
        TEST 44
        li      t0, MSTATUS_TW
        csrs    mstatus, t0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      wfi
        ecall
2:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 1b
        EXPECT_MTRAP_TVAL 0x10500073

        /* TW does not affect M: wfi with a pending enabled interrupt
         * (msip, MIE = 0) just continues */
        TEST 45
        TRAP_RESET
        li      t0, CLINT_MSIP
        li      t1, 1
        sw      t1, 0(t0)
        li      t0, MIP_MSIP
        csrw    mie, t0
        wfi
        csrw    mie, zero
        li      t0, CLINT_MSIP
        sw      zero, 0(t0)
        li      t0, MSTATUS_TW
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 0

        /* mstatus.TVM: sfence.vma and satp accesses in S trap */
        TEST 46
        li      t0, MSTATUS_TVM
        csrs    mstatus, t0
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      sfence.vma
        ecall
2:      EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 1b
        EXPECT_MTRAP_TVAL 0x12000073

        TEST 47
        TRAP_RESET
        ENTER_MODE PRV_S, 1f, 2f
1:      csrr    a0, satp
        ecall
2:      li      t0, MSTATUS_TVM
        csrc    mstatus, t0
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_ILLEGAL_INSN
        EXPECT_MTRAP_EPC 1b
        EXPECT_MTRAP_TVAL 0x18002573

        /* counters: rdtime from U/S needs mcounteren.TM (and scounteren.TM
         * for U) */
        TEST 48
        csrw    mcounteren, zero
        csrw    scounteren, zero
        csrr    a0, mcounteren
        EXPECT  a0, 0
        csrr    a0, scounteren
        EXPECT  a0, 0
        ILL_IN_MODE 49, PRV_S, "rdtime a0", 0xc0102573
        ILL_IN_MODE 50, PRV_U, "rdtime a0", 0xc0102573
        TEST 51
        li      t0, 2
        csrw    scounteren, t0
        csrr    a0, scounteren
        EXPECT  a0, 2
        ILL_IN_MODE 52, PRV_U, "rdtime a0", 0xc0102573
        TEST 53
        li      t0, 2
        csrw    mcounteren, t0
        csrw    scounteren, zero
        csrr    a0, mcounteren
        EXPECT  a0, 2
        ILL_IN_MODE 54, PRV_U, "rdtime a0", 0xc0102573
        OK_IN_MODE 55, PRV_S, "rdtime a0"
        TEST 56
        li      t0, 2
        csrw    scounteren, t0
        csrr    a0, scounteren
        EXPECT  a0, 2
        OK_IN_MODE 57, PRV_U, "rdtime a0"
        TEST 58
        csrw    mcounteren, zero
        csrw    scounteren, zero
        csrr    a0, mcounteren
        EXPECT  a0, 0

        /* fence, fence.i and fence.tso are legal everywhere */
        OK_IN_MODE 59, PRV_U, fence.i
        TEST 60
        TRAP_RESET
        fence
        fence.i
        fence   rw, rw
        fence.tso
        EXPECT_MTRAP_COUNT 0

        j       pass

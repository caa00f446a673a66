/* csr - Zicsr semantics and M/S CSR behaviour on the virt machine:
 * boot registers (a0 = hartid, a1 = FDT), mhartid, misa (MXL=2, I M A C S U),
 * csrrw/csrrs/csrrc and immediate forms on mscratch/sscratch (old value
 * returned, bits set/cleared, uimm zero-extended, rd = x0), read-only CSRs:
 * csrrs/csrrc with rs1 = x0 and uimm = 0 do not write (no trap), writes
 * trap as illegal instruction with mtval = instruction bits and rd left
 * unwritten, unknown CSR traps, mstatus fields (MPP 0/1/3, MIE, SIE, MPIE,
 * SPIE, SPP, SXL = UXL = 2), sstatus as a restricted view of mstatus, sie/sip
 * as views of mie/mip through mideleg, medeleg/mideleg writable bits,
 * mtvec/stvec direct and vectored modes. */
#include "test.h"

/* expect csr instruction at label to raise illegal instruction */
.macro EXPECT_ILLEGAL_AT label, bits
        EXPECT_MTRAP CAUSE_ILLEGAL_INSN, \label, \bits
.endm

        .text
        .globl  test_main
test_main:
        /* boot protocol: a0 = hartid = 0, a1 = FDT (magic d00dfeed BE) */
        TEST 1
        EXPECT  a0, 0
        lbu     t0, 0(a1)
        EXPECT  t0, 0xd0
        lbu     t0, 1(a1)
        EXPECT  t0, 0x0d
        lbu     t0, 2(a1)
        EXPECT  t0, 0xfe
        lbu     t0, 3(a1)
        EXPECT  t0, 0xed

        USE_RECORD_HANDLERS

        TEST 2
        li      a0, 0x5a
        csrr    a0, mhartid
        EXPECT  a0, 0

        /* misa: MXL (63:62) = 2 and I, M, A, C, S, U present */
        TEST 3
        csrr    a0, misa
        srli    a1, a0, 62
        EXPECT  a1, 2
        li      t0, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 2) | (1 << 18) | (1 << 20)
        and     a1, a0, t0
        EXPECT_REG a1, t0
        /* bits 61:26 are zero */
        slli    a1, a0, 2
        srli    a1, a1, 28
        EXPECT  a1, 0

        /* mscratch round trip */
        TEST 4
        li      a1, 0x0123456789abcdef
        csrw    mscratch, a1
        csrr    a0, mscratch
        EXPECT  a0, 0x0123456789abcdef
        li      a1, -1
        csrw    mscratch, a1
        csrr    a0, mscratch
        EXPECT  a0, -1
        csrw    mscratch, zero
        csrr    a0, mscratch
        EXPECT  a0, 0

        /* csrrw returns the old value */
        TEST 5
        li      a1, 0x1111
        csrw    mscratch, a1
        li      a2, 0x2222
        csrrw   a0, mscratch, a2
        EXPECT  a0, 0x1111
        csrr    a0, mscratch
        EXPECT  a0, 0x2222

        /* csrrs / csrrc */
        TEST 6
        li      a1, 0xf0f0
        csrw    mscratch, a1
        li      a2, 0x0ff0000000000f00
        csrrs   a0, mscratch, a2
        EXPECT  a0, 0xf0f0
        csrr    a0, mscratch
        EXPECT  a0, 0x0ff000000000fff0
        li      a2, 0x0f0000000000f0f0
        csrrc   a0, mscratch, a2
        EXPECT  a0, 0x0ff000000000fff0
        csrr    a0, mscratch
        EXPECT  a0, 0x00f0000000000f00

        /* immediate forms: uimm is 5 bits, zero-extended */
        TEST 7
        li      a1, -1
        csrw    mscratch, a1
        csrrwi  a0, mscratch, 31
        EXPECT  a0, -1
        csrr    a0, mscratch
        EXPECT  a0, 31
        csrrsi  a0, mscratch, 0x10
        EXPECT  a0, 31
        csrrci  a0, mscratch, 0x15
        EXPECT  a0, 31
        csrr    a0, mscratch
        EXPECT  a0, 0x0a
        csrrsi  a0, mscratch, 0
        EXPECT  a0, 0x0a
        csrr    a0, mscratch
        EXPECT  a0, 0x0a

        /* rd = x0 forms still write */
        TEST 8
        csrrw   x0, mscratch, zero
        li      a1, 0x77
        csrrw   x0, mscratch, a1
        csrrs   x0, mscratch, 8
        csrrc   x0, mscratch, 1
        csrr    a0, mscratch
        EXPECT  a0, 0x7e
        EXPECT  x0, 0

        /* rd = rs1 */
        TEST 9
        li      a0, 0x99
        csrw    mscratch, a0
        li      a0, 0x123
        csrrw   a0, mscratch, a0
        EXPECT  a0, 0x99
        csrr    a0, mscratch
        EXPECT  a0, 0x123

        /* sscratch round trip */
        TEST 10
        li      a1, 0xfedcba9876543210
        csrw    sscratch, a1
        csrr    a0, sscratch
        EXPECT  a0, 0xfedcba9876543210
        csrr    a0, mscratch
        EXPECT  a0, 0x123

        /* read-only CSRs: csrrs/csrrc with rs1 = x0 and csrrsi/csrrci with
         * uimm = 0 do not write and do not trap */
        TEST 11
        TRAP_RESET
        li      a0, 0x55
        csrrs   a0, mhartid, x0
        EXPECT  a0, 0
        li      a0, 0x55
        csrrc   a0, mhartid, x0
        EXPECT  a0, 0
        li      a0, 0x55
        csrrsi  a0, mhartid, 0
        EXPECT  a0, 0
        csrrci  a0, mvendorid, 0
        csrr    a0, marchid
        csrr    a0, mimpid
        EXPECT_MTRAP_COUNT 0

        /* writes to read-only CSRs: illegal instruction, mtval = bits,
         * rd not written */
        TEST 12
        TRAP_RESET
        li      a0, 0x5a5a
        li      a1, 1
1:      csrrw   a0, mhartid, a1
        EXPECT_ILLEGAL_AT 1b, 0xf1459573
        EXPECT  a0, 0x5a5a
        csrr    a0, mhartid
        EXPECT  a0, 0

        TEST 13
        TRAP_RESET
1:      csrrw   x0, mvendorid, zero         /* rd = x0: still a write */
        EXPECT_ILLEGAL_AT 1b, 0xf1101073

        TEST 14
        TRAP_RESET
        li      a0, 0x5a5a
1:      csrrsi  a0, mhartid, 1
        EXPECT_ILLEGAL_AT 1b, 0xf140e573
        EXPECT  a0, 0x5a5a

        TEST 15
        TRAP_RESET
        li      a1, -1
1:      csrrc   a0, marchid, a1
        EXPECT_ILLEGAL_AT 1b, 0xf125b573

        TEST 16
        TRAP_RESET
1:      csrrwi  a0, mimpid, 0
        EXPECT_ILLEGAL_AT 1b, 0xf1305573

        /* unknown CSR number (custom 0x8ff) */
        TEST 17
        TRAP_RESET
        li      a0, 0x5a5a
1:      csrr    a0, 0x8ff
        EXPECT_ILLEGAL_AT 1b, 0x8ff02573
        EXPECT  a0, 0x5a5a

        /* mstatus: SXL = UXL = 2 (read-only in RV64 here) */
        TEST 18
        csrr    a0, mstatus
        srli    a0, a0, 32
        andi    a0, a0, 0xf
        EXPECT  a0, 0xa

        /* mstatus.MPP holds M, S and U */
        TEST 19
        li      t0, MSTATUS_MPP
        csrc    mstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, 0
        li      t1, MSTATUS_MPP_S
        csrs    mstatus, t1
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_MPP_S
        csrs    mstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_MPP_M
        csrc    mstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, 0

        /* MIE, SIE, MPIE, SPIE, SPP are writable */
        TEST 20
        li      t0, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_SPP
        csrc    mstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, 0
        li      t1, MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPP
        csrs    mstatus, t1
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPP
        csrc    mstatus, t0
        li      t1, MSTATUS_SPIE
        csrs    mstatus, t1
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, MSTATUS_SPIE
        csrc    mstatus, t0

        /* sstatus is a view of mstatus: SIE/SPIE/SPP/SUM/MXR visible,
         * MIE/MPIE/MPP/TVM/TW/TSR/MPRV not */
        TEST 21
        li      t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TW | MSTATUS_TSR | MSTATUS_TVM
        csrs    mstatus, t0
        csrr    a0, sstatus
        li      t1, 0x7fffff
        and     a0, a0, t1
        li      t2, ~(0x6000 | 0x600)       /* ignore FS and VS */
        and     a0, a0, t2
        EXPECT  a0, 0
        csrc    mstatus, t0

        TEST 22
        li      t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
        csrs    sstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT_REG a0, t0
        csrr    a0, sstatus
        and     a0, a0, t0
        EXPECT_REG a0, t0
        csrc    sstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, 0

        /* writing M-only bits through sstatus has no effect */
        TEST 23
        li      t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR
        csrc    mstatus, t0
        csrs    sstatus, t0
        csrr    a0, mstatus
        and     a0, a0, t0
        EXPECT  a0, 0
        li      t0, MSTATUS_MPP_S
        csrs    mstatus, t0
        li      t1, MSTATUS_MPP
        csrc    sstatus, t1
        csrr    a0, mstatus
        and     a0, a0, t1
        EXPECT  a0, MSTATUS_MPP_S
        csrc    mstatus, t1

        /* sstatus reports UXL = 2 */
        TEST 24
        csrr    a0, sstatus
        srli    a0, a0, 32
        andi    a0, a0, 3
        EXPECT  a0, 2

        /* medeleg: breakpoint (3) and ecall-from-U (8) are delegable */
        TEST 25
        li      t0, (1 << 3) | (1 << 8)
        csrw    medeleg, t0
        csrr    a0, medeleg
        EXPECT  a0, (1 << 3) | (1 << 8)
        csrw    medeleg, zero
        csrr    a0, medeleg
        EXPECT  a0, 0

        /* mideleg: SSIP, STIP, SEIP are writable */
        TEST 26
        li      t0, 0x222
        csrw    mideleg, t0
        csrr    a0, mideleg
        and     a0, a0, t0
        EXPECT  a0, 0x222
        csrw    mideleg, zero
        csrr    a0, mideleg
        and     a0, a0, t0
        EXPECT  a0, 0

        /* mie: all six standard enables */
        TEST 27
        li      t0, 0xaaa
        csrw    mie, t0
        csrr    a0, mie
        EXPECT  a0, 0xaaa
        csrw    mie, zero
        csrr    a0, mie
        EXPECT  a0, 0

        /* sie: only delegated bits are visible/writable */
        TEST 28
        csrw    mideleg, zero
        li      t0, -1
        csrw    sie, t0
        csrr    a0, sie
        EXPECT  a0, 0
        csrr    a0, mie
        EXPECT  a0, 0
        li      t0, 0x222
        csrw    mideleg, t0
        li      t0, -1
        csrw    sie, t0
        csrr    a0, sie
        EXPECT  a0, 0x222
        csrr    a0, mie
        EXPECT  a0, 0x222
        csrw    sie, zero
        csrr    a0, mie
        EXPECT  a0, 0
        csrw    mideleg, zero

        /* mip: SSIP/STIP/SEIP writable by M; sip shows delegated only */
        TEST 29
        li      t0, MIP_SSIP | MIP_STIP
        csrs    mip, t0
        csrr    a0, mip
        and     a0, a0, t0
        EXPECT  a0, MIP_SSIP | MIP_STIP
        csrr    a0, sip
        EXPECT  a0, 0                       /* mideleg = 0 */
        li      t1, MIP_STIP
        csrw    mideleg, t1
        csrr    a0, sip
        EXPECT  a0, MIP_STIP
        li      t1, MIP_SSIP | MIP_STIP
        csrw    mideleg, t1
        csrr    a0, sip
        EXPECT  a0, MIP_SSIP | MIP_STIP
        li      t1, MIP_SSIP
        csrc    sip, t1                     /* SSIP writable through sip */
        csrr    a0, mip
        and     a0, a0, t0
        EXPECT  a0, MIP_STIP
        csrc    mip, t0
        csrr    a0, mip
        and     a0, a0, t0
        EXPECT  a0, 0
        csrw    mideleg, zero

        /* mtvec / stvec: direct and vectored modes read back */
        TEST 30
        la      t1, mtrap_record
        la      t0, vec_base
        ori     t0, t0, 1
        csrw    mtvec, t0
        csrr    a0, mtvec
        EXPECT_REG a0, t0
        la      t0, vec_base
        csrw    mtvec, t0
        csrr    a0, mtvec
        EXPECT_REG a0, t0
        csrw    mtvec, t1
        csrr    a0, mtvec
        EXPECT_REG a0, t1

        TEST 31
        la      t1, strap_record
        la      t0, vec_base
        ori     t0, t0, 1
        csrw    stvec, t0
        csrr    a0, stvec
        EXPECT_REG a0, t0
        csrw    stvec, t1
        csrr    a0, stvec
        EXPECT_REG a0, t1

        /* mepc / sepc / mtval / stval / mcause / scause hold values */
        TEST 32
        li      t0, 0x80001234
        csrw    mepc, t0
        csrr    a0, mepc
        EXPECT  a0, 0x80001234
        li      t0, 0x0000003ffffffffe
        csrw    sepc, t0
        csrr    a0, sepc
        EXPECT  a0, 0x0000003ffffffffe
        li      t0, 0x123456789
        csrw    mtval, t0
        csrr    a0, mtval
        EXPECT  a0, 0x123456789
        csrw    stval, t0
        csrr    a0, stval
        EXPECT  a0, 0x123456789
        li      t0, 0x8000000000000005
        csrw    scause, t0
        csrr    a0, scause
        EXPECT  a0, 0x8000000000000005
        li      t0, 0x2
        csrw    mcause, t0
        csrr    a0, mcause
        EXPECT  a0, 2

        /* a CSR access that traps leaves mscratch alone etc.: accessing an
         * M CSR with the address of a S CSR + 0x200 works (same field) */
        TEST 33
        li      t0, MSTATUS_SIE
        csrs    mstatus, t0
        csrr    a0, sstatus
        andi    a0, a0, MSTATUS_SIE
        EXPECT  a0, MSTATUS_SIE
        csrc    sstatus, t0
        csrr    a0, mstatus
        andi    a0, a0, MSTATUS_SIE
        EXPECT  a0, 0

        j       pass

        .balign 256
vec_base:
        j       fail

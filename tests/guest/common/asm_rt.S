/* asm_rt.S - runtime for rvdbt self-checking assembly tests.
 * Provides _start (at 0x80000000 via .text.init), pass/fail, trap handlers,
 * trap records and small UART print helpers.  See test.h. */
#include "test.h"

        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        /* a0 = hartid, a1 = FDT address (not used).  Only hart 0 runs. */
        csrr    t0, mhartid
        bnez    t0, park
        li      TESTNUM, 0
        la      sp, __stack_top
        /* PMP: allow S/U access to everything (NAPOT over the whole address
         * space, RWX).  Skipped silently if PMP is not implemented. */
        la      t0, 1f
        csrw    mtvec, t0
        li      t0, -1
        csrw    pmpaddr0, t0
        li      t0, 0x1f
        csrw    pmpcfg0, t0
        .balign 4
1:
        la      t0, unexpected_trap
        csrw    mtvec, t0
        csrw    stvec, t0
        csrw    medeleg, zero
        csrw    mideleg, zero
        csrw    mie, zero
        csrw    satp, zero
        call    trap_reset
        j       test_main

park:
        wfi
        j       park

        .text
/* ---------------------------------------------------------------- exits */
        .globl  pass
pass:
        li      t0, FINISHER_BASE
        li      t1, FINISHER_PASS
        sw      t1, 0(t0)
1:      j       1b

        .globl  fail
fail:
        /* exit code = TESTNUM (255 if no test started yet) */
        mv      t1, TESTNUM
        bnez    t1, 2f
        li      t1, 255
2:      slli    t1, t1, 16
        li      t0, FINISHER_FAIL
        or      t1, t1, t0
        li      t0, FINISHER_BASE
        sw      t1, 0(t0)
1:      j       1b

/* ------------------------------------------------------------ printing */
/* print_char: a0 = byte. Clobbers t0, t1. */
        .globl  print_char
print_char:
        li      t0, UART0_BASE
1:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 1b
        sb      a0, 0(t0)
        ret

/* print_str: a0 = NUL-terminated string. Clobbers a0, t0, t1, t2. */
        .globl  print_str
print_str:
        mv      t2, a0
        li      t0, UART0_BASE
1:      lbu     a0, 0(t2)
        beqz    a0, 3f
2:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 2b
        sb      a0, 0(t0)
        addi    t2, t2, 1
        j       1b
3:      ret

/* print_hex: a0 = value, printed as 0x + 16 hex digits.
 * Clobbers a0, t0, t1, t2, t3, t4. */
        .globl  print_hex
print_hex:
        mv      t4, ra
        mv      t3, a0
        li      a0, '0'
        call    print_char
        li      a0, 'x'
        call    print_char
        li      t2, 60
1:      srl     a0, t3, t2
        andi    a0, a0, 15
        addi    a0, a0, '0'
        li      t1, '9'
        ble     a0, t1, 2f
        addi    a0, a0, 'a' - '0' - 10
2:      call    print_char
        addi    t2, t2, -4
        bgez    t2, 1b
        mv      ra, t4
        ret

/* ---------------------------------------------------------- trap records */
/* trap_reset: clears mtrap and strap records and resume/to_m settings.
 * Clobbers t0, t1. */
        .globl  trap_reset
trap_reset:
        la      t0, mtrap
        sd      zero, TR_COUNT(t0)
        li      t1, -1
        sd      t1, TR_CAUSE(t0)
        sd      t1, TR_EPC(t0)
        sd      t1, TR_TVAL(t0)
        sd      t1, TR_STATUS(t0)
        la      t0, strap
        sd      zero, TR_COUNT(t0)
        sd      t1, TR_CAUSE(t0)
        sd      t1, TR_EPC(t0)
        sd      t1, TR_TVAL(t0)
        sd      t1, TR_STATUS(t0)
        la      t0, mtrap_resume
        sd      zero, 0(t0)
        la      t0, strap_to_m
        sd      zero, 0(t0)
        ret

/* mtrap_record: M-mode handler that records mcause/mepc/mtval/mstatus and
 * the number of traps into `mtrap`.  Then:
 *   - if mtrap_resume != 0: return to M-mode at that address (and clear it),
 *     with mstatus.MIE = 0;
 *   - else for an exception: skip the trapping instruction (2 or 4 bytes);
 *   - else (interrupt): return to mepc unchanged.
 * Preserves all registers. */
        .balign 4
        .globl  mtrap_record
mtrap_record:
        csrw    mscratch, t0
        la      t0, mtrap_save
        sd      t1, 0(t0)
        sd      t2, 8(t0)
        la      t0, mtrap
        ld      t1, TR_COUNT(t0)
        addi    t1, t1, 1
        sd      t1, TR_COUNT(t0)
        csrr    t1, mcause
        sd      t1, TR_CAUSE(t0)
        csrr    t1, mepc
        sd      t1, TR_EPC(t0)
        csrr    t1, mtval
        sd      t1, TR_TVAL(t0)
        csrr    t1, mstatus
        sd      t1, TR_STATUS(t0)
        /* resume in M-mode? */
        la      t0, mtrap_resume
        ld      t1, 0(t0)
        beqz    t1, 1f
        sd      zero, 0(t0)
        csrw    mepc, t1
        li      t1, MSTATUS_MPP
        csrs    mstatus, t1
        li      t1, MSTATUS_MPIE        /* resume with MIE = 0 */
        csrc    mstatus, t1
        j       3f
1:      csrr    t1, mcause
        bltz    t1, 3f
        csrr    t1, mepc
        lhu     t2, 0(t1)
        andi    t2, t2, 3
        addi    t1, t1, 2
        li      t0, 3
        bne     t2, t0, 2f
        addi    t1, t1, 2
2:      csrw    mepc, t1
3:      la      t0, mtrap_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        csrr    t0, mscratch
        mret

/* strap_record: S-mode handler, same as mtrap_record but for S (records into
 * `strap`).  If strap_to_m != 0, executes `ecall` after recording (which
 * takes the resume path of mtrap_record when mtrap_resume is set); otherwise
 * skips the faulting instruction (exceptions) and srets. */
        .balign 4
        .globl  strap_record
strap_record:
        csrw    sscratch, t0
        la      t0, strap_save
        sd      t1, 0(t0)
        sd      t2, 8(t0)
        la      t0, strap
        ld      t1, TR_COUNT(t0)
        addi    t1, t1, 1
        sd      t1, TR_COUNT(t0)
        csrr    t1, scause
        sd      t1, TR_CAUSE(t0)
        csrr    t1, sepc
        sd      t1, TR_EPC(t0)
        csrr    t1, stval
        sd      t1, TR_TVAL(t0)
        csrr    t1, sstatus
        sd      t1, TR_STATUS(t0)
        la      t0, strap_to_m
        ld      t1, 0(t0)
        beqz    t1, 1f
        sd      zero, 0(t0)
        la      t0, strap_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        csrr    t0, sscratch
        ecall
1:      csrr    t1, scause
        bltz    t1, 3f
        csrr    t1, sepc
        lhu     t2, 0(t1)
        andi    t2, t2, 3
        addi    t1, t1, 2
        li      t0, 3
        bne     t2, t0, 2f
        addi    t1, t1, 2
2:      csrw    sepc, t1
3:      la      t0, strap_save
        ld      t1, 0(t0)
        ld      t2, 8(t0)
        csrr    t0, sscratch
        sret

/* unexpected_trap: print a diagnostic line and fail with code TESTNUM. */
        .balign 4
        .globl  unexpected_trap
unexpected_trap:
        la      a0, msg_unexp
        call    print_str
        csrr    a0, mcause
        call    print_hex
        la      a0, msg_epc
        call    print_str
        csrr    a0, mepc
        call    print_hex
        la      a0, msg_tval
        call    print_str
        csrr    a0, mtval
        call    print_hex
        la      a0, msg_test
        call    print_str
        mv      a0, TESTNUM
        call    print_hex
        li      a0, '\n'
        call    print_char
        j       fail

        .section .rodata
msg_unexp: .asciz "unexpected trap: mcause="
msg_epc:   .asciz " mepc="
msg_tval:  .asciz " mtval="
msg_test:  .asciz " test="

        .data
        .balign 8
        .globl  mtrap, strap, mtrap_resume, strap_to_m
mtrap:        .dword 0, 0, 0, 0, 0
strap:        .dword 0, 0, 0, 0, 0
mtrap_resume: .dword 0
strap_to_m:   .dword 0
mtrap_save:   .dword 0, 0
strap_save:   .dword 0, 0

/* rt.S - M-mode start-up, exit and trap reporting for the benchmark guests.
 * Provides _start (at 0x80000000 via .text.init), which opens PMP, clears
 * .bss, installs m_trap, delegates nothing and jumps to bench_main (still in
 * M-mode), plus bench_exit, print_str and print_hex (usable from M- or
 * S-mode as long as the UART and finisher are mapped). */
#include "bench.h"

        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        /* a0 = hartid, a1 = FDT address (not used).  Only hart 0 runs. */
        csrr    t0, mhartid
        bnez    t0, park
        la      sp, __stack_top
        /* PMP: allow S-mode access to everything (NAPOT over the whole
         * address space, RWX).  Skipped silently if PMP is absent. */
        la      t0, 1f
        csrw    mtvec, t0
        li      t0, -1
        csrw    pmpaddr0, t0
        li      t0, 0x1f
        csrw    pmpcfg0, t0
        .balign 4
1:
        la      t0, m_trap
        csrw    mtvec, t0
        csrw    medeleg, zero
        csrw    mideleg, zero
        csrw    mie, zero
        csrw    satp, zero
#ifdef RVDBT_FP
        /* rv64gc builds: the FP unit on (mstatus.FS = Initial) */
        li      t0, 1 << 13
        csrs    mstatus, t0
#endif
        /* clear .bss (16-byte aligned at both ends) */
        la      t0, __bss_start
        la      t1, __bss_end
2:      bgeu    t0, t1, 3f
        sd      zero, 0(t0)
        sd      zero, 8(t0)
        addi    t0, t0, 16
        j       2b
3:
        j       bench_main

park:
        wfi
        j       park

        .text
/* bench_exit: a0 = exit code (0 = pass).  Does not return. */
        .globl  bench_exit
bench_exit:
        li      t0, FINISHER_BASE
        li      t1, FINISHER_PASS
        beqz    a0, 1f
        slli    t1, a0, 16
        li      t2, FINISHER_FAIL
        or      t1, t1, t2
1:      sw      t1, 0(t0)
2:      j       2b

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
 * Clobbers a0, t0, t1, t2, t3. */
        .globl  print_hex
print_hex:
        mv      t3, a0
        li      t0, UART0_BASE
        li      a0, '0'
1:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 1b
        sb      a0, 0(t0)
        li      a0, 'x'
2:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 2b
        sb      a0, 0(t0)
        li      t2, 60
3:      srl     a0, t3, t2
        andi    a0, a0, 0xf
        addi    a0, a0, '0'
        li      t1, '9'
        ble     a0, t1, 4f
        addi    a0, a0, 'a' - '0' - 10
4:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 4b
        sb      a0, 0(t0)
        addi    t2, t2, -4
        bgez    t2, 3b
        ret

/* m_trap: nothing is delegated, so every trap (from M- or S-mode) lands
 * here.  None is expected: print cause, epc and tval, exit EXIT_TRAP. */
        .balign 4
m_trap:
        la      a0, msg_trap
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
        la      a0, msg_nl
        call    print_str
        li      a0, EXIT_TRAP
        j       bench_exit

        .section .rodata
msg_trap:       .asciz "unexpected trap: mcause="
msg_epc:        .asciz " mepc="
msg_tval:       .asciz " mtval="
msg_nl:         .asciz "\n"

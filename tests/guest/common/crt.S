/* crt.S - start-up code for rvdbt C guest programs.
 * _start sits at 0x80000000 (.text.init); hart 0 sets up the stack, clears
 * .bss, installs a trap handler, calls main() and exits with its return
 * value through the sifive_test finisher (see exit() in clib.c). */
        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        csrr    t0, mhartid
        bnez    t0, 3f
        la      sp, __stack_top
        la      t0, c_trap_entry
        csrw    mtvec, t0
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      call    main
        call    exit
3:      wfi
        j       3b

        .text
        .balign 4
c_trap_entry:
        la      sp, __stack_top
        csrr    a0, mcause
        csrr    a1, mepc
        csrr    a2, mtval
        call    unexpected_trap
1:      j       1b

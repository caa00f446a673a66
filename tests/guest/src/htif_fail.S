/* htif_fail - riscv-tests style HTIF program that fails with exit code 5:
 * writes tohost = (5 << 1) | 1 = 11 and spins.  rvdbt only (noqemu). */
        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        csrr    t0, mhartid
        bnez    t0, 2f
        li      t0, (5 << 1) | 1
        la      t1, tohost
        sd      t0, 0(t1)
1:      j       1b
2:      wfi
        j       2b

        .section .tohost, "aw", @progbits
        .balign 64
        .globl  tohost
tohost: .dword  0
        .balign 64
        .globl  fromhost
fromhost:
        .dword  0

/* htif_hello - riscv-tests style HTIF program (rvdbt only: QEMU virt has
 * no HTIF, so the manifest marks it noqemu).
 * Prints two lines through the HTIF console: each is a sys_write syscall,
 * i.e. a pointer to magic_mem = [64 (SYS_write), 1 (fd), buf, len] written
 * to `tohost`, then waiting for `fromhost` != 0 (and clearing it).  The
 * syscall's return value (magic_mem[0]) is not checked.
 * Passes with tohost = 1. */
        .section .rodata
msg1:   .ascii  "Hello from rvdbt over HTIF!\n"
        .set    msg1_len, . - msg1
msg2:   .ascii  "htif_hello: PASS\n"
        .set    msg2_len, . - msg2

        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        csrr    t0, mhartid
        bnez    t0, park
        la      sp, __stack_top

        la      a0, msg1
        li      a1, msg1_len
        call    htif_write

        la      a0, msg2
        li      a1, msg2_len
        call    htif_write

        li      t0, 1                   /* pass */
        la      t1, tohost
        sd      t0, 0(t1)
1:      j       1b

park:
        wfi
        j       park

/* htif_write(a0 = buf, a1 = len); clobbers t0-t2 */
htif_write:
        la      t0, magic_mem
        li      t1, 64                  /* SYS_write */
        sd      t1, 0(t0)
        li      t1, 1                   /* fd = stdout */
        sd      t1, 8(t0)
        sd      a0, 16(t0)
        sd      a1, 24(t0)
        fence
        la      t1, tohost
        sd      t0, 0(t1)
        la      t1, fromhost
1:      ld      t2, 0(t1)
        beqz    t2, 1b
        sd      zero, 0(t1)
        fence
        ret

        .data
        .balign 64
magic_mem:
        .dword  0, 0, 0, 0, 0, 0, 0, 0

        .section .tohost, "aw", @progbits
        .balign 64
        .globl  tohost
tohost: .dword  0
        .balign 64
        .globl  fromhost
fromhost:
        .dword  0

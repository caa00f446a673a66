/* rvc - the C extension, written with explicit c.* mnemonics so that every
 * compressed form is really used (check rvc.objdump): c.li, c.lui, c.addi,
 * c.addiw, c.addi16sp, c.addi4spn, c.slli, c.srli, c.srai, c.andi, c.mv,
 * c.add, c.and, c.or, c.xor, c.sub, c.addw, c.subw, c.lw, c.ld, c.sw, c.sd,
 * c.lwsp, c.ldsp, c.swsp, c.sdsp, c.j, c.jr, c.jalr, c.beqz, c.bnez, c.nop,
 * plus 32-bit instructions at 2-mod-4 addresses and jumps landing there. */
#include "test.h"

        .text
        .globl  test_main
test_main:
        .option push
        .option rvc

        TEST 1
        li      a0, 0x5a5a
        c.li    a0, -32
        EXPECT  a0, 0xffffffffffffffe0
        c.li    a0, 31
        EXPECT  a0, 31
        c.li    a5, 0
        EXPECT  a5, 0

        TEST 2
        c.lui   a0, 1
        EXPECT  a0, 0x1000
        c.lui   a0, 0x1f
        EXPECT  a0, 0x1f000
        c.lui   a0, 0xfffff                 /* nzimm = -1 */
        EXPECT  a0, 0xfffffffffffff000
        c.lui   a0, 0xfffe0                 /* nzimm = -32 */
        EXPECT  a0, 0xfffffffffffe0000

        TEST 3
        c.li    a0, 5
        c.addi  a0, -6
        EXPECT  a0, -1
        c.addi  a0, 31
        EXPECT  a0, 30
        c.addi  a0, -32
        EXPECT  a0, -2
        c.nop
        EXPECT  a0, -2

        TEST 4
        li      a0, 0x7fffffff
        c.addiw a0, 1
        EXPECT  a0, 0xffffffff80000000
        li      a0, 0x180000000
        c.addiw a0, 0                       /* sext.w */
        EXPECT  a0, 0xffffffff80000000
        li      a0, 0xffffffff00000005
        c.addiw a0, -6
        EXPECT  a0, -1

        /* c.addi16sp / c.addi4spn */
        TEST 5
        mv      s1, sp
        c.addi16sp sp, -64
        sub     a0, s1, sp
        EXPECT  a0, 64
        c.addi4spn a0, sp, 8
        sub     a0, a0, sp
        EXPECT  a0, 8
        c.addi4spn a1, sp, 1020
        sub     a1, a1, sp
        EXPECT  a1, 1020
        c.addi16sp sp, 496
        c.addi16sp sp, -496
        c.addi16sp sp, 64
        EXPECT_REG sp, s1

        TEST 6
        li      a0, 3
        c.slli  a0, 63
        EXPECT  a0, 0x8000000000000000
        li      a0, 0x123456789
        c.slli  a0, 32
        EXPECT  a0, 0x2345678900000000
        li      a0, -1
        c.srli  a0, 32
        EXPECT  a0, 0xffffffff
        li      a0, 0x8000000000000000
        c.srli  a0, 63
        EXPECT  a0, 1
        li      a0, 0x8000000000000000
        c.srai  a0, 63
        EXPECT  a0, -1
        li      a0, 0x8000000000000000
        c.srai  a0, 4
        EXPECT  a0, 0xf800000000000000
        li      a0, 0x4000000000000000
        c.srai  a0, 1
        EXPECT  a0, 0x2000000000000000

        TEST 7
        li      a0, 0x123456789abcdef0
        c.andi  a0, -1
        EXPECT  a0, 0x123456789abcdef0
        c.andi  a0, -32                     /* sign-extended immediate */
        EXPECT  a0, 0x123456789abcdee0
        c.andi  a0, 0x1f
        EXPECT  a0, 0

        TEST 8
        li      a1, 0x0123456789abcdef
        li      a0, 0
        c.mv    a0, a1
        EXPECT  a0, 0x0123456789abcdef
        li      a0, 0x1000000000000001
        c.add   a0, a1
        EXPECT  a0, 0x1123456789abcdf0
        li      t0, 7
        c.mv    t1, t0                      /* full register set */
        c.add   t1, t0
        EXPECT  t1, 14

        TEST 9
        li      a0, 0xff00ff00ff00ff00
        li      a1, 0x0ff00ff00ff00ff0
        c.and   a0, a1
        EXPECT  a0, 0x0f000f000f000f00
        li      a0, 0xff00ff00ff00ff00
        c.or    a0, a1
        EXPECT  a0, 0xfff0fff0fff0fff0
        li      a0, 0xff00ff00ff00ff00
        c.xor   a0, a1
        EXPECT  a0, 0xf0f0f0f0f0f0f0f0
        li      a0, 0
        c.sub   a0, a1
        EXPECT  a0, 0xf00ff00ff00ff010
        li      a0, 0x7fffffff
        li      a1, 1
        c.addw  a0, a1
        EXPECT  a0, 0xffffffff80000000
        li      a0, 0x100000000
        c.subw  a0, a1
        EXPECT  a0, -1
        li      a0, 0x80000000
        c.subw  a0, a1
        EXPECT  a0, 0x7fffffff

        /* c.lw / c.ld / c.sw / c.sd */
        TEST 10
        la      s0, cdata
        c.lw    a0, 0(s0)
        EXPECT  a0, 0xffffffff80000001
        c.lw    a1, 4(s0)
        EXPECT  a1, 0x7ffffffe
        c.ld    a2, 8(s0)
        EXPECT  a2, 0x8877665544332211
        c.lw    a3, 124(s0)
        EXPECT  a3, 0xffffffffcafef00d
        c.ld    a4, 248(s0)
        EXPECT  a4, 0x0123456789abcdef

        TEST 11
        la      s0, cbuf
        li      a0, 0x1111111111111111
        c.sd    a0, 0(s0)
        c.sd    a0, 8(s0)
        li      a1, 0xffffffffdeadbeef
        c.sw    a1, 4(s0)
        li      a2, 0xa5a5a5a5a5a5a5a5
        c.sd    a2, 8(s0)
        c.ld    a3, 0(s0)
        EXPECT  a3, 0xdeadbeef11111111
        c.ld    a3, 8(s0)
        EXPECT  a3, 0xa5a5a5a5a5a5a5a5
        li      a4, 0x55
        c.sd    a4, 248(s0)
        c.sw    a4, 124(s0)
        ld      a5, 248(s0)
        EXPECT  a5, 0x55
        lw      a5, 124(s0)
        EXPECT  a5, 0x55

        /* sp-relative */
        TEST 12
        mv      s1, sp
        c.addi16sp sp, -256
        li      a0, 0x8000000000000007
        c.sdsp  a0, 0(sp)
        c.sdsp  a0, 248(sp)
        li      a1, 0x90000003
        c.swsp  a1, 12(sp)
        c.swsp  a1, 244(sp)
        c.ldsp  a2, 0(sp)
        EXPECT  a2, 0x8000000000000007
        c.ldsp  t2, 248(sp)
        EXPECT  t2, 0x8000000000000007
        c.lwsp  a3, 12(sp)
        EXPECT  a3, 0xffffffff90000003
        c.lwsp  a4, 244(sp)
        EXPECT  a4, 0xffffffff90000003
        c.addi16sp sp, 256
        EXPECT_REG sp, s1

        /* c.j forward and backward */
        TEST 13
        li      a0, 0
        c.j     2f
1:      c.addi  a0, 2
        c.j     3f
2:      c.addi  a0, 1
        c.j     1b
3:      EXPECT  a0, 3

        /* c.beqz / c.bnez taken and not taken */
        TEST 14
        li      a0, 0
        li      s0, 0
        c.beqz  s0, 1f
        li      a0, 1
1:      EXPECT  a0, 0
        li      s0, 0x100000000             /* nonzero only above bit 31 */
        c.beqz  s0, 2f
        li      a0, 2
2:      EXPECT  a0, 2
        c.bnez  s0, 3f
        li      a0, 3
3:      EXPECT  a0, 2
        li      s0, 0
        c.bnez  s0, 4f
        li      a0, 4
4:      EXPECT  a0, 4

        /* backward c.bnez loop */
        TEST 15
        li      a0, 0
        li      s1, 5
1:      c.addi  a0, 3
        c.addi  s1, -1
        c.bnez  s1, 1b
        EXPECT  a0, 15

        /* c.jr / c.jalr (link = pc + 2) */
        TEST 16
        la      a5, 1f
        c.jr    a5
        j       fail
1:      la      a5, 2f
        li      ra, 0
        c.jalr  a5
3:      j       4f
2:      EXPECT_ADDR ra, 3b
        c.jr    ra
4:      la      a0, 3b
        EXPECT_ADDR a0, 3b

        /* 32-bit instructions at 2-mod-4 addresses, jump targets there */
        TEST 17
        .balign 4
        li      a0, 0
        c.nop
        addi    a0, a0, 0x123               /* at 4n + 2 */
        lui     a1, 0x12345                 /* crosses nothing, 4n + 6 */
        EXPECT  a0, 0x123
        EXPECT  a1, 0x12345000
        .balign 4
        c.nop
        jal     a2, 1f                      /* at 4n + 2 */
2:      j       fail
        c.nop
1:      EXPECT_ADDR a2, 2b
        la      a3, 5f
        andi    a4, a3, 3
        EXPECT  a4, 2
        jalr    a2, 0(a3)
        j       fail
        .balign 4
        c.nop
5:      addi    a0, zero, 77                /* 32-bit at 4n + 2 */
        EXPECT  a0, 77

        .option pop
        j       pass

        .data
        .balign 8
cdata:
        .word   0x80000001, 0x7ffffffe
        .dword  0x8877665544332211
        .fill   (124 - 16) / 4, 4, 0
        .word   0xcafef00d
        .fill   (248 - 128) / 4, 4, 0
        .dword  0x0123456789abcdef
        .balign 8
cbuf:
        .fill   256, 1, 0

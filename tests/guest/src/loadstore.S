/* loadstore - every load and store width and signedness: lb/lbu/lh/lhu/lw/
 * lwu/ld/sb/sh/sw/sd, sign and zero extension, positive/negative/extreme
 * offsets, little-endian byte order, partial stores leave neighbouring bytes
 * alone, loads into x0 and rd == rs1. */
#include "test.h"

.macro LOAD n, inst, off, result
        TEST    \n
        la      a1, ld_data
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, \off(a1)
        EXPECT  a0, \result
.endm

/* negative offsets, base = ld_data + 16 */
.macro LOADN n, inst, off, result
        TEST    \n
        la      a1, ld_data + 16
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, \off(a1)
        EXPECT  a0, \result
.endm

/* reset st_buf to 0x1111111111111111, 0x2222222222222222 */
.macro RESET_BUF
        la      a1, st_buf
        li      a2, 0x1111111111111111
        sd      a2, 0(a1)
        li      a2, 0x2222222222222222
        sd      a2, 8(a1)
.endm

/* store low bits of `val` with `inst` at st_buf+off, check both dwords */
.macro STORE n, inst, off, val, d0, d1
        TEST    \n
        RESET_BUF
        li      a2, \val
        \inst   a2, \off(a1)
        ld      a0, 0(a1)
        EXPECT  a0, \d0
        ld      a0, 8(a1)
        EXPECT  a0, \d1
        EXPECT  a2, \val
.endm

        .text
        .globl  test_main
test_main:
        /* ld_data = 81 02 83 74 85 06 f7 88 | 00 00 00 80 ff ff ff 7f */
        LOAD 1,  lb,  0, 0xffffffffffffff81
        LOAD 2,  lbu, 0, 0x81
        LOAD 3,  lb,  1, 0x2
        LOAD 4,  lb,  3, 0x74
        LOAD 5,  lb,  7, 0xffffffffffffff88
        LOAD 6,  lbu, 7, 0x88
        LOAD 7,  lh,  0, 0x0281
        LOAD 8,  lh,  2, 0x7483
        LOAD 9,  lh,  6, 0xffffffffffff88f7
        LOAD 10, lhu, 6, 0x88f7
        LOAD 11, lhu, 0, 0x0281
        LOAD 12, lh,  10, 0xffffffffffff8000
        LOAD 13, lhu, 10, 0x8000
        LOAD 14, lw,  0, 0x74830281
        LOAD 15, lw,  4, 0xffffffff88f70685
        LOAD 16, lwu, 4, 0x88f70685
        LOAD 17, lwu, 0, 0x74830281
        LOAD 18, lw,  8, 0xffffffff80000000
        LOAD 19, lwu, 8, 0x80000000
        LOAD 20, lw,  12, 0x7fffffff
        LOAD 21, ld,  0, 0x88f7068574830281
        LOAD 22, ld,  8, 0x7fffffff80000000
        LOADN 23, lb,  -16, 0xffffffffffffff81
        LOADN 24, lbu, -9, 0x88
        LOADN 25, lh,  -10, 0xffffffffffff88f7
        LOADN 26, lhu, -6, 0x8000
        LOADN 27, lw,  -12, 0xffffffff88f70685
        LOADN 28, lwu, -8, 0x80000000
        LOADN 29, ld,  -16, 0x88f7068574830281
        LOADN 30, ld,  -8, 0x7fffffff80000000

        /* extreme offsets -2048 / +2047 */
        TEST 31
        la      a1, big_area
        li      a2, 0x9c
        sb      a2, 0(a1)
        li      a2, 0x3d
        li      t0, 4095
        add     a4, a1, t0          /* a4 = big_area + 4095 */
        sb      a2, 0(a4)
        li      t0, 2048
        add     a3, a1, t0          /* a3 = big_area + 2048 */
        lb      a0, -2048(a3)
        EXPECT  a0, 0xffffffffffffff9c
        lbu     a0, 2047(a3)
        EXPECT  a0, 0x3d
        li      a2, 0x0123456789abcdef
        sd      a2, -2048(a3)
        ld      a0, 0(a1)
        EXPECT  a0, 0x0123456789abcdef
        sb      a2, 2047(a3)
        lbu     a0, 0(a4)
        EXPECT  a0, 0xef

        /* rd == rs1 */
        TEST 32
        la      a0, ld_data
        ld      a0, 0(a0)
        EXPECT  a0, 0x88f7068574830281

        /* load into x0 is discarded */
        TEST 33
        la      a1, ld_data
        lw      x0, 4(a1)
        ld      x0, 0(a1)
        lb      x0, 0(a1)
        EXPECT  x0, 0

        /* stores: st_buf = 0x1111111111111111, 0x2222222222222222 */
        STORE 34, sb, 0,  0x12345678abcdefab, 0x11111111111111ab, 0x2222222222222222
        STORE 35, sb, 3,  0x12345678abcdefab, 0x11111111ab111111, 0x2222222222222222
        STORE 36, sb, 7,  0x12345678abcdefab, 0xab11111111111111, 0x2222222222222222
        STORE 37, sb, 8,  0x12345678abcdefab, 0x1111111111111111, 0x22222222222222ab
        STORE 38, sh, 0,  0x12345678abcdcdef, 0x111111111111cdef, 0x2222222222222222
        STORE 39, sh, 2,  0x12345678abcdcdef, 0x11111111cdef1111, 0x2222222222222222
        STORE 40, sh, 6,  0x12345678abcdcdef, 0xcdef111111111111, 0x2222222222222222
        STORE 41, sh, 14, 0xffffffffffff8001, 0x1111111111111111, 0x8001222222222222
        STORE 42, sw, 0,  0xfedcba9889abcdef, 0x1111111189abcdef, 0x2222222222222222
        STORE 43, sw, 4,  0xfedcba9889abcdef, 0x89abcdef11111111, 0x2222222222222222
        STORE 44, sw, 12, 0x0000000080000001, 0x1111111111111111, 0x8000000122222222
        STORE 45, sd, 0,  0xfedcba9889abcdef, 0xfedcba9889abcdef, 0x2222222222222222
        STORE 46, sd, 8,  0x8000000000000000, 0x1111111111111111, 0x8000000000000000

        /* negative store offsets */
        TEST 47
        RESET_BUF
        addi    a3, a1, 16
        li      a2, 0x77
        sb      a2, -1(a3)
        li      a2, 0x6655
        sh      a2, -4(a3)
        li      a2, 0x44332211
        sw      a2, -8(a3)
        li      a2, 0x0807060504030201
        sd      a2, -16(a3)
        ld      a0, 0(a1)
        EXPECT  a0, 0x0807060504030201
        ld      a0, 8(a1)
        EXPECT  a0, 0x7722665544332211

        /* store x0 */
        TEST 48
        RESET_BUF
        sd      x0, 0(a1)
        sb      x0, 9(a1)
        ld      a0, 0(a1)
        EXPECT  a0, 0
        ld      a0, 8(a1)
        EXPECT  a0, 0x2222222222220022

        /* little-endian: sd then read every byte */
        TEST 49
        RESET_BUF
        li      a2, 0x8877665544332211
        sd      a2, 0(a1)
        lbu     a0, 0(a1)
        EXPECT  a0, 0x11
        lbu     a0, 1(a1)
        EXPECT  a0, 0x22
        lbu     a0, 4(a1)
        EXPECT  a0, 0x55
        lb      a0, 7(a1)
        EXPECT  a0, 0xffffffffffffff88
        lhu     a0, 2(a1)
        EXPECT  a0, 0x4433
        lw      a0, 4(a1)
        EXPECT  a0, 0xffffffff88776655
        lwu     a0, 2(a1)           /* 2-byte aligned only: see misaligned */
        EXPECT  a0, 0x66554433

        /* store then reload with the base register equal to the data reg */
        TEST 50
        RESET_BUF
        sd      a1, 0(a1)
        ld      a0, 0(a1)
        EXPECT_REG a0, a1

        j       pass

        .data
        .balign 16
ld_data:
        .byte   0x81, 0x02, 0x83, 0x74, 0x85, 0x06, 0xf7, 0x88
        .byte   0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f
        .balign 16
st_buf:
        .dword  0, 0
        .balign 16
big_area:
        .fill   4096, 1, 0

#!/usr/bin/env python3
"""Generate src/bitmanip.S (Zba, Zbb, Zbs) and src/zicond.S (Zicond).

Expected values are computed here by an independent Python model of each
instruction, written from the bit-manipulation spec 1.0.0 and the Zicond
spec 1.0 (not taken from any emulator), then baked into the assembly as
constants. One TEST per instruction form; its cases cover boundary operands
(0, 1, -1, INT64_MIN/MAX, 0x8000_0000, single bits), shift amounts 0, 31,
32 and 63 (and register amounts above 63, which are taken modulo 64), x0 as
a source and as the destination, and rd = rs1 = rs2.

The bit-manipulation program enables the extensions with `.option arch`,
so the other programs keep the common -march. binutils 2.40 does not know
Zicond: zicond.S emits it with `.insn r`.

QEMU 7.2 (the reference for `qemu` programs) computes `ctzw` of a value
whose low word is zero but whose high word is not as the 64-bit count
(ctzw 0x8000_0000_0000_0000 = 63; the spec's answer is 32), so those cases
are in a third program, src/ctzw_high.S, which only rvdbt runs.

Re-run after editing: python3 gen/gen_bitmanip.py
"""
import os

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
MIN = 1 << 63
MAX = (1 << 63) - 1
POISON = 0x5a5a5a5a5a5a5a5a


def u64(x):
    return x & M64


def s64(x):
    x &= M64
    return x - (1 << 64) if x >> 63 else x


def sext(x, bits):
    x &= (1 << bits) - 1
    return u64(x - (1 << bits) if x >> (bits - 1) else x)


def rotl(x, sh, width):
    mask = (1 << width) - 1
    x &= mask
    sh %= width
    return ((x << sh) | (x >> (width - sh))) & mask


def clz(x, width):
    return width - (x & ((1 << width) - 1)).bit_length()


def ctz(x, width):
    x &= (1 << width) - 1
    if x == 0:
        return width
    n = 0
    while not (x >> n) & 1:
        n += 1
    return n


def orc_b(x):
    r = 0
    for i in range(8):
        if (x >> (8 * i)) & 0xff:
            r |= 0xff << (8 * i)
    return r


def rev8(x):
    return int.from_bytes(u64(x).to_bytes(8, 'little'), 'big')


def model(op, a, b=0):
    """rd for `op rd, rs1, rs2` (or rs1, imm; or rs1 only) with rs1 = a, rs2/imm = b."""
    a, b = u64(a), u64(b)
    sh = b & 63
    return u64({
        # Zba
        'sh1add': lambda: b + (a << 1),
        'sh2add': lambda: b + (a << 2),
        'sh3add': lambda: b + (a << 3),
        'add.uw': lambda: b + (a & M32),
        'sh1add.uw': lambda: b + ((a & M32) << 1),
        'sh2add.uw': lambda: b + ((a & M32) << 2),
        'sh3add.uw': lambda: b + ((a & M32) << 3),
        'slli.uw': lambda: (a & M32) << sh,
        # Zbb
        'andn': lambda: a & ~b,
        'orn': lambda: a | ~b,
        'xnor': lambda: ~(a ^ b),
        'max': lambda: a if s64(a) >= s64(b) else b,
        'maxu': lambda: a if a >= b else b,
        'min': lambda: a if s64(a) <= s64(b) else b,
        'minu': lambda: a if a <= b else b,
        'rol': lambda: rotl(a, sh, 64),
        'ror': lambda: rotl(a, 64 - sh, 64),
        'rori': lambda: rotl(a, 64 - sh, 64),
        'rolw': lambda: sext(rotl(a, b & 31, 32), 32),
        'rorw': lambda: sext(rotl(a, 32 - (b & 31), 32), 32),
        'roriw': lambda: sext(rotl(a, 32 - (b & 31), 32), 32),
        'clz': lambda: clz(a, 64),
        'clzw': lambda: clz(a, 32),
        'ctz': lambda: ctz(a, 64),
        'ctzw': lambda: ctz(a, 32),
        'cpop': lambda: bin(a).count('1'),
        'cpopw': lambda: bin(a & M32).count('1'),
        'sext.b': lambda: sext(a, 8),
        'sext.h': lambda: sext(a, 16),
        'zext.h': lambda: a & 0xffff,
        'orc.b': lambda: orc_b(a),
        'rev8': lambda: rev8(a),
        # Zbs
        'bclr': lambda: a & ~(1 << sh),
        'bclri': lambda: a & ~(1 << sh),
        'bext': lambda: (a >> sh) & 1,
        'bexti': lambda: (a >> sh) & 1,
        'binv': lambda: a ^ (1 << sh),
        'binvi': lambda: a ^ (1 << sh),
        'bset': lambda: a | (1 << sh),
        'bseti': lambda: a | (1 << sh),
        # Zicond
        'CZERO_EQZ': lambda: 0 if b == 0 else a,
        'CZERO_NEZ': lambda: 0 if b != 0 else a,
    }[op]())


# Boundary operands.
VALS = [0, 1, u64(-1), MIN, MAX, 0x80000000, 0x7fffffff, 0xffffffff,
        0x100000000, 0x0123456789abcdef, 0xfedcba9876543210, 0x8000000000000001,
        0x00ff00000000ff80, 0x0000000000008000, 0x0000000000000080]
SHAMTS = [0, 1, 31, 32, 63]
# Register shift amounts: the low 6 (or 5) bits count.
SH_REGS = [0, 1, 31, 32, 63, 64, 65, u64(-1), 0xffffffff00000021]

MACROS = r'''
/* rd = a0, rs1 = a1, rs2 = a2; rd is poisoned first */
.macro RR inst, a, b, result
        li      a1, \a
        li      a2, \b
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, a1, a2
        EXPECT  a0, \result
        EXPECT  a1, \a
        EXPECT  a2, \b
.endm
/* rd = rs1 = rs2 = a3 */
.macro RR_SAME inst, a, result
        li      a3, \a
        \inst   a3, a3, a3
        EXPECT  a3, \result
.endm
/* rs1 = x0 */
.macro RR_Z1 inst, b, result
        li      a2, \b
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, zero, a2
        EXPECT  a0, \result
.endm
/* rs2 = x0 */
.macro RR_Z2 inst, a, result
        li      a1, \a
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, a1, zero
        EXPECT  a0, \result
.endm
/* rd = x0: the write is discarded */
.macro RR_X0 inst, a, b
        li      a1, \a
        li      a2, \b
        \inst   zero, a1, a2
        EXPECT  zero, 0
        mv      a0, zero
        EXPECT  a0, 0
.endm
/* rd = a0, rs1 = a1, immediate */
.macro RI inst, a, imm, result
        li      a1, \a
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, a1, \imm
        EXPECT  a0, \result
        EXPECT  a1, \a
.endm
/* rd = rs1 = a3, immediate */
.macro RI_SAME inst, a, imm, result
        li      a3, \a
        \inst   a3, a3, \imm
        EXPECT  a3, \result
.endm
.macro RI_X0 inst, a, imm
        li      a1, \a
        \inst   zero, a1, \imm
        mv      a0, zero
        EXPECT  a0, 0
.endm
/* rd = a0, rs1 = a1 */
.macro R1 inst, a, result
        li      a1, \a
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, a1
        EXPECT  a0, \result
        EXPECT  a1, \a
.endm
.macro R1_SAME inst, a, result
        li      a3, \a
        \inst   a3, a3
        EXPECT  a3, \result
.endm
.macro R1_Z inst, result
        li      a0, 0x5a5a5a5a5a5a5a5a
        \inst   a0, zero
        EXPECT  a0, \result
.endm
.macro R1_X0 inst, a
        li      a1, \a
        \inst   zero, a1
        mv      a0, zero
        EXPECT  a0, 0
.endm
'''


class Gen:
    def __init__(self):
        self.n = 0
        self.lines = []

    def emit(self, s):
        self.lines.append(s)

    def test(self, title):
        self.n += 1
        assert self.n <= 250
        self.emit('')
        self.emit('        /* %s */' % title)
        self.emit('        TEST    %d' % self.n)

    def rr(self, op, pairs):
        self.test(op)
        for a, b in pairs:
            r = model(op, a, b)
            assert r != POISON
            self.emit('        RR      %s, 0x%x, 0x%x, 0x%x' % (op, u64(a), u64(b), r))
        for a in (0, 1, u64(-1), MIN, 0x80000000, 0x0123456789abcdef):
            self.emit('        RR_SAME %s, 0x%x, 0x%x' % (op, a, model(op, a, a)))
        for v in (1, u64(-1), 0x0123456789abcdef, 63):
            self.emit('        RR_Z1   %s, 0x%x, 0x%x' % (op, v, model(op, 0, v)))
            self.emit('        RR_Z2   %s, 0x%x, 0x%x' % (op, v, model(op, v, 0)))
        self.emit('        RR_X0   %s, 0x%x, 0x%x' % (op, 0x0123456789abcdef, 3))

    def ri(self, op, amounts):
        self.test(op)
        for a in VALS:
            for imm in amounts:
                r = model(op, a, imm)
                assert r != POISON
                self.emit('        RI      %s, 0x%x, %d, 0x%x' % (op, a, imm, r))
        for a, imm in ((u64(-1), amounts[-1]), (0x0123456789abcdef, 1)):
            self.emit('        RI_SAME %s, 0x%x, %d, 0x%x' % (op, a, imm, model(op, a, imm)))
        self.emit('        RI_X0   %s, 0x%x, %d' % (op, u64(-1), amounts[1]))

    def r1(self, op, extra=(), keep=lambda a: True):
        self.test(op)
        for a in [v for v in list(VALS) + list(extra) if keep(v)]:
            r = model(op, a)
            assert r != POISON
            self.emit('        R1      %s, 0x%x, 0x%x' % (op, a, r))
        self.emit('        R1_SAME %s, 0x%x, 0x%x' % (op, 0x0123456789abcdef, model(op, 0x0123456789abcdef)))
        self.emit('        R1_Z    %s, 0x%x' % (op, model(op, 0)))
        self.emit('        R1_X0   %s, 0x%x' % (op, u64(-1)))


def pairs_general():
    """Operand pairs for the logic, add and min/max operations."""
    a_vals = VALS
    b_vals = [0, 1, u64(-1), MIN, MAX, 0x80000000, 0xfedcba9876543210]
    out = []
    for i, a in enumerate(a_vals):
        # every a with a rotating subset of b, plus a full cross of the extremes
        for j in range(3):
            out.append((a, b_vals[(i + j) % len(b_vals)]))
    for a in (0, u64(-1), MIN, MAX):
        for b in (0, u64(-1), MIN, MAX):
            out.append((a, b))
    return out


def pairs_shift():
    """Operand pairs for the register-amount rotates and single-bit operations."""
    out = []
    for i, a in enumerate(VALS):
        for j in range(4):
            out.append((a, SH_REGS[(i + j) % len(SH_REGS)]))
    for b in SH_REGS:
        out.append((0x8000000000000001, b))
    return out


HEADER = '''/* %s - GENERATED by gen/gen_bitmanip.py; do not edit by hand.
 * %s
 * Each TEST is one instruction form: load the operands, poison rd, execute,
 * compare rd with a constant computed by an independent Python model. */
#include "test.h"
%s
%s
        .text
        .globl  test_main
test_main:'''

FOOTER = '''
        j       pass
'''

ZICOND_MACROS = r'''
/* binutils 2.40 does not know Zicond: czero.eqz is OP funct7 0000111
 * funct3 101, czero.nez funct3 111. */
.macro CZERO_EQZ rd, rs1, rs2
        .insn   r 0x33, 5, 7, \rd, \rs1, \rs2
.endm
.macro CZERO_NEZ rd, rs1, rs2
        .insn   r 0x33, 7, 7, \rd, \rs1, \rs2
.endm
'''


def gen_bitmanip():
    g = Gen()
    for op in ('sh1add', 'sh2add', 'sh3add', 'add.uw', 'sh1add.uw', 'sh2add.uw', 'sh3add.uw'):
        g.rr(op, pairs_general())
    g.ri('slli.uw', SHAMTS)
    for op in ('andn', 'orn', 'xnor', 'max', 'maxu', 'min', 'minu'):
        g.rr(op, pairs_general())
    for op in ('rol', 'ror', 'rolw', 'rorw', 'bclr', 'bext', 'binv', 'bset'):
        g.rr(op, pairs_shift())
    g.ri('rori', SHAMTS)
    g.ri('roriw', [0, 1, 16, 31])
    for op in ('bclri', 'bexti', 'binvi', 'bseti'):
        g.ri(op, SHAMTS)
    singles = [1 << i for i in (0, 7, 8, 15, 16, 31, 32, 47, 62)]
    for op in ('clz', 'clzw', 'ctz', 'ctzw', 'cpop', 'cpopw'):
        g.r1(op, singles, keep=lambda a, op=op: not (op == 'ctzw' and ctzw_high(a)))
    for op in ('sext.b', 'sext.h', 'zext.h'):
        g.r1(op, [0x7f, 0xff, 0x7fff, 0xffff, 0x1234567890abff80])
    g.r1('orc.b', [0x0100000000000001, 0x0001020300000080, 0x00000000ff000000])
    g.r1('rev8', [0x0102030405060708, 0x00000000000000ff])
    return g


def ctzw_high(a):
    """A ctzw operand QEMU 7.2 gets wrong: low word zero, high word not."""
    return a & M32 == 0 and a != 0


def gen_ctzw_high():
    g = Gen()
    singles = [1 << i for i in (0, 7, 8, 15, 16, 31, 32, 47, 62)]
    g.r1('ctzw', singles, keep=ctzw_high)
    return g


def gen_zicond():
    g = Gen()
    for op in ('CZERO_EQZ', 'CZERO_NEZ'):
        pairs = [(a, b) for a in VALS for b in (0, 1, u64(-1), MIN, 0x100000000)]
        g.rr(op, pairs)
    return g


def write(path, name, desc, prelude, g):
    text = HEADER % (name, desc, MACROS, prelude) + '\n'.join(g.lines) + '\n' + FOOTER
    with open(path, 'w') as f:
        f.write(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, '..', 'src')
    write(os.path.join(src, 'bitmanip.S'), 'bitmanip',
          'Zba, Zbb, Zbs (bit-manipulation 1.0.0), RV64 forms.',
          '\n        .option arch, +zba, +zbb, +zbs\n', gen_bitmanip())
    write(os.path.join(src, 'ctzw_high.S'), 'ctzw_high',
          'Zbb ctzw of values whose low word is zero and high word is not\n'
          ' * (result 32; QEMU 7.2 answers the 64-bit count, so rvdbt only).',
          '\n        .option arch, +zbb\n', gen_ctzw_high())
    write(os.path.join(src, 'zicond.S'), 'zicond',
          'Zicond 1.0: czero.eqz, czero.nez.', ZICOND_MACROS, gen_zicond())


main()

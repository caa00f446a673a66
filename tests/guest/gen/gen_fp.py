#!/usr/bin/env python3
"""Generate the F/D guest programs src/fp_arith.S, src/fp_cmp.S, src/fp_cvt.S
and src/fp_state.S, with QEMU 7.2 (its softfloat) as the oracle.

Two passes per program:

1. *Dump*: the program is generated with `#define DUMP 1`.  It runs every
   test case exactly as the final program will, but instead of comparing it
   prints every observed value (result bits, fflags, trap fields, ...) on
   the UART as one `0x%016x` line.  It is built with the flags of build.sh
   and run on `qemu-system-riscv64 -M virt -bios none -nographic -m 128M`.
2. *Check*: the same program without DUMP; the observed values are baked in
   as constants (EXPECT for inline checks, `.dword` rows for table tests).

Most tests are *table tests*: one TEST per instruction form and rounding
mode, a loop over rows `{src1, src2, src3, expected bits, expected fflags}`
(40 bytes each).  Each row: sources loaded with fmv.d.x (singles NaN-boxed
by the generator unless a row is deliberately unboxed), destination
poisoned, `csrrw t0, fflags, zero`, the instruction, `csrrw a1, fflags,
zero`, then the full 64-bit destination (fmv.x.d, so NaN boxing of single
results is checked) and the flags are compared.  A mismatch prints
`fp mismatch: test=.. row=.. got=<bits> <flags> want=<bits> <flags>` and
exits with the test number.  Registers rotate from test to test (all 32 f
registers get used), some tests alias rd with a source or rs1 with rs2.
Tables keep the programs small (inline EXPECTs for ~10,000 cases would be
tens of MB of objdump).  fp_state uses inline EXPECTs.

Hand-derived values (IEEE 754-2008 / RISC-V unprivileged spec 20191213 and
privileged spec 1.12) are asserted against QEMU's answers in this generator
(`spec=` in the row lists, `@obs reg value` in fp_state): a disagreement
stops the generation (tables) or drops the check with a comment and a
printed "QEMU 7.2 deviation" warning (fp_state).  With QEMU 7.2.x there is
none: every hand-derived value agrees.

QEMU 7.2 behaviours the programs rely on (all agree with the spec):
  - default-NaN mode: every NaN result is the canonical NaN (no payload
    propagation), also for fcvt.s.d / fcvt.d.s, fmin/fmax of two NaNs;
  - tininess is detected after rounding; UF only when also inexact;
  - 0 x inf + qNaN in the FMAs raises NV; fnmadd/fnmsub negate before
    rounding (exact-zero sums are +0 except in RDN);
  - fmin/fmax follow IEEE 754-2019 minimumNumber/maximumNumber (priv 1.12);
  - improperly boxed single operands read as 0x7fc00000 (fsgnj*, fclass,
    feq, fcvt too); fmv.x.w and fsw use the low word unchecked;
  - mstatus.FS = Off makes FP instructions and fflags/frm/fcsr accesses
    illegal (mtval = instruction bits, 16 bits for compressed ones);
    FP register writes, loads and fcsr writes set FS = Dirty and SD;
  - reserved rm (static 5/6, dyn with frm 5..7) is illegal with mtval =
    instruction bits; writing frm = 5..7 itself is allowed;
  - misaligned flw/fsw/fld/fsd and c.fld/c.fsd/c.fldsp/c.fsdsp are
    performed (no trap), also across a page boundary (Bare).
Not asserted: whether FS stays Clean after instructions that only read FP
state (fsd, fmv.x.d, feq, ...); the spec allows imprecise Dirty tracking.

Usage:
  python3 gen/gen_fp.py                 dump on QEMU, write src/fp_*.S
  python3 gen/gen_fp.py --dump DIR      only build/run the dump programs,
                                        keep DIR/<name>_dump.{S,elf,txt}
  python3 gen/gen_fp.py --from DIR      write src/fp_*.S from the dumps in
                                        DIR (no QEMU needed)
  python3 gen/gen_fp.py --only NAME     one program (fp_arith, ...)
Then run `bash tests/guest/build.sh`.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.normpath(os.path.join(HERE, '..'))
M64 = (1 << 64) - 1
BOX = 0xffffffff00000000
POISON = 0x5a5a5a5a5a5a5a5a
RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm']
NV, DZ, OF, UF, NX = 0x10, 0x08, 0x04, 0x02, 0x01


def u64(x):
    return x & M64


# ------------------------------------------------------------------ formats
class Fmt:
    def __init__(self, sfx, e, m):
        self.sfx, self.E, self.M = sfx, e, m
        self.W = 1 + e + m
        self.bias = (1 << (e - 1)) - 1
        self.sign = 1 << (self.W - 1)
        self.expmask = ((1 << e) - 1) << m
        self.qbit = 1 << (m - 1)
        # named values (raw bit patterns, not boxed)
        self.zero, self.nzero = 0, self.sign
        self.one = self.p2(0)
        self.two, self.half = self.p2(1), self.p2(-1)
        self.three = self.f(3.0)
        self.third = self.f(1 / 3)
        self.inf, self.ninf = self.expmask, self.sign | self.expmask
        self.qnan = self.expmask | self.qbit                 # canonical
        self.qnanp = self.qnan | 0x12345                     # payload
        self.nqnan = self.sign | self.qnan | 1
        self.snan = self.expmask | 0x5a5                     # quiet bit clear
        self.nsnan = self.sign | self.expmask | 1
        self.maxn = self.expmask - 1
        self.minn = 1 << m
        self.mins = 1
        self.maxs = (1 << m) - 1
        self.one_plus = self.one + 1                         # 1 + ulp
        self.one_minus = self.one - 1                        # 1 - ulp/2
        self.hulp1 = self.p2(-(m + 1))                       # half ulp of 1
        self.qulp1 = self.p2(-(m + 2))                       # quarter ulp of 1
        self.hulpmax = self.p2(self.bias - m - 1)            # half ulp of max

    def f(self, x):
        if self.W == 32:
            return struct.unpack('<I', struct.pack('<f', x))[0]
        return struct.unpack('<Q', struct.pack('<d', x))[0]

    def p2(self, k):
        assert 1 - self.bias <= k <= self.bias
        return (self.bias + k) << self.M

    def neg(self, b):
        return b ^ self.sign

    def box(self, b):
        return (b | BOX) if self.W == 32 else b


S = Fmt('s', 8, 23)
D = Fmt('d', 11, 52)
FMTS = [S, D]

# ------------------------------------------------------------------ program


class Prog:
    """One generated program.  values = None: dump pass; else the list of
    values the dump printed, consumed in the same order as obs/rows."""

    def __init__(self, name, desc, values=None):
        self.name, self.desc = name, desc
        self.dump = values is None
        self.values = None if values is None else list(values)
        self.pos = 0
        self.text, self.data = [], []
        self.n = 0
        self.rows = 0
        self.deviations = []
        self.lbl = 0

    def emit(self, s=''):
        self.text.append(s)

    def next_value(self):
        v = self.values[self.pos]
        self.pos += 1
        return v

    def test(self, title):
        self.n += 1
        assert self.n <= 250, self.name
        self.emit('')
        self.emit('        /* %s */' % title)
        self.emit('        TEST    %d' % self.n)

    def obs(self, reg, spec=None, why=''):
        """Observe register reg; returns the QEMU value (None when dumping)."""
        if self.dump:
            self.emit('        OBS     %s' % reg)
            return None
        v = self.next_value()
        if spec is not None and v != u64(spec):
            msg = 'test %d: %s = 0x%x on QEMU 7.2, spec 0x%x%s' % (
                self.n, reg, v, u64(spec), (' (' + why + ')') if why else '')
            self.deviations.append('%s: %s' % (self.name, msg))
            self.emit('        /* not checked: %s */' % msg)
            return v
        self.emit('        EXPECT  %s, 0x%x' % (reg, v))
        return v

    def code(self, text):
        """Inline asm; a line `@obs reg [spec] [# why]` observes reg."""
        for line in text.strip('\n').split('\n'):
            s = line.strip()
            if s.startswith('@obs'):
                why = ''
                if '#' in s:
                    s, why = s.split('#', 1)
                parts = s.split()
                spec = int(parts[2], 0) if len(parts) > 2 else None
                self.obs(parts[1], spec, why.strip())
            else:
                self.emit(line)

    def label(self):
        self.lbl += 1
        return 'L%d' % self.lbl

    # -------------------------------------------------------------- tables
    def table(self, title, inst, srcs, dest, rows, pre='', post='',
              alias=None):
        """Table test.  inst: format string with {d} {a} {b} {c};
        srcs: string of 'F'/'X' per source; dest 'F' or 'X';
        rows: list of (tuple of source values, spec) where spec is None or
        (bits, flags) derived by hand (bits may be None = flags only);
        alias: None, 'da' (rd = rs1), 'ab' (rs2 = rs1)."""
        self.test(title)
        n = self.n
        base = (n * 5) % 32
        fr = ['f%d' % ((base + k) % 32) for k in (0, 11, 22, 27)]
        xr = ['a0', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's4', 's5', 's6',
              's7', 's8', 's9', 's10', 's11', 't1', 't2', 't3', 't4']
        xa = xr[(n * 3) % len(xr)]
        xd = xr[(n * 7 + 5) % len(xr)]
        if xd == xa:
            xd = xr[(n * 7 + 6) % len(xr)]
        regs = []
        for i, k in enumerate(srcs):
            regs.append(fr[i] if k == 'F' else xa)
        d = fr[3] if dest == 'F' else xd
        if alias == 'da':
            assert srcs[0] == dest
            d = regs[0]
        if alias == 'ab':
            regs[1] = regs[0]
        names = dict(d=d)
        for k, r in zip('abc', regs):
            names[k] = r
        tbl = 'tbl_%d' % n
        self.emit('        la      s0, %s' % tbl)
        self.emit('        li      s1, 0')
        self.emit('        li      s3, %d' % len(rows))
        if pre:
            self.emit(pre)
        loop = self.label()
        self.emit('%s:' % loop)
        nload = 1 if alias == 'ab' else len(srcs)
        for i in range(nload):
            if srcs[i] == 'F':
                self.emit('        ld      a2, %d(s0)' % (8 * i))
                self.emit('        fmv.d.x %s, a2' % regs[i])
            else:
                self.emit('        ld      %s, %d(s0)' % (regs[i], 8 * i))
        if d not in regs:
            if dest == 'F':
                self.emit('        li      a2, 0x%x' % POISON)
                self.emit('        fmv.d.x %s, a2' % d)
            else:
                self.emit('        li      %s, 0x%x' % (d, POISON))
        self.emit('        csrrw   t0, fflags, zero')
        self.emit('        ' + inst.format(**names))
        self.emit('        csrrw   a1, fflags, zero')
        if dest == 'F':
            self.emit('        fmv.x.d a0, %s' % d)
        elif d != 'a0':
            self.emit('        mv      a0, %s' % d)
        self.emit('        ROW_CHECK')
        self.emit('        addi    s0, s0, 40')
        self.emit('        addi    s1, s1, 1')
        self.emit('        blt     s1, s3, %s' % loop)
        if post:
            self.emit(post)
        self.data.append('')
        self.data.append('        /* TEST %d: %s */' % (n, title))
        self.data.append('%s:' % tbl)
        for src, spec in rows:
            src = list(src) + [0] * (3 - len(src))
            if self.dump:
                bits, flags = 0, 0
            else:
                bits, flags = self.next_value(), self.next_value()
                if spec is not None:
                    sb, sf = spec
                    if (sb is not None and u64(sb) != bits) or sf != flags:
                        raise SystemExit(
                            '%s test %d (%s) row %s: QEMU 0x%x/0x%x, hand-derived %s/0x%x'
                            % (self.name, n, title, [hex(x) for x in src], bits,
                               flags, hex(sb) if sb is not None else '-', sf))
            self.data.append('        .dword  0x%x, 0x%x, 0x%x, 0x%x, 0x%x' % (
                u64(src[0]), u64(src[1]), u64(src[2]), bits, flags))
            self.rows += 1

    # -------------------------------------------------------------- output
    def source(self):
        hdr = HEADER % dict(name=self.name, desc=self.desc)
        if self.dump:
            hdr = '#define DUMP 1\n' + hdr
        out = [hdr, PRELUDE, '        .text', '        .globl  test_main',
               'test_main:', START]
        out += self.text
        out.append(END)
        out.append(HELPERS)
        out.append('        .section .rodata')
        out.append('        .balign 8')
        out += self.data
        return '\n'.join(out) + '\n'

    def finish_check(self):
        if not self.dump:
            assert self.pos == len(self.values), (
                '%s: %d values dumped, %d used' % (self.name, len(self.values), self.pos))


HEADER = '''/* %(name)s - GENERATED by gen/gen_fp.py; do not edit by hand.
 * %(desc)s
 * Expected values: QEMU 7.2's softfloat, via the dump pass of gen_fp.py
 * (a sample cross-checked by hand in the generator). */
#include "test.h"
        .option arch, +f, +d'''

PRELUDE = r'''
#define FS_MASK  0x6000
#define FS_INIT  0x2000
#define FS_CLEAN 0x4000
#define FS_DIRTY 0x6000

/* Table row at s0 = {src1, src2, src3, bits, flags}; a0 = result bits,
 * a1 = fflags.  Compare (or, when dumping, print) them. */
.macro ROW_CHECK
#ifdef DUMP
        call    dump_row
#else
        ld      a2, 24(s0)
        bne     a0, a2, 9997f
        ld      a2, 32(s0)
        beq     a1, a2, 9998f
9997:   j       fp_row_fail
9998:
#endif
.endm

/* Dump pass only: print reg; preserves every register. */
.macro OBS reg
        addi    sp, sp, -16
        sd      ra, 0(sp)
        sd      a0, 8(sp)
        mv      a0, \reg
        call    dump_val
        ld      ra, 0(sp)
        ld      a0, 8(sp)
        addi    sp, sp, 16
.endm
'''

START = '''        li      t0, FS_DIRTY        /* FS = Dirty: enable F/D */
        csrs    mstatus, t0
        csrwi   fcsr, 0'''

END = '''
#ifdef DUMP
        la      a0, msg_done
        call    print_str
#endif
        j       pass'''

HELPERS = r'''
/* a0/a1 = got bits/flags, s0 = row, s1 = row index: print and fail. */
fp_row_fail:
        mv      s4, a0
        mv      s5, a1
        la      a0, msg_mis
        call    print_str
        mv      a0, TESTNUM
        call    print_hex
        la      a0, msg_row
        call    print_str
        mv      a0, s1
        call    print_hex
        la      a0, msg_got
        call    print_str
        mv      a0, s4
        call    print_hex
        li      a0, ' '
        call    print_char
        mv      a0, s5
        call    print_hex
        la      a0, msg_want
        call    print_str
        ld      a0, 24(s0)
        call    print_hex
        li      a0, ' '
        call    print_char
        ld      a0, 32(s0)
        call    print_hex
        li      a0, '\n'
        call    print_char
        j       fail

#ifdef DUMP
/* print a0 and a1 as two lines; clobbers a0, t0-t4, s4, s5 */
dump_row:
        mv      s4, ra
        mv      s5, a1
        call    print_hex
        li      a0, '\n'
        call    print_char
        mv      a0, s5
        call    print_hex
        li      a0, '\n'
        call    print_char
        mv      ra, s4
        ret

/* print a0 as one line; preserves every register but a0 */
dump_val:
        addi    sp, sp, -64
        sd      ra, 0(sp)
        sd      t0, 8(sp)
        sd      t1, 16(sp)
        sd      t2, 24(sp)
        sd      t3, 32(sp)
        sd      t4, 40(sp)
        call    print_hex
        li      a0, '\n'
        call    print_char
        ld      ra, 0(sp)
        ld      t0, 8(sp)
        ld      t1, 16(sp)
        ld      t2, 24(sp)
        ld      t3, 32(sp)
        ld      t4, 40(sp)
        addi    sp, sp, 64
        ret
#endif

        .section .rodata
msg_mis:  .asciz "fp mismatch: test="
msg_row:  .asciz " row="
msg_got:  .asciz " got="
msg_want: .asciz " want="
msg_done: .asciz "DONE\n"
'''

# ------------------------------------------------------------------ fp_arith


def rows_of(lst, fm, nsrc):
    """[(values...) or ((values...), spec)] -> [(boxed tuple, spec)]"""
    out = []
    for item in lst:
        spec = None
        if len(item) == 2 and isinstance(item[0], tuple):
            item, spec = item
            if spec is not None and spec[0] is not None:
                spec = (fm.box(spec[0]), spec[1])
        assert len(item) == nsrc, item
        out.append((tuple(fm.box(v) for v in item), spec))
    return out


def specials(fm):
    return [fm.zero, fm.nzero, fm.one, fm.neg(fm.f(1.5)), fm.mins,
            fm.neg(fm.maxs), fm.minn, fm.maxn, fm.inf, fm.ninf, fm.qnanp,
            fm.snan]


def add_pairs(fm):
    n = fm.neg
    return [
        (fm.one, fm.hulp1), (fm.one_plus, fm.hulp1), (n(fm.one), n(fm.hulp1)),
        (fm.one, fm.qulp1), (fm.one, fm.hulp1 | fm.qbit), (fm.one, n(fm.qulp1)),
        (n(fm.one), fm.qulp1), (fm.maxn, fm.hulpmax), (fm.maxn, fm.maxn),
        (n(fm.maxn), n(fm.maxn)), (fm.mins, n(fm.mins)), (fm.zero, fm.nzero),
        (fm.nzero, fm.nzero), (fm.one, n(fm.one)), (fm.third, fm.third),
        (fm.f(0.1), fm.f(0.2)), (fm.minn, n(fm.mins)), (fm.mins, fm.mins),
        (fm.inf, fm.ninf), (fm.inf, fm.inf), (fm.qnanp, fm.one),
        (fm.snan, fm.one), (fm.one, fm.nsnan), (fm.qnanp, fm.snan),
        (fm.nqnan, fm.qnanp), (fm.three, n(fm.third)), (fm.f(1e10), fm.f(-1e-10)),
    ]


def mul_pairs(fm):
    n = fm.neg
    return [
        (fm.third, fm.three), (fm.one_plus, fm.one_plus), (fm.one_plus, fm.one_minus),
        (fm.f(0.1), fm.f(10.0)), (fm.maxn, fm.two), (n(fm.maxn), fm.two),
        (fm.minn, fm.half), (fm.mins, fm.half), (n(fm.mins), fm.half),
        (fm.minn, fm.one_minus), (fm.one - 2, fm.minn + 1), (fm.mins, fm.mins),
        (fm.inf, fm.zero), (fm.ninf, fm.nzero), (fm.zero, fm.nzero),
        (fm.nzero, fm.nzero), (fm.snan, fm.zero), (fm.qnanp, fm.inf),
        (fm.maxn, fm.minn), (fm.f(1.5), fm.maxs), (fm.f(-3.0), fm.f(7.0)),
        (fm.three, fm.third), (fm.inf, n(fm.mins)), (fm.maxs, fm.f(2.0)),
        (fm.f(1.0000001), fm.f(-1.0000003)),
    ]


def div_pairs(fm):
    n = fm.neg
    return [
        (fm.one, fm.three), (fm.two, fm.three), (n(fm.one), fm.three),
        (fm.one, fm.f(10.0)), (fm.one, fm.zero), (n(fm.one), fm.zero),
        (fm.one, fm.nzero), (fm.zero, fm.zero), (fm.inf, fm.inf),
        (fm.one, fm.inf), (fm.inf, fm.zero), (fm.maxn, fm.half),
        (fm.minn, fm.two), (fm.mins, fm.two), (fm.mins, fm.three),
        (fm.one, fm.maxn), (fm.qnanp, fm.zero), (fm.snan, fm.one),
        (fm.zero, fm.qnanp), (fm.f(7.0), fm.f(7.0)), (fm.nzero, fm.one),
        (fm.f(-2.0), fm.f(3.0)), (fm.maxs, fm.maxn), (fm.f(22.0), fm.f(7.0)),
    ]


def sqrt_vals(fm):
    n = fm.neg
    return [(v,) for v in [
        fm.two, fm.three, fm.f(0.25), fm.zero, fm.nzero, n(fm.one), n(fm.mins),
        fm.inf, fm.ninf, fm.qnanp, fm.snan, fm.nqnan, fm.mins, fm.maxs, fm.minn,
        fm.maxn, fm.one_plus, fm.one_minus, fm.f(10.0), fm.f(2.25), fm.third]]


def fma_triples(fm):
    n = fm.neg
    return [
        (fm.one, fm.one, fm.one), (fm.third, fm.three, n(fm.one)),
        (fm.one_plus, fm.one - 2, n(fm.one)), (fm.zero, fm.inf, fm.qnanp),
        (fm.inf, fm.zero, fm.snan), (fm.inf, fm.one, fm.ninf),
        (fm.one, fm.one, n(fm.one)), (fm.zero, fm.one, fm.nzero),
        (fm.nzero, fm.one, fm.nzero), (fm.maxn, fm.two, n(fm.maxn)),
        (fm.maxn, fm.maxn, fm.ninf), (fm.minn, fm.minn, fm.zero),
        (fm.one, fm.hulp1, fm.one), (fm.one_plus, fm.hulp1, fm.one),
        (fm.qnanp, fm.one, fm.one), (fm.one, fm.snan, fm.one),
        (fm.one, fm.one, fm.snan), (fm.nqnan, fm.snan, fm.qnanp),
        (fm.maxn, fm.maxn, fm.zero), (fm.f(0.1), fm.f(10.0), n(fm.one)),
        (fm.three, fm.third, fm.nzero), (fm.mins, fm.half, fm.zero),
        (fm.f(1.5), fm.f(1.5), fm.hulp1), (fm.two, fm.f(-0.75), fm.f(1.5)),
    ]


def arith_spot(fm, op, rm):
    """Hand-derived results for a few rows: {(srcs): (bits, flags)}"""
    sp = {}
    m = fm.M
    if op == 'fdiv':
        t = fm.third  # RNE result for 1/3 from Python's correctly rounded cast
        # 1/3 = 1.0101...b x 2^-2; the truncated mantissa of m bits is
        # 0101...(01 or 010); the next bit decides RNE/RMM.
        mant = int(('01' * 40)[:m], 2)
        nxt = int(('01' * 40)[m])
        tr = ((fm.bias - 2) << m) | mant
        up = tr + 1
        rne = up if nxt else tr
        assert rne == t
        want = {'rne': rne, 'rtz': tr, 'rdn': tr, 'rup': up, 'rmm': rne}[rm]
        sp[(fm.one, fm.three)] = (want, NX)
        wantn = {'rne': rne, 'rtz': tr, 'rdn': up, 'rup': tr, 'rmm': rne}[rm]
        sp[(fm.neg(fm.one), fm.three)] = (fm.neg(wantn), NX)
        sp[(fm.one, fm.zero)] = (fm.inf, DZ)
        sp[(fm.one, fm.nzero)] = (fm.ninf, DZ)
        sp[(fm.zero, fm.zero)] = (fm.qnan, NV)
        sp[(fm.inf, fm.zero)] = (fm.inf, 0)
        sp[(fm.qnanp, fm.zero)] = (fm.qnan, 0)
        sp[(fm.snan, fm.one)] = (fm.qnan, NV)
    if op == 'fadd':
        # 1 + half ulp: a tie, RNE keeps the even 1.0, RMM/RUP go up
        sp[(fm.one, fm.hulp1)] = ({'rne': fm.one, 'rtz': fm.one, 'rdn': fm.one,
                                   'rup': fm.one_plus, 'rmm': fm.one_plus}[rm], NX)
        # (1 + ulp) + half ulp: tie, even is 1 + 2 ulp
        sp[(fm.one_plus, fm.hulp1)] = ({'rne': fm.one + 2, 'rtz': fm.one_plus,
                                        'rdn': fm.one_plus, 'rup': fm.one + 2,
                                        'rmm': fm.one + 2}[rm], NX)
        # x + (-x) = +0, except -0 in RDN
        sp[(fm.mins, fm.neg(fm.mins))] = (fm.nzero if rm == 'rdn' else fm.zero, 0)
        sp[(fm.zero, fm.nzero)] = (fm.nzero if rm == 'rdn' else fm.zero, 0)
        # max + max overflows: inf (OF|NX) when rounding away, else max
        big = fm.inf if rm in ('rne', 'rup', 'rmm') else fm.maxn
        sp[(fm.maxn, fm.maxn)] = (big, OF | NX)
        sp[(fm.inf, fm.ninf)] = (fm.qnan, NV)
        sp[(fm.snan, fm.one)] = (fm.qnan, NV)
        sp[(fm.qnanp, fm.one)] = (fm.qnan, 0)
        sp[(fm.nqnan, fm.qnanp)] = (fm.qnan, 0)
    if op == 'fmul':
        # min subnormal x 0.5: tie between 0 and min subnormal, UF|NX
        sp[(fm.mins, fm.half)] = (fm.mins if rm in ('rup', 'rmm') else fm.zero, UF | NX)
        # min normal x 0.5 is an exact subnormal: no flags at all
        sp[(fm.minn, fm.half)] = (fm.minn >> 1, 0)
        # (1 - 2^-m) x minnormal(1 + 2^-m) = minnormal (1 - 2^-2m): rounds to
        # min normal with unbounded exponent in RNE -> not tiny after
        # rounding (RISC-V detects tininess after rounding): NX only.
        sp[(fm.one - 2, fm.minn + 1)] = (
            fm.minn if rm in ('rne', 'rup', 'rmm') else fm.maxs,
            NX if rm in ('rne', 'rup', 'rmm') else UF | NX)
        sp[(fm.inf, fm.zero)] = (fm.qnan, NV)
        sp[(fm.zero, fm.nzero)] = (fm.nzero, 0)
    return sp


def with_spot(pairs, spot):
    return [(p, spot.get(p)) for p in pairs]


def fma_spot(fm, op, rm):
    sp = {}
    # RISC-V: 0 x inf + qNaN raises NV (result canonical NaN)
    sp[(fm.zero, fm.inf, fm.qnanp)] = (fm.qnan, NV)
    if op == 'fnmadd':
        # -(1 x 1) - (-1): exact zero sum, +0 except RDN (not -(+0))
        sp[(fm.one, fm.one, fm.neg(fm.one))] = (fm.nzero if rm == 'rdn' else fm.zero, 0)
        sp[(fm.qnanp, fm.one, fm.one)] = (fm.qnan, 0)   # canonical, not negated
    if op == 'fmadd':
        # fused: max x 2 - max = max exactly (no intermediate overflow)
        sp[(fm.maxn, fm.two, fm.neg(fm.maxn))] = (fm.maxn, 0)
        sp[(fm.one, fm.one, fm.neg(fm.one))] = (fm.nzero if rm == 'rdn' else fm.zero, 0)
        # (1 + u)(1 - u) - 1 = -u^2 exactly, u = 2^-m
        sp[(fm.one_plus, fm.one - 2, fm.neg(fm.one))] = (fm.neg(fm.p2(-2 * fm.M)), 0)
    return sp


def gen_arith(values):
    g = Prog('fp_arith', 'F/D arithmetic: fadd/fsub/fmul/fdiv/fsqrt/fmadd/fmsub/fnmsub/fnmadd\n'
             ' * (.s and .d) in every static rounding mode, then with rm = dyn and\n'
             ' * frm = each mode; operands: +-0, subnormals, min/max normal, +-inf,\n'
             ' * quiet/signalling NaNs with payloads, ties and near-ties, overflow,\n'
             ' * underflow (tininess after rounding), exact zero signs.', values)
    for dyn in (False, True):
        for fm in FMTS:
            sfx = fm.sfx
            for rm_i, rm in enumerate(RMS):
                rmtxt = 'dyn' if dyn else rm
                pre = ('        csrwi   frm, %d' % rm_i) if dyn else ''
                post = '        csrwi   frm, 0' if dyn else ''
                tag = ' (dyn, frm = %s)' % rm if dyn else ''
                for op, pl in (('fadd', add_pairs), ('fsub', add_pairs),
                               ('fmul', mul_pairs), ('fdiv', div_pairs)):
                    pairs = pl(fm)
                    if op == 'fsub':
                        pairs = pairs + [(a, fm.neg(b)) for a, b in pairs[:14]]
                    if rm == 'rne' and not dyn:
                        cross = [(a, b) for a in specials(fm) for b in specials(fm)]
                        pairs = pairs + [p for p in cross if p not in pairs]
                    spot = arith_spot(fm, op, rm)
                    g.table('%s.%s %s%s' % (op, sfx, rmtxt, tag),
                            '%s.%s {d}, {a}, {b}, %s' % (op, sfx, rmtxt), 'FF', 'F',
                            rows_of(with_spot(pairs, spot), fm, 2), pre, post,
                            alias='da' if (rm == 'rdn' and op == 'fmul') else None)
                g.table('fsqrt.%s %s%s' % (sfx, rmtxt, tag),
                        'fsqrt.%s {d}, {a}, %s' % (sfx, rmtxt), 'F', 'F',
                        rows_of(sqrt_vals(fm), fm, 1), pre, post,
                        alias='da' if rm == 'rup' else None)
                for op in ('fmadd', 'fmsub', 'fnmsub', 'fnmadd'):
                    g.table('%s.%s %s%s' % (op, sfx, rmtxt, tag),
                            '%s.%s {d}, {a}, {b}, {c}, %s' % (op, sfx, rmtxt), 'FFF', 'F',
                            rows_of(with_spot(fma_triples(fm), fma_spot(fm, op, rm)), fm, 3),
                            pre, post)
    return g


# ------------------------------------------------------------------ fp_cmp

def cmp_vals(fm):
    n = fm.neg
    return [fm.zero, fm.nzero, fm.one, n(fm.one), fm.two, fm.mins, n(fm.mins),
            fm.maxn, n(fm.maxn), fm.inf, fm.ninf, fm.qnanp, fm.nqnan, fm.snan,
            fm.nsnan]


def cmp_spot(fm, op):
    sp = {}
    if op == 'fmin':
        sp[(fm.nzero, fm.zero)] = (fm.nzero, 0)
        sp[(fm.zero, fm.nzero)] = (fm.nzero, 0)
        sp[(fm.qnanp, fm.one)] = (fm.one, 0)
        sp[(fm.one, fm.snan)] = (fm.one, NV)
        sp[(fm.qnanp, fm.nqnan)] = (fm.qnan, 0)
        sp[(fm.snan, fm.nsnan)] = (fm.qnan, NV)
    if op == 'fmax':
        sp[(fm.nzero, fm.zero)] = (fm.zero, 0)
        sp[(fm.zero, fm.nzero)] = (fm.zero, 0)
        sp[(fm.nqnan, fm.ninf)] = (fm.ninf, 0)
    if op == 'feq':
        sp[(fm.zero, fm.nzero)] = (1, 0)
        sp[(fm.qnanp, fm.qnanp)] = (0, 0)
        sp[(fm.qnanp, fm.one)] = (0, 0)
        sp[(fm.snan, fm.one)] = (0, NV)
    if op in ('flt', 'fle'):
        sp[(fm.qnanp, fm.one)] = (0, NV)
        sp[(fm.nzero, fm.zero)] = (int(op == 'fle'), 0)
        sp[(fm.ninf, fm.inf)] = (1, 0)
    if op == 'fsgnjx':
        sp[(fm.snan, fm.nsnan)] = (fm.neg(fm.snan), 0)   # no NV, payload kept
    return sp


FCLASS = {  # bit index per class
    'ninf': 0, 'nnorm': 1, 'nsub': 2, 'nzero': 3, 'zero': 4, 'sub': 5,
    'norm': 6, 'inf': 7, 'snan': 8, 'qnan': 9}


def gen_cmp(values):
    g = Prog('fp_cmp', 'F/D fmin/fmax (minimumNumber: -0 < +0, one NaN -> the other\n'
             ' * operand, two NaNs -> canonical NaN, sNaN -> NV), feq (NV only for\n'
             ' * sNaN) / flt / fle (NV for any NaN), fclass, fsgnj/fsgnjn/fsgnjx\n'
             ' * (no flags, NaN payloads kept); all pairs of 15 operands, rs1 = rs2\n'
             ' * and rd = rs1 forms.', values)
    for fm in FMTS:
        sfx = fm.sfx
        V = cmp_vals(fm)
        cross = [(a, b) for a in V for b in V]
        for op in ('fmin', 'fmax', 'fsgnj', 'fsgnjn', 'fsgnjx'):
            g.table('%s.%s' % (op, sfx), '%s.%s {d}, {a}, {b}' % (op, sfx), 'FF', 'F',
                    rows_of(with_spot(cross, cmp_spot(fm, op)), fm, 2))
        for op in ('feq', 'flt', 'fle'):
            rows = [((fm.box(a), fm.box(b)), cmp_spot(fm, op).get((a, b))) for a, b in cross]
            g.table('%s.%s' % (op, sfx), '%s.%s {d}, {a}, {b}' % (op, sfx), 'FF', 'X', rows)
        n = fm.neg
        cls = [(fm.ninf, 'ninf'), (n(fm.maxn), 'nnorm'), (n(fm.one), 'nnorm'),
               (n(fm.minn), 'nnorm'), (n(fm.maxs), 'nsub'), (n(fm.mins), 'nsub'),
               (fm.nzero, 'nzero'), (fm.zero, 'zero'), (fm.mins, 'sub'),
               (fm.maxs, 'sub'), (fm.minn, 'norm'), (fm.one, 'norm'), (fm.maxn, 'norm'),
               (fm.inf, 'inf'), (fm.snan, 'snan'), (fm.nsnan, 'snan'),
               (fm.expmask | 1, 'snan'), (fm.qnan, 'qnan'), (fm.qnanp, 'qnan'),
               (fm.nqnan, 'qnan'), (fm.expmask | ((1 << fm.M) - 1), 'qnan')]
        g.table('fclass.%s' % sfx, 'fclass.%s {d}, {a}' % sfx, 'F', 'X',
                [((fm.box(v),), (1 << FCLASS[c], 0)) for v, c in cls])
        same = [(v,) for v in V]
        for op in ('fmin', 'fmax', 'fsgnj', 'fsgnjn', 'fsgnjx'):
            g.table('%s.%s rs1 = rs2 (fmv/fneg/fabs)' % (op, sfx),
                    '%s.%s {d}, {a}, {a}' % (op, sfx), 'FF', 'F',
                    rows_of(same, fm, 1), alias='ab')
        for op in ('feq', 'flt', 'fle'):
            g.table('%s.%s rs1 = rs2' % (op, sfx), '%s.%s {d}, {a}, {a}' % (op, sfx),
                    'FF', 'X', [((fm.box(v),), None) for v in V], alias='ab')
        for op in ('fmax', 'fsgnjn'):
            g.table('%s.%s rd = rs1' % (op, sfx), '%s.%s {d}, {a}, {b}' % (op, sfx),
                    'FF', 'F', rows_of(cross[::4], fm, 2), alias='da')
    return g


# ------------------------------------------------------------------ fp_cvt

def cvt_float_vals(fm):
    n = fm.neg
    vals = [fm.zero, fm.nzero, fm.f(0.5), fm.f(-0.5), fm.f(1.5), fm.f(2.5),
            fm.f(-1.5), fm.f(-2.5), fm.one_minus, fm.one, n(fm.one), fm.f(-0.9),
            fm.mins, n(fm.mins), fm.maxn, n(fm.maxn), fm.inf, fm.ninf, fm.qnan,
            fm.qnanp, fm.nqnan, fm.snan, fm.nsnan, fm.f(123456.75), fm.f(-123456.75)]
    for k in (31, 32, 63, 64):
        p = fm.p2(k)
        vals += [p, p - 1, n(p), n(p) + 1, n(p - 1)]
    if fm is D:
        vals += [fm.f(x) for x in (2147483647.0, 2147483647.5, 2147483646.5,
                                   -2147483648.5, -2147483648.75, -2147483649.0,
                                   4294967295.0, 4294967295.5, 4294967294.5,
                                   -0.25, 9007199254740993.0 * 2)]
    out = []
    for v in vals:
        if v not in out:
            out.append(v)
    return out


INT_VALS = [0, 1, u64(-1), 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
            0x1000001, 0x1000003, u64(-0x1000001), 0x7fffffffffffffff,
            0x8000000000000000, u64(-1) - 1, 0x20000000000001, 0x20000000000003,
            0xdeadbeef00000003, 0x80000001, 0xffffffff80000000, 0x0123456789abcdef,
            0xfffffffffffff801, 0x7fffffc0, 0x7fffffbf, 0xffffff7f00000000]


def cvt_int_spot(fm, op, rm):
    sp = {}
    nan_res = {'w': 0x7fffffff, 'wu': u64(-1), 'l': 0x7fffffffffffffff, 'lu': u64(-1)}[op]
    for v in (fm.qnan, fm.qnanp, fm.nqnan, fm.snan, fm.nsnan, fm.inf):
        sp[(fm.box(v),)] = (nan_res, NV)
    ninf_res = {'w': u64(-0x80000000), 'wu': 0, 'l': 1 << 63, 'lu': 0}[op]
    sp[(fm.box(fm.ninf),)] = (ninf_res, NV)
    sp[(fm.box(fm.nzero),)] = (0, 0)
    if op == 'w':
        sp[(fm.box(fm.p2(31)),)] = (0x7fffffff, NV)
        sp[(fm.box(fm.neg(fm.p2(31))),)] = (u64(-0x80000000), 0)
    if op == 'wu':
        sp[(fm.box(fm.p2(31)),)] = (u64(-0x80000000), 0)      # sign-extended
        sp[(fm.box(fm.neg(fm.one)),)] = (0, NV)
        r = {'rne': 0, 'rtz': 0, 'rdn': None, 'rup': 0, 'rmm': None}[rm]
        if r is not None:
            sp[(fm.box(fm.f(-0.5)),)] = (0, NX)                # rounds to 0
    if op == 'l':
        sp[(fm.box(fm.p2(63)),)] = (0x7fffffffffffffff, NV)
        sp[(fm.box(fm.neg(fm.p2(63))),)] = (1 << 63, 0)
    if op == 'lu':
        sp[(fm.box(fm.p2(63)),)] = (1 << 63, 0)
        sp[(fm.box(fm.p2(64)),)] = (u64(-1), NV)
    r25 = {'rne': 2, 'rtz': 2, 'rdn': 2, 'rup': 3, 'rmm': 3}[rm]
    sp[(fm.box(fm.f(2.5)),)] = (r25, NX)
    if op in ('w', 'l'):
        rm25 = {'rne': -2, 'rtz': -2, 'rdn': -3, 'rup': -2, 'rmm': -3}[rm]
        sp[(fm.box(fm.f(-2.5)),)] = (u64(rm25), NX)
    return sp


def gen_cvt(values):
    g = Prog('fp_cvt', 'F/D conversions: fcvt.w/wu/l/lu.s/d (saturation, NV/NX on NaN,\n'
             ' * +-inf, out of range, -0.0, the 2^31/2^32/2^63/2^64 boundaries,\n'
             ' * sign-extended 32-bit results), fcvt.s/d.w/wu/l/lu (32-bit\n'
             ' * sources ignore the upper register half), fcvt.s.d / fcvt.d.s,\n'
             ' * in every static rounding mode; fmv.x.w / fmv.w.x / fmv.x.d /\n'
             ' * fmv.d.x (raw bits, sign extension, NaN boxing, no flags).', values)
    for fm in FMTS:
        rows = [(fm.box(v),) for v in cvt_float_vals(fm)]
        for op in ('w', 'wu', 'l', 'lu'):
            for rm in RMS:
                spot = cvt_int_spot(fm, op, rm)
                g.table('fcvt.%s.%s %s' % (op, fm.sfx, rm),
                        'fcvt.%s.%s {d}, {a}, %s' % (op, fm.sfx, rm), 'F', 'X',
                        [(r, spot.get(r)) for r in rows])
    for fm in FMTS:
        for op in ('w', 'wu', 'l', 'lu'):
            for rm in (RMS if fm is S or op in ('l', 'lu') else ['rne']):
                spot = {}
                if fm is S:
                    # 2^24 + 1 is a tie between 2^24 and 2^24 + 2
                    spot[(0x1000001,)] = ({'rne': 0x4b800000, 'rtz': 0x4b800000,
                                           'rdn': 0x4b800000, 'rup': 0x4b800001,
                                           'rmm': 0x4b800001}[rm] | BOX, NX)
                ins = 'fcvt.%s.%s {d}, {a}, %s' % (fm.sfx, op, rm)
                if fm is D and op in ('w', 'wu'):
                    ins = 'fcvt.%s.%s {d}, {a}' % (fm.sfx, op)   # exact: no rm
                g.table('fcvt.%s.%s %s' % (fm.sfx, op, rm), ins, 'X', 'F',
                        [((v,), spot.get((v,))) for v in INT_VALS])
    # fcvt.s.d
    dv = [D.one, D.third, D.one | (1 << 28), D.one | (1 << 28) | 1,
          D.one | (3 << 28), D.neg(D.one | (1 << 28)), D.maxn,
          0x47efffffe0000000, 0x47effffff0000000, 0x47effffff0000001, D.mins,
          D.p2(-149), D.p2(-150), D.p2(-150) | (1 << 51), D.p2(-127) | ((1 << 52) - (1 << 27)),
          D.zero, D.nzero, D.inf, D.ninf, D.qnanp, D.snan, D.nqnan, D.f(0.1),
          D.neg(D.p2(-150)), D.f(-1e300)]
    for rm in RMS:
        spot = {(D.qnanp,): (BOX | S.qnan, 0), (D.snan,): (BOX | S.qnan, NV),
                (D.p2(-149),): (BOX | 1, 0),
                (D.p2(-150),): (BOX | (1 if rm in ('rup', 'rmm') else 0), UF | NX),
                (0x47efffffe0000000,): (BOX | S.maxn, 0)}
        g.table('fcvt.s.d %s' % rm, 'fcvt.s.d {d}, {a}, %s' % rm, 'F', 'F',
                [((v,), spot.get((v,))) for v in dv])
    sv = [S.zero, S.nzero, S.one, S.third, S.mins, S.maxs, S.minn, S.maxn, S.inf,
          S.ninf, S.qnanp, S.snan, S.nsnan, S.nqnan, S.f(-0.1)]
    spot = {(BOX | S.qnanp,): (D.qnan, 0), (BOX | S.snan,): (D.qnan, NV),
            (BOX | S.mins,): (D.p2(-149), 0), (BOX | S.maxn,): (0x47efffffe0000000, 0)}
    g.table('fcvt.d.s', 'fcvt.d.s {d}, {a}', 'F', 'F',
            [((BOX | v,), spot.get((BOX | v,))) for v in sv])
    g.table('fcvt.d.s rd = rs1', 'fcvt.d.s {d}, {a}', 'F', 'F',
            [((BOX | v,), spot.get((BOX | v,))) for v in sv], alias='da')
    # moves
    fmvxw = [BOX | 0x80000000, BOX | S.snan, BOX | 0x3f800000, 0x123456789abcdef0,
             0x000000003f800000, 0x7fffffff, BOX | S.nqnan, 0]
    g.table('fmv.x.w (sign-extends the low word, boxing not checked)',
            'fmv.x.w {d}, {a}', 'F', 'X',
            [((v,), (u64(((v & 0xffffffff) ^ 0x80000000) - 0x80000000), 0)) for v in fmvxw])
    fmvwx = [0x3f800000, 0x80000000, 0xdeadbeef7f812345, u64(-1), 0, 0x7fc00000]
    g.table('fmv.w.x (low word, NaN-boxed)', 'fmv.w.x {d}, {a}', 'X', 'F',
            [((v,), (BOX | (v & 0xffffffff), 0)) for v in fmvwx])
    raw = [D.snan, D.nqnan, 0x0123456789abcdef, 0xffffffff7f800001, D.nzero, 1, u64(-1)]
    g.table('fmv.x.d (raw)', 'fmv.x.d {d}, {a}', 'F', 'X', [((v,), (v, 0)) for v in raw])
    g.table('fmv.d.x (raw)', 'fmv.d.x {d}, {a}', 'X', 'F', [((v,), (v, 0)) for v in raw])
    return g


# ------------------------------------------------------------------ fp_state
STATE_MACROS = r"""
/* a2 = mstatus.FS, a3 = mstatus.SD (bit 63) */
.macro READ_FS
        csrr    a0, mstatus
        srli    a2, a0, 13
        andi    a2, a2, 3
        srli    a3, a0, 63
.endm
/* mstatus.FS = fs (0..3) */
.macro SET_FS fs
        li      t0, FS_MASK
        csrc    mstatus, t0
        li      t0, (\fs) << 13
        csrs    mstatus, t0
.endm
.macro TRAPS_ON
        USE_RECORD_HANDLERS
.endm
.macro TRAPS_OFF
        la      t0, unexpected_trap
        csrw    mtvec, t0
        csrw    stvec, t0
.endm
/* f reg = 64-bit constant (clobbers a2) */
.macro FLI freg, val
        li      a2, \val
        fmv.d.x \freg, a2
.endm
/* a5/a6/a7 = mtrap count/cause/tval */
.macro READ_TRAP
        la      t5, mtrap
        ld      a5, TR_COUNT(t5)
        ld      a6, TR_CAUSE(t5)
        ld      a7, TR_TVAL(t5)
.endm
"""


def trap_case(g, insn, compressed=False, pre='', post=''):
    """insn must trap with an illegal instruction (cause 2, mtval = bits)
    and be skipped by mtrap_record."""
    lab = g.label()
    g.code(pre + """
        TRAP_RESET
        .balign 4
        .option push
        .option %s
%s:     %s
        .option pop
""" % ('rvc' if compressed else 'norvc', lab, insn) + post + """
        READ_TRAP
        la      t5, %s
        %s      s4, 0(t5)
""" % (lab, 'lhu' if compressed else 'lwu'))
    g.emit('        /* %s */' % insn.strip())
    g.obs('a5', 1)
    g.obs('a6', 2)
    bits = g.obs('s4')
    g.obs('a7', bits, 'mtval should be the instruction bits')


def mis_words(off):
    """buf = 32 zero bytes; fsd 0x8877665544332211 at off, fsw 0xa1b2c3d4 at
    20 + off: the doublewords at 0, 8, 16, 24 afterwards (little-endian)."""
    b = bytearray(32)
    b[off:off + 8] = (0x8877665544332211).to_bytes(8, 'little')
    b[20 + off:24 + off] = (0xa1b2c3d4).to_bytes(4, 'little')
    w = [int.from_bytes(b[i:i + 8], 'little') for i in range(0, 32, 8)]
    return (w[0], w[1], 20 + off, 20 + off, w[2], w[3])


def gen_state(values):
    g = Prog('fp_state', 'F/D architectural state: misa F/D; mstatus.FS (Off: every FP\n'
             ' * instruction and fflags/frm/fcsr access is illegal, nothing written;\n'
             ' * Initial/Clean -> Dirty on FP register / fcsr writes; SD = (FS ==\n'
             ' * Dirty)); fflags/frm/fcsr with csrrw/csrrs/csrrc (+ immediate forms)\n'
             ' * and the 5/3/8-bit masks; flag accrual; dynamic rounding via frm;\n'
             ' * reserved rounding modes (rm = 5, 6; rm = dyn with frm = 5..7) are\n'
             ' * illegal; NaN boxing of inputs (improperly boxed = canonical NaN) and\n'
             ' * results; canonical NaN production; flw/fsw/fld/fsd and c.fld/c.fsd/\n'
             ' * c.fldsp/c.fsdsp incl. misaligned and page-crossing accesses (performed,\n'
             ' * as on QEMU 7.2).', values)
    g.emit(STATE_MACROS)
    g.data.append('        .data')
    g.data.append('        .balign 64')
    g.data.append('buf:    .fill 64, 1, 0')
    g.data.append('        .balign 4096')
    g.data.append('page0:  .fill 4096, 1, 0')
    g.data.append('page1:  .fill 64, 1, 0')
    P = POISON

    # ---------------------------------------------------------------- misa
    g.test('misa has F (bit 5) and D (bit 3)')
    g.code("""
        csrr    a0, misa
        andi    a0, a0, 0x28
        @obs a0 0x28
""")
    # ---------------------------------------------------------- FS and SD
    g.test('mstatus.FS written directly; SD = (FS == Dirty); sstatus view')
    for fs in (0, 1, 2, 3):
        g.code("""
        SET_FS  %d
        READ_FS
        @obs a2 %d
        @obs a3 %d
""" % (fs, fs, int(fs == 3)))
    g.code("""
        csrr    a0, sstatus
        srli    a2, a0, 13
        andi    a2, a2, 3
        srli    a3, a0, 63
        @obs a2 3
        @obs a3 1
        li      t0, FS_MASK
        csrc    sstatus, t0
        READ_FS
        @obs a2 0
        @obs a3 0
        li      t0, FS_CLEAN
        csrs    sstatus, t0
        READ_FS
        @obs a2 2
        @obs a3 0
        SET_FS  3
""")
    g.test('FS = Initial / Clean become Dirty (and SD = 1) after an FP register or fcsr write')
    writers = [
        'fmv.w.x f1, a4', 'fmv.d.x f2, a4', 'fadd.d f3, f1, f2', 'fdiv.s f3, f1, f2',
        'fmadd.s f4, f1, f2, f3', 'fsgnjn.d f5, f1, f1', 'fcvt.s.w f6, a4',
        'fcvt.d.s f7, f1', 'fmin.d f8, f1, f2', 'flw f9, 0(s0)', 'fld f10, 8(s0)',
        'c.fld f11, 16(s0)', 'csrw fflags, a4', 'csrw frm, zero', 'csrw fcsr, zero',
        'csrrwi zero, fflags, 1', 'csrrsi zero, fcsr, 4']
    g.code("""
        la      s0, buf
        li      a4, 1
""")
    for fs in (1, 2):
        for w in writers:
            g.emit('        /* FS = %d: %s */' % (fs, w))
            g.code("""
        SET_FS  %d
        %s
        READ_FS
        @obs a2 3
        @obs a3 1
""" % (fs, w))
    g.code("""
        SET_FS  3
        csrwi   fcsr, 0
""")
    # ----------------------------------------------------------- FS = Off
    g.test('FS = Off: FP computational instructions are illegal, write nothing')
    g.code("""
        FLI     f1, 0x3ff0000000000000
        FLI     f2, 0x4000000000000000
        FLI     f3, 0xffffffff3f800000
        FLI     f4, 0xffffffff40000000
        FLI     f5, 0x%x
        la      s0, buf
        li      s2, 0x%x
        SET_FS  0
        TRAPS_ON
""" % (P, P))
    comp = ['fadd.s f5, f3, f4', 'fadd.d f5, f1, f2', 'fmadd.d f5, f1, f2, f1',
            'fsqrt.s f5, f3', 'fsgnj.d f5, f1, f2', 'fmin.s f5, f3, f4',
            'fcvt.s.d f5, f1', 'fcvt.d.s f5, f3', 'fcvt.s.w f5, s2', 'fmv.w.x f5, s2',
            'fmv.d.x f5, s2', 'feq.d s2, f1, f1', 'fclass.s s2, f3', 'fcvt.w.s s2, f3',
            'fcvt.lu.d s2, f1, rtz', 'fmv.x.w s2, f3', 'fmv.x.d s2, f1']
    for insn in comp:
        trap_case(g, insn)
        g.obs('s2', P, 'rd not written')
    g.code("""
        READ_FS
        @obs a2 0
        TRAPS_OFF
        SET_FS  3
        fmv.x.d a0, f5
        @obs a0 0x%x
        csrr    a0, fflags
        @obs a0 0
""" % P)
    g.test('FS = Off: FP loads / stores (also compressed) and fflags/frm/fcsr accesses are illegal')
    g.code("""
        la      s0, buf
        li      a0, 0x1122334455667788
        sd      a0, 0(s0)
        sd      a0, 8(s0)
        FLI     f8, 0x0123456789abcdef
        FLI     f9, 0x%x
        csrwi   fcsr, 0x1f
        li      s2, 0x%x
        SET_FS  0
        TRAPS_ON
""" % (P, P))
    ls = [('flw f9, 0(s0)', False), ('fld f9, 0(s0)', False), ('fsw f8, 0(s0)', False),
          ('fsd f8, 8(s0)', False), ('c.fld f9, 0(s0)', True), ('c.fsd f8, 8(s0)', True)]
    for insn, c in ls:
        trap_case(g, insn, c)
    trap_case(g, 'c.fldsp f9, 0(sp)', True, pre='        mv      s11, sp\n        mv      sp, s0',
              post='        mv      sp, s11')
    trap_case(g, 'c.fsdsp f8, 8(sp)', True, pre='        mv      s11, sp\n        mv      sp, s0',
              post='        mv      sp, s11')
    for insn in ('csrr s2, fflags', 'csrr s2, frm', 'csrr s2, fcsr', 'csrrw s2, fcsr, zero',
                 'csrrs s2, fflags, zero', 'csrrwi s2, frm, 1', 'csrrci s2, fflags, 1'):
        trap_case(g, insn)
        g.obs('s2', P, 'rd not written')
    for insn in ('csrw fflags, zero', 'csrwi frm, 3', 'csrs fcsr, s0', 'csrci fcsr, 31'):
        trap_case(g, insn)
    g.code("""
        READ_FS
        @obs a2 0
        TRAPS_OFF
        SET_FS  3
        fmv.x.d a0, f9
        @obs a0 0x%x
        csrr    a0, fcsr
        @obs a0 0x1f
        ld      a0, 0(s0)
        @obs a0 0x1122334455667788
        ld      a0, 8(s0)
        @obs a0 0x1122334455667788
        csrwi   fcsr, 0
""" % P)
    # -------------------------------------------------------------- CSRs
    g.test('fflags / frm / fcsr: csrrw/csrrs/csrrc and immediate forms, 5/3/8-bit fields')
    g.code("""
        li      a4, -1
        csrw    fcsr, a4
        csrr    a0, fcsr
        @obs a0 0xff
        csrr    a0, fflags
        @obs a0 0x1f
        csrr    a0, frm
        @obs a0 7
        li      a4, 0x12345
        csrrw   a0, fcsr, a4
        @obs a0 0xff
        csrr    a0, fcsr
        @obs a0 0x45
        csrr    a0, frm
        @obs a0 2
        csrr    a0, fflags
        @obs a0 5
        li      a4, -1
        csrrw   a0, fflags, a4
        @obs a0 5
        csrr    a0, fcsr
        @obs a0 0x5f
        csrrw   a0, frm, a4
        @obs a0 2
        csrr    a0, fcsr
        @obs a0 0xff
        li      a4, 3
        csrrc   a0, fflags, a4
        @obs a0 0x1f
        csrr    a0, fcsr
        @obs a0 0xfc
        li      a4, 0x5
        csrrc   a0, frm, a4
        @obs a0 7
        csrr    a0, fcsr
        @obs a0 0x5c
        li      a4, 0x300
        csrrs   a0, fcsr, a4
        @obs a0 0x5c
        csrr    a0, fcsr
        @obs a0 0x5c
        csrrci  a0, fflags, 0x1c
        @obs a0 0x1c
        csrr    a0, fcsr
        @obs a0 0x40
        csrrsi  a0, fflags, 0x1f
        @obs a0 0
        csrrwi  a0, frm, 5
        @obs a0 2
        csrr    a0, fcsr
        @obs a0 0xbf
        csrrci  a0, frm, 4
        @obs a0 5
        csrrsi  a0, fcsr, 0x10
        @obs a0 0x3f
        csrrwi  a0, fcsr, 0
        @obs a0 0x3f
        csrr    a0, fcsr
        @obs a0 0
        csrrwi  a0, fflags, 0x1f
        csrr    a0, frm
        @obs a0 0
        csrwi   fcsr, 0
""")
    g.test('fflags accrue (NV DZ OF UF NX = 0x10 0x08 0x04 0x02 0x01); frm untouched')
    g.code("""
        csrwi   frm, 3
        FLI     f1, 0xffffffff3f800000
        FLI     f2, 0xffffffff00000000
        fdiv.s  f3, f1, f2, rne
        csrr    a0, fcsr
        @obs a0 0x68
        FLI     f2, 0xffffffff33800000
        fadd.s  f3, f1, f2, rne
        csrr    a0, fflags
        @obs a0 0x09
        FLI     f2, 0xffffffff7f800001
        fmul.s  f3, f1, f2, rne
        csrr    a0, fflags
        @obs a0 0x19
        FLI     f1, 0x7fefffffffffffff
        fadd.d  f3, f1, f1, rne
        csrr    a0, fflags
        @obs a0 0x1d
        FLI     f1, 0x0000000000000001
        FLI     f2, 0x3fe0000000000000
        fmul.d  f3, f1, f2, rne
        csrr    a0, fcsr
        @obs a0 0x7f
        csrw    fflags, zero
        FLI     f2, 0x7ff0000000000001
        fsgnj.d f3, f2, f2
        fmv.x.d a0, f3
        fsgnjx.d f3, f2, f1
        fmv.d.x f3, a0
        fcvt.d.w f3, a0
        fld     f3, 0(sp)
        csrr    a0, fcsr
        @obs a0 0x60
        csrwi   fcsr, 0
""")
    g.test('rm = dyn follows frm; static rm ignores frm (even frm = 5..7)')
    # 1/3 single and double, and fcvt.w.d of -2.5
    third_s = {'rne': 0x3eaaaaab, 'rtz': 0x3eaaaaaa, 'rdn': 0x3eaaaaaa, 'rup': 0x3eaaaaab, 'rmm': 0x3eaaaaab}
    third_d = {'rne': 0x3fd5555555555555, 'rtz': 0x3fd5555555555555, 'rdn': 0x3fd5555555555555,
               'rup': 0x3fd5555555555556, 'rmm': 0x3fd5555555555555}
    m25 = {'rne': -2, 'rtz': -2, 'rdn': -3, 'rup': -2, 'rmm': -3}
    g.code("""
        FLI     f1, 0xffffffff3f800000
        FLI     f2, 0xffffffff40400000
        FLI     f3, 0x3ff0000000000000
        FLI     f4, 0x4008000000000000
        FLI     f5, 0xc004000000000000
""")
    for i, rm in enumerate(RMS):
        mirror = {'rdn': 'rup', 'rup': 'rdn'}.get(rm, rm)
        g.emit('        /* frm = %s */' % rm)
        g.code("""
        csrwi   frm, %d
        fdiv.s  f6, f1, f2, dyn
        fmv.x.d a0, f6
        @obs a0 0x%x
        fdiv.d  f6, f3, f4
        fmv.x.d a0, f6
        @obs a0 0x%x
        fneg.d  f7, f3
        fdiv.d  f6, f7, f4, dyn
        fmv.x.d a0, f6
        @obs a0 0x%x
        fcvt.w.d a0, f5, dyn
        @obs a0 0x%x
        fcvt.w.d a0, f5, rne
        @obs a0 0x%x
        fdiv.s  f6, f1, f2, rtz
        fmv.x.d a0, f6
        @obs a0 0x%x
""" % (i, BOX | third_s[rm], third_d[rm], u64(third_d[mirror] | (1 << 63)),
       u64(m25[rm]), u64(-2), BOX | 0x3eaaaaaa))
    for frm in (5, 6, 7):
        g.code("""
        csrwi   frm, %d
        fdiv.s  f6, f1, f2, rup
        fmv.x.d a0, f6
        @obs a0 0x%x
        fcvt.w.d a0, f5, rdn
        @obs a0 0x%x
        csrr    a0, fcsr
        @obs a0 0x%x
""" % (frm, BOX | 0x3eaaaaab, u64(-3), (frm << 5) | NX))
    g.code("""
        csrwi   fcsr, 0
""")
    g.test('reserved rounding modes: static rm = 5 / 6 is an illegal instruction (rd, fflags unchanged)')
    g.code("""
        FLI     f1, 0x3ff0000000000000
        FLI     f2, 0x4008000000000000
        FLI     f3, 0xffffffff3f800000
        FLI     f4, 0xffffffff40400000
        FLI     f9, 0x%x
        li      s2, 0x%x
        li      a4, 7
        TRAPS_ON
""" % (P, P))
    resv = []
    for rm in (5, 6):
        resv += [
            '.insn r 0x53, %d, 0x00, f9, f3, f4' % rm,      # fadd.s
            '.insn r 0x53, %d, 0x09, f9, f1, f2' % rm,      # fmul.d
            '.insn r 0x53, %d, 0x0d, f9, f1, f2' % rm,      # fdiv.d
            '.insn r 0x53, %d, 0x2d, f9, f1, f0' % rm,      # fsqrt.d
            '.insn r4 0x43, %d, 0, f9, f3, f4, f3' % rm,   # fmadd.s
            '.insn r4 0x4f, %d, 1, f9, f1, f2, f1' % rm,   # fnmadd.d
            '.insn r 0x53, %d, 0x20, f9, f1, f1' % rm,      # fcvt.s.d
            '.insn r 0x53, %d, 0x68, f9, a4, x0' % rm,      # fcvt.s.w
            '.insn r 0x53, %d, 0x69, f9, a4, f3' % rm,      # fcvt.d.lu
        ]
    for insn in resv:
        trap_case(g, insn)
    for rm in (5, 6):
        for insn in ('.insn r 0x53, %d, 0x60, s2, f3, x0' % rm,    # fcvt.w.s
                     '.insn r 0x53, %d, 0x61, s2, f1, f3' % rm):  # fcvt.lu.d
            trap_case(g, insn)
            g.obs('s2', P, 'rd not written')
    g.code("""
        TRAPS_OFF
        fmv.x.d a0, f9
        @obs a0 0x%x
        csrr    a0, fflags
        @obs a0 0
""" % P)
    g.test('reserved rounding modes: rm = dyn with frm = 5, 6, 7 is an illegal instruction')
    g.code("""
        FLI     f1, 0x3ff0000000000000
        FLI     f2, 0x4008000000000000
        FLI     f3, 0xffffffff3f800000
        FLI     f4, 0xffffffff40400000
        FLI     f9, 0x%x
        li      s2, 0x%x
        li      a4, 7
        TRAPS_ON
""" % (P, P))
    for frm in (5, 6, 7):
        g.code('        csrwi   frm, %d' % frm)
        for insn in ('fadd.s f9, f3, f4, dyn', 'fdiv.d f9, f1, f2, dyn',
                     'fsqrt.s f9, f3, dyn', 'fmsub.d f9, f1, f2, f1, dyn',
                     'fcvt.s.d f9, f1, dyn', 'fcvt.s.l f9, a4, dyn'):
            trap_case(g, insn)
        trap_case(g, 'fcvt.wu.d s2, f1, dyn')
        g.obs('s2', P, 'rd not written')
    g.code("""
        TRAPS_OFF
        csrr    a0, fcsr
        @obs a0 0xe0
        csrwi   fcsr, 0
        fmv.x.d a0, f9
        @obs a0 0x%x
""" % P)
    # ---------------------------------------------------------- NaN boxing
    g.test('NaN boxing: an improperly boxed single operand reads as the canonical NaN')
    unboxed = [0x000000003f800000, 0xfffffffe3f800000, 0x7fffffff3f800000, 0x3ff0000000000000]
    for ub in unboxed:
        g.emit('        /* operand 0x%x */' % ub)
        g.code("""
        FLI     f1, 0x%x
        FLI     f2, 0xffffffff40000000
        csrrw   t0, fflags, zero
        fadd.s  f3, f1, f2
        fmv.x.d a0, f3
        @obs a0 0xffffffff7fc00000
        fmul.s  f3, f2, f1
        fmv.x.d a0, f3
        @obs a0 0xffffffff7fc00000
        fmadd.s f3, f2, f2, f1
        fmv.x.d a0, f3
        @obs a0 0xffffffff7fc00000
        fsqrt.s f3, f1
        fmv.x.d a0, f3
        @obs a0 0xffffffff7fc00000
        csrrw   a0, fflags, zero
        @obs a0 0
        fsgnj.s f3, f1, f2
        fmv.x.d a0, f3
        @obs a0 0xffffffff7fc00000
        fsgnjn.s f3, f1, f2
        fmv.x.d a0, f3
        @obs a0 0xffffffffffc00000
        fsgnj.s f3, f2, f1
        fmv.x.d a0, f3
        @obs a0 0xffffffff40000000
        fsgnjx.s f3, f2, f1
        fmv.x.d a0, f3
        @obs a0 0xffffffff40000000
        fmin.s  f3, f1, f2
        fmv.x.d a0, f3
        @obs a0 0xffffffff40000000
        fmax.s  f3, f1, f1
        fmv.x.d a0, f3
        @obs a0 0xffffffff7fc00000
        fclass.s a0, f1
        @obs a0 0x200
        feq.s   a0, f1, f1
        @obs a0 0
        csrrw   a0, fflags, zero
        @obs a0 0
        flt.s   a0, f1, f2
        @obs a0 0
        csrrw   a0, fflags, zero
        @obs a0 0x10
        fcvt.d.s f3, f1
        fmv.x.d a0, f3
        @obs a0 0x7ff8000000000000
        fcvt.w.s a0, f1, rtz
        @obs a0 0x7fffffff
        csrrw   a0, fflags, zero
        @obs a0 0x10
        fmv.x.w a0, f1
        @obs a0 0x%x
        la      s0, buf
        li      a0, -1
        sd      a0, 0(s0)
        fsw     f1, 0(s0)
        ld      a0, 0(s0)
        @obs a0 0x%x
""" % (ub, u64(((ub & 0xffffffff) ^ 0x80000000) - 0x80000000), 0xffffffff00000000 | (ub & 0xffffffff)))
    g.test('NaN boxing of results: single-precision writes set bits 63:32')
    g.code("""
        la      s0, buf
        li      a0, 0x1234567840490fdb
        sd      a0, 0(s0)
        flw     f1, 0(s0)
        fmv.x.d a0, f1
        @obs a0 0xffffffff40490fdb
        flw     f1, 4(s0)
        fmv.x.d a0, f1
        @obs a0 0xffffffff12345678
        fld     f1, 0(s0)
        fmv.x.d a0, f1
        @obs a0 0x1234567840490fdb
        li      a0, 0x0123456789abcdef
        fmv.w.x f2, a0
        fmv.x.d a0, f2
        @obs a0 0xffffffff89abcdef
        FLI     f3, 0x400921fb54442d18
        fcvt.s.d f2, f3
        fmv.x.d a0, f2
        @obs a0 0xffffffff40490fdb
        li      a0, -7
        fcvt.s.l f2, a0
        fmv.x.d a0, f2
        @obs a0 0xffffffffc0e00000
        FLI     f4, 0xffffffff7f800001
        csrrw   t0, fflags, zero
        fsgnjn.s f2, f4, f4
        fmv.x.d a0, f2
        @obs a0 0xffffffffff800001
        csrrw   a0, fflags, zero
        @obs a0 0
        fmv.s   f5, f4
        fmv.x.d a0, f5
        @obs a0 0xffffffff7f800001
""")
    g.test('canonical NaN: 0x7fc00000 (boxed) / 0x7ff8000000000000 for invalid operations and NaN operands')
    canon = [
        ('fdiv.s f3, f1, f1', 'FLI f1, 0xffffffff00000000', 0xffffffff7fc00000, NV),
        ('fsub.s f3, f1, f1', 'FLI f1, 0xffffffff7f800000', 0xffffffff7fc00000, NV),
        ('fsqrt.s f3, f1', 'FLI f1, 0xffffffffbf800000', 0xffffffff7fc00000, NV),
        ('fmul.s f3, f1, f2', 'FLI f1, 0xffffffff00000000\n        FLI f2, 0xffffffffff800000', 0xffffffff7fc00000, NV),
        ('fadd.s f3, f1, f2', 'FLI f1, 0xffffffffffc12345\n        FLI f2, 0xffffffff3f800000', 0xffffffff7fc00000, 0),
        ('fadd.s f3, f2, f1', 'FLI f1, 0xffffffff7f812345\n        FLI f2, 0xffffffff3f800000', 0xffffffff7fc00000, NV),
        ('fdiv.d f3, f1, f1', 'FLI f1, 0x8000000000000000', 0x7ff8000000000000, NV),
        ('fsub.d f3, f1, f1', 'FLI f1, 0xfff0000000000000', 0x7ff8000000000000, NV),
        ('fsqrt.d f3, f1', 'FLI f1, 0x8000000000000001', 0x7ff8000000000000, NV),
        ('fmadd.d f3, f1, f2, f2', 'FLI f1, 0x7ff0000000000000\n        FLI f2, 0', 0x7ff8000000000000, NV),
        ('fmul.d f3, f1, f2', 'FLI f1, 0xfff8000000012345\n        FLI f2, 0x3ff0000000000000', 0x7ff8000000000000, 0),
        ('fnmsub.d f3, f2, f2, f1', 'FLI f1, 0xfff0000000000001\n        FLI f2, 0x3ff0000000000000', 0x7ff8000000000000, NV),
        ('fcvt.d.s f3, f1', 'FLI f1, 0xffffffffff812345', 0x7ff8000000000000, NV),
        ('fcvt.s.d f3, f1', 'FLI f1, 0xfff8000000012345', 0xffffffff7fc00000, 0),
        ('fmax.d f3, f1, f2', 'FLI f1, 0xfff8000000000001\n        FLI f2, 0x7ff0000000000001', 0x7ff8000000000000, NV),
        ('fmin.s f3, f1, f2', 'FLI f1, 0xffffffffffc00001\n        FLI f2, 0xffffffff7fc00002', 0xffffffff7fc00000, 0),
    ]
    for insn, setup, bits, fl in canon:
        g.emit('        /* %s */' % insn)
        g.code("""
        %s
        csrrw   t0, fflags, zero
        %s
        csrrw   a1, fflags, zero
        fmv.x.d a0, f3
        @obs a0 0x%x
        @obs a1 0x%x
""" % (setup, insn, bits, fl))
    # -------------------------------------------------------- loads/stores
    g.test('flw/fsw/fld/fsd: offsets, neighbouring bytes untouched, raw bits (sNaN kept, no flags)')
    g.code("""
        la      s0, buf
        li      a0, 0x1111111111111111
        sd      a0, 0(s0)
        sd      a0, 8(s0)
        sd      a0, 16(s0)
        sd      a0, 24(s0)
        FLI     f1, 0x7ff0000000000001
        FLI     f2, 0xffffffff7f800001
        addi    s2, s0, 16
        csrrw   t0, fflags, zero
        fsd     f1, -8(s2)
        fsw     f2, 4(s2)
        fsw     f1, 24(s0)
        ld      a0, 0(s0)
        @obs a0 0x1111111111111111
        ld      a0, 8(s0)
        @obs a0 0x7ff0000000000001
        ld      a0, 16(s0)
        @obs a0 0x7f80000111111111
        ld      a0, 24(s0)
        @obs a0 0x1111111100000001
        fld     f3, 8(s0)
        fmv.x.d a0, f3
        @obs a0 0x7ff0000000000001
        flw     f4, 4(s2)
        fmv.x.d a0, f4
        @obs a0 0xffffffff7f800001
        flw     f4, -4(s2)
        fmv.x.d a0, f4
        @obs a0 0xffffffff7ff00000
        csrr    a0, fflags
        @obs a0 0
        li      a0, 0x0123456789abcdef
        sd      a0, 32(s0)
        fld     f5, 32(s0)
        fsd     f5, 40(s0)
        ld      a0, 40(s0)
        @obs a0 0x0123456789abcdef
""")
    g.test('misaligned flw/fsw/fld/fsd are performed (QEMU 7.2), incl. across 8-byte and page boundaries')
    for off in (1, 2, 3, 4, 5, 6, 7):
        g.code("""
        la      s0, buf
        sd      zero, 0(s0)
        sd      zero, 8(s0)
        sd      zero, 16(s0)
        sd      zero, 24(s0)
        FLI     f1, 0x8877665544332211
        fsd     f1, %d(s0)
        fld     f2, %d(s0)
        fmv.x.d a0, f2
        @obs a0 0x8877665544332211
        ld      a0, 0(s0)
        @obs a0 0x%x
        ld      a0, 8(s0)
        @obs a0 0x%x
        FLI     f3, 0xffffffffa1b2c3d4
        fsw     f3, %d(s0)
        flw     f4, %d(s0)
        fmv.x.d a0, f4
        @obs a0 0xffffffffa1b2c3d4
        ld      a0, 16(s0)
        @obs a0 0x%x
        ld      a0, 24(s0)
        @obs a0 0x%x
""" % ((off, off) + mis_words(off)))
    g.code("""
        la      s0, page1
        li      a0, 0x0807060504030201
        sd      a0, 0(s0)
        li      a0, 0x100f0e0d0c0b0a09
        sd      a0, -8(s0)
        fld     f1, -3(s0)
        fmv.x.d a0, f1
        @obs a0 0x0504030201100f0e
        flw     f2, -2(s0)
        fmv.x.d a0, f2
        @obs a0 0xffffffff0201100f
        FLI     f3, 0xa0a1a2a3a4a5a6a7
        fsd     f3, -5(s0)
        ld      a0, -8(s0)
        @obs a0 0xa3a4a5a6a70b0a09
        ld      a0, 0(s0)
        @obs a0 0x0807060504a0a1a2
""")
    g.test('c.fld / c.fsd / c.fldsp / c.fsdsp: offsets, misaligned base')
    g.code("""
        la      s0, buf
        li      a0, 0x1111111111111111
        sd      a0, 0(s0)
        sd      a0, 8(s0)
        sd      a0, 16(s0)
        sd      a0, 24(s0)
        FLI     f8, 0x7ff0000000000001
        FLI     f15, 0xfedcba9876543210
        c.fsd   f8, 8(s0)
        c.fsd   f15, 24(s0)
        ld      a0, 8(s0)
        @obs a0 0x7ff0000000000001
        ld      a0, 16(s0)
        @obs a0 0x1111111111111111
        c.fld   f9, 24(s0)
        fmv.x.d a0, f9
        @obs a0 0xfedcba9876543210
        addi    a5, s0, 3
        c.fsd   f15, 0(a5)
        c.fld   f10, 0(a5)
        fmv.x.d a0, f10
        @obs a0 0xfedcba9876543210
        ld      a0, 0(s0)
        @obs a0 0x9876543210111111
        addi    a5, s0, -224
        c.fld   f11, 248(a5)
        fmv.x.d a0, f11
        @obs a0 0xfedcba9876543210
        mv      s11, sp
        addi    sp, s0, -472
        c.fsdsp f8, 480(sp)
        c.fldsp f1, 496(sp)
        mv      sp, s11
        ld      a0, 8(s0)
        @obs a0 0x7ff0000000000001
        fmv.x.d a0, f1
        @obs a0 0xfedcba9876543210
        addi    sp, s0, 5
        c.fsdsp f15, 0(sp)
        c.fldsp f31, 8(sp)
        c.fldsp f30, 0(sp)
        mv      sp, s11
        fmv.x.d a0, f30
        @obs a0 0xfedcba9876543210
        fmv.x.d a0, f31
        @obs a0 0x11111111117ff000
        ld      a0, 0(s0)
        @obs a0 0x5432103210111111
        csrr    a0, fflags
        @obs a0 0
""")
    return g


# ------------------------------------------------------------------ driver
GCC = os.environ.get('CROSS', 'riscv64-unknown-elf-') + 'gcc'
QEMU = 'qemu-system-riscv64'


def build_and_run(src_text, workdir, name):
    s = os.path.join(workdir, name + '_dump.S')
    elf = os.path.join(workdir, name + '_dump.elf')
    with open(s, 'w') as f:
        f.write(src_text)
    subprocess.run([GCC, '-march=rv64imac_zicsr_zifencei', '-mabi=lp64',
                    '-mcmodel=medany', '-nostdlib', '-static',
                    '-I' + os.path.join(GUEST, 'common'),
                    '-Wl,--no-warn-rwx-segments',
                    '-Wl,-T,' + os.path.join(GUEST, 'common', 'link.ld'),
                    os.path.join(GUEST, 'common', 'asm_rt.S'), s, '-o', elf], check=True)
    p = subprocess.run([QEMU, '-M', 'virt', '-bios', 'none', '-kernel', elf,
                        '-nographic', '-m', '128M'], stdout=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=120)
    out = p.stdout.decode('latin-1')
    with open(os.path.join(workdir, name + '_dump.txt'), 'w') as f:
        f.write(out)
    if p.returncode != 0 or not out.endswith('DONE\n'):
        raise SystemExit('%s dump failed (exit %d):\n%s' % (name, p.returncode, out[-2000:]))
    return out


def parse(out):
    vals = []
    for line in out.split('\n'):
        if re.fullmatch(r'0x[0-9a-f]{16}', line):
            vals.append(int(line, 16))
        elif line not in ('', 'DONE'):
            raise SystemExit('unexpected dump line: %r' % line)
    return vals


def main():
    args = sys.argv[1:]
    mode, d, only = 'full', None, None
    while args:
        a = args.pop(0)
        if a in ('--dump', '--from'):
            mode, d = a[2:], args.pop(0)
        elif a == '--only':
            only = args.pop(0)
        else:
            raise SystemExit(__doc__)
    gens = {'fp_arith': gen_arith, 'fp_cmp': gen_cmp, 'fp_cvt': gen_cvt,
            'fp_state': gen_state}
    tmp = None
    if mode == 'full':
        tmp = tempfile.TemporaryDirectory()
        d = tmp.name
    if mode in ('dump', 'full'):
        os.makedirs(d, exist_ok=True)
    all_dev = []
    for name in ('fp_arith', 'fp_cmp', 'fp_cvt', 'fp_state'):
        if only and name != only:
            continue
        gen = gens[name]
        if mode in ('dump', 'full'):
            out = build_and_run(gen(None).source(), d, name)
        else:
            with open(os.path.join(d, name + '_dump.txt')) as f:
                out = f.read()
        if mode == 'dump':
            print('%s: %d values dumped to %s' % (name, len(parse(out)), d))
            continue
        g = gen(parse(out))
        g.finish_check()
        with open(os.path.join(GUEST, 'src', name + '.S'), 'w') as f:
            f.write(g.source())
        print('%s: %d TESTs, %d table rows' % (name, g.n, g.rows))
        all_dev += g.deviations
    for dv in all_dev:
        print('QEMU 7.2 deviation (not checked): ' + dv)


if __name__ == '__main__':
    main()

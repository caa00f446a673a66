/* bench_bytecode - a bytecode interpreter: a 16-register VM with 32-bit
 * instructions (opcode, three register fields or a 16-bit immediate) and
 * a 64 KiB data memory, dispatched by a switch in a loop (gcc emits a
 * bounds check and a jump table: one indirect jump per VM instruction).
 * The VM program runs a sieve of Eratosthenes below 8192 and then a
 * xorshift hash over the sieve, BYTECODE_ROUNDS times; the host side
 * checks the prime count and folds the VM's registers and the number of
 * VM instructions executed into the checksum.  vm_run is kept out of line,
 * as an interpreter that does not know its program.  15M VM instructions
 * at ~33 guest instructions each (decode, dispatch, register file in
 * memory): ~0.5G guest instructions per run. */
#include "cbench.h"

#define BYTECODE_ROUNDS 64
#define VM_MEM 8192 /* 64-bit words */

enum op {
  HALT, /* stop */
  LI,   /* ra = imm (sign-extended) */
  ADDI, /* ra += imm (sign-extended) */
  ADD,  /* ra = rb + rc */
  SUB,  /* ra = rb - rc */
  MUL,  /* ra = rb * rc */
  XOR,  /* ra = rb ^ rc */
  AND,  /* ra = rb & rc */
  SHL,  /* ra = rb << (rc & 63) */
  SHR,  /* ra = rb >> (rc & 63) */
  LT,   /* ra = rb < rc (unsigned) */
  LD,   /* ra = mem[rb % VM_MEM] */
  ST,   /* mem[rb % VM_MEM] = ra */
  JMP,  /* pc = imm */
  JNZ,  /* if ra != 0: pc = imm */
  JZ,   /* if ra == 0: pc = imm */
};

#define R3(op, a, b, c) ((uint32_t)(op) | (uint32_t)(a) << 8 | (uint32_t)(b) << 16 | (uint32_t)(c) << 24)
#define RI(op, a, imm) ((uint32_t)(op) | (uint32_t)(a) << 8 | (uint32_t)(uint16_t)(imm) << 16)

/* registers: r0 = 0, r1 = VM_MEM, r2 = i, r3 = primes found, r4 = flag,
 * r5 = one, r6 = mem[i], r7 = j, r8 = hash, r9 = shift 13, r10 = shift 7,
 * r11 = shift 17, r12 = tmp, r13 = multiplier 31, r15 = rounds left */
enum label { L_ROUND = 6, L_CLEAR = 8, L_SIEVE = 14, L_MARK = 21, L_NEXT = 25, L_HASH = 29 };
static const uint32_t program[] = {
    /* 0 */ RI(LI, 0, 0),
    /* 1 */ RI(LI, 1, VM_MEM),
    /* 2 */ RI(LI, 5, 1),
    /* 3 */ RI(LI, 9, 13),
    /* 4 */ RI(LI, 10, 7),
    /* 5 */ RI(LI, 11, 17),
    /* L_ROUND: clear the sieve, i = 0 .. VM_MEM */
    /* 6 */ RI(LI, 2, 0),
    /* 7 */ RI(LI, 13, 31),
    /* L_CLEAR */
    /* 8 */ R3(ST, 0, 2, 0),
    /* 9 */ RI(ADDI, 2, 1),
    /* 10 */ R3(LT, 4, 2, 1),
    /* 11 */ RI(JNZ, 4, L_CLEAR),
    /* 12 */ RI(LI, 2, 2),
    /* 13 */ RI(LI, 3, 0),
    /* L_SIEVE: for i in 2..VM_MEM: if !mem[i] { count; mark i*i, i*i+i, ... } */
    /* 14 */ R3(LD, 6, 2, 0),
    /* 15 */ RI(JNZ, 6, L_NEXT),
    /* 16 */ RI(ADDI, 3, 1),
    /* 17 */ R3(MUL, 7, 2, 2),
    /* 18 */ R3(LT, 4, 7, 1),
    /* 19 */ RI(JZ, 4, L_NEXT),
    /* 20 */ RI(JMP, 0, L_MARK),
    /* L_MARK */
    /* 21 */ R3(ST, 5, 7, 0),
    /* 22 */ R3(ADD, 7, 7, 2),
    /* 23 */ R3(LT, 4, 7, 1),
    /* 24 */ RI(JNZ, 4, L_MARK),
    /* L_NEXT */
    /* 25 */ RI(ADDI, 2, 1),
    /* 26 */ R3(LT, 4, 2, 1),
    /* 27 */ RI(JNZ, 4, L_SIEVE),
    /* hash: for i in 0..VM_MEM: h = xorshift(h ^ mem[i]) * 31 + i */
    /* 28 */ RI(LI, 2, 0),
    /* L_HASH */
    /* 29 */ R3(LD, 6, 2, 0),
    /* 30 */ R3(XOR, 8, 8, 6),
    /* 31 */ R3(SHL, 12, 8, 9),
    /* 32 */ R3(XOR, 8, 8, 12),
    /* 33 */ R3(SHR, 12, 8, 10),
    /* 34 */ R3(XOR, 8, 8, 12),
    /* 35 */ R3(SHL, 12, 8, 11),
    /* 36 */ R3(XOR, 8, 8, 12),
    /* 37 */ R3(MUL, 8, 8, 13),
    /* 38 */ R3(ADD, 8, 8, 2),
    /* 39 */ RI(ADDI, 2, 1),
    /* 40 */ R3(LT, 4, 2, 1),
    /* 41 */ RI(JNZ, 4, L_HASH),
    /* fold the prime count, count the round */
    /* 42 */ R3(ADD, 8, 8, 3),
    /* 43 */ RI(ADDI, 15, -1),
    /* 44 */ RI(JNZ, 15, L_ROUND),
    /* 45 */ RI(HALT, 0, 0),
};

static uint64_t vm_mem[VM_MEM];

/* Runs `code` from pc 0 with the given registers until HALT; returns the
 * number of VM instructions executed (HALT included), or 0 on a bad
 * opcode or pc. */
__attribute__((noinline)) static uint64_t vm_run(const uint32_t *code, uint32_t len, uint64_t *r, uint64_t *mem) {
  uint64_t steps = 0;
  uint32_t pc = 0;
  for (;;) {
    if (pc >= len)
      return 0;
    uint32_t insn = code[pc++];
    uint32_t a = (insn >> 8) & 15, b = (insn >> 16) & 15, c = insn >> 24 & 15;
    uint64_t imm = (uint64_t)(int64_t)(int16_t)(insn >> 16);
    steps++;
    switch (insn & 0xff) {
    case HALT:
      return steps;
    case LI:
      r[a] = imm;
      break;
    case ADDI:
      r[a] += imm;
      break;
    case ADD:
      r[a] = r[b] + r[c];
      break;
    case SUB:
      r[a] = r[b] - r[c];
      break;
    case MUL:
      r[a] = r[b] * r[c];
      break;
    case XOR:
      r[a] = r[b] ^ r[c];
      break;
    case AND:
      r[a] = r[b] & r[c];
      break;
    case SHL:
      r[a] = r[b] << (r[c] & 63);
      break;
    case SHR:
      r[a] = r[b] >> (r[c] & 63);
      break;
    case LT:
      r[a] = r[b] < r[c];
      break;
    case LD:
      r[a] = mem[r[b] % VM_MEM];
      break;
    case ST:
      mem[r[b] % VM_MEM] = r[a];
      break;
    case JMP:
      pc = (uint32_t)(uint16_t)imm;
      break;
    case JNZ:
      if (r[a])
        pc = (uint32_t)(uint16_t)imm;
      break;
    case JZ:
      if (!r[a])
        pc = (uint32_t)(uint16_t)imm;
      break;
    default:
      return 0;
    }
  }
}

static uint64_t run(void) {
  uint64_t r[16] = {0};
  r[8] = 0x243f6a8885a308d3ull;
  r[15] = BYTECODE_ROUNDS;
  uint64_t steps = vm_run(program, sizeof program / sizeof program[0], r, vm_mem);
  /* 1028 primes below 8192: the last round's count */
  uint64_t h = mix64(0, steps);
  h = mix64(h, r[3] == 1028);
  for (int i = 0; i < 16; i++)
    h = mix64(h, r[i]);
  return h;
}

const struct bench BENCH = {"bench_bytecode", run, 0x7c0c208aa7d177daull};

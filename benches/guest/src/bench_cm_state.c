/* bench_cm_state - state machines and a little language, CoreMark-class:
 * STATE_ITERS times,
 *   - one digit of a generated ~6 KiB source text is changed, and the text
 *     is tokenized by a character-class-driven, switch-on-state lexer fed
 *     one byte per call (identifiers hashed to 16 variables, decimal and
 *     hex literals, one- and two-character operators, // comments),
 *     compiled by a recursive-descent parser (assignments, `? cond {..}`,
 *     `# n {..}` repeat loops, `! expr;` output, five precedence levels)
 *     into stack bytecode, and run VM_RUNS times (different variables) by
 *     a switch-dispatched VM whose pushes and pops are out-of-line calls
 *     and whose binary operators are called through a table of function
 *     pointers;
 *   - a ~3 KiB byte stream of HDLC-style frames (flag 0x7e, escape 0x7d,
 *     type, length, payload, CRC-16) with one byte flipped is deframed by
 *     a per-byte state machine (hunt, header, data, CRC, escapes); each
 *     good frame goes to a handler picked from a table by its type.
 * The VM's outputs, the frame counts and the handlers' results are folded
 * into the checksum; the frames' results seed the next iteration's VM
 * variables.  Nearly everything is a small out-of-line function (noipa, as
 * across translation units): calls, returns, indirect calls and jump
 * tables dominate.  The working set is ~40 KiB; ~1.2M guest instructions
 * per iteration (lexer ~30%, compiler ~15%, VM ~30%, frames ~25%), ~4.3G
 * per run.  QEMU 7.2 runs this mix at about half its rate on the other
 * programs: each indirect jump and return costs it a lookup. */
#include "cbench.h"

#define STATE_ITERS 3500
#define VM_RUNS 4
#define CALL __attribute__((noipa))

/* ==== lexer ==== */

enum tok {
  T_END,
  T_NUM,    /* val = the number */
  T_VAR,    /* val = variable 0..15 */
  T_ASSIGN, /* = */
  T_SEMI,   /* ; */
  T_LBRACE,
  T_RBRACE,
  T_LPAREN,
  T_RPAREN,
  T_IF,     /* ? */
  T_REPEAT, /* # */
  T_OUT,    /* ! */
  T_TILDE,
  /* binary operators, in the order of the VM's operator table */
  T_ADD,
  T_SUB,
  T_MUL,
  T_DIV,
  T_MOD,
  T_AND,
  T_OR,
  T_XOR,
  T_SHL,
  T_SHR,
  T_LT,
  T_GT,
  T_EQ,
  T_ERROR,
};

enum cclass { C_OTHER, C_SPACE, C_NL, C_LETTER, C_ZERO, C_DIGIT, C_X, C_HEXLET, C_SLASH, C_LT, C_GT, C_EQ, C_PUNCT };

enum lstate { L_START, L_IDENT, L_ZERO, L_DEC, L_HEXX, L_HEX, L_SLASH, L_COMMENT, L_LT, L_GT, L_EQ };

struct token {
  uint8_t kind;
  uint32_t val;
};

#define MAX_TOKENS 4096

struct lexer {
  enum lstate state;
  uint32_t acc; /* number value or identifier hash */
  uint32_t ntok;
  uint32_t errors;
  struct token *toks;
};

static uint8_t cclass[256];

CALL static void cclass_init(void) {
  for (uint32_t c = 0; c < 256; c++) {
    uint8_t k = C_OTHER;
    if (c == ' ' || c == '\t')
      k = C_SPACE;
    else if (c == '\n')
      k = C_NL;
    else if (c == '0')
      k = C_ZERO;
    else if (c >= '1' && c <= '9')
      k = C_DIGIT;
    else if (c == 'x')
      k = C_X;
    else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
      k = C_HEXLET;
    else if ((c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_')
      k = C_LETTER;
    else if (c == '/')
      k = C_SLASH;
    else if (c == '<')
      k = C_LT;
    else if (c == '>')
      k = C_GT;
    else if (c == '=')
      k = C_EQ;
    else if (c == ';' || c == '{' || c == '}' || c == '(' || c == ')' || c == '?' || c == '#' ||
             c == '!' || c == '~' || c == '+' || c == '-' || c == '*' || c == '%' || c == '&' ||
             c == '|' || c == '^')
      k = C_PUNCT;
    cclass[c] = k;
  }
}

CALL static void emit(struct lexer *lx, uint8_t kind, uint32_t val) {
  if (lx->ntok < MAX_TOKENS - 1) {
    lx->toks[lx->ntok].kind = kind;
    lx->toks[lx->ntok].val = val;
    lx->ntok++;
  } else {
    lx->errors++;
  }
}

CALL static uint8_t punct_token(uint8_t c) {
  switch (c) {
  case ';': return T_SEMI;
  case '{': return T_LBRACE;
  case '}': return T_RBRACE;
  case '(': return T_LPAREN;
  case ')': return T_RPAREN;
  case '?': return T_IF;
  case '#': return T_REPEAT;
  case '!': return T_OUT;
  case '~': return T_TILDE;
  case '+': return T_ADD;
  case '-': return T_SUB;
  case '*': return T_MUL;
  case '%': return T_MOD;
  case '&': return T_AND;
  case '|': return T_OR;
  case '^': return T_XOR;
  default: return T_ERROR;
  }
}

CALL static uint32_t hex_value(uint8_t c) {
  if (c <= '9')
    return (uint32_t)(c - '0');
  return (uint32_t)((c | 0x20) - 'a' + 10);
}

/* Feeds one byte (0 = end of text) to the lexer. */
CALL static void lex_byte(struct lexer *lx, uint8_t c) {
  uint8_t k = cclass[c];
again:
  switch (lx->state) {
  case L_START:
    switch (k) {
    case C_SPACE:
    case C_NL:
      break;
    case C_LETTER:
    case C_HEXLET:
    case C_X:
      lx->state = L_IDENT;
      lx->acc = 2166136261u ^ c;
      break;
    case C_ZERO:
      lx->state = L_ZERO;
      lx->acc = 0;
      break;
    case C_DIGIT:
      lx->state = L_DEC;
      lx->acc = (uint32_t)(c - '0');
      break;
    case C_SLASH:
      lx->state = L_SLASH;
      break;
    case C_LT:
      lx->state = L_LT;
      break;
    case C_GT:
      lx->state = L_GT;
      break;
    case C_EQ:
      lx->state = L_EQ;
      break;
    case C_PUNCT:
      emit(lx, punct_token(c), 0);
      break;
    default:
      if (c)
        lx->errors++;
      break;
    }
    break;
  case L_IDENT:
    if (k == C_LETTER || k == C_HEXLET || k == C_X || k == C_ZERO || k == C_DIGIT) {
      lx->acc = (lx->acc ^ c) * 16777619u;
      break;
    }
    emit(lx, T_VAR, (lx->acc ^ (lx->acc >> 4) ^ (lx->acc >> 8)) & 15);
    lx->state = L_START;
    goto again;
  case L_ZERO:
    if (k == C_X) {
      lx->state = L_HEXX;
      break;
    }
    lx->state = L_DEC;
    goto again;
  case L_DEC:
    if (k == C_ZERO || k == C_DIGIT) {
      lx->acc = lx->acc * 10 + (uint32_t)(c - '0');
      break;
    }
    emit(lx, T_NUM, lx->acc);
    lx->state = L_START;
    goto again;
  case L_HEXX:
  case L_HEX:
    if (k == C_ZERO || k == C_DIGIT || k == C_HEXLET) {
      lx->acc = lx->acc << 4 | hex_value(c);
      lx->state = L_HEX;
      break;
    }
    if (lx->state == L_HEXX)
      lx->errors++;
    emit(lx, T_NUM, lx->acc);
    lx->state = L_START;
    goto again;
  case L_SLASH:
    if (k == C_SLASH) {
      lx->state = L_COMMENT;
      break;
    }
    emit(lx, T_DIV, 0);
    lx->state = L_START;
    goto again;
  case L_COMMENT:
    if (k == C_NL || c == 0) {
      lx->state = L_START;
      if (c == 0)
        goto again;
    }
    break;
  case L_LT:
    lx->state = L_START;
    if (k == C_LT) {
      emit(lx, T_SHL, 0);
      break;
    }
    emit(lx, T_LT, 0);
    goto again;
  case L_GT:
    lx->state = L_START;
    if (k == C_GT) {
      emit(lx, T_SHR, 0);
      break;
    }
    emit(lx, T_GT, 0);
    goto again;
  case L_EQ:
    lx->state = L_START;
    if (k == C_EQ) {
      emit(lx, T_EQ, 0);
      break;
    }
    emit(lx, T_ASSIGN, 0);
    goto again;
  }
}

CALL static uint32_t lex(const uint8_t *text, struct token *toks, uint32_t *errors) {
  struct lexer lx = {L_START, 0, 0, 0, toks};
  for (;; text++) {
    lex_byte(&lx, *text);
    if (!*text)
      break;
  }
  emit(&lx, T_END, 0);
  *errors = lx.errors;
  return lx.ntok;
}

/* ==== compiler: tokens -> stack bytecode ==== */

enum op {
  OP_HALT,
  OP_PUSH, /* next word */
  OP_LOAD, /* arg: variable */
  OP_STORE,
  OP_BIN,  /* arg: operator 0..12 */
  OP_NEG,
  OP_NOT,
  OP_JZ,   /* arg: target */
  OP_OUT,
  OP_REP,  /* push the count on the loop stack (popped from the data stack) */
  OP_LOOP, /* arg: target; decrement the loop count, jump back if not 0 */
};

#define OPW(op, arg) ((uint32_t)(op) | (uint32_t)(arg) << 8)
#define MAX_CODE 8192

struct compiler {
  const struct token *t;
  uint32_t pos;
  uint32_t *code;
  uint32_t n;
  uint32_t errors;
};

CALL static uint8_t peek(const struct compiler *c) { return c->t[c->pos].kind; }

CALL static uint32_t advance(struct compiler *c) {
  uint32_t v = c->t[c->pos].val;
  if (c->t[c->pos].kind != T_END)
    c->pos++;
  return v;
}

CALL static void expect(struct compiler *c, uint8_t kind) {
  if (peek(c) == kind)
    advance(c);
  else
    c->errors++;
}

CALL static void put(struct compiler *c, uint32_t w) {
  if (c->n < MAX_CODE)
    c->code[c->n++] = w;
  else
    c->errors++;
}

static void expr(struct compiler *c, uint32_t depth);

CALL static void primary(struct compiler *c, uint32_t depth) {
  switch (peek(c)) {
  case T_NUM:
    put(c, OP_PUSH);
    put(c, advance(c));
    break;
  case T_VAR:
    put(c, OPW(OP_LOAD, advance(c)));
    break;
  case T_LPAREN:
    advance(c);
    expr(c, depth + 1);
    expect(c, T_RPAREN);
    break;
  case T_SUB:
    advance(c);
    primary(c, depth + 1);
    put(c, OP_NEG);
    break;
  case T_TILDE:
    advance(c);
    primary(c, depth + 1);
    put(c, OP_NOT);
    break;
  default:
    c->errors++;
    advance(c);
    put(c, OP_PUSH);
    put(c, 0);
    break;
  }
}

CALL static int is_mulop(uint8_t k) { return k == T_MUL || k == T_DIV || k == T_MOD || k == T_AND; }
CALL static int is_addop(uint8_t k) { return k == T_ADD || k == T_SUB || k == T_OR || k == T_XOR; }
CALL static int is_shiftop(uint8_t k) { return k == T_SHL || k == T_SHR; }
CALL static int is_cmpop(uint8_t k) { return k == T_LT || k == T_GT || k == T_EQ; }

CALL static void term(struct compiler *c, uint32_t depth) {
  primary(c, depth);
  while (is_mulop(peek(c))) {
    uint8_t k = (uint8_t)peek(c);
    advance(c);
    primary(c, depth);
    put(c, OPW(OP_BIN, k - T_ADD));
  }
}

CALL static void sum(struct compiler *c, uint32_t depth) {
  term(c, depth);
  while (is_addop(peek(c))) {
    uint8_t k = (uint8_t)peek(c);
    advance(c);
    term(c, depth);
    put(c, OPW(OP_BIN, k - T_ADD));
  }
}

CALL static void shift(struct compiler *c, uint32_t depth) {
  sum(c, depth);
  while (is_shiftop(peek(c))) {
    uint8_t k = (uint8_t)peek(c);
    advance(c);
    sum(c, depth);
    put(c, OPW(OP_BIN, k - T_ADD));
  }
}

CALL static void expr(struct compiler *c, uint32_t depth) {
  if (depth > 24) { /* the guest stack is 16 KiB */
    c->errors++;
    put(c, OP_PUSH);
    put(c, 0);
    return;
  }
  shift(c, depth);
  if (is_cmpop(peek(c))) {
    uint8_t k = (uint8_t)peek(c);
    advance(c);
    shift(c, depth);
    put(c, OPW(OP_BIN, k - T_ADD));
  }
}

static void block(struct compiler *c, uint32_t depth);

CALL static void statement(struct compiler *c, uint32_t depth) {
  switch (peek(c)) {
  case T_VAR: {
    uint32_t v = advance(c);
    expect(c, T_ASSIGN);
    expr(c, depth);
    expect(c, T_SEMI);
    put(c, OPW(OP_STORE, v));
    break;
  }
  case T_OUT:
    advance(c);
    expr(c, depth);
    expect(c, T_SEMI);
    put(c, OP_OUT);
    break;
  case T_IF: {
    advance(c);
    expr(c, depth);
    uint32_t jz = c->n;
    put(c, OP_JZ);
    block(c, depth + 1);
    if (jz < MAX_CODE)
      c->code[jz] = OPW(OP_JZ, c->n);
    break;
  }
  case T_REPEAT: {
    advance(c);
    primary(c, depth);
    put(c, OP_REP);
    uint32_t top = c->n;
    block(c, depth + 1);
    put(c, OPW(OP_LOOP, top));
    break;
  }
  default:
    c->errors++;
    advance(c);
    break;
  }
}

CALL static void block(struct compiler *c, uint32_t depth) {
  expect(c, T_LBRACE);
  while (peek(c) != T_RBRACE && peek(c) != T_END)
    statement(c, depth);
  expect(c, T_RBRACE);
}

CALL static uint32_t compile(const struct token *toks, uint32_t *code, uint32_t *errors) {
  struct compiler c = {toks, 0, code, 0, 0};
  while (peek(&c) != T_END)
    statement(&c, 0);
  put(&c, OP_HALT);
  *errors = c.errors;
  return c.n;
}

/* ==== VM ==== */

#define VM_STACK 64
#define VM_LOOPS 16

struct vm {
  uint32_t sp, lp;
  uint32_t stack[VM_STACK];
  uint32_t loops[VM_LOOPS];
  uint32_t vars[16];
  uint64_t out;
  uint32_t nout;
};

CALL static void push(struct vm *m, uint32_t v) {
  m->stack[m->sp & (VM_STACK - 1)] = v;
  m->sp++;
}

CALL static uint32_t pop(struct vm *m) {
  m->sp--;
  return m->stack[m->sp & (VM_STACK - 1)];
}

typedef uint32_t (*binop)(uint32_t, uint32_t);

CALL static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
CALL static uint32_t op_sub(uint32_t a, uint32_t b) { return a - b; }
CALL static uint32_t op_mul(uint32_t a, uint32_t b) { return a * b; }
CALL static uint32_t op_div(uint32_t a, uint32_t b) { return b ? a / b : a; }
CALL static uint32_t op_mod(uint32_t a, uint32_t b) { return b ? a % b : a; }
CALL static uint32_t op_and(uint32_t a, uint32_t b) { return a & b; }
CALL static uint32_t op_or(uint32_t a, uint32_t b) { return a | b; }
CALL static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
CALL static uint32_t op_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
CALL static uint32_t op_shr(uint32_t a, uint32_t b) { return a >> (b & 31); }
CALL static uint32_t op_lt(uint32_t a, uint32_t b) { return a < b; }
CALL static uint32_t op_gt(uint32_t a, uint32_t b) { return a > b; }
CALL static uint32_t op_eq(uint32_t a, uint32_t b) { return a == b; }

static const binop binops[] = {op_add, op_sub, op_mul, op_div, op_mod, op_and, op_or,
                               op_xor, op_shl, op_shr, op_lt,  op_gt,  op_eq};

/* Runs at most `budget` VM instructions; returns how many ran. */
CALL static uint32_t vm_run(struct vm *m, const uint32_t *code, uint32_t budget) {
  uint32_t pc = 0, steps = 0;
  while (steps < budget) {
    uint32_t w = code[pc++];
    uint32_t arg = w >> 8;
    steps++;
    switch (w & 0xff) {
    case OP_HALT:
      return steps;
    case OP_PUSH:
      push(m, code[pc++]);
      break;
    case OP_LOAD:
      push(m, m->vars[arg & 15]);
      break;
    case OP_STORE:
      m->vars[arg & 15] = pop(m);
      break;
    case OP_BIN: {
      uint32_t b = pop(m);
      uint32_t a = pop(m);
      push(m, binops[arg % 13](a, b));
      break;
    }
    case OP_NEG:
      push(m, -pop(m));
      break;
    case OP_NOT:
      push(m, ~pop(m));
      break;
    case OP_JZ:
      if (!pop(m))
        pc = arg;
      break;
    case OP_OUT:
      m->out = mix64(m->out, pop(m));
      m->nout++;
      break;
    case OP_REP:
      m->loops[m->lp++ & (VM_LOOPS - 1)] = pop(m) & 7;
      break;
    case OP_LOOP: {
      uint32_t *n = &m->loops[(m->lp - 1) & (VM_LOOPS - 1)];
      if (*n > 1) {
        --*n;
        pc = arg;
      } else {
        m->lp--;
      }
      break;
    }
    default:
      return steps;
    }
  }
  return steps;
}

/* ==== source generator ==== */

#define SRC_MAX 6144

struct gen {
  uint8_t *buf;
  uint32_t n;
  uint64_t seed;
};

static const char *const names[] = {"alpha", "beta", "gamma", "delta", "x", "y", "z", "idx",
                                    "acc", "tmp", "count", "sum", "lo", "hi", "key", "mask",
                                    "q_0", "r_1", "state", "next", "prev", "w", "k9", "total"};

CALL static uint32_t rnd(struct gen *g, uint32_t n) { return (uint32_t)(xorshift64(&g->seed) % n); }

CALL static void put_str(struct gen *g, const char *s) {
  while (*s && g->n < SRC_MAX - 1)
    g->buf[g->n++] = (uint8_t)*s++;
}

CALL static void put_num(struct gen *g, uint32_t v, int hex) {
  char d[12];
  int i = 0;
  if (hex) {
    put_str(g, "0x");
    do {
      d[i++] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v);
  } else {
    do {
      d[i++] = (char)('0' + v % 10);
      v /= 10;
    } while (v);
  }
  while (i > 0 && g->n < SRC_MAX - 1)
    g->buf[g->n++] = (uint8_t)d[--i];
}

CALL static void put_name(struct gen *g) { put_str(g, names[rnd(g, sizeof names / sizeof names[0])]); }

static const char *const binop_text[] = {" + ", " - ", "*", " / ", " % ", " & ", " | ",
                                         " ^ ", " << ", " >> "};

static void gen_expr(struct gen *g, uint32_t depth);

CALL static void gen_operand(struct gen *g, uint32_t depth) {
  uint32_t r = rnd(g, 10);
  if (depth < 3 && r < 3) {
    put_str(g, "(");
    gen_expr(g, depth + 1);
    put_str(g, ")");
  } else if (r < 6) {
    put_name(g);
  } else if (r == 6) {
    put_str(g, "-");
    put_name(g);
  } else {
    put_num(g, rnd(g, r == 9 ? 4096 : 100), r == 9);
  }
}

static void gen_expr(struct gen *g, uint32_t depth) {
  gen_operand(g, depth);
  for (uint32_t n = rnd(g, 3); n > 0; n--) {
    put_str(g, binop_text[rnd(g, 10)]);
    gen_operand(g, depth);
  }
}

static const char *const cmp_text[] = {" < ", " > ", " == "};

static void gen_block(struct gen *g, uint32_t depth, uint32_t n);

CALL static void gen_stmt(struct gen *g, uint32_t depth) {
  uint32_t r = rnd(g, 16);
  for (uint32_t i = 0; i < depth; i++)
    put_str(g, "  ");
  if (r < 2 && depth < 2) {
    put_str(g, "# ");
    put_num(g, 2 + rnd(g, 4), 0);
    put_str(g, " {\n");
    gen_block(g, depth + 1, 2 + rnd(g, 3));
  } else if (r < 4 && depth < 3) {
    put_str(g, "? ");
    gen_expr(g, 1);
    put_str(g, cmp_text[rnd(g, 3)]);
    gen_expr(g, 1);
    put_str(g, " {\n");
    gen_block(g, depth + 1, 1 + rnd(g, 3));
  } else if (r < 5) {
    put_str(g, "! ");
    gen_expr(g, 0);
    put_str(g, ";\n");
  } else if (r < 6) {
    put_str(g, "// ");
    put_name(g);
    put_str(g, " is updated below\n");
  } else {
    put_name(g);
    put_str(g, " = ");
    gen_expr(g, 0);
    put_str(g, ";\n");
  }
}

static void gen_block(struct gen *g, uint32_t depth, uint32_t n) {
  while (n--)
    gen_stmt(g, depth);
  for (uint32_t i = 1; i < depth; i++)
    put_str(g, "  ");
  put_str(g, "}\n");
}

static uint8_t src[SRC_MAX];
static uint16_t digit_pos[SRC_MAX];
static uint32_t src_len, ndigits;

/* Generates the source and lists the positions of the digits that may be
 * changed: those of decimal literals outside `# n` repeat counts (a hex
 * literal's digits and its 0x stay). */
CALL static void gen_source(void) {
  struct gen g = {src, 0, 0x6a09e667f3bcc909ull};
  while (g.n < SRC_MAX - 400)
    gen_stmt(&g, 0);
  put_str(&g, "! alpha;\n! total ^ key;\n");
  src[g.n] = 0;
  src_len = g.n;
  ndigits = 0;
  for (uint32_t i = 0; i < src_len; i++) {
    uint8_t c = src[i];
    if (c == '0' && src[i + 1] == 'x') {
      i++;
      while ((src[i + 1] >= '0' && src[i + 1] <= '9') || (src[i + 1] >= 'a' && src[i + 1] <= 'f'))
        i++;
      continue;
    }
    if (c >= 'a' || c == '_') { /* identifiers may hold digits: skip them */
      while (src[i + 1] >= 'a' || src[i + 1] == '_' || (src[i + 1] >= '0' && src[i + 1] <= '9'))
        i++;
      continue;
    }
    if (c == '#') { /* the repeat count */
      i += 2;
      continue;
    }
    if (c >= '0' && c <= '9')
      digit_pos[ndigits++] = (uint16_t)i;
  }
}

/* ==== frames ==== */

#define FLAG 0x7e
#define ESC 0x7d
#define STREAM_MAX 3072
#define MAX_PAYLOAD 48

CALL static uint16_t crc16_byte(uint16_t crc, uint8_t b) {
  crc ^= b;
  for (int i = 0; i < 8; i++)
    crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408u) : (uint16_t)(crc >> 1);
  return crc;
}

enum fstate { F_HUNT, F_TYPE, F_LEN, F_DATA, F_CRC_LO, F_CRC_HI };

struct frame_stats {
  uint32_t good, bad_crc, bad_len, bad_type, aborted;
  uint32_t acc[4];
};

typedef void (*frame_handler)(const uint8_t *p, uint32_t n, struct frame_stats *st);

CALL static void h_sum(const uint8_t *p, uint32_t n, struct frame_stats *st) {
  for (uint32_t i = 0; i < n; i++)
    st->acc[0] += p[i];
}

CALL static void h_xor(const uint8_t *p, uint32_t n, struct frame_stats *st) {
  for (uint32_t i = 0; i < n; i++)
    st->acc[1] = (st->acc[1] << 1 | st->acc[1] >> 31) ^ p[i];
}

CALL static void h_max(const uint8_t *p, uint32_t n, struct frame_stats *st) {
  for (uint32_t i = 0; i < n; i++)
    if (p[i] > st->acc[2])
      st->acc[2] = p[i];
}

CALL static void h_bits(const uint8_t *p, uint32_t n, struct frame_stats *st) {
  for (uint32_t i = 0; i < n; i++) {
    uint32_t v = p[i];
    while (v) {
      st->acc[3]++;
      v &= v - 1;
    }
  }
}

static const frame_handler handlers[] = {h_sum, h_xor, h_max, h_bits};

struct deframer {
  enum fstate state;
  uint8_t esc;
  uint8_t type, len;
  uint8_t n;
  uint16_t crc;
  uint8_t crc_lo;
  uint8_t data[MAX_PAYLOAD];
};

CALL static void frame_done(struct deframer *d, uint8_t crc_hi, struct frame_stats *st) {
  uint16_t got = (uint16_t)(d->crc_lo | crc_hi << 8);
  uint16_t want = (uint16_t)~d->crc;
  if (got != want)
    st->bad_crc++;
  else if (d->type >= sizeof handlers / sizeof handlers[0])
    st->bad_type++;
  else {
    st->good++;
    handlers[d->type](d->data, d->len, st);
  }
}

CALL static void deframe_byte(struct deframer *d, uint8_t b, struct frame_stats *st) {
  if (b == FLAG) {
    if (d->state != F_HUNT && d->state != F_TYPE)
      st->aborted++;
    d->state = F_TYPE;
    d->esc = 0;
    d->crc = 0xffff;
    return;
  }
  if (d->state == F_HUNT)
    return;
  if (b == ESC) {
    d->esc = 1;
    return;
  }
  if (d->esc) {
    b ^= 0x20;
    d->esc = 0;
  }
  switch (d->state) {
  case F_TYPE:
    d->type = b;
    d->crc = crc16_byte(d->crc, b);
    d->state = F_LEN;
    break;
  case F_LEN:
    d->crc = crc16_byte(d->crc, b);
    if (b > MAX_PAYLOAD) {
      st->bad_len++;
      d->state = F_HUNT;
    } else {
      d->len = b;
      d->n = 0;
      d->state = b ? F_DATA : F_CRC_LO;
    }
    break;
  case F_DATA:
    d->crc = crc16_byte(d->crc, b);
    d->data[d->n++] = b;
    if (d->n == d->len)
      d->state = F_CRC_LO;
    break;
  case F_CRC_LO:
    d->crc_lo = b;
    d->state = F_CRC_HI;
    break;
  case F_CRC_HI:
    frame_done(d, b, st);
    d->state = F_HUNT;
    break;
  default:
    d->state = F_HUNT;
    break;
  }
}

static uint8_t stream[STREAM_MAX];
static uint32_t stream_len;

CALL static void put_escaped(uint8_t b) {
  if (b == FLAG || b == ESC) {
    stream[stream_len++] = ESC;
    b ^= 0x20;
  }
  stream[stream_len++] = b;
}

/* Frames of types 0..4 (4 has no handler) with 0..MAX_PAYLOAD bytes of
 * payload; every 7th frame gets a wrong CRC. */
CALL static void gen_stream(void) {
  uint64_t s = 0xbb67ae8584caa73bull;
  uint32_t k = 0;
  stream_len = 0;
  while (stream_len + 2 * (MAX_PAYLOAD + 4) + 2 < STREAM_MAX) {
    uint8_t type = (uint8_t)(xorshift64(&s) % 5);
    uint8_t len = (uint8_t)(xorshift64(&s) % (MAX_PAYLOAD + 1));
    uint16_t crc = 0xffff;
    stream[stream_len++] = FLAG;
    put_escaped(type);
    crc = crc16_byte(crc, type);
    put_escaped(len);
    crc = crc16_byte(crc, len);
    for (uint32_t i = 0; i < len; i++) {
      /* byte values near the flag and escape ones, so escapes are common */
      uint8_t b = (uint8_t)(xorshift64(&s) % 4 == 0 ? 0x7c + xorshift64(&s) % 4 : xorshift64(&s));
      put_escaped(b);
      crc = crc16_byte(crc, b);
    }
    crc = (uint16_t)~crc;
    if (++k % 7 == 0)
      crc ^= 0x100;
    put_escaped((uint8_t)crc);
    put_escaped((uint8_t)(crc >> 8));
  }
  stream[stream_len++] = FLAG;
}

CALL static void deframe(struct frame_stats *st) {
  struct deframer d;
  d.state = F_HUNT;
  d.esc = 0;
  for (uint32_t i = 0; i < stream_len; i++)
    deframe_byte(&d, stream[i], st);
}

/* ==== the run ==== */

static struct token toks[MAX_TOKENS];
static uint32_t code[MAX_CODE];

static uint64_t run(void) {
  cclass_init();
  gen_source();
  gen_stream();
  uint64_t h = 0;
  uint32_t seedvars = 0x12345678;
  for (uint32_t it = 0; it < STATE_ITERS; it++) {
    /* the language */
    uint32_t pos = digit_pos[(it * 2654435761u >> 7) % ndigits];
    uint8_t old = src[pos];
    src[pos] = (uint8_t)('0' + (old - '0' + 1 + it % 9) % 10);
    uint32_t lex_errors, compile_errors;
    uint32_t ntok = lex(src, toks, &lex_errors);
    uint32_t ncode = compile(toks, code, &compile_errors);
    src[pos] = old;
    h = mix64(h, (uint64_t)ntok << 48 | (uint64_t)ncode << 32 | lex_errors << 16 | compile_errors);
    struct vm m;
    m.out = 0;
    for (uint32_t r = 0; r < VM_RUNS; r++) {
      m.sp = m.lp = 0;
      m.nout = 0;
      for (uint32_t v = 0; v < 16; v++)
        m.vars[v] = seedvars + (v + r) * 0x9e3779b9u;
      uint32_t steps = vm_run(&m, code, 1u << 20);
      h = mix64(h, m.out);
      h = mix64(h, (uint64_t)steps << 32 | m.nout);
    }

    /* the frames */
    uint32_t bpos = (it * 40503u) % stream_len;
    uint8_t bold = stream[bpos];
    stream[bpos] = (uint8_t)(bold ^ (1u << (it % 8)));
    struct frame_stats st = {0, 0, 0, 0, 0, {0, 0, 0, 0}};
    deframe(&st);
    stream[bpos] = bold;
    h = mix64(h, (uint64_t)st.good << 40 | (uint64_t)st.bad_crc << 20 | st.bad_len);
    h = mix64(h, (uint64_t)st.bad_type << 32 | st.aborted);
    h = mix64(h, (uint64_t)st.acc[0] << 32 | st.acc[1]);
    h = mix64(h, (uint64_t)st.acc[2] << 32 | st.acc[3]);
    seedvars = st.acc[0] ^ st.acc[1] ^ (uint32_t)m.out;
  }
  return h;
}

const struct bench BENCH = {"bench_cm_state", run, 0x2a166ecab1eee1caull};

/* guest.h - tiny runtime for rvdbt C guest programs (see clib.c). */
#ifndef RVDBT_GUEST_H
#define RVDBT_GUEST_H

#include <stdint.h>
#include <stddef.h>

#define UART0_BASE    0x10000000UL
#define FINISHER_BASE 0x100000UL

/* Write one byte to the NS16550A UART (polls LSR.THRE). */
void uart_putc(char c);
/* Write a NUL-terminated string (no newline added). */
void uart_puts(const char *s);
/* Write v as 0x + 16 lower-case hex digits. */
void uart_puthex64(uint64_t v);
/* Write v as exactly 8 lower-case hex digits (no prefix). */
void uart_puthex32(uint32_t v);
/* Write v in decimal. */
void uart_putdec(uint64_t v);
/* Exit through the sifive_test finisher: 0 = pass, otherwise fail(code). */
__attribute__((noreturn)) void exit(int code);

#endif

/* clib.c - UART output, exit and the picolibc stdout hook for C guests. */
#include <stdio.h>
#include "guest.h"

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;

void uart_putc(char c)
{
    while ((uart[5] & 0x20) == 0)
        ;
    uart[0] = (uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static const char hexdigits[] = "0123456789abcdef";

void uart_puthex64(uint64_t v)
{
    uart_puts("0x");
    for (int i = 60; i >= 0; i -= 4)
        uart_putc(hexdigits[(v >> i) & 15]);
}

void uart_puthex32(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        uart_putc(hexdigits[(v >> i) & 15]);
}

void uart_putdec(uint64_t v)
{
    char buf[21];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        uart_putc(buf[--n]);
}

void exit(int code)
{
    volatile uint32_t *fin = (volatile uint32_t *)FINISHER_BASE;
    uint32_t v = code == 0 ? 0x5555u : (((uint32_t)code & 0xffffu) << 16) | 0x3333u;
    *fin = v;
    for (;;)
        __asm__ volatile("wfi");
}

void unexpected_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval);
void unexpected_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
    uart_puts("unexpected trap: mcause=");
    uart_puthex64(mcause);
    uart_puts(" mepc=");
    uart_puthex64(mepc);
    uart_puts(" mtval=");
    uart_puthex64(mtval);
    uart_putc('\n');
    exit(255);
}

/* picolibc tinystdio: route stdout to the UART. */
static int stdout_put(char c, FILE *f)
{
    (void)f;
    uart_putc(c);
    return (unsigned char)c;
}

static FILE uart_stdout = FDEV_SETUP_STREAM(stdout_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &uart_stdout;

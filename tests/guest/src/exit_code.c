/* exit_code: deliberately fails with exit code 3 via the sifive_test
 * finisher ((3 << 16) | 0x3333), after printing one line. */
#include "guest.h"

int main(void)
{
    uart_puts("exiting with code 3\n");
    exit(3);
}

/* hello: prints a greeting through picolibc printf (stdout -> UART), then
 * checks the boot protocol: a0 = hartid 0, a1 = address of a flattened
 * device tree (big-endian magic 0xd00dfeed). Exits 0 on success. */
#include <stdio.h>
#include "guest.h"

int main(long hartid, const uint8_t *fdt)
{
    printf("Hello from rvdbt guest!\n");
    printf("hart %ld\n", hartid);
    uint32_t magic = ((uint32_t)fdt[0] << 24) | ((uint32_t)fdt[1] << 16) |
                     ((uint32_t)fdt[2] << 8) | fdt[3];
    if (hartid != 0) {
        printf("bad hartid\n");
        return 1;
    }
    if (magic != 0xd00dfeedu) {
        printf("bad fdt magic %08lx\n", (unsigned long)magic);
        return 2;
    }
    printf("fdt magic ok\n");
    uart_puts("uart_puts ok\n");
    printf("%d + %d = %d, hex %#x, str %s\n", 40, 2, 42, 0xbeef, "done");
    return 0;
}

/* libFuzzer harness: Multiboot 1 boot information (hv/boot/mb1.c, with
 * multiboot.c and memmap.c).
 *
 * Input: a little-endian u32 info_pa, then the bytes of physical memory
 * from address 0. multiboot_parse() gets the Multiboot 1 magic and info_pa
 * and reads everything through a map callback, as hv/core/main.c does;
 * the mmap, module list and strings are found through the 32-bit physical
 * addresses in the info block, so seeds lay them out inside the input
 * (tests/fuzz/gen_seeds.py). The callback refuses what lies outside the
 * input and hands out exact-size copies, so over-reads are caught. */
#include "boot_info_check.h"

static struct boot_info bi;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    uint32_t info_pa;
    int rc;

    if (size < 4)
        return 0;
    info_pa = fuzz_rd32(data);
    phys_set(data + 4, size - 4);
    rc = multiboot_parse(MB1_BOOTLOADER_MAGIC, info_pa, phys_map, &bi, err, sizeof(err));
    check_boot_info(rc, 1, info_pa, size - 4, &bi, err, sizeof(err));
    phys_reset();
    return 0;
}

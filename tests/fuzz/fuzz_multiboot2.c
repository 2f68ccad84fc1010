/* libFuzzer harness: Multiboot 2 boot information (hv/boot/mb2.c, with
 * multiboot.c and memmap.c).
 *
 * Input: a little-endian u32 info_pa, then the bytes of physical memory
 * from address 0. multiboot_parse() gets the Multiboot 2 magic and info_pa
 * and reads the tag list (total_size, then 8-byte aligned tags) through a
 * map callback, as hv/core/main.c does. The callback refuses what lies
 * outside the input and hands out exact-size copies, so reads past
 * total_size or past a tag are caught (tests/fuzz/gen_seeds.py writes
 * GRUB-like tag lists as seeds).
 */
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
    rc = multiboot_parse(MB2_BOOTLOADER_MAGIC, info_pa, phys_map, &bi, err, sizeof(err));
    check_boot_info(rc, 2, info_pa, size - 4, &bi, err, sizeof(err));
    phys_reset();
    return 0;
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_boot_info(data, size, MB2_BOOTLOADER_MAGIC, 2);
    return 0;
}

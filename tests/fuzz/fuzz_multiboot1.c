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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_boot_info(data, size, MB1_BOOTLOADER_MAGIC, 1);
    return 0;
}

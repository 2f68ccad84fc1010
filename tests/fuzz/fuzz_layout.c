/* libFuzzer harness: the start-of-day layout arithmetic (hv/dom/layout.c)
 * on any inputs, beyond those an accepted ELF image gives (fuzz_elf.c
 * covers that path).
 *
 * Input: 40 bytes, little endian: u64 virt_base, kernel_start,
 * kernel_end, initrd_len, then u64 whose low 41 bits are nr_pages (up to
 * just past the 2^40 limit), whose top bit is domu_pages, bit 62
 * unmapped_initrd and bit 61 has_init_p2m; then, optionally, u64 init_p2m
 * (0 when absent). */
#include <stdbool.h>

#include "layout_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dom_layout_in in;
    struct dom_layout l;
    char err[160];
    uint64_t last;
    int rc;

    if (size < 40)
        return 0;
    last = fuzz_rd64(data + 32);
    in = (struct dom_layout_in){
        .virt_base = fuzz_rd64(data), .kernel_start = fuzz_rd64(data + 8),
        .kernel_end = fuzz_rd64(data + 16), .initrd_len = fuzz_rd64(data + 24),
        .nr_pages = last & ((1ull << 41) - 1), .domu_pages = last >> 63,
        .unmapped_initrd = (last >> 62) & 1, .has_init_p2m = (last >> 61) & 1,
        .init_p2m = size >= 48 ? fuzz_rd64(data + 40) : 0,
    };
    rc = dom_layout_compute(&in, &l, err, sizeof(err));
    check_layout(rc, &in, &l, err, sizeof(err));
    return 0;
}

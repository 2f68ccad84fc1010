/* Checks of the promises hv/boot/multiboot.h and memmap.h make about
 * their output, shared by the multiboot and memmap harnesses. */
#ifndef TESTS_FUZZ_BOOT_INFO_CHECK_H
#define TESTS_FUZZ_BOOT_INFO_CHECK_H

#include <stdbool.h>

#include "boot/multiboot.h"
#include "fuzz.h"

/* A normalised map: no empty range, none running past 2^64 - 1, sorted,
 * disjoint, touching neighbours of different types only. */
static inline void check_memmap(const struct boot_mem_range *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        FUZZ_CHECK(r[i].len != 0);
        FUZZ_CHECK(r[i].base + r[i].len > r[i].base);
        if (i) {
            uint64_t prev_end = r[i - 1].base + r[i - 1].len;

            FUZZ_CHECK(prev_end <= r[i].base);
            FUZZ_CHECK(prev_end != r[i].base || r[i - 1].type != r[i].type);
        }
    }
}

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A command line as multiboot_parse leaves it: no blanks at either end. */
static inline void check_tidy(const char *s, size_t cap)
{
    size_t len = strnlen(s, cap);

    FUZZ_CHECK(len < cap);
    if (len) {
        FUZZ_CHECK(!is_blank(s[0]));
        FUZZ_CHECK(!is_blank(s[len - 1]));
    }
}

static inline void check_boot_info(int rc, unsigned proto, uint64_t info_pa, uint64_t mem_size,
                                   const struct boot_info *bi, const char *err, size_t errlen)
{
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(strnlen(err, errlen) < errlen);
    if (rc) {
        FUZZ_CHECK(err[0] != '\0');
        return;
    }
    FUZZ_CHECK(bi->proto == proto);
    FUZZ_CHECK_STR(bi->loader_name);
    check_tidy(bi->cmdline, sizeof(bi->cmdline));
    FUZZ_CHECK(bi->nr_mem >= 1 && bi->nr_mem <= BOOT_MAX_MEM_RANGES);
    check_memmap(bi->mem, bi->nr_mem);
    for (unsigned i = 0; i < bi->nr_mem; i++)
        FUZZ_CHECK(bi->mem[i].type >= BOOT_MEM_USABLE && bi->mem[i].type <= BOOT_MEM_BAD);
    FUZZ_CHECK(bi->nr_mod <= BOOT_MAX_MODULES);
    for (unsigned i = 0; i < bi->nr_mod; i++) {
        FUZZ_CHECK(bi->mod[i].start <= bi->mod[i].end);
        check_tidy(bi->mod[i].cmdline, sizeof(bi->mod[i].cmdline));
    }
    /* The info block itself was read, so it lies in memory. */
    FUZZ_CHECK(bi->info_start == info_pa);
    FUZZ_CHECK(bi->info_start < bi->info_end && bi->info_end <= mem_size);
    FUZZ_CHECK(bi->rsdp_len <= sizeof(bi->rsdp));
    if (proto == 1)
        FUZZ_CHECK(bi->rsdp_len == 0);
}

/* One fuzz input for Multiboot `proto` (1 or 2): a little-endian u32
 * info_pa, then physical memory from address 0, parsed as hv/core/main.c
 * does and checked. */
static inline void fuzz_boot_info(const uint8_t *data, size_t size, uint32_t magic, unsigned proto)
{
    static struct boot_info bi;
    char err[160];
    uint32_t info_pa;
    int rc;

    if (size < 4)
        return;
    info_pa = fuzz_rd32(data);
    phys_set(data + 4, size - 4);
    rc = multiboot_parse(magic, info_pa, phys_map, &bi, err, sizeof(err));
    check_boot_info(rc, proto, info_pa, size - 4, &bi, err, sizeof(err));
    phys_reset();
}

#endif

/* Internals shared by the Multiboot 1 and 2 parsers (not a public API). */
#ifndef HV_BOOT_MB_PRIV_H
#define HV_BOOT_MB_PRIV_H

#include <stdbool.h>

#include "boot/multiboot.h"
#include "lib/string.h"

struct mb_ctx {
    boot_phys_map_fn map;
    struct boot_info *bi;
    char *err;
    size_t errlen;
    /* Basic memory figures (KiB), used only when there is no memory map. */
    bool have_meminfo;
    uint32_t mem_lower, mem_upper;
};

/* Formats the reason into ctx->err; always returns -1. */
int mb_fail(struct mb_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies the NUL-terminated string at physical 'pa' into dst (capacity
 * cap), reading it through the map callback. 0, or -1 with the reason set:
 * "<what> at 0x... is not readable" or "<what> is too long (...)". */
int mb_read_phys_string(struct mb_ctx *ctx, uint64_t pa, char *dst, size_t cap,
                        const char *what);

/* Copies a string that lies inside an already mapped buffer of 'avail'
 * bytes; it must end with a NUL within them. 0 or -1 with the reason set. */
int mb_copy_string(struct mb_ctx *ctx, const char *src, size_t avail, char *dst, size_t cap,
                   const char *what);

/* Removes leading and trailing blanks in place and, if drop_first_word,
 * the first word unless it contains '='. */
void mb_tidy_cmdline(char *s, bool drop_first_word);

/* Appends a range with a raw Multiboot type (1 usable, 3 ACPI, 4 NVS,
 * 5 bad, anything else reserved). */
int mb_add_mem(struct mb_ctx *ctx, uint64_t base, uint64_t len, uint32_t mb_type);

/* Claims the next module slot; NULL (reason set) if there are too many. */
struct boot_module *mb_new_module(struct mb_ctx *ctx, uint64_t start, uint64_t end);

static inline uint32_t mb_rd32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t mb_rd64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

int mb1_parse(struct mb_ctx *ctx, uint64_t info_pa);
int mb2_parse(struct mb_ctx *ctx, uint64_t info_pa);

#endif

/* Multiboot entry point and the helpers both protocol parsers share. */
#include "boot/multiboot.h"

#include <stdarg.h>

#include "boot/mb_priv.h"
#include "boot/memmap.h"
#include "lib/format.h"

#define PAGE_BYTES 4096u

int mb_fail(struct mb_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    if (ctx->errlen) {
        va_start(ap, fmt);
        fmt_vsnprintf(ctx->err, ctx->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int mb_read_phys_string(struct mb_ctx *ctx, uint64_t pa, char *dst, size_t cap,
                        const char *what)
{
    size_t n = 0;
    bool bytewise = false;

    /* Read up to the end of each page at once; if the callback refuses
     * that (the string may end just before unreadable memory), fall back
     * to single bytes. */
    while (n < cap) {
        uint64_t at = pa + n, chunk;
        const char *p = NULL;

        if (at < pa)
            break;
        chunk = PAGE_BYTES - at % PAGE_BYTES;
        if (chunk > cap - n)
            chunk = cap - n;
        if (!bytewise) {
            p = ctx->map(at, chunk);
            if (!p)
                bytewise = true;
        }
        if (!p) {
            chunk = 1;
            p = ctx->map(at, 1);
        }
        if (!p)
            return mb_fail(ctx, "%s at %#llx is not readable", what, (unsigned long long)pa);
        for (uint64_t i = 0; i < chunk; i++) {
            dst[n] = p[i];
            if (!p[i])
                return 0;
            n++;
        }
    }
    if (n < cap)
        return mb_fail(ctx, "%s at %#llx is not readable", what, (unsigned long long)pa);
    dst[cap - 1] = '\0';
    return mb_fail(ctx, "%s is too long (max %zu characters)", what, cap - 1);
}

int mb_copy_string(struct mb_ctx *ctx, const char *src, size_t avail, char *dst, size_t cap,
                   const char *what)
{
    size_t len = strnlen(src, avail);

    if (len == avail)
        return mb_fail(ctx, "%s is not NUL-terminated", what);
    if (len >= cap)
        return mb_fail(ctx, "%s is too long (max %zu characters)", what, cap - 1);
    memcpy(dst, src, len + 1);
    return 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void mb_tidy_cmdline(char *s, bool drop_first_word)
{
    char *p = s;
    size_t len;

    while (is_blank(*p))
        p++;
    if (drop_first_word) {
        char *w = p;
        bool has_eq = false;

        while (*w && !is_blank(*w))
            has_eq |= *w++ == '=';
        if (!has_eq) {
            p = w;
            while (is_blank(*p))
                p++;
        }
    }
    len = strlen(p);
    while (len && is_blank(p[len - 1]))
        len--;
    memmove(s, p, len);
    s[len] = '\0';
}

int mb_add_mem(struct mb_ctx *ctx, uint64_t base, uint64_t len, uint32_t mb_type)
{
    struct boot_info *bi = ctx->bi;
    struct boot_mem_range *r;

    if (bi->nr_mem >= BOOT_MAX_MEM_RANGES)
        return mb_fail(ctx, "memory map has more than %u entries", (unsigned)BOOT_MAX_MEM_RANGES);
    r = &bi->mem[bi->nr_mem++];
    r->base = base;
    r->len = len;
    switch (mb_type) {
    case 1: r->type = BOOT_MEM_USABLE; break;
    case 3: r->type = BOOT_MEM_ACPI; break;
    case 4: r->type = BOOT_MEM_NVS; break;
    case 5: r->type = BOOT_MEM_BAD; break;
    default: r->type = BOOT_MEM_RESERVED; break;
    }
    return 0;
}

struct boot_module *mb_new_module(struct mb_ctx *ctx, uint64_t start, uint64_t end)
{
    struct boot_info *bi = ctx->bi;
    struct boot_module *m;

    if (bi->nr_mod >= BOOT_MAX_MODULES) {
        mb_fail(ctx, "too many modules (max %u)", (unsigned)BOOT_MAX_MODULES);
        return NULL;
    }
    if (end < start) {
        mb_fail(ctx, "module %u: end %#llx is below start %#llx", bi->nr_mod,
                (unsigned long long)end, (unsigned long long)start);
        return NULL;
    }
    m = &bi->mod[bi->nr_mod++];
    m->start = start;
    m->end = end;
    m->cmdline[0] = '\0';
    return m;
}

static int finish_memory(struct mb_ctx *ctx)
{
    struct boot_info *bi = ctx->bi;

    if (bi->nr_mem == 0) {
        if (!ctx->have_meminfo)
            return mb_fail(ctx, "no memory map from the boot loader");
        if (mb_add_mem(ctx, 0, (uint64_t)ctx->mem_lower << 10, 1) ||
            mb_add_mem(ctx, 1ULL << 20, (uint64_t)ctx->mem_upper << 10, 1))
            return -1;
    }
    if (memmap_normalize(bi->mem, &bi->nr_mem, BOOT_MAX_MEM_RANGES))
        return mb_fail(ctx, "memory map needs more than %u entries once overlaps are resolved",
                       (unsigned)BOOT_MAX_MEM_RANGES);
    if (bi->nr_mem == 0)
        return mb_fail(ctx, "memory map from the boot loader is empty");
    return 0;
}

int multiboot_parse(uint32_t magic, uint64_t info_pa, boot_phys_map_fn map,
                    struct boot_info *bi, char *err, size_t errlen)
{
    struct mb_ctx ctx = { map, bi, err, errlen, false, 0, 0 };
    int rc;

    if (errlen)
        err[0] = '\0';
    memset(bi, 0, sizeof(*bi));
    switch (magic) {
    case MB1_BOOTLOADER_MAGIC:
        bi->proto = 1;
        rc = mb1_parse(&ctx, info_pa);
        break;
    case MB2_BOOTLOADER_MAGIC:
        bi->proto = 2;
        rc = mb2_parse(&ctx, info_pa);
        break;
    default:
        return mb_fail(&ctx, "not started by a Multiboot loader (magic %#x)", magic);
    }
    if (rc)
        return rc;
    return finish_memory(&ctx);
}

/* Multiboot 2 info: total_size, reserved, then 8-byte aligned tags, each
 * starting with u32 type and u32 size (header included), ending with a
 * tag of type 0. */
#include "boot/mb_priv.h"
#include "lib/format.h"

#define MB2_TAG_END          0
#define MB2_TAG_CMDLINE      1
#define MB2_TAG_LOADER_NAME  2
#define MB2_TAG_MODULE       3
#define MB2_TAG_BASIC_MEM    4
#define MB2_TAG_MMAP         6
#define MB2_TAG_ACPI_OLD     14
#define MB2_TAG_ACPI_NEW     15

#define MB2_HDR              8    /* total_size, reserved */
#define MB2_TAG_HDR          8    /* type, size */
#define MB2_MMAP_ENTRY_MIN   24   /* base, length, type, reserved */

static int parse_mmap(struct mb_ctx *ctx, const uint8_t *t, uint32_t size, uint64_t off)
{
    uint32_t entry_size, n;

    if (size < 16)
        return mb_fail(ctx, "memory map tag at offset %llu is too small (%u bytes)",
                       (unsigned long long)off, size);
    entry_size = mb_rd32(t + 8);
    if (entry_size < MB2_MMAP_ENTRY_MIN)
        return mb_fail(ctx, "memory map tag has entry_size %u (< %u)", entry_size,
                       MB2_MMAP_ENTRY_MIN);
    n = (size - 16) / entry_size;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = t + 16 + (size_t)i * entry_size;

        if (mb_add_mem(ctx, mb_rd64(e), mb_rd64(e + 8), mb_rd32(e + 16)))
            return -1;
    }
    return 0;
}

static int parse_module(struct mb_ctx *ctx, const uint8_t *t, uint32_t size, uint64_t off)
{
    struct boot_module *m;
    char what[32];

    if (size < 17)
        return mb_fail(ctx, "module tag at offset %llu is too small (%u bytes)",
                       (unsigned long long)off, size);
    fmt_snprintf(what, sizeof(what), "module %u: command line", ctx->bi->nr_mod);
    m = mb_new_module(ctx, mb_rd32(t + 8), mb_rd32(t + 12));
    if (!m)
        return -1;
    if (mb_copy_string(ctx, (const char *)t + 16, size - 16, m->cmdline, sizeof(m->cmdline), what))
        return -1;
    mb_tidy_cmdline(m->cmdline, false);
    return 0;
}

static void copy_rsdp(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
    uint32_t len = size - MB2_TAG_HDR;

    if (len > sizeof(bi->rsdp))
        len = sizeof(bi->rsdp);
    memcpy(bi->rsdp, t + MB2_TAG_HDR, len);
    bi->rsdp_len = len;
}

static int parse_tag(struct mb_ctx *ctx, const uint8_t *t, uint32_t type, uint32_t size,
                     uint64_t off, bool *have_new_rsdp)
{
    struct boot_info *bi = ctx->bi;

    switch (type) {
    case MB2_TAG_CMDLINE:
        if (mb_copy_string(ctx, (const char *)t + 8, size - 8, bi->cmdline, sizeof(bi->cmdline),
                           "command line"))
            return -1;
        mb_tidy_cmdline(bi->cmdline, false);
        return 0;
    case MB2_TAG_LOADER_NAME:
        return mb_copy_string(ctx, (const char *)t + 8, size - 8, bi->loader_name,
                              sizeof(bi->loader_name), "boot loader name");
    case MB2_TAG_MODULE:
        return parse_module(ctx, t, size, off);
    case MB2_TAG_BASIC_MEM:
        if (size < 16)
            return mb_fail(ctx, "basic memory tag at offset %llu is too small (%u bytes)",
                           (unsigned long long)off, size);
        ctx->have_meminfo = true;
        ctx->mem_lower = mb_rd32(t + 8);
        ctx->mem_upper = mb_rd32(t + 12);
        return 0;
    case MB2_TAG_MMAP:
        return parse_mmap(ctx, t, size, off);
    case MB2_TAG_ACPI_OLD:
        if (!*have_new_rsdp)
            copy_rsdp(bi, t, size);
        return 0;
    case MB2_TAG_ACPI_NEW:
        copy_rsdp(bi, t, size);
        *have_new_rsdp = true;
        return 0;
    default:
        return 0;   /* EFI, framebuffer, ELF sections, ...: not needed */
    }
}

int mb2_parse(struct mb_ctx *ctx, uint64_t info_pa)
{
    const uint8_t *info;
    uint32_t total;
    uint64_t off;
    bool have_new_rsdp = false;

    if (info_pa % 8)
        return mb_fail(ctx, "multiboot2 info at %#llx is not 8-byte aligned",
                       (unsigned long long)info_pa);
    info = ctx->map(info_pa, MB2_HDR);
    if (!info)
        return mb_fail(ctx, "multiboot2 info at %#llx is not readable",
                       (unsigned long long)info_pa);
    total = mb_rd32(info);
    if (total < MB2_HDR + MB2_TAG_HDR)
        return mb_fail(ctx, "multiboot2 info total_size %u is too small", total);
    info = ctx->map(info_pa, total);
    if (!info)
        return mb_fail(ctx, "multiboot2 info at %#llx (%u bytes) is not readable",
                       (unsigned long long)info_pa, total);
    ctx->bi->info_start = info_pa;
    ctx->bi->info_end = info_pa + total;

    for (off = MB2_HDR; off + MB2_TAG_HDR <= total; off = (off + 7) & ~7ULL) {
        const uint8_t *t = info + off;
        uint32_t type = mb_rd32(t), size = mb_rd32(t + 4);

        if (size < MB2_TAG_HDR)
            return mb_fail(ctx, "multiboot2 tag %u at offset %llu has size %u (< 8)", type,
                           (unsigned long long)off, size);
        if (size > total - off)
            return mb_fail(ctx,
                           "multiboot2 tag %u at offset %llu (size %u) runs past the end (%u)",
                           type, (unsigned long long)off, size, total);
        if (type == MB2_TAG_END)
            return 0;
        if (parse_tag(ctx, t, type, size, off, &have_new_rsdp))
            return -1;
        off += size;
    }
    return mb_fail(ctx, "multiboot2 info has no end tag");
}

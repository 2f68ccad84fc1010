/* Multiboot 1 info structure (flags-driven, fields at fixed offsets). */
#include "boot/mb_priv.h"
#include "lib/format.h"

/* Offsets in the fixed info structure. */
#define MB1_FLAGS        0
#define MB1_MEM_LOWER    4
#define MB1_MEM_UPPER    8
#define MB1_CMDLINE      16
#define MB1_MODS_COUNT   20
#define MB1_MODS_ADDR    24
#define MB1_MMAP_LENGTH  44
#define MB1_MMAP_ADDR    48
#define MB1_LOADER_NAME  64

/* Flag bits. */
#define MB1_F_MEM        (1u << 0)
#define MB1_F_CMDLINE    (1u << 2)
#define MB1_F_MODS       (1u << 3)
#define MB1_F_MMAP       (1u << 6)
#define MB1_F_LOADER     (1u << 9)

#define MB1_MOD_SIZE     16      /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_MIN     20      /* base (8), length (8), type (4) after 'size' */

/* How far the structure reaches when flag bit i is set: the end of the
 * fields that bit covers (mem, boot_device, cmdline, mods, a.out syms,
 * ELF syms, mmap, drives, config table, loader name, APM, VBE, framebuffer). */
static const uint8_t mb1_flag_extent[13] = { 12, 16, 20, 28, 44, 44, 52, 60, 64, 68, 72, 88, 116 };

static int parse_mmap(struct mb_ctx *ctx, uint32_t addr, uint32_t length)
{
    const uint8_t *m;
    uint64_t off = 0;

    if (!length)
        return 0;
    m = ctx->map(addr, length);
    if (!m)
        return mb_fail(ctx, "memory map at %#x (%u bytes) is not readable", addr, length);
    /* Each entry: u32 size (not counting itself), then base, length, type. */
    while (off < length) {
        uint32_t size;

        if (length - off < 4)
            return mb_fail(ctx, "memory map entry at offset %llu runs past the end (%u bytes)",
                           (unsigned long long)off, length);
        size = mb_rd32(m + off);
        if (size < MB1_MMAP_MIN)
            return mb_fail(ctx, "memory map entry at offset %llu is too small (size %u)",
                           (unsigned long long)off, size);
        if (size > length - off - 4)
            return mb_fail(ctx, "memory map entry at offset %llu runs past the end (%u bytes)",
                           (unsigned long long)off, length);
        if (mb_add_mem(ctx, mb_rd64(m + off + 4), mb_rd64(m + off + 12), mb_rd32(m + off + 20)))
            return -1;
        off += 4 + (uint64_t)size;
    }
    return 0;
}

static int parse_modules(struct mb_ctx *ctx, uint32_t addr, uint32_t count)
{
    const uint8_t *mods;

    if (!count)
        return 0;
    if (count > BOOT_MAX_MODULES)
        return mb_fail(ctx, "too many modules (%u, max %u)", count, (unsigned)BOOT_MAX_MODULES);
    mods = ctx->map(addr, (uint64_t)count * MB1_MOD_SIZE);
    if (!mods)
        return mb_fail(ctx, "module list at %#x is not readable", addr);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = mods + (size_t)i * MB1_MOD_SIZE;
        uint32_t string = mb_rd32(e + 8);
        struct boot_module *m = mb_new_module(ctx, mb_rd32(e), mb_rd32(e + 4));
        char what[32];

        if (!m)
            return -1;
        if (string) {
            fmt_snprintf(what, sizeof(what), "module %u: command line", i);
            if (mb_read_phys_string(ctx, string, m->cmdline, sizeof(m->cmdline), what))
                return -1;
            mb_tidy_cmdline(m->cmdline, true);
        }
    }
    return 0;
}

int mb1_parse(struct mb_ctx *ctx, uint64_t info_pa)
{
    struct boot_info *bi = ctx->bi;
    const uint8_t *info;
    uint32_t flags, extent = 4;

    info = ctx->map(info_pa, 4);
    if (!info)
        return mb_fail(ctx, "multiboot info at %#llx is not readable",
                       (unsigned long long)info_pa);
    flags = mb_rd32(info + MB1_FLAGS);
    for (unsigned i = 0; i < sizeof(mb1_flag_extent); i++) {
        if ((flags & (1u << i)) && mb1_flag_extent[i] > extent)
            extent = mb1_flag_extent[i];
    }
    info = ctx->map(info_pa, extent);
    if (!info)
        return mb_fail(ctx, "multiboot info at %#llx (%u bytes) is not readable",
                       (unsigned long long)info_pa, extent);
    bi->info_start = info_pa;
    bi->info_end = info_pa + extent;

    if (flags & MB1_F_MEM) {
        ctx->have_meminfo = true;
        ctx->mem_lower = mb_rd32(info + MB1_MEM_LOWER);
        ctx->mem_upper = mb_rd32(info + MB1_MEM_UPPER);
    }
    /* A string pointer of 0 is taken as "no string" here and for modules. */
    if ((flags & MB1_F_LOADER) && mb_rd32(info + MB1_LOADER_NAME)) {
        if (mb_read_phys_string(ctx, mb_rd32(info + MB1_LOADER_NAME), bi->loader_name,
                                sizeof(bi->loader_name), "boot loader name"))
            return -1;
    }
    if ((flags & MB1_F_CMDLINE) && mb_rd32(info + MB1_CMDLINE)) {
        if (mb_read_phys_string(ctx, mb_rd32(info + MB1_CMDLINE), bi->cmdline,
                                sizeof(bi->cmdline), "command line"))
            return -1;
        mb_tidy_cmdline(bi->cmdline, true);
    }
    if (flags & MB1_F_MODS) {
        if (parse_modules(ctx, mb_rd32(info + MB1_MODS_ADDR), mb_rd32(info + MB1_MODS_COUNT)))
            return -1;
    }
    if (flags & MB1_F_MMAP) {
        if (parse_mmap(ctx, mb_rd32(info + MB1_MMAP_ADDR), mb_rd32(info + MB1_MMAP_LENGTH)))
            return -1;
    }
    return 0;
}

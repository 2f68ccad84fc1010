/* Tests for hv/boot/multiboot.c, mb1.c, mb2.c and memmap.c.
 *
 * "Physical memory" is a buffer; the map callback hands out a fresh heap
 * copy of exactly the requested range, so AddressSanitizer catches any read
 * beyond what the parser asked for. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "boot/memmap.h"
#include "boot/multiboot.h"
#include "test.h"

#define PHYS_SIZE 0x40000u
static uint8_t phys[PHYS_SIZE];
static uint64_t hole_start, hole_end;      /* an extra unreadable range */

static void *copies[4096];
static unsigned nr_copies, nr_map_calls;

static const void *map_copy(uint64_t pa, uint64_t len)
{
    void *c;

    nr_map_calls++;
    if (len == 0 || pa >= PHYS_SIZE || len > PHYS_SIZE - pa)
        return NULL;
    if (pa < hole_end && pa + len > hole_start)
        return NULL;
    if (nr_copies == sizeof(copies) / sizeof(copies[0]))
        return NULL;
    c = malloc(len);
    memcpy(c, phys + pa, len);
    copies[nr_copies++] = c;
    return c;
}

static void reset_phys(void)
{
    for (unsigned i = 0; i < nr_copies; i++)
        free(copies[i]);
    nr_copies = 0;
    nr_map_calls = 0;
    hole_start = hole_end = 0;
    memset(phys, 0, sizeof(phys));
}

static void put32(uint64_t pa, uint32_t v) { memcpy(phys + pa, &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(phys + pa, &v, 8); }
static void put_str(uint64_t pa, const char *s) { memcpy(phys + pa, s, strlen(s) + 1); }

static struct boot_info bi;
static char err[256];

static int parse(uint32_t magic, uint64_t pa)
{
    memset(err, 'X', sizeof(err));
    err[sizeof(err) - 1] = '\0';
    return multiboot_parse(magic, pa, map_copy, &bi, err, sizeof(err));
}

static void check_range(int line, unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
    if (i >= bi.nr_mem) {
        test_fail(__FILE__, line, "range %u missing (nr_mem %u)", i, bi.nr_mem);
        return;
    }
    if (bi.mem[i].base != base || bi.mem[i].len != len || bi.mem[i].type != type)
        test_fail(__FILE__, line, "range %u is %#llx+%#llx type %u, want %#llx+%#llx type %u", i,
                  (unsigned long long)bi.mem[i].base, (unsigned long long)bi.mem[i].len,
                  bi.mem[i].type, (unsigned long long)base, (unsigned long long)len, type);
}
#define CHECK_RANGE(i, b, l, t) check_range(__LINE__, i, b, l, t)

/* ------------------------------------------------------------------ mb1 */

#define MB1_INFO 0x1000u
#define MB1_MMAP 0x2000u
#define MB1_MODS 0x3000u
#define MB1_STRS 0x4000u

struct mb1_e820 { uint64_t base, len; uint32_t type; };

/* Builds an mb1 info block; entries use 'entry_size' (the 'size' field). */
static void mb1_build(uint32_t flags, const char *cmdline, const char *loader,
                      const struct mb1_e820 *map, unsigned nr_map, uint32_t entry_size,
                      const char *const *mod_cmdlines, unsigned nr_mods)
{
    uint64_t s = MB1_STRS, off = 0;

    put32(MB1_INFO + 0, flags);
    put32(MB1_INFO + 4, 639);
    put32(MB1_INFO + 8, 65536);
    if (cmdline) {
        put32(MB1_INFO + 16, (uint32_t)s);
        put_str(s, cmdline);
        s += strlen(cmdline) + 1;
    }
    if (loader) {
        put32(MB1_INFO + 64, (uint32_t)s);
        put_str(s, loader);
        s += strlen(loader) + 1;
    }
    for (unsigned i = 0; i < nr_map; i++) {
        put32(MB1_MMAP + off, entry_size);
        put64(MB1_MMAP + off + 4, map[i].base);
        put64(MB1_MMAP + off + 12, map[i].len);
        put32(MB1_MMAP + off + 20, map[i].type);
        off += 4 + entry_size;
    }
    put32(MB1_INFO + 44, (uint32_t)off);
    put32(MB1_INFO + 48, MB1_MMAP);
    put32(MB1_INFO + 20, nr_mods);
    put32(MB1_INFO + 24, MB1_MODS);
    for (unsigned i = 0; i < nr_mods; i++) {
        put32(MB1_MODS + 16 * i, 0x100000 + 0x10000 * i);
        put32(MB1_MODS + 16 * i + 4, 0x100000 + 0x10000 * i + 0x1234);
        if (mod_cmdlines && mod_cmdlines[i]) {
            put32(MB1_MODS + 16 * i + 8, (uint32_t)s);
            put_str(s, mod_cmdlines[i]);
            s += strlen(mod_cmdlines[i]) + 1;
        }
    }
}

static const struct mb1_e820 qemu_map[] = {
    { 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
    { 0x100000, 0x7ee0000, 1 }, { 0x7fe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 },
};

static void test_mb1_normal(void)
{
    static const char *const mods[] = { "/boot/vmlinuz root=/dev/xvda1 ro  ", "/boot/initrd.img" };

    reset_phys();
    mb1_build(0x24f, "/boot/xenolith.gz  loglvl=4 console=com1 ", "GRUB 2.06",
              qemu_map, 6, 20, mods, 2);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.proto, 1);
    CHECK_STR(bi.cmdline, "loglvl=4 console=com1");
    CHECK_STR(bi.loader_name, "GRUB 2.06");
    CHECK_EQ(bi.nr_mod, 2);
    CHECK_EQ(bi.mod[0].start, 0x100000);
    CHECK_EQ(bi.mod[0].end, 0x101234);
    CHECK_STR(bi.mod[0].cmdline, "root=/dev/xvda1 ro");
    CHECK_EQ(bi.mod[1].start, 0x110000);
    CHECK_STR(bi.mod[1].cmdline, "");
    CHECK_EQ(bi.nr_mem, 6);
    for (unsigned i = 0; i < 6; i++)
        CHECK_RANGE(i, qemu_map[i].base, qemu_map[i].len, qemu_map[i].type);
    CHECK_EQ(bi.info_start, MB1_INFO);
    CHECK_EQ(bi.info_end, MB1_INFO + 68);     /* up to the loader name field */
    CHECK_EQ(bi.rsdp_len, 0);
}

static void test_mb1_first_word(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "xen.elf", "" },
        { "/xenolith loglvl=4", "loglvl=4" },
        { "loglvl=4 verbose", "loglvl=4 verbose" },     /* no file name given */
        { "   kernel   a  b   ", "a  b" },
        { "", "" },
        { "  ", "" },
        { "\tkernel\targ\t", "arg" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *mods[] = { cases[i].in };

        reset_phys();
        mb1_build(0x4d, cases[i].in, NULL, qemu_map, 6, 20, mods, 1);
        CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
        if (strcmp(bi.cmdline, cases[i].out) || strcmp(bi.mod[0].cmdline, cases[i].out))
            test_fail(__FILE__, __LINE__, "'%s' gave '%s' / '%s', want '%s'", cases[i].in,
                      bi.cmdline, bi.mod[0].cmdline, cases[i].out);
    }
    CHECK_STR(bi.loader_name, "");
    CHECK_EQ(bi.info_end, MB1_INFO + 52);
}

static void test_mb1_entry_size_and_meminfo(void)
{
    /* Larger entries: the extra bytes are skipped. */
    reset_phys();
    mb1_build(0x41, NULL, NULL, qemu_map, 6, 28, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.nr_mem, 6);
    CHECK_RANGE(3, 0x100000, 0x7ee0000, 1);
    CHECK_EQ(bi.nr_mod, 0);
    CHECK_STR(bi.cmdline, "");

    /* Only mem_lower/mem_upper. */
    reset_phys();
    mb1_build(0x1, NULL, NULL, NULL, 0, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.nr_mem, 2);
    CHECK_RANGE(0, 0, 639 * 1024, BOOT_MEM_USABLE);
    CHECK_RANGE(1, 0x100000, 65536ULL * 1024, BOOT_MEM_USABLE);
    CHECK_EQ(bi.info_end, MB1_INFO + 12);

    /* mmap flag with a zero-length map falls back to meminfo too. */
    reset_phys();
    mb1_build(0x41, NULL, NULL, NULL, 0, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.nr_mem, 2);

    /* No memory information at all. */
    reset_phys();
    mb1_build(0x4, "x", NULL, NULL, 0, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "no memory map from the boot loader");

    /* Found by fuzz-host/multiboot1: a map (or meminfo) whose ranges are all
     * empty used to succeed with nr_mem 0. */
    static const struct mb1_e820 empty[] = { { 0x100000, 0, 1 }, { 0, 0, 2 } };
    reset_phys();
    mb1_build(0x40, NULL, NULL, empty, 2, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "memory map from the boot loader is empty");
    reset_phys();
    mb1_build(0x1, NULL, NULL, NULL, 0, 20, NULL, 0);
    put32(MB1_INFO + 4, 0);
    put32(MB1_INFO + 8, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "memory map from the boot loader is empty");
}

static void test_mb1_overlapping_map(void)
{
    static const struct mb1_e820 messy[] = {
        { 0x100000, 0x700000, 1 },      /* usable 1M..8M */
        { 0, 0xa0000, 1 },
        { 0x200000, 0x1000, 2 },        /* reserved hole inside usable */
        { 0x9f000, 0x2000, 2 },         /* reserved overlapping the end of low RAM */
        { 0x500000, 0, 2 },             /* empty: dropped */
        { 0x700000, 0x200000, 3 },      /* ACPI straddling the end of RAM */
        { 0x800000, 0x100000, 1 },      /* usable under that ACPI tail, then beyond */
        { 0x900000, 0x100000, 1 },      /* touching: merged */
        { 0x50000, 0x1000, 1 },         /* inside usable: absorbed */
    };

    reset_phys();
    mb1_build(0x40, NULL, NULL, messy, 9, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.nr_mem, 7);
    CHECK_RANGE(0, 0, 0x9f000, BOOT_MEM_USABLE);
    CHECK_RANGE(1, 0x9f000, 0x2000, BOOT_MEM_RESERVED);
    CHECK_RANGE(2, 0x100000, 0x100000, BOOT_MEM_USABLE);
    CHECK_RANGE(3, 0x200000, 0x1000, BOOT_MEM_RESERVED);
    CHECK_RANGE(4, 0x201000, 0x4ff000, BOOT_MEM_USABLE);
    CHECK_RANGE(5, 0x700000, 0x200000, BOOT_MEM_ACPI);
    CHECK_RANGE(6, 0x900000, 0x100000, BOOT_MEM_USABLE);
}

static void test_mb1_bad_pointers(void)
{
    static const char *const mods[] = { "m0", "m1", "m2" };

    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 3);
    put32(MB1_MODS + 16 * 2 + 8, 0x7fff0000);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "module 2: command line at 0x7fff0000 is not readable");

    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 3);
    put32(MB1_INFO + 16, PHYS_SIZE + 5);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_CONTAINS(err, "command line at 0x40005 is not readable");

    reset_phys();
    mb1_build(0x24d, "x", "grub", qemu_map, 6, 20, mods, 3);
    put32(MB1_INFO + 64, 0xffffffff);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_CONTAINS(err, "boot loader name at 0xffffffff is not readable");

    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 3);
    put32(MB1_INFO + 24, PHYS_SIZE - 16);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_CONTAINS(err, "module list at");

    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 3);
    put32(MB1_INFO + 48, PHYS_SIZE - 20);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_CONTAINS(err, "memory map at");

    reset_phys();
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, PHYS_SIZE), -1);
    CHECK_CONTAINS(err, "multiboot info at 0x40000 is not readable");

    /* The info block is readable for the flags but not for the fields. */
    reset_phys();
    put32(PHYS_SIZE - 8, 0x240);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, PHYS_SIZE - 8), -1);
    CHECK_CONTAINS(err, "(68 bytes) is not readable");

    reset_phys();
    CHECK_EQ(parse(0x12345678, MB1_INFO), -1);
    CHECK_STR(err, "not started by a Multiboot loader (magic 0x12345678)");

    /* A module ending before it starts. */
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 3);
    put32(MB1_MODS + 16 + 4, 0x1000);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "module 1: end 0x1000 is below start 0x110000");

    /* Null string pointers mean "no string". */
    reset_phys();
    mb1_build(0x24d, "k a=1", "grub", qemu_map, 6, 20, mods, 1);
    put32(MB1_INFO + 16, 0);
    put32(MB1_INFO + 64, 0);
    put32(MB1_MODS + 8, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_STR(bi.cmdline, "");
    CHECK_STR(bi.loader_name, "");
    CHECK_STR(bi.mod[0].cmdline, "");

    /* An empty module (end == start) is fine. */
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 1);
    put32(MB1_MODS + 4, 0x100000);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
}

static void test_mb1_limits(void)
{
    static char longstr[1200];
    const char *mods[BOOT_MAX_MODULES + 1];
    char want[64];

    CHECK_EQ(BOOT_MAX_MODULES, 64);
    for (unsigned i = 0; i < BOOT_MAX_MODULES + 1; i++)
        mods[i] = "m";
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, BOOT_MAX_MODULES + 1);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    snprintf(want, sizeof(want), "too many modules (%u, max %u)", BOOT_MAX_MODULES + 1, BOOT_MAX_MODULES);
    CHECK_STR(err, want);
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, BOOT_MAX_MODULES);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.nr_mod, BOOT_MAX_MODULES);
    CHECK_STR(bi.mod[BOOT_MAX_MODULES - 1].cmdline, "");
    CHECK_EQ(bi.mod[BOOT_MAX_MODULES - 1].start, 0x100000 + 0x10000 * (BOOT_MAX_MODULES - 1));

    /* 1023 characters fit, 1024 do not. */
    memset(longstr, 'a', sizeof(longstr));
    longstr[1023] = '\0';
    reset_phys();
    mb1_build(0x4d, longstr, NULL, qemu_map, 6, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_STR(bi.cmdline, "");                /* one word: the "file name" */
    longstr[1023] = 'a';
    longstr[1024] = '\0';
    reset_phys();
    mb1_build(0x4d, longstr, NULL, qemu_map, 6, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "command line is too long (max 1023 characters)");

    reset_phys();
    mods[0] = longstr;
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, mods, 1);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "module 0: command line is too long (max 1023 characters)");

    longstr[64] = '\0';
    reset_phys();
    mb1_build(0x24d, "x", longstr, qemu_map, 6, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "boot loader name is too long (max 63 characters)");

    /* A string that ends right before unreadable memory. */
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, NULL, 0);
    put_str(PHYS_SIZE - 12, "k a=1 b=2");
    put32(MB1_INFO + 16, PHYS_SIZE - 12);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_STR(bi.cmdline, "a=1 b=2");
    /* ... and one that runs into it. */
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, NULL, 0);
    memset(phys + PHYS_SIZE - 4, 'z', 4);
    put32(MB1_INFO + 16, PHYS_SIZE - 4);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "command line at 0x3fffc is not readable");
    /* ... or into a hole in the middle of a page. */
    reset_phys();
    mb1_build(0x4d, "x", NULL, qemu_map, 6, 20, NULL, 0);
    put_str(0x8000, "kernel opt=1 other=2");
    put32(MB1_INFO + 16, 0x8000);
    hole_start = 0x8008;
    hole_end = 0x8010;
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "command line at 0x8000 is not readable");
}

static void test_mb1_bad_mmap(void)
{
    reset_phys();
    mb1_build(0x41, NULL, NULL, qemu_map, 6, 20, NULL, 0);
    put32(MB1_MMAP + 24, 16);                 /* second entry's size */
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "memory map entry at offset 24 is too small (size 16)");

    reset_phys();
    mb1_build(0x41, NULL, NULL, qemu_map, 6, 20, NULL, 0);
    put32(MB1_INFO + 44, 6 * 24 - 1);         /* last entry cut short */
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "memory map entry at offset 120 runs past the end (143 bytes)");

    reset_phys();
    mb1_build(0x41, NULL, NULL, qemu_map, 6, 20, NULL, 0);
    put32(MB1_INFO + 44, 6 * 24 + 2);         /* stray bytes after the last entry */
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_CONTAINS(err, "memory map entry at offset 144 runs past the end");

    /* 129 entries. */
    static struct mb1_e820 many[129];
    for (unsigned i = 0; i < 129; i++)
        many[i] = (struct mb1_e820){ i * 0x2000ULL, 0x1000, 1 };
    reset_phys();
    mb1_build(0x41, NULL, NULL, many, 129, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), -1);
    CHECK_STR(err, "memory map has more than 128 entries");
    reset_phys();
    mb1_build(0x41, NULL, NULL, many, 128, 20, NULL, 0);
    CHECK_EQ(parse(MB1_BOOTLOADER_MAGIC, MB1_INFO), 0);
    CHECK_EQ(bi.nr_mem, 128);
}

/* ------------------------------------------------------------------ mb2 */

#define MB2_INFO 0x10000u

static uint64_t mb2_pos;

static void mb2_begin(void)
{
    mb2_pos = MB2_INFO + 8;
}

/* Appends a tag with 'len' payload bytes; returns the payload's address. */
static uint64_t mb2_tag(uint32_t type, const void *payload, uint32_t len)
{
    uint64_t at = mb2_pos;

    put32(at, type);
    put32(at + 4, 8 + len);
    if (payload)
        memcpy(phys + at + 8, payload, len);
    mb2_pos = (at + 8 + len + 7) & ~7ULL;
    return at + 8;
}

static void mb2_str_tag(uint32_t type, const char *s)
{
    mb2_tag(type, s, (uint32_t)strlen(s) + 1);
}

static void mb2_module(uint32_t start, uint32_t end, const char *s)
{
    uint8_t buf[1300];
    uint32_t n = (uint32_t)strlen(s) + 1;

    memcpy(buf, &start, 4);
    memcpy(buf + 4, &end, 4);
    memcpy(buf + 8, s, n);
    mb2_tag(3, buf, 8 + n);
}

static void mb2_mmap(const struct mb1_e820 *map, unsigned n, uint32_t entry_size)
{
    uint8_t buf[8 + 40 * 32];
    uint32_t ver = 0;

    memset(buf, 0, sizeof(buf));
    memcpy(buf, &entry_size, 4);
    memcpy(buf + 4, &ver, 4);
    for (unsigned i = 0; i < n; i++) {
        memcpy(buf + 8 + i * entry_size, &map[i].base, 8);
        memcpy(buf + 8 + i * entry_size + 8, &map[i].len, 8);
        memcpy(buf + 8 + i * entry_size + 16, &map[i].type, 4);
    }
    mb2_tag(6, buf, 8 + n * entry_size);
}

static uint32_t mb2_end(void)
{
    uint32_t total;

    mb2_tag(0, NULL, 0);
    total = (uint32_t)(mb2_pos - MB2_INFO);
    put32(MB2_INFO, total);
    put32(MB2_INFO + 4, 0);
    return total;
}

static void test_mb2_normal(void)
{
    uint32_t meminfo[2] = { 639, 1000 };
    uint8_t rsdp1[20], rsdp2[36], efi[16];
    uint32_t total;

    for (unsigned i = 0; i < 36; i++)
        rsdp2[i] = (uint8_t)(0x80 + i);
    memset(rsdp1, 0x11, sizeof(rsdp1));
    memset(efi, 0xee, sizeof(efi));

    reset_phys();
    mb2_begin();
    mb2_str_tag(1, " loglvl=4 console=com1 ");
    mb2_str_tag(2, "GRUB 2.06-13+deb12u1");
    mb2_tag(4, meminfo, 8);
    mb2_module(0x200000, 0x2abcde, "root=/dev/xvda1 ro");
    mb2_module(0x300000, 0x380000, "");
    mb2_mmap(qemu_map, 6, 24);
    mb2_tag(15, rsdp2, 36);
    mb2_tag(14, rsdp1, 20);                   /* the v2 copy wins regardless of order */
    mb2_tag(12, efi, 16);                     /* EFI 64-bit system table: ignored */
    mb2_tag(17, efi, 16);                     /* EFI memory map: ignored */
    total = mb2_end();

    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_EQ(bi.proto, 2);
    CHECK_STR(bi.cmdline, "loglvl=4 console=com1");
    CHECK_STR(bi.loader_name, "GRUB 2.06-13+deb12u1");
    CHECK_EQ(bi.nr_mod, 2);
    CHECK_EQ(bi.mod[0].start, 0x200000);
    CHECK_EQ(bi.mod[0].end, 0x2abcde);
    CHECK_STR(bi.mod[0].cmdline, "root=/dev/xvda1 ro");
    CHECK_STR(bi.mod[1].cmdline, "");
    CHECK_EQ(bi.nr_mem, 6);                   /* the map wins over meminfo */
    for (unsigned i = 0; i < 6; i++)
        CHECK_RANGE(i, qemu_map[i].base, qemu_map[i].len, qemu_map[i].type);
    CHECK_EQ(bi.info_start, MB2_INFO);
    CHECK_EQ(bi.info_end, MB2_INFO + total);
    CHECK_EQ(bi.rsdp_len, 36);
    CHECK(memcmp(bi.rsdp, rsdp2, 36) == 0);

    /* Only the old RSDP. */
    reset_phys();
    mb2_begin();
    mb2_mmap(qemu_map, 6, 24);
    mb2_tag(14, rsdp1, 20);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_EQ(bi.rsdp_len, 20);
    CHECK(memcmp(bi.rsdp, rsdp1, 20) == 0);
    CHECK_STR(bi.cmdline, "");
    CHECK_STR(bi.loader_name, "");
}

static void test_mb2_keeps_first_word(void)
{
    reset_phys();
    mb2_begin();
    mb2_str_tag(1, "verbose loglvl=4");
    mb2_module(0x200000, 0x200000, "  first second ");
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_STR(bi.cmdline, "verbose loglvl=4");
    CHECK_STR(bi.mod[0].cmdline, "first second");
}

static void test_mb2_meminfo_and_missing(void)
{
    uint32_t meminfo[2] = { 636, 261056 };

    reset_phys();
    mb2_begin();
    mb2_tag(4, meminfo, 8);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_EQ(bi.nr_mem, 2);
    CHECK_RANGE(0, 0, 636 * 1024, BOOT_MEM_USABLE);
    CHECK_RANGE(1, 0x100000, 261056ULL * 1024, BOOT_MEM_USABLE);

    reset_phys();
    mb2_begin();
    mb2_str_tag(1, "x");
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "no memory map from the boot loader");

    /* Larger map entries, and an unsorted, overlapping map. */
    static const struct mb1_e820 messy[] = {
        { 0x100000, 0x100000, 1 }, { 0, 0x1000, 4 }, { 0x180000, 0x200000, 5 }, { 0x0, 0x9f000, 1 },
    };
    reset_phys();
    mb2_begin();
    mb2_mmap(messy, 4, 32);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_EQ(bi.nr_mem, 4);
    CHECK_RANGE(0, 0, 0x1000, BOOT_MEM_NVS);
    CHECK_RANGE(1, 0x1000, 0x9e000, BOOT_MEM_USABLE);
    CHECK_RANGE(2, 0x100000, 0x80000, BOOT_MEM_USABLE);
    CHECK_RANGE(3, 0x180000, 0x200000, BOOT_MEM_BAD);
}

static void test_mb2_bad_structure(void)
{
    uint32_t total;

    /* Tag running past total_size. */
    reset_phys();
    mb2_begin();
    mb2_mmap(qemu_map, 6, 24);
    total = mb2_end();
    put32(MB2_INFO + 8 + 4, total);
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_CONTAINS(err, "multiboot2 tag 6 at offset 8");
    CHECK_CONTAINS(err, "runs past the end");

    /* Tag smaller than its header. */
    reset_phys();
    mb2_begin();
    mb2_str_tag(1, "abc");
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    put32(MB2_INFO + 8 + 4, 4);
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "multiboot2 tag 1 at offset 8 has size 4 (< 8)");

    /* No end tag within total_size. */
    reset_phys();
    mb2_begin();
    mb2_mmap(qemu_map, 6, 24);
    total = mb2_end();
    put32(MB2_INFO, total - 8);
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "multiboot2 info has no end tag");

    /* total_size too small, too big, misaligned info. */
    reset_phys();
    put32(MB2_INFO, 8);
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "multiboot2 info total_size 8 is too small");
    reset_phys();
    mb2_begin();
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    put32(MB2_INFO, PHYS_SIZE);
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_CONTAINS(err, "is not readable");
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO + 4), -1);
    CHECK_STR(err, "multiboot2 info at 0x10004 is not 8-byte aligned");
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, PHYS_SIZE), -1);
    CHECK_STR(err, "multiboot2 info at 0x40000 is not readable");

    /* Command line not NUL-terminated inside its tag. */
    reset_phys();
    mb2_begin();
    mb2_tag(1, "abcdefgh", 8);
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "command line is not NUL-terminated");

    /* Module tags: too small, string not terminated, end < start. */
    reset_phys();
    mb2_begin();
    mb2_tag(3, "\0\0\0\0\0\0\0", 8);
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "module tag at offset 8 is too small (16 bytes)");
    reset_phys();
    mb2_begin();
    mb2_module(0x1000, 0x2000, "ok");
    mb2_module(0x1000, 0x2000, "abc");
    put32(MB2_INFO + 8 + 24 + 4, 8 + 8 + 3); /* second tag loses its NUL */
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "module 1: command line is not NUL-terminated");
    reset_phys();
    mb2_begin();
    mb2_module(0x3000, 0x2000, "x");
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "module 0: end 0x2000 is below start 0x3000");

    /* Memory map with entries too small; meminfo tag too small. */
    reset_phys();
    mb2_begin();
    mb2_mmap(qemu_map, 6, 20);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "memory map tag has entry_size 20 (< 24)");
    reset_phys();
    mb2_begin();
    mb2_tag(4, "\1\0\0\0", 4);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_CONTAINS(err, "basic memory tag at offset 8 is too small");
}

static void test_mb2_limits(void)
{
    static char longstr[1100];

    reset_phys();
    mb2_begin();
    for (unsigned i = 0; i < BOOT_MAX_MODULES + 1; i++)
        mb2_module(0x100000 * i, 0x100000 * i + 10, "m");
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "too many modules (max 64)");
    reset_phys();
    mb2_begin();
    for (unsigned i = 0; i < BOOT_MAX_MODULES; i++)
        mb2_module(0x100000 * i, 0x100000 * i + 10, "m x");
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_EQ(bi.nr_mod, BOOT_MAX_MODULES);
    CHECK_STR(bi.mod[BOOT_MAX_MODULES - 1].cmdline, "m x");

    memset(longstr, 'b', sizeof(longstr));
    longstr[1024] = '\0';
    reset_phys();
    mb2_begin();
    mb2_str_tag(1, longstr);
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "command line is too long (max 1023 characters)");

    reset_phys();
    mb2_begin();
    mb2_module(0, 1, longstr);
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "module 0: command line is too long (max 1023 characters)");

    longstr[1023] = '\0';
    reset_phys();
    mb2_begin();
    mb2_str_tag(1, longstr);
    mb2_module(0, 1, longstr);
    longstr[63] = '\0';
    mb2_str_tag(2, longstr);
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), 0);
    CHECK_EQ(strlen(bi.cmdline), 1023);
    CHECK_EQ(strlen(bi.mod[0].cmdline), 1023);
    CHECK_EQ(strlen(bi.loader_name), 63);

    longstr[63] = 'b';
    longstr[64] = '\0';
    reset_phys();
    mb2_begin();
    mb2_str_tag(2, longstr);
    mb2_mmap(qemu_map, 6, 24);
    mb2_end();
    CHECK_EQ(parse(MB2_BOOTLOADER_MAGIC, MB2_INFO), -1);
    CHECK_STR(err, "boot loader name is too long (max 63 characters)");
}

static void test_error_buffer(void)
{
    char small[8];

    reset_phys();
    CHECK_EQ(multiboot_parse(0, 0, map_copy, &bi, small, sizeof(small)), -1);
    CHECK_STR(small, "not sta");
    CHECK_EQ(multiboot_parse(0, 0, map_copy, &bi, NULL, 0), -1);
}

/* -------------------------------------------------------------- memmap */

static void test_memmap_cases(void)
{
    struct boot_mem_range r[8];
    unsigned n;

    /* Usable with a reserved range in the middle: split into three. */
    r[0] = (struct boot_mem_range){ 0, 0x1000, 1 };
    r[1] = (struct boot_mem_range){ 0x400, 0x100, 2 };
    n = 2;
    CHECK_EQ(memmap_normalize(r, &n, 8), 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(r[0].len, 0x400);
    CHECK_EQ(r[1].type, 2);
    CHECK_EQ(r[2].base, 0x500);
    CHECK_EQ(r[2].len, 0xb00);
    CHECK_EQ(r[2].type, 1);

    /* ... but not if there is no room. */
    r[0] = (struct boot_mem_range){ 0, 0x1000, 1 };
    r[1] = (struct boot_mem_range){ 0x400, 0x100, 2 };
    n = 2;
    CHECK_EQ(memmap_normalize(r, &n, 2), -1);

    /* Same base, different types; the higher rank wins. */
    r[0] = (struct boot_mem_range){ 0x1000, 0x1000, 3 };
    r[1] = (struct boot_mem_range){ 0x1000, 0x2000, 4 };
    r[2] = (struct boot_mem_range){ 0x1000, 0x800, 1 };
    n = 3;
    CHECK_EQ(memmap_normalize(r, &n, 8), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(r[0].base, 0x1000);
    CHECK_EQ(r[0].len, 0x2000);
    CHECK_EQ(r[0].type, 4);

    /* Unknown types rank as reserved (the earlier one keeps a tie);
     * running past 2^64 is cut. */
    r[0] = (struct boot_mem_range){ 0xfffffffffffff000ULL, 0x2000, 1 };
    r[1] = (struct boot_mem_range){ 0x10, 0x10, 7 };
    r[2] = (struct boot_mem_range){ 0x18, 0x10, 2 };
    n = 3;
    CHECK_EQ(memmap_normalize(r, &n, 8), 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(r[0].base, 0x10);
    CHECK_EQ(r[0].len, 0x10);
    CHECK_EQ(r[0].type, 7);
    CHECK_EQ(r[1].base, 0x20);
    CHECK_EQ(r[1].len, 0x8);
    CHECK_EQ(r[1].type, 2);
    CHECK_EQ(r[2].len, 0xfff);

    n = 0;
    CHECK_EQ(memmap_normalize(r, &n, 8), 0);
    CHECK_EQ(n, 0);
}

/* Random maps over a small address space, checked address by address
 * against the rule "highest rank wins", and for canonical form. */
static void test_memmap_random(void)
{
    static const unsigned rank[6] = { 9, 0, 3, 1, 2, 4 };   /* index: type 1..5 */
    uint64_t seed = 777;

    for (int iter = 0; iter < 3000 && !test_cur_failed; iter++) {
        struct boot_mem_range r[64];
        uint8_t want[320];
        unsigned n = 0, got_n;

        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned count = (unsigned)((seed >> 33) % 12);
        memset(want, 0, sizeof(want));
        for (unsigned i = 0; i < count; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint64_t base = (seed >> 20) % 200, len = (seed >> 40) % 60;
            uint32_t type = (uint32_t)((seed >> 50) % 5) + 1;
            r[n++] = (struct boot_mem_range){ base, len, type };
            for (uint64_t a = base; a < base + len; a++)
                if (!want[a] || rank[type] > rank[want[a]])
                    want[a] = (uint8_t)type;
        }
        got_n = n;
        CHECK_EQ(memmap_normalize(r, &got_n, 64), 0);

        uint8_t got[320];
        memset(got, 0, sizeof(got));
        for (unsigned i = 0; i < got_n; i++) {
            CHECK(r[i].len > 0);
            if (i > 0) {
                uint64_t prev_end = r[i - 1].base + r[i - 1].len;
                CHECK(r[i].base >= prev_end);
                CHECK(!(r[i].base == prev_end && r[i].type == r[i - 1].type));
            }
            for (uint64_t a = r[i].base; a < r[i].base + r[i].len && a < sizeof(got); a++)
                got[a] = (uint8_t)r[i].type;
        }
        if (memcmp(got, want, sizeof(got)) != 0)
            test_fail(__FILE__, __LINE__, "iteration %d: wrong normalised map", iter);
    }
}

int main(void)
{
    RUN_TEST(test_mb1_normal);
    RUN_TEST(test_mb1_first_word);
    RUN_TEST(test_mb1_entry_size_and_meminfo);
    RUN_TEST(test_mb1_overlapping_map);
    RUN_TEST(test_mb1_bad_pointers);
    RUN_TEST(test_mb1_limits);
    RUN_TEST(test_mb1_bad_mmap);
    RUN_TEST(test_mb2_normal);
    RUN_TEST(test_mb2_keeps_first_word);
    RUN_TEST(test_mb2_meminfo_and_missing);
    RUN_TEST(test_mb2_bad_structure);
    RUN_TEST(test_mb2_limits);
    RUN_TEST(test_error_buffer);
    RUN_TEST(test_memmap_cases);
    RUN_TEST(test_memmap_random);
    reset_phys();
    return test_main_result();
}

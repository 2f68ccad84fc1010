/* Tests for hv/dom/elf.c and elf_notes.c, on ELF images built here. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "dom/elf.h"
#include "dom/elf_features.h"
#include "test.h"

/* Image layout used by the builder. */
#define OFF_PHDR   64u          /* up to 20 program headers */
#define OFF_NOTES  0x600u
#define OFF_SHDR   0xc00u       /* up to 8 section headers */
#define OFF_TEXT   0x1000u
#define TEXT_SIZE  0x3000u
#define IMG_SIZE   0x4000u

enum { NOTES_NONE, NOTES_SEGMENT, NOTES_SECTION, NOTES_BOTH_SEGMENT_EMPTY };

struct img {
    uint8_t b[IMG_SIZE];
    size_t size;
    unsigned phnum, shnum;
    uint32_t notes_len;
};

static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void w64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void img_init(struct img *m, uint64_t entry)
{
    memset(m, 0, sizeof(*m));
    m->size = IMG_SIZE;
    memcpy(m->b, "\x7f" "ELF", 4);
    m->b[4] = 2;                  /* ELFCLASS64 */
    m->b[5] = 1;                  /* little endian */
    m->b[6] = 1;                  /* EV_CURRENT */
    w16(m->b + 16, 2);            /* ET_EXEC */
    w16(m->b + 18, 62);           /* EM_X86_64 */
    w32(m->b + 20, 1);
    w64(m->b + 24, entry);
    w64(m->b + 32, OFF_PHDR);
    w64(m->b + 40, OFF_SHDR);
    w16(m->b + 52, 64);
    w16(m->b + 54, 56);
    w16(m->b + 58, 64);
    for (unsigned i = 0; i < TEXT_SIZE; i++)
        m->b[OFF_TEXT + i] = (uint8_t)(i * 7);
}

static void img_phdr(struct img *m, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    uint8_t *p = m->b + OFF_PHDR + 56 * m->phnum++;

    w32(p, type);
    w32(p + 4, flags);
    w64(p + 8, off);
    w64(p + 16, vaddr);
    w64(p + 24, paddr);
    w64(p + 32, filesz);
    w64(p + 40, memsz);
    w64(p + 48, 0x1000);
    w16(m->b + 56, (uint16_t)m->phnum);
}

static void img_shdr(struct img *m, uint32_t type, uint64_t flags, uint64_t off, uint64_t size)
{
    uint8_t *s = m->b + OFF_SHDR + 64 * m->shnum++;

    w32(s + 4, type);
    w64(s + 8, flags);
    w64(s + 24, off);
    w64(s + 32, size);
    w64(s + 48, 4);
    w16(m->b + 60, (uint16_t)m->shnum);
}

static void note_raw(struct img *m, const char *name, uint32_t type, const void *desc,
                     uint32_t descsz)
{
    uint8_t *p = m->b + OFF_NOTES + m->notes_len;
    uint32_t namesz = (uint32_t)strlen(name) + 1;
    uint32_t name_pad = (namesz + 3) & ~3u, desc_pad = (descsz + 3) & ~3u;

    w32(p, namesz);
    w32(p + 4, descsz);
    w32(p + 8, type);
    memcpy(p + 12, name, namesz);
    memcpy(p + 12 + name_pad, desc, descsz);
    m->notes_len += 12 + name_pad + desc_pad;
}

static void note_str(struct img *m, uint32_t type, const char *s)
{
    note_raw(m, "Xen", type, s, (uint32_t)strlen(s) + 1);
}

static void note_u64(struct img *m, uint32_t type, uint64_t v)
{
    note_raw(m, "Xen", type, &v, 8);
}

static void note_u32(struct img *m, uint32_t type, uint32_t v)
{
    note_raw(m, "Xen", type, &v, 4);
}

#define LINUX_VIRT_BASE 0xffffffff80000000ULL
#define LINUX_PADDR     0x1000000ULL
#define LINUX_START     0xffffffff81000000ULL
#define LINUX_MEMSZ     0x5000ULL

/* Notes for a Linux-like kernel, minus those named in 'skip' (bit = type). */
static void linux_notes(struct img *m, uint32_t skip)
{
    static const uint8_t build_id[20] = { 1, 2, 3, 4, 5 };

    note_raw(m, "GNU", 3, build_id, sizeof(build_id));   /* not a Xen note */
    if (!(skip & 1u << 6))
        note_str(m, 6, "linux");
    if (!(skip & 1u << 7))
        note_str(m, 7, "2.6");
    if (!(skip & 1u << 5))
        note_str(m, 5, "xen-3.0");
    if (!(skip & 1u << 3))
        note_u64(m, 3, LINUX_VIRT_BASE);
    if (!(skip & 1u << 1))
        note_u64(m, 1, LINUX_START + 0x100);
    if (!(skip & 1u << 2))
        note_u64(m, 2, LINUX_START + 0x1000);
    if (!(skip & 1u << 10))
        note_str(m, 10, "!writable_page_tables|pae_pgdir_above_4gb|hvm_safe_pvclock|"
                        "writable_descriptor_tables");
    if (!(skip & 1u << 17))
        note_u32(m, 17, 1u << 11 | 1u << 9);
    if (!(skip & 1u << 9))
        note_str(m, 9, "yes");
    if (!(skip & 1u << 8))
        note_str(m, 8, "generic");
    if (!(skip & 1u << 15))
        note_u64(m, 15, 0x8000000000ULL);
    if (!(skip & 1u << 16))
        note_u64(m, 16, 1);
    note_u64(m, 14, 1);                                   /* SUSPEND_CANCEL */
    note_u64(m, 12, 0xF5800000);                          /* HV_START_LOW (32-bit only) */
    note_u64(m, 99, 0);                                   /* unknown type */
}

/* Segment layout of a Linux-like image; the notes go in a PT_NOTE. */
static void linux_segments(struct img *m)
{
    img_phdr(m, 1, 5, OFF_TEXT, LINUX_START, LINUX_PADDR, 0x2000, 0x2000);
    img_phdr(m, 1, 6, OFF_TEXT + 0x2000, LINUX_START + 0x2000, LINUX_PADDR + 0x2000, 0x1000,
             LINUX_MEMSZ - 0x2000);
    img_phdr(m, 4, 4, OFF_NOTES, 0, 0, m->notes_len, m->notes_len);
}

static void build_linux(struct img *m, uint32_t skip)
{
    img_init(m, LINUX_START);
    linux_notes(m, skip);
    linux_segments(m);
}

/* Mini-OS: linked at 0, entry 0, notes only in a non-allocated .note
 * section, no PT_NOTE. */
static void build_minios(struct img *m)
{
    img_init(m, 0);
    note_str(m, 6, "Mini-OS");
    note_str(m, 8, "generic");
    note_str(m, 5, "xen-3.0");
    note_u32(m, 2, 0x2000);
    note_str(m, 10, "!writable_page_tables|!auto_translated_physmap");
    img_phdr(m, 1, 7, OFF_TEXT, 0, 0, TEXT_SIZE, 0x4000);
    img_phdr(m, 0x6474e551, 6, 0, 0, 0, 0, 0);           /* PT_GNU_STACK */
    img_shdr(m, 0, 0, 0, 0);                             /* null section */
    img_shdr(m, 1, 6, OFF_TEXT, TEXT_SIZE);              /* .text */
    img_shdr(m, 7, 0, OFF_NOTES, m->notes_len);          /* .note, not SHF_ALLOC */
    img_shdr(m, 3, 0, 0, 0);                             /* .shstrtab stand-in */
}

static struct elf_xen_info info;
static char err[256];

static int parse(const struct img *m)
{
    memset(err, 1, sizeof(err));              /* no message starts with \1 */
    err[sizeof(err) - 1] = '\0';
    /* A heap copy of exactly the image size, so overreads are caught. */
    uint8_t *copy = malloc(m->size ? m->size : 1);
    memcpy(copy, m->b, m->size);
    int rc = elf_parse_xen(copy, m->size, &info, err, sizeof(err));
    free(copy);
    return rc;
}

static void test_linux_style(void)
{
    static struct img m;

    build_linux(&m, 0);
    CHECK_EQ(parse(&m), 0);
    CHECK_STR(err, "");
    CHECK_EQ(info.virt_base, LINUX_VIRT_BASE);
    CHECK_EQ(info.paddr_offset, 0);
    CHECK_EQ(info.virt_kstart, LINUX_START);
    CHECK_EQ(info.virt_kend, LINUX_START + LINUX_MEMSZ);
    CHECK_EQ(info.entry, LINUX_START + 0x100);
    CHECK(info.has_hypercall_page);
    CHECK_EQ(info.hypercall_page, LINUX_START + 0x1000);
    CHECK(info.has_init_p2m);
    CHECK_EQ(info.init_p2m, 0x8000000000ULL);
    CHECK(info.mod_start_pfn);
    CHECK(!info.has_phys32_entry);
    CHECK_STR(info.guest_os, "linux");
    CHECK_STR(info.guest_version, "2.6");
    CHECK_STR(info.xen_version, "xen-3.0");
    CHECK_STR(info.loader, "generic");
    /* writable_page_tables (0, required), writable_descriptor_tables (1),
     * pae_pgdir_above_4gb (4); hvm_safe_pvclock is not a name libelf
     * knows: ignored. SUPPORTED_FEATURES adds bits 11 and 9. */
    CHECK_EQ(info.feat_supported, 1u << 0 | 1u << 1 | 1u << 4 | 1u << 11 | 1u << 9);
    CHECK_EQ(info.feat_required, 1u << 0);
    CHECK(!info.notes_from_sections);
    CHECK_EQ(info.nr_seg, 2);
    CHECK_EQ(info.seg[0].file_off, OFF_TEXT);
    CHECK_EQ(info.seg[0].vaddr, LINUX_START);
    CHECK_EQ(info.seg[0].filesz, 0x2000);
    CHECK_EQ(info.seg[0].flags, 5);
    CHECK_EQ(info.seg[1].vaddr, LINUX_START + 0x2000);
    CHECK_EQ(info.seg[1].filesz, 0x1000);
    CHECK_EQ(info.seg[1].memsz, 0x3000);

    /* Without the ENTRY note the ELF entry point is used. */
    build_linux(&m, 1u << 1);
    w64(m.b + 24, LINUX_START + 0x40);
    CHECK_EQ(parse(&m), 0);
    CHECK_EQ(info.entry, LINUX_START + 0x40);
    CHECK(info.mod_start_pfn);
}

static void test_vaddr_from_paddr(void)
{
    static struct img m;

    /* The guest address comes from p_paddr, not p_vaddr. */
    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 16, 0x1234);
    w64(m.b + OFF_PHDR + 56 + 16, 0x5678);
    CHECK_EQ(parse(&m), 0);
    CHECK_EQ(info.seg[0].vaddr, LINUX_START);
    CHECK_EQ(info.seg[1].vaddr, LINUX_START + 0x2000);

    /* PADDR_OFFSET: p_paddr holds virtual addresses, offset cancels out. */
    img_init(&m, LINUX_START);
    linux_notes(&m, 0);
    note_u64(&m, 4, LINUX_VIRT_BASE);
    img_phdr(&m, 1, 7, OFF_TEXT, LINUX_START, LINUX_START, TEXT_SIZE, TEXT_SIZE);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    CHECK_EQ(parse(&m), 0);
    CHECK_EQ(info.paddr_offset, LINUX_VIRT_BASE);
    CHECK_EQ(info.seg[0].vaddr, LINUX_START);
    CHECK_EQ(info.virt_kend, LINUX_START + TEXT_SIZE);

    /* Segments in any order; PT_LOAD without R/W/X flags is not loaded. */
    img_init(&m, LINUX_START + 0x2000);
    linux_notes(&m, 1u << 1 | 1u << 2);
    img_phdr(&m, 1, 4, OFF_TEXT + 0x2000, 0, LINUX_PADDR + 0x2000, 0x1000, 0x1000);
    img_phdr(&m, 1, 0, OFF_TEXT, 0, 0x100000000ULL, 0x1000, 0x1000);
    img_phdr(&m, 1, 5, OFF_TEXT, 0, LINUX_PADDR, 0x1000, 0x1000);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    CHECK_EQ(parse(&m), 0);
    CHECK_EQ(info.nr_seg, 2);
    CHECK_EQ(info.virt_kstart, LINUX_START);
    CHECK_EQ(info.virt_kend, LINUX_START + 0x3000);
    CHECK(!info.has_hypercall_page);
}

static void test_minios_sections(void)
{
    static struct img m;

    build_minios(&m);
    CHECK_EQ(parse(&m), 0);
    CHECK_STR(err, "");
    CHECK(info.notes_from_sections);
    CHECK_EQ(info.entry, 0);
    CHECK_EQ(info.virt_base, 0);
    CHECK_EQ(info.virt_kstart, 0);
    CHECK_EQ(info.virt_kend, 0x4000);
    CHECK_EQ(info.hypercall_page, 0x2000);
    CHECK_STR(info.guest_os, "Mini-OS");
    CHECK_EQ(info.feat_required, 1u << 0 | 1u << 2);
    CHECK_EQ(info.feat_supported, 1u << 0 | 1u << 2);
    CHECK_EQ(info.nr_seg, 1);
    CHECK_EQ(info.seg[0].vaddr, 0);

    /* A PT_NOTE holding only non-Xen notes does not hide the sections. */
    build_minios(&m);
    {
        static const uint8_t id[8] = { 9 };
        uint32_t at = m.notes_len;
        note_raw(&m, "GNU", 3, id, sizeof(id));
        img_phdr(&m, 4, 4, OFF_NOTES + at, 0, 0, m.notes_len - at, m.notes_len - at);
        w64(m.b + OFF_SHDR + 2 * 64 + 32, at);    /* .note: only the Xen notes */
    }
    CHECK_EQ(parse(&m), 0);
    CHECK(info.notes_from_sections);

    /* A PT_NOTE with p_offset 0 is skipped (as libelf does). */
    build_minios(&m);
    img_phdr(&m, 4, 4, 0, 0, 0, 64, 64);
    CHECK_EQ(parse(&m), 0);
    CHECK(info.notes_from_sections);

    /* Notes in both: the segment wins, the sections are not read. */
    build_linux(&m, 0);
    img_shdr(&m, 0, 0, 0, 0);
    img_shdr(&m, 7, 0, IMG_SIZE - 16, 16);          /* garbage, never parsed */
    memset(m.b + IMG_SIZE - 16, 0xff, 16);
    CHECK_EQ(parse(&m), 0);
    CHECK(!info.notes_from_sections);
}

static void test_note_encodings(void)
{
    static struct img m;

    /* 4-byte numbers, strings without NUL, long strings truncated,
     * trailing padding-only bytes in the area. */
    img_init(&m, 0x2000);
    note_raw(&m, "Xen", 6, "linux", 5);
    note_raw(&m, "Xen", 8, "gen\teric\n", 10);      /* control characters are masked */
    note_str(&m, 7, "a-very-long-guest-version-string-that-does-not-fit");
    note_str(&m, 5, "xen-3.0-unstable");
    note_u32(&m, 2, 0x1000);
    note_u32(&m, 1, 0x1800);
    note_raw(&m, "Xen", 16, "\1", 1);                /* 1-byte number */
    note_raw(&m, "Xen", 18, "\0\0\x10\0", 4);         /* PHYS32_ENTRY */
    img_phdr(&m, 1, 5, OFF_TEXT, 0, 0, TEXT_SIZE, TEXT_SIZE);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len + 3, m.notes_len + 3);
    CHECK_EQ(parse(&m), 0);
    CHECK_STR(err, "");
    CHECK_STR(info.guest_os, "linux");
    CHECK_EQ(strlen(info.guest_version), 31);
    CHECK_STR(info.xen_version, "xen-3.0-unstable");
    CHECK_EQ(info.hypercall_page, 0x1000);
    CHECK_EQ(info.entry, 0x1800);
    CHECK(info.mod_start_pfn);
    CHECK(info.has_phys32_entry);
    CHECK_EQ(info.phys32_entry, 0x100000);
    CHECK_STR(info.loader, "gen?eric?");

    /* The last note may lack its desc padding. */
    img_init(&m, 0);
    note_str(&m, 8, "generic");
    note_str(&m, 5, "xen-3.0");
    note_raw(&m, "Xen", 6, "osname", 6);
    img_phdr(&m, 1, 5, OFF_TEXT, 0, 0, TEXT_SIZE, TEXT_SIZE);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len - 2, m.notes_len - 2);
    CHECK_EQ(parse(&m), 0);
    CHECK_STR(info.guest_os, "osname");

    /* Names other than exactly "Xen" are skipped. */
    img_init(&m, 0);
    note_str(&m, 8, "generic");
    note_str(&m, 5, "xen-3.0");
    note_raw(&m, "Xenx", 8, "bogus", 6);
    note_raw(&m, "Xe", 8, "bogus", 6);
    img_phdr(&m, 1, 5, OFF_TEXT, 0, 0, TEXT_SIZE, TEXT_SIZE);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    CHECK_EQ(parse(&m), 0);
    CHECK_STR(info.loader, "generic");
}

/* One rejected image: build, mutate, expect an error containing 'want'. */
static void expect_reject(int line, struct img *m, const char *want)
{
    if (parse(m) != -1)
        test_fail(__FILE__, line, "accepted, expected \"%s\"", want);
    else if (!strstr(err, want))
        test_fail(__FILE__, line, "error \"%s\", expected \"%s\"", err, want);
    else if (strchr(err, '\n'))
        test_fail(__FILE__, line, "error \"%s\" is not one line", err);
}
#define REJECT(m, want) expect_reject(__LINE__, m, want)

static void test_header_rejections(void)
{
    static struct img m;

    build_linux(&m, 0);
    m.b[1] = 'e';
    REJECT(&m, "not an ELF image (bad magic)");
    build_linux(&m, 0);
    m.size = 63;
    REJECT(&m, "bad magic");
    build_linux(&m, 0);
    m.b[4] = 1;
    REJECT(&m, "not a 64-bit ELF image");
    build_linux(&m, 0);
    m.b[5] = 2;
    REJECT(&m, "not a little-endian ELF image");
    build_linux(&m, 0);
    w16(m.b + 18, 3);
    REJECT(&m, "ELF machine 3 is not x86-64");
    build_linux(&m, 0);
    w16(m.b + 16, 3);
    REJECT(&m, "ELF type 3 is not an executable");
    build_linux(&m, 0);
    w16(m.b + 52, 52);
    REJECT(&m, "ELF header size 52");
    build_linux(&m, 0);
    w16(m.b + 54, 32);
    REJECT(&m, "program header size 32");
    build_linux(&m, 0);
    w64(m.b + 32, IMG_SIZE - 100);
    REJECT(&m, "program headers (3 at 0x3f9c) lie outside the image");
    build_linux(&m, 0);
    w64(m.b + 32, UINT64_MAX - 10);
    REJECT(&m, "lie outside the image");
    build_minios(&m);
    w16(m.b + 58, 40);
    REJECT(&m, "section header size 40");
    build_minios(&m);
    w64(m.b + 40, IMG_SIZE - 64);
    REJECT(&m, "section headers (4 at 0x3fc0) lie outside the image");
}

static void test_segment_rejections(void)
{
    static struct img m;

    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 32, 0x3000);                 /* filesz > memsz */
    REJECT(&m, "segment 0: file size 0x3000 exceeds memory size 0x2000");
    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 8, IMG_SIZE - 0x1000);       /* file range past the end */
    REJECT(&m, "segment 0: file range 0x3000+0x2000 lies outside the image");
    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 8, UINT64_MAX - 0x100);
    REJECT(&m, "lies outside the image");
    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 24, UINT64_MAX - 0x1000);    /* paddr + memsz overflows */
    REJECT(&m, "segment 0: address 0xffffffffffffefff+0x2000 overflows");

    /* No loadable segment (PT_LOAD without flags does not count). */
    img_init(&m, 0);
    linux_notes(&m, 0);
    img_phdr(&m, 1, 0, OFF_TEXT, 0, LINUX_PADDR, 0x1000, 0x1000);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    REJECT(&m, "no loadable (PT_LOAD) segment");
    img_init(&m, 0);
    REJECT(&m, "no loadable (PT_LOAD) segment");

    /* Too many segments. */
    img_init(&m, LINUX_START);
    linux_notes(&m, 0);
    for (unsigned i = 0; i < 17; i++)
        img_phdr(&m, 1, 4, OFF_TEXT, 0, LINUX_PADDR + 0x100 * i, 0x100, 0x100);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    REJECT(&m, "more than 16 loadable segments");
}

static void test_note_rejections(void)
{
    static struct img m;

    /* No notes anywhere. */
    img_init(&m, LINUX_START);
    img_phdr(&m, 1, 5, OFF_TEXT, 0, LINUX_PADDR, TEXT_SIZE, TEXT_SIZE);
    REJECT(&m, "no Xen ELF notes (no PT_NOTE segment, no SHT_NOTE section)");
    /* Notes, but none are Xen's. */
    img_init(&m, LINUX_START);
    note_raw(&m, "GNU", 3, "abcd", 4);
    img_phdr(&m, 1, 5, OFF_TEXT, 0, LINUX_PADDR, TEXT_SIZE, TEXT_SIZE);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    REJECT(&m, "no Xen ELF notes");

    /* Note areas outside the image, notes running past their area. */
    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, IMG_SIZE);
    REJECT(&m, "note segment 2 (0x600+0x4000) lies outside the image");
    build_minios(&m);
    w64(m.b + OFF_SHDR + 2 * 64 + 24, IMG_SIZE - 4);
    REJECT(&m, "note section 2 (0x3ffc+");
    build_linux(&m, 0);
    w32(m.b + OFF_NOTES + 4, 0x10000);                /* build-id descsz */
    REJECT(&m, "ELF note at file offset 0x600 runs past the end of its area");
    build_linux(&m, 0);
    w32(m.b + OFF_NOTES, 0xfffffffd);                 /* namesz: pad4 must not wrap */
    REJECT(&m, "ELF note at file offset 0x600 runs past the end of its area");
    build_linux(&m, 0);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len - 8);
    REJECT(&m, "runs past the end of its area");

    /* Content checks. */
    build_linux(&m, 1u << 8 | 1u << 6);
    REJECT(&m, "LOADER note is not 'generic' and GUEST_OS is not 'linux'");
    build_linux(&m, 1u << 8 | 1u << 6);
    note_str(&m, 6, "NetBSD");
    note_str(&m, 8, "bsdloader");
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "LOADER note is not 'generic' and GUEST_OS is not 'linux'");
    build_linux(&m, 1u << 8);                        /* GUEST_OS linux alone is enough */
    CHECK_EQ(parse(&m), 0);
    build_linux(&m, 1u << 6);                        /* LOADER generic alone is enough */
    CHECK_EQ(parse(&m), 0);
    build_linux(&m, 1u << 5);
    REJECT(&m, "XEN_VERSION note '' does not start with 'xen-3.0'");
    img_init(&m, LINUX_START);
    note_str(&m, 5, "xen-4.0");
    note_str(&m, 8, "generic");
    img_phdr(&m, 1, 5, OFF_TEXT, 0, LINUX_PADDR, TEXT_SIZE, TEXT_SIZE);
    img_phdr(&m, 4, 4, OFF_NOTES, 0, 0, m.notes_len, m.notes_len);
    REJECT(&m, "XEN_VERSION note 'xen-4.0' does not start with 'xen-3.0'");

    /* Bad values. */
    build_linux(&m, 1u << 10);
    note_str(&m, 10, "writable_page_tables|!no_such_feature");
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "FEATURES note requires unknown feature 'no_such_feature'");
    build_linux(&m, 1u << 10);
    note_str(&m, 10, "!hvm_safe_pvclock");            /* not in libelf's list either */
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "requires unknown feature 'hvm_safe_pvclock'");
    build_linux(&m, 1u << 10);
    note_str(&m, 10, "||unknown||!dom0|");            /* empty and unknown names ignored */
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    CHECK_EQ(parse(&m), 0);
    CHECK_EQ(info.feat_required, 1u << 11);
    build_linux(&m, 1u << 1);
    note_raw(&m, "Xen", 1, "\0\0\0", 3);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "ENTRY note has a 3-byte value");
    build_linux(&m, 1u << 17);
    note_raw(&m, "Xen", 17, "\1\0\0\0\0\0", 6);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "SUPPORTED_FEATURES note has 6 bytes");
}

/* The builder's decision on the features a kernel declares, as Xen 4.17's
 * dom0 builder takes them: only a required supervisor_mode_kernel is
 * refused, and a SUPPORTED_FEATURES note without dom0 for dom0; other
 * required features not offered are only reported. */
static void test_feature_decision(void)
{
    static struct img m;
    struct elf_xen_info x;
    uint32_t unmet = 0xdead;
    char e[160], names[96];

    /* The names, both ways. */
    CHECK_EQ(elf_feature_bit("writable_page_tables", 20), 0);
    CHECK_EQ(elf_feature_bit("dom0", 4), 11);
    CHECK_EQ(elf_feature_bit("dom0x", 4), 11);          /* only len bytes count */
    CHECK_EQ(elf_feature_bit("dom", 3), -1);
    CHECK_EQ(elf_feature_bit("hvm_safe_pvclock", 16), -1);
    CHECK_STR(elf_feature_name(3), "supervisor_mode_kernel");
    CHECK(elf_feature_name(5) == NULL);
    elf_feature_names(1u << 2 | 1u << 8, names, sizeof(names));
    CHECK_STR(names, "auto_translated_physmap, hvm_callback_vector");
    elf_feature_names(1u << 2 | 1u << 8, names, 10);    /* truncated, still terminated */
    CHECK(strlen(names) < 10);
    elf_feature_names(0, names, sizeof(names));
    CHECK_STR(names, "");

    CHECK_EQ(elf_features_offered(true), 1u << 0 | 1u << 4 | 1u << 11);
    CHECK_EQ(elf_features_offered(false), 1u << 0 | 1u << 4);

    /* Linux's declaration: "!writable_page_tables|pae_pgdir_above_4gb", and
     * SUPPORTED_FEATURES with dom0. */
    memset(&x, 0, sizeof(x));
    x.feat_required = 1u << 0;
    x.feat_supported = 1u << 0 | 1u << 4 | 1u << 11;
    x.has_supported_features = true;
    e[0] = 0;
    CHECK_EQ(elf_features_decide(&x, true, &unmet, e, sizeof(e)), 0);
    CHECK_EQ(unmet, 0);
    CHECK_STR(e, "");

    /* supervisor_mode_kernel required: refused, named. */
    x.feat_required |= 1u << 3;
    x.feat_supported |= 1u << 3;
    CHECK_EQ(elf_features_decide(&x, true, &unmet, e, sizeof(e)), -1);
    CHECK_STR(e, "the kernel requires feature supervisor_mode_kernel, which Xenolith does not offer");
    CHECK_EQ(elf_features_decide(&x, false, &unmet, e, sizeof(e)), -1);
    /* Only supported (not required): fine. */
    x.feat_required &= ~(1u << 3);
    CHECK_EQ(elf_features_decide(&x, true, &unmet, e, sizeof(e)), 0);

    /* Required but not given, accepted as Xen accepts them: reported. */
    x.feat_required = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 8 | 1u << 11;
    CHECK_EQ(elf_features_decide(&x, true, &unmet, e, sizeof(e)), 0);
    CHECK_EQ(unmet, 1u << 1 | 1u << 2 | 1u << 8);
    CHECK_EQ(elf_features_decide(&x, false, &unmet, e, sizeof(e)), 0);
    CHECK_EQ(unmet, 1u << 1 | 1u << 2 | 1u << 8 | 1u << 11);

    /* SUPPORTED_FEATURES without dom0: refused as dom0, not otherwise;
     * without the note nothing is asked of it. */
    x.feat_required = 0;
    x.feat_supported = 1u << 0;
    CHECK_EQ(elf_features_decide(&x, true, &unmet, e, sizeof(e)), -1);
    CHECK_CONTAINS(e, "does not support dom0 operation");
    CHECK_EQ(elf_features_decide(&x, false, &unmet, e, sizeof(e)), 0);
    x.has_supported_features = false;
    CHECK_EQ(elf_features_decide(&x, true, &unmet, e, sizeof(e)), 0);

    /* The parser records the SUPPORTED_FEATURES note, and '!' marks. */
    build_linux(&m, 0);
    CHECK_EQ(parse(&m), 0);
    CHECK(info.has_supported_features);
    CHECK_EQ(elf_features_decide(&info, true, &unmet, e, sizeof(e)), 0);
    CHECK_EQ(unmet, 0);
    build_linux(&m, 1u << 17);                            /* no SUPPORTED_FEATURES note */
    CHECK_EQ(parse(&m), 0);
    CHECK(!info.has_supported_features);
    build_linux(&m, 1u << 10);
    note_str(&m, 10, "!writable_page_tables|pae_pgdir_above_4gb|!supervisor_mode_kernel");
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    CHECK_EQ(parse(&m), 0);
    CHECK_EQ(info.feat_required, 1u << 0 | 1u << 3);
    CHECK_EQ(elf_features_decide(&info, true, &unmet, e, sizeof(e)), -1);
    CHECK_STR(e, "the kernel requires feature supervisor_mode_kernel, which Xenolith does not offer");
}

static void test_layout_rejections(void)
{
    static struct img m;

    /* PADDR_OFFSET without VIRT_BASE (libelf refuses this for PV). */
    build_linux(&m, 1u << 3);
    note_u64(&m, 4, 0);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "PADDR_OFFSET note without a VIRT_BASE note");

    /* Overlapping the hypervisor's range. */
    build_linux(&m, 1u << 3 | 1u << 1 | 1u << 2);
    note_u64(&m, 3, 0xffff830000000000ULL);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    w64(m.b + 24, 0xffff830001000000ULL);
    REJECT(&m, "kernel at 0xffff830001000000-0xffff830001005000 overlaps the hypervisor range");
    build_linux(&m, 1u << 3 | 1u << 1 | 1u << 2);
    note_u64(&m, 3, 0xffff880000000000ULL - 0x1002000);  /* straddles the end */
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    w64(m.b + 24, 0xffff87ffffffe000ULL);
    REJECT(&m, "overlaps the hypervisor range");

    /* Not canonical: in the hole, or crossing from the lower half. */
    build_linux(&m, 1u << 3 | 1u << 1 | 1u << 2);
    note_u64(&m, 3, 0x0000900000000000ULL);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "kernel at 0x900001000000-0x900001005000 is not canonical");
    build_linux(&m, 1u << 3 | 1u << 1 | 1u << 2);
    note_u64(&m, 3, 0x00007fffff000000ULL - 0x1000000);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    w64(m.b + OFF_PHDR + 56 + 40, 0x2000000);       /* second segment reaches past 2^47 */
    REJECT(&m, "is not canonical");

    /* Wrapping past 2^64. */
    build_linux(&m, 1u << 3 | 1u << 1 | 1u << 2);
    note_u64(&m, 3, 0xfffffffffffff000ULL - LINUX_PADDR);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "segment 0: guest address 0xfffffffffffff000+0x2000 wraps");

    /* VIRT_BASE above the kernel start. */
    build_linux(&m, 1u << 3);
    note_u64(&m, 3, LINUX_VIRT_BASE + 0x2000000);
    note_u64(&m, 4, 0x2000000);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "VIRT_BASE 0xffffffff82000000 is above the kernel start 0xffffffff81000000");

    /* Entry point outside the kernel (end is exclusive). */
    build_linux(&m, 1u << 1);
    note_u64(&m, 1, LINUX_START + LINUX_MEMSZ);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "entry point 0xffffffff81005000 is outside the kernel at "
               "0xffffffff81000000-0xffffffff81005000");
    build_linux(&m, 1u << 1);
    w64(m.b + 24, 0x1000);
    REJECT(&m, "entry point 0x1000 is outside the kernel");

    /* Hypercall page outside, or only partly inside. */
    build_linux(&m, 1u << 2);
    note_u64(&m, 2, LINUX_START - 0x1000);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "HYPERCALL_PAGE 0xffffffff80fff000 is outside the kernel");
    build_linux(&m, 1u << 2);
    note_u64(&m, 2, LINUX_START + LINUX_MEMSZ - 0x800);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "HYPERCALL_PAGE 0xffffffff81004800 is outside the kernel");
    build_linux(&m, 1u << 2);
    note_u64(&m, 2, LINUX_START + LINUX_MEMSZ + 0x1000);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "is outside the kernel");
    build_linux(&m, 1u << 2);
    note_u64(&m, 2, LINUX_START + LINUX_MEMSZ - 0x1000);   /* last page: fine */
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    CHECK_EQ(parse(&m), 0);

    /* INIT_P2M inside the kernel. */
    build_linux(&m, 1u << 15);
    note_u64(&m, 15, LINUX_START + 0x3000);
    w64(m.b + OFF_PHDR + 2 * 56 + 32, m.notes_len);
    REJECT(&m, "INIT_P2M 0xffffffff81003000 lies inside the kernel");
}

static void test_error_buffer(void)
{
    static struct img m;
    char small[10];

    img_init(&m, 0);
    m.b[0] = 0;
    CHECK_EQ(elf_parse_xen(m.b, m.size, &info, small, sizeof(small)), -1);
    CHECK_STR(small, "not an EL");
    CHECK_EQ(elf_parse_xen(m.b, m.size, &info, NULL, 0), -1);
    CHECK_EQ(elf_parse_xen(m.b, 0, &info, small, sizeof(small)), -1);
}

/* Random corruption of valid images must never crash or read out of
 * bounds (AddressSanitizer watches), and accepted images must be sane. */
static void test_fuzz(void)
{
    static struct img base[2], m;
    uint64_t seed = 4242;
    unsigned accepted = 0;

    build_linux(&base[0], 0);
    build_minios(&base[1]);
    for (int iter = 0; iter < 30000 && !test_cur_failed; iter++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        m = base[iter & 1];
        unsigned flips = 1 + (unsigned)(seed >> 60);
        for (unsigned k = 0; k < flips; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            /* Mostly hit the headers and notes, which is where parsing is. */
            uint32_t limit = (seed >> 20) & 1 ? OFF_TEXT : IMG_SIZE;
            uint32_t at = (uint32_t)((seed >> 33) % limit);
            m.b[at] = (uint8_t)(seed >> 8);
        }
        if ((seed >> 12) % 16 == 0)
            m.size = (size_t)((seed >> 40) % IMG_SIZE);
        if (parse(&m) == 0) {
            accepted++;
            CHECK(info.nr_seg >= 1 && info.nr_seg <= ELF_MAX_SEGMENTS);
            CHECK(info.virt_kstart <= info.entry && info.entry < info.virt_kend);
            for (unsigned i = 0; i < info.nr_seg; i++) {
                CHECK(info.seg[i].file_off + info.seg[i].filesz <= m.size);
                CHECK(info.seg[i].vaddr >= info.virt_kstart);
                CHECK(info.seg[i].vaddr + info.seg[i].memsz <= info.virt_kend);
            }
        } else {
            if (err[0] == '\0' || err[0] == 1 || strchr(err, '\n'))
                test_fail(__FILE__, __LINE__, "iteration %d: rejected without a reason: '%.20s'",
                          iter, err);
        }
    }
    CHECK(accepted > 100);
}

int main(void)
{
    RUN_TEST(test_linux_style);
    RUN_TEST(test_vaddr_from_paddr);
    RUN_TEST(test_minios_sections);
    RUN_TEST(test_note_encodings);
    RUN_TEST(test_header_rejections);
    RUN_TEST(test_segment_rejections);
    RUN_TEST(test_note_rejections);
    RUN_TEST(test_feature_decision);
    RUN_TEST(test_layout_rejections);
    RUN_TEST(test_error_buffer);
    RUN_TEST(test_fuzz);
    return test_main_result();
}

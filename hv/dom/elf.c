/* ELF64 validation and guest address layout; see elf.h. Notes are read
 * by elf_notes.c. */
#include "dom/elf.h"

#include <stdarg.h>

#include "dom/elf_priv.h"
#include "lib/format.h"

#define EHDR_SIZE     64
#define PHDR_SIZE     56
#define SHDR_SIZE     64

#define ET_EXEC       2
#define EM_X86_64     62
#define PT_LOAD       1
#define PT_NOTE       4
#define SHT_NOTE      7
#define PF_RWX        7u

/* The PV ABI reserves L4 slots 256..271 for the hypervisor. */
#define HV_RANGE_START 0xFFFF800000000000ULL
#define HV_RANGE_END   0xFFFF880000000000ULL
#define LOWER_HALF_END    0x0000800000000000ULL   /* canonical: below this ... */
#define UPPER_HALF_START  0xFFFF800000000000ULL   /* ... or from this up */

#define PAGE_BYTES     4096u

int elf_fail(struct elf_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e->len) {
        va_start(ap, fmt);
        fmt_vsnprintf(e->buf, e->len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* [off, off+len) lies inside an image of 'size' bytes. */
static bool in_image(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

static int check_header(const uint8_t *img, size_t size, struct elf_err *e)
{
    uint64_t phoff, shoff;
    uint16_t phnum, shnum;

    if (size < EHDR_SIZE || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F')
        return elf_fail(e, "not an ELF image (bad magic)");
    if (img[4] != 2)
        return elf_fail(e, "not a 64-bit ELF image (class %u)", img[4]);
    if (img[5] != 1)
        return elf_fail(e, "not a little-endian ELF image (data encoding %u)", img[5]);
    if (elf_rd16(img + 18) != EM_X86_64)
        return elf_fail(e, "ELF machine %u is not x86-64 (62)", elf_rd16(img + 18));
    if (elf_rd16(img + 16) != ET_EXEC)
        return elf_fail(e, "ELF type %u is not an executable (2)", elf_rd16(img + 16));
    if (elf_rd16(img + 52) != EHDR_SIZE)
        return elf_fail(e, "ELF header size %u is not %u", elf_rd16(img + 52), EHDR_SIZE);

    phoff = elf_rd64(img + 32);
    phnum = elf_rd16(img + 56);
    if (phnum && elf_rd16(img + 54) != PHDR_SIZE)
        return elf_fail(e, "program header size %u is not %u", elf_rd16(img + 54), PHDR_SIZE);
    if (phnum && !in_image(phoff, (uint64_t)phnum * PHDR_SIZE, size))
        return elf_fail(e, "program headers (%u at %#llx) lie outside the image", phnum,
                        (unsigned long long)phoff);

    shoff = elf_rd64(img + 40);
    shnum = elf_rd16(img + 60);
    if (shnum && elf_rd16(img + 58) != SHDR_SIZE)
        return elf_fail(e, "section header size %u is not %u", elf_rd16(img + 58), SHDR_SIZE);
    if (shnum && !in_image(shoff, (uint64_t)shnum * SHDR_SIZE, size))
        return elf_fail(e, "section headers (%u at %#llx) lie outside the image", shnum,
                        (unsigned long long)shoff);
    return 0;
}

/* Collects the loadable segments (vaddr still holds p_paddr). */
static int collect_segments(const uint8_t *img, size_t size, struct elf_xen_info *out,
                            struct elf_err *e)
{
    uint64_t phoff = elf_rd64(img + 32);
    unsigned phnum = elf_rd16(img + 56);

    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * PHDR_SIZE;
        uint32_t flags = elf_rd32(ph + 4);
        uint64_t off = elf_rd64(ph + 8), paddr = elf_rd64(ph + 24);
        uint64_t filesz = elf_rd64(ph + 32), memsz = elf_rd64(ph + 40);
        struct elf_segment *s;

        if (elf_rd32(ph) != PT_LOAD || !(flags & PF_RWX))
            continue;
        if (filesz > memsz)
            return elf_fail(e, "segment %u: file size %#llx exceeds memory size %#llx", i,
                            (unsigned long long)filesz, (unsigned long long)memsz);
        if (!in_image(off, filesz, size))
            return elf_fail(e, "segment %u: file range %#llx+%#llx lies outside the image", i,
                            (unsigned long long)off, (unsigned long long)filesz);
        if (paddr + memsz < paddr)
            return elf_fail(e, "segment %u: address %#llx+%#llx overflows", i,
                            (unsigned long long)paddr, (unsigned long long)memsz);
        if (out->nr_seg == ELF_MAX_SEGMENTS)
            return elf_fail(e, "more than %u loadable segments", (unsigned)ELF_MAX_SEGMENTS);
        s = &out->seg[out->nr_seg++];
        s->file_off = off;
        s->filesz = filesz;
        s->memsz = memsz;
        s->vaddr = paddr;
        s->flags = flags;
    }
    if (!out->nr_seg)
        return elf_fail(e, "no loadable (PT_LOAD) segment");
    return 0;
}

static int find_notes(const uint8_t *img, size_t size, struct elf_xen_info *out,
                      struct elf_note_state *st, struct elf_err *e)
{
    uint64_t phoff = elf_rd64(img + 32), shoff = elf_rd64(img + 40);
    unsigned phnum = elf_rd16(img + 56), shnum = elf_rd16(img + 60);
    bool any_area = false;

    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * PHDR_SIZE;
        uint64_t off = elf_rd64(ph + 8), len = elf_rd64(ph + 32);

        /* Like libelf, skip note segments with p_offset 0, which some
         * binutils versions emit. */
        if (elf_rd32(ph) != PT_NOTE || off == 0)
            continue;
        if (!in_image(off, len, size))
            return elf_fail(e, "note segment %u (%#llx+%#llx) lies outside the image", i,
                            (unsigned long long)off, (unsigned long long)len);
        any_area = true;
        if (elf_notes_parse(img, off, len, out, st, e))
            return -1;
    }
    if (st->nr_xen_notes)
        return 0;

    /* No Xen notes in segments: try SHT_NOTE sections (Mini-OS keeps its
     * notes in a non-allocated section). Section 0 is always null. */
    for (unsigned i = 1; i < shnum; i++) {
        const uint8_t *sh = img + shoff + (uint64_t)i * SHDR_SIZE;
        uint64_t off = elf_rd64(sh + 24), len = elf_rd64(sh + 32);

        if (elf_rd32(sh + 4) != SHT_NOTE)
            continue;
        if (!in_image(off, len, size))
            return elf_fail(e, "note section %u (%#llx+%#llx) lies outside the image", i,
                            (unsigned long long)off, (unsigned long long)len);
        any_area = true;
        if (elf_notes_parse(img, off, len, out, st, e))
            return -1;
    }
    if (!st->nr_xen_notes) {
        if (!any_area)
            return elf_fail(e, "no Xen ELF notes (no PT_NOTE segment, no SHT_NOTE section)");
        return elf_fail(e, "no Xen ELF notes (the ELF notes present are not Xen's)");
    }
    out->notes_from_sections = true;
    return 0;
}

static int check_notes(const struct elf_xen_info *out, struct elf_err *e)
{
    if (strncmp(out->loader, "generic", 7) && strncmp(out->guest_os, "linux", 5))
        return elf_fail(e, "LOADER note is not 'generic' and GUEST_OS is not 'linux'");
    if (strncmp(out->xen_version, "xen-3.0", 7))
        return elf_fail(e, "XEN_VERSION note '%s' does not start with 'xen-3.0'",
                        out->xen_version);
    return 0;
}

static int compute_layout(const uint8_t *img, struct elf_xen_info *out,
                          const struct elf_note_state *st, struct elf_err *e)
{
    uint64_t virt_offset, ks = UINT64_MAX, ke = 0;

    if (st->has_paddr_offset && !st->has_virt_base)
        return elf_fail(e, "PADDR_OFFSET note without a VIRT_BASE note");
    /* Absent VIRT_BASE and PADDR_OFFSET notes leave both at 0. */
    virt_offset = out->virt_base - out->paddr_offset;

    for (unsigned i = 0; i < out->nr_seg; i++) {
        struct elf_segment *s = &out->seg[i];
        uint64_t va = s->vaddr + virt_offset, va_end = va + s->memsz;

        if (va_end < va)
            return elf_fail(e, "segment %u: guest address %#llx+%#llx wraps", i,
                            (unsigned long long)va, (unsigned long long)s->memsz);
        s->vaddr = va;
        if (va < ks)
            ks = va;
        if (va_end > ke)
            ke = va_end;
    }
    out->virt_kstart = ks;
    out->virt_kend = ke;
    if (!st->has_entry)
        out->entry = elf_rd64(img + 24);

    if (ks < LOWER_HALF_END ? ke > LOWER_HALF_END : ks < UPPER_HALF_START)
        return elf_fail(e, "kernel at %#llx-%#llx is not canonical", (unsigned long long)ks,
                        (unsigned long long)ke);
    if (ks < HV_RANGE_END && ke > HV_RANGE_START)
        return elf_fail(e, "kernel at %#llx-%#llx overlaps the hypervisor range",
                        (unsigned long long)ks, (unsigned long long)ke);
    if (out->virt_base > ks)
        return elf_fail(e, "VIRT_BASE %#llx is above the kernel start %#llx",
                        (unsigned long long)out->virt_base, (unsigned long long)ks);
    if (out->entry < ks || out->entry >= ke)
        return elf_fail(e, "entry point %#llx is outside the kernel at %#llx-%#llx",
                        (unsigned long long)out->entry, (unsigned long long)ks,
                        (unsigned long long)ke);
    if (out->has_hypercall_page &&
        (out->hypercall_page < ks || out->hypercall_page > ke ||
         ke - out->hypercall_page < PAGE_BYTES))
        return elf_fail(e, "HYPERCALL_PAGE %#llx is outside the kernel at %#llx-%#llx",
                        (unsigned long long)out->hypercall_page, (unsigned long long)ks,
                        (unsigned long long)ke);
    if (out->has_init_p2m && out->init_p2m >= ks && out->init_p2m < ke)
        return elf_fail(e, "INIT_P2M %#llx lies inside the kernel at %#llx-%#llx",
                        (unsigned long long)out->init_p2m, (unsigned long long)ks,
                        (unsigned long long)ke);
    return 0;
}

int elf_parse_xen(const void *image, size_t size, struct elf_xen_info *out, char *err,
                  size_t errlen)
{
    const uint8_t *img = image;
    struct elf_err e = { err, errlen };
    struct elf_note_state st = { 0, false, false, false };

    if (errlen)
        err[0] = '\0';
    memset(out, 0, sizeof(*out));
    if (check_header(img, size, &e) || collect_segments(img, size, out, &e) ||
        find_notes(img, size, out, &st, &e) || check_notes(out, &e) ||
        compute_layout(img, out, &st, &e))
        return -1;
    return 0;
}

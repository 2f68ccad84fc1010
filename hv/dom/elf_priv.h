/* Internals shared by elf.c and elf_notes.c (not a public API). */
#ifndef HV_DOM_ELF_PRIV_H
#define HV_DOM_ELF_PRIV_H

#include "dom/elf.h"
#include "lib/string.h"

/* What the notes said beyond struct elf_xen_info. */
struct elf_note_state {
    unsigned nr_xen_notes;
    bool has_virt_base, has_paddr_offset, has_entry;
};

struct elf_err {
    char *buf;
    size_t len;
};

int elf_fail(struct elf_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses the notes in image[off, off+len), which the caller has checked
 * lies inside the image. Non-Xen notes are skipped. 0 or -1. */
int elf_notes_parse(const uint8_t *image, uint64_t off, uint64_t len, struct elf_xen_info *out,
                    struct elf_note_state *st, struct elf_err *e);

static inline uint16_t elf_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t elf_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t elf_rd64(const uint8_t *p)
{
    return (uint64_t)elf_rd32(p) | (uint64_t)elf_rd32(p + 4) << 32;
}

#endif

/* Xen ELF notes: name "Xen", type XEN_ELFNOTE_*, numeric or string desc. */
#include "dom/elf_priv.h"

#include "elfnote.h"
#include "features.h"
#include "dom/elf_features.h"

#define NOTE_HDR 12            /* namesz, descsz, type */

static uint64_t pad4(uint64_t v)
{
    return (v + 3) & ~3ULL;
}

/* Copies a note string, truncated to fit; bytes that are not printable
 * ASCII become '?', so the strings are safe to log. */
static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
    if (len > cap - 1)
        len = cap - 1;
    for (size_t i = 0; i < len; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
    dst[len] = '\0';
}

static int parse_features(const char *s, size_t len, struct elf_xen_info *out, struct elf_err *e)
{
    size_t pos = 0;

    while (pos < len) {
        size_t end = pos, n;
        bool required = false;
        const char *word;
        int bit;

        while (end < len && s[end] != '|')
            end++;
        word = s + pos;
        n = end - pos;
        if (n && word[0] == '!') {
            required = true;
            word++;
            n--;
        }
        bit = elf_feature_bit(word, n);
        if (bit >= 0) {
            out->feat_supported |= 1u << bit;
            if (required)
                out->feat_required |= 1u << bit;
        } else if (required) {
            char shown[40];

            copy_str(shown, sizeof(shown), word, n);
            return elf_fail(e, "FEATURES note requires unknown feature '%s'", shown);
        }
        pos = end + 1;
    }
    return 0;
}

static const char *note_name(uint32_t type)
{
    static const char *const names[] = {
        "INFO", "ENTRY", "HYPERCALL_PAGE", "VIRT_BASE", "PADDR_OFFSET", "XEN_VERSION",
        "GUEST_OS", "GUEST_VERSION", "LOADER", "PAE_MODE", "FEATURES", "BSD_SYMTAB",
        "HV_START_LOW", "L1_MFN_VALID", "SUSPEND_CANCEL", "INIT_P2M", "MOD_START_PFN",
        "SUPPORTED_FEATURES", "PHYS32_ENTRY",
    };
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* Numeric notes are 1, 2, 4 or 8 bytes, little endian. */
static int note_number(const uint8_t *d, uint32_t sz, uint32_t type, uint64_t *v,
                       struct elf_err *e)
{
    switch (sz) {
    case 1: *v = d[0]; return 0;
    case 2: *v = elf_rd16(d); return 0;
    case 4: *v = elf_rd32(d); return 0;
    case 8: *v = elf_rd64(d); return 0;
    default:
        return elf_fail(e, "%s note has a %u-byte value (want 1, 2, 4 or 8)", note_name(type), sz);
    }
}

static int parse_note(uint32_t type, const uint8_t *d, uint32_t sz, struct elf_xen_info *out,
                      struct elf_note_state *st, struct elf_err *e)
{
    const char *str = (const char *)d;
    size_t slen = strnlen(str, sz);     /* strings need not be terminated */
    uint64_t v = 0;

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
    case XEN_ELFNOTE_HYPERCALL_PAGE:
    case XEN_ELFNOTE_VIRT_BASE:
    case XEN_ELFNOTE_PADDR_OFFSET:
    case XEN_ELFNOTE_INIT_P2M:
    case XEN_ELFNOTE_MOD_START_PFN:
    case XEN_ELFNOTE_PHYS32_ENTRY:
        if (note_number(d, sz, type, &v, e))
            return -1;
        break;
    default:
        break;
    }

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        out->entry = v;
        st->has_entry = true;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        out->hypercall_page = v;
        out->has_hypercall_page = true;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        out->virt_base = v;
        st->has_virt_base = true;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        out->paddr_offset = v;
        st->has_paddr_offset = true;
        break;
    case XEN_ELFNOTE_INIT_P2M:
        out->init_p2m = v;
        out->has_init_p2m = true;
        break;
    case XEN_ELFNOTE_MOD_START_PFN:
        out->mod_start_pfn = v != 0;
        break;
    case XEN_ELFNOTE_PHYS32_ENTRY:
        out->phys32_entry = v;
        out->has_phys32_entry = true;
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        copy_str(out->xen_version, sizeof(out->xen_version), str, slen);
        break;
    case XEN_ELFNOTE_GUEST_OS:
        copy_str(out->guest_os, sizeof(out->guest_os), str, slen);
        break;
    case XEN_ELFNOTE_GUEST_VERSION:
        copy_str(out->guest_version, sizeof(out->guest_version), str, slen);
        break;
    case XEN_ELFNOTE_LOADER:
        copy_str(out->loader, sizeof(out->loader), str, slen);
        break;
    case XEN_ELFNOTE_FEATURES:
        return parse_features(str, slen, out, e);
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        /* A bitmap of 32-bit submaps; only submap 0 exists. */
        if (sz < 4 || sz % 4)
            return elf_fail(e, "SUPPORTED_FEATURES note has %u bytes (want a multiple of 4)", sz);
        out->feat_supported |= elf_rd32(d);
        out->has_supported_features = true;
        break;
    default:
        /* INFO, PAE_MODE, BSD_SYMTAB, HV_START_LOW, L1_MFN_VALID,
         * SUSPEND_CANCEL and unknown types: nothing to do for a 64-bit
         * PV guest here. */
        break;
    }
    return 0;
}

int elf_notes_parse(const uint8_t *image, uint64_t off, uint64_t len, struct elf_xen_info *out,
                    struct elf_note_state *st, struct elf_err *e)
{
    uint64_t pos = 0;

    /* Fewer than NOTE_HDR trailing bytes can only be padding. */
    while (len - pos >= NOTE_HDR) {
        const uint8_t *n = image + off + pos;
        uint32_t namesz = elf_rd32(n), descsz = elf_rd32(n + 4), type = elf_rd32(n + 8);
        uint64_t desc = pos + NOTE_HDR + pad4(namesz);

        if (desc > len || descsz > len - desc)
            return elf_fail(e, "ELF note at file offset %#llx runs past the end of its area",
                            (unsigned long long)(off + pos));
        if (strnlen((const char *)n + NOTE_HDR, namesz) == 3 &&
            !memcmp(n + NOTE_HDR, "Xen", 3)) {
            st->nr_xen_notes++;
            if (parse_note(type, image + off + desc, descsz, out, st, e))
                return -1;
        }
        pos = desc + pad4(descsz);
        if (pos > len)
            pos = len;                  /* last note without its padding */
    }
    return 0;
}

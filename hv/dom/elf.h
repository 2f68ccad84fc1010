/* ELF64 kernel images for Xen PV guests: validation and Xen ELF notes.
 *
 * elf_parse_xen() checks the image's headers, collects the loadable
 * segments and reads the Xen notes (from PT_NOTE segments, or from
 * SHT_NOTE sections when the segments hold none), then works out the
 * guest-virtual layout the way Xen's libelf does:
 *
 *   virt_base    = VIRT_BASE note, or 0
 *   paddr_offset = PADDR_OFFSET note, or 0 (a PADDR_OFFSET without a
 *                  VIRT_BASE is an error)
 *   virt_offset  = virt_base - paddr_offset
 *   seg[i].vaddr = p_paddr + virt_offset   (p_vaddr is not used)
 *   virt_kstart/virt_kend = lowest/highest of those over all segments
 *   entry        = ENTRY note, or e_entry
 *
 * Only PT_LOAD segments with at least one of the R/W/X flags count (as in
 * libelf). The guest's memory size is not decided here. */
#ifndef HV_DOM_ELF_H
#define HV_DOM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
    uint64_t file_off, filesz, memsz;
    uint64_t vaddr;          /* where it is loaded in the guest's virtual space */
    uint32_t flags;          /* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_xen_info {
    uint64_t entry, virt_base, paddr_offset;
    uint64_t virt_kstart, virt_kend;           /* guest-virtual extent of all PT_LOAD segments */
    uint64_t hypercall_page; bool has_hypercall_page;
    uint64_t init_p2m; bool has_init_p2m;
    uint64_t phys32_entry; bool has_phys32_entry;
    bool mod_start_pfn;
    /* String notes, truncated to fit; non-printable bytes become '?'. */
    char guest_os[32], guest_version[32], xen_version[32], loader[32];
    uint32_t feat_supported, feat_required;    /* XENFEAT_* bits, submap 0 */
    bool has_supported_features;               /* a SUPPORTED_FEATURES note was seen */
    bool notes_from_sections;                  /* notes came from SHT_NOTE sections */
    unsigned nr_seg;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* 0, or -1 with a one-line reason in err. */
int elf_parse_xen(const void *image, size_t size, struct elf_xen_info *out, char *err,
                  size_t errlen);

#endif

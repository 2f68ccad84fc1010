/* The start-of-day virtual layout of a PV domain, as the x86_64 PV ABI lays it
 * out (public xen.h): from the kernel's VIRT_BASE, page aligned and packed:
 *   kernel image, initrd, p2m list, start_info, [xenstore page, console page
 *   for a domU-style start], bootstrap page tables (L4 first), boot stack,
 * and the whole region ends on a 4 MiB boundary at least 512 KiB after the
 * stack. Everything in it is mapped; pseudo-physical frame N is at
 * virt_base + N * 4 KiB.
 *
 * Two ELF notes move pieces out of the region, into the frames that follow
 * it, in this order (as Xen's toolstack does):
 *   MOD_START_PFN: the initrd, left unmapped (start_info gives its pfn);
 *   INIT_P2M: the p2m list, mapped at the note's address by page tables of
 *   its own (L3s, L2s, L1s right after the list's frames), under L4 slots
 *   the region does not use.
 * Pure arithmetic, host-tested. */
#ifndef HV_DOM_LAYOUT_H
#define HV_DOM_LAYOUT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct dom_layout_in {
    uint64_t virt_base;          /* start of the region (page aligned down by the caller) */
    uint64_t kernel_start, kernel_end;   /* guest-virtual extent of the image */
    uint64_t initrd_len;         /* 0: none */
    uint64_t nr_pages;           /* the domain's memory, in pages */
    bool domu_pages;             /* allocate xenstore and console ring pages */
    bool unmapped_initrd;        /* MOD_START_PFN note: the initrd goes after the region */
    bool has_init_p2m;           /* INIT_P2M note: the p2m list is mapped at init_p2m */
    uint64_t init_p2m;
};

struct dom_layout {
    uint64_t v_start, v_end;                 /* the mapped region */
    uint64_t kernel_start, kernel_end;
    uint64_t initrd_start, initrd_end;       /* in the region; empty when unmapped */
    uint64_t p2m_start, p2m_end;             /* in the region, or at INIT_P2M */
    uint64_t start_info;
    uint64_t xenstore, console;              /* 0 when not domu_pages */
    uint64_t pt_start, pt_end;               /* bootstrap page tables, L4 first */
    uint64_t nr_pt_frames;
    uint64_t l3_frames, l2_frames, l1_frames; /* how many tables each level takes */
    uint64_t stack_start, stack_end;         /* initial RSP = stack_end */
    uint64_t mapped_pages;                   /* (v_end - v_start) / 4 KiB */
    /* Frames, mapped or not (pseudo-physical frame numbers). */
    uint64_t initrd_pfn, initrd_pages;
    uint64_t p2m_pfn, p2m_frames;
    bool p2m_own_tables;                     /* mapped at INIT_P2M */
    uint64_t p2m_pt_pfn, p2m_pt_frames;      /* its tables: L3s, then L2s, then L1s */
    uint64_t p2m_l3_frames, p2m_l2_frames, p2m_l1_frames;
    uint64_t used_pages;                     /* frames the builder fills: the region and
                                                whatever follows it unmapped */
};

/* 0, or -1 with a one-line reason (the domain's memory is too small, the
 * region would wrap or reach the hypervisor range ...). */
int dom_layout_compute(const struct dom_layout_in *in, struct dom_layout *out, char *err, size_t errlen);
/* The pseudo-physical frame that backs a virtual address inside the region. */
static inline uint64_t dom_layout_va_to_pfn(const struct dom_layout *l, uint64_t va)
{
    return (va - l->v_start) >> 12;
}

#endif

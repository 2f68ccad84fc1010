/* The frame table: one struct page_info per machine frame, recording who owns
 * the frame and how it is referenced. The page-type rules of PV memory
 * management build on these fields. */
#ifndef HV_MM_FRAME_TABLE_H
#define HV_MM_FRAME_TABLE_H

#include <stdint.h>
#include <stdbool.h>

typedef uint16_t domid_t;

/* Owners that are not domains (values from the public ABI's DOMID_*). */
#define OWNER_XEN   0x7FF2     /* DOMID_XEN: the hypervisor's own frames */
#define OWNER_NONE  0x7FF4     /* DOMID_INVALID: free, or not RAM */

enum page_type {
    PGT_NONE = 0, PGT_WRITABLE, PGT_L1, PGT_L2, PGT_L3, PGT_L4, PGT_SEG_DESC,
};

#define PGF_VALIDATED  (1u << 0)
#define PGF_PINNED     (1u << 1)
#define PGF_XEN_HEAP   (1u << 2)   /* a hypervisor page shared with its owner (shared_info) */
#define PGF_ALLOCATED  (1u << 3)   /* part of its owner's allocation: holds one general reference */
#define PGF_TLB_STALE  (1u << 4)   /* was a page table: cached walks may still use it (flush before reuse) */
#define PGF_SCRUB      (1u << 5)   /* not zeroed yet: zeroed at its first reference (page_get) */
#define PGF_PARTIAL    (1u << 6)   /* a table whose validation stopped part-way (page_type.h) */
#define PGF_RELEASING  (1u << 7)   /* a table on its owner's release list (page_type.h) */

struct page_info {
    uint32_t count;        /* general references */
    domid_t owner;
    uint8_t type;          /* enum page_type */
    uint8_t flags;         /* PGF_* */
    uint32_t type_count;   /* references that need the current type */
    uint32_t next;         /* PGF_RELEASING: the next frame of the release list, plus one (0: none) */
    uint16_t nr_held;      /* PGF_PARTIAL, PGF_RELEASING: entries [0, nr_held) hold references */
    int16_t linear;        /* a table's same-level (linear) entries: > 0 it holds that many, < 0 that
                              many name it; never both (page_type_validate.c) */
};

extern struct page_info *frame_table;
extern uint64_t frame_table_frames;   /* number of entries */

static inline struct page_info *mfn_to_page(uint64_t mfn)
{
    return mfn < frame_table_frames ? &frame_table[mfn] : 0;
}

#endif

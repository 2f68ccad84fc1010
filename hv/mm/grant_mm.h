/* What grant tables (hv/grant/) need from PV memory management: the
 * page-table entries of host mappings, the frames of a table, and moving a
 * frame from one domain to another (GNTTABOP_transfer). */
#ifndef HV_MM_GRANT_MM_H
#define HV_MM_GRANT_MM_H

#include <stdint.h>
#include <stdbool.h>
#include "core/domain.h"

/* A frame of d's grant table: owned by d and mappable by it like
 * shared_info (PGF_XEN_HEAP), not part of its allocation; the one reference
 * it starts with is the table's. INVALID_MFN when out of memory. */
uint64_t mm_grant_frame_alloc(domid_t d);

/* Install a host mapping of frame mfn (its references already taken by the
 * caller) for d, the current domain: at the L1 entry mapping linear address
 * addr in its current page tables, or (GNTMAP_contains_pte) at the L1 entry
 * whose machine address is addr. The entry is present, accessed, dirty,
 * user, no-execute, writable unless GNTMAP_readonly, with the flags'
 * guest-available bits; whatever the entry held before is dropped.
 * GNTST_okay, or GNTST_general_error when addr names no entry of a
 * validated L1 table of d. */
int mm_grant_pte_create(struct domain *d, uint64_t addr, uint64_t mfn, uint32_t flags);
/* Take such a mapping away (its references become the caller's): the
 * entry must still map mfn, present and writable as the flags say. With
 * new_addr (not with GNTMAP_contains_pte) the entry mapping new_addr is moved
 * there instead of clearing it (GNTTABOP_unmap_and_replace). GNTST_okay or
 * GNTST_general_error (nothing changed). */
int mm_grant_pte_destroy(struct domain *d, uint64_t addr, uint64_t mfn, uint32_t flags, uint64_t new_addr);

/* Transfer: take mfn from d (it must hold nothing but its allocation):
 * 0, or -XEN_EINVAL. The frame then belongs to nobody until assigned or freed. */
int mm_frame_steal(struct domain *d, uint64_t mfn);
/* Give a stolen frame to d, as its pfn in the M2P. */
void mm_frame_assign(struct domain *d, uint64_t mfn, uint64_t pfn);
/* Is mfn a frame the frame table describes (Xen's mfn_valid)? */
bool mm_frame_is_ram(uint64_t mfn);

#endif

/* Grant tables inside hv/grant/: the pure core and what it needs from its
 * environment.
 *
 * The core keeps each domain's table (shared entries the guest writes,
 * active entries the hypervisor keeps beside them, maptrack handles of the
 * mappings the domain made) and carries out every GNTTABOP on arguments
 * already copied from the guest. It reaches the rest of the hypervisor only
 * through the grant_env_* functions below: hv/grant/grant_env.c in the
 * hypervisor, tests/host/test_grant.c on the host. Statuses and errors are
 * Xen 4.17's, checked in Xen's order.
 *
 * Pins. While another use of an entry exists (a mapping, a copy in
 * progress) its active entry is pinned: it records the user (domid) and the
 * frame, and counts the uses by kind in four 8-bit fields, as Xen does:
 * host writable, host read-only, device writable, device read-only. An entry
 * is pinned by one domain at a time, and a count at 128 refuses more uses.
 * GTF_reading is set in the shared entry while any use exists, GTF_writing
 * while a writable one does; the hypervisor sets them with a bounded number
 * of compare-and-exchange attempts (the guest writes the same word) and
 * clears them as the uses end.
 *
 * References. Each mapping holds a general reference on the granted frame,
 * and a writable one a WRITABLE type reference too (so the granter cannot
 * make the frame a page table or descriptor table while it is mapped
 * writable, and the frame lives while mapped even if its owner dies). The
 * references of a host mapping belong to its page-table entry, as in Xen for
 * PV guests: whatever removes the entry (unmap, or the guest overwriting it,
 * or the mapper's page tables going) drops them; device mappings' references
 * are dropped by unmap or by the mapper's death. */
#ifndef HV_GRANT_GRANT_PRIV_H
#define HV_GRANT_GRANT_PRIV_H

#include <stdint.h>
#include <stdbool.h>
#include "xen.h"
#include "grant_table.h"
#include "grant/grant.h"

#define GRANT_PAGE_SIZE      4096u
#define GRANT_V1_PER_FRAME   (GRANT_PAGE_SIZE / sizeof(struct grant_entry_v1))    /* 512 */

/* Pin counts, as Xen packs them. */
#define GRANT_PIN_HW_SHIFT   0
#define GRANT_PIN_HR_SHIFT   8
#define GRANT_PIN_DW_SHIFT   16
#define GRANT_PIN_DR_SHIFT   24
#define GRANT_PIN_HW  (1u << GRANT_PIN_HW_SHIFT)
#define GRANT_PIN_HR  (1u << GRANT_PIN_HR_SHIFT)
#define GRANT_PIN_DW  (1u << GRANT_PIN_DW_SHIFT)
#define GRANT_PIN_DR  (1u << GRANT_PIN_DR_SHIFT)
#define GRANT_PIN_MASK(inc)      ((inc) * 0xFFu)
#define GRANT_PIN_WRITERS        (GRANT_PIN_MASK(GRANT_PIN_HW) | GRANT_PIN_MASK(GRANT_PIN_DW))
/* Adding inc would need the top bit of a count: refused (Xen's overflow guard). */
#define GRANT_PIN_FULL(pin, inc) (((pin) & ((inc) << 7)) != 0)

struct grant_active {
    uint32_t pin;               /* use counts (above); 0: not in use */
    domid_t domid;              /* the user while pinned */
    uint16_t pad;
    uint64_t mfn;               /* the granted frame while pinned */
};
#define GRANT_ACTIVE_PER_FRAME  (GRANT_PAGE_SIZE / sizeof(struct grant_active))   /* 256 */

/* One mapping a domain made (indexed by its handle), Xen's 16-byte layout. */
struct grant_mapping {
    uint32_t ref;               /* in use: the grant reference; free: the next free handle */
    uint16_t flags;             /* GNTMAP_* of the mapping still in place; 0: free */
    domid_t domid;              /* the granting domain */
    uint32_t pad[2];
};
#define GRANT_MT_PER_FRAME  (GRANT_PAGE_SIZE / sizeof(struct grant_mapping))      /* 256 */
#define GRANT_MT_NONE       0xFFFFFFFFu

/* The frame numbers of a table's pages, in one hypervisor frame; those of
 * its maptrack pages are in another, allocated with the first of them (most
 * domains never map a grant). */
struct grant_index {
    uint32_t shared[GRANT_MAX_FRAMES_LIMIT];
    uint32_t active[GRANT_MAX_FRAMES_LIMIT * GRANT_V1_PER_FRAME / GRANT_ACTIVE_PER_FRAME];
};
_Static_assert(sizeof(struct grant_index) <= GRANT_PAGE_SIZE, "the index fits a frame");
_Static_assert(GRANT_MAPTRACK_FRAMES_LIMIT * sizeof(uint32_t) <= GRANT_PAGE_SIZE, "the maptrack index fits a frame");

/* ---- the table (grant_table.c) ---- */
/* Start a table for domain domid on index (a zeroed frame at index_mfn),
 * with its first shared frame: 0 or -XEN_ENOMEM. */
int grant_table_init(struct grant_table *gt, domid_t domid, uint64_t index_mfn, struct grant_index *index,
                     uint32_t max_frames, uint32_t max_maptrack_frames);
/* Free every page of the table (the index frame is the caller's). */
void grant_table_free(struct grant_table *gt);
/* Grow to nr shared frames (and their active pages): 0 or -XEN_ENOMEM. */
int grant_table_grow(struct grant_table *gt, uint32_t nr);
static inline uint32_t grant_nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * GRANT_V1_PER_FRAME;
}
struct grant_entry_v1 *grant_shared_entry(struct grant_table *gt, grant_ref_t ref);
struct grant_active *grant_active_entry(struct grant_table *gt, grant_ref_t ref);

/* ---- entries (grant_entry.c) ---- */
/* Mark the shared entry in use for domain user (GTF_reading, and
 * GTF_writing unless readonly); a first use (act not pinned) also checks
 * the entry grants access to user (for a mapping, not a sub-page grant).
 * GNTST_okay or GNTST_general_error. */
int grant_entry_acquire(struct grant_entry_v1 *e, const struct grant_active *act, bool readonly,
                        bool for_map, domid_t user);
/* Clear what the remaining pins no longer need (Xen's reduce_status_for_pin). */
void grant_entry_reduce(struct grant_entry_v1 *e, const struct grant_active *act, bool readonly);

/* ---- maptrack (grant_maptrack.c) ---- */
/* A free handle (allocating a maptrack page if needed), or GRANT_MT_NONE. */
uint32_t grant_maptrack_get(struct grant_table *lgt);
void grant_maptrack_put(struct grant_table *lgt, uint32_t handle);
struct grant_mapping *grant_maptrack_entry(struct grant_table *lgt, uint32_t handle);

/* ---- the operations (self: the caller's table; ops already copied in) ---- */
/* An op that had to stop for page-table work: nothing of it remains; the
 * batch continues later from this op. Never reaches the guest. */
#define GRANT_RESTART 1

int grant_op_map(struct grant_table *self, struct gnttab_map_grant_ref *op);
/* Unmaps in two halves, as Xen: the page-table side for the whole batch,
 * one TLB flush, then the references and pins. */
struct grant_unmap_done {
    struct grant_table *rgt;
    grant_ref_t ref;
    uint64_t mfn;
    uint16_t done;              /* GNTMAP_host_map / device_map / readonly parts undone */
};
int grant_op_unmap(struct grant_table *self, uint64_t host_addr, uint64_t dev_bus_addr, uint32_t handle,
                   uint64_t new_addr, struct grant_unmap_done *done);
void grant_op_unmap_complete(struct grant_table *self, struct grant_unmap_done *done);
/* An entry of rgt is no longer in use (its pin went to 0). */
void grant_unpinned(struct grant_table *self, struct grant_table *rgt);
/* Teardown of the mapper self: every handle still in use is given up, the
 * last ones first, at most budget per call (true once all are). */
void grant_release_begin(struct grant_table *self);
bool grant_release_some(struct grant_table *self, unsigned budget);
int grant_op_copy(struct grant_table *self, const struct gnttab_copy *op);
int grant_op_transfer(struct grant_table *self, const struct gnttab_transfer *op);
int grant_op_swap(struct grant_table *self, grant_ref_t a, grant_ref_t b);
/* setup_table / query_size / get_status_frames fill op (status, sizes); the frame
 * list is written by the caller from frames[] (setup_table: nr_frames of them). */
void grant_op_setup_table(struct grant_table *self, struct gnttab_setup_table *op, uint64_t *frames);
void grant_op_query_size(struct grant_table *self, struct gnttab_query_size *op);
int grant_op_set_version(struct grant_table *self, struct gnttab_set_version *op);
int grant_op_get_version(struct grant_table *self, struct gnttab_get_version *op);
void grant_op_get_status_frames(struct grant_table *self, struct gnttab_get_status_frames *op);
/* <0: an error; 0: done; 1: not yet (search on from *cur_ref). */
int grant_op_cache_flush(struct grant_table *self, const struct gnttab_cache_flush *op, grant_ref_t *cur_ref);

/* ---- provided by the environment ---- */
/* The table of live domain id (DOMID_SELF is not resolved here), or NULL. */
struct grant_table *grant_env_lookup(domid_t id);
/* May this domain act on other domains' tables (Xen: the control domain)? */
bool grant_env_privileged(const struct grant_table *gt);
/* The same, dying domains included (unmaps and teardown reach a dying granter). */
struct grant_table *grant_env_lookup_any(domid_t id);
/* A zeroed hypervisor frame (INVALID: ~0ull), its memory, and freeing it. */
uint64_t grant_env_alloc_frame(void);
void grant_env_free_frame(uint64_t mfn);
void *grant_env_frame(uint64_t mfn);
/* Shared frames: given to the table's domain (mappable by it, writable),
 * freed once neither the table nor a mapping holds them. */
uint64_t grant_env_alloc_shared(struct grant_table *gt);
void grant_env_release_shared(uint64_t mfn);
/* References on a domain's frame (Xen's get_page/put_page): 0 or -errno. */
int grant_env_page_get(uint64_t mfn, domid_t owner);
void grant_env_page_put(uint64_t mfn);
/* A WRITABLE type reference (the caller holds a general one): 0,
 * -XEN_ERESTART when page-table work must run first, or another -errno. */
int grant_env_page_get_writable(uint64_t mfn, domid_t owner);
void grant_env_page_put_writable(uint64_t mfn);
/* The host-mapping page-table side (hv/mm/grant_pte.c): GNTST_* results. */
int grant_env_pte_create(uint64_t addr, uint64_t mfn, uint32_t flags);
int grant_env_pte_destroy(uint64_t addr, uint64_t mfn, uint32_t flags, uint64_t new_addr);
/* The hypervisor's machine address of a frame as a device sees it. */
static inline uint64_t grant_bus_addr(uint64_t mfn) { return mfn << 12; }
/* Transfer: take frame mfn (pfn = the caller's name for it) away from domain
 * from (it must hold nothing but its allocation): 0 or -XEN_EINVAL/-XEN_EBUSY. */
int grant_env_steal(domid_t from, uint64_t mfn);
/* May domain to receive one more frame (alive, below its maximum)? */
bool grant_env_has_room(domid_t to);
/* Give a stolen frame to domain to, at pfn in its M2P; or free it. */
void grant_env_assign(domid_t to, uint64_t mfn, uint64_t pfn);
void grant_env_free_stolen(uint64_t mfn);
/* The last use of gt's entries by another domain ended (a dying granter
 * may now go). */
void grant_env_unpinned(struct grant_table *gt);
/* Cache flush: is mfn a frame of memory; the grant table of its owner with
 * a reference taken on the frame (NULL, no reference: free, the
 * hypervisor's, no such table); write back part of the frame's lines. */
bool grant_env_frame_valid(uint64_t mfn);
struct grant_table *grant_env_frame_owner_get(uint64_t mfn);
void grant_env_cache_flush(uint64_t mfn, unsigned offset, unsigned len);
/* Should a batch stop here and continue later? */
bool grant_env_preempt(void);

#endif

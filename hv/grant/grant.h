/* Grant tables: how a domain lets others map or copy chosen frames of its
 * own (grant_table_op). Version 1 entries only.
 *
 * CONTRACT with the rest of the hypervisor (hv/grant/ owns everything else):
 *   - struct grant_table is embedded in struct domain (d->grant);
 *   - grant_domain_init() when a domain is created (its first table frame
 *     exists from then on, as in Xen), grant_domain_destroy() once nothing
 *     of the domain is left in use (see grant_domain_busy());
 *   - a dying domain first gives up the mappings it holds of other domains'
 *     grants (and of its own) with grant_release_mappings(), in pieces;
 *   - grant_domain_busy(): another domain still holds one of d's grants
 *     (mapped or being copied): d's table must stay until that ends;
 *   - hv/mm/grant_pte.c provides the page-table side (grant_pte_*), the
 *     frame table the references.
 * The reserved entries GNTTAB_RESERVED_CONSOLE and GNTTAB_RESERVED_XENSTORE
 * are the domain builder's to fill (grant_builder_set). */
#ifndef HV_GRANT_GRANT_H
#define HV_GRANT_GRANT_H

#include <stdint.h>
#include <stdbool.h>

struct domain;

#define GRANT_DEFAULT_MAX_FRAMES        64u     /* Xen's gnttab_max_frames default */
#define GRANT_MAX_FRAMES_LIMIT          256u    /* the most gnttab_max_frames= may ask for */
#define GRANT_DEFAULT_MAPTRACK_FRAMES   1024u   /* Xen's gnttab_max_maptrack_frames default */
#define GRANT_MAPTRACK_FRAMES_LIMIT     1024u

/* Limits from the command line (gnttab_max_frames=, gnttab_max_maptrack_frames=). */
extern uint32_t grant_opt_max_frames, grant_opt_max_maptrack_frames;

struct grant_index;                     /* grant_priv.h */

struct grant_table {
    struct grant_index *index;          /* frame numbers of the table's pages (a hypervisor frame) */
    uint64_t index_mfn;
    uint32_t *maptrack_index;           /* frame numbers of the maptrack pages (a hypervisor
                                           frame, from the domain's first mapping on), or NULL */
    uint64_t maptrack_index_mfn;
    uint32_t nr_frames, max_frames;     /* shared frames in use / allowed */
    uint32_t maptrack_limit;            /* handles below this exist */
    uint32_t max_maptrack_frames;
    uint32_t maptrack_head, maptrack_tail;  /* free handles, oldest first (GRANT_MT_NONE: none) */
    uint32_t pinned;                    /* entries of ours in use by someone (pin != 0) */
    uint32_t release_next;              /* grant_release_mappings: next handle to look at, plus one */
    bool release_started;
    uint16_t domid;
    uint8_t version;
    struct domain *owner;               /* NULL in host tests */
};

int grant_domain_init(struct domain *d);            /* 0 or -XEN_ENOMEM */
void grant_domain_destroy(struct domain *d);
/* Drop the mappings d holds (pins on the granters' entries, device-map
 * references): true when done, false when the work limit stopped it. */
bool grant_release_mappings(struct domain *d);
bool grant_domain_busy(const struct domain *d);
/* The builder's reserved entries: entry ref of d grants frame mfn to domid. */
void grant_builder_set(struct domain *d, unsigned ref, uint16_t domid, uint64_t mfn, bool readonly);

long grant_table_op_hypercall(uint64_t cmd, uint64_t uop, uint64_t count, uint64_t a4, uint64_t a5);

#endif

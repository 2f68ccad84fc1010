/* Helpers shared by the PV memory-management hypercalls. */
#ifndef HV_MM_PV_MM_H
#define HV_MM_PV_MM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/domain.h"
#include "mm/pv_mm_pte.h"

/* When the continuation flag is set in a batch count, the hypercall is
 * resuming: the entries done so far are in *pdone. */
#define BATCH_PREEMPTED (1u << 31)
/* Entries between two checks for preemption. */
#define BATCH_CHECK_EVERY 64

/* One entry of a batch; *flush: a present mapping changed. */
typedef int (*pv_mm_entry_fn)(struct domain *d, struct domain *pg_owner, const void *entry, bool *flush);
/* Run a batch hypercall (mmu_update, mmuext_op): entries of entry_size bytes
 * (at most 32) from list, count of them, the number done stored at pdone
 * (if not 0), frames of the domain in foreigndom's low 16 bits; when
 * names_pt_owner (mmu_update), bits 16-31 name the page tables' owner plus
 * one. Stops at the first error, and after about a millisecond asks to
 * continue where it was. */
long pv_mm_run_batch(uint64_t list, uint64_t count, uint64_t pdone, uint64_t foreigndom,
                     bool names_pt_owner, size_t entry_size, pv_mm_entry_fn fn);

/* The domain whose frames a request may reference: the caller itself for
 * DOMID_SELF; another domain only for a privileged caller (its own id is
 * refused, as in Xen). NULL with *err set otherwise. */
struct domain *pv_mm_pg_owner(struct domain *d, domid_t id, long *err);

#endif

/* One page-table entry of a guest (pv_mm_pte.c). */
#ifndef HV_MM_PV_MM_PTE_H
#define HV_MM_PV_MM_PTE_H

#include <stdint.h>
#include <stdbool.h>
#include "xen.h"

/* Write one PTE (table frame, slot), remembering whether the TLB needs a
 * flush because a present mapping changed. */
int pv_mm_write_pte(uint64_t table_mfn, unsigned slot, uint64_t val, domid_t owner, bool preserve_ad,
                    bool *flush);
/* The L1 table and slot mapping va in the address space of the L4 l4_mfn;
 * -EINVAL when a level above is absent or a superpage. */
int pv_mm_find_l1(uint64_t l4_mfn, uint64_t va, uint64_t *l1_mfn, unsigned *slot);

#endif

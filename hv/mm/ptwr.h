/* Writable page tables ("ptwr"): the part of the emulation of a guest
 * kernel's write to one of its L1 page tables that is about frames and
 * entries, not instructions (those are arch/x86_64/pv_ptwr.c). */
#ifndef HV_MM_PTWR_H
#define HV_MM_PTWR_H

#include <stdbool.h>
#include <stdint.h>
#include "xen.h"

/* The L1 table that va (a write fault address) falls in, when the write is
 * one to emulate: the entry mapping va in the address space of l4_mfn is
 * present and read-only, and names a frame of d that is a validated L1 page
 * table. 0 and *l1_mfn, or -1. */
int ptwr_target(domid_t d, uint64_t l4_mfn, uint64_t va, uint64_t *l1_mfn);

/* Entry slot of the L1 l1_mfn as it is now. */
uint64_t ptwr_read(uint64_t l1_mfn, unsigned slot);

/* Replace entry slot of the L1 l1_mfn with val, validated as mmu_update
 * validates it. With cmpxchg, only when the entry is still `expect`: when it
 * is not, 1 is returned and *found holds the current entry (val is not
 * looked at). 0 when written (*flush set if a present mapping changed),
 * -E... when refused. */
int ptwr_update(domid_t d, uint64_t l1_mfn, unsigned slot, uint64_t val, bool cmpxchg,
                uint64_t expect, uint64_t *found, bool *flush);

#endif

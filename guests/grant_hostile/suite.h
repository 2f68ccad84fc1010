/*
 * The grant_hostile guest: grant_table_op requests that are wrong in some
 * way, or push a limit, each with the answer of the real Xen 4.17 (statuses
 * per op, the hypercall's result), the hypervisor left in working order.
 * Parts: calls.c (the dispatcher: sub-ops, counts, pointers; setup_table,
 * query_size and version refusals), map.c (map/unmap refusals), state.c
 * (grants whose state changes under a mapping: the entry rewritten, the PTE
 * overwritten, the frame pinned or given back), limits.c (per-grant pin
 * counts, the number of handles), copy.c, other.c (transfer, swap,
 * cache_flush).  main.c sets up, checks the frame accounting at the end,
 * then leaves some mappings in place for the hypervisor's teardown.
 */
#ifndef GRANT_HOSTILE_SUITE_H
#define GRANT_HOSTILE_SUITE_H

/* expect(), reservation(), the data frames, map_va(), E(), GNT_RW/GNT_RO:
 * guests/lib/grant_test.h (shared with the grant guest). */
#include "grant_test.h"

/* Frames that are not ours: an M2P frame (the hypervisor's), one given back
 * at set-up, one beyond RAM. */
extern unsigned long m2p_mfn, freed_mfn, beyond_ram_mfn;
/* A VA with no L1 behind it (an empty L4 slot). */
#define UNMAPPED_VA 0x0000020000000000UL

/* Frames lost on purpose (given away by transfers); main.c takes as many back. */
extern unsigned long frames_lost;

void test_calls(void);
void test_map_refusals(void);
void test_state(void);
void test_limits(void);
void test_copy(void);
void test_other(void);

#endif

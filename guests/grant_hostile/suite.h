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

#include "grant.h"
#include "errno.h"

#define E(x) (-(long)XEN_##x)
#define GNT_RW (GTF_permit_access | GTF_reading | GTF_writing)
#define GNT_RO (GTF_permit_access | GTF_reading)

int expect(long got, long want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Data frames mapped writable at L1 3 of the grant window (as in the grant guest). */
#define NR_DATA 8
extern unsigned long data_mfn[NR_DATA];
static inline volatile unsigned long *data_va(unsigned i)
{
    return (volatile unsigned long *)gnt_va(3, i);
}
static inline unsigned long data_word(unsigned long seed, unsigned i)
{
    return (seed * 0x9e3779b97f4a7c15UL) ^ (i * 0x100000001UL) ^ 0x686f7374UL;
}
void data_fill(unsigned d, unsigned long seed);
int data_is(unsigned d, unsigned long seed);

/* Free VAs for grant mappings: L1 1 and 2 of the window. */
static inline unsigned long map_va(unsigned i)
{
    return gnt_va(1 + i / 512, i % 512);
}

/* Frames that are not ours: an M2P frame (the hypervisor's), one given back
 * at set-up, one beyond RAM. */
extern unsigned long m2p_mfn, freed_mfn, beyond_ram_mfn;
/* A VA with no L1 behind it (an empty L4 slot). */
#define UNMAPPED_VA 0x0000020000000000UL

long reservation(void);
/* Frames lost on purpose (given away by transfers); main.c takes as many back. */
extern unsigned long frames_lost;

void test_calls(void);
void test_map_refusals(void);
void test_state(void);
void test_limits(void);
void test_copy(void);
void test_other(void);

#endif

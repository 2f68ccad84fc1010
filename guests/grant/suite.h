/*
 * The grant guest: grant tables used as a PV kernel uses them, on its own
 * frames granted to itself (dom0 is the only domain).  Each part is one file:
 * table.c (setup_table, query_size, versions, status frames), map.c
 * (map_grant_ref / unmap_grant_ref / unmap_and_replace in their forms),
 * copy.c (GNTTABOP_copy), other.c (transfer, swap_grant_ref, cache_flush,
 * dump_table).  main.c runs them in order and checks at the end that every
 * frame granted is an ordinary frame of the guest again.
 */
#ifndef GRANT_SUITE_H
#define GRANT_SUITE_H

#include "grant.h"
#include "errno.h"

#define E(x) (-(long)XEN_##x)

/* test_check(got == want) with both values in the line. */
int expect(long got, long want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Data frames: fresh frames of the guest, each mapped writable at a VA of
 * the grant window (L1 3) so that the guest sees their contents; they are
 * what the tests grant.  data_fill() writes a pattern derived from `seed`,
 * data_word() is its word i.
 */
#define NR_DATA 8
extern unsigned long data_mfn[NR_DATA];
static inline volatile unsigned long *data_va(unsigned i)
{
    return (volatile unsigned long *)gnt_va(3, i);
}
static inline unsigned long data_word(unsigned long seed, unsigned i)
{
    return (seed * 0x9e3779b97f4a7c15UL) ^ (i * 0x100000001UL) ^ 0x6772616e74UL;
}
void data_fill(unsigned d, unsigned long seed);
/* Does frame d hold the pattern of `seed`? Read through its data VA. */
int data_is(unsigned d, unsigned long seed);

/* Free VAs of the grant window for grant mappings (L1 1 and 2). */
static inline unsigned long map_va(unsigned i)
{
    return gnt_va(1 + i / 512, i % 512);
}

/* The parts. */
void test_table(void);
void test_map(void);
void test_copy(void);
void test_other(void);

#endif

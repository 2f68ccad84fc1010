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

/* expect(), the data frames, map_va(), E(): guests/lib/grant_test.h. */
#include "grant_test.h"

/* The parts. */
void test_table(void);
void test_map(void);
void test_copy(void);
void test_other(void);

#endif

/*
 * Xenolith test-guest runtime: what the grant-table test guests (grant,
 * grant_hostile) share on top of grant.h.
 *
 * - expect(): test_check(got == want) with both values in the line.
 * - Data frames: NR_DATA fresh frames of the guest, each mapped writable at a
 *   VA of the grant window (L1 3) so that the guest sees their contents; they
 *   are what the tests grant.  data_fill() writes the pattern of a seed,
 *   data_word() is its word i, data_is() checks it.  Each suite salts the
 *   pattern with its own constant (grant_test_setup()).
 * - map_va(): free VAs of the grant window for grant mappings (L1 1 and 2).
 * - grant_test_setup(): the grant window, the probes' #PF handler and the
 *   data frames; the guest ends (test_finish) when one of them fails.
 * - grant_test_accounting(): the end-of-suite check that every frame granted
 *   is an ordinary frame of the guest again.
 */
#ifndef XENOLITH_GUEST_GRANT_TEST_H
#define XENOLITH_GUEST_GRANT_TEST_H

#include "grant.h"
#include "errno.h"

/* A Xen error code as a hypercall returns it. */
#define E(x) (-(long)XEN_##x)
/* The flags of an entry while it is mapped writable / only read-only. */
#define GNT_RW (GTF_permit_access | GTF_reading | GTF_writing)
#define GNT_RO (GTF_permit_access | GTF_reading)

/* test_check(got == want) with both values in the line. */
int expect(long got, long want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* XENMEM_current_reservation of the guest. */
long reservation(void);

#define NR_DATA 8
extern unsigned long data_mfn[NR_DATA];
extern unsigned long data_salt;         /* set by grant_test_setup() */
static inline volatile unsigned long *data_va(unsigned i)
{
    return (volatile unsigned long *)gnt_va(3, i);
}
static inline unsigned long data_word(unsigned long seed, unsigned i)
{
    return (seed * 0x9e3779b97f4a7c15UL) ^ (i * 0x100000001UL) ^ data_salt;
}
void data_fill(unsigned d, unsigned long seed);
/* Does frame d hold the pattern of `seed`? Read through its data VA. */
int data_is(unsigned d, unsigned long seed);

/* Free VAs of the grant window for grant mappings (L1 1 and 2). */
static inline unsigned long map_va(unsigned i)
{
    return gnt_va(1 + i / 512, i % 512);
}

/* Build the grant window, install the probes' #PF handler, take NR_DATA
 * frames and map them at their data VAs; `salt` goes into every pattern
 * word.  Each step is a check; the guest ends if the window or the data
 * frames cannot be had. */
void grant_test_setup(unsigned long salt);

/*
 * At the end of a suite: no entry of the table is left reading or writing;
 * the data frames, zeroed and unmapped, can each be pinned as an L1 (nothing
 * maps them writable); `given_away` frames lost on purpose (at most 64) are
 * taken back with increase_reservation, after which current_reservation is
 * `start` again; and the data frames given back and taken again move the
 * reservation by exactly NR_DATA (no reference is left on them).
 */
void grant_test_accounting(long start, unsigned long given_away);

#endif

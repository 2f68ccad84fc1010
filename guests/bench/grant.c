/*
 * Benchmark guest: grant tables, dom0 granting its own frames to itself.
 *
 *   grant_map_unmap   GNTTABOP_map_grant_ref of one writable page at a VA of
 *                     an L1 the guest built (GNTMAP_host_map), one read
 *                     through the mapping, GNTTABOP_unmap_grant_ref: cycles
 *                     per map + unmap pair, one op per call
 *   grant_copy_4k     GNTTABOP_copy of 4096 bytes from a granted frame
 *                     (GNTCOPY_source_gref) to a frame of its own: cycles per
 *                     copy, one op per call
 *
 * Every call's result and status is checked inside the timed loops (and the
 * word read through each mapping); after each round, untimed: the entry is
 * released and the PTE empty, or the destination frame holds the round's
 * pattern (the source gets a new pattern before every round).  Without grant
 * tables (setup_table failing) both figures fail with the reason.
 */
#include "bench.h"
#include "grant.h"

#define MAP_ITERS  2000
#define COPY_ITERS 2000
#define REF_MAP    10
#define REF_COPY   11

static unsigned long src_mfn, dst_mfn;

static volatile unsigned long *src_va(void) { return (volatile unsigned long *)gnt_va(3, 0); }
static volatile unsigned long *dst_va(void) { return (volatile unsigned long *)gnt_va(3, 1); }

static unsigned long pattern(int round, unsigned i)
{
    return 0x6772616e74000000UL ^ ((unsigned long)(round + 2) << 40) ^ (i * 0x9e3779b97f4a7c15UL);
}

static int grant_setup(void)
{
    int16_t st = 0;
    long rc = gnt_area_init();

    if (!test_check(rc == 0, "grant window built at L4 slot %d: rc=%ld", GNT_AREA_SLOT, rc))
        return 0;
    rc = gnt_table_setup(1, &st);
    if (!test_check(rc == 0 && st == GNTST_okay,
                    "grant tables: setup_table(DOMID_SELF, 1) rc=%ld status %d (without it no grant "
                    "figures: grant_map_unmap and grant_copy_4k fail)", rc, st))
        return 0;
    src_mfn = mm_alloc_mfn();
    dst_mfn = mm_alloc_mfn();
    rc = gnt_set_pte((unsigned long)src_va(), mm_pte(src_mfn, MM_RW_FLAGS)) |
         gnt_set_pte((unsigned long)dst_va(), mm_pte(dst_mfn, MM_RW_FLAGS));
    for (unsigned i = 0; i < 512 && rc == 0; i++) {
        src_va()[i] = pattern(-1, i);
        dst_va()[i] = 0;
    }
    gnt_grant(REF_MAP, 0, src_mfn, GTF_permit_access);
    gnt_grant(REF_COPY, 0, src_mfn, GTF_permit_access | GTF_readonly);
    return test_check(rc == 0, "grant figures set up: table frame %#lx, frames %#lx (granted) and %#lx",
                      gnt_table_mfn[0], src_mfn, dst_mfn);
}

static void bench_map_unmap(void)
{
    struct bench_figure f;
    unsigned long va = gnt_va(1, 0), bad_calls = 0, bad_reads = 0, bad_state = 0;
    gnttab_map_grant_ref_t m;
    gnttab_unmap_grant_ref_t u;

    bench_begin(&f, "grant_map_unmap", "cycles/pair");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        unsigned long want = src_va()[5];
        uint64_t t0 = bench_tsc();
        for (unsigned i = 0; i < MAP_ITERS; i++) {
            m.host_addr = va;
            m.flags = GNTMAP_host_map;
            m.ref = REF_MAP;
            m.dom = 0;
            m.status = 0x7777;
            long rc = gnt_op(GNTTABOP_map_grant_ref, &m, 1);
            if (rc || m.status) {
                bad_calls++;
                break;
            }
            bad_reads += ((volatile unsigned long *)va)[5] != want;
            u.host_addr = va;
            u.dev_bus_addr = 0;
            u.handle = m.handle;
            u.status = 0x7777;
            rc = gnt_op(GNTTABOP_unmap_grant_ref, &u, 1);
            if (rc || u.status) {
                bad_calls++;
                break;
            }
        }
        uint64_t t1 = bench_tsc();
        bad_state += gnt_pte(va) != 0 || gnt_flags(REF_MAP) != GTF_permit_access || t1 <= t0;
        if (bad_calls)
            break;
        if (round >= 0)
            bench_record(&f, t1 - t0, MAP_ITERS);
    }
    int ok = test_check(bad_calls == 0 && bad_reads == 0 && bad_state == 0,
                        "grant map + read + unmap of one page, %u pairs in %d rounds: failed calls %lu, "
                        "wrong reads %lu, entry or PTE left wrong %lu", MAP_ITERS, BENCH_ROUNDS + 1, bad_calls,
                        bad_reads, bad_state);
    bench_report(&f, ok);
}

static void bench_copy(void)
{
    struct bench_figure f;
    unsigned long bad_calls = 0, bad_data = 0, bad_state = 0;
    gnttab_copy_t c;

    bench_begin(&f, "grant_copy_4k", "cycles/copy");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        for (unsigned i = 0; i < 512; i++)
            src_va()[i] = pattern(round, i);
        uint64_t t0 = bench_tsc();
        for (unsigned i = 0; i < COPY_ITERS; i++) {
            c.source.u.ref = REF_COPY;
            c.source.domid = DOMID_SELF;
            c.source.offset = 0;
            c.dest.u.gmfn = dst_mfn;
            c.dest.domid = DOMID_SELF;
            c.dest.offset = 0;
            c.len = 4096;
            c.flags = GNTCOPY_source_gref;
            c.status = 0x7777;
            long rc = gnt_op(GNTTABOP_copy, &c, 1);
            if (rc || c.status) {
                bad_calls++;
                break;
            }
        }
        uint64_t t1 = bench_tsc();
        for (unsigned i = 0; i < 512; i++)
            bad_data += dst_va()[i] != pattern(round, i);
        bad_state += gnt_flags(REF_COPY) != (GTF_permit_access | GTF_readonly) || t1 <= t0;
        if (bad_calls)
            break;
        if (round >= 0)
            bench_record(&f, t1 - t0, COPY_ITERS);
    }
    int ok = test_check(bad_calls == 0 && bad_data == 0 && bad_state == 0,
                        "grant copy of 4 KiB (gref -> own frame), %u copies in %d rounds: failed calls %lu, "
                        "wrong words in the destination %lu, entry left wrong %lu", COPY_ITERS, BENCH_ROUNDS + 1,
                        bad_calls, bad_data, bad_state);
    bench_report(&f, ok);
}

void bench_grant(void)
{
    if (!grant_setup())
        return;
    bench_map_unmap();
    bench_copy();
    gnt_grant(REF_MAP, 0, 0, GTF_invalid);
    gnt_grant(REF_COPY, 0, 0, GTF_invalid);
}

/* Limits: mappings per grant, and mapping handles per domain. */
#include "suite.h"

/*
 * Xen counts the mappings of one grant in four 8-bit counters (writable and
 * read-only, host and device) and refuses a mapping that would set the top
 * bit of its counter: 128 of each kind, the 129th gets GNTST_general_error.
 */
#define PER_KIND 128
static grant_handle_t h[PER_KIND + 1];

static unsigned map_many(grant_ref_t ref, uint32_t flags, unsigned first_va, int16_t *last_status)
{
    gnttab_map_grant_ref_t op;
    unsigned ok = 0;

    *last_status = 0;
    for (unsigned i = 0; i <= PER_KIND; i++) {
        unsigned long va = (flags & GNTMAP_host_map) ? map_va(first_va + i) : 0;
        long rc = gnt_map(&op, va, flags, ref, 0);
        if (rc || op.status) {
            *last_status = rc ? (int16_t)rc : op.status;
            break;
        }
        h[i] = op.handle;
        ok++;
    }
    return ok;
}

static unsigned unmap_many(unsigned n, uint32_t flags, unsigned first_va, unsigned long bus)
{
    unsigned ok = 0;
    for (unsigned i = 0; i < n; i++) {
        int16_t st;
        unsigned long va = (flags & GNTMAP_host_map) ? map_va(first_va + i) : 0;
        gnt_unmap(va, (flags & GNTMAP_device_map) ? bus : 0, h[i], &st);
        ok += st == 0;
    }
    return ok;
}

static void per_grant(void)
{
    static const struct { uint32_t flags; const char *what; } kinds[] = {
        { GNTMAP_host_map, "writable host" },
        { GNTMAP_host_map | GNTMAP_readonly, "read-only host" },
        { GNTMAP_device_map, "writable device" },
        { GNTMAP_device_map | GNTMAP_readonly, "read-only device" },
    };
    unsigned long bus = data_mfn[5] << 12;
    int16_t st;

    gnt_grant(200, 0, data_mfn[5], GTF_permit_access);
    for (unsigned k = 0; k < 4; k++) {
        unsigned n = map_many(200, kinds[k].flags, 100, &st);
        test_check(n == PER_KIND && st == GNTST_general_error,
                   "%s mappings of one grant: %u made, the next refused with status %d (want %d, general_error)",
                   kinds[k].what, n, st, PER_KIND);
        unsigned u = unmap_many(n, kinds[k].flags, 100, bus);
        expect(u, n, "  all unmapped");
    }
    expect(gnt_flags(200), GTF_permit_access, "entry 200 released");

    /* The kinds count apart: 128 of each at once. */
    unsigned total = 0;
    static grant_handle_t all[4][PER_KIND];
    for (unsigned k = 0; k < 4; k++) {
        unsigned n = map_many(200, kinds[k].flags, 100 + k * PER_KIND, &st);
        for (unsigned i = 0; i < n && i < PER_KIND; i++)
            all[k][i] = h[i];
        total += n;
    }
    expect(total, 4 * PER_KIND, "mappings of one grant with all four kinds at once");
    unsigned u = 0;
    for (unsigned k = 0; k < 4; k++) {
        for (unsigned i = 0; i < PER_KIND; i++)
            h[i] = all[k][i];
        u += unmap_many(PER_KIND, kinds[k].flags, 100 + k * PER_KIND, bus);
    }
    expect(u, 4 * PER_KIND, "  all unmapped");
    expect(gnt_flags(200), GTF_permit_access, "entry 200 released");
    gnt_grant(200, 0, 0, GTF_invalid);
}

/*
 * Handles: dom0's maptrack table may grow to 1024 frames of 256 handles, and
 * one handle always stays on the free list as its tail: 262143 mappings at
 * once, then GNTST_no_space.  Read-only device mappings need no address;
 * 2048 grants of one frame give room for 262144 of them.
 */
#define MAPTRACK_WANT 262143u
#define BATCH 4096
#define REF0 2048
static gnttab_map_grant_ref_t mops[BATCH];
static gnttab_unmap_grant_ref_t uops[BATCH];
static grant_handle_t handles[MAPTRACK_WANT + 2 * BATCH];

static void maptrack(void)
{
    unsigned long bus = data_mfn[6] << 12;
    unsigned made = 0, calls = 0, after_refused = 0, other = 0;
    int16_t first_bad = 0;
    long rc = 0;

    for (unsigned r = 0; r < 2048; r++)
        gnt_grant(REF0 + r, 0, data_mfn[6], GTF_permit_access);
    while (!first_bad && made <= MAPTRACK_WANT && rc == 0) {   /* bounded if there is no limit */
        for (unsigned i = 0; i < BATCH; i++) {
            unsigned n = made + i;
            mops[i].host_addr = 0;
            mops[i].flags = GNTMAP_device_map | GNTMAP_readonly;
            mops[i].ref = REF0 + (n / 128) % 2048;
            mops[i].dom = 0;
            mops[i].status = 0x7777;
        }
        rc = gnt_op(GNTTABOP_map_grant_ref, mops, BATCH);
        calls++;
        for (unsigned i = 0; i < BATCH; i++) {
            if (mops[i].status == 0 && !first_bad) {
                handles[made++] = mops[i].handle;
            } else if (mops[i].status == 0) {
                handles[made++] = mops[i].handle;   /* one made after a refusal */
                other++;
            } else {
                if (!first_bad)
                    first_bad = mops[i].status;
                else if (mops[i].status == first_bad)
                    after_refused++;
                else
                    other++;
            }
        }
    }
    test_note("maptrack: %u mappings made in %u calls, first refusal status %d", made, calls, first_bad);
    test_check(rc == 0 && made == MAPTRACK_WANT && first_bad == GNTST_no_space && other == 0,
               "read-only device mappings until the handles run out: %u made (want %u), then status %d "
               "(want GNTST_no_space), the rest of that batch refused alike (%u), %u odd", made, MAPTRACK_WANT,
               first_bad, after_refused, other);

    /* One more, singly: refused the same way. */
    gnttab_map_grant_ref_t op;
    rc = gnt_map(&op, 0, GNTMAP_device_map | GNTMAP_readonly, REF0 + 2047, 0);
    test_check(rc == 0 && op.status == GNTST_no_space, "one more mapping: status %d", op.status);

    /* All unmapped, in batches. */
    unsigned done = 0, bad = 0;
    while (done < made) {
        unsigned n = made - done < BATCH ? made - done : BATCH;
        for (unsigned i = 0; i < n; i++) {
            uops[i].host_addr = 0;
            uops[i].dev_bus_addr = bus;
            uops[i].handle = handles[done + i];
            uops[i].status = 0x7777;
        }
        rc = gnt_op(GNTTABOP_unmap_grant_ref, uops, n);
        for (unsigned i = 0; i < n; i++)
            bad += uops[i].status != 0;
        bad += rc != 0;
        done += n;
    }
    expect(bad, 0, "failed unmaps of the %u handles", made);
    unsigned busy = 0;
    for (unsigned r = 0; r < 2048; r++)
        busy += gnt_flags(REF0 + r) != GTF_permit_access;
    expect(busy, 0, "grants still busy after that");
    rc = gnt_map(&op, map_va(5), GNTMAP_host_map, REF0, 0);
    test_check(rc == 0 && op.status == 0, "handles are free again: a new mapping works (status %d)", op.status);
    int16_t st;
    gnt_unmap(map_va(5), 0, op.handle, &st);
    expect(st, 0, "unmapped");
    for (unsigned r = 0; r < 2048; r++)
        gnt_grant(REF0 + r, 0, 0, GTF_invalid);
}

void test_limits(void)
{
    per_grant();
    maptrack();
}

/* Host tests of a dead domain's teardown (hv/core/domain_teardown.c) with
 * the real page-type core and a fake grant table: the steps run in pieces,
 * a domain whose grants another domain still uses waits (off the work list,
 * so nothing spins) with the frames that domain maps kept alive, and the
 * last use ending (domain_teardown_kick) lets it finish: every frame back,
 * the grant table destroyed only then, nothing reported as unbalanced. */
#include <stdarg.h>
#include <stdbool.h>
#include "test.h"
#include "core/domain.h"
#include "core/log.h"
#include "mm/mm.h"
#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "errno.h"

/* ---- the fake machine ---- */

#define NFRAMES 64
static struct page_info frames[NFRAMES];
static uint64_t mem[NFRAMES][PT_ENTRIES];
struct page_info *frame_table = frames;
uint64_t frame_table_frames = NFRAMES;
#define NDOMS 8
static struct domain doms[NDOMS];
static unsigned nr_retired;
static bool freed[NFRAMES];
static unsigned nr_freed, unbalanced_lines, waiting_lines;

struct domain *domain_next(domid_t from)
{
    struct domain *best = 0;

    for (unsigned i = 0; i < NDOMS; i++)
        if (doms[i].state != DOMAIN_FREE && doms[i].id >= from && (!best || doms[i].id < best->id))
            best = &doms[i];
    return best;
}
void domain_retire(struct domain *d) { CHECK(d->state == DOMAIN_FREE); nr_retired++; }
void vcpu_info_locate(struct vcpu *v) { (void)v; }
void mm_defer_release_flush(bool defer) { (void)defer; }
/* VIRQ_DOM_EXC when the domain is gone (hv/core/domain_control.c): counted,
 * and the domain must be free by then. */
static unsigned gone_notes;
void domain_ctl_note_gone(struct domain *d) { CHECK_EQ(d->state, DOMAIN_FREE); gone_notes++; }
uint64_t *frame_map(uint64_t mfn) { return mem[mfn]; }
uint64_t mm_hv_l4_entry(unsigned slot) { (void)slot; return 0; }
void mm_tlb_flush(void) {}
void mm_scrub_frame(uint64_t mfn) { (void)mfn; }
bool mm_linear_pt_enabled(void) { return true; }

static struct domain *by_id(domid_t id)
{
    for (unsigned i = 0; i < NDOMS; i++)
        if (doms[i].state != DOMAIN_FREE && doms[i].id == id)
            return &doms[i];
    return 0;
}

uint32_t *mm_release_list(domid_t id)
{
    static uint32_t none;
    struct domain *d = by_id(id);

    return d ? &d->release_list : &none;
}

void mm_free_frame(uint64_t mfn)
{
    CHECK(!freed[mfn]);
    freed[mfn] = true;
    nr_freed++;
    frames[mfn] = (struct page_info){ .owner = OWNER_NONE };
}

void mm_page_released(uint64_t mfn)
{
    struct domain *d = by_id(frames[mfn].owner);

    if (d && !(frames[mfn].flags & PGF_XEN_HEAP) && d->nr_pages)
        d->nr_pages--;
    mm_free_frame(mfn);
}

void log_printf(int level, const char *fmt, ...)
{
    char line[256];
    va_list ap;

    (void)level;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (strstr(line, "unbalanced") || strstr(line, "still has"))
        unbalanced_lines++;
    if (strstr(line, "waiting for other domains"))
        waiting_lines++;
}

/* ---- the fake grant table: mappings given up in pieces, busy while another domain uses a grant ---- */

static unsigned release_pieces_left;
static bool busy;
static int destroyed_at_step = -1;
static uint64_t table_frame;            /* the grant table's frame: the table's own reference */

bool grant_release_mappings(struct domain *d)
{
    (void)d;
    if (release_pieces_left) {
        release_pieces_left--;
        pt_work = pt_work_limit;        /* this piece used up its work */
        return false;
    }
    return true;
}

bool grant_domain_busy(const struct domain *d) { (void)d; return busy; }

void grant_domain_destroy(struct domain *d)
{
    destroyed_at_step = d->teardown_step;
    page_put(table_frame);
}

/* ---- set-up ---- */

static void frame(uint64_t mfn, domid_t owner, uint32_t count, uint8_t flags)
{
    frames[mfn] = (struct page_info){ .owner = owner, .count = count, .flags = flags };
    freed[mfn] = false;
}

/* Domain 5 in slot 2: frames 10..19 its memory, frame 20 also mapped by
 * another domain (a second reference), frame 21 its grant table's frame,
 * frame 22 an L1 it pinned that maps frame 11 writable. */
static struct domain *world(void)
{
    struct domain *d = &doms[2];

    memset(doms, 0, sizeof(doms));
    memset(mem, 0, sizeof(mem));
    nr_freed = unbalanced_lines = waiting_lines = 0;
    destroyed_at_step = -1;
    for (uint64_t m = 0; m < NFRAMES; m++)
        frame(m, OWNER_NONE, 0, 0);
    for (uint64_t m = 10; m <= 20; m++)
        frame(m, 5, 1, PGF_ALLOCATED);
    frames[20].count = 2;
    table_frame = 21;
    frame(21, 5, 1, PGF_XEN_HEAP);
    frame(22, 5, 1, PGF_ALLOCATED);
    mem[22][7] = (11ull << 12) | PTE_P | PTE_RW | PTE_US;
    d->id = 5;
    d->state = DOMAIN_RUNNING;
    d->nr_pages = d->max_pages = 12;
    pt_work_begin();
    CHECK_EQ(pt_pin(22, 5, PGT_L1), 0);
    CHECK_EQ(frames[11].count, 2);
    CHECK_EQ(frames[11].type_count, 1);
    d->state = DOMAIN_SHUTDOWN;
    return d;
}

/* Run pieces until there is no work; how many ran. */
static unsigned run_all(void)
{
    unsigned n = 0;

    while (domain_teardown_some() && n < 10000)
        n++;
    return n;
}

/* ---- the tests ---- */

static void no_grant_in_use(void)
{
    struct domain *d = world();

    busy = false;
    release_pieces_left = 3;
    gone_notes = 0;
    domain_teardown_begin(d);
    CHECK(run_all() >= 4);                          /* the mappings went in pieces */
    CHECK_EQ(d->state, DOMAIN_FREE);
    CHECK_EQ(gone_notes, 1);                        /* dom0 told once, at the end */
    CHECK_EQ(destroyed_at_step, 5);                 /* TD_HELD: after the memory, before the leftovers */
    CHECK_EQ(waiting_lines, 0);
    /* Everything came back; frame 20, still referenced with no grant in use
     * (which the grant rules never allow), only as a reported leftover. */
    for (uint64_t m = 10; m <= 22; m++)
        CHECK(freed[m]);
    CHECK(unbalanced_lines > 0);
}

static void grant_in_use_waits(void)
{
    struct domain *d = world();

    busy = true;
    release_pieces_left = 1;
    domain_teardown_begin(d);
    run_all();
    /* Waiting: its memory is back but the frame another domain maps, and the table. */
    CHECK_EQ(d->state, DOMAIN_SHUTDOWN);
    CHECK(d->teardown_waiting);
    CHECK_EQ(waiting_lines, 1);
    CHECK_EQ(destroyed_at_step, -1);
    for (uint64_t m = 10; m <= 22; m++)
        CHECK(freed[m] == (m != 20 && m != 21));
    CHECK_EQ(frames[20].owner, 5);
    CHECK_EQ(frames[20].count, 1);
    CHECK(!(frames[20].flags & PGF_ALLOCATED));
    CHECK_EQ(d->nr_pages, 1);                       /* still counted against it */
    /* Off the work list: nothing runs for it, however often the scheduler asks. */
    CHECK_EQ(run_all(), 0);
    CHECK_EQ(domain_teardown_some(), false);
    /* A kick while the grant is still in use changes nothing lasting. */
    domain_teardown_kick(d);
    run_all();
    CHECK(d->teardown_waiting);
    CHECK_EQ(waiting_lines, 2);
    /* The other domain unmaps: its reference goes, the frame is freed (not before). */
    page_put(20);
    CHECK(freed[20]);
    CHECK_EQ(d->nr_pages, 0);
    busy = false;
    domain_teardown_kick(d);
    CHECK(!d->teardown_waiting);
    CHECK(run_all() >= 1);
    CHECK_EQ(d->state, DOMAIN_FREE);
    CHECK_EQ(destroyed_at_step, 5);
    CHECK(freed[21]);                               /* the table's frame, with the table */
    CHECK_EQ(unbalanced_lines, 0);
    CHECK_EQ(nr_freed, 13);
    /* A kick for a domain that is gone, or was never waiting, is nothing. */
    domain_teardown_kick(d);
    CHECK_EQ(run_all(), 0);
}

/* A pirq_eoi page (PHYSDEVOP_pirq_eoi_gmfn: a general and a WRITABLE type
 * reference, here on frame 12, also given back by the guest meanwhile) goes
 * with the teardown: every frame freed, nothing unbalanced, none reported. */
static void pirq_eoi_page(void)
{
    struct domain *d = world();

    busy = false;
    release_pieces_left = 1;
    d->state = DOMAIN_RUNNING;
    CHECK_EQ(page_get_typed(12, 5, PGT_WRITABLE), 0);
    d->pirq_eoi_mfn = 12;
    d->pirq_eoi_auto_unmask = true;
    frames[12].flags &= (uint8_t)~PGF_ALLOCATED;    /* given back: only the registration holds it */
    page_put(12);
    CHECK(!freed[12]);
    CHECK_EQ(frames[12].type, PGT_WRITABLE);
    d->state = DOMAIN_SHUTDOWN;
    frames[20].count = 1;                           /* no other domain maps frame 20 here */
    domain_teardown_begin(d);
    run_all();
    CHECK_EQ(d->state, DOMAIN_FREE);
    CHECK_EQ(d->pirq_eoi_mfn, 0);
    CHECK(!d->pirq_eoi_auto_unmask);
    for (uint64_t m = 10; m <= 22; m++)
        CHECK(freed[m]);
    CHECK_EQ(unbalanced_lines, 0);
    CHECK_EQ(frames[12].type_count, 0);
}

/* Linear page tables in a dead domain: L4s naming themselves and each other
 * (one level deep), an L3 naming another, tables held only through linear
 * entries, the cycle the guest tried (refused): the teardown frees every
 * frame, nothing unbalanced. */
static void linear_tables(void)
{
    struct domain *d = world();

    frames[20].count = 1;                           /* no other domain's reference here */
    for (uint64_t m = 30; m <= 37; m++)
        frame(m, 5, 1, PGF_ALLOCATED);
    d->nr_pages = d->max_pages = 20;
    d->state = DOMAIN_RUNNING;
    /* 31: an L4 mapping itself, with an L3 33 that names L3 32 linearly. */
    mem[31][0] = (31ull << 12) | PTE_P | PTE_US;
    mem[31][3] = (33ull << 12) | PTE_P | PTE_RW | PTE_US;
    mem[33][5] = (32ull << 12) | PTE_P | PTE_US;
    mem[33][6] = (34ull << 12) | PTE_P | PTE_RW | PTE_US;
    mem[34][0] = (34ull << 12) | PTE_P | PTE_US;    /* an L2 mapping itself */
    mem[34][1] = (35ull << 12) | PTE_P | PTE_RW | PTE_US;
    mem[35][0] = (10ull << 12) | PTE_P | PTE_RW | PTE_US;
    pt_work_begin();
    CHECK_EQ(pt_pin(32, 5, PGT_L3), 0);
    CHECK_EQ(pt_pin(31, 5, PGT_L4), 0);
    /* 30: an L4 mapping itself, naming 31 linearly, and L3 32 ordinarily. */
    mem[30][0] = (30ull << 12) | PTE_P | PTE_US;
    mem[30][1] = (31ull << 12) | PTE_P | PTE_US;
    mem[30][2] = (32ull << 12) | PTE_P | PTE_RW | PTE_US;
    CHECK_EQ(pt_pin(30, 5, PGT_L4), 0);
    CHECK_EQ(frames[30].linear, 1);
    CHECK_EQ(frames[31].linear, -1);
    /* The cycles the guest tries: refused. */
    CHECK_EQ(pt_mod_entry(31, 9, (30ull << 12) | PTE_P | PTE_US, 5, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(32, 9, (33ull << 12) | PTE_P | PTE_US, 5, false), -XEN_EINVAL);
    /* Held only through linear entries from here on. */
    CHECK_EQ(pt_unpin(31, 5), 0);
    CHECK_EQ(pt_unpin(32, 5), 0);
    CHECK_EQ(frames[31].type, PGT_L4);
    CHECK(frames[31].flags & PGF_VALIDATED);
    d->state = DOMAIN_SHUTDOWN;

    busy = false;
    release_pieces_left = 0;
    domain_teardown_begin(d);
    CHECK(run_all() >= 1);
    CHECK_EQ(d->state, DOMAIN_FREE);
    CHECK_EQ(unbalanced_lines, 0);
    for (uint64_t m = 10; m <= 22; m++)
        CHECK(freed[m]);
    for (uint64_t m = 30; m <= 37; m++)
        CHECK(freed[m]);
    CHECK_EQ(d->nr_pages, 0);
}

int main(void)
{
    RUN_TEST(no_grant_in_use);
    RUN_TEST(grant_in_use_waits);
    RUN_TEST(linear_tables);
    RUN_TEST(pirq_eoi_page);
    return test_main_result();
}

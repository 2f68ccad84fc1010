/* A dom0 that waits for the domUs built from boot modules to end, the way a
 * toolstack learns of them: VIRQ_DOM_EXC, then the domain list
 * (XEN_SYSCTL_getdomaininfolist). It reports each domU's end as it sees it
 * (shut down with a reason, or already gone) and succeeds when every domU
 * it found at start has ended within the time allowed.
 *
 *   [domus=<n>]        the boot-built domUs, ids 1..n (default: whatever the
 *                      list holds at start, >= 1). They run on other CPUs from
 *                      the first instant, so one may have ended before dom0
 *                      looks: with n given, that one still counts (as gone).
 *   [timeout_ms=<ms>]  how long to wait in all (default 60000)
 *   [list=1]           print every domU found at start
 *
 * Xenolith only in practice: Xen builds no domU without a toolstack. */
#include "pv.h"
#include "errno.h"
#include "domctl.h"
#include "sysctl.h"
#include "domlist.h"

#define MAX_DOMUS 2048
#define BATCH 64

static struct xen_domctl_getdomaininfo info[BATCH];
static domid_t ids[MAX_DOMUS];
static uint8_t state[MAX_DOMUS];             /* 0 running, 1 shut down (seen), 2 gone */
static unsigned nr;

static long list(domid_t first, uint32_t *num)
{
    long rc = domlist_read(first, info, BATCH);

    *num = rc > 0 ? (uint32_t)rc : 0;
    return rc < 0 ? rc : 0;
}

static const char *reason_name(unsigned r)
{
    static const char *const n[] = { "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" };
    return r < sizeof(n) / sizeof(n[0]) ? n[r] : "unknown";
}

/* Look at every domU again: which have shut down, which are gone. Returns
 * how many have not ended. */
static unsigned survey(void)
{
    unsigned i = 0, left = 0;
    domid_t first = 1;
    uint32_t num;

    /* Both lists are in id order: walk them together. */
    for (;;) {
        if (list(first, &num) != 0)
            num = 0;
        for (uint32_t k = 0; k < num; k++) {
            domid_t id = info[k].domain;
            uint32_t f = info[k].flags;
            for (; i < nr && ids[i] < id; i++)
                if (state[i] != 2) {
                    if (state[i] == 0)
                        test_note("d%u ended (gone before it was seen shut down)", ids[i]);
                    state[i] = 2;
                }
            if (i < nr && ids[i] == id) {
                if (state[i] == 0 && (f & XEN_DOMINF_shutdown)) {
                    test_note("d%u shut down: %s", id, reason_name(f >> XEN_DOMINF_shutdownshift));
                    state[i] = 1;
                } else if (state[i] == 0 && (f & XEN_DOMINF_dying)) {
                    test_note("d%u dying (destroyed)", id);
                    state[i] = 1;
                }
                i++;
            }
        }
        if (num < BATCH)
            break;
        first = (domid_t)(info[num - 1].domain + 1);
    }
    for (; i < nr; i++)
        if (state[i] != 2) {
            if (state[i] == 0)
                test_note("d%u ended (gone before it was seen shut down)", ids[i]);
            state[i] = 2;
        }
    for (i = 0; i < nr; i++)
        left += state[i] != 2;
    return left;
}

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;
    unsigned long want = g_opt(line, "domus=", 0);
    uint64_t end;
    long port;
    uint32_t num;
    unsigned left;

    pv_map_shared_info();
    (void)pv_events_mask();
    port = pv_bind_virq(VIRQ_DOM_EXC, 0);
    test_check(port > 0, "VIRQ_DOM_EXC bound: port %ld", port);
    /* The domUs there are now (domids from 1, in order). */
    unsigned found = 0, stray = 0;
    for (domid_t first = 1;;) {
        if (list(first, &num) != 0)
            break;
        for (uint32_t k = 0; k < num; k++) {
            if (g_opt(line, "list=", 0))
                test_note("d%u: %lu pages, %u vCPU(s), flags %#x", info[k].domain,
                          (unsigned long)info[k].tot_pages, info[k].max_vcpu_id + 1, info[k].flags);
            found++;
            if (want && info[k].domain > want)
                stray++;
            else if (!want && nr < MAX_DOMUS)
                ids[nr++] = info[k].domain;
        }
        if (num < BATCH)
            break;
        first = (domid_t)(info[num - 1].domain + 1);
    }
    /* With the count given, the boot-built domUs are ids 1..want whether or
     * not each is still listed (survey() reports the ones already gone). */
    for (; want && want <= MAX_DOMUS && nr < want; nr++)
        ids[nr] = (domid_t)(nr + 1);
    test_check(nr >= 1 && found <= nr && !stray, "%u domU(s) at start, %u of them still listed (want %lu)",
               nr, found, want);
    end = pv_now() + g_opt(line, "timeout_ms=", 60000) * 1000000ull;
    evtchn_port_t ports[1] = { port > 0 ? (evtchn_port_t)port : 0 };
    while (port > 0 && (left = survey()) && pv_now() < end) {
        struct sched_poll poll = { .nr_ports = 1, .timeout = end };
        set_xen_guest_handle(poll.ports, ports);
        /* A domain gone between two surveys raises no event the survey has
         * not already seen: poll with a short timeout so that it is noticed. */
        if (poll.timeout > pv_now() + 100000000ull)
            poll.timeout = pv_now() + 100000000ull;
        (void)pv_sched_op(SCHEDOP_poll, &poll);
        pv_clear_bit(pv_shared->evtchn_pending, (unsigned)port);
    }
    left = survey();
    test_check(left == 0, "every domU ended: %u of %u still there", left, nr);
    test_finish();
}

/* Figures of dom0's services as a domU sees them (tools/bench-services):
 *   xenstore read round trip    XS_READ of its own "domid"
 *   xenstore write round trip   XS_WRITE of data/bench
 *   watch fire                  from sending a write of a watched node to
 *                               its watch event (the reply comes between)
 *   console ring throughput     bytes per second through its console ring
 *                               until dom0's back end has taken them all
 *                               (dom0 prints them on the serial line)
 *   [rounds=<n>] (default 1000) [console_kib=<n>] (default 64)
 * Each figure is a "# <what>: <n> <unit>" line. */
#include "pv.h"
#include "xs_client.h"
#include "xencons.h"

static char buf[64];

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;
    unsigned long rounds = g_opt(line, "rounds=", 1000);
    unsigned long kib = g_opt(line, "console_kib=", 64);
    uint64_t t0, t, sum = 0;
    long rc = 0;
    unsigned long i, got = 0;
    char path[64], token[16];

    pv_map_shared_info();
    (void)pv_events_mask();
    test_check(xs_open() == 0, "store ring from start_info");
    test_check(xs_domid() > 0, "own domid");

    t0 = pv_now();
    for (i = 0; i < rounds && rc >= 0; i++)
        rc = xs_read(0, "domid", buf, sizeof(buf));
    t = pv_now() - t0;
    if (test_check(rc > 0, "%lu reads: rc=%ld", rounds, rc))
        test_note("xenstore read round trip: %lu ns", (unsigned long)(t / rounds));

    t0 = pv_now();
    for (i = 0; i < rounds && rc >= 0; i++) {
        snformat(buf, sizeof(buf), "%lu", i);
        rc = xs_write(0, "data/bench", buf);
    }
    t = pv_now() - t0;
    if (test_check(rc == 0, "%lu writes: rc=%ld", rounds, rc))
        test_note("xenstore write round trip: %lu ns", (unsigned long)(t / rounds));

    rc = xs_watch("data/bench", "b");
    test_check(rc == 0 && xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull),
               "watch data/bench and its first event: rc=%ld", rc);
    for (i = 0; i < rounds / 4; i++) {
        snformat(buf, sizeof(buf), "w%lu", i);
        t0 = pv_now();
        if (xs_write(0, "data/bench", buf) != 0 ||
            !xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull))
            break;
        sum += pv_now() - t0;
        got++;
    }
    if (test_check(got == rounds / 4, "%lu of %lu watch events", got, rounds / 4) && got)
        test_note("watch fire: %lu ns", (unsigned long)(sum / got));
    (void)xs_unwatch("data/bench", "b");

    if (test_check(xencons_init(si) == 0, "console ring from start_info")) {
        static char text[64];
        size_t total = kib * 1024, done = 0;

        for (i = 0; i < sizeof(text) - 1; i++)
            text[i] = (char)('a' + i % 26);
        text[sizeof(text) - 1] = '\n';
        t0 = pv_now();
        while (done < total && xencons_write(text, sizeof(text), 10000000000ull) == sizeof(text))
            done += sizeof(text);
        int flushed = xencons_flush(10000000000ull);
        t = pv_now() - t0;
        if (test_check(done == total && flushed, "%lu KiB through the console ring, all taken by dom0", kib))
            test_note("console ring throughput: %lu KiB/s", (unsigned long)(total * 1000000000ull / 1024 / t));
    }
}

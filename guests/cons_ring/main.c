/* A domU that prints through its console ring only (guests/lib/xencons.h),
 * for dom0's console back end: "\r\n" and "\n" line ends, a lone "\r",
 * control bytes, a line longer than dom0 prints in one piece, a burst of
 * numbered lines much larger than the ring ("seq <n>": dom0 checks that
 * they come complete and in order, and "seq end <n>" says how many), then
 * "Test result: SUCCESS" through the ring once every byte before it has
 * been taken, and a poweroff.
 *
 *   [lines=<n>]   the burst's length (default 200)
 *   [quiet_ms=<ms>]  wait that long before the end (so that dom0's
 *                    shutdown_after can find it running; default 0)
 *   [echo=1]      then read lines from the ring's input half (dom0's shell
 *                 attached to this console): "cons_ring got: <line>" for
 *                 each, until "bye"; SUCCESS needs a "ping" line before it
 *
 * Nothing goes through console_io: what reaches the serial line came
 * through dom0. The result is SUCCESS as far as this side can tell (every
 * write taken); dom0 checks the rest. */
#include "pv.h"
#include "xencons.h"

#define NS_PER_MS 1000000ull

static int failed;

static void out(const char *s)
{
    size_t n = g_strlen(s);
    if (xencons_write(s, n, 30000 * NS_PER_MS) != n)
        failed = 1;
}

/* Lines typed into this console through dom0, echoed back, until "bye"
 * (at most 120 s). A "ping" must come first. */
static void echo_lines(void)
{
    uint64_t end = pv_now() + 120000 * NS_PER_MS;
    char line[80];
    unsigned len = 0;
    int pinged = 0;

    out("cons_ring: echo mode, type into this console\r\n");
    while (pv_now() < end) {
        char c;
        if (!xencons_read(&c, 1)) {
            (void)xencons_wait(100 * NS_PER_MS);
            continue;
        }
        if (c != '\r' && c != '\n') {
            if (len < sizeof(line) - 1)
                line[len++] = c;
            continue;
        }
        if (!len)
            continue;
        line[len] = 0;
        len = 0;
        xencons_printf("cons_ring got: %s\r\n", line);
        if (!g_strcmp(line, "ping"))
            pinged = 1;
        if (!g_strcmp(line, "bye")) {
            if (!pinged)
                failed = 1;
            return;
        }
    }
    out("cons_ring: no bye within 120 s\r\n");
    failed = 1;
}

void test_main(start_info_t *si)
{
    const char *cmd = (const char *)si->cmd_line;
    unsigned long lines = g_opt(cmd, "lines=", 200);
    char long_line[601];

    pv_map_shared_info();
    (void)pv_events_mask();
    if (xencons_init(si) != 0) {
        printk("cons_ring: no console ring in start_info\n");
        printk("Test result: FAILURE\n");
        guest_shutdown(SHUTDOWN_crash);
    }
    out("cons_ring: hello through the console ring\r\n");
    out("cons_ring: a line ending in a bare newline\n");
    out("cons_ring: a lone\rcarriage return and control bytes [\x01\x07\x1b] and a\ttab\r\n");
    for (unsigned i = 0; i < sizeof(long_line) - 1; i++)
        long_line[i] = (char)('a' + i % 26);
    long_line[sizeof(long_line) - 1] = 0;
    out("cons_ring: a 600-byte line follows\r\n");
    out(long_line);
    out("\r\n");
    xencons_printf("cons_ring: seq 1..%lu follow\r\n", lines);
    for (unsigned long i = 1; i <= lines; i++)
        if (xencons_printf("seq %lu of a burst larger than the ring\r\n", i) == 0)
            failed = 1;
    xencons_printf("seq end %lu\r\n", lines);
    if (g_opt(cmd, "quiet_ms=", 0))
        pv_spin_ns(g_opt(cmd, "quiet_ms=", 0) * NS_PER_MS);
    if (g_opt(cmd, "echo=", 0))
        echo_lines();
    /* Everything so far taken before the verdict goes in. */
    if (!xencons_flush(30000 * NS_PER_MS))
        failed = 1;
    out(failed ? "Test result: FAILURE\r\n" : "Test result: SUCCESS\r\n");
    (void)xencons_flush(30000 * NS_PER_MS);
    guest_shutdown(failed ? SHUTDOWN_crash : SHUTDOWN_poweroff);
}

/* Serial input through the hypervisor, the Xen way: dom0 binds VIRQ_CONSOLE,
 * says "ready for input", and the harness types a line on the serial line
 * (tests.list's serial input field). On VIRQ_CONSOLE it reads the line with
 * CONSOLEIO_read, in small pieces, and checks every byte; before that, with
 * bytes waiting, a bad buffer must give -EFAULT and take nothing, and a
 * count of 0 must give 0. Nothing else may arrive: in the switch test the
 * keys typed for the hypervisor (CTRL-a, 'h', 'q') must not reach dom0.
 *
 *   role=domu   run as a domU: CONSOLEIO_read is the hardware domain's
 *               alone, so it gets -EPERM (whatever the count) and no input.
 *   [timeout_ms=<ms>]  how long to wait for the whole line (default 50000)
 *
 * Runs as dom0 on Xen 4.17 too (Xen gives serial input to dom0 at the end
 * of its boot, no option needed). */
#include "pv.h"
#include "errno.h"

/* Keep equal to the serial input field of the console_in tests in
 * tests/integration/tests.list (written there with \x escapes where needed). */
static const char expected[] = "console input: The quick brown fox 0123456789 ~!@#$%^&*()[]{}<>?,./:\"'\n";

#define PIECE 7                         /* read in pieces smaller than the line */

static long con_read(unsigned long count, unsigned long buf)
{
    return HYPERVISOR_console_io(CONSOLEIO_read, count, buf);
}

static void as_domu(void)
{
    char buf[16];

    test_expect(con_read(sizeof(buf), (unsigned long)buf), -XEN_EPERM, "a domU's CONSOLEIO_read(16)");
    test_expect(con_read(0, (unsigned long)buf), -XEN_EPERM, "a domU's CONSOLEIO_read(0)");
    test_expect(con_read(16, 0x0000500000000000UL), -XEN_EPERM, "a domU's CONSOLEIO_read to a bad buffer");
}

/* Wait for an event on port until the deadline (ns of system time); clears
 * it. 1 if it came. */
static int wait_event(evtchn_port_t port, uint64_t deadline)
{
    evtchn_port_t ports[1] = { port };
    struct sched_poll poll = { .nr_ports = 1, .timeout = deadline };

    set_xen_guest_handle(poll.ports, ports);
    if (!pv_port_pending(port))
        (void)pv_sched_op(SCHEDOP_poll, &poll);
    if (!pv_port_pending(port))
        return 0;
    pv_clear_bit(pv_shared->evtchn_pending, port);
    return 1;
}

static void as_dom0(uint64_t timeout_ns)
{
    static char got[256];
    char scratch[64];
    size_t have = 0, want = sizeof(expected) - 1;
    unsigned events = 0, reads = 0;
    int bad_checked = 0;
    uint64_t end;
    long port, rc;

    pv_map_shared_info();
    (void)pv_events_mask();
    port = pv_bind_virq(VIRQ_CONSOLE, 0);
    if (!test_check(port > 0, "VIRQ_CONSOLE bound on vCPU 0: port %ld", port))
        return;
    /* Nothing typed yet: nothing to read. */
    test_expect(con_read(sizeof(scratch), (unsigned long)scratch), 0, "CONSOLEIO_read with no input");
    test_expect(con_read((unsigned long)1 << 31, (unsigned long)scratch), -XEN_E2BIG,
                "CONSOLEIO_read with a count above INT_MAX");
    printk("ready for input\n");

    end = pv_now() + timeout_ns;
    while (have < want && pv_now() < end) {
        if (!wait_event((evtchn_port_t)port, end))
            continue;
        events++;
        if (!bad_checked) {
            /* Bytes wait now: a buffer the hypervisor cannot write fails
             * and takes none of them, and a count of 0 takes none either. */
            test_expect(con_read(PIECE, 0x0000500000000000UL), -XEN_EFAULT,
                        "CONSOLEIO_read to an unmapped buffer, input waiting");
            test_expect(con_read(PIECE, 0xFFFF800000000000UL), -XEN_EFAULT,
                        "CONSOLEIO_read to the hypervisor's range, input waiting");
            test_expect(con_read(0, (unsigned long)scratch), 0, "CONSOLEIO_read of 0 bytes, input waiting");
            bad_checked = 1;
        }
        while ((rc = con_read(PIECE, (unsigned long)scratch)) > 0) {
            reads++;
            if (rc > PIECE) {
                test_check(0, "CONSOLEIO_read(%d) gave %ld bytes", PIECE, rc);
                return;
            }
            for (long i = 0; i < rc; i++)
                if (have < sizeof(got))
                    got[have++] = scratch[i];
            if (have >= want)
                break;
        }
        if (rc < 0) {
            test_check(0, "CONSOLEIO_read: %ld", rc);
            return;
        }
    }
    test_check(events >= 1, "VIRQ_CONSOLE came (%u time%s)", events, events == 1 ? "" : "s");
    test_check(have == want && g_strncmp(got, expected, want) == 0,
               "the line typed on the serial line arrived intact (%lu of %lu bytes, %u reads)",
               (unsigned long)have, (unsigned long)want, reads);
    if (have != want || g_strncmp(got, expected, want) != 0) {
        for (size_t i = 0; i < have && i < sizeof(got); i++)
            if (i >= want || got[i] != expected[i]) {
                test_note("first difference at byte %lu: got %#x, want %#x", (unsigned long)i,
                          (unsigned char)got[i], i < want ? (unsigned char)expected[i] : 0);
                break;
            }
    }
    /* Nothing after it: stray bytes (keys meant for the hypervisor) would
     * show here if they came late. */
    uint64_t settle = pv_now() + 300000000ull;
    while (pv_now() < settle)
        (void)wait_event((evtchn_port_t)port, settle);
    test_expect(con_read(sizeof(scratch), (unsigned long)scratch), 0, "nothing more to read");
}

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;

    if (g_has_word(line, "role=domu"))
        as_domu();
    else
        as_dom0(g_opt(line, "timeout_ms=", 50000) * 1000000ull);
    test_finish();
}

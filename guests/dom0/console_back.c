/* The console back end: every domU's output ring (public/io/console.h)
 * printed on the serial console as "(dN) text" lines, one console_io write
 * per line so that lines of different domains never mix.
 *
 * The ring is the guest's memory and the guest may be hostile: the producer
 * index is read once per turn, indices further apart than the ring mean the
 * ring is broken (said once, then the ring is no longer served), and at
 * most a fair share of bytes is taken per domain and turn so that a domain
 * that floods cannot starve the others. "\r\n" and a lone "\r" end nothing
 * (the "\n" does), other control bytes and bytes above 0x7e print as '?'.
 * A line longer than DOM0_LINE_MAX goes out in pieces. */
#include "dom0.h"

#define SHARE 1024                     /* bytes per domain per turn */

void console_print_line(domid_t id, const char *text, unsigned len)
{
    char buf[DOM0_LINE_MAX + 40];
    int n = snformat(buf, sizeof(buf), "(d%u) ", id);

    /* timestamps=1: the system time the line was relayed, in the form of the
     * hypervisor's console_timestamps=boot (same clock). */
    if (dom0_timestamps) {
        uint64_t ns = pv_now();
        n += snformat(buf + n, sizeof(buf) - (size_t)n, "[%5lu.%06lu] ", (unsigned long)(ns / 1000000000ull),
                      (unsigned long)(ns % 1000000000ull / 1000));
    }

    if (len > DOM0_LINE_MAX)
        len = DOM0_LINE_MAX;
    g_memcpy(buf + n, text, len);
    buf[n + len] = '\n';
    shell_output_begin();
    /* Raw: the hypervisor prints dom0's text as it is. */
    (void)HYPERVISOR_console_io(CONSOLEIO_write, n + len + 1, buf);
    shell_output_end();
}

static unsigned long number(const char *s, unsigned len, unsigned at)
{
    unsigned long v = 0;
    for (; at < len && s[at] >= '0' && s[at] <= '9'; at++)
        v = v * 10 + (unsigned long)(s[at] - '0');
    return v;
}

/* Test support (guests/cons_ring): numbered lines "seq <n> ..." must come
 * one after the other, and "seq end <n>" must follow the n-th. A cheap
 * check that the back end loses and reorders nothing. */
static void check_seq(struct domu *d)
{
    const char *l = d->line;
    unsigned len = d->line_len;

    if (len < 5 || g_strncmp(l, "seq ", 4) != 0)
        return;
    if (len > 8 && g_strncmp(l + 4, "end ", 4) == 0) {
        unsigned long n = number(l, len, 8);
        test_check(n == d->seq_last && !d->seq_bad, "d%u: console lines seq 1..%lu all came, in order (last %lu)",
                   d->id, n, d->seq_last);
    } else if (l[4] >= '0' && l[4] <= '9') {
        unsigned long n = number(l, len, 4);
        if (n != d->seq_last + 1 && !d->seq_bad) {
            d->seq_bad = 1;
            test_check(0, "d%u: console line seq %lu after seq %lu", d->id, n, d->seq_last);
        }
        d->seq_last = n;
    }
}

static void flush_line(struct domu *d)
{
    check_seq(d);
    console_print_line(d->id, d->line, d->line_len);
    d->line_len = 0;
}

static void take(struct domu *d, char c)
{
    if (c == '\n') {
        flush_line(d);
        return;
    }
    if (c == '\r')
        return;
    if (c == '\t')
        c = ' ';
    else if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
        c = '?';
    d->line[d->line_len++] = c;
    if (d->line_len == DOM0_LINE_MAX)
        flush_line(d);
}

/* At most max bytes; returns how many were taken. */
static unsigned drain(struct domu *d, unsigned max)
{
    volatile struct xencons_interface *r = d->cons;
    uint32_t cons, prod, n = 0;

    if (!r || d->cons_dead)
        return 0;
    cons = __atomic_load_n(&r->out_cons, __ATOMIC_RELAXED);
    prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);   /* then the bytes */
    if (prod - cons > sizeof(r->out)) {
        dom0_log("d%u: console ring indices bogus (prod %u cons %u), disconnected\n", d->id, prod, cons);
        d->cons_dead = 1;
        return 0;
    }
    for (; cons != prod && n < max; cons++, n++)
        take(d, r->out[MASK_XENCONS_IDX(cons, r->out)]);
    if (n) {
        /* The bytes are read before the space is given back. */
        __atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
        if (d->cons_port)
            (void)pv_evtchn_send(d->cons_port);
    }
    return n;
}

void console_serve(struct domu *d)
{
    (void)drain(d, SHARE);
}

void console_final(struct domu *d)
{
    /* A ring holds at most its size: two rounds see the last of it even if
     * the guest is still writing (it should not be). */
    (void)drain(d, 2 * sizeof(d->cons->out));
    if (d->line_len)
        flush_line(d);
}

unsigned console_input(struct domu *d, const char *buf, unsigned n)
{
    volatile struct xencons_interface *r = d->cons;
    uint32_t cons, prod, i;

    if (!r || d->cons_dead)
        return 0;
    cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
    prod = __atomic_load_n(&r->in_prod, __ATOMIC_RELAXED);
    if (prod - cons > sizeof(r->in)) {
        dom0_log("d%u: console ring indices bogus (in: prod %u cons %u), disconnected\n", d->id, prod, cons);
        d->cons_dead = 1;
        return 0;
    }
    for (i = 0; i < n && prod - cons < sizeof(r->in); i++, prod++)
        r->in[MASK_XENCONS_IDX(prod, r->in)] = buf[i];
    /* The bytes are in before the index says so. */
    __atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
    if (d->cons_port)
        (void)pv_evtchn_send(d->cons_port);
    return i;
}

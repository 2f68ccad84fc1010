/* Console output with Xen's line prefixes. */
#include "core/log.h"
#include "lib/format.h"
#include "lib/string.h"
#include "core/time.h"
#include "arch/x86_64/serial.h"

int log_threshold = LOG_INFO;
bool log_timestamps;
static int hv_at_line_start = 1;

/* "[    s.uuuuuu] ": system time since boot, as Xen's console_timestamps=boot. */
static void put_stamp(void)
{
    char stamp[32];
    uint64_t ns = time_now_ns();

    fmt_snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ", (unsigned long)(ns / 1000000000ull),
                 (unsigned long)(ns % 1000000000ull / 1000));
    for (const char *p = stamp; *p; p++)
        serial_putc(*p);
}

static void put_prefixed(const char *prefix, int *at_line_start, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (*at_line_start) {
            for (const char *p = prefix; *p; p++)
                serial_putc(*p);
            if (log_timestamps && *prefix)
                put_stamp();
            *at_line_start = 0;
        }
        if (c == '\n') {
            serial_putc('\r');
            *at_line_start = 1;
        }
        serial_putc(c);
    }
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
    char buf[512];
    int n;

    if (level > log_threshold)
        return;
    n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    put_prefixed("(XEN) ", &hv_at_line_start, buf, (size_t)n);
}

void log_printf(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}

void log_guest_write(unsigned domid, int *at_line_start, const char *s, size_t n)
{
    char prefix[16];

    fmt_snprintf(prefix, sizeof(prefix), "(d%u) ", domid);
    log_guest_write_as(prefix, at_line_start, s, n);
}

void log_guest_write_as(const char *prefix, int *at_line_start, const char *s, size_t n)
{
    /* Keep hypervisor and guest lines apart on the shared console. */
    if (!hv_at_line_start) {
        put_prefixed("", &hv_at_line_start, "\n", 1);
    }
    put_prefixed(prefix, at_line_start, s, n);
}

int log_parse_level(const char *name)
{
    static const struct { const char *name; int level; } levels[] = {
        { "none", LOG_NONE }, { "error", LOG_ERR }, { "err", LOG_ERR },
        { "warning", LOG_WARN }, { "warn", LOG_WARN }, { "info", LOG_INFO },
        { "debug", LOG_DEBUG }, { "all", LOG_DEBUG },
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(levels[i].name, name) == 0)
            return levels[i].level;
    return -1;
}

/*
 * Xenolith test-guest runtime: C entry, console output, formatting, page
 * table inspection and the test API.  Freestanding: no libc.
 */
#include "guest.h"
#include "xencons.h"
#include "version.h"

#include "sched.h"

start_info_t *guest_start_info;

static int failures;
static int checks;

/* ---- entry --------------------------------------------------------------- */

__attribute__((noreturn)) void guest_entry(start_info_t *si);

/* console=ring on a domU's command line: printk goes through its console
 * ring to the back end in dom0 (guests/dom0) instead of CONSOLEIO_write. */
static int console_on_ring;
int test_quiet;

__attribute__((noreturn)) void guest_entry(start_info_t *si)
{
    guest_start_info = si;
    test_quiet = g_strstr((const char *)si->cmd_line, "quiet=1") != 0;
    if (!(si->flags & SIF_INITDOMAIN) && g_strstr((const char *)si->cmd_line, "console=ring") &&
        pv_map_shared_info() && xencons_init(si) == 0)
        console_on_ring = 1;
    if (!test_quiet)
        printk("Xenolith test guest: start_info at %p, image %p-%p\n", (void *)si,
               (void *)_image_start, (void *)_image_end);
    test_main(si);
    test_finish();
}

/* ---- raw hypercalls with a run-time number -------------------------------- */

long hypercall_slot(unsigned long nr, unsigned long a1, unsigned long a2,
                    unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r_a1 __asm__("rdi") = a1;
    register unsigned long r_a2 __asm__("rsi") = a2;
    register unsigned long r_a3 __asm__("rdx") = a3;
    register unsigned long r_a4 __asm__("r10") = a4;
    register unsigned long r_a5 __asm__("r8") = a5;
    unsigned long target = (unsigned long)hypercall_page + (nr & 127) * 32;
    long ret;

    __asm__ volatile("call *%%rax"
                     : "=a"(ret), "+r"(r_a1), "+r"(r_a2), "+r"(r_a3),
                       "+r"(r_a4), "+r"(r_a5)
                     : "0"(target)
                     : "memory", "rcx", "r9", "r11");
    return ret;
}

long hypercall_syscall(unsigned long nr, unsigned long a1, unsigned long a2,
                       unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r_a1 __asm__("rdi") = a1;
    register unsigned long r_a2 __asm__("rsi") = a2;
    register unsigned long r_a3 __asm__("rdx") = a3;
    register unsigned long r_a4 __asm__("r10") = a4;
    register unsigned long r_a5 __asm__("r8") = a5;
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret), "+r"(r_a1), "+r"(r_a2), "+r"(r_a3),
                       "+r"(r_a4), "+r"(r_a5)
                     : "0"(nr)
                     : "memory", "rcx", "r9", "r11");
    return ret;
}

/* ---- strings --------------------------------------------------------------- */

size_t g_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t g_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int g_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int g_strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

const char *g_strstr(const char *hay, const char *needle)
{
    size_t n = g_strlen(needle);
    for (; *hay; hay++)
        if (g_strncmp(hay, needle, n) == 0)
            return hay;
    return n == 0 ? hay : NULL;
}

/* GCC may emit calls to memset/memcpy for struct initialisation. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void *g_memset(void *d, int c, size_t n) { return memset(d, c, n); }
void *g_memcpy(void *d, const void *s, size_t n) { return memcpy(d, s, n); }

int g_has_word(const char *line, const char *word)
{
    size_t n = g_strlen(word);
    const char *p = line;

    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - start) == n && g_strncmp(start, word, n) == 0)
            return 1;
    }
    return 0;
}

unsigned long g_opt(const char *line, const char *key, unsigned long dflt)
{
    size_t n = g_strlen(key);

    for (const char *p = line; *p; p++) {
        if ((p == line || p[-1] == ' ') && g_strncmp(p, key, n) == 0) {
            unsigned long v = 0;
            for (p += n; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (unsigned long)(*p - '0');
            return v;
        }
    }
    return dflt;
}

/* ---- formatting ------------------------------------------------------------ */

struct out {
    char *buf;
    size_t size;
    size_t len; /* characters produced so far (may exceed size) */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

static void out_number(struct out *o, unsigned long long v, int negative,
                       unsigned base, int upper, int width, int zero,
                       int left, int alt)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);

    int extra = (negative ? 1 : 0) + (alt ? 2 : 0);
    int pad = width - n - extra;

    if (!left && !zero)
        out_pad(o, ' ', pad);
    if (negative)
        out_char(o, '-');
    if (alt) {
        out_char(o, '0');
        out_char(o, upper ? 'X' : 'x');
    }
    if (!left && zero)
        out_pad(o, '0', pad);
    while (n)
        out_char(o, tmp[--n]);
    if (left)
        out_pad(o, ' ', pad);
}

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_char(&o, *fmt);
            continue;
        }
        fmt++;

        int left = 0, zero = 0, alt = 0, width = 0, prec = -1, lng = 0;

        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else if (*fmt == '#')
                alt = 1;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l')
                lng++;
            else if (*fmt == 'z')
                lng = 1;
            else if (*fmt == 'h')
                ;
            else
                break;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
            out_number(&o, u, v < 0, 10, 0, width, zero, left, 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = lng ? va_arg(ap, unsigned long)
                                       : va_arg(ap, unsigned int);
            out_number(&o, v, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X', width,
                       zero, left, alt);
            break;
        }
        case 'p':
            out_number(&o, (unsigned long)va_arg(ap, void *), 0, 16, 0, 0, 0,
                       0, 1);
            break;
        case 'c':
            out_char(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = (int)(prec >= 0 ? g_strnlen(s, (size_t)prec) : g_strlen(s));
            if (!left)
                out_pad(&o, ' ', width - n);
            for (int i = 0; i < n; i++)
                out_char(&o, s[i]);
            if (left)
                out_pad(&o, ' ', width - n);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            out_char(&o, '%');
            out_char(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snformat(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* ---- console ----------------------------------------------------------------- */

static void console_put(const char *s, size_t len)
{
    while (len) {
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, len, s);
        /* Xen returns 0 for a complete write; be tolerant of a count. */
        if (rc < 0)
            return;
        if (rc == 0 || (size_t)rc >= len)
            return;
        s += rc;
        len -= (size_t)rc;
    }
}

/* Does a back end serve this domU's console ring (its console port bound by
 * dom0)? Then the hypervisor no longer prints its console_io text, as Xen's
 * release builds never do: the ring is the console. */
static int console_has_backend(void)
{
    const start_info_t *si = guest_start_info;
    struct evtchn_status st = { .dom = DOMID_SELF };

    if (!si->console.domU.mfn || !si->console.domU.evtchn)
        return 0;
    st.port = si->console.domU.evtchn;
    return pv_evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_interdomain;
}

/* A domU: its console ring once dom0 serves it (or with console=ring),
 * console_io before that. A ring that breaks sends the text back to
 * console_io (which the hypervisor prints for a broken ring). */
static void domu_console_write(const char *s, size_t len)
{
    if (!console_on_ring && console_has_backend() && xencons_init(guest_start_info) == 0)
        console_on_ring = 1;
    if (console_on_ring && xencons_write(s, len, 5000000000ull) == len)
        return;
    console_put(s, len);
    /* dom0 may have connected during the write, the hypervisor then
     * dropping it: the ring gets it too (a line twice at worst, never none). */
    if (!console_on_ring && console_has_backend() && xencons_init(guest_start_info) == 0) {
        console_on_ring = 1;
        (void)xencons_write(s, len, 5000000000ull);
    }
}

/* Both Xen and Xenolith print the hardware domain's console text as it is
 * (it is the console of the machine) and prefix other domains' lines with
 * "(dN) ". Test guests running as dom0 mark their own lines "(d0) " so that
 * every domain's lines look alike on both. */
void console_write(const char *s, size_t len)
{
    static int at_line_start = 1;
    char buf[320];
    size_t n = 0;

    if (!guest_start_info || !(guest_start_info->flags & SIF_INITDOMAIN)) {
        domu_console_write(s, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (at_line_start) {
            if (n + 5 > sizeof(buf)) {
                console_put(buf, n);
                n = 0;
            }
            g_memcpy(buf + n, "(d0) ", 5);
            n += 5;
            at_line_start = 0;
        }
        buf[n++] = s[i];
        at_line_start = s[i] == '\n';
        if (n == sizeof(buf)) {
            console_put(buf, n);
            n = 0;
        }
    }
    if (n)
        console_put(buf, n);
}

static int vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnformat(buf, sizeof(buf), fmt, ap);
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    console_write(buf, len);
    return n;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}

/* ---- page tables -------------------------------------------------------------- */

unsigned long guest_pfn_to_mfn(unsigned long pfn)
{
    return ((const unsigned long *)guest_start_info->mfn_list)[pfn];
}

int guest_va_mapped(unsigned long va)
{
    const start_info_t *si = guest_start_info;
    const unsigned long *table = (const unsigned long *)si->pt_base;
    unsigned long base = (unsigned long)_image_start; /* pfn 0 lives here */

    for (int level = 4; level >= 1; level--) {
        unsigned idx = (va >> (12 + 9 * (level - 1))) & 511;
        unsigned long e = table[idx];

        if (!(e & 1))
            return 0;
        if (level == 1 || (level <= 3 && (e & 0x80)))
            return 1;
        unsigned long mfn = (e >> 12) & ((1UL << 40) - 1);
        unsigned long pfn = GUEST_M2P[mfn];
        if (pfn >= si->nr_pages)
            return -1;
        table = (const unsigned long *)(base + (pfn << 12));
    }
    return -1;
}

int guest_on_xenolith(void)
{
    static int known = -1;
    xen_extraversion_t extra;

    if (known < 0) {
        g_memset(extra, 0, sizeof(extra));
        known = HYPERVISOR_xen_version(XENVER_extraversion, extra) == 0 && g_strstr(extra, "xenolith") != 0;
    }
    return known;
}

/* ---- shutdown and tests ----------------------------------------------------------- */

__attribute__((noreturn)) void guest_shutdown(unsigned int reason)
{
    struct sched_shutdown arg = { .reason = reason };

    /* The back end reads the ring once more when the domain ends; waiting
     * a moment for it keeps the last lines in order with dom0's own. */
    if (console_on_ring)
        (void)xencons_flush(1000000000ull);
    for (;;) {
        long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &arg);
        printk("guest: SCHEDOP_shutdown returned %ld\n", rc);
        __asm__ volatile("ud2");
    }
}

int test_check(int cond, const char *fmt, ...)
{
    char buf[400];
    va_list ap;

    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    checks++;
    if (!cond)
        failures++;
    if (!cond || !test_quiet)
        printk("%s %s\n", cond ? "[ok]" : "[FAILED]", buf);
    return cond;
}

int test_expect(long got, long want, const char *fmt, ...)
{
    char buf[300];
    va_list ap;

    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return test_check(got == want, "%s: rc=%ld (want %ld)", buf, got, want);
}

void test_note(const char *fmt, ...)
{
    char buf[400];
    va_list ap;

    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("# %s\n", buf);
}

int test_failures(void)
{
    return failures;
}

__attribute__((noreturn)) void test_skip(const char *fmt, ...)
{
    char buf[400];
    va_list ap;

    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("skipped: %s\n", buf);
    printk("Test result: SKIP\n");
    guest_shutdown(SHUTDOWN_poweroff);
}

__attribute__((noreturn)) void test_finish(void)
{
    printk("%d checks, %d failed\n", checks, failures);
    if (failures) {
        printk("Test result: FAILURE\n");
        guest_shutdown(SHUTDOWN_crash);
    }
    printk("Test result: SUCCESS\n");
    guest_shutdown(SHUTDOWN_poweroff);
}

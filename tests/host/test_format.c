/* Tests for hv/lib/format.c: compared against the host's snprintf. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "lib/format.h"
#include "test.h"

/* Format with both implementations and report the first difference. */
__attribute__((format(printf, 2, 3)))
static void cmp_fmt(int line, const char *fmt, ...)
{
    char ours[512], host[512];
    va_list ap, ap2;
    int ro, rh;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    memset(ours, 'Z', sizeof(ours));
    ro = fmt_vsnprintf(ours, sizeof(ours), fmt, ap);
    rh = vsnprintf(host, sizeof(host), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (ro != rh || strcmp(ours, host) != 0)
        test_fail(__FILE__, line, "format \"%s\": got %d \"%s\", host %d \"%s\"",
                  fmt, ro, ours, rh, host);
}

#define CMP(...) cmp_fmt(__LINE__, __VA_ARGS__)

static void test_plain_text(void)
{
    CMP("hello");
    CMP("%s", "");
    CMP("100%% sure");
    CMP("%c%c%c", 'a', 'b', 'c');
    CMP("[%5c][%-5c]", 'x', 'y');
}

static void test_signed(void)
{
    static const int vals[] = { 0, 1, -1, 42, -42, 123456, INT_MAX, INT_MIN };
    static const char *const fmts[] = {
        "%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+05d", "% 05d", "%.3d",
        "%8.3d", "%-8.3d|", "%08.3d", "%.0d", "%5.0d", "%+.0d", "%-+8d|", "%- 8d|", "%+ d",
        "%0-6d|", "%1d", "%.10d", "%20.12d",
    };
    for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
            CMP(fmts[f], vals[v]);
}

static void test_unsigned_bases(void)
{
    static const unsigned vals[] = { 0, 1, 7, 8, 15, 16, 255, 4096, 0xdeadbeef, UINT_MAX };
    static const char *const convs[] = { "u", "x", "X", "o" };
    static const char *const flags[] = { "", "#", "0", "-", "#0", "#-", "+", " ", "+ #0" };
    static const char *const wp[] = { "", "6", "12", ".0", ".3", "10.4", "3.1", ".12" };
    char fmt[32];

    for (size_t c = 0; c < sizeof(convs) / sizeof(convs[0]); c++)
        for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
            for (size_t w = 0; w < sizeof(wp) / sizeof(wp[0]); w++)
                for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
                    snprintf(fmt, sizeof(fmt), "[%%%s%s%s]", flags[f], wp[w], convs[c]);
                    /* '+' and ' ' with unsigned conversions are undefined in
                     * C (ours ignores them); only compare defined formats. */
                    if (!strchr(flags[f], '+') && !strchr(flags[f], ' '))
                        CMP(fmt, vals[v]);
                }
}

static void test_length_modifiers(void)
{
    CMP("%hhd %hhu %hhx", (signed char)-5, (unsigned char)250, (unsigned char)0xab);
    CMP("%hhd", 300);           /* converted to signed char */
    CMP("%hd %hu %hx", (short)-300, (unsigned short)65000, (unsigned short)0xbeef);
    CMP("%hd", 70000);
    CMP("%ld %lu %lx", -1234567890123L, 1234567890123UL, 0xfeedfacecafeUL);
    CMP("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0x123456789abcdef0ULL, ULLONG_MAX);
    CMP("%lld", LLONG_MAX);
    CMP("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)0x1000, (ptrdiff_t)-7);
    CMP("%td %tu %tx", (ptrdiff_t)-99, (size_t)99, (size_t)0xff);
    CMP("%jd %ju %jx", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (uintmax_t)0xabc);
    CMP("%#llx %#llo %#llX", 0ULL, 0ULL, 0xabcULL);
    CMP("%020llx|%-20llu|", 0xdeadbeefcafeULL, 12345ULL);
    CMP("%.20llo", 01234567ULL);
}

static void test_strings(void)
{
    CMP("%s", "abc");
    CMP("[%10s][%-10s]", "right", "left");
    CMP("[%.2s][%5.1s][%-5.0s]", "abcdef", "xyz", "qq");
    CMP("[%.10s]", "short");
    CMP("[%s%s]", "", "x");
    CMP("%s=%d, %s=%#x", "a", 1, "b", 0x2b);

    char buf[32];
    const char *volatile nullstr = NULL;   /* hidden from the format checker */
    CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%s", nullstr), 6);
    CHECK_STR(buf, "(null)");
    CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "[%8s]", nullstr), 10);
    CHECK_STR(buf, "[  (null)]");

    /* The precision bounds reads: no NUL is needed within it. */
    char unterminated[4] = { 'w', 'x', 'y', 'z' };
    CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%.4s|", unterminated), 5);
    CHECK_STR(buf, "wxyz|");
}

static void test_star(void)
{
    CMP("[%*d]", 6, 42);
    CMP("[%*d]", -6, 42);       /* negative width: left-justify */
    CMP("[%.*d]", 4, 42);
    CMP("[%.*d]", -1, 42);      /* negative precision: as if omitted */
    CMP("[%*.*s]", 8, 3, "abcdef");
    CMP("[%-*.*x]", 9, 5, 0xab);
    CMP("[%0*d]", 7, -12);
    CMP("[%.*s]", 0, "gone");
}

static void test_pointer(void)
{
    char ours[64], host[64];
    int x;
    void *ptrs[] = { &x, (void *)(uintptr_t)0x1000, (void *)(uintptr_t)0xffff800000001234ULL };

    for (size_t i = 0; i < 3; i++) {
        int ro = fmt_snprintf(ours, sizeof(ours), "%p %20p %-20p|", ptrs[i], ptrs[i], ptrs[i]);
        int rh = snprintf(host, sizeof(host), "%p %20p %-20p|", ptrs[i], ptrs[i], ptrs[i]);
        CHECK_EQ(ro, rh);
        CHECK_STR(ours, host);
    }
    CHECK_EQ(fmt_snprintf(ours, sizeof(ours), "%p", (void *)0), 3);
    CHECK_STR(ours, "0x0");
    fmt_snprintf(ours, sizeof(ours), "%p", (void *)(uintptr_t)0xABCDEF);
    CHECK_STR(ours, "0xabcdef");
}

static void test_truncation(void)
{
    char buf[16];

    memset(buf, 'Q', sizeof(buf));
    CHECK_EQ(fmt_snprintf(buf, 5, "%s", "hello world"), 11);
    CHECK_STR(buf, "hell");
    CHECK_EQ(buf[5], 'Q');

    memset(buf, 'Q', sizeof(buf));
    CHECK_EQ(fmt_snprintf(buf, 1, "abc%d", 12345), 8);
    CHECK_EQ(buf[0], '\0');
    CHECK_EQ(buf[1], 'Q');

    CHECK_EQ(fmt_snprintf(NULL, 0, "%08x-%s", 0x1234u, "tail"), 13);

    memset(buf, 'Q', sizeof(buf));
    CHECK_EQ(fmt_snprintf(buf, 0, "xyz"), 3);
    CHECK_EQ(buf[0], 'Q');

    /* Exactly fits, and one short. */
    CHECK_EQ(fmt_snprintf(buf, 4, "abc"), 3);
    CHECK_STR(buf, "abc");
    CHECK_EQ(fmt_snprintf(buf, 3, "abc"), 3);
    CHECK_STR(buf, "ab");

    /* Truncation in the middle of padding and digits. */
    CHECK_EQ(fmt_snprintf(buf, 6, "%10d", -123), 10);
    CHECK_STR(buf, "     ");
    CHECK_EQ(fmt_snprintf(buf, 6, "%-10x|", 0xabcdefu), 11);
    CHECK_STR(buf, "abcde");
}

static void test_unknown_conversion(void)
{
    char buf[32];

    /* Undefined in C; ours prints it verbatim without consuming arguments.
     * Non-literal formats keep the compiler's format checker quiet. */
    const char *trailing = "a%", *unknown = "[%y|%d]";
    CHECK_EQ(fmt_snprintf(buf, sizeof(buf), trailing, 0), 2);
    CHECK_STR(buf, "a%");
    CHECK_EQ(fmt_snprintf(buf, sizeof(buf), unknown, 5), 6);
    CHECK_STR(buf, "[%y|5]");
}

/* Many random combinations of flags, width, precision and values. */
static void test_random(void)
{
    static const char flagset[] = "-0# +";
    static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "j" };
    static const char convs[] = "diuxXo";
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    char fmt[64];

    for (int iter = 0; iter < 20000; iter++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = seed;
        size_t n = 0;
        char conv = convs[(r >> 8) % 6];
        bool is_signed = conv == 'd' || conv == 'i';

        fmt[n++] = '<';
        fmt[n++] = '%';
        for (int i = 0; i < 5; i++)
            if ((r >> (16 + i)) & 1) {
                char f = flagset[i];
                if (!is_signed && (f == '+' || f == ' '))
                    continue;
                if (is_signed && f == '#')
                    continue;
                fmt[n++] = f;
            }
        if ((r >> 21) & 1)
            n += (size_t)sprintf(fmt + n, "%u", (unsigned)((r >> 22) % 25));
        if ((r >> 27) & 1)
            n += (size_t)sprintf(fmt + n, ".%u", (unsigned)((r >> 28) % 25));
        const char *len = lens[(r >> 33) % 7];
        n += (size_t)sprintf(fmt + n, "%s%c>", len, conv);

        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t v = seed ^ (seed >> 29);
        switch ((r >> 40) % 4) {
        case 0: v &= 0xff; break;
        case 1: v &= 0xffff; break;
        case 2: v = (uint64_t)(int64_t)(int8_t)v; break;
        default: break;
        }
        if (!len[0] || !strcmp(len, "hh") || !strcmp(len, "h"))
            cmp_fmt(__LINE__, fmt, (int)v);
        else
            cmp_fmt(__LINE__, fmt, (long long)v);
        if (test_cur_failed)
            break;
    }
}

int main(void)
{
    RUN_TEST(test_plain_text);
    RUN_TEST(test_signed);
    RUN_TEST(test_unsigned_bases);
    RUN_TEST(test_length_modifiers);
    RUN_TEST(test_strings);
    RUN_TEST(test_star);
    RUN_TEST(test_pointer);
    RUN_TEST(test_truncation);
    RUN_TEST(test_unknown_conversion);
    RUN_TEST(test_random);
    return test_main_result();
}

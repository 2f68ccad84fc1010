/* Minimal host unit-test framework.
 *
 * A test is a `static void name(void)` function run with RUN_TEST(name).
 * Each run prints exactly one line, following docs/conventions.md:
 *   PASS: <file> <test>
 *   FAIL: <file> <test>: <file>:<line>: <first failed check>
 * Checks never abort a test; later failures are counted but only the first
 * one is reported. test_main_result() gives the exit status for main(). */
#ifndef TESTS_HOST_TEST_H
#define TESTS_HOST_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int test_cur_failed;
static char test_cur_why[512];
static int test_nr_pass, test_nr_fail;

__attribute__((format(printf, 3, 4), unused))
static void test_fail(const char *file, int line, const char *fmt, ...)
{
    const char *base = strrchr(file, '/');
    va_list ap;
    int n;

    if (test_cur_failed++)
        return;
    n = snprintf(test_cur_why, sizeof(test_cur_why), "%s:%d: ", base ? base + 1 : file, line);
    if (n < 0 || (size_t)n >= sizeof(test_cur_why))
        return;
    va_start(ap, fmt);
    vsnprintf(test_cur_why + n, sizeof(test_cur_why) - (size_t)n, fmt, ap);
    va_end(ap);
    /* Keep the report on one line. */
    for (char *p = test_cur_why; *p; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
}

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond))                                                          \
            test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                \
    } while (0)

/* Integer equality; both sides are compared as unsigned 64-bit values. */
#define CHECK_EQ(a, b)                                                        \
    do {                                                                      \
        unsigned long long test_a_ = (unsigned long long)(a);                 \
        unsigned long long test_b_ = (unsigned long long)(b);                 \
        if (test_a_ != test_b_)                                               \
            test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %#llx (%lld) != %#llx (%lld)", \
                      #a, #b, test_a_, (long long)test_a_, test_b_, (long long)test_b_); \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *test_sa_ = (a), *test_sb_ = (b);                          \
        if (!test_sa_ || !test_sb_ || strcmp(test_sa_, test_sb_) != 0)        \
            test_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", \
                      #a, #b, test_sa_ ? test_sa_ : "(null)",                 \
                      test_sb_ ? test_sb_ : "(null)");                        \
    } while (0)

/* Substring check, handy for error messages. */
#define CHECK_CONTAINS(hay, needle)                                           \
    do {                                                                      \
        const char *test_h_ = (hay), *test_n_ = (needle);                     \
        if (!test_h_ || !strstr(test_h_, test_n_))                            \
            test_fail(__FILE__, __LINE__, "CHECK_CONTAINS(%s, \"%s\"): got \"%s\"", \
                      #hay, test_n_, test_h_ ? test_h_ : "(null)");           \
    } while (0)

static void test_run(const char *file, const char *name, void (*fn)(void))
{
    const char *base = strrchr(file, '/');

    test_cur_failed = 0;
    test_cur_why[0] = '\0';
    fn();
    if (test_cur_failed) {
        test_nr_fail++;
        printf("FAIL: %s %s: %s\n", base ? base + 1 : file, name, test_cur_why);
    } else {
        test_nr_pass++;
        printf("PASS: %s %s\n", base ? base + 1 : file, name);
    }
    fflush(stdout);
}

#define RUN_TEST(fn) test_run(__FILE__, #fn, fn)

static inline int test_main_result(void)
{
    return test_nr_fail ? 1 : 0;
}

#endif

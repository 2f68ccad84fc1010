/* Tests for hv/boot/cmdline.c. */
#include <stdbool.h>
#include <stdint.h>

#include "boot/cmdline.h"
#include "test.h"

static char reports[16][640];
static int nr_reports;

static void record(const char *msg)
{
    if (nr_reports < 16)
        snprintf(reports[nr_reports], sizeof(reports[0]), "%s", msg);
    nr_reports++;
}

static void reset_reports(void)
{
    nr_reports = 0;
    memset(reports, 0, sizeof(reports));
}

struct opts {
    bool verbose, noreboot, sync;
    uint32_t loglvl;
    uint8_t small;
    uint64_t dom0_mem;
    uint16_t mem16;
    char console[16];
    char tiny[4];
    int custom_calls;
    char custom_last[32];
};

static int custom_handler(const char *val, void *var)
{
    struct opts *o = var;

    o->custom_calls++;
    snprintf(o->custom_last, sizeof(o->custom_last), "%s", val);
    return strcmp(val, "bad") ? 0 : -1;
}

static struct opts o;

static const struct cmdline_param params[] = {
    { "verbose", CMDLINE_BOOL, &o.verbose, sizeof(bool), NULL },
    { "noreboot", CMDLINE_BOOL, &o.noreboot, sizeof(bool), NULL },
    { "sync_console", CMDLINE_BOOL, &o.sync, sizeof(bool), NULL },
    { "loglvl", CMDLINE_UINT, &o.loglvl, sizeof(o.loglvl), NULL },
    { "small", CMDLINE_UINT, &o.small, sizeof(o.small), NULL },
    { "dom0_mem", CMDLINE_SIZE, &o.dom0_mem, sizeof(o.dom0_mem), NULL },
    { "mem16", CMDLINE_SIZE, &o.mem16, sizeof(o.mem16), NULL },
    { "console", CMDLINE_STRING, o.console, sizeof(o.console), NULL },
    { "tiny", CMDLINE_STRING, o.tiny, sizeof(o.tiny), NULL },
    { "cust", CMDLINE_CUSTOM, &o, 0, custom_handler },
};
#define NR_PARAMS (sizeof(params) / sizeof(params[0]))

static int parse(const char *s)
{
    reset_reports();
    return cmdline_parse(s, params, NR_PARAMS, record);
}

static void test_parse_uint(void)
{
    uint64_t v;
    const char *end;

    CHECK_EQ(cmdline_parse_uint("0", &v, &end), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(*end, '\0');
    CHECK_EQ(cmdline_parse_uint("12345xyz", &v, &end), 0);
    CHECK_EQ(v, 12345);
    CHECK_STR(end, "xyz");
    CHECK_EQ(cmdline_parse_uint("0x1fF", &v, &end), 0);
    CHECK_EQ(v, 0x1ff);
    CHECK_EQ(cmdline_parse_uint("0XAbC", &v, NULL), 0);
    CHECK_EQ(v, 0xabc);
    CHECK_EQ(cmdline_parse_uint("18446744073709551615", &v, NULL), 0);
    CHECK_EQ(v, UINT64_MAX);
    CHECK_EQ(cmdline_parse_uint("18446744073709551616", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_uint("0xffffffffffffffff", &v, NULL), 0);
    CHECK_EQ(v, UINT64_MAX);
    CHECK_EQ(cmdline_parse_uint("0x10000000000000000", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_uint("", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_uint("abc", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_uint("-1", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_uint("0x", &v, &end), 0);  /* the "0", then "x" */
    CHECK_EQ(v, 0);
    CHECK_STR(end, "x");
}

static void test_parse_size(void)
{
    uint64_t v;
    const char *end;

    CHECK_EQ(cmdline_parse_size("512M", &v, &end), 0);
    CHECK_EQ(v, 512ULL << 20);
    CHECK_EQ(*end, '\0');
    CHECK_EQ(cmdline_parse_size("2G", &v, NULL), 0);
    CHECK_EQ(v, 2ULL << 30);
    CHECK_EQ(cmdline_parse_size("4096K", &v, NULL), 0);
    CHECK_EQ(v, 4096ULL << 10);
    CHECK_EQ(cmdline_parse_size("1T", &v, NULL), 0);
    CHECK_EQ(v, 1ULL << 40);
    CHECK_EQ(cmdline_parse_size("123", &v, NULL), 0);
    CHECK_EQ(v, 123ULL << 10);
    CHECK_EQ(cmdline_parse_size("4096B", &v, NULL), 0);
    CHECK_EQ(v, 4096);
    CHECK_EQ(cmdline_parse_size("3m", &v, NULL), 0);
    CHECK_EQ(v, 3ULL << 20);
    CHECK_EQ(cmdline_parse_size("0x10g", &v, NULL), 0);
    CHECK_EQ(v, 16ULL << 30);
    CHECK_EQ(cmdline_parse_size("256M,max:1G", &v, &end), 0);
    CHECK_EQ(v, 256ULL << 20);
    CHECK_STR(end, ",max:1G");
    CHECK_EQ(cmdline_parse_size("16777215T", &v, NULL), 0);
    CHECK_EQ(v, 16777215ULL << 40);
    CHECK_EQ(cmdline_parse_size("16777216T", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_size("18014398509481984", &v, NULL), -1);  /* 2^54 KiB */
    CHECK_EQ(cmdline_parse_size("M", &v, NULL), -1);
    CHECK_EQ(cmdline_parse_size("", &v, NULL), -1);
}

static void test_parse_bool(void)
{
    CHECK_EQ(cmdline_parse_bool("1"), 1);
    CHECK_EQ(cmdline_parse_bool("yes"), 1);
    CHECK_EQ(cmdline_parse_bool("on"), 1);
    CHECK_EQ(cmdline_parse_bool("true"), 1);
    CHECK_EQ(cmdline_parse_bool("enable"), 1);
    CHECK_EQ(cmdline_parse_bool("0"), 0);
    CHECK_EQ(cmdline_parse_bool("no"), 0);
    CHECK_EQ(cmdline_parse_bool("off"), 0);
    CHECK_EQ(cmdline_parse_bool("false"), 0);
    CHECK_EQ(cmdline_parse_bool("disable"), 0);
    CHECK_EQ(cmdline_parse_bool(""), -1);
    CHECK_EQ(cmdline_parse_bool("2"), -1);
    CHECK_EQ(cmdline_parse_bool("Yes"), -1);
}

static void test_typical_line(void)
{
    memset(&o, 0, sizeof(o));
    o.noreboot = true;
    CHECK_EQ(parse("  verbose  loglvl=7 dom0_mem=512M console=com1,vga no-noreboot  "), 0);
    CHECK_EQ(nr_reports, 0);
    CHECK(o.verbose);
    CHECK(!o.noreboot);
    CHECK_EQ(o.loglvl, 7);
    CHECK_EQ(o.dom0_mem, 512ULL << 20);
    CHECK_STR(o.console, "com1,vga");
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(parse(NULL), 0);
    CHECK_EQ(parse("     "), 0);
}

static void test_bool_forms(void)
{
    static const struct { const char *line; bool want; } cases[] = {
        { "verbose", true }, { "verbose=1", true }, { "verbose=yes", true },
        { "verbose=on", true }, { "verbose=true", true }, { "verbose=0", false },
        { "verbose=no", false }, { "verbose=off", false }, { "verbose=false", false },
        { "no-verbose", false }, { "no-verbose=0", true }, { "no-verbose=on", false },
        { "verbose=1 verbose=0", false }, { "verbose=0 verbose", true },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&o, 0, sizeof(o));
        o.verbose = !cases[i].want;
        CHECK_EQ(parse(cases[i].line), 0);
        if (o.verbose != cases[i].want)
            test_fail(__FILE__, __LINE__, "'%s' gave %d", cases[i].line, o.verbose);
    }
    memset(&o, 0, sizeof(o));
    CHECK_EQ(parse("verbose=maybe"), 1);
    CHECK_STR(reports[0], "bad value for verbose: 'maybe'");
    CHECK(!o.verbose);
    CHECK_EQ(parse("verbose="), 1);
    CHECK_STR(reports[0], "bad value for verbose: ''");
}

static void test_unknown_and_bad(void)
{
    memset(&o, 0, sizeof(o));
    CHECK_EQ(parse("foo loglvl=xyz bar=1 dom0_mem=xyz sync_console small=256 no-loglvl"), 6);
    CHECK_EQ(nr_reports, 6);
    CHECK_STR(reports[0], "unknown option 'foo' ignored");
    CHECK_STR(reports[1], "bad value for loglvl: 'xyz'");
    CHECK_STR(reports[2], "unknown option 'bar' ignored");
    CHECK_STR(reports[3], "bad value for dom0_mem: 'xyz'");
    CHECK_STR(reports[4], "bad value for small: '256'");
    CHECK_STR(reports[5], "unknown option 'no-loglvl' ignored");
    CHECK(o.sync);                             /* good options still apply */
    CHECK_EQ(o.small, 0);

    CHECK_EQ(parse("loglvl dom0_mem loglvl=12abc loglvl=-1 loglvl=4294967296"), 5);
    CHECK_STR(reports[0], "option 'loglvl' needs a value");
    CHECK_STR(reports[1], "option 'dom0_mem' needs a value");
    CHECK_STR(reports[2], "bad value for loglvl: '12abc'");
    CHECK_EQ(parse("loglvl=4294967295 small=255 mem16=63 dom0_mem=1048576B"), 0);
    CHECK_EQ(o.loglvl, 4294967295u);
    CHECK_EQ(o.small, 255);
    CHECK_EQ(o.mem16, 63 * 1024);
    CHECK_EQ(o.dom0_mem, 0x100000);
    CHECK_EQ(parse("mem16=64"), 1);             /* 65536 does not fit 16 bits */
    CHECK_EQ(parse("dom0_mem=99999999999999999999"), 1);

    /* No report callback: still counted. */
    CHECK_EQ(cmdline_parse("what ever", params, NR_PARAMS, NULL), 2);
}

static void test_strings(void)
{
    memset(&o, 0, sizeof(o));
    CHECK_EQ(parse("console=com1 tiny=abc"), 0);
    CHECK_STR(o.console, "com1");
    CHECK_STR(o.tiny, "abc");
    CHECK_EQ(parse("tiny=abcdef"), 1);
    CHECK_STR(reports[0], "value for tiny truncated to 3 characters");
    CHECK_STR(o.tiny, "abc");
    CHECK_EQ(parse("console="), 0);
    CHECK_STR(o.console, "");
    CHECK_EQ(parse("console=a=b"), 0);          /* only the first '=' splits */
    CHECK_STR(o.console, "a=b");
    CHECK_EQ(parse("console"), 1);
    CHECK_EQ(parse("no-console"), 1);
}

static void test_custom(void)
{
    memset(&o, 0, sizeof(o));
    CHECK_EQ(parse("cust=abc,def cust no-cust cust=bad no-cust=1"), 2);
    CHECK_EQ(o.custom_calls, 4);
    CHECK_STR(reports[0], "bad value for cust: 'bad'");
    CHECK_STR(reports[1], "bad value for no-cust: '1'");
    CHECK_STR(o.custom_last, "bad");
    CHECK_EQ(parse("cust"), 0);
    CHECK_STR(o.custom_last, "");
    CHECK_EQ(parse("no-cust"), 0);
    CHECK_STR(o.custom_last, "no");
}

static void test_separator_and_long(void)
{
    char line[1200];

    memset(&o, 0, sizeof(o));
    CHECK_EQ(parse("verbose -- loglvl=3 foo"), 0);
    CHECK(o.verbose);
    CHECK_EQ(o.loglvl, 0);
    CHECK_STR(cmdline_dom0_extra("verbose -- root=/dev/xvda1 ro"), "root=/dev/xvda1 ro");
    CHECK_STR(cmdline_dom0_extra("--"), "");
    CHECK(cmdline_dom0_extra("verbose a--b --x") == NULL);
    CHECK(cmdline_dom0_extra("") == NULL);

    memset(line, 'a', sizeof(line));
    memcpy(line, "console=", 8);
    strcpy(line + 600, " loglvl=5");
    CHECK_EQ(parse(line), 1);
    CHECK_CONTAINS(reports[0], "is too long");
    CHECK_EQ(o.loglvl, 5);
}

int main(void)
{
    RUN_TEST(test_parse_uint);
    RUN_TEST(test_parse_size);
    RUN_TEST(test_parse_bool);
    RUN_TEST(test_typical_line);
    RUN_TEST(test_bool_forms);
    RUN_TEST(test_unknown_and_bad);
    RUN_TEST(test_strings);
    RUN_TEST(test_custom);
    RUN_TEST(test_separator_and_long);
    return test_main_result();
}

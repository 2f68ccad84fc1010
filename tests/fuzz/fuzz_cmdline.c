/* libFuzzer harness: the hypervisor command line (hv/boot/cmdline.c), with
 * the real option table of hv/core/options.c.
 *
 * Input: the command line's bytes (a NUL is appended; an embedded NUL
 * ends the line early, as in the boot loader's string). Each input goes
 * through
 *   - options_parse(), as hv/core/main.c calls it, then options_report(),
 *     checking that hv_opts only ever holds values the options accept;
 *   - cmdline_parse() with a table of every option kind (booleans,
 *     integers of 1, 2, 4 and 8 bytes, sizes, short and empty strings, a
 *     custom handler, one without a handler), checking the problem count;
 *   - cmdline_dom0_extra() and the number/size/boolean helpers on the
 *     whole line, checking where they stop. */
#include <stdbool.h>

#include "boot/cmdline.h"
#include "core/options.h"
#include "grant/grant.h"
#include "fuzz.h"

static int nr_reports;

static void count_report(const char *msg)
{
    FUZZ_CHECK(strlen(msg) < CMDLINE_TOKEN_MAX + 96);
    nr_reports++;
}

static struct {
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64, size;
    char str[8], empty[1];
    unsigned custom_calls;
} v;

static int custom(const char *val, void *var)
{
    FUZZ_CHECK(var == &v.custom_calls);
    v.custom_calls++;
    return val[0] == 'x' ? -1 : 0;
}

static const struct cmdline_param params[] = {
    { "b", CMDLINE_BOOL, &v.b, sizeof(bool), 0 },
    { "u8", CMDLINE_UINT, &v.u8, 1, 0 },
    { "u16", CMDLINE_UINT, &v.u16, 2, 0 },
    { "u32", CMDLINE_UINT, &v.u32, 4, 0 },
    { "u64", CMDLINE_UINT, &v.u64, 8, 0 },
    { "mem", CMDLINE_SIZE, &v.size, 8, 0 },
    { "m32", CMDLINE_SIZE, &v.u32, 4, 0 },
    { "str", CMDLINE_STRING, v.str, sizeof(v.str), 0 },
    { "zero", CMDLINE_STRING, v.empty, 0, 0 },
    { "one", CMDLINE_STRING, v.empty, sizeof(v.empty), 0 },
    { "cust", CMDLINE_CUSTOM, &v.custom_calls, 0, custom },
    { "nohandler", CMDLINE_CUSTOM, 0, 0, 0 },
};

static struct hv_options defaults;
static bool have_defaults;

static void check_end(const char *s, size_t len, const char *end)
{
    FUZZ_CHECK(end >= s && end <= s + len);
}

static void check_options(void)
{
    FUZZ_CHECK_STR(hv_opts.console);
    FUZZ_CHECK(!strcmp(hv_opts.console, "com1") || !strcmp(hv_opts.console, "none"));
    FUZZ_CHECK(hv_opts.com1_baud >= 1 && hv_opts.com1_baud <= 115200);
    FUZZ_CHECK(hv_opts.com1_port != 0);
    FUZZ_CHECK(hv_opts.dom0_mem == 0 || hv_opts.dom0_mem >= (1u << 20));
    FUZZ_CHECK_STR(hv_opts.dom0_start_info);
    FUZZ_CHECK(!hv_opts.dom0_start_info[0] || !strcmp(hv_opts.dom0_start_info, "dom0") ||
               !strcmp(hv_opts.dom0_start_info, "domu"));
    FUZZ_CHECK_STR(hv_opts.selftest);
    FUZZ_CHECK(grant_opt_max_frames >= 1 && grant_opt_max_frames <= GRANT_MAX_FRAMES_LIMIT);
    FUZZ_CHECK(grant_opt_max_maptrack_frames <= GRANT_MAPTRACK_FRAMES_LIMIT);
    FUZZ_CHECK_STR(hv_cmdline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    size_t len;
    const char *end, *extra;
    uint64_t n, sz;
    int problems;

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    len = strlen(s);

    if (!have_defaults) {
        defaults = hv_opts;
        have_defaults = true;
    }
    hv_opts = defaults;
    options_parse(s);
    options_report();
    check_options();

    nr_reports = 0;
    memset(&v, 0, sizeof(v));
    problems = cmdline_parse(s, params, sizeof(params) / sizeof(params[0]), count_report);
    FUZZ_CHECK(problems == nr_reports);
    FUZZ_CHECK(v.str[sizeof(v.str) - 1] == '\0' && v.empty[0] == '\0');
    FUZZ_CHECK(cmdline_parse(s, params, sizeof(params) / sizeof(params[0]), 0) == problems);

    extra = cmdline_dom0_extra(s);
    if (extra)
        check_end(s, len, extra);

    if (!cmdline_parse_uint(s, &n, &end)) {
        check_end(s, len, end);
        FUZZ_CHECK(end > s);
        /* A size is the same number with a unit: KiB without one. */
        if (!cmdline_parse_size(s, &sz, &end)) {
            check_end(s, len, end);
            FUZZ_CHECK(sz == n || sz % 1024 == 0);
        }
    } else {
        FUZZ_CHECK(cmdline_parse_size(s, &sz, &end) == -1);
    }
    FUZZ_CHECK(cmdline_parse_bool(s) >= -1 && cmdline_parse_bool(s) <= 1);
    free(s);
    return 0;
}

/* Hypervisor command-line options, in Xen's spelling:
 *   console=com1|none  com1=<baud>[,8n1[,<io-base>]]  loglvl=<level>[/<guest level>]
 *   console_timestamps=none|boot  (boot: "[s.us] " after each line's prefix)
 *   dom0_mem=<size>|max:<size>  dom0_max_vcpus=<n>|<min>-<max>  noreboot  pv-linear-pt=<bool>
 *   gnttab_max_frames=<n>  gnttab_max_maptrack_frames=<n>  gnttab=max-ver:1
 * and Xenolith's own:
 *   sched_slice_ms=<n>  the round-robin time slice, 1..1000 ms (default 10)
 *   dom0_start_info=dom0|domu   the start_info form dom0 gets (domu: console and
 *                               xenstore ring pages and ports, no SIF flags)
 *   selftest=hv-fault   take a page fault in the hypervisor once booted
 *   selftest=triple-fault  reset the machine by a triple fault once booted
 *   selftest=boot-keys  the debug keys r q e 0 h as if typed while the
 *                       hypervisor boots (before the scheduler and dom0)
 * Unknown options are reported and ignored. The console does not exist yet
 * while we parse (its settings are among the options), so reports are kept
 * and printed by options_report() once it does. */
#include "core/options.h"
#include "core/log.h"
#include "boot/cmdline.h"
#include "arch/x86_64/serial.h"
#include "lib/string.h"
#include "lib/format.h"
#include "grant/grant.h"

struct hv_options hv_opts = {
    .console = "com1", .com1_baud = SERIAL_DEFAULT_BAUD, .com1_port = SERIAL_COM1_BASE,
    .pv_linear_pt = true, .sched_slice_ms = SCHED_SLICE_MS_DEFAULT,
    .dom0_vcpus_min = 1, .dom0_vcpus_max = ~0u,
};
char hv_cmdline[1024];

#define MAX_REPORTS 8
static char reports[MAX_REPORTS][128];
static unsigned nr_reports, lost_reports;

static void keep_report(const char *msg)
{
    if (nr_reports < MAX_REPORTS)
        fmt_snprintf(reports[nr_reports++], sizeof(reports[0]), "%s", msg);
    else
        lost_reports++;
}

static int parse_com1(const char *val, void *var)
{
    struct hv_options *o = var;
    uint64_t baud, port;
    const char *p = val;

    if (cmdline_parse_uint(p, &baud, &p) != 0 || baud == 0 || baud > 115200)
        return -1;
    o->com1_baud = (uint32_t)baud;
    if (*p == ',') {                       /* data bits, parity, stop bits: only 8n1 */
        p++;
        if (strncmp(p, "8n1", 3) != 0)
            return -1;
        p += 3;
        if (*p == ',') {
            if (cmdline_parse_uint(p + 1, &port, &p) != 0 || port == 0 || port > 0xffff)
                return -1;
            o->com1_port = (uint16_t)port;
        }
    }
    return *p ? -1 : 0;
}

static int parse_loglvl(const char *val, void *var)
{
    char level[16];
    size_t n = 0;
    int lvl;

    (void)var;
    while (val[n] && val[n] != '/' && n < sizeof(level) - 1) {
        level[n] = val[n];
        n++;
    }
    level[n] = 0;
    if ((lvl = log_parse_level(level)) < 0)
        return -1;
    log_threshold = lvl;
    return 0;
}

static int parse_dom0_mem(const char *val, void *var)
{
    uint64_t *mem = var, size;
    const char *end;

    /* "max:<size>" alone also sets the size; other forms of Xen's list are refused. */
    if (strncmp(val, "max:", 4) == 0)
        val += 4;
    if (cmdline_parse_size(val, &size, &end) != 0 || *end || size < (1u << 20))
        return -1;
    *mem = size;
    return 0;
}

static int parse_console(const char *val, void *var)
{
    struct hv_options *o = var;

    if (strcmp(val, "com1") != 0 && strcmp(val, "none") != 0)
        return -1;
    fmt_snprintf(o->console, sizeof(o->console), "%s", val);
    return 0;
}

static int parse_start_info(const char *val, void *var)
{
    if (strcmp(val, "dom0") != 0 && strcmp(val, "domu") != 0)
        return -1;
    fmt_snprintf(var, sizeof(hv_opts.dom0_start_info), "%s", val);
    return 0;
}

/* Grant-table limits: frames per table 1..256 (Xen's default 64), maptrack
 * frames 0..1024 (Xen's default 1024). */
static int parse_gnttab_frames(const char *val, void *var)
{
    uint64_t n;
    const char *end;
    uint32_t limit = var == &grant_opt_max_frames ? GRANT_MAX_FRAMES_LIMIT : GRANT_MAPTRACK_FRAMES_LIMIT;

    if (cmdline_parse_uint(val, &n, &end) != 0 || *end || n > limit || (var == &grant_opt_max_frames && n == 0))
        return -1;
    *(uint32_t *)var = (uint32_t)n;
    return 0;
}

/* Xen's gnttab=max-ver:<n>[,transitive|no-transitive][,transfer|no-transfer]:
 * Xenolith has version 1 only, which is what max-ver:1 asks for. */
static int parse_gnttab(const char *val, void *var)
{
    (void)var;
    return strcmp(val, "max-ver:1") == 0 ? 0 : -1;
}

/* The scheduler's time slice: 1..1000 ms. 10 ms by default: a vCPU woken by
 * an event waits at most one slice for a CPU kept busy by others (as a
 * 100 Hz tick would), and a switch costs a few microseconds, well under 1 %
 * of a slice, even under QEMU's TCG. */
static int parse_slice_ms(const char *val, void *var)
{
    uint64_t n;
    const char *end;

    if (cmdline_parse_uint(val, &n, &end) != 0 || *end || n == 0 || n > SCHED_SLICE_MS_MAX)
        return -1;
    *(uint32_t *)var = (uint32_t)n;
    return 0;
}

/* dom0_max_vcpus=<n> (exactly n) or <min>-<max> (either side may be left out). */
static int parse_dom0_vcpus(const char *val, void *var)
{
    struct hv_options *o = var;
    uint64_t lo = 1, hi = ~0u;
    const char *end = val;

    if (*val != '-' && (cmdline_parse_uint(val, &lo, &end) != 0 || lo == 0 || lo > ~0u))
        return -1;
    if (*end == '\0') {
        hi = lo;
    } else if (*end == '-') {
        val = end + 1;
        if (*val && (cmdline_parse_uint(val, &hi, &end) != 0 || *end || hi == 0 || hi > ~0u))
            return -1;
    } else {
        return -1;
    }
    if (hi < lo)
        return -1;
    o->dom0_vcpus_min = (uint32_t)lo;
    o->dom0_vcpus_max = (uint32_t)hi;
    return 0;
}

static int parse_timestamps(const char *val, void *var)
{
    (void)var;
    if (strcmp(val, "boot") == 0)
        log_timestamps = true;
    else if (strcmp(val, "none") == 0)
        log_timestamps = false;
    else
        return -1;                      /* date, datems, raw: not here */
    return 0;
}

static const struct cmdline_param params[] = {
    { "gnttab_max_frames", CMDLINE_CUSTOM, &grant_opt_max_frames, 0, parse_gnttab_frames },
    { "gnttab_max_maptrack_frames", CMDLINE_CUSTOM, &grant_opt_max_maptrack_frames, 0, parse_gnttab_frames },
    { "gnttab", CMDLINE_CUSTOM, 0, 0, parse_gnttab },
    { "console", CMDLINE_CUSTOM, &hv_opts, 0, parse_console },
    { "com1", CMDLINE_CUSTOM, &hv_opts, 0, parse_com1 },
    { "loglvl", CMDLINE_CUSTOM, 0, 0, parse_loglvl },
    { "console_timestamps", CMDLINE_CUSTOM, 0, 0, parse_timestamps },
    { "dom0_mem", CMDLINE_CUSTOM, &hv_opts.dom0_mem, 0, parse_dom0_mem },
    { "dom0_max_vcpus", CMDLINE_CUSTOM, &hv_opts, 0, parse_dom0_vcpus },
    { "noreboot", CMDLINE_BOOL, &hv_opts.noreboot, sizeof(bool), 0 },
    { "pv-linear-pt", CMDLINE_BOOL, &hv_opts.pv_linear_pt, sizeof(bool), 0 },
    { "dom0_start_info", CMDLINE_CUSTOM, hv_opts.dom0_start_info, 0, parse_start_info },
    { "sched_slice_ms", CMDLINE_CUSTOM, &hv_opts.sched_slice_ms, 0, parse_slice_ms },
    { "selftest", CMDLINE_STRING, hv_opts.selftest, sizeof(hv_opts.selftest), 0 },
};

void options_parse(const char *cmdline)
{
    fmt_snprintf(hv_cmdline, sizeof(hv_cmdline), "%s", cmdline);
    cmdline_parse(cmdline, params, sizeof(params) / sizeof(params[0]), keep_report);
}

void options_report(void)
{
    for (unsigned i = 0; i < nr_reports; i++)
        log_warn("command line: %s\n", reports[i]);
    if (lost_reports)
        log_warn("command line: %u more problems not shown\n", lost_reports);
}

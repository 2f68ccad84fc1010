/* Hypervisor command-line parsing; see cmdline.h. */
#include "boot/cmdline.h"

#include "lib/format.h"
#include "lib/string.h"

int cmdline_parse_uint(const char *s, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    unsigned base = 10;
    const char *p = s;
    bool any = false;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    for (;; p++) {
        unsigned d;

        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
        any = true;
    }
    if (!any) {
        if (base == 16) {
            /* "0x" with no hex digits: the number is the "0". */
            p = s + 1;
        } else {
            return -1;
        }
    }
    *out = v;
    if (end)
        *end = p;
    return 0;
}

int cmdline_parse_size(const char *s, uint64_t *out, const char **end)
{
    uint64_t v;
    const char *p;
    unsigned shift;

    if (cmdline_parse_uint(s, &v, &p))
        return -1;
    switch (*p) {
    case 'T': case 't': shift = 40; p++; break;
    case 'G': case 'g': shift = 30; p++; break;
    case 'M': case 'm': shift = 20; p++; break;
    case 'K': case 'k': shift = 10; p++; break;
    case 'B': case 'b': shift = 0; p++; break;
    default: shift = 10; break;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    if (end)
        *end = p;
    return 0;
}

int cmdline_parse_bool(const char *s)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcmp(s, yes[i]))
            return 1;
        if (!strcmp(s, no[i]))
            return 0;
    }
    return -1;
}

const char *cmdline_dom0_extra(const char *cmdline)
{
    const char *p = cmdline;

    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            return NULL;
        if (p[0] == '-' && p[1] == '-' && (p[2] == ' ' || p[2] == '\0')) {
            p += 2;
            while (*p == ' ')
                p++;
            return p;
        }
        while (*p && *p != ' ')
            p++;
    }
}

struct cmdline_ctx {
    cmdline_report_fn report;
    int problems;
};

__attribute__((format(printf, 2, 3)))
static void problem(struct cmdline_ctx *c, const char *fmt, ...)
{
    char msg[CMDLINE_TOKEN_MAX + 96];
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->problems++;
    if (c->report)
        c->report(msg);
}

/* Stores v in an unsigned variable of 'size' bytes; -1 if it does not fit. */
static int store_uint(void *var, size_t size, uint64_t v)
{
    switch (size) {
    case 1:
        if (v > UINT8_MAX)
            return -1;
        *(uint8_t *)var = (uint8_t)v;
        return 0;
    case 2:
        if (v > UINT16_MAX)
            return -1;
        *(uint16_t *)var = (uint16_t)v;
        return 0;
    case 4:
        if (v > UINT32_MAX)
            return -1;
        *(uint32_t *)var = (uint32_t)v;
        return 0;
    case 8:
        *(uint64_t *)var = v;
        return 0;
    default:
        return -1;
    }
}

/* Applies one option. 'val' is NULL for a bare name; 'negated' for no-name. */
static void apply(struct cmdline_ctx *c, const struct cmdline_param *p, const char *key,
                  const char *val, bool negated)
{
    uint64_t v;
    const char *end;
    int b;

    switch (p->kind) {
    case CMDLINE_BOOL:
        b = val ? cmdline_parse_bool(val) : 1;
        if (b < 0) {
            problem(c, "bad value for %s: '%s'", key, val);
            return;
        }
        *(bool *)p->var = negated ? !b : (bool)b;
        return;
    case CMDLINE_UINT:
    case CMDLINE_SIZE:
        if (negated || !val) {
            problem(c, "option '%s' needs a value", key);
            return;
        }
        if ((p->kind == CMDLINE_UINT ? cmdline_parse_uint(val, &v, &end)
                                     : cmdline_parse_size(val, &v, &end)) ||
            *end || store_uint(p->var, p->var_size, v)) {
            problem(c, "bad value for %s: '%s'", key, val);
        }
        return;
    case CMDLINE_STRING: {
        size_t len;
        char *dst = p->var;

        if (negated || !val) {
            problem(c, "option '%s' needs a value", key);
            return;
        }
        if (!p->var_size)
            return;
        len = strlen(val);
        if (len > p->var_size - 1) {
            problem(c, "value for %s truncated to %zu characters", key, p->var_size - 1);
            len = p->var_size - 1;
        }
        memcpy(dst, val, len);
        dst[len] = '\0';
        return;
    }
    case CMDLINE_CUSTOM:
        if (negated && val) {
            problem(c, "bad value for %s: '%s'", key, val);
            return;
        }
        if (!p->custom || p->custom(negated ? "no" : val ? val : "", p->var))
            problem(c, "bad value for %s: '%s'", key, negated ? "no" : val ? val : "");
        return;
    }
}

int cmdline_parse(const char *cmdline, const struct cmdline_param *params, size_t nr,
                  cmdline_report_fn report)
{
    struct cmdline_ctx c = { report, 0 };
    const char *p = cmdline ? cmdline : "";
    char tok[CMDLINE_TOKEN_MAX];

    for (;;) {
        const char *start;
        size_t len;
        char *eq, *name, *val;
        bool found = false;

        while (*p == ' ')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != ' ')
            p++;
        len = (size_t)(p - start);
        if (len == 2 && start[0] == '-' && start[1] == '-')
            break;
        if (len >= sizeof(tok)) {
            problem(&c, "option '%.32s...' is too long (max %u characters), ignored", start,
                    (unsigned)sizeof(tok) - 1);
            continue;
        }
        memcpy(tok, start, len);
        tok[len] = '\0';

        eq = strchr(tok, '=');
        if (eq)
            *eq = '\0';
        val = eq ? eq + 1 : NULL;

        /* An exact name wins; otherwise "no-" negates a known option. */
        name = tok;
        for (size_t i = 0; i < nr; i++) {
            if (!strcmp(params[i].name, name)) {
                apply(&c, &params[i], tok, val, false);
                found = true;
                break;
            }
        }
        if (!found && !strncmp(name, "no-", 3)) {
            name += 3;
            for (size_t i = 0; i < nr; i++) {
                if (!strcmp(params[i].name, name) &&
                    (params[i].kind == CMDLINE_BOOL || params[i].kind == CMDLINE_CUSTOM)) {
                    apply(&c, &params[i], tok, val, true);
                    found = true;
                    break;
                }
            }
        }
        if (!found)
            problem(&c, "unknown option '%s' ignored", tok);
    }
    return c.problems;
}

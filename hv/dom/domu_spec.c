/* domU boot modules: the module roles and the "domu" options (see domu_spec.h). */
#include "dom/domu_spec.h"
#include "lib/format.h"
#include "lib/string.h"

/* At most this much of an offending word is quoted in a reason, so that the
 * reason itself always fits DOMU_ERR_MAX. */
#define SHOW_MAX 40

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

static const char *word_end(const char *p)
{
    while (*p && !is_blank(*p))
        p++;
    return p;
}

static bool word_is(const char *w, size_t len, const char *lit)
{
    return strlen(lit) == len && !memcmp(w, lit, len);
}

/* "<word>: <why>", the word cut to SHOW_MAX characters. */
__attribute__((format(printf, 5, 6)))
static int fail(char *err, size_t errlen, const char *w, size_t wlen, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!err || !errlen)
        return -1;
    n = fmt_snprintf(err, errlen, "%.*s%s: ", (int)(wlen > SHOW_MAX ? SHOW_MAX : wlen), w,
                     wlen > SHOW_MAX ? "..." : "");
    if (n < 0 || (size_t)n >= errlen)
        return -1;
    va_start(ap, fmt);
    fmt_vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Decimal digits at s (at most len of them): how many, with their value in
 * *v, or UINT64_MAX when it does not fit. */
static size_t parse_dec(const char *s, size_t len, uint64_t *v)
{
    size_t i = 0;

    *v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        unsigned d = (unsigned)(s[i] - '0');

        *v = *v > (UINT64_MAX - d) / 10 ? UINT64_MAX : *v * 10 + d;
        i++;
    }
    return i;
}

/* A whole value that is a number in [min, max]. */
static int parse_count(const char *w, size_t wlen, const char *val, size_t vlen, unsigned min,
                       unsigned max, unsigned *out, char *err, size_t errlen)
{
    uint64_t v;

    if (!vlen || parse_dec(val, vlen, &v) != vlen)
        return fail(err, errlen, w, wlen, "not a number");
    if (v < min || v > max)
        return fail(err, errlen, w, wlen, "must be %u..%u", min, max);
    *out = (unsigned)v;
    return 0;
}

/* <n>[K|M|G] (either case), MiB without a unit, as xl's memory=. */
static int parse_memory(const char *w, size_t wlen, const char *val, size_t vlen, uint64_t *out,
                        char *err, size_t errlen)
{
    uint64_t n;
    size_t nd = parse_dec(val, vlen, &n);
    unsigned shift = 20;

    if (!nd || nd + 1 < vlen)
        return fail(err, errlen, w, wlen, "not a size (<n>[K|M|G], MiB without a unit)");
    if (nd < vlen) {
        switch (val[nd]) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        default:
            return fail(err, errlen, w, wlen, "not a size (<n>[K|M|G], MiB without a unit)");
        }
    }
    if (n > (DOMU_MEM_MAX >> shift) || (n << shift) < DOMU_MEM_MIN)
        return fail(err, errlen, w, wlen, "must be 1M..1024G");
    if ((n << shift) % 4096)
        return fail(err, errlen, w, wlen, "must be a whole number of 4K pages");
    *out = n << shift;
    return 0;
}

static bool name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static int parse_name(const char *w, size_t wlen, const char *val, size_t vlen, char *out,
                      char *err, size_t errlen)
{
    if (!vlen || vlen >= DOMU_NAME_MAX)
        return fail(err, errlen, w, wlen, "must be 1..%u characters", DOMU_NAME_MAX - 1);
    for (size_t i = 0; i < vlen; i++) {
        if (!name_char(val[i]))
            return fail(err, errlen, w, wlen, "only A-Z a-z 0-9 _ . - may be in a name");
    }
    memcpy(out, val, vlen);
    out[vlen] = '\0';
    return 0;
}

static unsigned dec_digits(unsigned v)
{
    unsigned n = 1;

    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

enum { KEY_NAME, KEY_MEMORY, KEY_VCPUS, KEY_COPIES, NR_KEYS };
static const char *const key_names[NR_KEYS] = { "name", "memory", "vcpus", "copies" };

int domu_spec_parse(const char *cmdline, struct domu_spec *out, char *err, size_t errlen)
{
    const char *p, *e, *name_word = NULL;
    bool seen[NR_KEYS] = { false };

    if (err && errlen)
        err[0] = '\0';
    if (!cmdline)
        cmdline = "";
    memset(out, 0, sizeof(*out));
    out->memory = DOMU_MEM_DEFAULT;
    out->vcpus = 1;
    out->copies = 1;
    out->cmdline = cmdline + strlen(cmdline);

    p = skip_blanks(cmdline);
    e = word_end(p);
    if (!word_is(p, (size_t)(e - p), "domu")) {
        if (err && errlen)
            fmt_snprintf(err, errlen, "not a domU kernel: the first word must be domu");
        return -1;
    }
    for (p = skip_blanks(e); *p; p = skip_blanks(e)) {
        const char *eq;
        size_t wlen, klen, vlen;
        int key, rc = 0;

        e = word_end(p);
        wlen = (size_t)(e - p);
        if (word_is(p, wlen, "--")) {
            const char *s = skip_blanks(e), *t = s + strlen(s);

            while (t > s && is_blank(t[-1]))
                t--;
            out->cmdline = s;
            out->cmdline_len = (size_t)(t - s);
            break;
        }
        for (eq = p; eq < e && *eq != '='; eq++)
            ;
        if (eq == e)
            return fail(err, errlen, p, wlen, "not key=value (the kernel's command line goes after --)");
        klen = (size_t)(eq - p);
        vlen = (size_t)(e - eq - 1);
        for (key = 0; key < NR_KEYS; key++) {
            if (word_is(p, klen, key_names[key]))
                break;
        }
        if (key == NR_KEYS)
            return fail(err, errlen, p, wlen, "unknown option (name, memory, vcpus, copies)");
        if (seen[key])
            return fail(err, errlen, p, wlen, "%s given twice", key_names[key]);
        seen[key] = true;
        switch (key) {
        case KEY_NAME:
            rc = parse_name(p, wlen, eq + 1, vlen, out->name, err, errlen);
            name_word = p;
            break;
        case KEY_MEMORY:
            rc = parse_memory(p, wlen, eq + 1, vlen, &out->memory, err, errlen);
            break;
        case KEY_VCPUS:
            rc = parse_count(p, wlen, eq + 1, vlen, 1, DOMU_MAX_VCPUS, &out->vcpus, err, errlen);
            break;
        case KEY_COPIES:
            rc = parse_count(p, wlen, eq + 1, vlen, 1, DOMU_MAX_COPIES, &out->copies, err, errlen);
            break;
        }
        if (rc)
            return rc;
    }
    /* Several copies are named "<name>-<k>": the longest must fit too. */
    if (name_word && out->copies > 1 &&
        strlen(out->name) + 1 + dec_digits(out->copies) >= DOMU_NAME_MAX) {
        return fail(err, errlen, name_word, (size_t)(word_end(name_word) - name_word),
                    "too long for copies=%u (<name>-%u must fit %u characters)", out->copies,
                    out->copies, DOMU_NAME_MAX - 1);
    }
    return 0;
}

unsigned boot_plan(const char *const *cmdlines, unsigned n, struct boot_plan_entry *out)
{
    if (n < 2)
        return 0;
    for (unsigned i = 1; i < n; i++) {
        struct boot_plan_entry *ent = &out[i - 1];
        const char *s = cmdlines[i] ? cmdlines[i] : "";
        const char *w = skip_blanks(s), *e = word_end(w);
        size_t wlen = (size_t)(e - w);
        struct boot_plan_entry *prev = i >= 2 ? &out[i - 2] : NULL;

        memset(ent, 0, sizeof(*ent));
        ent->module = i;
        ent->initrd = -1;
        ent->spec.cmdline = s + strlen(s);
        if (word_is(w, wlen, "domu")) {
            ent->role = BOOT_MOD_DOMU_KERNEL;
            domu_spec_parse(s, &ent->spec, ent->err, sizeof(ent->err));
        } else if (i == 1) {
            ent->role = BOOT_MOD_DOM0_INITRD;
        } else if (word_is(w, wlen, "initrd") && prev && prev->role == BOOT_MOD_DOMU_KERNEL) {
            ent->role = BOOT_MOD_DOMU_INITRD;
            prev->initrd = (int)i;
        } else {
            ent->role = BOOT_MOD_BAD;
            fmt_snprintf(ent->err, sizeof(ent->err), "not a domU kernel nor a domU's initrd%s",
                         word_is(w, wlen, "initrd") ? " (an initrd must come right after its domu module)" : "");
        }
    }
    return n - 1;
}

char *domu_spec_name(const struct domu_spec *spec, unsigned k, unsigned domid, char *buf, size_t len)
{
    if (!spec->name[0])
        fmt_snprintf(buf, len, "domU%u", domid);
    else if (spec->copies > 1)
        fmt_snprintf(buf, len, "%s-%u", spec->name, k);
    else
        fmt_snprintf(buf, len, "%s", spec->name);
    return buf;
}

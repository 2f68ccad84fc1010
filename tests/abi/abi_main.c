/*
 * tests/abi: compares public/ with libxen-dev and checks that abi_list.h
 * covers every name public/ declares.
 *
 * usage: abi-test HEADER...   (the public/ headers to scan for completeness)
 *
 * Output, one line per test case:
 *   PASS: abi <struct or group>
 *   FAIL: abi <struct>.<field>: offset ours X theirs Y   (one per mismatch)
 *   PASS: abi list completeness / FAIL: abi list <kind> <name>: ...
 * Exit status 0 when everything passed, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_table.h"

void abi_push(struct abi_table *t, struct abi_entry e)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct abi_entry *ne = realloc(t->e, cap * sizeof(*ne));
        if (!ne) {
            printf("FAIL: abi setup: out of memory\n");
            exit(1);
        }
        t->e = ne;
        t->cap = cap;
    }
    t->e[t->n++] = e;
}

const char *abi_kind_name(int kind)
{
    static const char *const names[] = {
        "other", "_Bool", "char", "signed char", "unsigned char", "short",
        "unsigned short", "int", "unsigned int", "long", "unsigned long",
        "long long", "unsigned long long",
    };
    if (kind < 0 || kind >= (int)(sizeof(names) / sizeof(names[0])))
        return "?";
    return names[kind];
}

/* "struct foo" -> "foo"; also tells whether it was a tag. */
static const char *strip_keyword(const char *s, int *is_tag)
{
    static const char *const kw[] = { "struct ", "union ", "enum " };
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(kw[i]);
        if (strncmp(s, kw[i], l) == 0) {
            if (is_tag)
                *is_tag = 1;
            return s + l;
        }
    }
    if (is_tag)
        *is_tag = 0;
    return s;
}

/* Copy s without any whitespace. */
static void squeeze(char *out, size_t size, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < size; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n')
            out[n++] = *s;
    out[n] = '\0';
}

/* ---- comparison ---- */

static int case_failures;
static int total_pass, total_fail;
static char case_name[256];

static void case_fail(const char *fmt_name, const char *detail)
{
    printf("FAIL: abi %s: %s\n", fmt_name, detail);
    case_failures++;
    total_fail++;
}

static void case_end(void)
{
    if (case_name[0] && case_failures == 0) {
        printf("PASS: abi %s\n", case_name);
        total_pass++;
    }
    case_name[0] = '\0';
    case_failures = 0;
}

static void case_begin(const char *name)
{
    case_end();
    snprintf(case_name, sizeof(case_name), "%s", name);
}

static void compare(const struct abi_entry *o, const struct abi_entry *t)
{
    char name[512], detail[1200], a[256], b[256];
    const char *key = strip_keyword(o->key, NULL);

    switch (o->what) {
    case ABI_STRUCT:
    case ABI_GROUP:
        break;
    case ABI_FIELD:
    case ABI_FLEX:
        squeeze(a, sizeof(a), o->member);
        snprintf(name, sizeof(name), "%s.%s", key, a);
        break;
    case ABI_EXPR:
    case ABI_SIZE:
        squeeze(a, sizeof(a), o->member);
        snprintf(name, sizeof(name), "%s [%s]", key, a);
        break;
    default:
        snprintf(name, sizeof(name), "%s", key);
        break;
    }

    switch (o->what) {
    case ABI_GROUP:
        case_begin(o->key);
        break;
    case ABI_STRUCT:
        case_begin(key);
        if (o->a != t->a) {
            snprintf(detail, sizeof(detail), "size ours %llu theirs %llu", o->a, t->a);
            case_fail(key, detail);
        }
        if (o->b != t->b) {
            snprintf(detail, sizeof(detail), "alignment ours %llu theirs %llu", o->b, t->b);
            case_fail(key, detail);
        }
        break;
    case ABI_FIELD:
    case ABI_FLEX:
    case ABI_TYPE:
        if (o->a != t->a) {
            snprintf(detail, sizeof(detail), "%s ours %llu theirs %llu",
                     o->what == ABI_TYPE ? "size" : "offset", o->a, t->a);
            case_fail(name, detail);
        } else if (o->what != ABI_FLEX && o->b != t->b) {
            snprintf(detail, sizeof(detail), "%s ours %llu theirs %llu",
                     o->what == ABI_TYPE ? "alignment" : "size", o->b, t->b);
            case_fail(name, detail);
        } else if (o->kind != t->kind) {
            snprintf(detail, sizeof(detail), "type ours %s theirs %s",
                     abi_kind_name(o->kind), abi_kind_name(t->kind));
            case_fail(name, detail);
        }
        break;
    case ABI_SIZE:
        if (o->a != t->a) {
            snprintf(detail, sizeof(detail), "size ours %llu theirs %llu", o->a, t->a);
            case_fail(name, detail);
        }
        break;
    case ABI_HANDLE:
        if (o->a != t->a || o->b != t->b) {
            snprintf(detail, sizeof(detail),
                     "handle sizes ours %llu/%llu theirs %llu/%llu", o->a, o->b, t->a, t->b);
            case_fail(name, detail);
        }
        break;
    case ABI_CONST:
    case ABI_EXPR:
    case ABI_HSET:
        if (o->a != t->a) {
            snprintf(detail, sizeof(detail), "value ours 0x%llx theirs 0x%llx", o->a, t->a);
            case_fail(name, detail);
        } else if (o->kind != t->kind) {
            snprintf(detail, sizeof(detail), "type ours %s theirs %s",
                     abi_kind_name(o->kind), abi_kind_name(t->kind));
            case_fail(name, detail);
        }
        break;
    case ABI_STR:
        if (strcmp(o->text, t->text) != 0) {
            snprintf(detail, sizeof(detail), "value ours \"%s\" theirs \"%s\"", o->text, t->text);
            case_fail(name, detail);
        }
        break;
    case ABI_TEXT:
        squeeze(a, sizeof(a), o->text);
        squeeze(b, sizeof(b), t->text);
        if (strcmp(a, b) != 0) {
            snprintf(detail, sizeof(detail), "expands ours '%s' theirs '%s'", a, b);
            case_fail(name, detail);
        }
        break;
    }
}

/* ---- completeness ---- */

struct key {
    const char *ns;
    char name[300];
};

static struct key *keys;
static size_t nkeys;
static int missing;

static void add_key(const char *ns, const char *name)
{
    struct key *k = &keys[nkeys++];
    k->ns = ns;
    squeeze(k->name, sizeof(k->name), name);
}

static void build_keys(const struct abi_table *t)
{
    keys = calloc(t->n + 1, sizeof(*keys));
    if (!keys) {
        printf("FAIL: abi setup: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct abi_entry *e = &t->e[i];
        int is_tag;
        const char *k = strip_keyword(e->key, &is_tag);
        char buf[300];
        switch (e->what) {
        case ABI_GROUP:
            break;
        case ABI_STRUCT:
        case ABI_TYPE:
            add_key(is_tag ? "tag" : "typedef", k);
            break;
        case ABI_FIELD:
        case ABI_FLEX:
            snprintf(buf, sizeof(buf), "%s.%s", k, e->member);
            add_key("field", buf);
            break;
        case ABI_HANDLE:
            add_key("handle", k);
            break;
        default:
            add_key("name", k);
            break;
        }
    }
}

static void need(void *ctx, const char *ns, const char *name, const char *path, int line)
{
    (void)ctx;
    for (size_t i = 0; i < nkeys; i++)
        if (strcmp(keys[i].ns, ns) == 0 && strcmp(keys[i].name, name) == 0)
            return;
    printf("FAIL: abi list %s %s: declared at %s:%d but not checked in tests/abi/abi_list.h\n",
           ns, name, path, line);
    missing++;
}

int main(int argc, char **argv)
{
    struct abi_table ours = { 0 }, theirs = { 0 };
    abi_fill_ours(&ours);
    abi_fill_theirs(&theirs);
    abi_fill_ctl_ours(&ours);
    abi_fill_ctl_theirs(&theirs);

    if (ours.n != theirs.n) {
        printf("FAIL: abi setup: tables differ in length (%zu vs %zu)\n", ours.n, theirs.n);
        return 1;
    }
    for (size_t i = 0; i < ours.n; i++)
        compare(&ours.e[i], &theirs.e[i]);
    case_end();

    if (argc < 2) {
        printf("FAIL: abi list completeness: no public headers given\n");
        total_fail++;
    } else {
        int scan_errors = 0;
        build_keys(&ours);
        for (int i = 1; i < argc; i++)
            scan_errors += abi_scan_file(argv[i], need, NULL);
        total_fail += missing + scan_errors;
        if (missing == 0 && scan_errors == 0) {
            printf("PASS: abi list completeness\n");
            total_pass++;
        }
    }

    fflush(stdout);
    fprintf(stderr, "abi: %zu checks, %d cases passed, %d failures\n",
            ours.n, total_pass, total_fail);
    free(ours.e);
    free(theirs.e);
    free(keys);
    return total_fail ? 1 : 0;
}

/*
 * tests/abi: completeness scanner.  Reads a public/ header and reports every
 * name it declares, so that abi_main.c can insist that abi_list.h checks it:
 *   "name"    every #define (include guards excepted) and enum constant
 *   "tag"     every struct/union/enum tag
 *   "typedef" every typedef name
 *   "handle"  every DEFINE_XEN_GUEST_HANDLE(x) / __DEFINE_XEN_GUEST_HANDLE(x, t)
 *   "field"   every member of a struct/union, as "owner.path" where owner is
 *             the tag (or the typedef name of an untagged typedef) and path
 *             goes through untagged nested aggregates
 * It understands the plain style public/ is written in; anything else at
 * file scope is reported as unparsed, so new constructs cannot slip by.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_table.h"

#define MAX_DEPTH   8
#define MAX_MEMBERS 512
#define NAME_LEN    256

struct agg {
    int is_enum, is_typedef;
    int line;               /* where it opened */
    char tag[NAME_LEN];
    int nmem;
    char mem[MAX_MEMBERS][NAME_LEN];   /* member paths relative to this aggregate */
    int mem_line[MAX_MEMBERS];
};

struct scanner {
    const char *path;
    abi_need_fn need;
    void *ctx;
    int errors;
    int depth;
    struct agg stack[MAX_DEPTH];
    int closing;            /* an aggregate was just closed, its declarators follow */
    struct agg closed;
};

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* Blank out comments (keeping newlines) without touching string literals. */
static void strip_comments(char *s)
{
    for (char *p = s; *p; p++) {
        if (*p == '"' || *p == '\'') {
            char q = *p;
            for (p++; *p && *p != q; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return;
        } else if (p[0] == '/' && p[1] == '*') {
            for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
                if (*p != '\n')
                    *p = ' ';
            if (!*p)
                return;
            p[0] = p[1] = ' ';
            p++;
        } else if (p[0] == '/' && p[1] == '/') {
            for (; *p && *p != '\n'; p++)
                *p = ' ';
            if (!*p)
                return;
        }
    }
}

static void fail(struct scanner *sc, int line, const char *what, const char *text)
{
    printf("FAIL: abi scan %s:%d: %s: '%.60s'\n", sc->path, line, what, text);
    sc->errors++;
}

static int is_ident(int c)
{
    return isalnum(c) || c == '_';
}

/* Copy the identifier starting at s into out; return a pointer past it. */
static const char *take_ident(const char *s, char *out)
{
    size_t n = 0;
    while (is_ident((unsigned char)*s) && n + 1 < NAME_LEN)
        out[n++] = *s++;
    out[n] = '\0';
    return s;
}

static const char *skip_ws(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Last identifier of a declarator, ignoring [...] and (...) groups. */
static int declarator_name(const char *s, size_t len, char *out)
{
    char last[NAME_LEN] = "";
    int depth = 0;
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '[' || c == '(') {
            depth++;
            i++;
        } else if (c == ']' || c == ')') {
            depth--;
            i++;
        } else if (depth == 0 && is_ident((unsigned char)c) &&
                   !isdigit((unsigned char)c)) {
            const char *e = take_ident(s + i, last);
            i = (size_t)(e - s);
        } else {
            i++;
        }
    }
    strcpy(out, last);
    return last[0] != '\0';
}

/* Split text at depth-0 commas and report each declarator's name. */
static int split_declarators(const char *s, char names[][NAME_LEN], int max)
{
    int n = 0, depth = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == '(' || *p == '[')
            depth++;
        else if (*p == ')' || *p == ']')
            depth--;
        if ((*p == ',' && depth == 0) || *p == '\0') {
            if (n < max && declarator_name(start, (size_t)(p - start), names[n]))
                n++;
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    return n;
}

static void add_member(struct scanner *sc, int line, const char *path)
{
    struct agg *a = &sc->stack[sc->depth - 1];
    if (a->nmem >= MAX_MEMBERS) {
        fail(sc, line, "too many members", path);
        return;
    }
    a->mem_line[a->nmem] = line;
    snprintf(a->mem[a->nmem++], NAME_LEN, "%s", path);
}

static void report_fields(struct scanner *sc, const char *owner, const struct agg *a)
{
    char buf[2 * NAME_LEN + 2];
    for (int i = 0; i < a->nmem; i++) {
        snprintf(buf, sizeof(buf), "%s.%s", owner, a->mem[i]);
        sc->need(sc->ctx, "field", buf, sc->path, a->mem_line[i]);
    }
}

/* The declarators after a closing brace: "} a, b;" or "};" or "} name_t;". */
static void finish_aggregate(struct scanner *sc, int line, const char *text)
{
    struct agg *a = &sc->closed;
    char names[16][NAME_LEN];
    int n = split_declarators(text, names, 16);
    sc->closing = 0;

    if (a->tag[0])
        sc->need(sc->ctx, "tag", a->tag, sc->path, a->line);
    if (a->is_typedef) {
        for (int i = 0; i < n; i++)
            sc->need(sc->ctx, "typedef", names[i], sc->path, line);
        if (n == 0)
            fail(sc, line, "typedef without a name", a->tag);
    }
    if (a->is_enum)
        return;
    if (a->tag[0])
        report_fields(sc, a->tag, a);
    else if (a->is_typedef && n > 0)
        report_fields(sc, names[0], a);

    if (sc->depth == 0) {
        if (!a->is_typedef && n > 0)
            fail(sc, line, "object definition at file scope", text);
        if (!a->is_typedef && !a->tag[0])
            fail(sc, line, "untagged aggregate at file scope", text);
        return;
    }
    if (a->is_typedef) {
        fail(sc, line, "typedef inside an aggregate", text);
        return;
    }
    if (n == 0) {
        /* anonymous member: its members belong to the parent directly */
        for (int i = 0; i < a->nmem; i++)
            add_member(sc, a->mem_line[i], a->mem[i]);
        return;
    }
    char buf[2 * NAME_LEN + 2];
    for (int d = 0; d < n; d++) {
        for (int i = 0; i < a->nmem; i++) {
            snprintf(buf, sizeof(buf), "%s.%s", names[d], a->mem[i]);
            add_member(sc, a->mem_line[i], buf);
        }
    }
}

/* One chunk of code ending in '{', ';' or '}' (end is that character). */
static void code_chunk(struct scanner *sc, int line, char *text, char end)
{
    const char *s = skip_ws(text);
    char word[NAME_LEN];

    if (sc->closing) {
        if (end != ';') {
            fail(sc, line, "expected ';' after '}'", s);
            sc->closing = 0;
            return;
        }
        finish_aggregate(sc, line, s);
        return;
    }

    if (end == '{') {
        struct agg a;
        memset(&a, 0, sizeof(a));
        const char *p = take_ident(s, word);
        if (strcmp(word, "typedef") == 0) {
            a.is_typedef = 1;
            p = take_ident(skip_ws(p), word);
        }
        if (strcmp(word, "struct") && strcmp(word, "union") && strcmp(word, "enum")) {
            fail(sc, line, "unexpected '{'", s);
            return;
        }
        a.is_enum = strcmp(word, "enum") == 0;
        a.line = line;
        p = take_ident(skip_ws(p), a.tag);
        if (*skip_ws(p) != '\0') {
            fail(sc, line, "unexpected text before '{'", s);
            return;
        }
        if (sc->depth >= MAX_DEPTH) {
            fail(sc, line, "nesting too deep", s);
            return;
        }
        if (sc->depth > 0 && sc->stack[sc->depth - 1].is_enum) {
            fail(sc, line, "'{' inside an enum", s);
            return;
        }
        sc->stack[sc->depth++] = a;
        return;
    }

    if (end == '}') {
        if (sc->depth == 0) {
            fail(sc, line, "unbalanced '}'", s);
            return;
        }
        struct agg *a = &sc->stack[sc->depth - 1];
        if (a->is_enum) {
            /* the whole enumerator list arrives in this chunk */
            char *e = text;
            for (char *tok = strtok(e, ","); tok; tok = strtok(NULL, ",")) {
                const char *q = skip_ws(tok);
                if (!*q)
                    continue;
                take_ident(q, word);
                if (!word[0])
                    fail(sc, line, "bad enumerator", q);
                else
                    sc->need(sc->ctx, "name", word, sc->path, line);
            }
        } else if (*s) {
            fail(sc, line, "text before '}'", s);
        }
        sc->closed = *a;
        sc->depth--;
        sc->closing = 1;
        return;
    }

    /* end == ';' */
    if (!*s)
        return;
    if (sc->depth > 0) {
        char names[16][NAME_LEN];
        if (sc->stack[sc->depth - 1].is_enum) {
            fail(sc, line, "';' inside an enum", s);
            return;
        }
        int n = split_declarators(s, names, 16);
        if (n == 0)
            fail(sc, line, "member without a name", s);
        for (int i = 0; i < n; i++)
            add_member(sc, line, names[i]);
        return;
    }
    const char *p = take_ident(s, word);
    if (strcmp(word, "typedef") == 0) {
        char names[16][NAME_LEN];
        int n = split_declarators(p, names, 16);
        if (n == 0)
            fail(sc, line, "typedef without a name", s);
        for (int i = 0; i < n; i++)
            sc->need(sc->ctx, "typedef", names[i], sc->path, line);
        return;
    }
    if (strcmp(word, "DEFINE_XEN_GUEST_HANDLE") == 0 ||
        strcmp(word, "__DEFINE_XEN_GUEST_HANDLE") == 0) {
        p = skip_ws(p);
        if (*p == '(') {
            take_ident(skip_ws(p + 1), word);
            if (word[0]) {
                sc->need(sc->ctx, "handle", word, sc->path, line);
                return;
            }
        }
    }
    fail(sc, line, "unparsed declaration at file scope", s);
}

/* A logical preprocessor line (continuations joined). */
static void pp_line(struct scanner *sc, int line, const char *s, char *last_ifndef)
{
    char word[NAME_LEN], name[NAME_LEN];
    const char *p = skip_ws(s + 1);
    p = take_ident(p, word);
    if (strcmp(word, "ifndef") == 0) {
        take_ident(skip_ws(p), last_ifndef);
        return;
    }
    if (strcmp(word, "define") == 0) {
        p = take_ident(skip_ws(p), name);
        int empty = *skip_ws(p) == '\0';
        if (empty && strcmp(name, last_ifndef) == 0)
            ; /* include guard */
        else
            sc->need(sc->ctx, "name", name, sc->path, line);
    }
    last_ifndef[0] = '\0';
}

int abi_scan_file(const char *path, abi_need_fn need, void *ctx)
{
    struct scanner *sc = calloc(1, sizeof(*sc));
    char *src = read_file(path);
    if (!sc || !src) {
        printf("FAIL: abi scan %s: cannot read\n", path);
        free(sc);
        free(src);
        return 1;
    }
    sc->path = path;
    sc->need = need;
    sc->ctx = ctx;
    strip_comments(src);

    size_t len = strlen(src);
    char *code = malloc(len + 2);      /* chunk being collected */
    char *pp = malloc(len + 2);        /* preprocessor line being collected */
    char last_ifndef[NAME_LEN] = "";
    size_t cn = 0;
    int line = 1, chunk_line = 0;

    for (char *p = src; *p;) {
        /* p is at the start of a physical line */
        char *eol = strchr(p, '\n');
        char *first = p;
        while (first < (eol ? eol : p + strlen(p)) && isspace((unsigned char)*first))
            first++;
        if (*first == '#') {
            /* join continuation lines */
            size_t pn = 0;
            int start = line;
            for (;;) {
                char *e = strchr(p, '\n');
                size_t l = e ? (size_t)(e - p) : strlen(p);
                int cont = l > 0 && p[l - 1] == '\\';
                memcpy(pp + pn, p, cont ? l - 1 : l);
                pn += cont ? l - 1 : l;
                pp[pn++] = ' ';
                p = e ? e + 1 : p + l;
                line++;
                if (!cont || !e)
                    break;
            }
            pp[pn] = '\0';
            pp_line(sc, start, skip_ws(pp), last_ifndef);
            continue;
        }
        /* ordinary code line: feed characters into chunks */
        size_t l = eol ? (size_t)(eol - p) : strlen(p);
        for (size_t i = 0; i < l; i++) {
            char c = p[i];
            if (!chunk_line && !isspace((unsigned char)c))
                chunk_line = line;
            if (c == '{' || c == '}' || c == ';') {
                code[cn] = '\0';
                code_chunk(sc, chunk_line ? chunk_line : line, code, c);
                cn = 0;
                chunk_line = 0;
            } else {
                code[cn++] = c;
            }
        }
        code[cn++] = ' ';
        p = eol ? eol + 1 : p + l;
        line++;
    }
    code[cn] = '\0';
    if (*skip_ws(code))
        fail(sc, line, "trailing text", code);
    if (sc->depth || sc->closing)
        fail(sc, line, "unterminated aggregate", "");

    int errors = sc->errors;
    free(code);
    free(pp);
    free(src);
    free(sc);
    return errors;
}

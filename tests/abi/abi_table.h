/*
 * tests/abi: one table entry per check of abi_list.h.  The same list is
 * compiled against public/ (abi_ours.c) and against libxen-dev
 * (abi_theirs.c); abi_main.c compares the two tables entry by entry.
 */
#ifndef ABI_TABLE_H
#define ABI_TABLE_H

#include <stddef.h>

enum abi_what {
    ABI_STRUCT,     /* opens a test case: a struct/union/typedef; a=size b=align */
    ABI_GROUP,      /* opens a test case: a group of constants */
    ABI_FIELD,      /* a=offset b=size kind=type class */
    ABI_FLEX,       /* flexible array member: a=offset */
    ABI_TYPE,       /* a=size b=align kind=type class */
    ABI_SIZE,       /* size of a type built with a macro: a=size */
    ABI_HANDLE,     /* guest handle: a=size of handle b=size of const handle */
    ABI_CONST,      /* a=value kind=type class */
    ABI_EXPR,       /* value of an expression using a function-like macro */
    ABI_STR,        /* string-literal macro: text=value */
    ABI_TEXT,       /* macro compared by its expansion text: text */
    ABI_HSET        /* set_xen_guest_handle*: a=bits stored in the handle */
};

struct abi_entry {
    enum abi_what what;
    const char *key;      /* type or macro name as written in the list */
    const char *member;   /* FIELD/FLEX member path, EXPR/SIZE expression */
    unsigned long long a, b;
    int kind;
    const char *text;
    int line;             /* line in abi_list.h */
};

struct abi_table {
    struct abi_entry *e;
    size_t n, cap;
};

void abi_push(struct abi_table *t, struct abi_entry e);
void abi_fill_ours(struct abi_table *t);
void abi_fill_theirs(struct abi_table *t);
/* The toolstack-only headers (abi_list_ctl.h), appended to the same tables. */
void abi_fill_ctl_ours(struct abi_table *t);
void abi_fill_ctl_theirs(struct abi_table *t);
const char *abi_kind_name(int kind);

/* Completeness scanner (abi_scan.c): reports every name a header declares. */
typedef void (*abi_need_fn)(void *ctx, const char *ns, const char *name,
                            const char *path, int line);
/* Returns the number of constructs it could not parse (each printed as FAIL). */
int abi_scan_file(const char *path, abi_need_fn need, void *ctx);

#endif /* ABI_TABLE_H */

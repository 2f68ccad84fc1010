/* The hypervisor's own command line, in Xen's syntax.
 *
 * Options are separated by spaces. Each is `name=value` or a bare `name`;
 * `no-name` negates a boolean (and hands "no" to a custom handler).
 * Booleans take 0/1, no/yes, off/on, false/true, disable/enable.
 * Problems never stop the parse: each one is passed to the report callback
 * as one line and counted. A bare `--` ends the hypervisor's options (what
 * follows is meant for dom0; see cmdline_dom0_extra()). */
#ifndef HV_BOOT_CMDLINE_H
#define HV_BOOT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cmdline_kind { CMDLINE_BOOL, CMDLINE_UINT, CMDLINE_SIZE, CMDLINE_STRING, CMDLINE_CUSTOM };

struct cmdline_param {
    const char *name;
    enum cmdline_kind kind;
    void *var;          /* BOOL: bool *; UINT/SIZE: unsigned integer of var_size bytes;
                         * STRING: char buffer of var_size bytes; CUSTOM: passed to custom */
    size_t var_size;    /* buffer size for STRING, sizeof(*var) (1, 2, 4 or 8) for UINT/SIZE */
    int (*custom)(const char *val, void *var);   /* CUSTOM: 0 ok, -1 bad value */
};

/* Called with one-line messages such as "unknown option 'foo' ignored". */
typedef void (*cmdline_report_fn)(const char *msg);

/* Longest `name=value` token handled; longer ones are reported and skipped. */
#define CMDLINE_TOKEN_MAX 512

/* Returns the number of problems reported. */
int cmdline_parse(const char *cmdline, const struct cmdline_param *params, size_t nr,
                  cmdline_report_fn report);

/* "512M", "2G", "4096K", "1T", "123" (no suffix = KiB, as in Xen),
 * "4096B" for bytes; suffixes in either case. Hex works too ("0x10M"), but
 * a hex number swallows a B suffix as a digit, as in Xen. 0 ok, -1 no number or
 * overflow. *end (if end is not NULL) is set to the first unused char. */
int cmdline_parse_size(const char *s, uint64_t *out, const char **end);
/* Decimal, or hex with a 0x prefix. 0 ok, -1 no digits or overflow. */
int cmdline_parse_uint(const char *s, uint64_t *out, const char **end);
/* 1 for a true word, 0 for a false word, -1 for anything else. */
int cmdline_parse_bool(const char *s);
/* What follows a " -- " separator (for dom0), or NULL if there is none. */
const char *cmdline_dom0_extra(const char *cmdline);

#endif

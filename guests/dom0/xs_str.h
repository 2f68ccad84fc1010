/* Small string and number helpers for the XenStore core: the same code runs
 * freestanding in dom0 and on the host in tests, so it uses no C library. */
#ifndef DOM0_XS_STR_H
#define DOM0_XS_STR_H

#include <stddef.h>
#include <stdint.h>

size_t xs_strlen(const char *s);
int xs_streq(const char *a, const char *b);
int xs_memeq(const void *a, const void *b, size_t n);
void xs_memcpy(void *d, const void *s, size_t n);
void xs_memmove(void *d, const void *s, size_t n);
/* A NUL-terminated copy of n bytes from xs_malloc, or NULL. */
char *xs_strndup(const char *s, size_t n);
/* Decimal digits of v into buf (at least 21 bytes), NUL-terminated; returns
 * the length. */
size_t xs_utoa(uint64_t v, char *buf);
/* Like atoi() on the leading decimal digits (no sign, wraps at 32 bits):
 * what xenstored does with numeric arguments. */
uint32_t xs_atou(const char *s);
/* Strict: only digits, at least one, value <= max. Returns 0 or -1. */
int xs_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Wire payloads: NUL-terminated strings one after the other. */
/* Number of NUL bytes in the payload (xenstored's count of strings). */
unsigned xs_count_strings(const char *p, size_t len);
/* Points vec[0..n-1] at the first n whole (NUL-terminated) strings; returns
 * how many were found (at most n). */
unsigned xs_get_strings(const char *p, size_t len, const char **vec, unsigned n);
/* The single argument of a payload that must be exactly one string ending
 * at the payload's end, or NULL. */
const char *xs_onearg(const char *p, size_t len);

#endif

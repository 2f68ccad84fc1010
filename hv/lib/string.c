/* Freestanding implementations of the functions declared in lib/string.h.
 * Only the hypervisor links this file; host tests use the C library. */
#include "lib/string.h"

#include <stdint.h>

/* Keep the compiler from recognising these loops as memset/memcpy and
 * turning them back into calls to themselves. */
#if defined(__GNUC__) && !defined(__clang__)
#define STR_NO_PATTERNS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define STR_NO_PATTERNS
#endif

/* Word-sized accesses through a type that may alias anything. */
typedef uint64_t __attribute__((may_alias)) str_word_t;

STR_NO_PATTERNS void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;

    /* Eight bytes at a time when both sides can be aligned together: page
     * copies and clears dominate the domain builder's time. */
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) {
            *d++ = *s++;
            n--;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(str_word_t *)d = *(const str_word_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dest;
}

STR_NO_PATTERNS void *memmove(void *dest, const void *src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;

    if ((uintptr_t)d - (uintptr_t)s >= n) {
        /* No harmful overlap when copying upwards; whole words when both
         * sides align together (each word is read before it is written, and
         * a write never reaches bytes still to be read, since d <= s or the
         * areas are apart). Grant copies of whole pages come this way. */
        if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
            while (n && ((uintptr_t)d & 7)) {
                *d++ = *s++;
                n--;
            }
            for (; n >= 8; n -= 8, d += 8, s += 8) {
                str_word_t w = *(const str_word_t *)s;
                *(str_word_t *)d = w;
            }
        }
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dest;
}

STR_NO_PATTERNS void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;
    uint64_t word = 0x0101010101010101ull * (unsigned char)c;

    while (n && ((uintptr_t)p & 7)) {
        *p++ = (unsigned char)c;
        n--;
    }
    for (; n >= 8; n -= 8, p += 8)
        *(str_word_t *)p = word;
    while (n--)
        *p++ = (unsigned char)c;
    return s;
}

int memcmp(const void *s1, const void *s2, size_t n)
{
    const unsigned char *a = s1, *b = s2;

    for (; n; n--, a++, b++) {
        if (*a != *b)
            return *a < *b ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t maxlen)
{
    size_t n = 0;

    while (n < maxlen && s[n])
        n++;
    return n;
}

int strcmp(const char *s1, const char *s2)
{
    const unsigned char *a = (const unsigned char *)s1;
    const unsigned char *b = (const unsigned char *)s2;

    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (*a > *b) - (*a < *b);
}

int strncmp(const char *s1, const char *s2, size_t n)
{
    const unsigned char *a = (const unsigned char *)s1;
    const unsigned char *b = (const unsigned char *)s2;

    for (; n; n--, a++, b++) {
        if (*a != *b)
            return *a < *b ? -1 : 1;
        if (!*a)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

/* Freestanding implementations of the functions declared in lib/string.h.
 * Only the hypervisor links this file; host tests use the C library. */
#include "lib/string.h"

#include <stdint.h>
#include "arch/x86_64/string_arch.h"

/* Keep the compiler from recognising these loops as memset/memcpy and
 * turning them back into calls to themselves. */
#if defined(__GNUC__) && !defined(__clang__)
#define STR_NO_PATTERNS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define STR_NO_PATTERNS
#endif

/* Word-sized accesses through a type that may alias anything. */
typedef uint64_t __attribute__((may_alias)) str_word_t;

/* Copy upwards: whole words when both sides align together (page copies and
 * clears dominate the domain builder's time, and grant copies are whole
 * pages); right whenever the destination is not inside the source above its
 * start (memcpy's disjoint areas, memmove's upward case). */
static STR_NO_PATTERNS void copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) {
            *d++ = *s++;
            n--;
        }
        arch_copy_words_up(d, s, n / 8);
        d += n & ~(size_t)7;
        s += n & ~(size_t)7;
        n &= 7;
    }
    while (n--)
        *d++ = *s++;
}

STR_NO_PATTERNS void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
    copy_up(dest, src, n);
    return dest;
}

STR_NO_PATTERNS void *memmove(void *dest, const void *src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;

    if ((uintptr_t)d - (uintptr_t)s >= n) {
        copy_up(d, s, n);               /* no harmful overlap when copying upwards */
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
    arch_fill_words(p, word, n / 8);
    p += n & ~(size_t)7;
    n &= 7;
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

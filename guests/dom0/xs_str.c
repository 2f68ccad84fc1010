/* Small string and number helpers for the XenStore core (see xs_str.h). */
#include "xs_str.h"
#include "xs.h"

size_t xs_strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

int xs_streq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int xs_memeq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return 0;
    }
    return 1;
}

void xs_memcpy(void *d, const void *s, size_t n)
{
    unsigned char *x = d;
    const unsigned char *y = s;

    for (size_t i = 0; i < n; i++)
        x[i] = y[i];
}

void xs_memmove(void *d, const void *s, size_t n)
{
    unsigned char *x = d;
    const unsigned char *y = s;

    if (x < y) {
        for (size_t i = 0; i < n; i++)
            x[i] = y[i];
    } else {
        while (n--)
            x[n] = y[n];
    }
}

char *xs_strndup(const char *s, size_t n)
{
    char *d = xs_malloc(n + 1);

    if (!d)
        return NULL;
    xs_memcpy(d, s, n);
    d[n] = 0;
    return d;
}

size_t xs_utoa(uint64_t v, char *buf)
{
    char tmp[21];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

uint32_t xs_atou(const char *s)
{
    uint32_t v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10u + (uint32_t)(*s++ - '0');
    return v;
}

int xs_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (max - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

unsigned xs_count_strings(const char *p, size_t len)
{
    unsigned n = 0;

    for (size_t i = 0; i < len; i++)
        n += p[i] == 0;
    return n;
}

unsigned xs_get_strings(const char *p, size_t len, const char **vec, unsigned n)
{
    unsigned found = 0;
    size_t start = 0;

    for (size_t i = 0; i < len && found < n; i++) {
        if (p[i] == 0) {
            vec[found++] = p + start;
            start = i + 1;
        }
    }
    return found;
}

const char *xs_onearg(const char *p, size_t len)
{
    if (!len || p[len - 1] != 0 || xs_strlen(p) != len - 1)
        return NULL;
    return p;
}

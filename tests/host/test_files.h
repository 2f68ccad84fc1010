/* Whole-file reads and writes for host tests that run the host's tools
 * (xz, gzip) on files in a temp dir. */
#ifndef TESTS_HOST_TEST_FILES_H
#define TESTS_HOST_TEST_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct test_buf {
    uint8_t *p;          /* malloc'ed; NULL when the file could not be read */
    size_t n;
};

static inline struct test_buf test_read_file(const char *path)
{
    struct test_buf b = { NULL, 0 };
    FILE *f = fopen(path, "rb");
    long n;

    if (!f)
        return b;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b.p = malloc(n > 0 ? (size_t)n : 1);
    b.n = fread(b.p, 1, n > 0 ? (size_t)n : 0, f);
    fclose(f);
    return b;
}

/* 1 when all n bytes were written and the file closed cleanly. */
static inline int test_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (!f)
        return 0;
    ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

#endif

/* The .xz decompressor (hv/lib/xz_dec.c, lzma2_dec.c, bcj_x86.c) and the
 * CRCs, against files made by the host's xz (xz-utils) in a temp dir. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test_files.h"
#include "lib/crc32.h"
#include "lib/crc64.h"
#include "lib/xz.h"

static char tmpdir[64];

/* Compresses data with `xz <opts>`; .p is NULL if xz failed. */
static struct test_buf xz_compress(const void *data, size_t n, const char *opts)
{
    char in[128], cmd[512];
    struct test_buf none = { NULL, 0 };

    snprintf(in, sizeof(in), "%s/in", tmpdir);
    if (!test_write_file(in, data, n))
        return none;
    snprintf(cmd, sizeof(cmd), "xz -c -T1 %s %s > %s/in.xz", opts, in, tmpdir);
    if (system(cmd) != 0)
        return none;
    snprintf(cmd, sizeof(cmd), "%s/in.xz", tmpdir);
    return test_read_file(cmd);
}

/* Compresses with opts, decodes with an exact-size buffer (in a bigger
 * allocation whose tail must stay untouched), and with one byte less. */
static void round_trip(const void *data, size_t n, const char *opts)
{
    struct test_buf x = xz_compress(data, n, opts);
    uint8_t *out = malloc(n + 64);
    size_t got = 12345;

    CHECK(x.p != NULL);
    if (!x.p) {
        free(out);
        return;
    }
    memset(out, 0xA5, n + 64);
    CHECK_EQ(xz_decode(x.p, x.n, out, n, &got), 0);
    CHECK_EQ(got, n);
    CHECK(memcmp(out, data, n) == 0);
    for (size_t i = n; i < n + 64; i++)
        CHECK_EQ(out[i], 0xA5);
    if (n > 0) {
        CHECK_EQ(xz_decode(x.p, x.n, out, n - 1, &got), XZ_E_NOSPACE);
        CHECK_EQ(got, 0);
    }
    free(out);
    free(x.p);
}

static uint8_t *random_bytes(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    uint32_t s = seed * 2654435761u + 1;

    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (uint8_t)(s >> 16);
    }
    return p;
}

static const char text[] =
    "Xenolith is a small type-1 microhypervisor for x86_64 that implements the Xen PV ABI.\n"
    "It builds domains from ELF kernels, and soon from bzImages whose payload is xz.\n"
    "The quick brown fox jumps over the lazy dog. The quick brown fox jumps again.\n";

static void test_crc_known_values(void)
{
    CHECK_EQ(crc32_update(0, "123456789", 9), 0xCBF43926u);
    CHECK_EQ(crc64_update(0, "123456789", 9), 0x995DC9BBDF1939FAull);
    CHECK_EQ(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xCBF43926u);
    CHECK_EQ(crc64_update(crc64_update(0, "12345", 5), "6789", 4), 0x995DC9BBDF1939FAull);
    CHECK_EQ(crc32_update(0, "", 0), 0);
    CHECK_EQ(crc64_update(0, "", 0), 0);
}

/* The eight-bytes-at-a-time path (inputs of 64 bytes and more) against the
 * bitwise definition, for every length and alignment around its edges and
 * for inputs split anywhere. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ ((c & 1u) ? 0xEDB88320u : 0u);
    }
    return ~c;
}

static void test_crc32_slices(void)
{
    static uint8_t buf[1200];
    uint32_t x = 12345;

    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n < 200; n++)
            CHECK_EQ(crc32_update(0, buf + off, n), crc32_bitwise(buf + off, n));
    CHECK_EQ(crc32_update(0, buf, sizeof(buf)), crc32_bitwise(buf, sizeof(buf)));
    for (size_t cut = 0; cut <= sizeof(buf); cut += 37)
        CHECK_EQ(crc32_update(crc32_update(0, buf, cut), buf + cut, sizeof(buf) - cut),
                 crc32_bitwise(buf, sizeof(buf)));
}

static void test_empty_and_one_byte(void)
{
    round_trip("", 0, "");
    round_trip("x", 1, "");
    round_trip("x", 1, "--check=none");
}

static void test_text_checks(void)
{
    round_trip(text, sizeof(text) - 1, "--check=none");
    round_trip(text, sizeof(text) - 1, "--check=crc32");
    round_trip(text, sizeof(text) - 1, "--check=crc64");
}

/* Incompressible data: LZMA2 stores it in uncompressed chunks. */
static void test_random_data(void)
{
    uint8_t *r = random_bytes(300000, 1);

    round_trip(r, 300000, "-6");
    round_trip(r, 70000, "-0 --check=crc32");
    free(r);
}

/* Mixed: random runs repeated at varied distances (long matches, reps). */
static uint8_t *repetitive(size_t n)
{
    uint8_t *p = random_bytes(n, 7);
    uint32_t s = 99;

    for (size_t i = 4096; i < n;) {
        size_t len, dist;

        s = s * 1103515245u + 12345u;
        len = 2 + (s >> 8) % 600;
        dist = 1 + (s >> 20) % 4000;
        if (s & 0x80000000u)
            dist = 1 + (s >> 12) % (i < 3000000 ? i : 3000000);
        for (size_t k = 0; k < len && i < n; k++, i++)
            p[i] = p[i - dist];
        s = s * 1103515245u + 12345u;
        if (i < n && (s & 3) == 0)
            p[i++] = (uint8_t)s;
    }
    return p;
}

static void test_presets(void)
{
    size_t n = 3u << 20;
    uint8_t *p = repetitive(n);

    round_trip(p, n, "-0");
    round_trip(p, n, "-6");
    round_trip(p, n, "-9e");
    /* Dictionary smaller than the data: distances stay within 4 KiB. */
    round_trip(p, n, "--lzma2=dict=4KiB");
    /* Other literal/position contexts. */
    round_trip(p, n, "--lzma2=preset=6,lc=0,lp=4,pb=4");
    round_trip(p, n, "--lzma2=preset=6,lc=4,lp=0,pb=0");
    round_trip(p, n, "--lzma2=preset=1,lc=1,lp=2,pb=1");
    free(p);
}

static void test_long_runs(void)
{
    size_t n = 5u << 20;
    uint8_t *p = malloc(n);

    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i / 1000) % 7);
    round_trip(p, n, "-6");
    memset(p, 0, n);
    round_trip(p, n, "-9");
    free(p);
}

static void test_multi_block(void)
{
    size_t n = 1u << 20;
    uint8_t *p = repetitive(n);

    round_trip(p, n, "--block-size=100000");
    round_trip(p, n, "--block-size=4096 --check=crc32");
    round_trip(p, n, "--block-size=65536 --x86 --lzma2=preset=6");
    free(p);
}

static struct test_buf x86_sample(void)
{
    struct test_buf b = test_read_file("build/xenolith");

    if (!b.p)
        b = test_read_file("/bin/ls");
    return b;
}

static void test_bcj_x86(void)
{
    struct test_buf e = x86_sample();
    struct test_buf ls = test_read_file("/bin/ls");

    CHECK(e.p != NULL && e.n > 10000);
    CHECK(ls.p != NULL && ls.n > 10000);
    if (!e.p || !ls.p)
        return;
    round_trip(e.p, e.n, "--x86 --lzma2=preset=6");
    round_trip(e.p, e.n, "--x86=start=4096 --lzma2=preset=6 --check=crc32");
    round_trip(ls.p, ls.n, "--x86 --lzma2=preset=9e");
    round_trip(ls.p, ls.n, "--x86 --lzma2=preset=0 --block-size=20000");
    free(e.p);
    free(ls.p);
}

/* Data dense in E8/E9 and 00/FF bytes: every path of the filter's
 * history mask, at several start offsets. */
static void test_bcj_x86_dense(void)
{
    size_t n = 200000;
    uint8_t *p = random_bytes(n, 3);
    static const uint8_t pick[8] = { 0xE8, 0xE9, 0x00, 0xFF, 0x01, 0xFE, 0xE8, 0x00 };

    for (size_t i = 0; i < n; i++) {
        if (p[i] & 0x80)
            p[i] = pick[p[i] & 7];
    }
    round_trip(p, n, "--x86 --lzma2=preset=1");
    round_trip(p, n, "--x86=start=123 --lzma2=preset=1");
    round_trip(p, n, "--x86=start=4294967000 --lzma2=preset=1 --block-size=7777");
    free(p);
}

/* Two streams back to back, with and without stream padding. */
static void test_concatenated(void)
{
    struct test_buf a = xz_compress(text, 40, "--check=crc32");
    struct test_buf b = xz_compress(text + 40, sizeof(text) - 41, "");
    uint8_t cat[4096], out[sizeof(text)];
    size_t n, got;

    CHECK(a.p && b.p && a.n + b.n + 8 < sizeof(cat));
    if (!a.p || !b.p)
        return;
    memcpy(cat, a.p, a.n);
    memcpy(cat + a.n, b.p, b.n);
    n = a.n + b.n;
    CHECK_EQ(xz_decode(cat, n, out, sizeof(out), &got), 0);
    CHECK_EQ(got, sizeof(text) - 1);
    CHECK(memcmp(out, text, got) == 0);
    /* Padding between and after. */
    memmove(cat + a.n + 4, cat + a.n, b.n);
    memset(cat + a.n, 0, 4);
    memset(cat + n + 4, 0, 8);
    CHECK_EQ(xz_decode(cat, n + 12, out, sizeof(out), &got), 0);
    CHECK_EQ(got, sizeof(text) - 1);
    CHECK(memcmp(out, text, got) == 0);
    /* Padding not a multiple of four. */
    CHECK(xz_decode(cat, n + 11, out, sizeof(out), &got) < 0);
    CHECK_EQ(got, 0);
    free(a.p);
    free(b.p);
}

static void test_unsupported(void)
{
    struct test_buf s = xz_compress(text, sizeof(text) - 1, "--check=sha256");
    struct test_buf d = xz_compress(text, sizeof(text) - 1, "--delta=dist=2 --lzma2");
    struct test_buf a = xz_compress(text, sizeof(text) - 1, "--arm --lzma2");
    uint8_t out[sizeof(text)];
    size_t got;

    CHECK(s.p && d.p && a.p);
    if (!s.p || !d.p || !a.p)
        return;
    CHECK_EQ(xz_decode(s.p, s.n, out, sizeof(out), &got), XZ_E_CHECK_TYPE);
    CHECK_EQ(xz_decode(d.p, d.n, out, sizeof(out), &got), XZ_E_FILTER);
    CHECK_EQ(xz_decode(a.p, a.n, out, sizeof(out), &got), XZ_E_FILTER);
    CHECK_EQ(xz_decode((const uint8_t *)"", 0, out, sizeof(out), &got), XZ_E_TRUNCATED);
    CHECK_EQ(xz_decode((const uint8_t *)text, 100, out, sizeof(out), &got), XZ_E_CORRUPT);
    free(s.p);
    free(d.p);
    free(a.p);
}

/* Every prefix of a small stream is refused, and so is every single bit
 * flip (CRC64 check: every field of the file is covered by some check). */
static void test_truncations_and_bit_flips(void)
{
    static const char *const opts[] = { "--check=crc64", "--x86 --lzma2=preset=6 --check=crc32" };

    for (unsigned o = 0; o < 2; o++) {
        struct test_buf x = xz_compress(text, sizeof(text) - 1, opts[o]);
        uint8_t out[sizeof(text) + 16];
        size_t got;
        unsigned bad_trunc = 0, bad_flip = 0;

        CHECK(x.p != NULL);
        if (!x.p)
            return;
        for (size_t len = 0; len < x.n; len++) {
            uint8_t *cut = malloc(len ? len : 1);

            memcpy(cut, x.p, len); /* exact-size copy: ASan sees overreads */
            if (xz_decode(cut, len, out, sizeof(out), &got) == 0)
                bad_trunc++;
            free(cut);
        }
        CHECK_EQ(bad_trunc, 0);
        for (size_t bit = 0; bit < x.n * 8; bit++) {
            x.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            if (xz_decode(x.p, x.n, out, sizeof(out), &got) == 0)
                bad_flip++;
            x.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        CHECK_EQ(bad_flip, 0);
        CHECK_EQ(xz_decode(x.p, x.n, out, sizeof(out), &got), 0);
        free(x.p);
    }
}

/* Random damage to a bigger stream (several chunks, matches): any result
 * is fine as long as nothing is touched outside the buffers (ASan). */
static void test_random_damage(void)
{
    size_t n = 200000;
    uint8_t *p = repetitive(n);
    struct test_buf x = xz_compress(p, n, "--check=none --x86 --lzma2=preset=6");
    uint8_t *out = malloc(n);
    uint32_t s = 5;
    unsigned ok = 0;

    CHECK(x.p != NULL);
    if (!x.p)
        return;
    for (unsigned round = 0; round < 300; round++) {
        uint8_t *y = malloc(x.n);
        size_t got;

        memcpy(y, x.p, x.n);
        for (unsigned k = 0; k < 1 + round % 8; k++) {
            s = s * 1103515245u + 12345u;
            y[24 + (s >> 8) % (x.n - 48)] ^= (uint8_t)(1 + (s >> 24) % 255);
        }
        if (xz_decode(y, x.n, out, n, &got) == 0)
            ok++;
        free(y);
    }
    /* With no check, a few damaged streams may still decode; most not. */
    CHECK(ok < 30);
    free(x.p);
    free(out);
    free(p);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_xz.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL: test_xz.c setup: mkdtemp\n");
        return 1;
    }
    RUN_TEST(test_crc_known_values);
    RUN_TEST(test_crc32_slices);
    RUN_TEST(test_empty_and_one_byte);
    RUN_TEST(test_text_checks);
    RUN_TEST(test_random_data);
    RUN_TEST(test_presets);
    RUN_TEST(test_long_runs);
    RUN_TEST(test_multi_block);
    RUN_TEST(test_bcj_x86);
    RUN_TEST(test_bcj_x86_dense);
    RUN_TEST(test_concatenated);
    RUN_TEST(test_unsupported);
    RUN_TEST(test_truncations_and_bit_flips);
    RUN_TEST(test_random_damage);
    {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            printf("FAIL: test_xz.c cleanup\n");
    }
    return test_main_result();
}

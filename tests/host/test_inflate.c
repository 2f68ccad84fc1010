/* DEFLATE and gzip decoding (hv/lib/inflate.c, inflate_huff.c, gzip.c,
 * gzip_crc.c), against the host's gzip and Python's zlib, plus streams
 * crafted bit by bit here for what those tools never write: distances of
 * exactly 32 KiB, rare headers, and every kind of bad Huffman table.
 *
 * Every decode reads from a heap copy of exactly the input's size and
 * writes to a heap buffer of exactly out_cap bytes, so AddressSanitizer
 * catches any access outside them. */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "lib/gzip.h"

static char tmpdir[64];

/* ---- files and tools --------------------------------------------------- */

static uint8_t *read_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (!f)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

static void write_path(const char *path, const uint8_t *p, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f || (len && fwrite(p, 1, len, f) != len)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

static int run(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* Compresses data with `gzip <args>` (read from stdin: no name in the header). */
static uint8_t *gzip_tool(const uint8_t *data, size_t len, const char *args, size_t *gz_len)
{
    char in[128], out[128];

    snprintf(in, sizeof(in), "%s/in", tmpdir);
    snprintf(out, sizeof(out), "%s/in.gz", tmpdir);
    write_path(in, data, len);
    if (run("gzip -c %s < %s > %s", args, in, out) != 0)
        return NULL;
    return read_path(out, gz_len);
}

/* Raw DEFLATE from Python's zlib: level, window bits, memLevel, strategy. */
static uint8_t *zlib_raw(const uint8_t *data, size_t len, int level, int wbits, int mem,
                         int strategy, size_t *out_len)
{
    char in[128], out[128];

    snprintf(in, sizeof(in), "%s/raw", tmpdir);
    snprintf(out, sizeof(out), "%s/raw.z", tmpdir);
    write_path(in, data, len);
    if (run("python3 -c \"import zlib,sys; d=open(sys.argv[1],'rb').read(); "
            "c=zlib.compressobj(%d, zlib.DEFLATED, -%d, %d, %d); "
            "open(sys.argv[2],'wb').write(c.compress(d)+c.flush())\" %s %s",
            level, wbits, mem, strategy, in, out) != 0)
        return NULL;
    return read_path(out, out_len);
}

/* Decodes from exact-size heap copies; *out gets the output (free it). */
static int decode(int gzip, const uint8_t *in, size_t in_len, size_t out_cap, uint8_t **out,
                  size_t *out_len)
{
    uint8_t *inb = malloc(in_len ? in_len : 1), *outb = malloc(out_cap ? out_cap : 1);
    int rc;

    if (in_len)
        memcpy(inb, in, in_len);
    *out_len = (size_t)-1;
    rc = gzip ? gzip_decode(inb, in_len, outb, out_cap, out_len)
              : inflate_raw(inb, in_len, outb, out_cap, out_len);
    free(inb);
    if (out)
        *out = outb;
    else
        free(outb);
    return rc;
}

/* The decoded bytes are exactly data, with out_cap just enough; one byte
 * less is GZ_E_OUTPUT. */
static void check_roundtrip(int gzip, const uint8_t *z, size_t z_len, const uint8_t *data,
                            size_t len)
{
    uint8_t *out;
    size_t out_len;
    int rc;

    CHECK(z != NULL);
    if (!z)
        return;
    rc = decode(gzip, z, z_len, len, &out, &out_len);
    CHECK_EQ(rc, 0);
    CHECK_EQ(out_len, len);
    CHECK(rc == 0 && out_len == len && (len == 0 || memcmp(out, data, len) == 0));
    free(out);
    if (len > 0)
        CHECK_EQ(decode(gzip, z, z_len, len - 1, NULL, &out_len), GZ_E_OUTPUT);
}

static void roundtrip_gzip(const uint8_t *data, size_t len, const char *args)
{
    size_t gz_len;
    uint8_t *gz = gzip_tool(data, len, args, &gz_len);

    check_roundtrip(1, gz, gz_len, data, len);
    free(gz);
}

/* ---- test data ---------------------------------------------------------- */

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint8_t *random_bytes(size_t len)
{
    uint8_t *p = malloc(len);

    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)rnd();
    return p;
}

/* Text with a skewed alphabet and repeats: dynamic blocks, long codes. */
static uint8_t *text_bytes(size_t len)
{
    static const char *words[] = { "xen", "hypervisor", "domain", "page", "grant", "event",
                                   "channel", "the", "a", "of", "\n", "  ", "zqj", "0x1f8b" };
    uint8_t *p = malloc(len);
    size_t n = 0;

    while (n < len) {
        char w[32];
        int k = snprintf(w, sizeof(w), "%s%s", words[rnd() % 14], rnd() % 7 ? " " : ",");

        if (rnd() % 50 == 0)
            k = snprintf(w, sizeof(w), "%u ", rnd());
        for (int i = 0; i < k && n < len; i++)
            p[n++] = (uint8_t)w[i];
    }
    return p;
}

/* ---- a bit writer for crafted streams ------------------------------------ */

struct bw {
    uint8_t buf[70000];
    size_t nbits;
};

static void put(struct bw *b, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, b->nbits++) {
        if ((b->nbits & 7) == 0)
            b->buf[b->nbits / 8] = 0;
        b->buf[b->nbits / 8] |= (uint8_t)(((v >> i) & 1u) << (b->nbits & 7));
    }
}

/* A Huffman code: most significant bit first. */
static void put_code(struct bw *b, uint32_t code, unsigned len)
{
    for (unsigned i = len; i-- > 0;)
        put(b, (code >> i) & 1u, 1);
}

static size_t bw_bytes(const struct bw *b)
{
    return (b->nbits + 7) / 8;
}

/* Canonical codes for lengths (RFC 1951, 3.2.2), written out here again. */
static void canon(const uint8_t *lens, unsigned n, uint32_t *codes)
{
    unsigned bl_count[16] = { 0 }, next[16] = { 0 }, code = 0;

    for (unsigned i = 0; i < n; i++)
        bl_count[lens[i]]++;
    bl_count[0] = 0;
    for (unsigned bits = 1; bits < 16; bits++) {
        code = (code + bl_count[bits - 1]) << 1;
        next[bits] = code;
    }
    for (unsigned i = 0; i < n; i++)
        codes[i] = lens[i] ? next[lens[i]]++ : 0;
}

static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* A dynamic block header: the lengths are sent one code length symbol
 * each, with a code length code where 0..15 have 4 bits (complete), or
 * the caller's clen (19 lengths) when given. */
struct dyn {
    uint8_t lit[288], dist[32];
    uint32_t lit_code[288], dist_code[32];
    unsigned hlit, hdist;
};

static void put_dynamic_header(struct bw *b, int last, struct dyn *d, const uint8_t *clen_in)
{
    uint8_t clen[19] = { 0 };
    uint32_t ccode[19];

    if (clen_in)
        memcpy(clen, clen_in, 19);
    else
        for (int i = 0; i < 16; i++)
            clen[i] = 4;
    canon(clen, 19, ccode);
    put(b, (unsigned)last, 1);
    put(b, 2, 2);
    put(b, d->hlit - 257, 5);
    put(b, d->hdist - 1, 5);
    put(b, 19 - 4, 4);
    for (int i = 0; i < 19; i++)
        put(b, clen[order[i]], 3);
    for (unsigned i = 0; i < d->hlit; i++)
        put_code(b, ccode[d->lit[i]], clen[d->lit[i]]);
    for (unsigned i = 0; i < d->hdist; i++)
        put_code(b, ccode[d->dist[i]], clen[d->dist[i]]);
    canon(d->lit, d->hlit, d->lit_code);
    canon(d->dist, d->hdist, d->dist_code);
}

static void put_lit(struct bw *b, const struct dyn *d, unsigned sym)
{
    put_code(b, d->lit_code[sym], d->lit[sym]);
}

/* The fixed code (RFC 1951, 3.2.6). */
static void put_fixed_lit(struct bw *b, unsigned sym)
{
    if (sym < 144)
        put_code(b, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(b, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(b, sym - 256, 7);
    else
        put_code(b, 0xc0 + sym - 280, 8);
}

/* A dyn where all 286 literal/length symbols and 30 distances have codes. */
static void dyn_default(struct dyn *d)
{
    d->hlit = 286;
    d->hdist = 30;
    /* 256 codes of 8 bits would fill the space; use 9 bits for all but
     * 226 of them: 226/256 + 60/512 = 1. */
    for (unsigned i = 0; i < 286; i++)
        d->lit[i] = i < 226 ? 8 : 9;
    /* 28 distances of 5 bits and two of 4: complete. */
    for (unsigned i = 0; i < 30; i++)
        d->dist[i] = i < 2 ? 4 : 5;
    d->dist[30] = d->dist[31] = 0;
}

static int decode_bw(const struct bw *b, size_t out_cap, uint8_t **out, size_t *out_len)
{
    return decode(0, b->buf, bw_bytes(b), out_cap, out, out_len);
}

/* ---- round trips -------------------------------------------------------- */

static void test_crc32(void)
{
    CHECK_EQ(crc32_update(0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
    CHECK_EQ(crc32_update(0, (const uint8_t *)"", 0), 0);
    CHECK_EQ(crc32_update(crc32_update(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5),
             0xcbf43926u);
}

static void test_gzip_empty_and_one_byte(void)
{
    uint8_t one = 'x';

    roundtrip_gzip(NULL, 0, "-9");
    roundtrip_gzip(&one, 1, "-1");
    roundtrip_gzip(&one, 1, "-9");
}

static void test_gzip_text_levels(void)
{
    size_t len = 300000;
    uint8_t *t = text_bytes(len);

    roundtrip_gzip(t, len, "-1");
    roundtrip_gzip(t, len, "-6");
    roundtrip_gzip(t, len, "-9");
    free(t);
}

/* Incompressible data: gzip stores it (checked: the first block is type 0). */
static void test_gzip_random_stored(void)
{
    size_t len = 200000, gz_len;
    uint8_t *r = random_bytes(len);
    uint8_t *gz = gzip_tool(r, len, "-9", &gz_len);

    CHECK(gz && gz_len > 10);
    if (gz && gz_len > 10)
        CHECK_EQ((gz[10] >> 1) & 3, 0);
    check_roundtrip(1, gz, gz_len, r, len);
    free(gz);
    free(r);
}

/* Long matches and far distances: runs of one byte (length 258, distance
 * 1) and random 20 KiB chunks repeated (distances near 32 KiB). */
static void test_gzip_long_runs(void)
{
    size_t len = 1 << 21;
    uint8_t *p = malloc(len), *chunk = random_bytes(20000);

    memset(p, 'A', len / 2);
    for (size_t i = len / 2; i < len; i++)
        p[i] = chunk[(i - len / 2) % 20000];
    roundtrip_gzip(p, len, "-1");
    roundtrip_gzip(p, len, "-9");
    free(chunk);
    free(p);
}

/* Every zlib strategy and a few window sizes, as raw DEFLATE. */
static void test_raw_zlib_strategies(void)
{
    size_t len = 150000, z_len;
    uint8_t *t = text_bytes(len);
    /* Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED */
    for (int strategy = 0; strategy <= 4; strategy++) {
        for (int level = 0; level <= 9; level += 3) {
            uint8_t *z = zlib_raw(t, len, level, 15, 8, strategy, &z_len);

            check_roundtrip(0, z, z_len, t, len);
            free(z);
        }
    }
    for (int wbits = 9; wbits <= 15; wbits += 3) {
        uint8_t *z = zlib_raw(t, len, 9, wbits, 1, 0, &z_len);

        check_roundtrip(0, z, z_len, t, len);
        free(z);
    }
    free(t);
}

/* ---- headers and members ------------------------------------------------ */

/* The gzip -n file of text, with its 10-byte plain header. */
static uint8_t *plain_gz(size_t *gz_len, uint8_t **data, size_t *len)
{
    uint8_t *gz;

    *len = 5000;
    *data = text_bytes(*len);
    gz = gzip_tool(*data, *len, "-n -9", gz_len);
    if (gz && gz[3] != 0) {
        free(gz);
        return NULL;
    }
    return gz;
}

/* Bitwise CRC32, independent of the table one. */
static uint32_t ref_crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void test_gzip_header_fields(void)
{
    size_t gz_len, len, n = 0, out_len;
    uint8_t *data, *gz = plain_gz(&gz_len, &data, &len);
    uint8_t *f, *out;
    uint32_t hcrc;

    CHECK(gz != NULL);
    if (!gz)
        return;
    f = malloc(gz_len + 64);
    memcpy(f, gz, 10);
    f[3] = 0x02 | 0x04 | 0x08 | 0x10 | 0x01;   /* FHCRC FEXTRA FNAME FCOMMENT FTEXT */
    n = 10;
    f[n++] = 5;
    f[n++] = 0;
    memcpy(f + n, "AB\3\0z", 5);
    n += 5;
    memcpy(f + n, "vmlinuz", 8);
    n += 8;
    memcpy(f + n, "a comment", 10);
    n += 10;
    hcrc = ref_crc(f, n) & 0xffff;
    f[n++] = (uint8_t)hcrc;
    f[n++] = (uint8_t)(hcrc >> 8);
    memcpy(f + n, gz + 10, gz_len - 10);
    check_roundtrip(1, f, n + gz_len - 10, data, len);

    /* A wrong header CRC. */
    f[n - 1] ^= 0x40;
    CHECK_EQ(decode(1, f, n + gz_len - 10, len, NULL, &out_len), GZ_E_HCRC);
    f[n - 1] ^= 0x40;
    /* Reserved flags, another method, bad magic. */
    f[3] |= 0x20;
    CHECK_EQ(decode(1, f, n + gz_len - 10, len, NULL, &out_len), GZ_E_HEADER);
    f[3] &= (uint8_t)~0x20;
    f[2] = 7;
    CHECK_EQ(decode(1, f, n + gz_len - 10, len, NULL, &out_len), GZ_E_HEADER);
    f[2] = 8;
    f[1] = 0x8c;
    CHECK_EQ(decode(1, f, n + gz_len - 10, len, NULL, &out_len), GZ_E_HEADER);
    f[1] = 0x8b;
    /* FNAME without its terminator. */
    CHECK_EQ(decode(1, f, 22, len, NULL, &out_len), GZ_E_TRUNC);
    CHECK_EQ(decode(1, f, n + gz_len - 10, len, &out, &out_len), 0);
    free(out);
    free(f);
    free(gz);
    free(data);
}

/* Python's gzip module writes FNAME (and a real mtime). */
static void test_gzip_python_fname(void)
{
    char out[128];
    size_t len = 40000, gz_len;
    uint8_t *t = text_bytes(len), *gz;

    snprintf(out, sizeof(out), "%s/py.gz", tmpdir);
    write_path(out, t, len);
    CHECK_EQ(run("python3 -c \"import gzip,sys; d=open(sys.argv[1],'rb').read(); "
                 "f=gzip.GzipFile(filename='bzImage.payload', mode='wb', fileobj=open(sys.argv[1],'wb'), compresslevel=5); "
                 "f.write(d); f.close()\" %s", out), 0);
    gz = read_path(out, &gz_len);
    CHECK(gz && gz_len > 10 && (gz[3] & 0x08));
    check_roundtrip(1, gz, gz_len, t, len);
    free(gz);
    free(t);
}

/* Members are decoded one after another, as gzip -d does; trailing bytes
 * that are not a gzip magic (Linux appends the size) are ignored. */
static void test_gzip_members(void)
{
    size_t la = 3000, lb = 7000, a_len, b_len, out_len;
    uint8_t *a = text_bytes(la), *b = random_bytes(lb);
    uint8_t *ga = gzip_tool(a, la, "-n", &a_len), *gb = gzip_tool(b, lb, "-n -1", &b_len);
    uint8_t *cat = malloc(a_len + b_len + 8), *both = malloc(la + lb), *out;

    CHECK(ga && gb);
    if (!ga || !gb)
        return;
    memcpy(cat, ga, a_len);
    memcpy(cat + a_len, gb, b_len);
    memcpy(both, a, la);
    memcpy(both + la, b, lb);
    check_roundtrip(1, cat, a_len + b_len, both, la + lb);

    /* The Linux size trailer after one member. */
    memcpy(cat + a_len, "\x10\x27\0\0", 4);
    check_roundtrip(1, cat, a_len + 4, a, la);
    /* A magic followed by junk is a bad second member. */
    memcpy(cat + a_len, "\x1f\x8b\x08\0\0\0\0\0\0\3\xff\xff", 12);
    CHECK(decode(1, cat, a_len + 12, la + lb, NULL, &out_len) < 0);
    CHECK_EQ(decode(1, cat, a_len + 2, la + lb, NULL, &out_len), GZ_E_TRUNC);
    /* Nothing at all is not a gzip file. */
    CHECK_EQ(decode(1, cat, 0, 10, NULL, &out_len), GZ_E_TRUNC);
    CHECK_EQ(decode(1, (const uint8_t *)"\x10\x27\0\0", 4, 10, &out, &out_len), GZ_E_HEADER);
    free(out);
    free(cat);
    free(both);
    free(ga);
    free(gb);
    free(a);
    free(b);
}

static void test_gzip_bad_trailer(void)
{
    size_t gz_len, len, out_len;
    uint8_t *data, *gz = plain_gz(&gz_len, &data, &len);

    CHECK(gz != NULL);
    if (!gz)
        return;
    gz[gz_len - 8] ^= 1;
    CHECK_EQ(decode(1, gz, gz_len, len, NULL, &out_len), GZ_E_CRC);
    gz[gz_len - 8] ^= 1;
    gz[gz_len - 2] ^= 1;
    CHECK_EQ(decode(1, gz, gz_len, len + 100000, NULL, &out_len), GZ_E_SIZE);
    gz[gz_len - 2] ^= 1;
    CHECK_EQ(decode(1, gz, gz_len, len, NULL, &out_len), 0);
    CHECK_EQ(out_len, len);
    free(gz);
    free(data);
}

/* ---- corruptions -------------------------------------------------------- */

/* Every strict prefix is an error (the trailer is missing at best). */
static void test_truncation_everywhere(void)
{
    size_t gz_len, len, out_len, z_len, bad = 0;
    uint8_t *data, *gz = plain_gz(&gz_len, &data, &len), *z;

    CHECK(gz != NULL);
    if (!gz)
        return;
    for (size_t cut = 0; cut < gz_len; cut++) {
        if (decode(1, gz, cut, len, NULL, &out_len) >= 0)
            bad++;
    }
    CHECK_EQ(bad, 0);
    /* Raw DEFLATE: fixed, dynamic and stored blocks. */
    for (int strategy = 0; strategy <= 4; strategy += 4) {
        for (int level = 0; level <= 9; level += 9) {
            z = zlib_raw(data, 3000, level, 15, 8, strategy, &z_len);
            CHECK(z != NULL);
            for (size_t cut = 0; z && cut < z_len; cut++) {
                int rc = decode(0, z, cut, 3000, NULL, &out_len);

                if (rc != GZ_E_TRUNC)
                    bad++;
            }
            free(z);
        }
    }
    CHECK_EQ(bad, 0);
    free(gz);
    free(data);
}

/* Every single-bit flip: an error, or (flags and fields nobody checks,
 * padding bits) the same output. Nearly all must be errors. */
static void test_bit_flips(void)
{
    size_t gz_len, len, out_len, errors = 0, same = 0, wrong = 0;
    uint8_t *data, *gz = plain_gz(&gz_len, &data, &len), *out;

    CHECK(gz != NULL);
    if (!gz)
        return;
    for (size_t bit = 0; bit < gz_len * 8; bit++) {
        int rc;

        gz[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        rc = decode(1, gz, gz_len, len + 64, &out, &out_len);
        if (rc < 0)
            errors++;
        else if (out_len == len && memcmp(out, data, len) == 0)
            same++;
        else
            wrong++;
        free(out);
        gz[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK_EQ(wrong, 0);
    CHECK(errors > gz_len * 8 * 95 / 100);
    CHECK(same >= 6 * 8);   /* MTIME, XFL, OS at least */
    free(gz);
    free(data);
}

/* Random garbage into both decoders: no crash (and, as it happens, errors). */
static void test_random_garbage(void)
{
    size_t out_len, ok = 0;

    for (int i = 0; i < 3000; i++) {
        size_t n = rnd() % 300;
        uint8_t *p = random_bytes(n);

        if (i % 2 && n >= 4) {
            p[0] = 0x1f;
            {
                p[1] = 0x8b;
                p[2] = 8;
                p[3] &= 0x1f;
            }
        }
        if (decode(i % 2, p, n, 4096, NULL, &out_len) == 0)
            ok++;
        free(p);
    }
    CHECK(ok < 3000);
}

/* Mutated (and some cut short) raw streams judged by zlib too: the same
 * accepted (with the same bytes) and refused, and "ends too early"
 * exactly where zlib wants more input. One Python run judges them all: records of a 4-byte length
 * and the stream in, lines "ok <len> <crc32>", "trunc" or "err" out. */
static void test_differential_zlib(void)
{
    enum { NR = 4000 };
    char recs[128], verdicts[160];
    size_t t_len = 6000, z_len[4], out_len, agree = 0, ok = 0, errs = 0, truncs = 0;
    uint8_t *t = text_bytes(t_len), *z[4], *streams[NR];
    size_t lens[NR];
    FILE *f;

    for (int k = 0; k < 4; k++) {
        z[k] = zlib_raw(t, t_len, k == 0 ? 1 : 9, 15, 8, k == 3 ? 4 : k == 2 ? 2 : 0, &z_len[k]);
        CHECK(z[k] != NULL);
        if (!z[k])
            return;
    }
    snprintf(recs, sizeof(recs), "%s/mut.bin", tmpdir);
    snprintf(verdicts, sizeof(verdicts), "%s/mut.txt", tmpdir);
    f = fopen(recs, "wb");
    for (int i = 0; i < NR; i++) {
        int k = (int)(rnd() % 4), flips = 1 + (int)(rnd() % 4);
        uint8_t hdr[4];

        lens[i] = z_len[k];
        streams[i] = malloc(lens[i]);
        memcpy(streams[i], z[k], lens[i]);
        for (int j = 0; j < flips; j++) {
            /* Mostly near the start, where the tables are. */
            size_t at = rnd() % (j == 0 ? (lens[i] < 64 ? lens[i] : 64) : lens[i]);

            streams[i][at] ^= (uint8_t)(1u << (rnd() % 8));
        }
        if (i % 16 == 0)
            lens[i] = rnd() % lens[i];      /* cut short too */
        for (int b = 0; b < 4; b++)
            hdr[b] = (uint8_t)(lens[i] >> (8 * b));
        fwrite(hdr, 1, 4, f);
        fwrite(streams[i], 1, lens[i], f);
    }
    fclose(f);
    CHECK_EQ(run("python3 -c \"import zlib,sys\n"
                 "d=open(sys.argv[1],'rb').read(); o=open(sys.argv[2],'w'); p=0\n"
                 "while p < len(d):\n"
                 " n=int.from_bytes(d[p:p+4],'little'); s=d[p+4:p+4+n]; p+=4+n; z=zlib.decompressobj(-15)\n"
                 " try:\n  r=z.decompress(s)\n"
                 " except zlib.error:\n  o.write('err\\n'); continue\n"
                 " o.write('ok %%d %%d\\n' %% (len(r), zlib.crc32(r)) if z.eof else 'trunc\\n')\n"
                 "\" %s %s", recs, verdicts), 0);
    f = fopen(verdicts, "r");
    CHECK(f != NULL);
    for (int i = 0; f && i < NR; i++) {
        char word[16] = "";
        unsigned long long zlen = 0, zcrc = 0;
        uint8_t *out;
        int rc = decode(0, streams[i], lens[i], 1 << 20, &out, &out_len);

        if (fscanf(f, "%15s", word) != 1)
            break;
        if (strcmp(word, "ok") == 0) {
            if (fscanf(f, "%llu %llu", &zlen, &zcrc) != 2)
                break;
            ok++;
            agree += rc == 0 && out_len == zlen && crc32_update(0, out, out_len) == zcrc;
        } else if (strcmp(word, "trunc") == 0) {
            truncs++;
            agree += rc == GZ_E_TRUNC;
        } else {
            errs++;
            agree += rc < 0 && rc != GZ_E_TRUNC;
        }
        free(out);
    }
    if (f)
        fclose(f);
    CHECK_EQ(agree, NR);
    /* The mutations reach every verdict. */
    CHECK(ok > 100 && errs > 100 && truncs > 50);
    for (int i = 0; i < NR; i++)
        free(streams[i]);
    for (int k = 0; k < 4; k++)
        free(z[k]);
    free(t);
}

/* ---- crafted streams ---------------------------------------------------- */

/* A stored block of 32 KiB, then a match at distance 32768 (the largest
 * DEFLATE can say): accepted; and one byte further: GZ_E_DIST. */
static void test_distance_32k(void)
{
    static struct bw b;
    size_t out_len, len = 32768;
    uint8_t *r = random_bytes(len), *out;
    int rc;

    for (unsigned extra = 8191; extra <= 8192; extra++) {
        size_t want = extra == 8191 ? len : len - 1;

        b.nbits = 0;
        put(&b, 0, 1);
        put(&b, 0, 2);
        b.nbits = (b.nbits + 7) & ~(size_t)7;
        put(&b, (uint32_t)want, 16);
        put(&b, (uint32_t)~want & 0xffff, 16);
        for (size_t i = 0; i < want; i++)
            put(&b, r[i], 8);
        put(&b, 1, 1);
        put(&b, 1, 2);
        put_fixed_lit(&b, 285);        /* length 258 */
        put_code(&b, 29, 5);           /* distance 24577 + 13 extra bits */
        put(&b, extra == 8191 ? 8191 : 8191, 13);
        put_fixed_lit(&b, 256);
        rc = decode_bw(&b, want + 258, &out, &out_len);
        if (extra == 8191) {
            CHECK_EQ(rc, 0);
            CHECK_EQ(out_len, len + 258);
            CHECK(rc == 0 && memcmp(out, r, len) == 0 && memcmp(out + len, r, 258) == 0);
        } else {
            CHECK_EQ(rc, GZ_E_DIST);   /* 32768 > 32767 bytes so far */
        }
        free(out);
    }
    free(r);
}

/* Overlapping copies (distance < length) and the fixed-code symbols
 * DEFLATE reserves. */
static void test_fixed_block_symbols(void)
{
    static struct bw b;
    size_t out_len;
    uint8_t *out;
    int rc;

    b.nbits = 0;
    put(&b, 1, 1);
    put(&b, 1, 2);
    put_fixed_lit(&b, 'a');
    put_fixed_lit(&b, 'b');
    put_fixed_lit(&b, 265);    /* length 11 + 1 extra bit */
    put(&b, 1, 1);             /* 12 */
    put_code(&b, 1, 5);        /* distance 2 */
    put_fixed_lit(&b, 256);
    rc = decode_bw(&b, 14, &out, &out_len);
    CHECK_EQ(rc, 0);
    CHECK_EQ(out_len, 14);
    CHECK(rc == 0 && memcmp(out, "ababababababab", 14) == 0);
    free(out);

    for (unsigned sym = 286; sym <= 287; sym++) {
        b.nbits = 0;
        put(&b, 1, 1);
        put(&b, 1, 2);
        put_fixed_lit(&b, 'a');
        put_fixed_lit(&b, sym);
        put_code(&b, 0, 5);
        put_fixed_lit(&b, 256);
        CHECK_EQ(decode_bw(&b, 1000, NULL, &out_len), GZ_E_CODE);
    }
    for (unsigned d = 30; d <= 31; d++) {
        b.nbits = 0;
        put(&b, 1, 1);
        put(&b, 1, 2);
        put_fixed_lit(&b, 'a');
        put_fixed_lit(&b, 257);
        put_code(&b, d, 5);
        put_fixed_lit(&b, 256);
        CHECK_EQ(decode_bw(&b, 1000, NULL, &out_len), GZ_E_CODE);
    }
    /* A match before any output. */
    b.nbits = 0;
    put(&b, 1, 1);
    put(&b, 1, 2);
    put_fixed_lit(&b, 257);
    put_code(&b, 0, 5);
    put_fixed_lit(&b, 256);
    CHECK_EQ(decode_bw(&b, 1000, NULL, &out_len), GZ_E_DIST);
    /* Block type 3. */
    b.nbits = 0;
    put(&b, 1, 1);
    put(&b, 3, 2);
    put(&b, 0, 16);
    CHECK_EQ(decode_bw(&b, 1000, NULL, &out_len), GZ_E_BLOCK);
    /* Stored: NLEN not the complement of LEN. */
    b.nbits = 0;
    put(&b, 1, 1);
    put(&b, 0, 2);
    put(&b, 0, 5);
    put(&b, 3, 16);
    put(&b, 0xfffd, 16);
    put(&b, 0x414141, 24);
    CHECK_EQ(decode_bw(&b, 1000, NULL, &out_len), GZ_E_BLOCK);
    /* ... and right: an empty non-final stored block, then "AAA". */
    b.nbits = 0;
    put(&b, 0, 1);
    put(&b, 0, 2);
    put(&b, 0, 5);
    put(&b, 0, 16);
    put(&b, 0xffff, 16);
    put(&b, 1, 1);
    put(&b, 0, 2);
    put(&b, 0, 5);
    put(&b, 3, 16);
    put(&b, 0xfffc, 16);
    put(&b, 0x414141, 24);
    rc = decode_bw(&b, 3, &out, &out_len);
    CHECK_EQ(rc, 0);
    CHECK(rc == 0 && out_len == 3 && memcmp(out, "AAA", 3) == 0);
    free(out);
}

/* A dynamic block with the default codes carries data both ways. */
static void test_dynamic_valid(void)
{
    static struct bw b;
    struct dyn d;
    size_t out_len;
    uint8_t *out;
    int rc;

    dyn_default(&d);
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    put_lit(&b, &d, 'x');
    put_lit(&b, &d, 'y');
    put_lit(&b, &d, 285);
    put_code(&b, d.dist_code[1], d.dist[1]);   /* distance 2 */
    put_lit(&b, &d, 256);
    rc = decode_bw(&b, 260, &out, &out_len);
    CHECK_EQ(rc, 0);
    CHECK_EQ(out_len, 260);
    CHECK(rc == 0 && out[0] == 'x' && out[1] == 'y' && out[258] == 'x' && out[259] == 'y');
    free(out);

    /* One distance code of one bit (incomplete, accepted as zlib does),
     * and no distance code at all with literals only. */
    for (int variant = 0; variant < 2; variant++) {
        dyn_default(&d);
        d.hdist = variant ? 1 : 2;
        d.dist[0] = 0;
        d.dist[1] = 0;
        if (!variant)
            d.dist[1] = 1;
        b.nbits = 0;
        put_dynamic_header(&b, 1, &d, NULL);
        put_lit(&b, &d, 'q');
        if (!variant) {
            put_lit(&b, &d, 'r');
            put_lit(&b, &d, 257);
            put_code(&b, d.dist_code[1], 1);   /* distance 2, length 3 */
        }
        put_lit(&b, &d, 256);
        rc = decode_bw(&b, 100, &out, &out_len);
        CHECK_EQ(rc, 0);
        CHECK_EQ(out_len, variant ? 1 : 5);
        CHECK(rc == 0 && (variant ? out[0] == 'q' : memcmp(out, "qrqrq", 5) == 0));
        free(out);
    }
    /* The missing half of that one-bit distance code is no code. */
    dyn_default(&d);
    d.hdist = 2;
    d.dist[0] = 0;
    d.dist[1] = 1;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    put_lit(&b, &d, 'q');
    put_lit(&b, &d, 257);
    put(&b, 1, 1);
    put_lit(&b, &d, 256);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_CODE);
}

/* Code length sets zlib refuses, and the run-length symbols misused. */
static void test_dynamic_bad_tables(void)
{
    static struct bw b;
    struct dyn d;
    size_t out_len;
    uint8_t clen[19];

    /* Code length code over-subscribed (all 19 of 1 bit). */
    dyn_default(&d);
    memset(clen, 1, sizeof(clen));
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, clen);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* Code length code incomplete (0..14 of 4 bits) or empty. */
    memset(clen, 0, sizeof(clen));
    for (int i = 0; i < 15; i++)
        clen[i] = 4;
    for (unsigned i = 0; i < 286; i++)
        d.lit[i] = d.lit[i] == 9 ? 9 : 8;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, clen);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    memset(clen, 0, sizeof(clen));
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, clen);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* Code length code of one 1-bit code: incomplete, refused here. */
    clen[8] = 1;
    for (unsigned i = 0; i < 286; i++)
        d.lit[i] = 8;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, clen);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);

    /* Literal/length code over-subscribed: all 286 of 8 bits. */
    dyn_default(&d);
    for (unsigned i = 0; i < 286; i++)
        d.lit[i] = 8;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* Literal/length code incomplete: one symbol of 9 bits missing. */
    dyn_default(&d);
    d.lit[285] = 0;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* Distance code incomplete with two codes. */
    dyn_default(&d);
    d.dist[0] = 0;
    d.dist[1] = 0;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* Distance code over-subscribed. */
    dyn_default(&d);
    d.dist[2] = 4;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* No end-of-block code, the rest complete: 256 of 8 bits, 257.. none. */
    dyn_default(&d);
    for (unsigned i = 0; i < 286; i++)
        d.lit[i] = i < 256 ? 8 : 0;
    d.lit[256] = 0;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    /* HLIT of 287 and HDIST of 31. */
    dyn_default(&d);
    d.hlit = 287;
    d.lit[286] = 0;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
    dyn_default(&d);
    d.hdist = 31;
    b.nbits = 0;
    put_dynamic_header(&b, 1, &d, NULL);
    CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);

    /* Symbol 16 first (nothing to repeat), and 18 running past the end.
     * Code length code: 0..7 of 4 bits, 8..15 of 5, 16, 17 of 3, 18 of 4
     * is over-full; take 16, 17, 18 of 3 bits and 0..7 of 4, 8..11 of 5
     * (3/8 + 8/16 + 4/32 = 1). */
    memset(clen, 0, sizeof(clen));
    for (int i = 0; i < 8; i++)
        clen[i] = 4;
    for (int i = 8; i < 12; i++)
        clen[i] = 5;
    clen[16] = clen[17] = clen[18] = 3;
    {
        uint32_t cc[19];

        canon(clen, 19, cc);
        for (int which = 0; which < 2; which++) {
            b.nbits = 0;
            put(&b, 1, 1);
            put(&b, 2, 2);
            put(&b, 0, 5);     /* HLIT 257 */
            put(&b, 0, 5);     /* HDIST 1 */
            put(&b, 15, 4);
            for (int i = 0; i < 19; i++)
                put(&b, clen[order[i]], 3);
            if (which == 0) {
                put_code(&b, cc[16], 3);
                put(&b, 0, 2);
            } else {
                put_code(&b, cc[18], 3);
                put(&b, 127, 7);   /* 138 zeros */
                put_code(&b, cc[18], 3);
                put(&b, 127, 7);   /* 276 > 258 */
            }
            CHECK_EQ(decode_bw(&b, 100, NULL, &out_len), GZ_E_TABLE);
        }
    }
}

/* Output capacity exhausted by a literal, a match and a stored block. */
static void test_output_full(void)
{
    size_t len = 100000, gz_len, out_len;
    uint8_t *t = text_bytes(len), *gz = gzip_tool(t, len, "-6", &gz_len);

    CHECK(gz != NULL);
    for (size_t cap = 0; gz && cap < len; cap += 997)
        CHECK_EQ(decode(1, gz, gz_len, cap, NULL, &out_len), GZ_E_OUTPUT);
    free(gz);
    free(t);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_inflate.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    RUN_TEST(test_crc32);
    RUN_TEST(test_gzip_empty_and_one_byte);
    RUN_TEST(test_gzip_text_levels);
    RUN_TEST(test_gzip_random_stored);
    RUN_TEST(test_gzip_long_runs);
    RUN_TEST(test_raw_zlib_strategies);
    RUN_TEST(test_gzip_header_fields);
    RUN_TEST(test_gzip_python_fname);
    RUN_TEST(test_gzip_members);
    RUN_TEST(test_gzip_bad_trailer);
    RUN_TEST(test_truncation_everywhere);
    RUN_TEST(test_bit_flips);
    RUN_TEST(test_random_garbage);
    RUN_TEST(test_differential_zlib);
    RUN_TEST(test_distance_32k);
    RUN_TEST(test_fixed_block_symbols);
    RUN_TEST(test_dynamic_valid);
    RUN_TEST(test_dynamic_bad_tables);
    RUN_TEST(test_output_full);
    run("rm -rf %s", tmpdir);
    return test_main_result();
}

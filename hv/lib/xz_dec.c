/* The .xz container: streams, blocks, the index and the checks.
 *
 * Layout of a stream: a 12-byte header (magic, flags, CRC32), blocks, an
 * index listing each block's unpadded and uncompressed sizes, and a 12-byte
 * footer repeating the flags with the index size. Streams may follow each
 * other, separated by zero padding in multiples of four bytes.
 *
 * Each block is decoded straight into its place in out[]; the index is
 * checked against what the blocks really held through counts, sums and a
 * CRC32 over the (unpadded, uncompressed) pairs, so no list is kept. */
#include "lib/bcj_x86.h"
#include "lib/crc32.h"
#include "lib/crc64.h"
#include "lib/lzma2_dec.h"
#include "lib/string.h"
#include "lib/xz.h"

#define XZ_HEADER_SIZE 12
#define XZ_FILTER_X86 0x04
#define XZ_FILTER_LZMA2 0x21
#define XZ_VLI_MAX (UINT64_MAX / 2)

enum { CHECK_NONE = 0, CHECK_CRC32 = 1, CHECK_CRC64 = 4 };

static const uint8_t header_magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t footer_magic[2] = { 'Y', 'Z' };

/* What the blocks held, and the same summed from the index, to compare. */
struct xz_tally {
    uint64_t count;
    uint64_t unpadded;
    uint64_t uncompressed;
    uint32_t crc;
};

static struct lzma2_dec xz_lzma2;
static int xz_busy;

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A variable-length integer from p[*pos .. end): 7 bits a byte, low first,
 * at most 9 bytes, no redundant zero byte at the end. */
static int get_vli(const uint8_t *p, size_t end, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 9; i++) {
        uint8_t b;

        if (*pos >= end)
            return XZ_E_TRUNCATED;
        b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0)
                return XZ_E_CORRUPT;
            *out = v;
            return 0;
        }
    }
    return XZ_E_CORRUPT;
}

static size_t check_size(unsigned type)
{
    static const uint8_t sizes[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64 };

    return sizes[type & 15];
}

static void tally_add(struct xz_tally *t, uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t rec[16];

    for (unsigned i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    t->count++;
    t->unpadded += unpadded;
    t->uncompressed += uncompressed;
    t->crc = crc32_update(t->crc, rec, sizeof(rec));
}

/* The block header at in[*pos]: sizes and filters. */
struct xz_block {
    uint64_t comp_size;   /* UINT64_MAX: not given */
    uint64_t uncomp_size; /* UINT64_MAX: not given */
    uint32_t dict_size;
    int x86;
    uint32_t x86_start;
};

static int block_header(const uint8_t *in, size_t in_len, size_t *pos, struct xz_block *b)
{
    size_t start = *pos, hsize, end, p;
    unsigned flags, nfilters;
    int err;

    hsize = ((size_t)in[start] + 1) * 4;
    if (in_len - start < hsize)
        return XZ_E_TRUNCATED;
    end = start + hsize - 4;
    if (crc32_update(0, in + start, hsize - 4) != get_le32(in + end))
        return XZ_E_CHECK;
    flags = in[start + 1];
    if (flags & 0x3C)
        return XZ_E_CORRUPT; /* reserved bits */
    nfilters = (flags & 3) + 1;
    p = start + 2;
    b->comp_size = b->uncomp_size = UINT64_MAX;
    b->x86 = 0;
    b->x86_start = 0;
    if (flags & 0x40) {
        err = get_vli(in, end, &p, &b->comp_size);
        if (err)
            return err == XZ_E_TRUNCATED ? XZ_E_CORRUPT : err;
        if (b->comp_size == 0)
            return XZ_E_CORRUPT;
    }
    if (flags & 0x80) {
        err = get_vli(in, end, &p, &b->uncomp_size);
        if (err)
            return err == XZ_E_TRUNCATED ? XZ_E_CORRUPT : err;
    }
    for (unsigned i = 0; i < nfilters; i++) {
        uint64_t id, psize;
        int last = i + 1 == nfilters;

        err = get_vli(in, end, &p, &id);
        if (!err)
            err = get_vli(in, end, &p, &psize);
        if (err)
            return err == XZ_E_TRUNCATED ? XZ_E_CORRUPT : err;
        if (psize > end - p)
            return XZ_E_CORRUPT;
        if (id == XZ_FILTER_LZMA2 && last) {
            uint8_t d;

            if (psize != 1)
                return XZ_E_CORRUPT;
            d = in[p];
            if (d > 40)
                return XZ_E_CORRUPT;
            b->dict_size = d == 40 ? UINT32_MAX : (2u | (d & 1u)) << (d / 2 + 11);
        } else if (id == XZ_FILTER_X86 && !last && !b->x86) {
            if (psize == 4)
                b->x86_start = get_le32(in + p);
            else if (psize != 0)
                return XZ_E_FILTER;
            b->x86 = 1;
        } else if (id == XZ_FILTER_LZMA2 || (last && id == XZ_FILTER_X86)) {
            return XZ_E_CORRUPT; /* LZMA2 must be last, and only there */
        } else {
            return XZ_E_FILTER;
        }
        p += psize;
    }
    for (; p < end; p++) {
        if (in[p])
            return XZ_E_CORRUPT;
    }
    *pos = start + hsize;
    return 0;
}

static int block_check(unsigned type, const uint8_t *data, size_t len, const uint8_t *field)
{
    if (type == CHECK_CRC32)
        return crc32_update(0, data, len) == get_le32(field) ? 0 : XZ_E_CHECK;
    if (type == CHECK_CRC64) {
        uint64_t want = (uint64_t)get_le32(field) | (uint64_t)get_le32(field + 4) << 32;

        return crc64_update(0, data, len) == want ? 0 : XZ_E_CHECK;
    }
    return 0;
}

/* One block at in[*pos], its output at out[*out_pos]. */
static int block_decode(const uint8_t *in, size_t in_len, size_t *pos, uint8_t *out, size_t out_cap,
                        size_t *out_pos, unsigned check, struct xz_tally *t)
{
    struct xz_block b;
    size_t start = *pos, p = *pos, hdr_end, comp_used, produced, csize = check_size(check);
    int err;

    err = block_header(in, in_len, &p, &b);
    if (err)
        return err;
    hdr_end = p;
    if (b.uncomp_size != UINT64_MAX && b.uncomp_size > out_cap - *out_pos)
        return XZ_E_NOSPACE;
    err = lzma2_decode(&xz_lzma2, b.dict_size, in + p, in_len - p, &comp_used, out + *out_pos,
                       out_cap - *out_pos, &produced);
    if (err)
        return err;
    if ((b.comp_size != UINT64_MAX && b.comp_size != comp_used) ||
        (b.uncomp_size != UINT64_MAX && b.uncomp_size != produced))
        return XZ_E_CORRUPT;
    p += comp_used;
    /* Block padding to four bytes, then the check. */
    while ((p - start) & 3) {
        if (p >= in_len)
            return XZ_E_TRUNCATED;
        if (in[p++])
            return XZ_E_CORRUPT;
    }
    if (in_len - p < csize)
        return XZ_E_TRUNCATED;
    if (b.x86)
        bcj_x86_decode(out + *out_pos, produced, b.x86_start);
    err = block_check(check, out + *out_pos, produced, in + p);
    if (err)
        return err;
    /* Unpadded size: header + compressed data + check, without padding. */
    tally_add(t, (uint64_t)(hdr_end - start) + comp_used + csize, produced);
    p += csize;
    *out_pos += produced;
    *pos = p;
    return 0;
}

/* The index at in[*pos], compared with what the blocks held. */
static int index_check(const uint8_t *in, size_t in_len, size_t *pos, const struct xz_tally *blocks)
{
    struct xz_tally t = { 0, 0, 0, 0 };
    size_t start = *pos, p = *pos + 1; /* past the zero indicator byte */
    uint64_t count;
    int err;

    err = get_vli(in, in_len, &p, &count);
    if (err)
        return err;
    if (count != blocks->count)
        return XZ_E_CORRUPT;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t unpadded, uncompressed;

        err = get_vli(in, in_len, &p, &unpadded);
        if (!err)
            err = get_vli(in, in_len, &p, &uncompressed);
        if (err)
            return err;
        tally_add(&t, unpadded, uncompressed);
    }
    if (t.unpadded != blocks->unpadded || t.uncompressed != blocks->uncompressed ||
        t.crc != blocks->crc)
        return XZ_E_CORRUPT;
    while ((p - start) & 3) {
        if (p >= in_len)
            return XZ_E_TRUNCATED;
        if (in[p++])
            return XZ_E_CORRUPT;
    }
    if (in_len - p < 4)
        return XZ_E_TRUNCATED;
    if (crc32_update(0, in + start, p - start) != get_le32(in + p))
        return XZ_E_CHECK;
    *pos = p + 4;
    return 0;
}

/* One stream at in[*pos]: header, blocks, index, footer. */
static int stream_decode(const uint8_t *in, size_t in_len, size_t *pos, uint8_t *out, size_t out_cap,
                         size_t *out_pos)
{
    struct xz_tally blocks = { 0, 0, 0, 0 };
    size_t p = *pos, index_start;
    const uint8_t *h = in + p, *f;
    unsigned check;
    int err;

    if (in_len - p < XZ_HEADER_SIZE)
        return XZ_E_TRUNCATED;
    if (memcmp(h, header_magic, sizeof(header_magic)))
        return XZ_E_CORRUPT;
    if (crc32_update(0, h + 6, 2) != get_le32(h + 8))
        return XZ_E_CHECK;
    if (h[6] != 0 || (h[7] & 0xF0))
        return XZ_E_CORRUPT;
    check = h[7];
    if (check != CHECK_NONE && check != CHECK_CRC32 && check != CHECK_CRC64)
        return XZ_E_CHECK_TYPE;
    p += XZ_HEADER_SIZE;

    for (;;) {
        if (p >= in_len)
            return XZ_E_TRUNCATED;
        if (in[p] == 0)
            break;
        err = block_decode(in, in_len, &p, out, out_cap, out_pos, check, &blocks);
        if (err)
            return err;
    }
    index_start = p;
    err = index_check(in, in_len, &p, &blocks);
    if (err)
        return err;

    if (in_len - p < XZ_HEADER_SIZE)
        return XZ_E_TRUNCATED;
    f = in + p;
    if (crc32_update(0, f + 4, 6) != get_le32(f))
        return XZ_E_CHECK;
    if (((uint64_t)get_le32(f + 4) + 1) * 4 != p - index_start)
        return XZ_E_CORRUPT;
    if (f[8] != h[6] || f[9] != h[7] || memcmp(f + 10, footer_magic, sizeof(footer_magic)))
        return XZ_E_CORRUPT;
    *pos = p + XZ_HEADER_SIZE;
    return 0;
}

static int xz_decode_streams(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                             size_t *out_len)
{
    size_t pos = 0, out_pos = 0;

    do {
        size_t pad = 0;
        int err = stream_decode(in, in_len, &pos, out, out_cap, &out_pos);

        if (err)
            return err;
        /* Stream padding: zero bytes, a multiple of four of them. */
        while (pos < in_len && in[pos] == 0) {
            pos++;
            pad++;
        }
        if (pad & 3)
            return XZ_E_CORRUPT;
    } while (pos < in_len);
    *out_len = out_pos;
    return 0;
}

int xz_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    int err;

    *out_len = 0;
    if (__atomic_exchange_n(&xz_busy, 1, __ATOMIC_ACQUIRE))
        return XZ_E_BUSY;
    err = xz_decode_streams(in, in_len, out, out_cap, out_len);
    __atomic_store_n(&xz_busy, 0, __ATOMIC_RELEASE);
    return err;
}

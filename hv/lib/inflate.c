/* DEFLATE (RFC 1951) blocks: stored, fixed Huffman and dynamic Huffman,
 * decoded in one call into a caller's buffer that is also the window.
 * Huffman tables: inflate_huff.c. */
#include "lib/inflate_priv.h"
#include "lib/string.h"

/* Lengths 257..285 and distances 0..29: base value and extra bits
 * (RFC 1951, 3.2.5). */
static const uint16_t len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const uint8_t dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

/* The order in which a dynamic block sends the code length code's lengths. */
static const uint8_t clen_order[19] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* A stored block: the rest of the current byte is dropped, then LEN and
 * its complement NLEN, then LEN bytes as they are. */
static int stored_block(struct inflate_state *s)
{
    unsigned len, nlen;
    int rc;

    s->bitbuf >>= s->bitcnt & 7u;
    s->bitcnt &= ~7u;
    if ((rc = inflate_bits(s, 16, &len)) != 0 || (rc = inflate_bits(s, 16, &nlen)) != 0)
        return rc;
    if (len != (~nlen & 0xffffu))
        return GZ_E_BLOCK;
    /* The bits still buffered are whole bytes just before in_pos: give
     * them back and copy straight from the input. */
    s->in_pos -= s->bitcnt / 8;
    s->bitbuf = 0;
    s->bitcnt = 0;
    if (len > s->in_len - s->in_pos)
        return GZ_E_TRUNC;
    if (len > s->out_cap - s->out_pos)
        return GZ_E_OUTPUT;
    if (len != 0)
        memcpy(s->out + s->out_pos, s->in + s->in_pos, len);
    s->in_pos += len;
    s->out_pos += len;
    return 0;
}

/* The codes of a dynamic block: HLIT, HDIST, HCLEN, the code length code,
 * then the literal/length and distance code lengths run-length coded
 * with it (symbols 16, 17, 18). */
static int dynamic_tables(struct inflate_state *s)
{
    uint8_t lengths[286 + 30];
    unsigned hlit, hdist, hclen, i;
    int rc;

    if ((rc = inflate_bits(s, 5, &hlit)) != 0 || (rc = inflate_bits(s, 5, &hdist)) != 0 ||
        (rc = inflate_bits(s, 4, &hclen)) != 0)
        return rc;
    hlit += 257;
    hdist += 1;
    hclen += 4;
    /* 286, 287 and distances 30, 31 can never occur in the data (zlib
     * refuses them the same way). */
    if (hlit > 286 || hdist > 30)
        return GZ_E_TABLE;

    for (i = 0; i < 19; i++)
        lengths[i] = 0;
    for (i = 0; i < hclen; i++) {
        unsigned v;

        if ((rc = inflate_bits(s, 3, &v)) != 0)
            return rc;
        lengths[clen_order[i]] = (uint8_t)v;
    }
    /* The code length code goes in the distance slot for the moment. */
    if ((rc = inflate_huff_build(&s->dist, lengths, 19, INFLATE_HUFF_COMPLETE)) != 0)
        return rc;

    for (i = 0; i < hlit + hdist;) {
        int sym = inflate_huff_decode(s, &s->dist);
        unsigned rep, v;
        uint8_t fill = 0;

        if (sym < 0)
            return sym;
        if (sym < 16) {
            lengths[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return GZ_E_TABLE;  /* nothing to repeat */
            fill = lengths[i - 1];
            rc = inflate_bits(s, 2, &v);
            rep = 3 + v;
        } else if (sym == 17) {
            rc = inflate_bits(s, 3, &v);
            rep = 3 + v;
        } else {
            rc = inflate_bits(s, 7, &v);
            rep = 11 + v;
        }
        if (rc != 0)
            return rc;
        if (rep > hlit + hdist - i)
            return GZ_E_TABLE;      /* runs past the last length */
        while (rep--)
            lengths[i++] = fill;
    }
    if (lengths[256] == 0)
        return GZ_E_TABLE;          /* no end-of-block code: zlib refuses it too */
    if ((rc = inflate_huff_build(&s->lit, lengths, hlit, INFLATE_HUFF_ONE_OK)) != 0)
        return rc;
    return inflate_huff_build(&s->dist, lengths + hlit, hdist, INFLATE_HUFF_ONE_OK);
}

/* The fixed codes of RFC 1951, 3.2.6. */
static void fixed_tables(struct inflate_state *s)
{
    uint8_t lengths[288];
    unsigned i;

    for (i = 0; i < 144; i++)
        lengths[i] = 8;
    for (; i < 256; i++)
        lengths[i] = 9;
    for (; i < 280; i++)
        lengths[i] = 7;
    for (; i < 288; i++)
        lengths[i] = 8;
    /* Both sets are complete (the distance code has 32 five-bit codes, 30
     * and 31 included, which huffman_data() refuses): these cannot fail. */
    (void)inflate_huff_build(&s->lit, lengths, 288, INFLATE_HUFF_COMPLETE);
    for (i = 0; i < 32; i++)
        lengths[i] = 5;
    (void)inflate_huff_build(&s->dist, lengths, 32, INFLATE_HUFF_COMPLETE);
}

/* Literals and back-references of a Huffman block, up to end-of-block. */
static int huffman_data(struct inflate_state *s)
{
    for (;;) {
        int sym = inflate_huff_decode(s, &s->lit);
        unsigned len, dist, v;
        int rc;

        if (sym < 0)
            return sym;
        if (sym < 256) {
            if (s->out_pos == s->out_cap)
                return GZ_E_OUTPUT;
            s->out[s->out_pos++] = (uint8_t)sym;
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29)
            return GZ_E_CODE;       /* 286, 287: in the fixed code, never valid */
        if ((rc = inflate_bits(s, len_extra[sym], &v)) != 0)
            return rc;
        len = len_base[sym] + v;

        sym = inflate_huff_decode(s, &s->dist);
        if (sym < 0)
            return sym;
        if (sym >= 30)
            return GZ_E_CODE;       /* 30, 31: in the fixed code, never valid */
        if ((rc = inflate_bits(s, dist_extra[sym], &v)) != 0)
            return rc;
        dist = dist_base[sym] + v;

        if (dist > s->out_pos)
            return GZ_E_DIST;
        if (len > s->out_cap - s->out_pos)
            return GZ_E_OUTPUT;
        {
            uint8_t *d = s->out + s->out_pos;
            const uint8_t *from = d - dist;

            if (dist >= len) {
                memcpy(d, from, len);
            } else {
                /* Overlapping: each byte may be one this copy wrote. */
                for (unsigned k = 0; k < len; k++)
                    d[k] = from[k];
            }
        }
        s->out_pos += len;
    }
}

int inflate_raw_used(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                     size_t *out_len, size_t *in_used)
{
    struct inflate_state s;
    unsigned last, type;
    int fixed_loaded = 0;   /* s.lit and s.dist hold the fixed codes */
    int rc;

    s.in = in;
    s.in_len = in_len;
    s.in_pos = 0;
    s.bitbuf = 0;
    s.bitcnt = 0;
    s.out = out;
    s.out_cap = out_cap;
    s.out_pos = 0;

    do {
        if ((rc = inflate_bits(&s, 1, &last)) != 0 || (rc = inflate_bits(&s, 2, &type)) != 0)
            return rc;
        if (type == 0) {
            rc = stored_block(&s);
        } else if (type == 1) {
            /* Rebuilt only after a dynamic block: a stream of tiny fixed
             * blocks must not cost a table build per ten bits. */
            if (!fixed_loaded)
                fixed_tables(&s);
            fixed_loaded = 1;
            rc = huffman_data(&s);
        } else if (type == 2) {
            fixed_loaded = 0;
            rc = dynamic_tables(&s);
            if (rc == 0)
                rc = huffman_data(&s);
        } else {
            rc = GZ_E_BLOCK;
        }
        if (rc != 0)
            return rc;
    } while (!last);

    *out_len = s.out_pos;
    if (in_used)
        *in_used = s.in_pos - s.bitcnt / 8;   /* whole unread bytes go back */
    return 0;
}

int inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                size_t *out_len)
{
    return inflate_raw_used(in, in_len, out, out_cap, out_len, NULL);
}

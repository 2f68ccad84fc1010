/* Canonical Huffman codes of DEFLATE (RFC 1951, 3.2.2): building the
 * decoding tables from a list of code lengths, and the bit-by-bit decoder
 * for codes longer than the fast table. */
#include "lib/inflate_priv.h"

/* The bit-reversal of the low len bits of code: DEFLATE sends Huffman
 * codes most significant bit first, while the bit buffer holds the first
 * bit lowest. */
static unsigned reverse_bits(unsigned code, unsigned len)
{
    unsigned r = 0;

    for (unsigned i = 0; i < len; i++) {
        r = (r << 1) | (code & 1u);
        code >>= 1;
    }
    return r;
}

int inflate_huff_build(struct inflate_huff *h, const uint8_t *lengths, unsigned n,
                       enum inflate_huff_kind kind)
{
    uint16_t next[INFLATE_MAX_BITS + 2];
    unsigned total = 0, code = 0, idx = 0;
    long left = 1;   /* codes of the current length still unassigned */

    for (unsigned l = 0; l <= INFLATE_MAX_BITS; l++)
        h->count[l] = 0;
    for (unsigned i = 0; i < n; i++) {
        if (lengths[i] > INFLATE_MAX_BITS)
            return GZ_E_TABLE;
        h->count[lengths[i]]++;
    }
    h->count[0] = 0;
    h->max_len = 0;

    for (unsigned l = 1; l <= INFLATE_MAX_BITS; l++) {
        left = left * 2 - h->count[l];
        if (left < 0)
            return GZ_E_TABLE;      /* over-subscribed */
        total += h->count[l];
        if (h->count[l])
            h->max_len = (uint16_t)l;
    }
    if (left > 0) {
        /* Incomplete. zlib lets a lone one-bit code (or no code at all)
         * through for literal/length and distance codes; so do we. */
        if (kind != INFLATE_HUFF_ONE_OK || total > 1 || (total == 1 && h->count[1] != 1))
            return GZ_E_TABLE;
    }

    /* Symbols in canonical order: by length, then by symbol value. */
    next[1] = 0;
    for (unsigned l = 1; l <= INFLATE_MAX_BITS; l++)
        next[l + 1] = (uint16_t)(next[l] + h->count[l]);
    for (unsigned i = 0; i < n; i++) {
        if (lengths[i] != 0)
            h->sym[next[lengths[i]]++] = (uint16_t)i;
    }

    for (unsigned i = 0; i < (1u << INFLATE_FAST_BITS); i++)
        h->fast[i] = 0;
    for (unsigned l = 1; l <= INFLATE_FAST_BITS; l++) {
        for (unsigned k = 0; k < h->count[l]; k++, code++, idx++) {
            uint16_t e = (uint16_t)(h->sym[idx] << 4 | l);

            /* Every index whose low l bits are this code. */
            for (unsigned i = reverse_bits(code, l); i < (1u << INFLATE_FAST_BITS); i += 1u << l)
                h->fast[i] = e;
        }
        code <<= 1;
    }
    return 0;
}

int inflate_huff_decode_slow(struct inflate_state *s, const struct inflate_huff *h)
{
    unsigned code = 0, first = 0, idx = 0;

    inflate_refill(s);
    for (unsigned l = 1; l <= h->max_len; l++) {
        unsigned cnt = h->count[l];

        if (s->bitcnt < l)
            return GZ_E_TRUNC;
        code |= (unsigned)(s->bitbuf >> (l - 1)) & 1u;
        if (code - first < cnt) {
            s->bitbuf >>= l;
            s->bitcnt -= l;
            return h->sym[idx + (code - first)];
        }
        idx += cnt;
        first = (first + cnt) << 1;
        code <<= 1;
    }
    return GZ_E_CODE;
}

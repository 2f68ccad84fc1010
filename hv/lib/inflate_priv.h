/* Internals of the DEFLATE decoder (hv/lib/inflate.c, inflate_huff.c):
 * the bit reader and the canonical Huffman decoder, inline because they
 * run once per symbol. */
#ifndef HV_LIB_INFLATE_PRIV_H
#define HV_LIB_INFLATE_PRIV_H

#include "lib/inflate.h"

/* Codes up to this many bits are decoded by one table lookup; longer ones
 * (rare: they are the rarest symbols) bit by bit. 9 bits keeps the two
 * tables at 1 KiB each. */
#define INFLATE_FAST_BITS 9
#define INFLATE_MAX_BITS 15
#define INFLATE_MAX_SYMS 288   /* literal/length alphabet, the largest */

/* A canonical Huffman code. fast[] is indexed by the next FAST_BITS input
 * bits (first bit lowest): sym << 4 | length, or 0 when the code there is
 * longer than FAST_BITS (or no code starts with those bits). count[] and
 * sym[] (symbols ordered by code length, then value) drive the slow path. */
struct inflate_huff {
    uint16_t fast[1u << INFLATE_FAST_BITS];
    uint16_t count[INFLATE_MAX_BITS + 1];
    uint16_t sym[INFLATE_MAX_SYMS];
    uint16_t max_len;     /* the longest code: bits past it are no code */
};

struct inflate_state {
    const uint8_t *in;
    size_t in_len, in_pos;
    uint64_t bitbuf;      /* unread bits, next one lowest */
    unsigned bitcnt;
    uint8_t *out;
    size_t out_cap, out_pos;
    struct inflate_huff lit, dist;
};

/* What inflate_huff_build() accepts besides a complete code. */
enum inflate_huff_kind {
    INFLATE_HUFF_COMPLETE,    /* code length code: complete only */
    INFLATE_HUFF_ONE_OK,      /* lit/len and distance: also a lone 1-bit code, or none */
};

/* Builds h from lengths[0..n) (each 0..15; 0 = unused symbol). Refuses
 * over-subscribed sets and incomplete ones, except (kind ONE_OK) a single
 * code of one bit or an empty set, which zlib accepts too: the missing
 * codes then simply never decode. Returns 0 or GZ_E_TABLE. */
int inflate_huff_build(struct inflate_huff *h, const uint8_t *lengths, unsigned n,
                       enum inflate_huff_kind kind);

/* Tops the bit buffer up to at least 57 bits, or as far as the input goes. */
static inline void inflate_refill(struct inflate_state *s)
{
    while (s->bitcnt <= 56 && s->in_pos < s->in_len) {
        s->bitbuf |= (uint64_t)s->in[s->in_pos++] << s->bitcnt;
        s->bitcnt += 8;
    }
}

/* Reads n (0..16) bits, first bit lowest, into *v. */
static inline int inflate_bits(struct inflate_state *s, unsigned n, unsigned *v)
{
    if (s->bitcnt < n) {
        inflate_refill(s);
        if (s->bitcnt < n)
            return GZ_E_TRUNC;
    }
    *v = (unsigned)(s->bitbuf & ((1u << n) - 1));
    s->bitbuf >>= n;
    s->bitcnt -= n;
    return 0;
}

/* Slow path: walks the code one bit at a time. Canonical codes of one
 * length are consecutive numbers, the first of each length being
 * (first of the previous length + its count) << 1; a code read so far
 * that falls inside its length's range is complete. */
int inflate_huff_decode_slow(struct inflate_state *s, const struct inflate_huff *h);

/* Decodes one symbol of h; returns it (>= 0) or a GZ_E* code. */
static inline int inflate_huff_decode(struct inflate_state *s, const struct inflate_huff *h)
{
    unsigned e;

    if (s->bitcnt < INFLATE_MAX_BITS)
        inflate_refill(s);
    e = h->fast[s->bitbuf & ((1u << INFLATE_FAST_BITS) - 1)];
    if (e != 0 && (e & 15u) <= s->bitcnt) {
        s->bitbuf >>= e & 15u;
        s->bitcnt -= e & 15u;
        return (int)(e >> 4);
    }
    return inflate_huff_decode_slow(s, h);
}

#endif

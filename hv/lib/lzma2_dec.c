/* LZMA2 chunks and the LZMA decoder behind them.
 *
 * The output buffer is the dictionary: a match copies from earlier bytes
 * of out[], never further back than the last dictionary reset nor than the
 * dictionary size the properties announce. Each LZMA chunk carries its
 * compressed and uncompressed sizes, so the range decoder reads only from
 * its chunk and every symbol must end inside the chunk's output: nothing
 * can run past either buffer, and each loop turn writes at least one byte
 * (or moves on by one chunk), which bounds the time. */
#include "lib/lzma2_dec.h"
#include "lib/string.h"
#include "lib/xz.h"

#define PROB_BITS 11
#define PROB_INIT (1u << (PROB_BITS - 1))
#define MOVE_BITS 5
#define RC_TOP (1u << 24)
#define MATCH_LEN_MIN 2

/* The range decoder of one LZMA chunk. Reading past the chunk feeds zeros
 * and marks it overrun: the chunk is then refused as a whole. */
struct rc {
    uint32_t range;
    uint32_t code;
    const uint8_t *in;
    size_t pos;
    size_t end;
    int overrun;
};

static inline void rc_normalize(struct rc *rc)
{
    if (rc->range < RC_TOP) {
        uint8_t b = 0;

        if (rc->pos < rc->end)
            b = rc->in[rc->pos++];
        else
            rc->overrun = 1;
        rc->range <<= 8;
        rc->code = (rc->code << 8) | b;
    }
}

static inline uint32_t rc_bit(struct rc *rc, uint16_t *prob)
{
    uint32_t bound = (rc->range >> PROB_BITS) * *prob;
    uint32_t bit;

    if (rc->code < bound) {
        rc->range = bound;
        *prob = (uint16_t)(*prob + (((1u << PROB_BITS) - *prob) >> MOVE_BITS));
        bit = 0;
    } else {
        rc->range -= bound;
        rc->code -= bound;
        *prob = (uint16_t)(*prob - (*prob >> MOVE_BITS));
        bit = 1;
    }
    rc_normalize(rc);
    return bit;
}

/* Most significant bit first; probs[1 .. 2^bits - 1] are used. */
static inline uint32_t rc_tree(struct rc *rc, uint16_t *probs, unsigned bits)
{
    uint32_t m = 1;

    for (unsigned i = 0; i < bits; i++)
        m = (m << 1) | rc_bit(rc, &probs[m]);
    return m - (1u << bits);
}

/* Least significant bit first, same probability layout. */
static inline uint32_t rc_tree_rev(struct rc *rc, uint16_t *probs, unsigned bits)
{
    uint32_t m = 1, sym = 0;

    for (unsigned i = 0; i < bits; i++) {
        uint32_t bit = rc_bit(rc, &probs[m]);

        m = (m << 1) | bit;
        sym |= bit << i;
    }
    return sym;
}

/* Bits of fixed probability one half. */
static inline uint32_t rc_direct(struct rc *rc, unsigned bits)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < bits; i++) {
        rc->range >>= 1;
        if (rc->code >= rc->range) {
            rc->code -= rc->range;
            v = (v << 1) | 1;
        } else {
            v <<= 1;
        }
        rc_normalize(rc);
    }
    return v;
}

static uint32_t len_decode(struct rc *rc, struct lzma_len_probs *l, uint32_t pos_state)
{
    if (!rc_bit(rc, &l->choice))
        return MATCH_LEN_MIN + rc_tree(rc, l->low[pos_state], 3);
    if (!rc_bit(rc, &l->choice2))
        return MATCH_LEN_MIN + 8 + rc_tree(rc, l->mid[pos_state], 3);
    return MATCH_LEN_MIN + 16 + rc_tree(rc, l->high, 8);
}

static void state_reset(struct lzma2_dec *d)
{
    uint16_t *p = (uint16_t *)&d->p;
    size_t lit = (size_t)0x300 << (d->lc + d->lp);

    for (size_t i = 0; i < sizeof(d->p) / sizeof(uint16_t); i++)
        p[i] = PROB_INIT;
    for (size_t i = 0; i < lit; i++)
        d->literal[i / 0x300][i % 0x300] = PROB_INIT;
    d->state = 0;
    d->rep[0] = d->rep[1] = d->rep[2] = d->rep[3] = 0;
}

/* The dictionary seen from the decoder: out[base .. pos) is usable history,
 * at most dict_size of it. */
struct dict {
    uint8_t *buf; /* out[] at the last dictionary reset */
    size_t pos;   /* bytes written since that reset */
    uint32_t size;
};

static inline int dist_ok(const struct dict *dc, size_t pos, uint32_t rep0)
{
    return rep0 < pos && rep0 < dc->size;
}

/* len bytes from dist bytes back: a distance shorter than the length
 * repeats the pattern, so the copy runs upwards, eight bytes a step where
 * no step reads what it writes (dist >= 8), else byte by byte. Most of a
 * kernel image comes out of matches; the steps are unaligned 8-byte moves. */
static inline void copy_match(uint8_t *dst, uint32_t dist, uint32_t len)
{
    const uint8_t *src = dst - dist;

    if (dist >= 8) {
        for (; len >= 8; len -= 8, src += 8, dst += 8) {
            uint64_t w;

            __builtin_memcpy(&w, src, 8);
            __builtin_memcpy(dst, &w, 8);
        }
    }
    while (len--)
        *dst++ = *src++;
}

/* One LZMA chunk: exactly `unpacked` bytes from exactly in[0..packed). */
static int lzma_chunk(struct lzma2_dec *d, struct dict *dc, const uint8_t *in, size_t packed,
                      size_t unpacked)
{
    struct rc rc = { .range = 0xFFFFFFFFu, .code = 0, .in = in, .pos = 5, .end = packed };
    size_t end = dc->pos + unpacked;
    uint8_t *buf = dc->buf;
    uint32_t pb_mask = (1u << d->pb) - 1, lp_mask = (1u << d->lp) - 1;
    uint32_t state = d->state;
    uint32_t rep0 = d->rep[0], rep1 = d->rep[1], rep2 = d->rep[2], rep3 = d->rep[3];
    size_t pos = dc->pos;
    int err = 0;

    if (packed < 5 || in[0] != 0)
        return XZ_E_CORRUPT;
    rc.code = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];

    while (pos < end) {
        uint32_t pos_state = (uint32_t)pos & pb_mask;
        uint32_t len;

        if (!rc_bit(&rc, &d->p.is_match[state][pos_state])) {
            uint32_t prev = pos ? buf[pos - 1] : 0;
            uint16_t *probs = d->literal[((((uint32_t)pos & lp_mask) << d->lc) + (prev >> (8 - d->lc)))];
            uint32_t sym = 1;

            if (state >= 7) {
                /* After a match: the byte at rep0 steers the first bits. */
                uint32_t match_byte, offs = 0x100;

                if (!dist_ok(dc, pos, rep0)) {
                    err = XZ_E_CORRUPT;
                    break;
                }
                match_byte = buf[pos - rep0 - 1];
                while (sym < 0x100) {
                    uint32_t match_bit, bit;

                    match_byte <<= 1;
                    match_bit = match_byte & offs;
                    bit = rc_bit(&rc, &probs[offs + match_bit + sym]);
                    sym = (sym << 1) | bit;
                    offs &= bit ? match_bit : ~match_bit;
                }
            } else {
                while (sym < 0x100)
                    sym = (sym << 1) | rc_bit(&rc, &probs[sym]);
            }
            buf[pos++] = (uint8_t)sym;
            state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
            continue;
        }

        if (!rc_bit(&rc, &d->p.is_rep[state])) {
            /* A new distance. */
            uint32_t slot;

            len = len_decode(&rc, &d->p.match_len, pos_state);
            slot = rc_tree(&rc, d->p.dist_slot[len - MATCH_LEN_MIN < 3 ? len - MATCH_LEN_MIN : 3], 6);
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            if (slot < 4) {
                rep0 = slot;
            } else {
                unsigned extra = (slot >> 1) - 1;

                rep0 = (2u | (slot & 1u)) << extra;
                if (slot < 14) {
                    rep0 += rc_tree_rev(&rc, d->p.dist_special + rep0 - slot - 1, extra);
                } else {
                    rep0 += rc_direct(&rc, extra - 4) << 4;
                    rep0 += rc_tree_rev(&rc, d->p.dist_align, 4);
                }
            }
            state = state < 7 ? 7 : 10;
            /* The end marker (distance 2^32) has no place in LZMA2, and
             * dist_ok() refuses it like any other distance too far back. */
        } else {
            if (!rc_bit(&rc, &d->p.is_rep0[state])) {
                if (!rc_bit(&rc, &d->p.is_rep0_long[state][pos_state])) {
                    /* One byte from rep0. */
                    if (!dist_ok(dc, pos, rep0)) {
                        err = XZ_E_CORRUPT;
                        break;
                    }
                    buf[pos] = buf[pos - rep0 - 1];
                    pos++;
                    state = state < 7 ? 9 : 11;
                    continue;
                }
            } else {
                uint32_t dist;

                if (!rc_bit(&rc, &d->p.is_rep1[state])) {
                    dist = rep1;
                } else {
                    if (!rc_bit(&rc, &d->p.is_rep2[state])) {
                        dist = rep2;
                    } else {
                        dist = rep3;
                        rep3 = rep2;
                    }
                    rep2 = rep1;
                }
                rep1 = rep0;
                rep0 = dist;
            }
            len = len_decode(&rc, &d->p.rep_len, pos_state);
            state = state < 7 ? 8 : 11;
        }

        if (!dist_ok(dc, pos, rep0) || len > end - pos) {
            err = XZ_E_CORRUPT;
            break;
        }
        copy_match(buf + pos, rep0 + 1, len);
        pos += len;
    }

    d->state = state;
    d->rep[0] = rep0;
    d->rep[1] = rep1;
    d->rep[2] = rep2;
    d->rep[3] = rep3;
    dc->pos = pos;
    if (err)
        return err;
    /* The chunk must end exactly with its last symbol, the range coder
     * flushed (code zero) and every compressed byte read. */
    if (rc.overrun || rc.pos != rc.end || rc.code != 0)
        return XZ_E_CORRUPT;
    return 0;
}

static int lzma2_props(struct lzma2_dec *d, uint8_t b)
{
    if (b >= 9 * 5 * 5)
        return XZ_E_CORRUPT;
    d->lc = b % 9;
    b /= 9;
    d->lp = b % 5;
    d->pb = b / 5;
    if (d->lc + d->lp > 4)
        return XZ_E_CORRUPT;
    return 0;
}

int lzma2_decode(struct lzma2_dec *d, uint32_t dict_size, const uint8_t *in, size_t in_len,
                 size_t *in_used, uint8_t *out, size_t out_cap, size_t *out_used)
{
    struct dict dc = { .buf = out, .pos = 0, .size = dict_size };
    size_t ip = 0, op = 0; /* op: bytes of out[] written before dc.buf */
    int need_dict_reset = 1, need_props = 1;

    d->dict_size = dict_size;
    for (;;) {
        uint8_t ctl;
        size_t unpacked, packed;
        int err;

        if (ip >= in_len)
            return XZ_E_TRUNCATED;
        ctl = in[ip++];
        if (ctl == 0x00)
            break;
        if (ctl >= 0x03 && ctl < 0x80)
            return XZ_E_CORRUPT;
        if (need_dict_reset && ctl != 0x01 && ctl < 0xE0)
            return XZ_E_CORRUPT;
        if (ctl == 0x01 || ctl >= 0xE0) {
            need_dict_reset = 0;
            op += dc.pos;
            dc.buf = out + op;
            dc.pos = 0;
        }

        if (ctl < 0x80) {
            /* Stored bytes: copied into the dictionary as they are. */
            if (in_len - ip < 2)
                return XZ_E_TRUNCATED;
            unpacked = ((size_t)in[ip] << 8 | in[ip + 1]) + 1;
            ip += 2;
            if (in_len - ip < unpacked)
                return XZ_E_TRUNCATED;
            if (out_cap - op - dc.pos < unpacked)
                return XZ_E_NOSPACE;
            memcpy(dc.buf + dc.pos, in + ip, unpacked);
            dc.pos += unpacked;
            ip += unpacked;
            continue;
        }

        if (in_len - ip < 4)
            return XZ_E_TRUNCATED;
        unpacked = ((size_t)(ctl & 0x1F) << 16 | (size_t)in[ip] << 8 | in[ip + 1]) + 1;
        packed = ((size_t)in[ip + 2] << 8 | in[ip + 3]) + 1;
        ip += 4;
        if (ctl >= 0xC0) {
            if (ip >= in_len)
                return XZ_E_TRUNCATED;
            err = lzma2_props(d, in[ip++]);
            if (err)
                return err;
            need_props = 0;
        } else if (need_props) {
            return XZ_E_CORRUPT;
        }
        if (ctl >= 0xA0)
            state_reset(d);
        if (in_len - ip < packed)
            return XZ_E_TRUNCATED;
        if (out_cap - op - dc.pos < unpacked)
            return XZ_E_NOSPACE;
        err = lzma_chunk(d, &dc, in + ip, packed, unpacked);
        if (err)
            return err;
        ip += packed;
    }
    *in_used = ip;
    *out_used = op + dc.pos;
    return 0;
}

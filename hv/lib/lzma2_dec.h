/* LZMA2 decoder over a flat output buffer that is its own dictionary. */
#ifndef HV_LIB_LZMA2_DEC_H
#define HV_LIB_LZMA2_DEC_H

#include <stddef.h>
#include <stdint.h>

#define LZMA_STATES 12
#define LZMA_POS_STATES_MAX 16 /* pb <= 4 */
#define LZMA_LIT_CODERS_MAX 16 /* lc + lp <= 4 in LZMA2 */

struct lzma_len_probs {
    uint16_t choice;
    uint16_t choice2;
    uint16_t low[LZMA_POS_STATES_MAX][8];
    uint16_t mid[LZMA_POS_STATES_MAX][8];
    uint16_t high[256];
};

/* Every adaptive probability but the literal coders', reset together. */
struct lzma_probs {
    uint16_t is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
    uint16_t is_rep[LZMA_STATES];
    uint16_t is_rep0[LZMA_STATES];
    uint16_t is_rep1[LZMA_STATES];
    uint16_t is_rep2[LZMA_STATES];
    uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
    uint16_t dist_slot[4][64];
    uint16_t dist_special[114]; /* slots 4..13: 128 full distances - 14 */
    uint16_t dist_align[16];
    struct lzma_len_probs match_len;
    struct lzma_len_probs rep_len;
};

struct lzma2_dec {
    struct lzma_probs p;
    uint16_t literal[LZMA_LIT_CODERS_MAX][0x300];
    uint32_t dict_size;
    uint32_t lc, lp, pb;
    uint32_t state;
    uint32_t rep[4];
};

/* Decodes one LZMA2 stream (up to and including its end byte) from
 * in[0..in_len) into out[0..out_cap), the block's own output. dict_size
 * comes from the filter properties. On success returns 0 with *in_used and
 * *out_used; else a negative XZ_E_* code. */
int lzma2_decode(struct lzma2_dec *d, uint32_t dict_size, const uint8_t *in, size_t in_len,
                 size_t *in_used, uint8_t *out, size_t out_cap, size_t *out_used);

#endif

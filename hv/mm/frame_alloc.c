/* Bitmap frame allocator (see frame_alloc.h). Bit i of word w is frame
 * 64*w + i; bits past nr_frames in the last word always stay 0. */
#include "mm/frame_alloc.h"

#include "lib/string.h"

#define WORD_BITS 64u
#define NO_FRAME  UINT64_MAX

static uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x * 0x0101010101010101ULL) >> 56;
}

/* Mask of bits [lo, hi) within one word, 0 <= lo < hi <= 64. */
static uint64_t bits_mask(unsigned lo, unsigned hi)
{
    uint64_t upper = hi == WORD_BITS ? ~0ULL : (1ULL << hi) - 1;
    return upper & ~((1ULL << lo) - 1);
}

static bool range_ok(const struct falloc *fa, uint64_t pfn, uint64_t count)
{
    return pfn <= fa->nr_frames && count <= fa->nr_frames - pfn;
}

/* Runs body for each piece of [pfn, pfn+count) that lies in one word w,
 * with m the mask of the piece's bits. */
#define FOR_EACH_PIECE(pfn, count, w, m, body)                               \
    do {                                                                     \
        uint64_t p_ = (pfn), e_ = (pfn) + (count);                           \
        while (p_ < e_) {                                                    \
            uint64_t w = p_ / WORD_BITS;                                     \
            unsigned lo_ = (unsigned)(p_ % WORD_BITS);                       \
            uint64_t left_ = e_ - p_;                                        \
            unsigned hi_ = left_ >= WORD_BITS - lo_ ? WORD_BITS : lo_ + (unsigned)left_; \
            uint64_t m = bits_mask(lo_, hi_);                                \
            body;                                                            \
            p_ += hi_ - lo_;                                                 \
        }                                                                    \
    } while (0)

size_t falloc_bitmap_bytes(uint64_t nr_frames)
{
    return (size_t)((nr_frames + WORD_BITS - 1) / WORD_BITS) * sizeof(uint64_t);
}

void falloc_init(struct falloc *fa, uint64_t *bitmap, uint64_t nr_frames)
{
    fa->bitmap = bitmap;
    fa->nr_frames = nr_frames;
    fa->nr_free = 0;
    fa->hint = 0;
    memset(bitmap, 0, falloc_bitmap_bytes(nr_frames));
}

int falloc_free_range(struct falloc *fa, uint64_t pfn, uint64_t count)
{
    bool clash = false;

    if (!range_ok(fa, pfn, count))
        return -1;
    FOR_EACH_PIECE(pfn, count, w, m, if (fa->bitmap[w] & m) clash = true);
    if (clash)
        return -1;
    FOR_EACH_PIECE(pfn, count, w, m, fa->bitmap[w] |= m);
    fa->nr_free += count;
    return 0;
}

int falloc_reserve_range(struct falloc *fa, uint64_t pfn, uint64_t count)
{
    if (!range_ok(fa, pfn, count))
        return -1;
    FOR_EACH_PIECE(pfn, count, w, m, {
        fa->nr_free -= popcount64(fa->bitmap[w] & m);
        fa->bitmap[w] &= ~m;
    });
    return 0;
}

/* First frame >= from and < to whose bit equals 'want_free'; NO_FRAME if
 * none. Bits past nr_frames read as used. */
static uint64_t find_bit(const struct falloc *fa, uint64_t from, uint64_t to, bool want_free)
{
    while (from < to) {
        uint64_t w = from / WORD_BITS;
        uint64_t bits = want_free ? fa->bitmap[w] : ~fa->bitmap[w];

        bits &= ~0ULL << (from % WORD_BITS);
        if (bits) {
            uint64_t pfn = w * WORD_BITS + (uint64_t)__builtin_ctzll(bits);
            return pfn < to ? pfn : NO_FRAME;
        }
        from = (w + 1) * WORD_BITS;
    }
    return NO_FRAME;
}

static void take(struct falloc *fa, uint64_t pfn)
{
    fa->bitmap[pfn / WORD_BITS] &= ~(1ULL << (pfn % WORD_BITS));
    fa->nr_free--;
}

bool falloc_alloc(struct falloc *fa, uint64_t *pfn)
{
    uint64_t hint = fa->hint < fa->nr_frames ? fa->hint : 0;
    uint64_t f;

    if (!fa->nr_free)
        return false;
    f = find_bit(fa, hint, fa->nr_frames, true);
    if (f == NO_FRAME)
        f = find_bit(fa, 0, hint, true);
    if (f == NO_FRAME)
        return false;
    take(fa, f);
    fa->hint = f + 1;
    *pfn = f;
    return true;
}

uint64_t falloc_alloc_run(struct falloc *fa, uint64_t max, uint64_t *pfn)
{
    uint64_t first, p, end;

    if (!max || !falloc_alloc(fa, &first))
        return 0;
    /* falloc_alloc took the first frame; take the free ones right after
     * it, a word of the bitmap at a time. */
    p = first + 1;
    end = first + max < fa->nr_frames ? first + max : fa->nr_frames;
    while (p < end) {
        uint64_t w = p / WORD_BITS, lo = p % WORD_BITS;
        uint64_t n = WORD_BITS - lo < end - p ? WORD_BITS - lo : end - p;
        uint64_t want = bits_mask((unsigned)lo, (unsigned)(lo + n)), got = fa->bitmap[w] & want;
        if (got != want) {
            /* Up to the first frame in use. */
            uint64_t used = ~fa->bitmap[w] & want;
            n = (uint64_t)__builtin_ctzll(used) - lo;
            want = n ? bits_mask((unsigned)lo, (unsigned)(lo + n)) : 0;
            fa->bitmap[w] &= ~want;
            fa->nr_free -= n;
            p += n;
            break;
        }
        fa->bitmap[w] &= ~want;
        fa->nr_free -= n;
        p += n;
    }
    fa->hint = p;
    *pfn = first;
    return p - first;
}

bool falloc_alloc_contig(struct falloc *fa, uint64_t count, uint64_t align,
                         uint64_t limit_pfn, uint64_t *pfn)
{
    uint64_t end = fa->nr_frames;
    uint64_t start = 0;

    if (align == 0)
        align = 1;
    if (align & (align - 1))
        return false;
    if (limit_pfn && limit_pfn < end)
        end = limit_pfn;
    if (count == 0 || count > end || count > fa->nr_free)
        return false;

    for (;;) {
        uint64_t first_free, used;

        first_free = find_bit(fa, start, end, true);
        if (first_free == NO_FRAME)
            return false;
        /* Round up to the alignment, watching for overflow. */
        start = (first_free + align - 1) & ~(align - 1);
        if (start < first_free || start > end - count)
            return false;
        used = find_bit(fa, start, start + count, false);
        if (used == NO_FRAME)
            break;
        start = used + 1;
    }

    FOR_EACH_PIECE(start, count, w, m, fa->bitmap[w] &= ~m);
    fa->nr_free -= count;
    *pfn = start;
    return true;
}

uint64_t falloc_free_count(const struct falloc *fa)
{
    return fa->nr_free;
}

bool falloc_is_free(const struct falloc *fa, uint64_t pfn)
{
    if (pfn >= fa->nr_frames)
        return false;
    return (fa->bitmap[pfn / WORD_BITS] >> (pfn % WORD_BITS)) & 1;
}

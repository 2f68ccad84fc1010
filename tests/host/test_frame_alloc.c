/* Tests for hv/mm/frame_alloc.c. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "mm/frame_alloc.h"
#include "test.h"

static uint64_t *new_bitmap(uint64_t nr)
{
    /* Poisoned so that falloc_init has to clear it. */
    size_t bytes = falloc_bitmap_bytes(nr);
    uint64_t *bm = malloc(bytes ? bytes : 1);
    memset(bm, 0xa5, bytes);
    return bm;
}

static void test_bitmap_bytes(void)
{
    CHECK_EQ(falloc_bitmap_bytes(0), 0);
    CHECK_EQ(falloc_bitmap_bytes(1), 8);
    CHECK_EQ(falloc_bitmap_bytes(64), 8);
    CHECK_EQ(falloc_bitmap_bytes(65), 16);
    CHECK_EQ(falloc_bitmap_bytes(1ULL << 20), (1ULL << 20) / 8);
}

static void test_init_all_allocated(void)
{
    struct falloc fa;
    uint64_t *bm = new_bitmap(200), pfn = 77;

    falloc_init(&fa, bm, 200);
    CHECK_EQ(falloc_free_count(&fa), 0);
    for (uint64_t i = 0; i < 200; i++)
        CHECK(!falloc_is_free(&fa, i));
    CHECK(!falloc_is_free(&fa, 200));
    CHECK(!falloc_alloc(&fa, &pfn));
    CHECK_EQ(pfn, 77);
    CHECK(!falloc_alloc_contig(&fa, 1, 1, 0, &pfn));
    free(bm);
}

static void test_free_and_reserve(void)
{
    struct falloc fa;
    uint64_t *bm = new_bitmap(300);

    falloc_init(&fa, bm, 300);
    CHECK_EQ(falloc_free_range(&fa, 10, 100), 0);
    CHECK_EQ(falloc_free_count(&fa), 100);
    CHECK(!falloc_is_free(&fa, 9));
    CHECK(falloc_is_free(&fa, 10));
    CHECK(falloc_is_free(&fa, 109));
    CHECK(!falloc_is_free(&fa, 110));

    /* Double free refused, nothing changed, even for a partly-used range. */
    CHECK_EQ(falloc_free_range(&fa, 105, 10), -1);
    CHECK_EQ(falloc_free_count(&fa), 100);
    CHECK(!falloc_is_free(&fa, 110));
    CHECK_EQ(falloc_free_range(&fa, 50, 1), -1);

    /* Out of range, including overflow. */
    CHECK_EQ(falloc_free_range(&fa, 290, 11), -1);
    CHECK_EQ(falloc_free_range(&fa, 301, 0), -1);
    CHECK_EQ(falloc_free_range(&fa, 2, UINT64_MAX), -1);
    CHECK_EQ(falloc_free_range(&fa, 300, 0), 0);
    CHECK_EQ(falloc_free_range(&fa, 290, 10), 0);
    CHECK_EQ(falloc_free_count(&fa), 110);
    CHECK(falloc_is_free(&fa, 299));

    /* Reserve over a mixed range: only the free frames are counted. */
    CHECK_EQ(falloc_reserve_range(&fa, 100, 200), 0);
    CHECK_EQ(falloc_free_count(&fa), 90);
    CHECK(!falloc_is_free(&fa, 100));
    CHECK(!falloc_is_free(&fa, 299));
    CHECK(falloc_is_free(&fa, 99));
    CHECK_EQ(falloc_reserve_range(&fa, 100, 200), 0);
    CHECK_EQ(falloc_free_count(&fa), 90);
    CHECK_EQ(falloc_reserve_range(&fa, 299, 2), -1);
    CHECK_EQ(falloc_reserve_range(&fa, 1, UINT64_MAX), -1);
    CHECK_EQ(falloc_free_count(&fa), 90);
    free(bm);
}

static void test_alloc_next_fit(void)
{
    struct falloc fa;
    uint64_t *bm = new_bitmap(130), pfn;

    falloc_init(&fa, bm, 130);
    falloc_free_range(&fa, 0, 130);
    CHECK(falloc_alloc(&fa, &pfn));
    CHECK_EQ(pfn, 0);
    CHECK(falloc_alloc(&fa, &pfn));
    CHECK_EQ(pfn, 1);
    /* Freed frames are not reused until the search wraps around. */
    falloc_free_range(&fa, 0, 1);
    CHECK(falloc_alloc(&fa, &pfn));
    CHECK_EQ(pfn, 2);
    for (uint64_t i = 3; i < 130; i++) {
        CHECK(falloc_alloc(&fa, &pfn));
        CHECK_EQ(pfn, i);
    }
    CHECK(falloc_alloc(&fa, &pfn));
    CHECK_EQ(pfn, 0);
    CHECK_EQ(falloc_free_count(&fa), 0);
    CHECK(!falloc_alloc(&fa, &pfn));
    free(bm);
}

static void test_contig(void)
{
    struct falloc fa;
    uint64_t *bm = new_bitmap(1024), pfn;

    falloc_init(&fa, bm, 1024);
    falloc_free_range(&fa, 3, 1000);           /* free: [3, 1003) */

    CHECK(falloc_alloc_contig(&fa, 5, 1, 0, &pfn));
    CHECK_EQ(pfn, 3);
    CHECK(falloc_alloc_contig(&fa, 4, 8, 0, &pfn));
    CHECK_EQ(pfn, 8);
    CHECK(falloc_alloc_contig(&fa, 100, 64, 0, &pfn));
    CHECK_EQ(pfn, 64);
    for (uint64_t i = 64; i < 164; i++)
        CHECK(!falloc_is_free(&fa, i));
    CHECK_EQ(falloc_free_count(&fa), 1000 - 109);

    /* Free now: [12,64) [164,1003). First fit takes the low gap. */
    CHECK(falloc_alloc_contig(&fa, 40, 1, 0, &pfn));
    CHECK_EQ(pfn, 12);
    /* A used frame in the middle forces the search past it:
     * [52,64) and [164,200) are too short. */
    falloc_reserve_range(&fa, 200, 1);
    CHECK(falloc_alloc_contig(&fa, 40, 1, 0, &pfn));
    CHECK_EQ(pfn, 201);

    /* Limits: the whole run must end at or below limit_pfn.
     * Free now: [52,64) [164,200) [241,1003). */
    CHECK(!falloc_alloc_contig(&fa, 50, 1, 250, &pfn));
    CHECK(falloc_alloc_contig(&fa, 9, 1, 250, &pfn));
    CHECK_EQ(pfn, 52);
    CHECK(falloc_alloc_contig(&fa, 36, 1, 200, &pfn));
    CHECK_EQ(pfn, 164);
    CHECK(!falloc_alloc_contig(&fa, 10, 1, 250, &pfn));
    CHECK(falloc_alloc_contig(&fa, 9, 1, 250, &pfn));
    CHECK_EQ(pfn, 241);

    /* Too big, alignment, and the end of the free area (1003). */
    CHECK(!falloc_alloc_contig(&fa, 1000, 1, 0, &pfn));
    CHECK(falloc_alloc_contig(&fa, 3, 1, 0, &pfn));
    CHECK_EQ(pfn, 61);
    CHECK(falloc_alloc_contig(&fa, 256, 256, 0, &pfn));
    CHECK_EQ(pfn, 256);
    CHECK(falloc_alloc_contig(&fa, 256, 256, 0, &pfn));
    CHECK_EQ(pfn, 512);
    CHECK(!falloc_alloc_contig(&fa, 256, 256, 0, &pfn));
    CHECK(falloc_alloc_contig(&fa, 235, 1, 0, &pfn));
    CHECK_EQ(pfn, 768);
    CHECK(!falloc_is_free(&fa, 1002));
    CHECK(falloc_alloc_contig(&fa, 6, 1, 0, &pfn));
    CHECK_EQ(pfn, 250);
    /* Bad arguments. */
    CHECK(!falloc_alloc_contig(&fa, 0, 1, 0, &pfn));
    CHECK(!falloc_alloc_contig(&fa, 2, 3, 0, &pfn));
    CHECK(!falloc_alloc_contig(&fa, 1, 1ULL << 63, 0, &pfn));
    free(bm);
}

/* Random operations checked against a byte-per-frame model. */
static void test_alloc_run(void)
{
    struct falloc fa;
    uint64_t *bm = new_bitmap(300), pfn = 0, n;

    falloc_init(&fa, bm, 300);
    CHECK_EQ(falloc_alloc_run(&fa, 10, &pfn), 0);           /* nothing free */
    CHECK_EQ(falloc_free_range(&fa, 5, 200), 0);             /* 5..204 */
    CHECK_EQ(falloc_reserve_range(&fa, 130, 1), 0);          /* a hole at 130 */
    n = falloc_alloc_run(&fa, 3, &pfn);
    CHECK_EQ(n, 3);
    CHECK_EQ(pfn, 5);
    n = falloc_alloc_run(&fa, 1000, &pfn);                   /* up to the hole */
    CHECK_EQ(pfn, 8);
    CHECK_EQ(n, 122);
    CHECK(!falloc_is_free(&fa, 129));
    n = falloc_alloc_run(&fa, 64, &pfn);                     /* after the hole, a word's worth */
    CHECK_EQ(pfn, 131);
    CHECK_EQ(n, 64);
    n = falloc_alloc_run(&fa, 1000, &pfn);                   /* to the end of the free range */
    CHECK_EQ(pfn, 195);
    CHECK_EQ(n, 10);
    CHECK_EQ(falloc_free_count(&fa), 0);
    CHECK_EQ(falloc_alloc_run(&fa, 1, &pfn), 0);
    CHECK_EQ(falloc_alloc_run(&fa, 0, &pfn), 0);
    /* Wraps to the start like falloc_alloc; stops at the map's end. */
    CHECK_EQ(falloc_free_range(&fa, 290, 10), 0);
    CHECK_EQ(falloc_free_range(&fa, 0, 2), 0);
    n = falloc_alloc_run(&fa, 100, &pfn);
    CHECK_EQ(pfn, 290);
    CHECK_EQ(n, 10);
    n = falloc_alloc_run(&fa, 100, &pfn);
    CHECK_EQ(pfn, 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(falloc_free_count(&fa), 0);
    free(bm);
}

static void test_random_model(void)
{
    enum { NR = 5000 };
    struct falloc fa;
    uint64_t *bm = new_bitmap(NR);
    static bool model[NR];                     /* true = free */
    uint64_t model_free = 0, seed = 12345;

    falloc_init(&fa, bm, NR);
    memset(model, 0, sizeof(model));

    for (int iter = 0; iter < 20000 && !test_cur_failed; iter++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = seed >> 17;
        uint64_t pfn = (r >> 8) % NR, count = (r >> 24) % 300, got;
        int op = (int)(r % 5);

        if (op == 0) {                          /* free a range */
            bool ok = pfn + count <= NR;
            for (uint64_t i = pfn; ok && i < pfn + count; i++)
                ok = !model[i];
            CHECK_EQ(falloc_free_range(&fa, pfn, count), ok ? 0 : -1);
            if (ok) {
                for (uint64_t i = pfn; i < pfn + count; i++)
                    model[i] = true;
                model_free += count;
            }
        } else if (op == 1) {                   /* reserve a range */
            bool ok = pfn + count <= NR;
            CHECK_EQ(falloc_reserve_range(&fa, pfn, count), ok ? 0 : -1);
            for (uint64_t i = pfn; ok && i < pfn + count; i++) {
                if (model[i])
                    model_free--;
                model[i] = false;
            }
        } else if (op == 2 || op == 3) {        /* single allocations */
            for (int k = 0; k < 20; k++) {
                bool ok = falloc_alloc(&fa, &got);
                CHECK_EQ(ok, model_free != 0);
                if (!ok)
                    break;
                CHECK(got < NR && model[got]);
                if (got < NR && model[got]) {
                    model[got] = false;
                    model_free--;
                }
            }
        } else {                                /* contiguous */
            uint64_t align = 1ULL << ((r >> 40) % 7), limit = (r >> 48) % 2 ? 0 : pfn;
            uint64_t c = count % 64 + 1, end = limit ? limit : NR, expect = UINT64_MAX;
            for (uint64_t s = 0; s + c <= end; s += align) {
                bool fits = true;
                for (uint64_t i = s; fits && i < s + c; i++)
                    fits = model[i];
                if (fits) {
                    expect = s;
                    break;
                }
            }
            bool ok = falloc_alloc_contig(&fa, c, align, limit, &got);
            CHECK_EQ(ok, expect != UINT64_MAX);
            if (ok) {
                CHECK_EQ(got, expect);
                for (uint64_t i = got; i < got + c && i < NR; i++)
                    model[i] = false;
                model_free -= c;
            }
        }
        CHECK_EQ(falloc_free_count(&fa), model_free);
    }
    for (uint64_t i = 0; i < NR; i++)
        CHECK_EQ(falloc_is_free(&fa, i), model[i]);
    free(bm);
}

int main(void)
{
    RUN_TEST(test_bitmap_bytes);
    RUN_TEST(test_init_all_allocated);
    RUN_TEST(test_free_and_reserve);
    RUN_TEST(test_alloc_next_fit);
    RUN_TEST(test_contig);
    RUN_TEST(test_alloc_run);
    RUN_TEST(test_random_model);
    return test_main_result();
}

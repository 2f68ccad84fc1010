/* The guests' heap (guests/lib/heap.c): first fit, splitting, coalescing,
 * alignment, and bad frees that are noticed and leave the heap intact. */
#include <stdlib.h>
#include "test.h"
#include "heap.h"

static _Alignas(16) unsigned char area[64 * 1024];

static void test_basic(void)
{
    struct heap_stats st;
    void *a, *b, *c;

    heap_init(area + 3, sizeof(area) - 3);      /* unaligned base */
    heap_stats(&st);
    CHECK(st.size >= sizeof(area) - 32);
    CHECK_EQ(st.used, 0);
    a = heap_alloc(1);
    b = heap_alloc(100);
    c = heap_alloc(1000);
    CHECK(a && b && c);
    CHECK_EQ((uintptr_t)a % 16, 0);
    CHECK_EQ((uintptr_t)b % 16, 0);
    CHECK((unsigned char *)a >= area && (unsigned char *)c + 1000 <= area + sizeof(area));
    memset(a, 0xaa, 1);
    memset(b, 0xbb, 100);
    memset(c, 0xcc, 1000);
    heap_stats(&st);
    CHECK_EQ(st.allocs, 3);
    heap_free(b);
    /* The hole is reused first fit. */
    CHECK(heap_alloc(90) == b);
    heap_free(a);
    heap_free(b);
    heap_free(c);
    heap_stats(&st);
    CHECK_EQ(st.used, 0);
    CHECK_EQ(st.allocs, 0);
    /* Coalesced back into one block. */
    CHECK_EQ(st.free, st.size);
    CHECK(st.largest_free + 32 == st.size);
    CHECK(heap_alloc(0) == NULL);
    CHECK(heap_alloc(sizeof(area)) == NULL);
    CHECK(heap_alloc((size_t)-1) == NULL);
    heap_stats(&st);
    CHECK_EQ(st.failed, 3);
}

static void test_bad_frees(void)
{
    struct heap_stats st;
    int on_stack;
    void *a, *b;

    heap_init(area, sizeof(area));
    a = heap_alloc(64);
    b = heap_alloc(64);
    heap_free(a);
    heap_free(a);                       /* double free */
    heap_free((char *)b + 16);          /* inside a block */
    heap_free((char *)b + 1);           /* misaligned */
    heap_free(&on_stack);               /* not the heap's */
    heap_free(area + sizeof(area) - 16);
    heap_free(NULL);                    /* fine, not counted */
    heap_stats(&st);
    CHECK_EQ(st.bad_frees, 5);
    CHECK_EQ(st.allocs, 1);
    heap_free(b);
    heap_stats(&st);
    CHECK_EQ(st.free, st.size);
}

static void test_exhaust_and_churn(void)
{
    static void *ptrs[4096];
    struct heap_stats st;
    unsigned n = 0, seed = 12345;

    heap_init(area, sizeof(area));
    while (n < 4096 && (ptrs[n] = heap_alloc(24)))
        n++;
    CHECK(n > 1000 && n < 4096);
    for (unsigned i = 0; i < n; i += 2)
        heap_free(ptrs[i]);
    /* Holes of 24 bytes cannot hold 100. */
    heap_stats(&st);
    CHECK(st.largest_free < 100);
    for (unsigned i = 1; i < n; i += 2)
        heap_free(ptrs[i]);
    heap_stats(&st);
    CHECK_EQ(st.free, st.size);
    /* Random churn against a model of what each block holds. */
    memset(ptrs, 0, sizeof(ptrs));
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        unsigned i = (seed >> 8) % 512;

        if (ptrs[i]) {
            CHECK_EQ(*(unsigned char *)ptrs[i], (unsigned char)i);
            heap_free(ptrs[i]);
            ptrs[i] = NULL;
        } else {
            size_t sz = 1 + (seed >> 20) % 300;

            ptrs[i] = heap_alloc(sz);
            if (ptrs[i])
                memset(ptrs[i], (int)(unsigned char)i, sz);
        }
    }
    for (unsigned i = 0; i < 512; i++)
        heap_free(ptrs[i]);
    heap_stats(&st);
    CHECK_EQ(st.allocs, 0);
    CHECK_EQ(st.free, st.size);
    CHECK_EQ(st.bad_frees, 0);
}

int main(void)
{
    RUN_TEST(test_basic);
    RUN_TEST(test_bad_frees);
    RUN_TEST(test_exhaust_and_churn);
    return test_main_result();
}

/* A small first-fit allocator for guests (see heap.h). */
#include "heap.h"

#define HEAP_ALIGN 16u
#define MAGIC_USED 0x48454150u   /* "HEAP" */
#define MAGIC_FREE 0x46524545u   /* "FREE" */

/* 32 bytes, so that payloads stay 16-byte aligned. */
struct block {
    uint32_t magic;
    uint32_t check;              /* magic ^ size ^ address: catches scribbles */
    size_t size;                 /* whole block, header included */
    struct block *next_free;     /* free blocks only, by address */
    size_t pad;
};

static struct {
    char *base;
    size_t size;
    struct block *free_list;
    size_t used;
    unsigned allocs, bad_frees, failed;
} heap;

static uint32_t check_of(const struct block *b)
{
    uint64_t a = (uint64_t)(uintptr_t)b;

    return b->magic ^ (uint32_t)b->size ^ (uint32_t)(b->size >> 32) ^ (uint32_t)a ^
           (uint32_t)(a >> 32);
}

static void set_block(struct block *b, uint32_t magic, size_t size)
{
    b->magic = magic;
    b->size = size;
    b->check = check_of(b);
}

void heap_init(void *base, size_t size)
{
    uintptr_t start = ((uintptr_t)base + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
    size_t lost = start - (uintptr_t)base;

    heap.base = (char *)start;
    heap.size = size > lost ? (size - lost) & ~(size_t)(HEAP_ALIGN - 1) : 0;
    heap.free_list = NULL;
    heap.used = 0;
    heap.allocs = heap.bad_frees = heap.failed = 0;
    if (heap.size >= 2 * sizeof(struct block)) {
        heap.free_list = (struct block *)heap.base;
        set_block(heap.free_list, MAGIC_FREE, heap.size);
        heap.free_list->next_free = NULL;
    }
}

void *heap_alloc(size_t n)
{
    size_t need;

    if (!n || n > heap.size) {
        heap.failed++;
        return NULL;
    }
    need = (n + sizeof(struct block) + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    for (struct block **pp = &heap.free_list; *pp; pp = &(*pp)->next_free) {
        struct block *b = *pp;

        if (b->size < need)
            continue;
        if (b->size - need >= 2 * sizeof(struct block)) {
            /* Split: the tail stays free. */
            struct block *rest = (struct block *)((char *)b + need);

            set_block(rest, MAGIC_FREE, b->size - need);
            rest->next_free = b->next_free;
            *pp = rest;
            set_block(b, MAGIC_USED, need);
        } else {
            *pp = b->next_free;
            set_block(b, MAGIC_USED, b->size);
        }
        b->next_free = NULL;
        heap.used += b->size;
        heap.allocs++;
        return b + 1;
    }
    heap.failed++;
    return NULL;
}

/* Is p the payload of a live block of this heap? */
static struct block *live_block(void *p)
{
    struct block *b = (struct block *)p - 1;
    uintptr_t a = (uintptr_t)p;

    if (a < (uintptr_t)heap.base + sizeof(struct block) ||
        a >= (uintptr_t)heap.base + heap.size || (a & (HEAP_ALIGN - 1)))
        return NULL;
    if (b->magic != MAGIC_USED || b->check != check_of(b) ||
        b->size > (size_t)(heap.base + heap.size - (char *)b))
        return NULL;
    return b;
}

void heap_free(void *p)
{
    struct block *b, *prev = NULL, *next;

    if (!p)
        return;
    b = live_block(p);
    if (!b) {
        heap.bad_frees++;
        return;
    }
    heap.used -= b->size;
    heap.allocs--;
    next = heap.free_list;
    while (next && next < b) {
        prev = next;
        next = next->next_free;
    }
    set_block(b, MAGIC_FREE, b->size);
    b->next_free = next;
    if (next && (char *)b + b->size == (char *)next) {
        set_block(b, MAGIC_FREE, b->size + next->size);
        b->next_free = next->next_free;
        next->magic = 0;
    }
    if (prev && (char *)prev + prev->size == (char *)b) {
        set_block(prev, MAGIC_FREE, prev->size + b->size);
        prev->next_free = b->next_free;
        b->magic = 0;
    } else if (prev) {
        prev->next_free = b;
    } else {
        heap.free_list = b;
    }
}

size_t heap_unused(void)
{
    return heap.size - heap.used;
}

void heap_stats(struct heap_stats *st)
{
    size_t largest = 0, free = 0;

    for (struct block *b = heap.free_list; b; b = b->next_free) {
        free += b->size;
        if (b->size > largest)
            largest = b->size;
    }
    st->size = heap.size;
    st->used = heap.used;
    st->free = free;
    st->largest_free = largest > sizeof(struct block) ? largest - sizeof(struct block) : 0;
    st->allocs = heap.allocs;
    st->bad_frees = heap.bad_frees;
    st->failed = heap.failed;
}

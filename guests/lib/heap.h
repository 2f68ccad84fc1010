/* A small allocator for guests (dom0's XenStore and services): one heap in
 * a region given to heap_init, first fit over an address-ordered free list,
 * neighbours coalesced on free. Every block carries a header with a magic
 * number and its state, so a double free or a pointer that heap_alloc did
 * not return is noticed cheaply, counted, and otherwise ignored: the heap
 * never corrupts itself on a bad free. Not thread-safe. */
#ifndef GUEST_HEAP_H
#define GUEST_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
    size_t size;          /* bytes managed (after alignment) */
    size_t used;          /* bytes in allocated blocks, headers included */
    size_t free;          /* bytes in free blocks, headers included */
    size_t largest_free;  /* the largest allocation that can succeed now */
    unsigned allocs;      /* blocks allocated now */
    unsigned bad_frees;   /* double frees and foreign pointers seen */
    unsigned failed;      /* allocations refused */
};

/* Takes [base, base + size) as the heap (any previous heap is forgotten). */
void heap_init(void *base, size_t size);
/* 16-byte aligned memory, or NULL (also for n == 0 and before heap_init). */
void *heap_alloc(size_t n);
/* NULL is ignored; so are (counted) pointers that are not live blocks. */
void heap_free(void *p);
void heap_stats(struct heap_stats *st);
/* Bytes not in allocated blocks (cheap: no walk of the free list). */
size_t heap_unused(void);

#endif

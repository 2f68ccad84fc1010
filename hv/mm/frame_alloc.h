/* Physical frame allocator: one bit per frame, 1 = free.
 *
 * The caller provides the bitmap storage (falloc_bitmap_bytes() bytes).
 * Frames start out allocated; the boot code frees the usable RAM and then
 * reserves whatever it must keep. Single allocations use next-fit from
 * 'hint'; contiguous runs are first-fit from frame 0. Not thread-safe. */
#ifndef HV_MM_FRAME_ALLOC_H
#define HV_MM_FRAME_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct falloc {
    uint64_t *bitmap;
    uint64_t nr_frames, nr_free, hint;
};

size_t falloc_bitmap_bytes(uint64_t nr_frames);
/* Every frame starts allocated. */
void falloc_init(struct falloc *fa, uint64_t *bitmap, uint64_t nr_frames);
/* -1 (and nothing changes) if out of range or any frame is already free. */
int falloc_free_range(struct falloc *fa, uint64_t pfn, uint64_t count);
/* Marks free frames used; frames already used are fine. -1 if out of range. */
int falloc_reserve_range(struct falloc *fa, uint64_t pfn, uint64_t count);
bool falloc_alloc(struct falloc *fa, uint64_t *pfn);
/* A run of 1..max free frames from where falloc_alloc would take one (next
 * fit), as long as the free frames go on: how many (0: none free), the
 * first in *pfn. For building a domain a run at a time. */
uint64_t falloc_alloc_run(struct falloc *fa, uint64_t max, uint64_t *pfn);
/* 'count' frames starting at a multiple of 'align' (a power of two, in
 * frames; 0 means 1), the whole run below 'limit_pfn' (0 = no limit). */
bool falloc_alloc_contig(struct falloc *fa, uint64_t count, uint64_t align,
                         uint64_t limit_pfn, uint64_t *pfn);
uint64_t falloc_free_count(const struct falloc *fa);
bool falloc_is_free(const struct falloc *fa, uint64_t pfn);

#endif

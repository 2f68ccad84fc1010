/* Machine memory: the frame allocator, the frame table, the machine-to-phys
 * table, set up once at boot from the boot loader's memory map. */
#ifndef HV_MM_MM_H
#define HV_MM_MM_H

#include <stdint.h>
#include <stdbool.h>
#include "boot/multiboot.h"
#include "mm/frame_table.h"

#define INVALID_MFN (~0ull)

struct mm_stats {
    uint64_t total_ram;      /* bytes of usable RAM in the memory map */
    uint64_t max_pfn;        /* one past the highest usable frame */
    uint64_t hv_frames;      /* frames the hypervisor took for itself at boot */
};

extern struct mm_stats mm_stats;

/* Boot: allocator over all usable RAM, minus the image, modules and low 1 MiB. */
void mm_init(const struct boot_info *bi, uint64_t image_start_pa, uint64_t image_end_pa);
/* After the final page tables are live: frame table and M2P. */
void mm_init_tables(void);

/* A zeroed frame for a domain, holding its allocation reference (count 1,
 * PGF_ALLOCATED); INVALID_MFN when out of memory. */
uint64_t mm_alloc_frame(domid_t owner);
/* The same, but zeroed only when first referenced (PGF_SCRUB): for a
 * domain's memory, most of which it may never touch early. */
uint64_t mm_alloc_frame_lazy(domid_t owner);
/* A run of 1..max frames for a domain, each as mm_alloc_frame (zero) or
 * mm_alloc_frame_lazy (!zero) gives it: how many (0: out of memory), the
 * first in *first. The domain builder takes its memory this way. */
uint64_t mm_alloc_frames_run(domid_t owner, uint64_t max, bool zero, uint64_t *first);
/* count contiguous frames aligned to align, below limit_pfn (0: anywhere). */
uint64_t mm_alloc_frames_owned(domid_t owner, uint64_t count, uint64_t align, uint64_t limit_pfn);
/* The machine's memory map from the boot loader. */
void mm_machine_memory_map(const struct boot_mem_range **ranges, unsigned *n);
uint64_t mm_alloc_frames_contig(uint64_t count, uint64_t limit_pfn);  /* hypervisor use, not zeroed */
/* One zeroed frame for the hypervisor's own use (tables of the subsystems), or INVALID_MFN. */
uint64_t mm_alloc_hv_frame(void);
void mm_free_frame(uint64_t mfn);
/* Batch the TLB flushes of released frames (domain teardown). */
void mm_defer_release_flush(bool defer);                    /* straight back to the pool, whatever its counts */
uint64_t mm_free_frames(void);

/* Machine-to-phys: m2p_set() keeps the guest-visible table current. */
void m2p_set(uint64_t mfn, uint64_t pfn);
uint64_t m2p_table_mfn(uint64_t index);              /* frame holding M2P entries [index*512, ...) */
uint64_t m2p_nr_frames(void);

#endif

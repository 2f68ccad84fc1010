/* x86_64 4-level paging: entry bits and address helpers. */
#ifndef HV_ARCH_PAGE_H
#define HV_ARCH_PAGE_H

#include <stdint.h>
#include "arch/x86_64/layout.h"

#define PTE_P     (1ull << 0)
#define PTE_RW    (1ull << 1)
#define PTE_US    (1ull << 2)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)
#define PTE_A     (1ull << 5)
#define PTE_D     (1ull << 6)
#define PTE_PS    (1ull << 7)
#define PTE_G     (1ull << 8)
#define PTE_NX    (1ull << 63)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

#define L4_INDEX(va) (((va) >> 39) & 511)
#define L3_INDEX(va) (((va) >> 30) & 511)
#define L2_INDEX(va) (((va) >> 21) & 511)
#define L1_INDEX(va) (((va) >> 12) & 511)

static inline uint64_t pte_mfn(uint64_t pte) { return (pte & PTE_ADDR_MASK) >> PAGE_SHIFT; }

/* The hypervisor reaches machine memory through the direct map (or, before the
 * final page tables are live, through the boot mapping of the first 4 GiB). */
/* The hypervisor's address of physical address pa: in the direct map once it
 * is live (every hypercall touches frames this way: kept inline), in the
 * boot tables' 4 GiB window before. */
extern int paging_directmap_live;
void *phys_to_virt_boot(uint64_t pa);
static inline void *phys_to_virt(uint64_t pa)
{
    if (__builtin_expect(paging_directmap_live, 1))
        return (void *)(HV_DIRECTMAP_VIRT + pa);
    return phys_to_virt_boot(pa);
}
static inline void *mfn_to_virt(uint64_t mfn) { return phys_to_virt(mfn << PAGE_SHIFT); }
/* The frame behind an address of the direct map (never an image address). */
static inline uint64_t directmap_virt_to_mfn(const void *va)
{
    return ((uint64_t)va - HV_DIRECTMAP_VIRT) >> PAGE_SHIFT;
}
uint64_t image_virt_to_phys(const void *va);

/* Build and load the hypervisor's own page tables: image with W^X, direct map
 * of every RAM range in the memory map (NX). Needs the frame allocator. */
struct boot_info;
void paging_init(const struct boot_info *bi);
/* Map [va, va+size) of the hypervisor area to [pa, ...) with `flags` (4 KiB pages). */
void paging_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
/* Create the tables that 4 KiB mappings of [va, va+size) will need, so that
 * mapping there later takes no memory. */
void paging_prepare(uint64_t va, uint64_t size);
/* Remove 4 KiB mappings made by paging_map (and flush them). */
void paging_unmap(uint64_t va, uint64_t size);
/* Read-only, non-executable view of any physical range (firmware tables);
 * NULL when the window is exhausted. Mappings are never taken down. */
const void *paging_map_phys(uint64_t pa, uint64_t len);
uint64_t paging_hv_l4_entry(unsigned slot);      /* for slots 256..271 of guest L4s */
uint64_t paging_idle_cr3(void);
int paging_nx_supported(void);

#endif

/*
 * Xenolith test-guest runtime: PV memory management helpers.
 *
 * Hypercall wrappers for mmu_update, mmuext_op, update_va_mapping(_otherdomain),
 * multicall, memory_op and vm_assist; page-table entry construction; a page
 * walk that reads the (read-only) guest page tables; free pseudo-physical
 * frames beyond the start-of-day mapping; a scratch virtual page that can be
 * pointed at any frame; an mmu_update batcher that checks success counts.
 *
 * Start-of-day facts this relies on (public xen.h, docs/memory-layout.md):
 * pseudo-physical frame N is mapped at VIRT_BASE + N * 4 KiB up to the end of
 * the bootstrap region (padded to a 4 MiB boundary, at least 512 KiB after the
 * boot stack); frames from there up to nr_pages are in the p2m but unmapped.
 */
#ifndef XENOLITH_GUEST_MM_H
#define XENOLITH_GUEST_MM_H

#include "guest.h"
#include "memory.h"

/* ---- hypercall wrappers ------------------------------------------------------
 *
 * Functions, not bare GUEST_HYPERCALL() uses: GUEST_HYPERCALL loads each
 * argument into its register variable in turn, so an argument expression
 * that calls a function (which may clobber rdi, rsi, ...) would corrupt the
 * arguments loaded before it.  Here every argument is evaluated first.
 * The HYPERVISOR_* names are defined only if guest.h does not have them.
 */
static inline long mm_mmu_update(mmu_update_t *req, unsigned int count,
                                 unsigned int *pdone, unsigned int foreigndom)
{
    return GUEST_HYPERCALL(__HYPERVISOR_mmu_update, req, count, pdone, foreigndom, 0);
}
static inline long mm_mmuext_op(struct mmuext_op *op, unsigned int count,
                                unsigned int *pdone, unsigned int foreigndom)
{
    return GUEST_HYPERCALL(__HYPERVISOR_mmuext_op, op, count, pdone, foreigndom, 0);
}
static inline long mm_update_va_mapping(unsigned long va, unsigned long val,
                                        unsigned long flags)
{
    return GUEST_HYPERCALL(__HYPERVISOR_update_va_mapping, va, val, flags, 0, 0);
}
static inline long mm_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                                    unsigned long flags, unsigned long domid)
{
    return GUEST_HYPERCALL(__HYPERVISOR_update_va_mapping_otherdomain, va, val, flags,
                           domid, 0);
}
static inline long mm_multicall(multicall_entry_t *calls, unsigned long nr)
{
    return GUEST_HYPERCALL(__HYPERVISOR_multicall, calls, nr, 0, 0, 0);
}
static inline long mm_memory_op(unsigned long cmd, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}
static inline long mm_vm_assist(unsigned long cmd, unsigned long type)
{
    return GUEST_HYPERCALL(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

#ifndef HYPERVISOR_mmu_update
#define HYPERVISOR_mmu_update(req, count, pdone, foreigndom)                  \
    mm_mmu_update(req, count, pdone, foreigndom)
#endif
#ifndef HYPERVISOR_mmuext_op
#define HYPERVISOR_mmuext_op(op, count, pdone, foreigndom)                    \
    mm_mmuext_op(op, count, pdone, foreigndom)
#endif
#ifndef HYPERVISOR_update_va_mapping
#define HYPERVISOR_update_va_mapping(va, val, flags)                          \
    mm_update_va_mapping(va, val, flags)
#endif
#ifndef HYPERVISOR_update_va_mapping_otherdomain
#define HYPERVISOR_update_va_mapping_otherdomain(va, val, flags, domid)       \
    mm_update_va_mapping_otherdomain(va, val, flags, domid)
#endif
#ifndef HYPERVISOR_multicall
#define HYPERVISOR_multicall(calls, nr) mm_multicall(calls, nr)
#endif
#ifndef HYPERVISOR_memory_op
#define HYPERVISOR_memory_op(cmd, arg) mm_memory_op(cmd, arg)
#endif
#ifndef HYPERVISOR_vm_assist
#define HYPERVISOR_vm_assist(cmd, type) mm_vm_assist(cmd, type)
#endif

/* ---- page-table entries --------------------------------------------------- */

#define MM_PAGE_SIZE 4096UL
#define MM_P   (1UL << 0)   /* present */
#define MM_RW  (1UL << 1)   /* writable */
#define MM_US  (1UL << 2)   /* user (a PV kernel runs in ring 3) */
#define MM_PWT (1UL << 3)
#define MM_PCD (1UL << 4)
#define MM_A   (1UL << 5)   /* accessed */
#define MM_D   (1UL << 6)   /* dirty (L1) */
#define MM_PS  (1UL << 7)   /* large page (L2/L3); PAT in an L1 entry */
#define MM_G   (1UL << 8)   /* global (L1) */
#define MM_NX  (1UL << 63)
#define MM_ADDR_MASK 0x000FFFFFFFFFF000UL

/* Usual flags: a table link, a writable data page, a read-only data page. */
#define MM_TABLE_FLAGS (MM_P | MM_RW | MM_US | MM_A)
#define MM_RW_FLAGS    (MM_P | MM_RW | MM_US | MM_A | MM_D)
#define MM_RO_FLAGS    (MM_P | MM_US | MM_A)

#define MM_INVALID ((unsigned long)-1)

static inline unsigned long mm_pte(unsigned long mfn, unsigned long flags)
{
    return ((mfn << 12) & MM_ADDR_MASK) | flags;
}
static inline unsigned long mm_pte_mfn(unsigned long pte)
{
    return (pte & MM_ADDR_MASK) >> 12;
}
/* Index of va in the table of `level` (4 = L4 ... 1 = L1). */
static inline unsigned mm_index(unsigned long va, int level)
{
    return (unsigned)((va >> (12 + 9 * (level - 1))) & 511);
}
/* Canonical address made of four table indices (a 48-bit VA). */
static inline unsigned long mm_va(unsigned l4, unsigned l3, unsigned l2, unsigned l1)
{
    unsigned long va = ((unsigned long)l4 << 39) | ((unsigned long)l3 << 30) |
                       ((unsigned long)l2 << 21) | ((unsigned long)l1 << 12);
    if (va & (1UL << 47))
        va |= 0xFFFF000000000000UL;
    return va;
}

/* ---- frames and the start-of-day region ---------------------------------- */

/* VIRT_BASE: where pseudo-physical frame 0 is mapped (the image start). */
unsigned long mm_virt_base(void);
/* Frames mapped 1:1 at start of day (the first pfn beyond the region). */
unsigned long mm_boot_pfns(void);
/* pfn -> its start-of-day VA, or 0 beyond the region. */
unsigned long mm_pfn_va(unsigned long pfn);
/* pfn <-> mfn through the p2m list (start_info.mfn_list) and the M2P. */
unsigned long mm_pfn_to_mfn(unsigned long pfn);
unsigned long mm_mfn_to_pfn(unsigned long mfn);
/* Set an entry of the guest's p2m list (e.g. MM_INVALID after giving a frame back). */
void mm_set_p2m(unsigned long pfn, unsigned long mfn);
/* Is pfn one of the start-of-day page-table frames? */
int mm_is_boot_pt_pfn(unsigned long pfn);
/* mfn of the start-of-day L4 (start_info.pt_base). */
unsigned long mm_boot_l4_mfn(void);

/*
 * Free frames: a bump allocator over [mm_boot_pfns(), nr_pages), skipping
 * pfns whose p2m entry is invalid.  Returns a pfn, or MM_INVALID when none is
 * left.  Frames handed out are neither mapped nor zeroed.
 */
unsigned long mm_alloc_pfn(void);
/* The same, returning the frame's mfn. */
unsigned long mm_alloc_mfn(void);
/* How many frames mm_alloc_pfn() can still hand out. */
unsigned long mm_free_pfns(void);

/* ---- reading page tables --------------------------------------------------- */

/*
 * VA at which frame mfn can be read: its start-of-day address, the physmap
 * window set with mm_set_physmap(), or a VA given to mm_register_frame_va();
 * 0 when none is known.
 */
unsigned long mm_frame_va(unsigned long mfn);
/* A window mapping pfns [0, nr) at base + pfn * 4 KiB (0, 0 to forget it). */
void mm_set_physmap(unsigned long base, unsigned long nr);
/* Remember (va != 0) or forget (va == 0) where one frame can be read. */
void mm_register_frame_va(unsigned long mfn, unsigned long va);

/* The L4 the walk starts from (the current base pointer, as the guest set it). */
unsigned long mm_l4_mfn(void);
void mm_set_l4_mfn(unsigned long mfn);

/*
 * Machine address of the entry for va in its table of `level` (4..1), walking
 * from mm_l4_mfn(); 0 when a higher level is not present, is a large page, or
 * a table frame cannot be read.
 */
unsigned long mm_pte_maddr(unsigned long va, int level);
/* Read that entry; returns 0 and sets *pte, or -1 when the walk failed. */
int mm_read_pte(unsigned long va, int level, unsigned long *pte);
/* mfn that va maps (4 KiB pages only), or MM_INVALID. */
unsigned long mm_va_to_mfn(unsigned long va);

/* ---- single operations ------------------------------------------------------- */

/* One mmu_update request (DOMID_SELF); returns the hypercall's result. */
long mm_update1(unsigned long ptr, unsigned long val);
/* One mmuext_op (DOMID_SELF); arg1 is mfn or linear_addr, arg2 the union. */
long mm_ext1(unsigned int cmd, unsigned long arg1, unsigned long arg2);
/* The same with another foreigndom (the page owner field of mmuext_op). */
long mm_ext1_for(unsigned int cmd, unsigned long arg1, unsigned long arg2, unsigned int foreigndom);
/* NEW_BASEPTR and, when it works, mm_set_l4_mfn(). */
long mm_new_baseptr(unsigned long mfn);

/*
 * The scratch page: the last page of the start-of-day region (free padding)
 * re-pointed at any frame with update_va_mapping.  mm_scratch_map() returns
 * its VA, or 0 with mm_last_rc holding the error; mm_scratch_unmap() puts the
 * original entry back.
 */
extern long mm_last_rc;
void *mm_scratch_map(unsigned long mfn, unsigned long flags);
void mm_scratch_unmap(void);
/* Zero a frame through the scratch page; 0 or the mapping error. */
long mm_zero_frame(unsigned long mfn);
/* A fresh zeroed frame for a page table (MM_INVALID when none is left or it
 * cannot be zeroed). */
unsigned long mm_new_table(void);
/* Write entry idx of a frame (not a validated table) through the scratch
 * page: 1 done, 0 when it cannot be mapped. */
int mm_set_entry(unsigned long table, unsigned idx, unsigned long val);

/* ---- batched mmu_update with success counting --------------------------------- */

#define MM_BATCH_MAX 512
struct mm_batch {
    mmu_update_t req[MM_BATCH_MAX];
    unsigned int n;          /* queued */
    unsigned long submitted; /* requests given to the hypervisor */
    unsigned long done;      /* success counts it reported */
    unsigned long calls;
    long rc;                 /* first non-zero result, else 0 */
    unsigned int bad_done;   /* calls whose count was not the full batch */
};
void mm_batch_init(struct mm_batch *b);
/* Queue one request; flushes when full. */
void mm_batch_add(struct mm_batch *b, unsigned long ptr, unsigned long val);
/* Submit what is queued; returns the call's result (0 when nothing queued). */
long mm_batch_flush(struct mm_batch *b);
/* Everything submitted succeeded and every count matched? */
int mm_batch_ok(const struct mm_batch *b);

/* ---- memory_op ----------------------------------------------------------------- */

/* increase/decrease_reservation or populate_physmap: returns extents done. */
long mm_reservation(unsigned int op, xen_pfn_t *list, unsigned long nr,
                    unsigned int order, domid_t domid);
/* current/maximum_reservation, maximum_gpfn for domid. */
long mm_domain_query(unsigned int op, domid_t domid);

#endif

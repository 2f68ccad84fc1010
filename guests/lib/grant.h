/*
 * Xenolith test-guest runtime: grant tables (public/grant_table.h).
 *
 * - grant_table_op wrappers: gnt_op() for a typed call, gnt_op_raw() with
 *   every argument register given in full (junk in the upper halves).
 * - The grant window: a private address range at L4 slot GNT_AREA_SLOT,
 *   made of one L3, one L2 and GNT_AREA_L1S L1 tables built from free frames.
 *   L1 0 maps the caller's grant-table frames (GNT_TABLE_VA, up to
 *   GNT_TABLE_MAX pages) and, in its last slots, every table of the window
 *   read-only (so the guest can read its own entries and mm_read_pte() walks
 *   it).  L1s 1.. hold nothing: their slots are free places for mappings.
 * - Grant entries: gnt_table_setup() sizes the table with setup_table and
 *   maps its frames writable in the window, the way a PV kernel does;
 *   gnt_grant() fills an entry (frame and domid before the flags).
 * - Single operations: one map, unmap, copy, query_size, cache_flush each,
 *   with the fields the hypervisor writes preset to values that show.
 * - Fault probes: a read or write of one byte that reports a page fault
 *   instead of dying (the #PF handler is installed by gnt_probe_init()).
 */
#ifndef XENOLITH_GUEST_GRANT_H
#define XENOLITH_GUEST_GRANT_H

#include "pv.h"
#include "grant_table.h"

static inline long gnt_op(unsigned int cmd, void *uop, unsigned int count)
{
    return GUEST_HYPERCALL(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}
static inline long gnt_op_raw(unsigned long cmd, unsigned long uop, unsigned long count)
{
    return GUEST_HYPERCALL(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

/* ---- the grant window ------------------------------------------------------------ */

#define GNT_AREA_SLOT  3
#define GNT_AREA_BASE  0x0000018000000000UL /* mm_va(GNT_AREA_SLOT, 0, 0, 0) */
#define GNT_AREA_L1S   4
#define GNT_TABLE_VA   GNT_AREA_BASE        /* L1 0, slots 0..63 */
#define GNT_TABLE_MAX  64
#define GNT_VIEW_SLOT  (512 - 2 - GNT_AREA_L1S) /* L1 0: L3, L2, L1 0.. read-only */

/* Build the window and hook it into the current L4; 0 or the first error. */
long gnt_area_init(void);
/* VA of slot `slot` of L1 `l1` of the window. */
static inline unsigned long gnt_va(unsigned l1, unsigned slot)
{
    return GNT_AREA_BASE + ((unsigned long)l1 << 21) + ((unsigned long)slot << 12);
}
unsigned long gnt_l1_mfn(unsigned l1);
unsigned long gnt_l2_mfn(void);
unsigned long gnt_l3_mfn(void);
/* Machine address of the L1 entry of a window VA (for GNTMAP_contains_pte, mmu_update). */
unsigned long gnt_pte_maddr(unsigned long va);
/* The L1 entry of a window VA, read through the read-only view. */
unsigned long gnt_pte(unsigned long va);
/* Set the L1 entry of a window VA with update_va_mapping and INVLPG (0 clears it); the call's result. */
long gnt_set_pte(unsigned long va, unsigned long pte);

/* ---- the caller's grant table ------------------------------------------------------ */

extern grant_entry_v1_t *gnt_table;       /* GNT_TABLE_VA once mapped */
extern unsigned gnt_table_frames;         /* frames mapped so far */
extern xen_pfn_t gnt_table_mfn[GNT_TABLE_MAX];

/* setup_table(dom, nr) alone, nothing mapped: the hypercall's result; *status
 * gets the op's status, list the frames it lists. */
long gnt_setup_list(domid_t dom, uint32_t nr, xen_pfn_t *list, int16_t *status);
/* setup_table(DOMID_SELF, nr) and, when it worked, map the frames it lists
 * that are not mapped yet (writable).  Returns the hypercall's result or the
 * first mmu_update error; *status gets the op's status. */
long gnt_table_setup(unsigned nr, int16_t *status);

/* Fill entry ref: frame and domid first, then the flags. */
static inline void gnt_grant(grant_ref_t ref, domid_t domid, unsigned long frame, uint16_t flags)
{
    volatile grant_entry_v1_t *e = &gnt_table[ref];
    e->domid = domid;
    e->frame = (uint32_t)frame;
    __asm__ volatile("" ::: "memory");
    e->flags = flags;
    __asm__ volatile("" ::: "memory");
}
static inline uint16_t gnt_flags(grant_ref_t ref)
{
    return ((volatile grant_entry_v1_t *)gnt_table)[ref].flags;
}

/* ---- single operations ------------------------------------------------------------------ */

/* One map_grant_ref; returns the hypercall's result, *op holds status, handle, bus address. */
long gnt_map(gnttab_map_grant_ref_t *op, uint64_t host_addr, uint32_t flags, grant_ref_t ref,
             domid_t dom);
/* One unmap_grant_ref; returns the hypercall's result, *status the op's. */
long gnt_unmap(uint64_t host_addr, uint64_t dev_bus_addr, grant_handle_t handle, int16_t *status);
/* One copy (op->status is written); returns the hypercall's result. */
long gnt_copy1(gnttab_copy_t *op);
/* query_size of dom into *q (its fields preset to 0x5555, 0x6666, status 0x7777
 * so that untouched ones show); returns the hypercall's result. */
long gnt_query_size(domid_t dom, gnttab_query_size_t *q);
/* One cache_flush of [off, off+len) of the frame at machine address addr with
 * GNTTAB_CACHE_* flags `op`; returns the hypercall's result. */
long gnt_cache_flush1(uint64_t addr, uint16_t off, uint16_t len, uint32_t op);

/* ---- fault probes ------------------------------------------------------------------------ */

/* Install the #PF handler the probes use (keeps the other vectors as they are). */
long gnt_probe_init(void);
/* Read / write one byte at va: 0 when it worked, else 0x100 | the #PF error code. */
unsigned long gnt_probe_read(unsigned long va, unsigned char *out);
unsigned long gnt_probe_write(unsigned long va, unsigned char val);

#endif

/* Page types and reference counts: the core of PV memory management.
 *
 * A 64-bit PV guest writes its own 4-level page tables; the hypervisor keeps
 * that safe by giving every frame a type and two counts in the frame table
 * (hv/mm/frame_table.h):
 *
 *   count       general references. A frame is kept while count > 0; one of
 *               them belongs to its owner's allocation (PGF_ALLOCATED), one to
 *               a pin, one to every present page-table entry naming it, one to
 *               every other user (a CR3, a descriptor table, ...).
 *   type        what the frame is being used as: WRITABLE (mapped writable
 *               somewhere), L1..L4 (a validated page table of that level),
 *               SEG_DESC (a GDT/LDT frame), or NONE.
 *   type_count  references that need the current type. While it is > 0 the
 *               type cannot change; at 0 it may change on the next type
 *               reference. Every type reference is paired with a general
 *               reference held by the same user.
 *
 * The invariants this module keeps, whatever the guest writes:
 *  - a frame used as a page table (or descriptor table) is never mapped
 *    writable: the two uses need different types;
 *  - every present entry of a validated table has been checked for its level
 *    and holds its references: an L1 entry a general reference to a frame of
 *    the table's owner (plus a WRITABLE type reference if it is RW); an L2, L3
 *    or L4 entry a general and a type reference to a table of the level below
 *    (or, a linear entry, to one of its own level; naming its own table, none);
 *  - no superpages (PS); an entry at level N names a table of level N-1, or
 *    (a linear entry, read-only, when pv-linear-pt allows it) its own table,
 *    holding nothing, or another validated table of level N that holds no
 *    linear entry itself, from a table that no linear entry names
 *    (page_type_validate.c). So no chain of references leads from a frame
 *    back to itself, whatever the guest writes: every table is released
 *    once nothing outside the tables holds it, and a chain is at most seven
 *    tables long (L4 L4 L3 L3 L2 L2 L1);
 *  - L4 slots 256..271 always hold the hypervisor's entries;
 *  - the user bit is set on every present entry (64-bit PV kernels run in
 *    ring 3), whatever the guest wrote.
 *
 * Pure logic: the environment is reached only through the externs below,
 * which the hypervisor implements in hv/mm/mm.c and the host tests fake.
 * Errors are negative Xen errno values (public errno.h).
 *
 * Preemption. Validating or releasing a tree is work that grows with what
 * the guest wrote (one mmu_update entry can hook an L3 over 49k L1s), so it
 * is done in pieces: every entry taken or dropped counts one unit in
 * pt_work, and once pt_work reaches pt_work_limit the call stops with
 * -XEN_ERESTART, its progress kept in the frames themselves:
 *  - a table whose validation stopped is PGF_PARTIAL: its type is set, its
 *    entries [0, nr_held) hold their references, and it holds one general
 *    and its only type reference itself. The next page_get_type() for that
 *    type, from whoever asks, carries on from nr_held; when it completes the
 *    caller inherits the type reference and the frame's own general
 *    reference is dropped. Any other type is refused (-EINVAL) meanwhile.
 *  - a table whose last type reference went (or whose validation failed
 *    part-way) is PGF_RELEASING: its entries [0, nr_held) still hold their
 *    references and it holds one general reference itself, on its owner's
 *    release list. pt_release_run() drops them, entry by entry, lower
 *    tables whose last type reference goes joining the list (depth first),
 *    and only then does the frame become PGT_NONE. A type is given to a
 *    releasing frame only once its release is done (page_get_type() runs
 *    the owner's list first).
 * A guest that abandons a call half-way leaves frames in these states: they
 * are consistent, hold what they say, and are finished by the next call
 * that needs them, or by the owner's teardown (pt_abandon()). */
#ifndef HV_MM_PAGE_TYPE_H
#define HV_MM_PAGE_TYPE_H

#include <stdint.h>
#include <stdbool.h>
#include "mm/frame_table.h"
#include "arch/x86_64/layout.h"

#define PT_ENTRIES 512

/* ---- provided by the environment ---- */
uint64_t *frame_map(uint64_t mfn);          /* the 512 entries of a frame, hypervisor-writable */
uint64_t mm_hv_l4_entry(unsigned slot);     /* the hypervisor's own L4 entries, slots 256..271 */
void mm_page_released(uint64_t mfn);        /* count reached 0 on a frame no longer allocated */
void mm_tlb_flush(void);                    /* flush all non-global TLB entries of this CPU */
void mm_scrub_frame(uint64_t mfn);          /* zero a frame (PGF_SCRUB: at its first reference) */
uint32_t *mm_release_list(domid_t d);       /* head of d's release list (mfn plus one, 0: empty) */
bool mm_linear_pt_enabled(void);            /* linear entries allowed (the pv-linear-pt option) */

/* ---- preemption ---- */
extern uint32_t pt_work;                    /* units of work done (the caller resets it) */
extern uint32_t pt_work_limit;              /* stop with -XEN_ERESTART once pt_work reaches it */
static inline bool pt_out_of_work(void) { return pt_work >= pt_work_limit; }
/* The work of one slice: about 1 ms under QEMU TCG, far less on hardware.
 * Counting work rather than time keeps the points where long page-table
 * operations stop the same from run to run. */
#define PT_WORK_SLICE 8192u
static inline void pt_work_begin(void)
{
    pt_work = 0;
    pt_work_limit = PT_WORK_SLICE;
}

/* ---- general references ---- */
/* One more reference to mfn, which must be an allocated frame owned by d.
 * -EINVAL for a bad mfn, a free or hypervisor frame, another domain's frame
 * or one whose allocation was given up; -EOVERFLOW if the count is full. */
int page_get(uint64_t mfn, domid_t d);
/* Drop one; at 0 on a frame no longer allocated, mm_page_released(). */
void page_put(uint64_t mfn);

/* ---- type references (the caller holds a general reference) ---- */
/* With type_count 0 the type may change to t (a page-table type is
 * validated, recursively, taking every entry's references; coming from
 * WRITABLE to another type, or from a former page table (PGF_TLB_STALE), the
 * TLB is flushed first); with type_count > 0 the type must
 * already be t. -EINVAL on a mismatch or an invalid table, -EOVERFLOW if the
 * type count is full, -XEN_ERESTART when the work limit stopped it (ask
 * again: the progress is kept). A PGF_XEN_HEAP frame can only be WRITABLE. */
int page_get_type(uint64_t mfn, domid_t d, enum page_type t);
/* Drop one; at 0 a page-table type joins its owner's release list (see
 * above); once released it is PGT_NONE, marked PGF_TLB_STALE until its next
 * type change flushes the TLB. */
void page_put_type(uint64_t mfn);
/* Both references as one (a page the hypervisor writes into, a new base
 * table): page_get's error, or page_get_type's with the general reference
 * dropped again. page_put_typed drops both (nothing for mfn 0). */
int page_get_typed(uint64_t mfn, domid_t d, enum page_type t);
void page_put_typed(uint64_t mfn);
/* Release what d's release list holds: 0 once it is empty, -XEN_ERESTART
 * when the work limit stopped it. */
int pt_release_run(domid_t d);
static inline bool pt_release_pending(domid_t d) { return *mm_release_list(d) != 0; }
/* Teardown: a PGF_PARTIAL frame gives up its own references (what its
 * entries hold joins the release list). */
void pt_abandon(uint64_t mfn);

/* ---- page-table operations ---- */
/* Replace entry `slot` of table_mfn, a validated L1..L4 owned by d, with
 * new_pte: checked for the level, its references taken, the adjusted value
 * written, then the old entry's references dropped. With preserve_ad, a
 * present new entry keeps the Accessed/Dirty bits of a present old one
 * (MMU_PT_UPDATE_PRESERVE_AD). Changes nothing on error.
 * Errors, as Xen 4.17 gives them (here and from pt_pin's validation):
 *   -EINVAL  not a validated table of d, slot out of range or a hypervisor
 *            L4 slot, a refused bit (see page_type_validate.c), an L2..L4
 *            entry naming a frame that cannot be a table of the level below
 *            nor a linear entry (page_type_validate.c);
 *   -EBUSY   an L1 entry naming a frame d cannot reference (another
 *            domain's, the hypervisor's, a free one) or cannot map writable
 *            (a page table or descriptor table);
 *   -EPERM   an L1 entry naming no RAM (-EINVAL for the all-ones frame);
 *   -EACCES  an L1 entry mapping a PGF_XEN_HEAP frame not write-back;
 *   -XEN_ERESTART  the work limit stopped a lower table's validation (or
 *            the release of a frame it names): ask again.
 * An error met while validating a lower table comes up unchanged. */
int pt_mod_entry(uint64_t table_mfn, unsigned slot, uint64_t new_pte, domid_t d, bool preserve_ad);
/* MMUEXT_PIN_Ln_TABLE: a general and a type reference held by the pin.
 * -EINVAL if already pinned, if level is not PGT_L1..PGT_L4, or as page_get
 * and page_get_type. */
int pt_pin(uint64_t mfn, domid_t d, enum page_type level);
/* MMUEXT_UNPIN_TABLE: -EINVAL unless mfn is a frame of d that is pinned. */
int pt_unpin(uint64_t mfn, domid_t d);
/* The value the hypervisor stores for a guest entry of `level` (1..4):
 * present entries get the user bit; non-present ones are kept as they are. */
uint64_t pt_adjust_pte(uint64_t pte, unsigned level);

/* ---- shared by page_type.c and page_type_validate.c ---- */
static inline bool pgt_is_table(unsigned t) { return t >= PGT_L1 && t <= PGT_L4; }
static inline unsigned pgt_level(unsigned t) { return t - PGT_L1 + 1; }           /* PGT_Ln -> n */
static inline enum page_type pgt_of_level(unsigned level) { return (enum page_type)(PGT_L1 + level - 1); }
static inline bool pt_hv_slot(unsigned level, unsigned slot)
{
    return level == 4 && slot >= HV_L4_FIRST_SLOT && slot <= HV_L4_LAST_SLOT;
}

/* Check an entry of table_mfn, a table of `level` (its type set), and take
 * its references (0 or -E...). */
int pt_get_entry(uint64_t table_mfn, uint64_t pte, unsigned level, domid_t d);
/* Drop the references a present entry of table_mfn (of `level`; for level 1
 * table_mfn is not looked at) holds. */
void pt_put_entry(uint64_t table_mfn, uint64_t pte, unsigned level);
/* Take the references of the entries of table mfn from nr_held on, counting
 * nr_held up (0 when all are held; then the entries are stored in their
 * adjusted form and the hypervisor slots filled), or stop with an error or
 * -XEN_ERESTART, nr_held saying what is held. */
int pt_validate_table(uint64_t mfn, unsigned level, domid_t d);
/* Entries of a table that carry references: present ones outside the
 * hypervisor's L4 slots. */
static inline bool pt_counted(uint64_t pte, unsigned level, unsigned slot)
{
    return (pte & 1) && !pt_hv_slot(level, slot);
}

#endif

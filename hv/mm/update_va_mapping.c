/* update_va_mapping: write the L1 entry that maps one virtual address of the
 * current address space, then flush as the flags ask: UVMF_NONE, UVMF_INVLPG
 * or UVMF_TLB_FLUSH, for this vCPU (UVMF_LOCAL), all (UVMF_ALL) or a set
 * (UVMF_MULTI: a pointer to a vCPU bitmap in the upper bits). Xenolith runs one
 * physical CPU, so every scope flushes here; the bitmap is still read, for
 * the two flush types that use it, as in Xen (with UVMF_NONE, or the unnamed type 3, the
 * scope bits are never looked at). */
#include "core/hypercall.h"
#include "mm/pv_mm.h"
#include "mm/frame_table.h"
#include "mm/tlb_vcpumask.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"
#include "xen.h"

static long do_update(struct domain *pg_owner, uint64_t va, uint64_t val, uint64_t flags)
{
    uint64_t l1_mfn, type = flags & UVMF_FLUSHTYPE_MASK, scope = flags & ~UVMF_FLUSHTYPE_MASK;
    unsigned slot;
    bool flush = false, any;
    int rc;

    if (!guest_range_ok(va, 1))
        return -XEN_EINVAL;
    if ((rc = pv_mm_find_l1(current->arch.kernel_l4, va, &l1_mfn, &slot)) != 0)
        return rc;
    /* Through a linear entry the walk ends on a table of a higher level: only
     * an L1's entries are written here (Xen 4.17: -EINVAL). */
    if (frame_table[l1_mfn].type != PGT_L1)
        return -XEN_EINVAL;
    if ((rc = pv_mm_write_pte(l1_mfn, slot, val, pg_owner->id, false, &flush)) != 0)
        return rc;
    /* The entry stays written even when the vCPU mask is unreadable (as in
     * Xen, which then flushes nothing: here the changed entry is dropped
     * from the TLB all the same, as for UVMF_NONE). */
    if ((type == UVMF_TLB_FLUSH || type == UVMF_INVLPG) && scope != UVMF_LOCAL && scope != UVMF_ALL &&
        tlb_vcpumask_read(current_domain(), scope, &any) != 0) {
        invlpg(va);
        return -XEN_EFAULT;
    }
    /* Every scope is the one TLB of this CPU (hv/mm/tlb_vcpumask.c). */
    switch (type) {
    case UVMF_TLB_FLUSH:
        tlb_flush_vcpus(current_domain());
        break;
    case UVMF_INVLPG:
        tlb_invlpg_vcpus(current_domain(), va);
        break;
    default:
        /* UVMF_NONE (or 3): the guest asked for no flush, but a changed mapping is
         * never left usable in the TLB (the page behind it may be reused). */
        if (flush)
            invlpg(va);
        break;
    }
    return 0;
}

long update_va_mapping_hypercall(uint64_t va, uint64_t val, uint64_t flags, uint64_t a4, uint64_t a5)
{
    (void)a4; (void)a5;
    return do_update(current_domain(), va, val, flags);
}

long update_va_mapping_otherdomain_hypercall(uint64_t va, uint64_t val, uint64_t flags, uint64_t domid, uint64_t a5)
{
    long err = 0;
    struct domain *pg_owner = pv_mm_pg_owner(current_domain(), (domid_t)domid, &err);

    (void)a5;
    if (!pg_owner)
        return err;
    return do_update(pg_owner, va, val, flags);
}

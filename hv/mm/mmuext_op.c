/* mmuext_op: pin and unpin page tables, switch the kernel and user page-table
 * bases, flush TLBs, set the LDT, clear and copy pages. Batches stop after
 * about a millisecond and continue where they were. */
#include "core/hypercall.h"
#include "core/log.h"
#include "mm/pv_mm.h"
#include "mm/page_type.h"
#include "mm/mm.h"
#include "mm/tlb_vcpumask.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "arch/x86_64/ldt.h"
#include "errno.h"
#include "xen.h"

#define LDT_MAX_ENTRIES 8192

static int new_baseptr(struct vcpu *v, uint64_t mfn, bool user)
{
    int rc;

    if (user && mfn == 0) {                 /* no user page tables */
        page_put_typed(vcpu_arch_set_user_l4(v, 0));
        return 0;
    }
    if ((rc = page_get_typed(mfn, v->domain->id, PGT_L4)) != 0)
        return rc;
    page_put_typed(user ? vcpu_arch_set_user_l4(v, mfn) : vcpu_arch_set_kernel_l4(v, mfn));
    return 0;
}

/* A TLB flush of the caller's own vCPUs (the _MULTI ones name them in a
 * bitmap: unreadable, -EINVAL as Xen answers there); never for another
 * domain's page owner (-EPERM). One physical CPU: see hv/mm/tlb_vcpumask.c. */
static int tlb_op(struct domain *d, struct domain *pg_owner, const struct mmuext_op *op)
{
    bool invlpg_op = op->cmd == MMUEXT_INVLPG_LOCAL || op->cmd == MMUEXT_INVLPG_ALL ||
                     op->cmd == MMUEXT_INVLPG_MULTI;
    bool any;

    if (d != pg_owner)
        return -XEN_EPERM;
    if ((op->cmd == MMUEXT_TLB_FLUSH_MULTI || op->cmd == MMUEXT_INVLPG_MULTI) &&
        tlb_vcpumask_read(d, (uint64_t)op->arg2.vcpumask, &any) != 0)
        return -XEN_EINVAL;
    if (!invlpg_op)
        tlb_flush_vcpus(d);
    else if (guest_range_ok(op->arg1.linear_addr, 1))
        tlb_invlpg_vcpus(d, op->arg1.linear_addr);
    return 0;
}

static int one_op(struct domain *d, struct domain *pg_owner, const struct mmuext_op *op)
{
    uint64_t mfn = op->arg1.mfn;
    int rc;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pt_pin(mfn, pg_owner->id, (enum page_type)(PGT_L1 + op->cmd - MMUEXT_PIN_L1_TABLE));
    case MMUEXT_UNPIN_TABLE:
        return pt_unpin(mfn, pg_owner->id);
    case MMUEXT_NEW_BASEPTR:
        return new_baseptr(current, mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return new_baseptr(current, mfn, true);
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        return tlb_op(d, pg_owner, op);
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        if (!d->privileged)
            return -XEN_EPERM;
        __asm__ volatile("wbinvd" ::: "memory");
        return 0;
    case MMUEXT_SET_LDT: {
        uint64_t base = op->arg1.linear_addr, ents = op->arg2.nr_ents;
        if (ents > LDT_MAX_ENTRIES || (base & (PAGE_SIZE - 1)) ||
            (ents && !guest_range_ok(base, ents * 8)))
            return -XEN_EINVAL;
        return ldt_set(current, base, (uint32_t)ents);
    }
    case MMUEXT_CLEAR_PAGE:
        if ((rc = page_get_typed(mfn, pg_owner->id, PGT_WRITABLE)) != 0)
            return rc;
        memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
        page_put_typed(mfn);
        return 0;
    case MMUEXT_COPY_PAGE: {
        uint64_t src = op->arg2.src_mfn;
        if ((rc = page_get(src, pg_owner->id)) != 0)
            return rc;
        if ((rc = page_get_typed(mfn, pg_owner->id, PGT_WRITABLE)) == 0) {
            memcpy(mfn_to_virt(mfn), mfn_to_virt(src), PAGE_SIZE);
            page_put_typed(mfn);
        }
        page_put(src);
        return rc;
    }
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -XEN_EOPNOTSUPP;             /* superpages are not offered */
    default:
        return -XEN_ENOSYS;
    }
}

static int entry_fn(struct domain *d, struct domain *pg_owner, const void *entry, bool *flush)
{
    (void)flush;
    return one_op(d, pg_owner, entry);
}

long mmuext_op_hypercall(uint64_t ops, uint64_t count, uint64_t pdone, uint64_t foreigndom, uint64_t a5)
{
    (void)a5;
    return pv_mm_run_batch(ops, count, pdone, foreigndom, false, sizeof(struct mmuext_op), entry_fn);
}

/* physdev_op (and physdev_op_compat, its older one-argument form): the
 * calling vCPU's I/O privilege, as Xen 4.17 keeps it for a PV guest, and the
 * physical-IRQ sub-ops as Xen answers a PV domain with no physical IRQ bound
 * (none is ever bound here): PHYSDEVOP_eoi refuses every PIRQ as Xen does an
 * unbound one, IRQ_UNMASK_NOTIFY has nothing to do, irq_status_query answers
 * for any PIRQ below the domain's limit, and a pirq_eoi page can be
 * registered. The IRQ and PCI sub-ops that need no such machinery are
 * answered by physdev_policy.c; the rest (restore_msi*, get_free_pirq, and
 * what the hardware domain would have programmed) are not provided: -ENOSYS,
 * what Xen answers to a sub-op it does not know (Xen's own answers:
 * docs/abi-coverage.md). */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "physdev.h"
#include "mm/page_type.h"
#include "arch/x86_64/physdev_policy.h"

#define PHYSDEV_OP_SIZE 24               /* struct physdev_op: cmd, then an 8-aligned union of 16 bytes */
#define PHYSDEV_OP_UNION 8

static long set_iopl(uint64_t arg)
{
    struct physdev_set_iopl s;

    if (copy_from_guest(&s, arg, sizeof(s)))
        return -XEN_EFAULT;
    if (s.iopl > 3)
        return -XEN_EINVAL;
    current->arch.iopl = (uint8_t)s.iopl;
    return 0;
}

/* The bitmap itself is read at each access it decides (pv_emulate_io.c):
 * here, as in Xen, only its first byte must be at a guest address. */
static long set_iobitmap(uint64_t arg)
{
    struct physdev_set_iobitmap s;

    if (copy_from_guest(&s, arg, sizeof(s)))
        return -XEN_EFAULT;
    if (!guest_range_ok((uint64_t)(uintptr_t)s.bitmap, 1) || s.nr_ports > 65536)
        return -XEN_EINVAL;
    current->arch.iobmp = (uint64_t)(uintptr_t)s.bitmap;
    current->arch.iobmp_limit = s.nr_ports;
    return 0;
}

/* No PIRQ is bound: past the argument's check, Xen's answer for an unbound one. */
static long eoi(uint64_t arg)
{
    struct physdev_eoi e;

    if (copy_from_guest(&e, arg, sizeof(e)))
        return -XEN_EFAULT;
    return -XEN_EINVAL;
}

/* The CPUs Xen's rule counts: Xenolith runs on one and starts no other. */
#define PHYSDEV_NR_CPUS 1u

static unsigned domain_nr_pirqs(const struct domain *d)
{
    return physdev_nr_pirqs(d->privileged, PHYSDEV_NR_GSIS, PHYSDEV_NR_CPUS, d->nr_vcpus);
}

/* Any PIRQ below the limit, bound or not: it needs an EOI (a guest that does
 * not follow the pirq_eoi page must always send one) and is never shared. */
static long irq_status_query(uint64_t arg)
{
    struct physdev_irq_status_query q;
    int irq;

    if (copy_from_guest(&q, arg, sizeof(q)))
        return -XEN_EFAULT;
    irq = (int)q.irq;
    if (irq < 0 || (unsigned)irq >= domain_nr_pirqs(current_domain()))
        return -XEN_EINVAL;
    q.flags = XENIRQSTAT_needs_eoi;
    return copy_to_guest(arg, &q, sizeof(q)) ? -XEN_EFAULT : 0;
}

/* The page where the hypervisor would keep one "needs EOI" bit per PIRQ, and
 * (v1) the promise to unmask a PIRQ's event channel on its EOI. Once per
 * domain; the frame is held writable until the domain's teardown
 * (domain_teardown.c), so it cannot become a page table meanwhile. Since no
 * PIRQ is ever bound here, nothing is ever written into it. */
static long pirq_eoi_gmfn(uint32_t cmd, uint64_t arg)
{
    struct physdev_pirq_eoi_gmfn info;
    struct domain *d = current_domain();
    uint64_t mfn;
    int rc;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -XEN_EFAULT;
    mfn = info.gmfn;                                /* a PV domain names machine frames */
    if (mfn == 0)                                   /* firmware's, never a guest's; 0 means none above */
        return -XEN_EINVAL;
    if ((rc = page_get_typed(mfn, d->id, PGT_WRITABLE)) != 0)
        return rc == -XEN_ERESTART ? rc : -XEN_EINVAL;  /* restart: a release to finish first */
    if (d->pirq_eoi_mfn) {
        page_put_typed(mfn);
        return -XEN_EBUSY;
    }
    d->pirq_eoi_mfn = mfn;
    if (cmd == PHYSDEVOP_pirq_eoi_gmfn_v1)
        d->pirq_eoi_auto_unmask = true;
    return 0;
}

/* ---- the sub-ops physdev_policy.c answers: its view of the guest ---- */

static int env_read(void *ctx, uint64_t off, void *dst, unsigned len)
{
    return copy_from_guest(dst, *(uint64_t *)ctx + off, len);
}

static int env_write(void *ctx, uint64_t off, const void *src, unsigned len)
{
    return copy_to_guest(*(uint64_t *)ctx + off, src, len);
}

static bool env_domain_exists(void *ctx, domid_t id)
{
    (void)ctx;
    return domain_of(id) != 0;
}

static long policy_op(uint32_t cmd, uint64_t arg)
{
    struct physdev_env env = {
        .privileged = current_domain()->privileged,
        .nr_gsis = PHYSDEV_NR_GSIS,
        .ctx = &arg,
        .read = env_read,
        .write = env_write,
        .domain_exists = env_domain_exists,
    };

    return physdev_policy_op(cmd, &env);
}

static long physdev_op(uint32_t cmd, uint64_t arg)
{
    switch (cmd) {
    case PHYSDEVOP_eoi:
        return eoi(arg);
    case PHYSDEVOP_irq_status_query:
        return irq_status_query(arg);
    case PHYSDEVOP_pirq_eoi_gmfn_v1:
    case PHYSDEVOP_pirq_eoi_gmfn_v2:
        return pirq_eoi_gmfn(cmd, arg);
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:               /* unmask every bound PIRQ: there are none */
        return 0;
    case PHYSDEVOP_set_iopl:
        return set_iopl(arg);
    case PHYSDEVOP_set_iobitmap:
        return set_iobitmap(arg);
    default:
        if (physdev_policy_handles(cmd))
            return policy_op(cmd, arg);
        return -XEN_ENOSYS;
    }
}

long physdev_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a3; (void)a4; (void)a5;
    return physdev_op((uint32_t)cmd, arg);
}

/* The whole struct physdev_op is read first (-EFAULT), then its union is the
 * sub-op's argument, in guest memory where it lies. */
long physdev_op_compat_hypercall(uint64_t uop, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    uint8_t op[PHYSDEV_OP_SIZE];
    uint32_t cmd;

    (void)a2; (void)a3; (void)a4; (void)a5;
    if (copy_from_guest(op, uop, sizeof(op)))
        return -XEN_EFAULT;
    __builtin_memcpy(&cmd, op, sizeof(cmd));
    return physdev_op(cmd, uop + PHYSDEV_OP_UNION);
}

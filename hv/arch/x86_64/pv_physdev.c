/* physdev_op (and physdev_op_compat, its older one-argument form): the
 * calling vCPU's I/O privilege, as Xen 4.17 keeps it for a PV guest. No
 * physical IRQ is ever bound to a guest here, so PHYSDEVOP_eoi refuses every
 * PIRQ as Xen does an unbound one and IRQ_UNMASK_NOTIFY has nothing to do.
 * The other sub-ops about physical IRQs, MSI and PCI devices are not
 * provided: -ENOSYS, what Xen answers to a sub-op it does not know (Xen's
 * own answers: docs/abi-coverage.md). */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "physdev.h"

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

static long physdev_op(uint32_t cmd, uint64_t arg)
{
    switch (cmd) {
    case PHYSDEVOP_eoi:
        return eoi(arg);
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:               /* unmask every bound PIRQ: there are none */
        return 0;
    case PHYSDEVOP_set_iopl:
        return set_iopl(arg);
    case PHYSDEVOP_set_iobitmap:
        return set_iobitmap(arg);
    default:
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

/* physdev_op sub-ops answered without IRQ or PCI machinery: see physdev_policy.h. */
#include "arch/x86_64/physdev_policy.h"
#include "errno.h"
#include "physdev.h"

#define PIRQ_EOI_BITS   (4096u * 8)     /* one bit per PIRQ in the pirq_eoi page */
#define DOMU_EXTRA_IRQS 32u

static unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }
static unsigned umax(unsigned a, unsigned b) { return a > b ? a : b; }

/* Position of the highest set bit, counting from 1 (0 for 0). */
static unsigned highest_bit(unsigned x)
{
    unsigned n = 0;

    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

unsigned physdev_nr_pirqs(bool hwdom, unsigned nr_gsis, unsigned nr_cpus, unsigned hwdom_vcpus)
{
    unsigned irqs, n;

    if (nr_gsis < 16)
        nr_gsis = 16;                   /* the legacy ISA IRQs are always counted */
    irqs = umax(nr_cpus * PHYSDEV_DYNAMIC_VECTORS, 8 * nr_gsis);
    if (!hwdom)
        return umin(nr_gsis + DOMU_EXTRA_IRQS, irqs);
    n = umin(highest_bit(nr_cpus), hwdom_vcpus);
    n = umin(nr_gsis + n * PHYSDEV_DYNAMIC_VECTORS, irqs);
    return umin(n, PIRQ_EOI_BITS);
}

bool physdev_policy_handles(uint32_t cmd)
{
    switch (cmd) {
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:
    case PHYSDEVOP_alloc_irq_vector:
    case PHYSDEVOP_map_pirq:
    case PHYSDEVOP_unmap_pirq:
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    case PHYSDEVOP_manage_pci_add_ext:
    case PHYSDEVOP_setup_gsi:
    case PHYSDEVOP_pci_mmcfg_reserved:
    case PHYSDEVOP_pci_device_add:
    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_dbgp_op:
    case PHYSDEVOP_prepare_msix:
    case PHYSDEVOP_release_msix:
        return true;
    default:
        return false;
    }
}

/* Past the argument's checks: only the hardware domain may go on, and what
 * it would do next needs the machinery Xenolith does not have. */
static long privileged_only(const struct physdev_env *env)
{
    return env->privileged ? -XEN_ENOSYS : -XEN_EPERM;
}

static long apic_op(const struct physdev_env *env)
{
    struct physdev_apic a;

    if (env->read(env->ctx, 0, &a, sizeof(a)))
        return -XEN_EFAULT;
    return privileged_only(env);
}

/* The vector is the hypervisor's business: Xen hands the IRQ back as the
 * "vector" and allocates nothing. */
static long alloc_irq_vector(const struct physdev_env *env)
{
    struct physdev_irq irq;

    if (env->read(env->ctx, 0, &irq, sizeof(irq)))
        return -XEN_EFAULT;
    if (!env->privileged)
        return -XEN_EPERM;
    irq.vector = irq.irq;
    return env->write(env->ctx, 0, &irq, sizeof(irq)) ? -XEN_EFAULT : 0;
}

static bool domain_known(const struct physdev_env *env, domid_t id)
{
    return id == DOMID_SELF || env->domain_exists(env->ctx, id);
}

/* The argument goes back to the guest whatever the outcome (a *_MSI_SEG type
 * as plain MSI, the segment being taken from bus), except for a multi-vector
 * MSI with a table base, refused before anything else. */
static long map_pirq(const struct physdev_env *env)
{
    struct physdev_map_pirq m;
    long rc;

    if (env->read(env->ctx, 0, &m, sizeof(m)))
        return -XEN_EFAULT;
    if (m.type == MAP_PIRQ_TYPE_MULTI_MSI && m.table_base)
        return -XEN_EINVAL;
    if (m.type == MAP_PIRQ_TYPE_MSI_SEG)
        m.type = MAP_PIRQ_TYPE_MSI;
    if (!domain_known(env, m.domid))
        rc = -XEN_ESRCH;
    else if (!env->privileged)
        rc = -XEN_EPERM;
    else
        return -XEN_ENOSYS;
    return env->write(env->ctx, 0, &m, sizeof(m)) ? -XEN_EFAULT : rc;
}

static long unmap_pirq(const struct physdev_env *env)
{
    struct physdev_unmap_pirq u;

    if (env->read(env->ctx, 0, &u, sizeof(u)))
        return -XEN_EFAULT;
    if (!domain_known(env, u.domid))
        return -XEN_ESRCH;
    return privileged_only(env);
}

/* Read an argument of len bytes, then only the hardware domain may go on. */
static long read_then_privileged(const struct physdev_env *env, unsigned len)
{
    uint8_t buf[16];

    if (len > sizeof(buf) || env->read(env->ctx, 0, buf, len))
        return -XEN_EFAULT;
    return privileged_only(env);
}

static long manage_pci_add_ext(const struct physdev_env *env)
{
    struct physdev_manage_pci_ext m;

    if (env->read(env->ctx, 0, &m, sizeof(m)))
        return -XEN_EFAULT;
    if (m.is_extfn > 1 || m.is_virtfn > 1)
        return -XEN_EINVAL;
    return privileged_only(env);
}

static long setup_gsi(const struct physdev_env *env)
{
    struct physdev_setup_gsi g;

    if (env->read(env->ctx, 0, &g, sizeof(g)))
        return -XEN_EFAULT;
    if (g.gsi < 0 || (unsigned)g.gsi >= env->nr_gsis)
        return -XEN_EINVAL;
    return privileged_only(env);
}

/* With XEN_PCI_DEV_PXM the first optional word (the proximity domain) is
 * read too, before the permission check. */
static long pci_device_add(const struct physdev_env *env)
{
    struct physdev_pci_device_add a;
    uint32_t pxm;

    if (env->read(env->ctx, 0, &a, sizeof(a)))
        return -XEN_EFAULT;
    if ((a.flags & XEN_PCI_DEV_PXM) &&
        env->read(env->ctx, sizeof(a), &pxm, sizeof(pxm)))
        return -XEN_EFAULT;
    return privileged_only(env);
}

/* Only the hardware domain, checked before the argument is read. Xenolith
 * drives no USB debug port, and with none in use Xen does nothing: 0. */
static long dbgp_op(const struct physdev_env *env)
{
    struct physdev_dbgp_op op;

    if (!env->privileged)
        return -XEN_EPERM;
    if (env->read(env->ctx, 0, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

/* The permission is checked before the argument is read. */
static long pci_mmcfg_reserved(const struct physdev_env *env)
{
    struct physdev_pci_mmcfg_reserved r;

    if (!env->privileged)
        return -XEN_EPERM;
    if (env->read(env->ctx, 0, &r, sizeof(r)))
        return -XEN_EFAULT;
    return -XEN_ENOSYS;
}

long physdev_policy_op(uint32_t cmd, const struct physdev_env *env)
{
    switch (cmd) {
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:
        return apic_op(env);
    case PHYSDEVOP_alloc_irq_vector:
        return alloc_irq_vector(env);
    case PHYSDEVOP_map_pirq:
        return map_pirq(env);
    case PHYSDEVOP_unmap_pirq:
        return unmap_pirq(env);
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
        return read_then_privileged(env, sizeof(struct physdev_manage_pci));
    case PHYSDEVOP_manage_pci_add_ext:
        return manage_pci_add_ext(env);
    case PHYSDEVOP_setup_gsi:
        return setup_gsi(env);
    case PHYSDEVOP_pci_mmcfg_reserved:
        return pci_mmcfg_reserved(env);
    case PHYSDEVOP_pci_device_add:
        return pci_device_add(env);
    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_prepare_msix:
    case PHYSDEVOP_release_msix:
        return read_then_privileged(env, sizeof(struct physdev_pci_device));
    case PHYSDEVOP_dbgp_op:
        return dbgp_op(env);
    default:
        return -XEN_ENOSYS;
    }
}

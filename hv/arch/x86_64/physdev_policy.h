/* The physdev_op sub-ops about physical IRQs and PCI devices that need no
 * IRQ or PCI machinery to answer (pure: guest memory and domains are reached
 * through the callbacks of struct physdev_env).
 *
 * No physical IRQ, IO-APIC pin or PCI device is given to a guest here. So:
 *  - an unprivileged PV domain gets Xen 4.17's answers in full: the argument
 *    read (-EFAULT) and checked (-EINVAL, -ESRCH) in Xen's order, then
 *    -EPERM for every operation only the hardware or control domain may do;
 *  - the hardware domain gets Xen's answers as far as they go without that
 *    machinery (alloc_irq_vector, dbgp_op, the argument checks), and -ENOSYS
 *    where Xen would program an IO-APIC or track a PCI device;
 *  - restore_msi, restore_msi_ext (whose answer depends on which PCI devices
 *    exist, for any domain) and get_free_pirq (which allocates a PIRQ) are
 *    -ENOSYS for every domain, as are free_irq_vector and unknown sub-ops
 *    (which Xen does not know either). */
#ifndef HV_ARCH_PHYSDEV_POLICY_H
#define HV_ARCH_PHYSDEV_POLICY_H

#include <stdint.h>
#include <stdbool.h>
#include "xen.h"

/* GSIs the hypervisor counts (Xen's nr_irqs_gsi): Xenolith does not read the
 * IO-APICs, so it takes the 24 pins of the single IO-APIC of QEMU's machines
 * and of most PCs (docs/abi-coverage.md). */
#define PHYSDEV_NR_GSIS 24u
/* Xen's dynamic vectors, 0x20..0xef: the IRQs one CPU can take. */
#define PHYSDEV_DYNAMIC_VECTORS 208u

/* Xen 4.17's PIRQ limit of a domain (d->nr_pirqs) on a machine with nr_gsis
 * GSIs and nr_cpus CPUs: for the hardware domain the GSIs plus a CPU's
 * dynamic vectors for each bit of the CPU count (at most one per vCPU of
 * hwdom_vcpus), within the machine's IRQs (Xen's nr_irqs: the larger of
 * the CPUs' dynamic vectors and eight IRQs per GSI) and the 32768 bits of
 * the pirq_eoi page; for another domain the GSIs plus 32 (Xen's
 * extra_guest_irqs default), within the machine's IRQs. */
unsigned physdev_nr_pirqs(bool hwdom, unsigned nr_gsis, unsigned nr_cpus, unsigned hwdom_vcpus);

struct physdev_env {
    bool privileged;                /* the hardware (and control) domain */
    unsigned nr_gsis;
    void *ctx;
    /* Copy len bytes at offset off of the guest argument: 0, or nonzero if
     * they cannot be read (written). */
    int (*read)(void *ctx, uint64_t off, void *dst, unsigned len);
    int (*write)(void *ctx, uint64_t off, const void *src, unsigned len);
    /* A domain with that id exists (a dying one too); never asked for DOMID_SELF. */
    bool (*domain_exists)(void *ctx, domid_t id);
};

/* Whether physdev_policy_op answers cmd (the sub-ops listed above). */
bool physdev_policy_handles(uint32_t cmd);
/* The answer to cmd (one physdev_policy_handles accepts; -ENOSYS otherwise),
 * with its argument read and written back through env. */
long physdev_policy_op(uint32_t cmd, const struct physdev_env *env);

#endif

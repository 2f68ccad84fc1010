/* TLB flushes for a set of vCPUs.
 *
 * Xenolith runs every vCPU on one physical CPU, so the vCPUs of a domain
 * share one TLB, and a flush on this CPU reaches the translations every
 * vCPU will use:
 *  - no PCIDs are used: the TLB holds translations of the CR3 loaded now
 *    only (plus global ones), and loading another CR3 drops every
 *    non-global one;
 *  - guest L1 entries never keep the global bit (pt_adjust_pte): nothing a
 *    guest mapped survives a CR3 load or is missed by a CR3 reload;
 *  - vCPUs that share an L4 switch without reloading CR3
 *    (vcpu_arch_switch_to): the translations one of them left are those the
 *    next one uses, and they sit in this same TLB, which the local flush
 *    just emptied (INVLPG drops the address's entries whatever CR3 filled
 *    them, its paging-structure caches too);
 *  - a vCPU with another L4 gets a CR3 load at its switch, which drops the
 *    rest.
 * So a flush for any set of vCPUs is a local flush; it is done whatever the
 * set holds (an empty set flushes needlessly, which no guest can tell). The
 * bitmap is still read with checked copies, for Xen's errors. */
#include "mm/tlb_vcpumask.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"

int tlb_vcpumask_read(struct domain *d, uint64_t gva, bool *any)
{
    *any = false;
    for (unsigned word = 0; word * 64 < d->nr_vcpus; word++) {
        uint64_t bits;

        if (copy_from_guest(&bits, gva + word * sizeof(bits), sizeof(bits)))
            return -XEN_EFAULT;
        while (bits) {
            unsigned id = word * 64 + (unsigned)__builtin_ctzll(bits);

            bits &= bits - 1;
            if (id >= d->nr_vcpus)
                return 0;           /* Xen reads nothing past it */
            *any = true;
        }
    }
    return 0;
}

void tlb_flush_vcpus(struct domain *d)
{
    (void)d;
    flush_tlb_local();
}

void tlb_invlpg_vcpus(struct domain *d, uint64_t va)
{
    (void)d;
    invlpg(va);
}

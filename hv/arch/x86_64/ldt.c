/* The LDT of a PV vCPU. Its pages are the guest's own frames, checked once
 * (descriptor_check.c) and then held as descriptor pages: while the LDT uses
 * them the guest cannot map them writable, so they stay valid. The CPU reads
 * them through a window of the hypervisor's address space, which is writable
 * so that it can set descriptors' accessed bits. Checked eagerly, when the
 * guest sets the LDT (Xen checks each page when the CPU first touches it). */
#include "arch/x86_64/ldt.h"
#include "arch/x86_64/desc_page.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/page.h"
#include "core/domain.h"
#include "mm/page_type.h"
#include "mm/pv_mm.h"
#include "errno.h"

static uint64_t window(const struct vcpu *v)
{
    return HV_LDT_VIRT + (uint64_t)(v->domain->id * MAX_VCPUS + v->id) * HV_LDT_WINDOW;
}

static void put_pages(const uint64_t *mfns, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        desc_page_put(mfns[i]);
}

/* The descriptor page behind guest address va. */
static int get_ldt_page(struct vcpu *v, uint64_t va, uint64_t *mfn_out)
{
    uint64_t l1, pte;
    unsigned slot;

    if (pv_mm_find_l1(v->arch.kernel_l4, va, &l1, &slot) != 0)
        return -XEN_EINVAL;
    pte = frame_map(l1)[slot];
    if (!(pte & PTE_P))
        return -XEN_EINVAL;
    *mfn_out = pte_mfn(pte);
    return desc_page_get(*mfn_out, v->domain->id);
}

int ldt_set(struct vcpu *v, uint64_t base, uint32_t ents)
{
    uint64_t mfns[HV_LDT_WINDOW / PAGE_SIZE];
    unsigned n = (unsigned)(((uint64_t)ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE);

    for (unsigned i = 0; i < n; i++) {
        int rc = get_ldt_page(v, base + (uint64_t)i * PAGE_SIZE, &mfns[i]);
        if (rc != 0) {
            put_pages(mfns, i);
            return rc;
        }
    }
    ldt_release(v);
    for (unsigned i = 0; i < n; i++) {
        paging_map(window(v) + (uint64_t)i * PAGE_SIZE, mfns[i] << PAGE_SHIFT, PAGE_SIZE,
                   PTE_P | PTE_RW | PTE_A | PTE_D | (paging_nx_supported() ? PTE_NX : 0));
        v->arch.ldt_mfns[i] = mfns[i];
    }
    v->arch.ldt_pages = n;
    v->arch.ldt_base = ents ? base : 0;
    v->arch.ldt_ents = ents;
    if (v == current)
        ldt_load(v);
    return 0;
}

void ldt_release(struct vcpu *v)
{
    if (v->arch.ldt_pages) {
        if (v == current)
            gdt_load_ldt(0, 0);
        paging_unmap(window(v), (uint64_t)v->arch.ldt_pages * PAGE_SIZE);
        put_pages(v->arch.ldt_mfns, v->arch.ldt_pages);
    }
    v->arch.ldt_pages = 0;
    v->arch.ldt_base = 0;
    v->arch.ldt_ents = 0;
}

void ldt_load(struct vcpu *v)
{
    if (v->arch.ldt_ents)
        gdt_load_ldt(window(v), v->arch.ldt_ents * 8 - 1);
    else
        gdt_load_ldt(0, 0);
}

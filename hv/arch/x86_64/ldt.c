/* The LDT of a PV vCPU. Its pages are the guest's own frames, checked once
 * (descriptor_check.c) and then held as descriptor pages: while the LDT uses
 * them the guest cannot map them writable, so they stay valid. The CPU reads
 * them through the CPU's LDT window in the hypervisor's address space, which
 * is writable so that it can set descriptors' accessed bits. The window shows
 * the pages of the vCPU that last loaded an LDT on this CPU: switching to a
 * vCPU with another LDT maps its pages there (vCPUs without one cost nothing,
 * and the number of vCPUs is not bounded by address space). Checked eagerly,
 * when the guest sets the LDT (Xen checks each page when the CPU first
 * touches it). */
#include "arch/x86_64/ldt.h"
#include "arch/x86_64/desc_page.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/page.h"
#include "core/domain.h"
#include "mm/page_type.h"
#include "mm/pv_mm.h"
#include "errno.h"

/* The vCPU whose pages the window shows, and how many. */
static const struct vcpu *window_owner;
static unsigned window_pages;

static void window_show(const struct vcpu *v)
{
    uint64_t flags = PTE_P | PTE_RW | PTE_A | PTE_D | (paging_nx_supported() ? PTE_NX : 0);

    if (window_owner == v)
        return;
    for (unsigned i = 0; i < v->arch.ldt_pages; i++)
        paging_map(HV_LDT_VIRT + (uint64_t)i * PAGE_SIZE, v->arch.ldt_mfns[i] << PAGE_SHIFT, PAGE_SIZE, flags);
    if (window_pages > v->arch.ldt_pages)
        paging_unmap(HV_LDT_VIRT + (uint64_t)v->arch.ldt_pages * PAGE_SIZE,
                     (uint64_t)(window_pages - v->arch.ldt_pages) * PAGE_SIZE);
    window_owner = v;
    window_pages = v->arch.ldt_pages;
}

/* v's pages leave the window (they are being let go). */
static void window_forget(const struct vcpu *v)
{
    if (window_owner != v)
        return;
    paging_unmap(HV_LDT_VIRT, (uint64_t)window_pages * PAGE_SIZE);
    window_owner = 0;
    window_pages = 0;
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
    for (unsigned i = 0; i < n; i++)
        v->arch.ldt_mfns[i] = mfns[i];
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
        window_forget(v);
        put_pages(v->arch.ldt_mfns, v->arch.ldt_pages);
    }
    v->arch.ldt_pages = 0;
    v->arch.ldt_base = 0;
    v->arch.ldt_ents = 0;
}

void ldt_load(struct vcpu *v)
{
    if (v->arch.ldt_ents) {
        window_show(v);
        gdt_load_ldt(HV_LDT_VIRT, v->arch.ldt_ents * 8 - 1);
    } else
        gdt_load_ldt(0, 0);
}

/* set_gdt and update_descriptor: a PV vCPU's own GDT entries (selectors below
 * 0xe000) live in its own frames, held as descriptor pages, and the CPU sees
 * them through the GDT window while the vCPU runs. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/desc_page.h"
#include "arch/x86_64/descriptor_check.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/page.h"
#include "mm/page_type.h"
#include "errno.h"

#define GDT_GUEST_ENTRIES (GDT_GUEST_PAGES * 512)

void pv_gdt_release(struct vcpu *v)
{
    for (unsigned i = 0; i < v->arch.gdt_pages; i++)
        desc_page_put(v->arch.gdt_mfns[i]);
    v->arch.gdt_pages = 0;
    v->arch.gdt_ents = 0;
    if (v == current)
        gdt_load_guest_frames(0, 0);
}

int pv_gdt_set(struct vcpu *v, const uint64_t *mfns, uint64_t entries)
{
    unsigned n;

    if (entries > GDT_GUEST_ENTRIES)
        return -XEN_EINVAL;
    n = (unsigned)((entries + 511) / 512);
    for (unsigned i = 0; i < n; i++) {
        int rc = desc_page_get(mfns[i], v->domain->id);
        if (rc != 0) {
            while (i--)
                desc_page_put(mfns[i]);
            return rc;
        }
    }
    pv_gdt_release(v);
    for (unsigned i = 0; i < n; i++)
        v->arch.gdt_mfns[i] = mfns[i];
    v->arch.gdt_pages = n;
    v->arch.gdt_ents = (uint32_t)entries;
    if (v == current)
        gdt_load_guest_frames(v->arch.gdt_mfns, n);
    return 0;
}

long set_gdt_hypercall(uint64_t frame_list, uint64_t entries, uint64_t a3, uint64_t a4, uint64_t a5)
{
    uint64_t mfns[GDT_GUEST_PAGES];
    unsigned n;

    (void)a3; (void)a4; (void)a5;
    if (entries > GDT_GUEST_ENTRIES)
        return -XEN_EINVAL;
    n = (unsigned)((entries + 511) / 512);
    if (n && copy_from_guest(mfns, frame_list, n * sizeof(uint64_t)))
        return -XEN_EFAULT;
    return pv_gdt_set(current, mfns, entries);
}

/* One descriptor at machine address ma, checked; in a descriptor page (which
 * the guest cannot write itself) or an ordinary page of the caller. */
long update_descriptor_hypercall(uint64_t ma, uint64_t desc, uint64_t a3, uint64_t a4, uint64_t a5)
{
    domid_t d = current_domain()->id;
    uint64_t mfn = ma >> PAGE_SHIFT;
    struct page_info *pg = mfn_to_page(mfn);
    enum page_type t;
    int rc;

    (void)a3; (void)a4; (void)a5;
    if ((ma & 7) || !pg || !descriptor_fixup_for_guest(&desc) || page_get(mfn, d) != 0)
        return -XEN_EINVAL;
    t = pg->type == PGT_SEG_DESC && pg->type_count ? PGT_SEG_DESC : PGT_WRITABLE;
    if ((rc = page_get_type(mfn, d, t)) != 0) {
        page_put(mfn);
        return rc == -XEN_ERESTART ? rc : -XEN_EINVAL;    /* restart: a release to finish first */
    }
    frame_map(mfn)[(ma & (PAGE_SIZE - 1)) >> 3] = desc;
    page_put_type(mfn);
    page_put(mfn);
    return 0;
}

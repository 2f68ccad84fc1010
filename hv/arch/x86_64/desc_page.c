/* Descriptor pages: while a frame is one, the guest cannot map it writable
 * (its type is taken), so its descriptors, checked once, stay valid; changes
 * go through update_descriptor. */
#include "arch/x86_64/desc_page.h"
#include "arch/x86_64/descriptor_check.h"
#include "mm/page_type.h"
#include "errno.h"

int desc_page_get(uint64_t mfn, domid_t d)
{
    int rc;

    if ((rc = page_get_typed(mfn, d, PGT_SEG_DESC)) != 0)
        return rc == -XEN_ERESTART ? rc : -XEN_EINVAL;    /* restart: a release to finish first */
    if (!(frame_table[mfn].flags & PGF_VALIDATED)) {     /* first use as a descriptor page */
        if (!descriptor_page_fixup(frame_map(mfn), 512)) {
            desc_page_put(mfn);
            return -XEN_EINVAL;
        }
        frame_table[mfn].flags |= PGF_VALIDATED;
    }
    return 0;
}

void desc_page_put(uint64_t mfn)
{
    page_put_type(mfn);
    page_put(mfn);
}

/* Guest frames used as descriptor tables (GDT and LDT pages). */
#ifndef HV_ARCH_DESC_PAGE_H
#define HV_ARCH_DESC_PAGE_H

#include <stdint.h>
#include "mm/frame_table.h"

/* A reference and the descriptor-page type on mfn, a frame of d; the page's
 * descriptors are checked when it first becomes a descriptor page. 0 or
 * -EINVAL (not d's, mapped writable somewhere, a descriptor not allowed). */
int desc_page_get(uint64_t mfn, domid_t d);
void desc_page_put(uint64_t mfn);

#endif

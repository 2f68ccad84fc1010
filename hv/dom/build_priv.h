/* State shared by the parts of the domain builder. */
#ifndef HV_DOM_BUILD_PRIV_H
#define HV_DOM_BUILD_PRIV_H

#include "dom/build.h"
#include "dom/layout.h"
#include "dom/elf.h"

struct build_ctx {
    struct domain *d;
    const struct dom_build_params *p;
    struct elf_xen_info elf;
    struct dom_layout layout;
    uint64_t *p2m_mfns;            /* mfn of the guest p2m page holding pfn/512 */
    uint64_t nr_p2m_mfns;
    uint64_t p2m_mfns_base, p2m_mfns_frames;   /* hypervisor frames holding p2m_mfns */
    uint64_t frames_given;
    uint64_t l4_mfn;
};

uint64_t build_pfn_to_mfn(const struct build_ctx *c, uint64_t pfn);
void *build_va_ptr(const struct build_ctx *c, uint64_t va);
void *build_pfn_ptr(const struct build_ctx *c, uint64_t pfn);
int build_page_tables(struct build_ctx *c, char *err, size_t errlen);
int build_pin_tables(struct build_ctx *c, char *err, size_t errlen);
void build_log_layout(const struct build_ctx *c);

#endif

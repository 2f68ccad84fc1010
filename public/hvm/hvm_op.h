/*
 * Xenolith public ABI: the hvm_op hypercall, reduced to reading and writing
 * a domain's parameters (HVM_PARAM_*, hvm/params.h). Xenolith has no HVM
 * domains; it answers the parameters the toolstack needs for a PV domU.
 */
#ifndef XENOLITH_PUBLIC_HVM_HVM_OP_H
#define XENOLITH_PUBLIC_HVM_HVM_OP_H

#include "../xen.h"

#define HVMOP_set_param 0
#define HVMOP_get_param 1

struct xen_hvm_param {
    domid_t domid;                 /* in: the domain, or DOMID_SELF */
    uint16_t pad;
    uint32_t index;                /* in: HVM_PARAM_* */
    uint64_t value;                /* in (set) or out (get) */
};
typedef struct xen_hvm_param xen_hvm_param_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_param_t);

#endif /* XENOLITH_PUBLIC_HVM_HVM_OP_H */

/* Importing a 64-bit PV vcpu_guest_context (VCPUOP_initialise). */
#ifndef HV_ARCH_VCPU_CONTEXT_H
#define HV_ARCH_VCPU_CONTEXT_H

#include "xen.h"

struct vcpu;
/* Give v (which has no context yet) the state of c: 0, or Xen 4.17's error
 * with nothing taken and v unchanged in what it holds (vcpu_context.c). */
int vcpu_context_import(struct vcpu *v, const struct vcpu_guest_context *c);

#endif

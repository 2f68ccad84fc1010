/* A PV vCPU's local descriptor table (MMUEXT_SET_LDT). */
#ifndef HV_ARCH_LDT_H
#define HV_ARCH_LDT_H

#include <stdint.h>

struct vcpu;

/* Use the ents descriptors at guest virtual base (page aligned, at most 8192)
 * as v's LDT: each page must be mapped, owned by the domain and not mapped
 * writable anywhere; it becomes a descriptor page (validated) until the LDT
 * changes. ents 0: no LDT. 0, or -EINVAL with nothing changed. */
int ldt_set(struct vcpu *v, uint64_t base, uint32_t ents);
/* Drop v's LDT and its page references. */
void ldt_release(struct vcpu *v);
/* Load v's LDT on this CPU (v is about to run). */
void ldt_load(struct vcpu *v);

#endif

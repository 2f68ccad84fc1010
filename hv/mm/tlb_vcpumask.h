/* TLB flushes that name a set of vCPUs (MMUEXT_*_MULTI, MMUEXT_*_ALL,
 * update_va_mapping with UVMF_MULTI or UVMF_ALL): hv/mm/tlb_vcpumask.c. */
#ifndef HV_MM_TLB_VCPUMASK_H
#define HV_MM_TLB_VCPUMASK_H

#include <stdint.h>
#include <stdbool.h>

struct domain;

/* Read the guest's vCPU bitmap at gva (words of xen_ulong_t) as Xen 4.17
 * does: word by word while the word's first vCPU id is below d's vCPU
 * count, stopping at the first set bit that names no vCPU. 0, or -EFAULT
 * when a word it needed could not be read. *any: some vCPU of d is named. */
int tlb_vcpumask_read(struct domain *d, uint64_t gva, bool *any);
/* Flush the whole TLB, or one address, for vCPUs of d. */
void tlb_flush_vcpus(struct domain *d);
void tlb_invlpg_vcpus(struct domain *d, uint64_t va);

#endif

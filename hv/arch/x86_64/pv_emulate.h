/* What the hypervisor does for a PV guest kernel's privileged instructions. */
#ifndef HV_ARCH_PV_EMULATE_H
#define HV_ARCH_PV_EMULATE_H

#include <stdbool.h>
#include "arch/x86_64/regs.h"

struct vcpu;

/* A #GP from the guest: a software interrupt its virtual IDT allows (`int n`
 * with a DPL 3 trap, int3), a cpuid under CPUID faulting (any mode), or an
 * instruction the hypervisor emulates in guest kernel mode (rdmsr/wrmsr of
 * the MSRs in pv_msr.c, mov to/from control registers, clts, wbinvd,
 * rdtsc/rdtscp under the guest's CR4.TSD, xsetbv). true when handled: r is
 * updated. */
bool pv_emulate_gp(struct vcpu *v, struct cpu_regs *r);
/* The width of the code a guest runs (64, 32 or 16: the L and D bits of its
 * CS, which may be a descriptor of its own GDT or LDT), 0 for none. */
unsigned pv_code_bits(const struct cpu_regs *r);
/* A #UD from the guest: the forced-emulation prefix (ud2; "xen") before a
 * cpuid, answered with the PV CPUID policy. true when handled. */
bool pv_emulate_ud(struct vcpu *v, struct cpu_regs *r);
/* Control registers (pv_emulate_cr.c): clts, and mov to/from CR0, CR2, CR3,
 * CR4 with the guest's view of them. true when handled. */
bool pv_emulate_clts(struct vcpu *v, struct cpu_regs *r);
bool pv_emulate_mov_cr(struct vcpu *v, struct cpu_regs *r);
/* The hardware's CR4.TSD and CR4.FSGSBASE follow the guest's while it runs. */
void pv_cr4_switch_to(const struct vcpu *v);
/* rdtsc / rdtscp from the guest kernel while its CR4.TSD makes them fault. */
bool pv_emulate_rdtsc(struct vcpu *v, struct cpu_regs *r, bool rdtscp);
/* The MSRs a guest kernel may touch (pv_msr.c): false means #GP. */
bool pv_read_msr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool pv_write_msr(struct vcpu *v, uint32_t msr, uint64_t val);
/* Loads the vCPU's own MSR values (TSC_AUX) as it is switched in. */
void pv_msr_switch_to(const struct vcpu *v);
/* CPUID faulting on where the CPU offers it (true then); a cpuid of len
 * bytes answered with the PV policy. */
bool pv_cpuid_faulting_init(void);
bool pv_emulate_cpuid(struct vcpu *v, struct cpu_regs *r, unsigned len);
/* XSAVE for guests, x87 and SSE state only (pv_xsave.c): on where the CPU
 * has it (true then); each vCPU's XCR0 loaded as it is switched in; a guest
 * kernel's xsetbv. */
bool pv_xsave_init(void);
bool pv_xsave_offered(void);
void pv_xsave_switch_to(const struct vcpu *v);
bool pv_emulate_xsetbv(struct vcpu *v, struct cpu_regs *r);
/* The PV CPUID policy. */
void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif

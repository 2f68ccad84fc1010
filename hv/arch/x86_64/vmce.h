/* The virtual machine-check MSRs every PV vCPU has, as Xen 4.17 gives them:
 * two banks that never report an error (pure logic; host tested in
 * tests/host/test_vmce.c). */
#ifndef HV_ARCH_VMCE_H
#define HV_ARCH_VMCE_H

#include <stdbool.h>
#include <stdint.h>

#define VMCE_BANKS 2

struct vmce {
    uint64_t mcg_status;
    uint64_t ctl2[VMCE_BANKS];
};

enum vmce_result { VMCE_NOT_MINE, VMCE_DONE, VMCE_GP };

/* intel: the guest's CPUID vendor is Intel (else AMD-style). */
enum vmce_result vmce_read(const struct vmce *s, bool intel, uint32_t msr, uint64_t *val);
enum vmce_result vmce_write(struct vmce *s, bool intel, uint32_t msr, uint64_t val);

#endif

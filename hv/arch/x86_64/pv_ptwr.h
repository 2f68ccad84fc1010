/* Writable page tables: a PV guest kernel's plain write to one of its own
 * L1 page tables, emulated as the page-table update it means. */
#ifndef HV_ARCH_PV_PTWR_H
#define HV_ARCH_PV_PTWR_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/regs.h"

struct vcpu;

/* A #PF (address cr2) from the guest: when it is a kernel-mode write to a
 * present read-only mapping of a validated L1 of the guest's own, the guest
 * asked for VMASST_TYPE_writable_pagetables, and the instruction is one
 * insn_decode.h accepts, naturally aligned inside cr2's page, writing an
 * entry mmu_update would accept: the write is done, registers and flags
 * updated, rip moved past it, and true returned. false leaves r untouched
 * (the fault is then the guest's, as it came). */
bool pv_ptwr_fault(struct vcpu *v, struct cpu_regs *r, uint64_t cr2);

#endif

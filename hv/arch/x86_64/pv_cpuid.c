/* The CPUID a PV guest is shown (through the forced-emulation prefix; a
 * plain cpuid runs natively and sees the hardware). The hardware's answers,
 * minus what a PV guest cannot use, plus the hypervisor leaves at 0x40000000
 * that say "Xen" (the ABI Xenolith offers). */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

#define HV_LEAF_BASE 0x40000000u

/* Leaf 1 ECX: VMX, SMX, EST, TM2, MONITOR, DS-CPL, PCID, x2APIC, TSC-deadline,
 * XSAVE, OSXSAVE, AVX (XSAVE state is not offered). Set: hypervisor present. */
#define L1_ECX_HIDE ((1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 3) | (1u << 4) | \
                     (1u << 17) | (1u << 21) | (1u << 24) | (1u << 26) | (1u << 27) | (1u << 28))
/* Leaf 1 EDX: VME, DE, PSE, MCE? no; hide DS, ACPI, TM, PBE, MTRR, PSE36, the local APIC. */
#define L1_EDX_HIDE ((1u << 21) | (1u << 22) | (1u << 29) | (1u << 31) | (1u << 12) | (1u << 17) | (1u << 9))
/* Leaf 7 EBX: FSGSBASE, SMEP, INVPCID, SMAP, AVX2 and the other XSAVE-state users. */
#define L7_EBX_HIDE ((1u << 0) | (1u << 7) | (1u << 10) | (1u << 20) | (1u << 5) | (1u << 16) | \
                     (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31))

void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    if (leaf >= HV_LEAF_BASE && leaf < HV_LEAF_BASE + 0x100) {
        memset(out, 0, 4 * sizeof(uint32_t));
        switch (leaf - HV_LEAF_BASE) {
        case 0:                                   /* signature and the highest leaf */
            out[0] = HV_LEAF_BASE + 2;
            memcpy(&out[1], "XenV", 4);
            memcpy(&out[2], "MMXe", 4);
            memcpy(&out[3], "nVMM", 4);
            break;
        case 1:                                   /* the Xen interface version */
            out[0] = (4u << 16) | 17u;
            break;
        case 2:                                   /* hypercall pages, and their MSR */
            out[0] = 1;
            out[1] = HV_LEAF_BASE;
            break;
        }
        return;
    }
    cpuid_count(leaf, sub, &out[0], &out[1], &out[2], &out[3]);
    switch (leaf) {
    case 1:
        out[2] = (out[2] & ~L1_ECX_HIDE) | (1u << 31);
        out[3] &= ~L1_EDX_HIDE;
        break;
    case 5:                                       /* MONITOR/MWAIT */
    case 6:                                       /* power management */
    case 0xB:                                     /* x2APIC topology */
    case 0xD:                                     /* XSAVE state */
        memset(out, 0, 4 * sizeof(uint32_t));
        break;
    case 7:
        if (sub == 0) {
            out[1] &= ~L7_EBX_HIDE;
            out[2] = 0;
            out[3] = 0;
        } else {
            memset(out, 0, 4 * sizeof(uint32_t));
        }
        break;
    }
}

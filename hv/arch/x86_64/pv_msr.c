/* The MSRs a PV guest kernel may read and write (rdmsr/wrmsr trap with #GP
 * from ring 3 and are emulated here), with Xen 4.17's answers for a PV
 * guest; any other MSR stays a #GP. Which vendor's MSRs exist follows the
 * CPUID vendor the guest sees (the hardware's). Values that come from the
 * hardware are read with a fault-safe rdmsr. */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/va.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/msr_safe.h"
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/vmce.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/hypercall_page.h"
#include "core/domain.h"
#include "mm/page_type.h"

#define MSR_TSC                   0x10
#define MSR_PLATFORM_ID           0x17
#define MSR_APIC_BASE             0x1b
#define MSR_FEATURE_CONTROL       0x3a
#define MSR_UCODE_REV             0x8b
#define MSR_PLATFORM_INFO         0xce
#define MSR_ARCH_CAPABILITIES     0x10a
#define MSR_MISC_FEATURES_ENABLES 0x140
#define MSR_MPERF                 0xe7
#define MSR_APERF                 0xe8
#define MSR_PERF_STATUS           0x198
#define MSR_PERF_CTL              0x199
#define MSR_THERM_STATUS          0x19c
#define MSR_THERM_CONTROL         0x19a
#define MSR_MISC_ENABLE           0x1a0
#define MSR_ENERGY_PERF_BIAS      0x1b0
#define MSR_DEBUGCTL              0x1d9
#define MSR_PERF_CAPABILITIES     0x345
#define MSR_TSC_AUX               0xc0000103
#define MSR_HYPERCALL_PAGE        0x40000000
#define MSR_K8_HWCR               0xc0010015
#define MSR_AMD_DE_CFG            0xc0011029

#define PLATFORM_INFO_CPUID_FAULTING (1ull << 31)
#define MISC_FEATURES_CPUID_FAULTING 1ull

#define APIC_BASE_DEFAULT 0xfee00000ull
#define APIC_BASE_BSP     (1ull << 8)
#define APIC_BASE_ENABLE  (1ull << 11)
/* MISC_ENABLE as a PV guest sees it: no performance monitoring or MONITOR,
 * BTS and PEBS unavailable, xTPR messages disabled. */
#define MISC_ENABLE_HIDE  ((1ull << 7) | (1ull << 18))
#define MISC_ENABLE_SET   ((1ull << 11) | (1ull << 12) | (1ull << 23))

enum vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

static enum vendor cpu_vendor(void)
{
    uint32_t a, b, c, d;

    cpuid_count(0, 0, &a, &b, &c, &d);
    if (b == 0x756e6547u && d == 0x49656e69u && c == 0x6c65746eu)          /* GenuineIntel */
        return VENDOR_INTEL;
    if ((b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u) ||      /* AuthenticAMD */
        (b == 0x6f677948u && d == 0x656e6975u && c == 0x6e65476eu))       /* HygonGenuine */
        return VENDOR_AMD;
    return VENDOR_OTHER;
}

/* RDTSCP or RDPID in the guest's CPUID: TSC_AUX exists for it. */
static bool guest_has_tsc_aux(const struct vcpu *v)
{
    uint32_t out[4];

    pv_cpuid(v, 0x80000001, 0, out);
    if (out[3] & (1u << 27))
        return true;
    pv_cpuid(v, 7, 0, out);
    return (out[2] & (1u << 22)) != 0;
}

static uint64_t guest_efer(void)
{
    return rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | (1u << 10) | EFER_NXE);
}

bool pv_read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    enum vendor vendor = cpu_vendor();
    enum vmce_result mc = vmce_read(&v->arch.vmce, vendor == VENDOR_INTEL, msr, val);

    if (mc != VMCE_NOT_MINE)
        return mc == VMCE_DONE;

    vcpu_arch_sync_bases(v);                /* bases the guest wrote itself (FSGSBASE) */
    switch (msr) {
    case MSR_FS_BASE:        *val = v->arch.fs_base; return true;
    case MSR_GS_BASE:        *val = v->arch.gs_base_kernel; return true;
    case MSR_SHADOW_GS_BASE: *val = v->arch.gs_base_user; return true;
    case MSR_EFER:           *val = guest_efer(); return true;
    case MSR_TSC:            *val = rdtsc(); return true;
    case MSR_PAT:            *val = rdmsr(MSR_PAT); return true;
    case MSR_APIC_BASE:
        *val = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (v->id == 0 ? APIC_BASE_BSP : 0);
        return true;
    case MSR_PLATFORM_INFO:                 /* CPUID faulting offered where the CPU has it */
        *val = cpu_features.cpuid_faulting ? PLATFORM_INFO_CPUID_FAULTING : 0;
        return true;
    case MSR_ARCH_CAPABILITIES:             /* enumerated in CPUID 7.edx; nothing claimed */
    case MSR_PERF_CAPABILITIES:
        *val = 0;
        return true;
    case MSR_MISC_FEATURES_ENABLES:
        *val = v->arch.misc_features_enables;
        return true;
    case MSR_DEBUGCTL:                      /* read as zero (Xen 4.17: #GP; a documented difference) */
        *val = 0;
        return true;
    case MSR_TSC_AUX:
        if (!guest_has_tsc_aux(v))
            return false;
        *val = v->arch.tsc_aux;
        return true;
    case MSR_HYPERCALL_PAGE:                /* write-only; reads as zero */
        *val = 0;
        return true;
    case MSR_FEATURE_CONTROL:               /* locked, nothing enabled */
        if (vendor != VENDOR_INTEL)
            return false;
        *val = 1;
        return true;
    case MSR_PLATFORM_ID:
        return vendor == VENDOR_INTEL && rdmsr_safe(msr, val);
    case MSR_UCODE_REV:
        return vendor != VENDOR_OTHER && rdmsr_safe(msr, val);
    case MSR_PERF_STATUS:
    case MSR_PERF_CTL:
    case MSR_THERM_STATUS:
        if (vendor != VENDOR_INTEL)
            return false;
        *val = 0;
        return true;
    case MSR_MISC_ENABLE:
        if (!rdmsr_safe(msr, val))
            return false;
        *val = (*val & ~MISC_ENABLE_HIDE) | MISC_ENABLE_SET;
        return true;
    case MSR_K8_HWCR: {                     /* family 0x10 and later: TSC at P0 frequency */
        uint32_t a, b, c, d, fam;
        if (vendor != VENDOR_AMD)
            return false;
        cpuid_count(1, 0, &a, &b, &c, &d);
        fam = (a >> 8) & 0xf;
        if (fam == 0xf)
            fam += (a >> 20) & 0xff;
        *val = fam >= 0x10 ? 1ull << 24 : 0;
        return true;
    }
    case MSR_AMD_DE_CFG:                    /* LFENCE is dispatch serialising */
        if (vendor != VENDOR_AMD)
            return false;
        *val = 1ull << 1;
        return true;
    default:
        return false;
    }
}

/* The hypercall page MSR: val names a frame of the domain (page index 0)
 * that becomes its hypercall page. */
static bool write_hypercall_page(struct vcpu *v, uint64_t val)
{
    uint64_t mfn = val >> 12;

    if (val & 0xfff)
        return false;
    if (page_get_typed(mfn, v->domain->id, PGT_WRITABLE) != 0)
        return false;
    hypercall_page_write(mfn_to_virt(mfn));
    page_put_typed(mfn);
    return true;
}

bool pv_write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    enum vendor vendor = cpu_vendor();
    enum vmce_result mc = vmce_write(&v->arch.vmce, vendor == VENDOR_INTEL, msr, val);
    uint64_t cur;

    if (mc != VMCE_NOT_MINE)
        return mc == VMCE_DONE;
    if ((msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_SHADOW_GS_BASE) && !va_canonical(val))
        return false;
    vcpu_arch_sync_bases(v);
    switch (msr) {
    case MSR_FS_BASE:
        v->arch.fs_base = val;
        wrmsr(MSR_FS_BASE, val);
        return true;
    case MSR_GS_BASE:
        v->arch.gs_base_kernel = val;
        wrmsr(MSR_GS_BASE, val);
        return true;
    case MSR_SHADOW_GS_BASE:
        v->arch.gs_base_user = val;
        return true;
    case MSR_EFER:                          /* writing back the value read works */
        return val == guest_efer();
    case MSR_MISC_ENABLE:                   /* a different value is ignored, as Xen does */
        return rdmsr_safe(msr, &cur);
    case MSR_UCODE_REV:                     /* Intel's "write 0, cpuid, read" */
        return vendor == VENDOR_INTEL && val == 0;
    case MSR_PERF_CTL:                      /* discarded */
    case MSR_THERM_CONTROL:
    case MSR_ENERGY_PERF_BIAS:
        return vendor == VENDOR_INTEL;
    case MSR_MPERF:                         /* discarded (not readable) */
    case MSR_APERF:
        return vendor != VENDOR_OTHER;
    case MSR_MISC_FEATURES_ENABLES:         /* bit 0: CPUID faulting for the guest's user mode */
        if (val & ~(cpu_features.cpuid_faulting ? MISC_FEATURES_CPUID_FAULTING : 0))
            return false;
        v->arch.misc_features_enables = val;
        return true;
    case MSR_DEBUGCTL:                      /* only the value it reads */
        return val == 0;
    case MSR_TSC_AUX:
        if (!guest_has_tsc_aux(v) || val != (uint32_t)val)
            return false;
        v->arch.tsc_aux = val;
        wrmsr(MSR_TSC_AUX, val);
        return true;
    case MSR_HYPERCALL_PAGE:
        return write_hypercall_page(v, val);
    default:
        return false;
    }
}

void pv_msr_switch_to(const struct vcpu *v)
{
    static int has_rdtscp = -1;

    if (has_rdtscp < 0) {
        uint32_t a, b, c, d;
        cpuid_count(0x80000000, 0, &a, &b, &c, &d);
        if (a >= 0x80000001)
            cpuid_count(0x80000001, 0, &a, &b, &c, &d);
        else
            d = 0;
        has_rdtscp = (d >> 27) & 1;
    }
    if (has_rdtscp)
        wrmsr(MSR_TSC_AUX, v->arch.tsc_aux);
}

/* The MSRs a PV guest kernel may read and write (rdmsr/wrmsr trap with #GP
 * from ring 3 and are emulated here); any other MSR stays a #GP. */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/va.h"
#include "arch/x86_64/cpu.h"
#include "core/domain.h"

#define MSR_TSC  0x10

bool pv_read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:        *val = v->arch.fs_base; return true;
    case MSR_GS_BASE:        *val = v->arch.gs_base_kernel; return true;
    case MSR_SHADOW_GS_BASE: *val = v->arch.gs_base_user; return true;
    case MSR_EFER:           *val = rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | (1u << 10) | EFER_NXE); return true;
    case MSR_TSC:            *val = rdtsc(); return true;
    case MSR_PAT:            *val = rdmsr(MSR_PAT); return true;
    default:                 return false;
    }
}

bool pv_write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if ((msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_SHADOW_GS_BASE) && !va_canonical(val))
        return false;
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
    default:
        return false;
    }
}

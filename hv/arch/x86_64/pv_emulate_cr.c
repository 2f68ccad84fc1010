/* A PV guest kernel's view of the control registers, as Xen gives it:
 * CR0 is the hardware's with TS showing the virtual TS (fpu_taskswitch), and
 * only TS may be changed; CR2 is vcpu_info's cr2 (the last page-fault address
 * delivered, or what the guest wrote); CR3 names the kernel L4 (writing it is
 * a NEW_BASEPTR); CR4 takes any value, as in Xen: the guest keeps the bits a
 * PV guest controls and sees the hypervisor's choice of the rest. Xen's
 * guest-controlled bits are TSD, DE, and FSGSBASE and OSXSAVE where the CPUID
 * policy offers them. Xenolith keeps TSD (really set in the hardware while
 * the vCPU runs: rdtsc and rdtscp then fault, are emulated for the guest
 * kernel, and are a #GP in its user mode) and FSGSBASE where CPUID offers it
 * (set in the hardware too; the bases the guest writes itself are read back
 * by vcpu_arch_sync_bases), OSXSAVE where XSAVE is offered (xsetbv is
 * then emulated: pv_xsave.c), and DE (set_debugreg/get_debugreg then refuse
 * DR4 and DR5; DR7 I/O breakpoints stay refused: docs/abi-coverage.md). */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/cpu.h"
#include "core/domain.h"
#include "mm/page_type.h"
#include "xen.h"
#include "errno.h"

#define GUEST_CR4 (CR4_PAE | (1ul << 6) | CR4_OSFXSR | CR4_OSXMMEXCPT)   /* PAE, MCE, OSFXSR, OSXMMEXCPT */

#define CR4_FSGSBASE (1ul << 16)
#define CR4_OSXSAVE  (1ul << 18)
#define CR4_DE       (1ul << 3)

/* FSGSBASE in the CPUID the guest is shown. */
static bool guest_has_fsgsbase(const struct vcpu *v)
{
    uint32_t out[4];

    pv_cpuid(v, 7, 0, out);
    return out[1] & 1;
}

/* The general register a ModRM rm field (with REX.B) names. */
static uint64_t *gpr(struct cpu_regs *r, unsigned n)
{
    uint64_t *const regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
                                 &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    return regs[n & 15];
}

bool pv_emulate_clts(struct vcpu *v, struct cpu_regs *r)
{
    v->arch.fpu_ts = false;
    write_cr0(read_cr0() & ~CR0_TS);
    r->rip += 2;
    return true;
}

/* 0 done, -XEN_ERESTART: the new L4's validation was stopped by the work
 * limit (the instruction runs again, carrying on), else refused. */
static int guest_write_cr3(struct vcpu *v, uint64_t val)
{
    uint64_t mfn = val >> 12;
    domid_t d = v->domain->id;
    uint64_t old;
    int rc;

    if (mfn == v->arch.kernel_l4)
        return 0;
    if (page_get(mfn, d) != 0)
        return -XEN_EINVAL;
    pt_work_begin();
    if ((rc = page_get_type(mfn, d, PGT_L4)) != 0) {
        page_put(mfn);
        return rc;
    }
    old = vcpu_arch_set_kernel_l4(v, mfn);
    if (old) {
        page_put_type(old);
        page_put(old);
    }
    return 0;
}

bool pv_emulate_mov_cr(struct vcpu *v, struct cpu_regs *r)
{
    uint8_t b[4];
    unsigned len = 0, rex = 0, modrm, cr, reg;
    struct vcpu_info *vi = vcpu_info_of(v);
    uint64_t *val;

    /* [REX] 0F 20/22 ModRM, register form only. */
    while (len < 4 && copy_from_guest(&b[len], r->rip + len, 1) == 0)
        len++;
    if (len >= 1 && (b[0] & 0xF0) == 0x40) {
        rex = b[0];
        __builtin_memmove(b, b + 1, 3);
        len--;
    }
    if (len < 3 || b[0] != 0x0F || (b[2] & 0xC0) != 0xC0)
        return false;
    modrm = b[2];
    cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    reg = (modrm & 7) | ((rex & 1) ? 8 : 0);
    val = gpr(r, reg);
    if (b[1] == 0x20) {                             /* mov %crN, reg */
        switch (cr) {
        case 0: *val = (read_cr0() & ~CR0_TS) | (v->arch.fpu_ts ? CR0_TS : 0); break;
        case 2: *val = vi ? vi->arch.cr2 : 0; break;
        case 3: *val = v->arch.kernel_l4 << 12; break;
        case 4:
            *val = GUEST_CR4 | (v->arch.cr4_tsd ? CR4_TSD : 0) | (v->arch.cr4_fsgsbase ? CR4_FSGSBASE : 0) |
                   (v->arch.cr4_osxsave ? CR4_OSXSAVE : 0) | (v->arch.cr4_de ? CR4_DE : 0);
            break;
        default: return false;
        }
    } else {                                        /* mov reg, %crN */
        switch (cr) {
        case 2:
            if (vi)
                vi->arch.cr2 = *val;
            break;
        case 0:
            if ((*val ^ read_cr0()) & ~(uint64_t)CR0_TS)
                return false;                       /* only TS may change */
            v->arch.fpu_ts = (*val & CR0_TS) != 0;
            write_cr0(v->arch.fpu_ts ? read_cr0() | CR0_TS : read_cr0() & ~CR0_TS);
            break;
        case 3: {
            int rc = guest_write_cr3(v, *val);
            if (rc == -XEN_ERESTART)
                return true;                        /* not done yet: the guest runs it again */
            if (rc != 0)
                return false;
            break;
        }
        case 4:                                     /* accepted; TSD and FSGSBASE are kept */
            v->arch.cr4_tsd = (*val & CR4_TSD) != 0;     /* TSD and DE: always the guest's */
            if (!(*val & CR4_FSGSBASE))
                vcpu_arch_sync_bases(v);            /* the last bases it wrote itself */
            v->arch.cr4_fsgsbase = (*val & CR4_FSGSBASE) && guest_has_fsgsbase(v);
            v->arch.cr4_osxsave = (*val & CR4_OSXSAVE) && pv_xsave_offered();
            v->arch.cr4_de = (*val & CR4_DE) != 0;
            pv_cr4_switch_to(v);
            break;
        default:
            return false;
        }
    }
    r->rip += 3 + (rex ? 1 : 0);
    return true;
}

void pv_cr4_switch_to(const struct vcpu *v)
{
    uint64_t cr4 = read_cr4(), want = cr4 & ~(CR4_TSD | CR4_FSGSBASE);

    want |= (v->arch.cr4_tsd ? CR4_TSD : 0) | (v->arch.cr4_fsgsbase ? CR4_FSGSBASE : 0);
    if (want != cr4)
        write_cr4(want);
}

bool pv_emulate_rdtsc(struct vcpu *v, struct cpu_regs *r, bool rdtscp)
{
    uint64_t t = rdtsc();

    if (!v->arch.cr4_tsd)
        return false;                               /* not ours to explain: a #GP */
    r->rax = (uint32_t)t;
    r->rdx = t >> 32;
    if (rdtscp)
        r->rcx = (uint32_t)v->arch.tsc_aux;
    r->rip += rdtscp ? 3 : 2;
    return true;
}

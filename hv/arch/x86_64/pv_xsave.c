/* XSAVE for PV guests, limited to the x87 and SSE state (XCR0 bits 0-1):
 * that is all the FXSAVE image the hypervisor switches between vCPUs holds,
 * so no other state component is offered (AVX and later stay hidden in
 * CPUID). Where the CPU has XSAVE, CR4.OSXSAVE is on in the hardware for
 * good (xgetbv works in the guest, as under Xen), each vCPU has its own XCR0
 * (x87|SSE at start), loaded as it is switched in, and a guest kernel's
 * xsetbv (a #GP from ring 3) is emulated: #UD while the guest's own
 * CR4.OSXSAVE is clear, #GP for XCR index 1 and above or a value without
 * x87, with SSE missing or with any other component. */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/cpu.h"
#include "core/domain.h"

#define CR4_OSXSAVE  (1ul << 18)
#define XCR0_X87     1ull
#define XCR0_SSE     2ull

static bool offered;
static uint64_t loaded_xcr0;

static inline void xsetbv(uint32_t idx, uint64_t v)
{
    __asm__ volatile("xsetbv" :: "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

bool pv_xsave_init(void)
{
    uint32_t a, b, c, d;

    cpuid_count(1, 0, &a, &b, &c, &d);
    if (!(c & (1u << 26)))
        return false;
    write_cr4(read_cr4() | CR4_OSXSAVE);
    loaded_xcr0 = XCR0_X87 | XCR0_SSE;
    xsetbv(0, loaded_xcr0);
    offered = true;
    return true;
}

bool pv_xsave_offered(void)
{
    return offered;
}

static uint64_t vcpu_xcr0(const struct vcpu *v)
{
    return v->arch.xcr0 ? v->arch.xcr0 : XCR0_X87 | XCR0_SSE;
}

void pv_xsave_switch_to(const struct vcpu *v)
{
    if (offered && vcpu_xcr0(v) != loaded_xcr0) {
        loaded_xcr0 = vcpu_xcr0(v);
        xsetbv(0, loaded_xcr0);
    }
}

bool pv_emulate_xsetbv(struct vcpu *v, struct cpu_regs *r)
{
    uint64_t val = ((r->rdx & 0xffffffff) << 32) | (r->rax & 0xffffffff);

    if (!offered || !v->arch.cr4_osxsave) {
        if (!pv_bounce_exception(v, r, 6, 0, 0))
            domain_crash(v, r, "xsetbv without CR4.OSXSAVE and no way to deliver the #UD");
        return true;
    }
    if ((uint32_t)r->rcx != 0 || !(val & XCR0_X87) || (val & ~(XCR0_X87 | XCR0_SSE)))
        return false;                               /* #GP(0) */
    v->arch.xcr0 = val;
    pv_xsave_switch_to(v);
    r->rip += 3;
    return true;
}

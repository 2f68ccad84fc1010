/* Emulating a PV guest kernel's privileged instructions. The kernel runs in
 * ring 3, so rdmsr/wrmsr, int n to a DPL-0 gate and the like raise #GP in the
 * hypervisor; the instruction is decoded from guest memory (the error code is
 * not trusted: QEMU's TCG reports a wrong one for `int n`). What is not
 * emulated here becomes a #GP for the guest, as on bare metal. */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/pv_io.h"
#include "core/domain.h"

#define FORCED_EMULATION_PREFIX "\x0f\x0b" "xen"

/* Up to n bytes of guest code at rip; how many could be read (all at once
 * normally, byte by byte when the instruction ends a mapped range). */
static unsigned fetch(uint64_t rip, uint8_t *buf, unsigned n)
{
    unsigned got = 0;

    if (copy_from_guest(buf, rip, n) == 0)
        return n;
    while (got < n && copy_from_guest(buf + got, rip + got, 1) == 0)
        got++;
    return got;
}

/* A software interrupt to vector vec, from an instruction of len bytes. The
 * guest kernel counts as ring 1 (a trap of DPL 1 or more is open to it, user
 * mode needs DPL 3), and as in Xen #BP and #OF are delivered whatever the DPL. */
static bool soft_interrupt(struct vcpu *v, struct cpu_regs *r, unsigned vec, unsigned len)
{
    const struct guest_trap *t = &v->arch.traps[vec];
    unsigned ring = v->arch.user_mode ? 3 : 1;

    if (!t->address || ((t->flags & 3) < ring && vec != 3 && vec != 4)) {
        r->error_code = (vec << 3) | 2;    /* the #GP the guest gets instead: IDT entry vec */
        return false;
    }
    r->rip += len;
    if (!pv_bounce(v, r, t->address, (t->flags & 4) ? BOUNCE_MASK_EVENTS : 0, 0))
        domain_crash(v, r, "a software interrupt frame could not be written to the guest stack");
    return true;
}

unsigned pv_code_bits(const struct cpu_regs *r)
{
    uint16_t cs = (uint16_t)r->cs;
    uint32_t ar;

    if (cs == GDT_RING3_CS64)
        return 64;
    if (cs == GDT_RING3_CS32)
        return 32;
    if (!cpu_lar(cs, &ar))
        return 0;
    return (ar & (1u << 21)) ? 64 : (ar & (1u << 22)) ? 32 : 16;
}

bool pv_emulate_gp(struct vcpu *v, struct cpu_regs *r)
{
    uint8_t b[2], b3[3];
    unsigned n = fetch(r->rip, b, sizeof(b));
    uint64_t val;

    if (n >= 2 && b[0] == 0xCD)
        return soft_interrupt(v, r, b[1], 2);
    if (n >= 1 && b[0] == 0xCC)
        return soft_interrupt(v, r, 3, 1);
    if (pv_emulate_io(v, r))                        /* in/out/ins/outs, cli/sti (pv_emulate_io.c) */
        return true;
    if (n >= 2 && b[0] == 0x0F && b[1] == 0xA2) {   /* cpuid under CPUID faulting */
        if (v->arch.user_mode && (v->arch.misc_features_enables & 1))
            return false;                           /* the guest kernel asked for the #GP */
        return pv_emulate_cpuid(v, r, 2);
    }
    if (n >= 1 && (b[0] & 0xF0) == 0x40 && !v->arch.user_mode && fetch(r->rip, b3, 3) == 3 &&
        b3[1] == 0x0F && (b3[2] == 0x20 || b3[2] == 0x22))
        return pv_emulate_mov_cr(v, r);             /* with a REX prefix (%r8-%r15, %cr8) */
    if (n < 2 || b[0] != 0x0F || v->arch.user_mode)
        return false;
    if (b[1] == 0x06)                               /* clts */
        return pv_emulate_clts(v, r);
    if (b[1] == 0x09) {                             /* wbinvd: the hardware domain may */
        if (!v->domain->privileged)
            return false;
        __asm__ volatile("wbinvd" ::: "memory");
        r->rip += 2;
        return true;
    }
    if (b[1] == 0x20 || b[1] == 0x22)               /* mov from / to a control register */
        return pv_emulate_mov_cr(v, r);
    if (b[1] == 0x31)                               /* rdtsc under the guest's CR4.TSD */
        return pv_emulate_rdtsc(v, r, false);
    if (b[1] == 0x01 && fetch(r->rip, b3, 3) == 3 && b3[2] == 0xF9)   /* rdtscp */
        return pv_emulate_rdtsc(v, r, true);
    if (b[1] == 0x01 && fetch(r->rip, b3, 3) == 3 && b3[2] == 0xD1)   /* xsetbv */
        return pv_emulate_xsetbv(v, r);
    if (b[1] == 0x32) {                             /* rdmsr */
        if (!pv_read_msr(v, (uint32_t)r->rcx, &val))
            return false;
        r->rax = (uint32_t)val;
        r->rdx = val >> 32;
        r->rip += 2;
        return true;
    }
    if (b[1] == 0x30) {                             /* wrmsr */
        if (!pv_write_msr(v, (uint32_t)r->rcx, ((r->rdx & 0xffffffff) << 32) | (r->rax & 0xffffffff)))
            return false;
        r->rip += 2;
        return true;
    }
    return false;
}

bool pv_emulate_ud(struct vcpu *v, struct cpu_regs *r)
{
    uint8_t b[8];                   /* one word: the 7-byte sequence and a byte after it */

    if (fetch(r->rip, b, sizeof(b)) < 7 || __builtin_memcmp(b, FORCED_EMULATION_PREFIX, 5) != 0 ||
        b[5] != 0x0F || b[6] != 0xA2)
        return false;
    return pv_emulate_cpuid(v, r, 7);   /* ud2; .ascii "xen"; cpuid */
}

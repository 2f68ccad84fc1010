/* Debug registers of PV vCPUs (set_debugreg, get_debugreg). Breakpoints may
 * only name guest addresses; DR7 may not ask for general detection (which
 * would trap the hypervisor's own accesses) nor for I/O breakpoints (Xen
 * takes them once the guest sets CR4.DE and checks them in its port I/O
 * emulation; Xenolith does not), and the
 * reserved upper halves of DR6 and DR7 must be clear (loading them would
 * fault in the hypervisor). The
 * values live in the vCPU and are loaded while it runs. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"

#define DR6_RESERVED_ONE  0xFFFF0FF0ull
#define DR6_RESERVED_ZERO 0x00001000ull     /* bit 12 reads as 0 */
#define DR6_BS            (1ull << 14)      /* single step */
#define DR7_RESERVED_ONE  0x00000400ull
#define DR7_RESERVED_ZERO 0x0000D800ull     /* bits 11, 12, 14, 15 */
#define DR7_GD            (1ull << 13)
#define DR7_ENABLED(v, i) (((v) >> ((i) * 2)) & 3)
#define DR7_TYPE(v, i)    (((v) >> (16 + (i) * 4)) & 3)
#define DR7_TYPE_IO       2

/* What the CPU's debug registers hold: writing them is not free (an
 * emulator may flush its translations on every DR7 write), so a vCPU switch
 * that changes nothing writes nothing. */
static uint64_t loaded[8] = { [6] = 0xFFFF0FF0ull, [7] = 0x400ull };

void debugreg_load(const struct vcpu *v)
{
    const uint64_t *d = v->arch.debugreg;

    if (d[0] == loaded[0] && d[1] == loaded[1] && d[2] == loaded[2] && d[3] == loaded[3] &&
        d[6] == loaded[6] && d[7] == loaded[7])
        return;
    /* DR7 first off, so no breakpoint fires while the others change. */
    __asm__ volatile("mov %0, %%db7" :: "r"(0ull));
    __asm__ volatile("mov %0, %%db0" :: "r"(d[0]));
    __asm__ volatile("mov %0, %%db1" :: "r"(d[1]));
    __asm__ volatile("mov %0, %%db2" :: "r"(d[2]));
    __asm__ volatile("mov %0, %%db3" :: "r"(d[3]));
    __asm__ volatile("mov %0, %%db6" :: "r"(d[6]));
    __asm__ volatile("mov %0, %%db7" :: "r"(d[7]));
    for (int i = 0; i < 8; i++)
        loaded[i] = d[i];
}

/* A #DB: remember what DR6 says for the guest (get_debugreg(6)). */
void debugreg_note_trap(struct vcpu *v)
{
    uint64_t dr6;

    __asm__ volatile("mov %%db6, %0" : "=r"(dr6));
    v->arch.debugreg[6] = (dr6 & ~DR6_RESERVED_ZERO) | DR6_RESERVED_ONE;
    loaded[6] = ~0ull;                      /* the hardware's DR6 changed: reload it next time */
}

void debugreg_note_step(struct vcpu *v)
{
    v->arch.debugreg[6] |= DR6_BS;
    loaded[6] = ~0ull;                      /* reload it next time */
}

/* DR4 and DR5 are DR6 and DR7 while the guest's CR4.DE is clear, as on the
 * hardware; with it set they do not exist (-ENODEV, as Xen answers). */
static int alias(const struct vcpu *v, unsigned reg)
{
    if (reg == 4 || reg == 5)
        return v->arch.cr4_de ? -1 : (int)reg + 2;
    return (int)reg;
}

long set_debugreg_hypercall(uint64_t reg, uint64_t value, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a3; (void)a4; (void)a5;
    return reg > 7 ? -XEN_ENODEV : pv_debugreg_set(current, (unsigned)reg, value);
}

int pv_debugreg_set(struct vcpu *v, unsigned reg, uint64_t value)
{
    if (reg > 7 || alias(v, (unsigned)reg) < 0)
        return -XEN_ENODEV;
    reg = (unsigned)alias(v, reg);
    if ((reg == 6 || reg == 7) && (value >> 32))
        return -XEN_EINVAL;             /* the upper halves are reserved: never load them */
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_range_ok(value, sizeof(uint64_t)))
            return -XEN_EPERM;
        break;
    case 6:
        value = (value & ~DR6_RESERVED_ZERO) | DR6_RESERVED_ONE;
        break;
    case 7:
        if (value & DR7_GD)
            return -XEN_EPERM;
        for (int i = 0; i < 4; i++)
            if (DR7_ENABLED(value, i) && DR7_TYPE(value, i) == DR7_TYPE_IO)
                return -XEN_EPERM;
        value = (value & ~DR7_RESERVED_ZERO) | DR7_RESERVED_ONE;
        break;
    }
    v->arch.debugreg[reg] = value;
    if (v == current)
        debugreg_load(v);
    return 0;
}

long get_debugreg_hypercall(uint64_t reg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a2; (void)a3; (void)a4; (void)a5;
    if (reg > 7 || alias(current, (unsigned)reg) < 0)
        return -XEN_ENODEV;
    return (long)current->arch.debugreg[alias(current, (unsigned)reg)];
}

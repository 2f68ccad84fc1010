/* Port I/O and cli/sti of a PV guest, after the #GP the real instruction
 * raises (the guest always runs with the hardware IOPL at 0). The decisions
 * are Xen 4.17's:
 * - the virtual IOPL admits the guest kernel when it is at least 1 (at least
 *   0 under VMASST_TYPE_architectural_iopl, which makes the kernel ring 0),
 *   and guest user mode only at 3;
 * - otherwise an I/O access (not cli/sti) may still be admitted by the I/O
 *   bitmap the kernel registered (PHYSDEVOP_set_iobitmap): a clear bit per
 *   port, for ports below its limit, read from guest kernel memory on each
 *   access; bits that cannot be read count as set;
 * - an admitted cli/sti does nothing (the event mask is left alone);
 * - an admitted access reaches the real port only for the hardware domain
 *   and only ports outside the hypervisor's (ioport_policy.h); every other
 *   port reads as all ones and drops writes;
 * - not admitted: the #GP(0) goes to the guest; hlt is never emulated. */
#include "arch/x86_64/pv_io.h"
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/ioport_policy.h"
#include "arch/x86_64/io_insn.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "core/domain.h"
#include "core/log.h"
#include "xen.h"

#define REPS_PER_TRAP 1024      /* a longer rep ins/outs resumes on the next #GP */
#define PFEC_WRITE 2
#define PFEC_USER 4

static struct ioport_policy dom0_ports;

void pv_io_init(uint16_t serial_base)
{
    uint16_t pm1a, pm1b, reset, pm_tmr;
    bool ok;

    ioport_policy_init(&dom0_ports);
    ok = ioport_policy_deny(&dom0_ports, serial_base, 8);
    if (power_io_ports(&pm1a, &pm1b, &reset, &pm_tmr)) {
        ok &= ioport_policy_deny(&dom0_ports, pm1a, pm1a ? 2 : 0);
        ok &= ioport_policy_deny(&dom0_ports, pm1b, pm1b ? 2 : 0);
        ok &= ioport_policy_deny(&dom0_ports, reset, reset ? 1 : 0);
        ok &= ioport_policy_deny(&dom0_ports, pm_tmr, pm_tmr ? 4 : 0);
    }
    if (!ok)
        log_err("I/O ports: a range of the hypervisor's could not be listed\n");
}

static bool iopl_ok(const struct vcpu *v)
{
    return io_iopl_allows(v->arch.user_mode, v->domain->vm_assist & (1ull << VMASST_TYPE_architectural_iopl),
                          v->arch.iopl);
}

/* The I/O bitmap's two bytes covering port, from guest kernel memory. */
static bool bitmap_ok(struct vcpu *v, unsigned port, unsigned bytes)
{
    uint8_t b[2] = { 0xff, 0xff };
    bool user = v->arch.user_mode;
    uint64_t at = v->arch.iobmp + (port >> 3);

    if ((uint64_t)port + bytes > v->arch.iobmp_limit)
        return false;
    if (user)
        vcpu_arch_use_tables(v, true);
    if (copy_from_guest(b, at, 2) != 0 && copy_from_guest(b, at, 1) != 0)
        b[0] = 0xff;
    if (user)
        vcpu_arch_use_tables(v, false);
    return io_bitmap_allows(b[0], b[1], port, bytes, v->arch.iobmp_limit);
}

static bool io_ok(struct vcpu *v, unsigned port, unsigned bytes)
{
    return iopl_ok(v) || bitmap_ok(v, port, bytes);
}

static uint32_t port_read(const struct domain *d, unsigned port, unsigned bytes)
{
    uint32_t val = 0;

    if (d->privileged && ioport_policy_dom0_may(&dom0_ports, port, bytes)) {
        switch (bytes) {
        case 1: return inb((uint16_t)port);
        case 2: return inw((uint16_t)port);
        default: return inl((uint16_t)port);
        }
    }
    for (unsigned i = 0; i < bytes; i++) {          /* byte by byte: the domain's ports only */
        uint32_t b = 0xff;

        if (d->privileged && ioport_policy_dom0_may(&dom0_ports, port + i, 1))
            b = inb((uint16_t)(port + i));
        val |= b << (8 * i);
    }
    return val;
}

static void port_write(const struct domain *d, unsigned port, unsigned bytes, uint32_t val)
{
    if (!d->privileged)
        return;
    if (ioport_policy_dom0_may(&dom0_ports, port, bytes)) {
        switch (bytes) {
        case 1: outb((uint16_t)port, (uint8_t)val); return;
        case 2: outw((uint16_t)port, (uint16_t)val); return;
        default: outl((uint16_t)port, val); return;
        }
    }
    for (unsigned i = 0; i < bytes; i++)
        if (ioport_policy_dom0_may(&dom0_ports, port + i, 1))
            outb((uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
}

/* Up to IO_INSN_MAX bytes of guest code at rip; how many could be read. */
static unsigned fetch(uint64_t rip, uint8_t *buf)
{
    unsigned got = 0;

    if (copy_from_guest(buf, rip, IO_INSN_MAX) == 0)
        return IO_INSN_MAX;
    while (got < IO_INSN_MAX && copy_from_guest(buf + got, rip + got, 1) == 0)   /* the end of a mapping */
        got++;
    return got;
}

/* A #PF on the memory of ins/outs: write or read, plus the user bit from
 * guest user mode, as Xen reports an emulated access's fault. */
static void fault(struct vcpu *v, struct cpu_regs *r, uint64_t addr, uint64_t pfec)
{
    if (v->arch.user_mode)
        pfec |= PFEC_USER;
    if (!pv_bounce_exception(v, r, 14, pfec, addr))
        domain_crash(v, r, "page fault in an emulated ins/outs, with no handler for it");
}

/* rep ins/outs (or a single one): RDI/RSI/RCX advance as the real
 * instruction's would, so a fault leaves them where it struck. */
static void string_io(struct vcpu *v, struct cpu_regs *r, const struct io_insn *in,
                      unsigned port, unsigned bytes)
{
    bool out = in->op == 0x6e || in->op == 0x6f;
    uint64_t amask = in->addr32 ? 0xffffffffull : ~0ull;
    uint64_t *pidx = out ? &r->rsi : &r->rdi;
    uint64_t base = 0;
    int64_t step = (r->rflags & RFLAGS_DF) ? -(int64_t)bytes : (int64_t)bytes;
    uint64_t count = in->rep ? (r->rcx & amask) : 1;

    if (out && in->seg == 4)
        base = rdmsr(MSR_FS_BASE);
    else if (out && in->seg == 5)
        base = rdmsr(MSR_GS_BASE);
    for (unsigned done = 0; count; done++) {
        uint64_t addr = base + (*pidx & amask);
        uint32_t val = 0;

        if (done == REPS_PER_TRAP)
            return;                             /* rip unchanged: the rest on the next #GP */
        if (out) {
            if (copy_from_guest(&val, addr, bytes) != 0) {
                fault(v, r, addr, 0);
                return;
            }
            port_write(v->domain, port, bytes, val);
        } else {
            val = port_read(v->domain, port, bytes);
            if (copy_to_guest(addr, &val, bytes) != 0) {
                fault(v, r, addr, PFEC_WRITE);
                return;
            }
        }
        *pidx = (*pidx + (uint64_t)step) & amask;    /* a 32-bit index write clears bits 32-63 */
        count--;
        if (in->rep)
            r->rcx = count;
    }
    r->rip += in->len;
}

bool pv_emulate_io(struct vcpu *v, struct cpu_regs *r)
{
    struct io_insn in;
    uint8_t code[IO_INSN_MAX];
    unsigned port, bytes;

    unsigned bits = pv_code_bits(r);

    /* 64-bit and 32-bit code (the CS's L and D bits, as Xen reads them);
     * 16-bit code segments of the guest's own are not emulated (#GP). */
    if (bits < 32 || !io_insn_decode(code, fetch(r->rip, code), bits == 32, &in))
        return false;
    switch (in.op) {
    case 0xfa: case 0xfb:                       /* cli, sti: allowed ones do nothing */
        if (!iopl_ok(v))
            return false;
        r->rip += in.len;
        return true;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
        port = in.imm8;
        break;
    case 0xec: case 0xed: case 0xee: case 0xef:
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
        port = r->rdx & 0xffff;
        break;
    default:
        return false;
    }
    bytes = io_insn_bytes(&in);
    if (!io_ok(v, port, bytes))
        return false;
    switch (in.op) {
    case 0xe4: case 0xe5: case 0xec: case 0xed:
        r->rax = io_merge_rax(r->rax, bytes, port_read(v->domain, port, bytes));
        break;
    case 0xe6: case 0xe7: case 0xee: case 0xef:
        port_write(v->domain, port, bytes, (uint32_t)r->rax);
        break;
    default:
        string_io(v, r, &in, port, bytes);
        return true;
    }
    r->rip += in.len;
    return true;
}

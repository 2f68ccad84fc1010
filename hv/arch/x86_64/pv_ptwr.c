/* Writable page tables, the instruction side: fetch and decode the faulting
 * instruction (insn_decode.c), compute what it writes into the 8-byte entry
 * (a narrower write is merged into the entry), let mm/ptwr.c validate and
 * apply it as mmu_update would, then give the instruction its register and
 * flag results. Like mmu_update (and Xen's emulation), no TLB flush: the
 * guest flushes what it changed; the page-type rules never depend on it. */
#include "arch/x86_64/pv_ptwr.h"
#include "arch/x86_64/insn_decode.h"
#include "arch/x86_64/guest_access.h"
#include "mm/ptwr.h"
#include "core/domain.h"
#include "arch/x86_64/pv_emulate.h"
#include "errno.h"
#include "xen.h"

#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_RSVD    (1u << 3)
#define PF_FETCH   (1u << 4)

/* Up to n bytes of guest code at rip: how many could be read. */
static unsigned fetch_code(uint64_t rip, uint8_t *buf, unsigned n)
{
    unsigned got = 0;

    if (copy_from_guest(buf, rip, n) == 0)
        return n;
    while (got < n && copy_from_guest(buf + got, rip + got, 1) == 0)
        got++;
    return got;
}

static void regs_to_gpr(const struct cpu_regs *r, uint64_t g[16])
{
    g[0] = r->rax; g[1] = r->rcx; g[2] = r->rdx; g[3] = r->rbx;
    g[4] = r->rsp; g[5] = r->rbp; g[6] = r->rsi; g[7] = r->rdi;
    g[8] = r->r8; g[9] = r->r9; g[10] = r->r10; g[11] = r->r11;
    g[12] = r->r12; g[13] = r->r13; g[14] = r->r14; g[15] = r->r15;
}

static void gpr_to_regs(const uint64_t g[16], struct cpu_regs *r)
{
    r->rax = g[0]; r->rcx = g[1]; r->rdx = g[2]; r->rbx = g[3];
    r->rsp = g[4]; r->rbp = g[5]; r->rsi = g[6]; r->rdi = g[7];
    r->r8 = g[8]; r->r9 = g[9]; r->r10 = g[10]; r->r11 = g[11];
    r->r12 = g[12]; r->r13 = g[13]; r->r14 = g[14]; r->r15 = g[15];
}

bool pv_ptwr_fault(struct vcpu *v, struct cpu_regs *r, uint64_t cr2)
{
    struct domain *d = v->domain;
    uint8_t code[INSN_MAX_LEN];
    uint64_t gpr[16], l1, addr, mask, entry, src, merged, expect = 0, found = 0;
    unsigned got, slot, shift, bit = 0;
    int64_t adjust = 0;
    struct insn in;
    struct insn_result res;
    bool flush = false;
    int rc;

    if (v->arch.user_mode || (r->error_code & (PF_PRESENT | PF_WRITE | PF_RSVD | PF_FETCH)) !=
                                 (PF_PRESENT | PF_WRITE))
        return false;
    /* The assist turns the emulation on; a privileged (hardware) domain has
     * it whatever the assist says, as in Xen 4.17, where every present-write
     * fault of the hardware domain is offered to the same emulation (on its
     * way to the emulation of read-only MMIO pages). */
    if (!(d->vm_assist & (1ull << VMASST_TYPE_writable_pagetables)) && !d->privileged)
        return false;
    if (!guest_range_ok(cr2, 1) || ptwr_target(d->id, v->arch.kernel_l4, cr2, &l1) != 0)
        return false;
    if (pv_code_bits(r) != 64)              /* the decoder knows 64-bit code only */
        return false;
    got = fetch_code(r->rip, code, sizeof(code));
    if (!insn_decode(code, got, &in))
        return false;

    regs_to_gpr(r, gpr);
    src = insn_read_src(&in, gpr);
    addr = insn_effective_address(&in, gpr, r->rip);
    if (in.kind == INSN_BTS || in.kind == INSN_BTR) {
        insn_bit_offset(&in, in.src_reg == INSN_NO_REG ? in.imm : gpr[in.src_reg], &adjust, &bit);
        addr += (uint64_t)adjust;
    }
    /* As Xen 4.17: the offset alone, an FS or GS base not added (its
     * emulation compares the instruction's offset with CR2): a store through
     * a segment with a base other than 0 is refused as the #PF it is. */
    /* As Xen: a naturally aligned store inside the faulting page. */
    if (((addr ^ cr2) >> 12) != 0 || (addr & (in.size - 1u)) != 0)
        return false;

    slot = (unsigned)(addr & 0xfff) >> 3;
    shift = 8u * (unsigned)(addr & 7);
    mask = in.size == 8 ? ~0ull : ((1ull << (8u * in.size)) - 1) << shift;
    entry = ptwr_read(l1, slot);
    insn_execute(&in, entry >> shift, src, bit, r->rax, r->rflags, &res);

    if (in.kind == INSN_CMPXCHG) {
        merged = (entry & ~mask) | ((src << shift) & mask);
        expect = (entry & ~mask) | ((r->rax << shift) & mask);
        rc = ptwr_update(d->id, l1, slot, merged, true, expect, &found, &flush);
        if (rc == -XEN_ERESTART)
            return true;                            /* a slice of release work done: run it again */
        if (rc < 0 || (rc == 1) != !res.write)     /* (one CPU: the entry cannot have moved) */
            return false;
    } else if (res.write) {
        merged = (entry & ~mask) | ((res.new_val << shift) & mask);
        rc = ptwr_update(d->id, l1, slot, merged, false, 0, &found, &flush);
        if (rc == -XEN_ERESTART)
            return true;                            /* a slice of release work done: run it again */
        if (rc != 0)
            return false;
    }

    if (res.reg_write) {
        insn_write_reg(&in, gpr, res.reg, res.reg_high8, res.reg_val);
        gpr_to_regs(gpr, r);
    }
    r->rflags = res.rflags;
    r->rip += in.len;
    return true;
}

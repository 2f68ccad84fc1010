/*
 * Secondary vCPUs for the test guests (see smp.h). Nothing here runs unless
 * a guest calls it.
 */
#include "smp.h"

static smp_port_fn port_hook;

void smp_init_boot_cpu(struct smp_cpu *c)
{
    c->self = c;
    c->id = 0;
    c->vi = pv_vcpu;
    pv_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)c);
}

struct vcpu_info *smp_shared_vcpu_info(unsigned id)
{
    return id < XEN_LEGACY_MAX_VCPUS ? &pv_shared->vcpu_info[id] : 0;
}

long smp_register_vcpu_info(unsigned id, struct vcpu_info *where)
{
    struct vcpu_register_vcpu_info r = {
        .mfn = mm_va_to_mfn((unsigned long)where & ~(MM_PAGE_SIZE - 1)),
        .offset = (uint32_t)((unsigned long)where & (MM_PAGE_SIZE - 1)),
    };
    return pv_vcpu_op(VCPUOP_register_vcpu_info, id, &r);
}

void smp_context(struct vcpu_guest_context *ctx, struct smp_cpu *c, void *stack_top)
{
    g_memset(ctx, 0, sizeof(*ctx));
    c->self = c;
    ctx->flags = VGCF_in_kernel;
    /* Entered as if called: the return-address slot below the aligned top. */
    ctx->user_regs.rip = (unsigned long)c->fn;
    ctx->user_regs.rsp = (unsigned long)stack_top - 8;
    ctx->user_regs.rdi = (unsigned long)c;
    ctx->user_regs.cs = FLAT_KERNEL_CS;
    ctx->user_regs.ss = FLAT_KERNEL_SS;
    ctx->user_regs.rflags = 0x202;
    for (unsigned v = 0; v < 32; v++) {
        if (v == 2 || v == 8 || v == 18)
            continue;
        ctx->trap_ctxt[v].vector = (uint8_t)v;
        ctx->trap_ctxt[v].flags = v == 3 ? 3 : 0;
        ctx->trap_ctxt[v].cs = FLAT_KERNEL_CS;
        ctx->trap_ctxt[v].address = pv_stub_address(v);
    }
    ctx->kernel_ss = FLAT_KERNEL_SS;
    ctx->kernel_sp = (unsigned long)stack_top;
    ctx->ctrlreg[3] = xen_pfn_to_cr3(mm_l4_mfn());
    ctx->debugreg[6] = 0xFFFF0FF0UL;
    ctx->debugreg[7] = 0x400UL;
    ctx->event_callback_eip = (unsigned long)pv_upcall_entry;
    ctx->failsafe_callback_eip = (unsigned long)pv_failsafe_entry;
    ctx->syscall_callback_eip = (unsigned long)pv_syscall_entry;
    ctx->gs_base_kernel = (unsigned long)c;
}

long smp_start(struct smp_cpu *c, void *stack_top)
{
    static struct vcpu_guest_context ctx;     /* 5 KiB: not on the stack */
    long rc;

    smp_context(&ctx, c, stack_top);
    rc = pv_vcpu_op(VCPUOP_initialise, c->id, &ctx);
    return rc ? rc : pv_vcpu_op(VCPUOP_up, c->id, 0);
}

static void smp_upcall(struct pv_regs *r)
{
    struct smp_cpu *c = smp_this();

    (void)r;
    c->upcalls++;
    smp_evtchn_scan(c);
}

void smp_setup_events(void)
{
    pv_set_handler(PV_VEC_UPCALL, smp_upcall);
}

void smp_own_port(struct smp_cpu *c, unsigned port)
{
    if (port < SMP_MAX_PORTS)
        c->own[port / 64] |= 1UL << (port % 64);
}

void smp_set_port_hook(smp_port_fn fn)
{
    port_hook = fn;
}

unsigned smp_evtchn_scan(struct smp_cpu *c)
{
    volatile struct vcpu_info *vi = c->vi;
    unsigned handled = 0;

    while (vi->evtchn_upcall_pending) {
        vi->evtchn_upcall_pending = 0;
        unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            sel &= sel - 1;
            if (w >= SMP_MAX_PORTS / 64)
                continue;
            unsigned long bits = pv_shared->evtchn_pending[w] & ~pv_shared->evtchn_mask[w] & c->own[w];
            while (bits) {
                unsigned b = (unsigned)__builtin_ctzl(bits);
                bits &= bits - 1;
                /* Taken by whoever clears it: counted once. */
                if (!(__atomic_fetch_and(&pv_shared->evtchn_pending[w], ~(1UL << b), __ATOMIC_SEQ_CST) &
                      (1UL << b)))
                    continue;
                handled++;
                if (port_hook)
                    port_hook(c, w * 64 + b);
            }
        }
    }
    return handled;
}

void smp_events_unmask(struct smp_cpu *c)
{
    __asm__ volatile("" ::: "memory");
    c->vi->evtchn_upcall_mask = 0;
    __asm__ volatile("" ::: "memory");
    if (c->vi->evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, 0);
}

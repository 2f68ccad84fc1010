/* The debug keys (see keyhandler.h). */
#include <stddef.h>
#include "core/keyhandler.h"
#include "core/console_input.h"
#include "core/domain.h"
#include "core/log.h"
#include "lib/format.h"
#include "sched/sched_cpu.h"
#include "evtchn/evtchn.h"
#include "arch/x86_64/power.h"
#include "xen.h"
#include "sched.h"

#define U(x) ((unsigned long long)(x))

struct key {
    char key;
    void (*fn)(const struct cpu_regs *r);
    const char *what;
};

static const struct key keys[];

static const char *domain_state_name(const struct domain *d)
{
    switch (d->state) {
    case DOMAIN_BUILDING: return "building";
    case DOMAIN_RUNNING: return d->ctl_pause_count ? "paused" : "running";
    case DOMAIN_SHUTDOWN: return "shut down";
    default: return "free";
    }
}

/* Where a vCPU's guest registers are now: in the interrupted frame when it
 * is the one that was running guest code, else where its last exit left them. */
static const struct cpu_regs *vcpu_regs(const struct vcpu *v, const struct cpu_regs *r)
{
    return v == current && r && regs_from_guest(r) ? r : &v->regs;
}

static const char *vcpu_state_name(const struct vcpu *v)
{
    if (!v->online)
        return "down";
    if (v->polling)
        return "polling";
    if (v->blocked)
        return "blocked";
    if (v == current)
        return "running";
    return v->runnable ? "runnable" : "not runnable";
}

static void key_help(const struct cpu_regs *r)
{
    uint32_t waiting;
    uint64_t dropped;

    (void)r;
    log_info("'h' pressed -> the debug keys:\n");
    for (const struct key *k = keys; k->key; k++)
        log_info("  key '%c': %s\n", k->key, k->what);
    console_input_stats(&waiting, &dropped);
    log_info("  (dom0's input ring: %u bytes waiting, %llu dropped when it was full)\n", waiting, U(dropped));
}

static void key_domains(const struct cpu_regs *r)
{
    log_info("'q' pressed -> domains and vCPUs:\n");
    for (struct domain *d = domain_next(0); d; d = domain_next((domid_t)(d->id + 1))) {
        log_info("d%u '%s': %s%s, %llu pages (max %llu), %u vCPU%s\n", d->id, d->name,
                 domain_state_name(d), d->privileged ? ", privileged" : "", U(d->nr_pages),
                 U(d->max_pages), d->nr_vcpus, d->nr_vcpus == 1 ? "" : "s");
        for (unsigned i = 0; i < d->nr_vcpus; i++) {
            const struct vcpu *v = d->vcpus[i];
            const struct cpu_regs *g;
            if (!v)
                continue;
            g = vcpu_regs(v, r);
            log_info("  d%uv%u: %s, %s mode, RIP %04llx:%016llx RSP %016llx RFLAGS %08llx\n", d->id, v->id,
                     vcpu_state_name(v), vcpu_arch_in_kernel_mode(&v->arch) ? "kernel" : "user",
                     U(g->cs), U(g->rip), U(g->rsp), U(g->rflags));
        }
    }
}

static struct vcpu *unit_to_vcpu(struct sched_unit *u)
{
    return (struct vcpu *)((char *)u - offsetof(struct vcpu, unit));
}

static void show_queue(const char *name, struct runqueue *q)
{
    char line[160];
    unsigned at = 0, shown = 0;

    line[0] = 0;
    for (struct runq_link *l = q->head.next; l != &q->head && shown < 16; l = l->next, shown++) {
        /* The link is the unit's first member. */
        struct vcpu *v = unit_to_vcpu((struct sched_unit *)l);
        int n = fmt_snprintf(line + at, sizeof(line) - at, " d%uv%u", v->domain->id, v->id);
        if (n < 0 || (unsigned)n >= sizeof(line) - at)
            break;
        at += (unsigned)n;
    }
    log_info("  %s queue: %u vCPU%s%s%s%s\n", name, q->length, q->length == 1 ? "" : "s",
             q->length ? ":" : "", line, shown < q->length ? " ..." : "");
}

static void key_runqueues(const struct cpu_regs *r)
{
    struct sched_cpu *c = &sched_cpu_this;
    struct vcpu *curr = c->curr ? unit_to_vcpu(c->curr) : 0;

    (void)r;
    /* A key typed while the hypervisor boots comes before the scheduler
     * exists: its queues are not linked yet. */
    if (!c->woken.head.next || !c->expired.head.next) {
        log_info("'r' pressed -> the scheduler is not set up yet\n");
        return;
    }
    log_info("'r' pressed -> the scheduler's run queues (CPU 0, slice %llu us):\n", U(c->slice_ns / 1000));
    if (curr)
        log_info("  on the CPU: d%uv%u (%llu us of its slice left%s)\n", curr->domain->id, curr->id,
                 U(c->curr->slice_left / 1000), c->deadline == SCHED_NO_DEADLINE ? ", alone: no deadline" : "");
    else
        log_info("  on the CPU: none\n");
    show_queue("woken", &c->woken);
    show_queue("expired", &c->expired);
}

static void key_dom0_regs(const struct cpu_regs *r)
{
    struct domain *d0 = domain_lookup(0);

    log_info("'0' pressed -> dom0's vCPU registers:\n");
    if (!d0) {
        log_info("  no dom0\n");
        return;
    }
    for (unsigned i = 0; i < d0->nr_vcpus; i++) {
        const struct vcpu *v = d0->vcpus[i];
        const struct cpu_regs *g;
        if (!v)
            continue;
        g = vcpu_regs(v, r);
        log_info("  d0v%u (%s): RIP %04llx:%016llx RFLAGS %016llx RSP %04llx:%016llx\n", v->id,
                 vcpu_state_name(v), U(g->cs), U(g->rip), U(g->rflags), U(g->ss), U(g->rsp));
        log_info("    RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", U(g->rax), U(g->rbx), U(g->rcx), U(g->rdx));
        log_info("    RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", U(g->rsi), U(g->rdi), U(g->rbp), U(g->r8));
        log_info("    R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", U(g->r9), U(g->r10), U(g->r11), U(g->r12));
        log_info("    R13 %016llx R14 %016llx R15 %016llx CR3 %016llx\n", U(g->r13), U(g->r14), U(g->r15),
                 U(v->arch.cr3));
    }
}

static void key_evtchn(const struct cpu_regs *r)
{
    (void)r;
    log_info("'e' pressed -> event channels:\n");
    for (struct domain *d = domain_next(0); d; d = domain_next((domid_t)(d->id + 1)))
        evtchn_dump(d);
}

static void key_reboot(const struct cpu_regs *r)
{
    (void)r;
    log_info("'R' pressed -> rebooting the machine\n");
    machine_power_off(SHUTDOWN_reboot);
}

static const struct key keys[] = {
    { 'h', key_help, "this list" },
    { 'q', key_domains, "domains and their vCPUs (state, pages, RIP and RSP)" },
    { 'r', key_runqueues, "the scheduler's run queues" },
    { '0', key_dom0_regs, "dom0's vCPU registers" },
    { 'e', key_evtchn, "each domain's bound event channels" },
    { 'R', key_reboot, "reboot the machine" },
    { 0, 0, 0 },
};

void keyhandler_key(char key, const struct cpu_regs *r)
{
    for (const struct key *k = keys; k->key; k++)
        if (k->key == key) {
            k->fn(r);
            return;
        }
}

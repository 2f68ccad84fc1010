/* Domain life cycle: creation, shutdown, crash, and handing the CPU to the
 * next vCPU. */
#include "core/domain.h"
#include "core/log.h"
#include "core/panic.h"
#include "arch/x86_64/dump.h"
#include "arch/x86_64/power.h"
#include "mm/mm.h"
#include "lib/string.h"
#include "sched.h"

static struct domain domains[MAX_DOMAINS];
static struct runqueue runq;
struct vcpu *current;
static int last_reason = SHUTDOWN_poweroff;

static const char *reason_name(int reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" };
    return reason >= 0 && reason < (int)(sizeof(names) / sizeof(names[0])) ? names[reason] : "unknown";
}

struct domain *domain_create(domid_t id, bool privileged)
{
    struct domain *d = 0;

    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOMAIN_FREE) {
            d = &domains[i];
            break;
        }
    if (!d)
        return 0;
    if (runq.head.next == 0)
        runq_init(&runq);
    memset(d, 0, sizeof(*d));
    d->id = id;
    d->state = DOMAIN_BUILDING;
    d->privileged = privileged;
    d->shutdown_code = -1;
    d->console_line_start = 1;
    d->nr_vcpus = 1;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        d->vcpus[i].id = i;
        d->vcpus[i].domain = d;
    }
    return d;
}

unsigned domain_count_live(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOMAIN_BUILDING || domains[i].state == DOMAIN_RUNNING)
            n++;
    return n;
}

/* Give every frame the domain owns back to the allocator. */
static void domain_release_memory(struct domain *d)
{
    uint64_t freed = 0;

    for (uint64_t mfn = 0; mfn < frame_table_frames; mfn++) {
        struct page_info *pg = &frame_table[mfn];
        if (pg->owner != d->id || (pg->flags & PGF_XEN_HEAP))
            continue;
        mm_free_frame(mfn);
        freed++;
    }
    if (d->shared_info_mfn) {
        mm_free_frame(d->shared_info_mfn);
        d->shared_info_mfn = 0;
        d->shared_info = 0;
    }
    log_debug("d%u: released %llu frames\n", d->id, (unsigned long long)freed);
}

void domain_shutdown(struct domain *d, int reason)
{
    if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_FREE)
        return;
    if (d->shutdown_code >= 0)
        reason = d->shutdown_code;
    d->shutdown_reason = reason;
    d->state = DOMAIN_SHUTDOWN;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        d->vcpus[i].runnable = false;
        runq_remove(&runq, &d->vcpus[i].unit);
    }
    log_info("d%u: shut down (reason: %s)\n", d->id, reason_name(reason));
    last_reason = reason;
    if (current && current->domain == d)
        vcpu_arch_leave_guest_space();
    domain_release_memory(d);
    d->state = DOMAIN_FREE;
}

void domain_crash(struct vcpu *v, const struct cpu_regs *r, const char *why)
{
    log_err("d%uv%u crashed: %s\n", v->domain->id, v->id, why);
    dump_guest_state(r);
    domain_shutdown(v->domain, SHUTDOWN_crash);
}

static struct vcpu *unit_vcpu(struct sched_unit *u)
{
    return (struct vcpu *)((char *)u - __builtin_offsetof(struct vcpu, unit));
}

void domain_make_runnable(struct vcpu *v)
{
    v->runnable = true;
    v->domain->state = DOMAIN_RUNNING;
    if (v != current)
        runq_push_back(&runq, &v->unit);
}

static __attribute__((noreturn)) void machine_done(void)
{
    log_info("all domains have shut down (last reason: %s)\n", reason_name(last_reason));
    machine_power_off(last_reason);
}

void domain_run_first(void)
{
    struct sched_unit *u = runq_pop_front(&runq);
    struct cpu_regs *frame = vcpu_arch_exit_frame();

    if (!u)
        machine_done();
    current = unit_vcpu(u);
    vcpu_arch_switch_to(current, frame);
    vcpu_arch_enter(frame);
}

void vcpu_return_to_guest(struct cpu_regs *frame)
{
    struct sched_unit *u;

    if (current->runnable)
        return;
    u = runq_pop_front(&runq);
    if (!u)
        machine_done();
    current = unit_vcpu(u);
    vcpu_arch_switch_to(current, frame);
}

/* Round robin: the running vCPU goes to the back of the queue. */
void domain_yield(struct cpu_regs *frame)
{
    struct sched_unit *u;

    if (runq_empty(&runq))
        return;
    current->regs = *frame;
    runq_push_back(&runq, &current->unit);
    u = runq_pop_front(&runq);
    current = unit_vcpu(u);
    vcpu_arch_switch_to(current, frame);
}

/* Domain life cycle: creation, shutdown, crash, and handing the CPU to the
 * vCPU that the scheduler (hv/sched/sched_cpu.h) chooses. */
#include "core/domain.h"
#include "core/console_ring.h"
#include "core/domain_control.h"
#include "core/time.h"
#include "core/timer.h"
#include "vcpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "arch/x86_64/dump.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/cpu.h"
#include "mm/mm.h"
#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "lib/string.h"
#include "sched.h"
#include "sched/sched_cpu.h"
#include "core/domain_table.h"
#include "lib/format.h"

struct vcpu *current;
static int last_reason = SHUTDOWN_poweroff;
static uint64_t free_before_domains;     /* allocator's free frames before the first domain */
static unsigned nr_live;                 /* domains building or running */
static struct domain *reap_list;         /* torn down, their structures not yet freed */

static const char *reason_name(int reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" };
    return reason >= 0 && reason < (int)(sizeof(names) / sizeof(names[0])) ? names[reason] : "unknown";
}

/* Zeroed hypervisor frames for a structure of `bytes`. */
static void *struct_alloc(size_t bytes)
{
    uint64_t n = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, mfn = mm_alloc_frames_contig(n, 0);
    void *p;

    if (mfn == INVALID_MFN)
        return 0;
    p = mfn_to_virt(mfn);
    memset(p, 0, n * PAGE_SIZE);
    return p;
}

static void struct_free(void *p, size_t bytes)
{
    uint64_t mfn = directmap_virt_to_mfn(p);

    for (uint64_t i = 0; i < (bytes + PAGE_SIZE - 1) / PAGE_SIZE; i++)
        mm_free_frame(mfn + i);
}

static void domain_free_structs(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i])
            struct_free(d->vcpus[i], sizeof(struct vcpu));
    struct_free(d, sizeof(*d));
}

struct domain *domain_create(domid_t id, bool privileged, unsigned nr_vcpus)
{
    struct domain *d;

    if (nr_vcpus == 0 || nr_vcpus > DOMAIN_MAX_VCPUS)
        return 0;
    if (id == DOMID_INVALID && (id = domain_table_new_id()) == DOMID_INVALID)
        return 0;
    if (domain_table_get(id) || !(d = struct_alloc(sizeof(*d))))
        return 0;
    d->id = id;
    d->state = DOMAIN_BUILDING;
    d->privileged = privileged;
    d->shutdown_code = -1;
    d->console_line_start = 1;
    d->nr_vcpus = nr_vcpus;
    fmt_snprintf(d->name, sizeof(d->name), id == 0 ? "Domain-0" : "domU%u", id);
    for (unsigned i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = struct_alloc(sizeof(struct vcpu));
        if (!v)
            goto fail;
        v->id = i;
        v->domain = d;
        d->vcpus[i] = v;
    }
    if (evtchn_domain_init(d) != 0)
        goto fail;
    if (grant_domain_init(d) != 0) {
        evtchn_domain_destroy(d);
        goto fail;
    }
    if (domain_table_insert(d) != 0) {
        grant_domain_destroy(d);
        evtchn_domain_destroy(d);
        goto fail;
    }
    nr_live++;
    return d;
fail:
    domain_free_structs(d);
    return 0;
}

unsigned domain_count_live(void)
{
    return nr_live;
}

void domain_retire(struct domain *d)
{
    domain_table_remove(d);
    d->reap = true;
    d->reap_next = reap_list;
    reap_list = d;
}

/* Free the structures of retired domains whose vCPUs no CPU runs. */
static void domain_reap(void)
{
    struct domain **pp = &reap_list;

    while (*pp) {
        struct domain *d = *pp;
        if (current && current->domain == d) {
            pp = &d->reap_next;
            continue;
        }
        *pp = d->reap_next;
        domain_free_structs(d);
    }
}

/* Stop d for good: its vCPUs never run again, what they hold is let go and
 * the rest of its memory goes back in pieces, from the scheduler. */
static void domain_kill(struct domain *d)
{
    d->state = DOMAIN_SHUTDOWN;
    nr_live--;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        d->vcpus[i]->runnable = false;
        sched_unit_remove(&d->vcpus[i]->unit);
    }
    if (current && current->domain == d)
        vcpu_arch_leave_guest_space();
    time_domain_destroy(d);
    console_ring_detach(d);
    evtchn_domain_destroy(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        vcpu_arch_release_tables(d->vcpus[i]);
    domain_teardown_begin(d);
}

/* The hardware domain is gone: so is every other domain, as in Xen, and the
 * machine goes down with dom0's reason once their memory is back. */
static void hardware_domain_gone(int reason)
{
    last_reason = reason;
    for (struct domain *o = domain_next(1); o; o = domain_next((domid_t)(o->id + 1)))
        if (o->state == DOMAIN_BUILDING || o->state == DOMAIN_RUNNING) {
            log_info("d%u: destroyed with d0\n", o->id);
            domain_kill(o);
        }
}

void domain_shutdown(struct domain *d, int reason)
{
    if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_FREE)
        return;
    if (d->shutdown_code >= 0)
        reason = d->shutdown_code;
    d->shutdown_reason = reason;
    d->shut_down = true;
    log_info("d%u: shut down (reason: %s)\n", d->id, reason_name(reason));
    domain_kill(d);
    domain_ctl_note_shutdown(d);        /* VIRQ_DOM_EXC for dom0 (none if d is dom0) */
    if (d->id == 0)
        hardware_domain_gone(reason);
}

void domain_destroy(struct domain *d)
{
    if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_FREE)
        return;
    log_info("d%u: destroyed\n", d->id);
    domain_kill(d);
    if (d->id == 0)
        hardware_domain_gone(SHUTDOWN_crash);
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
    if (v != current && !v->domain->ctl_pause_count) {     /* else when unpaused */
        runstate_change(v, RUNSTATE_runnable);
        sched_unit_add(&v->unit);
    }
}

void vcpu_bring_up(struct vcpu *v)
{
    if (v->online)
        return;
    v->online = true;
    v->blocked = false;
    if (v->domain->state != DOMAIN_RUNNING)
        return;                             /* runs when its domain starts */
    v->runnable = true;
    /* Even if v took itself down earlier in this very hypercall (a
     * multicall), it left the CPU then: it joins the queue like any other. */
    runstate_change(v, RUNSTATE_runnable);
    sched_unit_add(&v->unit);
    time_vcpu_up(v);
}

void vcpu_take_down(struct vcpu *v)
{
    if (!v->online)
        return;
    v->online = false;
    v->runnable = false;
    v->blocked = false;
    if (v->polling) {
        v->polling = false;
        v->domain->nr_polling--;
        timer_stop(&v->poll_timeout);
    }
    /* Off the queue, or off the CPU when it is the caller: the scheduler
     * picks another vCPU on the way out of this hypercall. */
    sched_unit_remove(&v->unit);
    runstate_change(v, RUNSTATE_offline);
}

/* SCHEDOP_block: enable events and sleep until one is pending (at once if
 * one already is); the upcall then runs on the way back. */
void vcpu_block(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v);

    if (vi)
        vi->evtchn_upcall_mask = 0;
    if (vi && vi->evtchn_upcall_pending)
        return;
    vcpu_sleep(v);
}

void vcpu_sleep(struct vcpu *v)
{
    v->blocked = true;
    sched_unit_block(&v->unit);
    runstate_change(v, RUNSTATE_blocked);
}

void domain_note_free_frames(void)
{
    free_before_domains = mm_free_frames();
}

static __attribute__((noreturn)) void machine_done(void)
{
    uint64_t now;

    current = 0;
    domain_reap();
    now = mm_free_frames();

    log_info("all domains have shut down (last reason: %s)\n", reason_name(last_reason));
    if (now == free_before_domains)
        log_info("frame accounting: all %llu frames are free again\n", (unsigned long long)now);
    else
        log_err("frame accounting: %llu frames free, %llu before the first domain was built\n",
                (unsigned long long)now, (unsigned long long)free_before_domains);
    machine_power_off(last_reason);
}

void domain_run_first(void)
{
    struct sched_unit *u = sched_cpu_pick();
    struct cpu_regs *frame = vcpu_arch_exit_frame();

    if (!u)
        machine_done();
    current = unit_vcpu(u);
    vcpu_arch_switch_to(current, frame);
    time_vcpu_resume(current);
    vcpu_arch_enter(frame);
}

/* On every way out of the hypervisor to a guest: if the current vCPU can no
 * longer run (shut down, blocked), asked to yield or used its time slice, the
 * scheduler chooses who runs (the same vCPU may go on); when none is ready
 * but domains live, wait for an interrupt to make one ready; when no domain
 * is left, shut the machine down. Then enter the guest's event callback if
 * an event waits and events are not masked. */
HV_HOT void vcpu_return_to_guest(struct cpu_regs *frame)
{
    struct vcpu *prev = current;
    struct sched_unit *u;

    /* A dead domain's memory goes back a piece at every exit meanwhile; once
     * its last piece is done its structures go too, unless this CPU runs one
     * of its vCPUs (then at the switch below). */
    if (domain_teardown_some() && reap_list)
        domain_reap();

    if (sched_cpu_need_pick() && (u = sched_cpu_pick()) != &prev->unit) {
        /* One hardware timer write for the whole switch (prev's periodic
         * timer stops, current's starts, the slice is armed), not one each;
         * released before any wait or interrupt window. */
        timer_hold();
        /* It resumes later from here: a runnable vCPU, and one that took
         * itself down (VCPUOP_down), which VCPUOP_up brings back here. */
        if (prev->runnable || prev->domain->state == DOMAIN_RUNNING)
            prev->regs = *frame;
        if (prev->runnable && !prev->blocked)
            runstate_change(prev, RUNSTATE_runnable);
        if (!u) {
            timer_release();
            while (!u) {                    /* prev is off the CPU from here */
                if (domain_teardown_some()) {
                    cpu_irq_window();       /* interrupts between the pieces */
                } else {
                    if (!domain_count_live())
                        machine_done();
                    cpu_idle_wait();        /* timer interrupts may wake a vCPU */
                }
                u = sched_cpu_pick();
            }
            timer_hold();
        }
        current = unit_vcpu(u);
        vcpu_arch_switch_to(current, frame);
        /* The frame is now another vCPU's, which may have left the CPU in
         * the middle of its code (an interrupt): sysret would lose its RCX
         * and R11, so the way out is iretq. */
        if (current != prev)
            exit_needs_iret = 1;
        time_vcpu_resume(current);
        timer_release();
        if (reap_list)
            domain_reap();
    }
    pv_check_return(current, frame);
    pv_deliver_events(current, frame);
}

/* Round robin: the running vCPU goes to the back of the queue, on its way
 * out of the hypervisor (never in the middle of a hypercall). */
void domain_yield(void)
{
    sched_cpu_yield();
}

struct domain *domain_lookup(domid_t id)
{
    struct domain *d = domain_table_get(id);

    return d && (d->state == DOMAIN_BUILDING || d->state == DOMAIN_RUNNING) ? d : 0;
}

struct domain *domain_of(domid_t id)
{
    return domain_table_get(id);
}

void vcpu_info_locate(struct vcpu *v)
{
    struct domain *d = v->domain;

    if (v->vcpu_info_mfn)
        v->vcpu_info = (struct vcpu_info *)((uint8_t *)mfn_to_virt(v->vcpu_info_mfn) + v->vcpu_info_offset);
    else
        v->vcpu_info = d->shared_info && v->id < XEN_LEGACY_MAX_VCPUS ? &d->shared_info->vcpu_info[v->id] : 0;
}

void vcpu_wake(struct vcpu *v)
{
    /* A paused domain's vCPU stays blocked: the unpause wakes it if an
     * event came meanwhile (domain_ctl_unpause). */
    if (!v->blocked || !v->online || v->domain->state != DOMAIN_RUNNING || v->domain->ctl_pause_count)
        return;
    v->blocked = false;
    if (v->polling) {
        v->polling = false;
        v->domain->nr_polling--;
    }
    /* Blocked and woken within one hypercall (a multicall with
     * SCHEDOP_block and then an event), it never left the CPU: it goes on
     * and does not join the queue as well. */
    runstate_change(v, sched_unit_wake(&v->unit) ? RUNSTATE_runnable : RUNSTATE_running);
}

/* An event became pending for v (its upcall flag went up): a blocked vCPU
 * wakes, and so does one in SCHEDOP_poll, as in Xen, where a poller sleeps
 * as a blocked vCPU that its polled ports also wake, masked or not. */
void vcpu_events_pending(struct vcpu *v)
{
    if (v->polling)
        timer_stop(&v->poll_timeout);
    vcpu_wake(v);
}

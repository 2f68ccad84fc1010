/* The time subsystem's side of a vCPU: vcpu_time_info publication, the guest
 * timers (single-shot and periodic, both raising VIRQ_TIMER), runstate
 * accounting and the guest areas that VCPUOP_register_* point at.
 *
 * The periodic timer follows Xen: it runs only while its vCPU runs. Leaving
 * RUNSTATE_running stops it; time_vcpu_resume() sends the event at once if a
 * period went by meanwhile, then re-arms it one period after the last event.
 * The single-shot timer runs whatever the vCPU does, and wakes it.
 *
 * The state lives in struct vcpu (v->time), set up on first use (whichever
 * hook or hypercall comes first) and cleared by time_domain_destroy(). */
#include "core/vcpu_time.h"
#include "core/time.h"
#include "core/timer.h"
#include "core/domain.h"
#include "core/log.h"
#include "core/panic.h"
#include "evtchn/evtchn.h"
#include "mm/page_type.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "xen.h"
#include "errno.h"

/* A guest computes system time from its vcpu_time_info by the same formula
 * as the hypervisor, but from another starting point: the two roundings can
 * leave it up to 2 ns behind. Guest timers are armed this much later so that
 * their event never arrives before the guest's own clock reads the deadline. */
#define GUEST_CLOCK_SLACK_NS 4

static void singleshot_fired(void *data);
static void periodic_fired(void *data);

/* v's time state, set up on first use; v's timers are set up then too,
 * whichever hook or hypercall comes first. */
static struct vcpu_time_state *state_of(struct vcpu *v)
{
    struct vcpu_time_state *s = &v->time;

    if (s->ready)
        return s;
    memset(s, 0, sizeof(*s));
    s->ready = true;
    s->runstate.state = RUNSTATE_offline;
    s->runstate.state_entry_time = time_now_ns();
    timer_init(&v->singleshot, singleshot_fired, v);
    timer_init(&v->periodic, periodic_fired, v);
    return s;
}

/* The running vCPU's own page tables are loaded (guest kernel mode): its
 * guest addresses can be written. */
static bool guest_space_loaded(struct vcpu *v)
{
    return v == current && !v->arch.user_mode && v->arch.cr3 && read_cr3() == v->arch.cr3;
}

static void runstate_area_update(struct vcpu *v, struct vcpu_time_state *s)
{
    if (s->runstate_area && guest_space_loaded(v))
        (void)copy_to_guest(s->runstate_area, &s->runstate, sizeof(s->runstate));
}

static void publish_time(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v);

    if (vi)
        time_publish(&vi->time);
}

void vcpu_send_timer_event(struct vcpu *v)
{
    (void)evtchn_send_virq(v, VIRQ_TIMER);
}

static void singleshot_fired(void *data)
{
    vcpu_send_timer_event(data);
}

/* Send the periodic event if it is due, and arm the timer for the next one. */
static void periodic_work(struct vcpu *v)
{
    struct vcpu_time_state *s = state_of(v);
    uint64_t now = time_now_ns(), next;

    if (!v->periodic_ns)
        return;
    next = s->periodic_last + v->periodic_ns;
    if (now >= next) {
        vcpu_send_timer_event(v);
        s->periodic_last = now;
        next = now + v->periodic_ns;
    }
    timer_set(&v->periodic, next);
}

static void periodic_fired(void *data)
{
    periodic_work(data);
}

void vcpu_singleshot_set(struct vcpu *v, uint64_t deadline_ns)
{
    (void)state_of(v);
    if (deadline_ns < time_now_ns()) {
        timer_stop(&v->singleshot);
        vcpu_send_timer_event(v);
        return;
    }
    timer_set(&v->singleshot, deadline_ns > UINT64_MAX - GUEST_CLOCK_SLACK_NS
                                  ? UINT64_MAX : deadline_ns + GUEST_CLOCK_SLACK_NS);
}

void vcpu_singleshot_stop(struct vcpu *v)
{
    timer_stop(&v->singleshot);
}

void vcpu_periodic_set(struct vcpu *v, uint64_t period_ns)
{
    (void)state_of(v);
    timer_stop(&v->periodic);
    v->periodic_ns = period_ns;
    if (period_ns)
        periodic_work(v);
}

void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out)
{
    struct vcpu_time_state *s = state_of(v);
    uint64_t now = time_now_ns();

    *out = s->runstate;
    if (now > out->state_entry_time)
        out->time[out->state] += now - out->state_entry_time;
}

int vcpu_runstate_area_register(struct vcpu *v, uint64_t gva)
{
    struct vcpu_time_state *s = state_of(v);

    if (!guest_range_ok(gva, sizeof(s->runstate)))
        return -XEN_EFAULT;
    /* Written now (a failed copy is not an error, as in Xen): through the
     * caller's address space when v is another vCPU, as Xen does; then on
     * v's runstate changes. Address 0 stops the updates. */
    s->runstate_area = gva;
    if (v == current) {
        runstate_area_update(v, s);
    } else if (gva) {
        struct vcpu_runstate_info rs;
        vcpu_runstate_get(v, &rs);
        (void)copy_to_guest(gva, &rs, sizeof(rs));
    }
    return 0;
}

int vcpu_info_register(struct vcpu *v, uint64_t mfn, uint64_t offset)
{
    struct domain *d = v->domain;
    struct vcpu_info *old, *new;
    int rc;

    if (offset > PAGE_SIZE - sizeof(struct vcpu_info) || (offset & (_Alignof(struct vcpu_info) - 1)))
        return -XEN_ENXIO;
    if (v->vcpu_info_mfn)
        return -XEN_EINVAL;
    if (v != current && v->online)      /* the caller itself, or a vCPU that is down */
        return -XEN_EINVAL;
    if ((rc = page_get_typed(mfn, d->id, PGT_WRITABLE)) != 0)
        return rc == -XEN_ERESTART ? rc : -XEN_EINVAL;    /* restart: a release to finish first */
    old = vcpu_info_of(v);
    new = (struct vcpu_info *)((uint8_t *)mfn_to_virt(mfn) + offset);
    if (old) {
        memmove(new, old, sizeof(*new));
    } else {                            /* ids from 32 on: a first vcpu_info, events masked */
        memset(new, 0, sizeof(*new));
        new->evtchn_upcall_mask = 1;
    }
    v->vcpu_info_offset = offset;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v->vcpu_info_mfn = mfn;
    vcpu_info_locate(v);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* As Xen does: every selector bit and the upcall flag set, so that no
     * event raised around the move is lost (the guest sees a spurious scan). */
    new->evtchn_pending_sel = ~(xen_ulong_t)0;
    new->evtchn_upcall_pending = 1;
    vcpu_events_pending(v);
    publish_time(v);
    return 0;
}

static void vcpu_info_release(struct vcpu *v)
{
    uint64_t mfn = v->vcpu_info_mfn;

    if (!mfn)
        return;
    v->vcpu_info_mfn = 0;
    v->vcpu_info_offset = 0;
    vcpu_info_locate(v);
    page_put_type(mfn);
    page_put(mfn);
}

/* ---- hooks ---- */

void time_domain_start(struct domain *d)
{
    if (d->shared_info)
        time_publish_wallclock(d->shared_info);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        struct vcpu_time_state *s = state_of(v);

        timer_stop(&v->singleshot);
        timer_stop(&v->periodic);
        v->periodic_ns = PERIODIC_DEFAULT_NS;   /* armed when the vCPU first runs */
        s->periodic_last = 0;
        publish_time(v);
    }
}

void time_vcpu_up(struct vcpu *v)
{
    (void)state_of(v);
    publish_time(v);
}

void time_domain_destroy(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        timer_stop(&v->singleshot);
        timer_stop(&v->periodic);
        timer_stop(&v->poll_timeout);
        v->periodic_ns = 0;
        vcpu_info_release(v);
        memset(&v->time, 0, sizeof(v->time));
    }
}

static void set_state(struct vcpu_time_state *s, int new_state, uint64_t now)
{
    if (s->runstate.state == new_state)
        return;
    if (now > s->runstate.state_entry_time) {
        s->runstate.time[s->runstate.state] += now - s->runstate.state_entry_time;
        s->runstate.state_entry_time = now;
    }
    s->runstate.state = new_state;
}

void runstate_change(struct vcpu *v, int new_state)
{
    struct vcpu_time_state *s;

    if ((unsigned)new_state > RUNSTATE_offline)
        return;
    s = state_of(v);
    if (s->runstate.state == new_state)
        return;
    if (s->runstate.state == RUNSTATE_running)
        timer_stop(&v->periodic);           /* descheduled: no ticks until it runs again */
    set_state(s, new_state, time_now_ns());
    runstate_area_update(v, s);
    if (new_state == RUNSTATE_running)
        periodic_work(v);
}

void time_vcpu_resume(struct vcpu *v)
{
    struct vcpu_time_state *s = state_of(v);

    if (s->runstate.state != RUNSTATE_running) {
        set_state(s, RUNSTATE_running, time_now_ns());
        periodic_work(v);
    } else if (v->periodic_ns && !v->periodic.active) {
        periodic_work(v);
    }
    publish_time(v);
    runstate_area_update(v, s);
}

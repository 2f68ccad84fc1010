/* Domains and their vCPUs. */
#ifndef HV_CORE_DOMAIN_H
#define HV_CORE_DOMAIN_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/regs.h"
#include "arch/x86_64/vcpu_arch.h"
#include "sched/sched_core.h"
#include "mm/frame_table.h"
#include "evtchn/evtchn.h"
#include "grant/grant.h"
#include "core/timer.h"
#include "vcpu.h"

/* vCPUs a domain may have (its vCPU structures are allocated when it is
 * created; vCPU 0 starts online, the others wait for VCPUOP_up). */
#define DOMAIN_MAX_VCPUS 128

struct domain;

/* The time subsystem's state of a vCPU (hv/core/vcpu_time.c). */
struct vcpu_time_state {
    bool ready;                         /* set up (on first use) */
    struct vcpu_runstate_info runstate;
    uint64_t periodic_last;             /* system time of the last periodic event */
    uint64_t runstate_area;             /* guest address of its copy, 0: none */
};

struct vcpu {
    unsigned id;
    struct domain *domain;
    struct cpu_regs regs;          /* guest state while not running */
    struct vcpu_arch arch;
    struct sched_unit unit;
    bool runnable;                 /* may be given the CPU (online, its domain alive and not paused) */
    bool blocked;                  /* SCHEDOP_block / poll: waiting for an event */
    bool online;                   /* up: vCPU 0 from the builder, others by VCPUOP_up */
    bool initialised;              /* has a register context (builder, VCPUOP_initialise) */
    /* time subsystem (hv/core/vcpu_time.c) */
    struct timer singleshot;       /* set_timer_op, VCPUOP_set_singleshot_timer */
    struct timer periodic;         /* VCPUOP_set_periodic_timer (VIRQ_TIMER) */
    uint64_t periodic_ns;          /* 0: off */
    struct timer poll_timeout;     /* SCHEDOP_poll */
    bool polling;                  /* blocked in SCHEDOP_poll on poll_ports */
    uint32_t nr_poll_ports;
    uint32_t poll_ports[128];
    uint64_t vcpu_info_mfn;        /* VCPUOP_register_vcpu_info: 0 = in shared_info */
    uint64_t vcpu_info_offset;
    struct vcpu_info *vcpu_info;   /* where those say it is, or NULL: see vcpu_info_locate */
    struct vcpu_time_state time;
};

enum domain_state { DOMAIN_FREE = 0, DOMAIN_BUILDING, DOMAIN_RUNNING, DOMAIN_SHUTDOWN };

struct domain {
    domid_t id;
    enum domain_state state;
    bool privileged;
    int shutdown_reason;           /* SHUTDOWN_* once shut down */
    bool shut_down;                /* it shut down (or crashed); dying without it: destroyed */
    int shutdown_code;             /* from SCHEDOP_shutdown_code, -1 if none */
    uint64_t nr_pages, max_pages;      /* frames it has (until their last reference goes), may have */
    uint32_t release_list;             /* page tables being released (hv/mm/page_type.h) */
    uint64_t frames_lo, frames_end;    /* every frame it owns is in [frames_lo, frames_end) (0, 0:
                                          none yet); teardown scans only that range */
    uint8_t teardown_step;             /* hv/core/domain_teardown.c: 0 when none is under way */
    bool teardown_waiting;             /* its frames or grants are still in another domain's use */
    uint64_t teardown_mfn, teardown_leaked;
    uint64_t vm_assist;                /* VMASST_TYPE_* bits enabled */
    uint64_t shared_info_mfn;
    struct shared_info *shared_info;
    uint64_t start_info_va;
    int console_line_start;
    uint64_t pirq_eoi_mfn;             /* PHYSDEVOP_pirq_eoi_gmfn_v1/v2: 0 none, else held (general
                                          and WRITABLE type reference) until teardown */
    bool pirq_eoi_auto_unmask;         /* registered with v1 */
    uint64_t console_ring_mfn;         /* served by the hypervisor (core/console_ring.h), 0: none */
    uint32_t console_ring_port;
    bool console_ring_bad;
    char name[64];                     /* "Domain-0", or a domU's name= (domU<id> by default) */
    char cmdline[1024];
    unsigned nr_vcpus;                 /* vCPUs it has, fixed at creation (ids 0 .. nr_vcpus-1) */
    unsigned nr_polling;               /* its vCPUs in SCHEDOP_poll (most events have no poller) */
    bool reap;                         /* torn down: its structures go once no CPU uses them */
    struct domain *reap_next;
    struct vcpu *vcpus[DOMAIN_MAX_VCPUS];
    struct evtchn_domain evtchn;
    struct grant_table grant;
    /* Domain control (hv/core/domain_control.h). */
    unsigned ctl_pause_count;          /* XEN_DOMCTL_pausedomain calls not yet undone: its vCPUs wait */
    uint8_t ctl_dying;                 /* XEN_DOMCTL_destroydomain: enum domain_ctl_dying */
    uint64_t xs_mfn, con_mfn; uint32_t xs_port, con_port; /* domU rings: the builder's values (start_info), 0 for dom0 */
};

extern struct vcpu *current;

static inline struct domain *current_domain(void) { return current->domain; }

/* A new domain with nr_vcpus vCPUs (1..DOMAIN_MAX_VCPUS), its structures
 * taken from the hypervisor's frames; id DOMID_INVALID: the next free domU
 * id. NULL when out of memory or the id is taken. */
struct domain *domain_create(domid_t id, bool privileged, unsigned nr_vcpus);
/* Stop a domain for `reason` (SHUTDOWN_*): its vCPUs never run again, its
 * memory is released. When dom0 goes, every other domain goes with it and
 * the machine powers off (reboots ...) with dom0's reason once their memory
 * is back. */
void domain_shutdown(struct domain *d, int reason);
/* Kill a domain without a shutdown reason (XEN_DOMCTL_destroydomain, a
 * domain whose build failed): as domain_shutdown otherwise. */
void domain_destroy(struct domain *d);
/* Crash: log `why` and the vCPU's registers, then shut down with SHUTDOWN_crash. */
void domain_crash(struct vcpu *v, const struct cpu_regs *r, const char *why);
unsigned domain_count_live(void);
/* Put a vCPU on the run queue. */
void domain_make_runnable(struct vcpu *v);
/* Round robin: let the next runnable vCPU have the CPU when this hypercall returns. */
void domain_yield(void);
/* Remember the allocator's free count; machine shutdown checks it is reached again. */
void domain_note_free_frames(void);
struct domain *domain_lookup(domid_t id);      /* a live domain, or NULL */
struct domain *domain_of(domid_t id);          /* any domain with that id, dying ones too, or NULL */
/* The domain (live or dying) with the smallest id >= from, or NULL: for walks over all domains. */
struct domain *domain_next(domid_t from);
/* A torn-down domain (hv/core/domain_teardown.c): out of the table now, its
 * structures freed once no CPU runs one of its vCPUs. */
void domain_retire(struct domain *d);
/* A frame now belongs to domain owner: its range grows to cover it. */
static inline void domain_note_frame(domid_t owner, uint64_t mfn);
/* Teardown of a shut-down domain's memory, in pieces (hv/core/domain_teardown.c). */
void domain_teardown_begin(struct domain *d);
/* One piece of work for a domain being torn down; false when there is none. */
bool domain_teardown_some(void);
/* A dying domain waiting for others to stop using its grants may go on. */
void domain_teardown_kick(struct domain *d);

/* The vcpu_info of v (in shared_info, or where VCPUOP_register_vcpu_info put
 * it), NULL before shared_info exists. Read on every trap and event delivery,
 * so it is a cached pointer, recomputed by vcpu_info_locate whenever
 * shared_info or the registration changes. */
static inline struct vcpu_info *vcpu_info_of(struct vcpu *v) { return v->vcpu_info; }
void vcpu_info_locate(struct vcpu *v);
/* SCHEDOP_poll for v (hv/sched/poll.c). */
long sched_poll(struct vcpu *v, uint64_t arg);
/* SCHEDOP_block for v (the running vCPU). */
void vcpu_block(struct vcpu *v);
/* The running vCPU v waits for an event (block, poll): off the CPU on its way out. */
void vcpu_sleep(struct vcpu *v);
/* VCPUOP_up of a vCPU with a context: online, runnable, on the run queue
 * (nothing if it is up already). */
void vcpu_bring_up(struct vcpu *v);
/* VCPUOP_down: offline, off the run queue (off the CPU on the way out when
 * it is the caller), its state kept for the next VCPUOP_up. */
void vcpu_take_down(struct vcpu *v);
/* Wake v if it is blocked (an event became pending for it). */
void vcpu_wake(struct vcpu *v);

/* Run the first vCPU that is ready; never returns. */
__attribute__((noreturn)) void domain_run_first(void);
/* Leave a hypercall or trap: if the current vCPU can no longer run, pick the
 * next one (or shut the machine down) by rewriting the exit frame. */
void vcpu_return_to_guest(struct cpu_regs *frame);

static inline void domain_note_frame(domid_t owner, uint64_t mfn)
{
    struct domain *d = domain_of(owner);

    if (!d)
        return;
    if (d->frames_end == 0 || mfn < d->frames_lo)
        d->frames_lo = mfn;
    if (mfn >= d->frames_end)
        d->frames_end = mfn + 1;
}

#endif

/*
 * Xenolith public ABI: the vcpu_op hypercall (bring-up, runstate, timers,
 * relocating vcpu_info).
 */
#ifndef XENOLITH_PUBLIC_VCPU_H
#define XENOLITH_PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise                     0  /* struct vcpu_guest_context */
#define VCPUOP_up                             1  /* no argument */
#define VCPUOP_down                           2  /* no argument */
#define VCPUOP_is_up                          3  /* no argument; returns 0 or 1 */
#define VCPUOP_get_runstate_info              4  /* struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5  /* struct vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer             6  /* struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7  /* no argument */
#define VCPUOP_set_singleshot_timer           8  /* struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9  /* no argument */
#define VCPUOP_register_vcpu_info            10  /* struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                      11  /* no argument */
#define VCPUOP_get_physid                    12  /* struct vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13 /* struct vcpu_register_time_memory_area */

/* vcpu_runstate_info.state */
#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

/* Set in state_entry_time while the hypervisor updates a registered copy. */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)

/* Current state, when it began, and total ns spent in each RUNSTATE_*. */
struct vcpu_runstate_info {
    int state;
    uint64_t state_entry_time;
    uint64_t time[4];
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);

/* Guest address where the hypervisor keeps a vcpu_runstate_info up to date. */
struct vcpu_register_runstate_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
        struct vcpu_runstate_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

/* Periodic VIRQ_TIMER every period_ns. */
struct vcpu_set_periodic_timer {
    uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

/* vcpu_set_singleshot_timer.flags: fail with -ETIME if the deadline has passed. */
#define _VCPU_SSHOTTMR_future (0)
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

/* One VIRQ_TIMER at system time timeout_abs_ns. */
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;
    uint32_t flags;             /* VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);

/* Move this vCPU's vcpu_info to guest frame mfn at byte offset. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);

/* Physical CPU identity (APIC id low, ACPI id high), privileged. */
struct vcpu_get_physid {
    uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

/* Guest address where the hypervisor keeps a copy of vcpu_time_info. */
DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_time_info_t) h;
        struct vcpu_time_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);

#endif /* XENOLITH_PUBLIC_VCPU_H */

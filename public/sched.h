/*
 * Xenolith public ABI: the sched_op hypercall (yield, block, shutdown, poll,
 * watchdogs).
 */
#ifndef XENOLITH_PUBLIC_SCHED_H
#define XENOLITH_PUBLIC_SCHED_H

#include "xen.h"
#include "event_channel.h"

#define SCHEDOP_yield           0  /* give up the CPU; argument unused */
#define SCHEDOP_block           1  /* sleep until an event arrives; argument unused */
#define SCHEDOP_shutdown        2  /* struct sched_shutdown */
#define SCHEDOP_poll            3  /* struct sched_poll */
#define SCHEDOP_remote_shutdown 4  /* struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code   5  /* struct sched_shutdown: record the reason only */
#define SCHEDOP_watchdog        6  /* struct sched_watchdog */
#define SCHEDOP_pin_override    7  /* struct sched_pin_override */

/* Why a domain shuts down. */
#define SHUTDOWN_poweroff   0  /* normal exit */
#define SHUTDOWN_reboot     1  /* restart the domain */
#define SHUTDOWN_suspend    2  /* save state and stop */
#define SHUTDOWN_crash      3  /* the guest crashed */
#define SHUTDOWN_watchdog   4  /* a watchdog expired */
#define SHUTDOWN_soft_reset 5  /* reset state, keep memory */
#define SHUTDOWN_MAX        5

/* Argument of SCHEDOP_shutdown and SCHEDOP_shutdown_code. */
struct sched_shutdown {
    unsigned int reason;        /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

/* Block until one of the ports is pending or system time reaches timeout (0: none). */
struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports;
    unsigned int nr_ports;
    uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);

/* Shut down another domain (privileged). */
struct sched_remote_shutdown {
    domid_t domain_id;
    unsigned int reason;        /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

/*
 * Watchdogs: id 0 creates one (the call returns its id), a nonzero id pets
 * it; timeout is in seconds and 0 destroys it.
 */
struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

/* Temporarily pin the calling vCPU to a physical CPU (-1 undoes it). */
struct sched_pin_override {
    int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);

#endif /* XENOLITH_PUBLIC_SCHED_H */

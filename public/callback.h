/*
 * Xenolith public ABI: the callback_op hypercall (registering the guest's
 * event, failsafe, syscall and NMI entry points).
 */
#ifndef XENOLITH_PUBLIC_CALLBACK_H
#define XENOLITH_PUBLIC_CALLBACK_H

#include "xen.h"

/* Callback kinds */
#define CALLBACKTYPE_event               0  /* event-channel upcall */
#define CALLBACKTYPE_failsafe            1  /* bad segment state on return to guest */
#define CALLBACKTYPE_syscall             2  /* 64-bit syscall from guest user mode */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                 4
#define CALLBACKTYPE_sysenter            5
#define CALLBACKTYPE_syscall32           7

/* callback_register.flags: mask events while the callback runs. */
#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

/* Sub-ops */
#define CALLBACKOP_register   0
#define CALLBACKOP_unregister 1

/* Argument of CALLBACKOP_register. */
struct callback_register {
    uint16_t type;              /* CALLBACKTYPE_* */
    uint16_t flags;             /* CALLBACKF_* */
    xen_callback_t address;
};
typedef struct callback_register callback_register_t;
DEFINE_XEN_GUEST_HANDLE(callback_register_t);

/* Argument of CALLBACKOP_unregister. */
struct callback_unregister {
    uint16_t type;
    uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;
DEFINE_XEN_GUEST_HANDLE(callback_unregister_t);

#endif /* XENOLITH_PUBLIC_CALLBACK_H */

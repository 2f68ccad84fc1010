/* Per-vCPU time state behind set_timer_op and vcpu_op (hv/core/vcpu_time.c).
 * The hooks the rest of the hypervisor calls are in core/time.h. */
#ifndef HV_CORE_VCPU_TIME_H
#define HV_CORE_VCPU_TIME_H

#include <stdint.h>
#include "core/domain.h"
#include "vcpu.h"

/* Xen's bounds for VCPUOP_set_periodic_timer, and a PV vCPU's default period. */
#define PERIODIC_MIN_NS      1000000ull                 /* 1 ms */
#define PERIODIC_MAX_NS      ((uint64_t)~0ull >> 2)
#define PERIODIC_DEFAULT_NS  10000000ull                /* 100 Hz */

/* VIRQ_TIMER to v (if the guest bound it). */
void vcpu_send_timer_event(struct vcpu *v);
/* Arm v's single-shot timer for system time deadline_ns; one already past
 * sends the event now. */
void vcpu_singleshot_set(struct vcpu *v, uint64_t deadline_ns);
void vcpu_singleshot_stop(struct vcpu *v);
/* New period (0: stop). Like Xen, an event is due at once if a whole new
 * period has gone by since the last periodic event. */
void vcpu_periodic_set(struct vcpu *v, uint64_t period_ns);
/* Runstate with the time in the current state counted up to now. */
void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out);
/* VCPUOP_register_runstate_memory_area: 0 or -EFAULT. */
int vcpu_runstate_area_register(struct vcpu *v, uint64_t gva);
/* VCPUOP_register_vcpu_info: 0, -ENXIO (offset), -EINVAL (already moved,
 * not a writable frame of the domain). */
int vcpu_info_register(struct vcpu *v, uint64_t mfn, uint64_t offset);

#endif

/* System time: nanoseconds since boot, from the TSC, and its publication to
 * guests in vcpu_time_info. */
#ifndef HV_CORE_TIME_H
#define HV_CORE_TIME_H

#include <stdint.h>

struct vcpu_time_info;

void time_init(void);
uint64_t time_now_ns(void);
uint64_t time_tsc_hz(void);
/* Update a guest's vcpu_time_info with the version protocol (odd while writing). */
void time_publish(struct vcpu_time_info *t);
/* Scale factors such that ns = ((ticks << shift) * mul) >> 32 (shift may be negative). */
void time_scale(uint64_t hz, uint32_t *mul, int8_t *shift);

#endif

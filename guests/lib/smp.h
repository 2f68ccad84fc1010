/*
 * Secondary vCPUs for the test guests (lib/smp.c).
 *
 * The guest owns one struct smp_cpu per vCPU and a stack for each secondary.
 * smp_context() builds the 64-bit PV vcpu_guest_context that starts vCPU id
 * in fn(cpu) on that stack, with the start-of-day page tables, the default
 * trap table and the runtime's callbacks; the kernel GS base and RDI both
 * point at the vCPU's struct smp_cpu (smp_this() reads it back through
 * %gs:0). smp_start() is VCPUOP_initialise and VCPUOP_up.
 *
 * Events: with several vCPUs the 2-level bitmaps are shared, so each vCPU
 * handles only the ports it owns (smp_own_port): smp_evtchn_scan() is the
 * upcall work for the calling vCPU, on its own vcpu_info, taking each owned
 * pending port by an atomic test-and-clear and calling the hook set with
 * smp_set_port_hook(). smp_setup_events() installs it as the upcall handler
 * for every vCPU.
 */
#ifndef XENOLITH_GUEST_SMP_H
#define XENOLITH_GUEST_SMP_H

#include "pv.h"

#define SMP_MAX_CPUS  64
#define SMP_MAX_PORTS 1024

struct smp_cpu {
    struct smp_cpu *self;                 /* first: %gs:0 */
    unsigned id;
    struct vcpu_info *vi;                 /* its vcpu_info (shared_info, or registered) */
    void (*fn)(struct smp_cpu *c);
    volatile unsigned long upcalls;
    xen_ulong_t own[SMP_MAX_PORTS / 64];  /* ports it handles */
    void *data;                           /* for the guest */
};

/* The calling vCPU's block (the GS base its context set; vCPU 0 calls
 * smp_init_boot_cpu() first). */
static inline struct smp_cpu *smp_this(void)
{
    struct smp_cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

/* vCPU 0: its block, GS base set, vi = shared_info's vcpu_info[0]. */
void smp_init_boot_cpu(struct smp_cpu *c);
/* The vcpu_info in shared_info for ids below 32, else NULL. */
struct vcpu_info *smp_shared_vcpu_info(unsigned id);
/* VCPUOP_register_vcpu_info for vCPU id at guest address `where` (8-byte
 * aligned, inside one page): 0 or the hypercall's error. */
long smp_register_vcpu_info(unsigned id, struct vcpu_info *where);
/* The start context of vCPU c->id (see above); stack_top is 16-byte aligned. */
void smp_context(struct vcpu_guest_context *ctx, struct smp_cpu *c, void *stack_top);
/* VCPUOP_initialise with smp_context, then VCPUOP_up: 0 or the first error. */
long smp_start(struct smp_cpu *c, void *stack_top);
/* VCPUOP_* shorthands. */
static inline long smp_vcpu_op(unsigned cmd, unsigned id, void *arg) { return pv_vcpu_op(cmd, id, arg); }

/* Events for several vCPUs (see above). */
void smp_setup_events(void);
void smp_own_port(struct smp_cpu *c, unsigned port);
typedef void (*smp_port_fn)(struct smp_cpu *c, unsigned port);
void smp_set_port_hook(smp_port_fn fn);
unsigned smp_evtchn_scan(struct smp_cpu *c);
static inline void smp_events_mask(struct smp_cpu *c)
{
    c->vi->evtchn_upcall_mask = 1;
    __asm__ volatile("" ::: "memory");
}
/* Unmask; a pending upcall is delivered at once (through a cheap hypercall). */
void smp_events_unmask(struct smp_cpu *c);

#endif

/*
 * Xenolith test-guest runtime: traps, callbacks, event channels and time.
 *
 * - Hypercall wrappers (functions, so every argument is evaluated before the
 *   argument registers are loaded; see mm.h) for the trap, callback, event,
 *   timer, vCPU, segment, debug-register and descriptor hypercalls.
 * - Entry stubs for every exception vector, a few software-interrupt vectors,
 *   the event upcall, the syscall callback and the failsafe callback.  Each
 *   stub turns the PV bounce frame (RCX, R11, [error code], RIP, CS, RFLAGS,
 *   RSP, SS) into a struct pv_regs and calls the C handler registered for it;
 *   the handler may change the frame, and the stub returns through
 *   HYPERVISOR_iret (default) or a native iretq (kernel-mode frames only).
 * - shared_info mapped at a fixed page of the start-of-day padding, the
 *   2-level event-channel bitmaps, and system time from vcpu_time_info.
 */
#ifndef XENOLITH_GUEST_PV_H
#define XENOLITH_GUEST_PV_H

#include "guest.h"
#include "mm.h"
#include "callback.h"
#include "event_channel.h"
#include "physdev.h"
#include "sched.h"
#include "vcpu.h"
#include "version.h"

/* ---- hypercall wrappers ------------------------------------------------------ */

static inline long pv_set_trap_table(const trap_info_t *table)
{
    return GUEST_HYPERCALL(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}
static inline long pv_set_callbacks(unsigned long event, unsigned long failsafe,
                                    unsigned long syscall)
{
    return GUEST_HYPERCALL(__HYPERVISOR_set_callbacks, event, failsafe, syscall, 0, 0);
}
static inline long pv_callback_op(unsigned int cmd, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0);
}
static inline long pv_evtchn_op(unsigned int cmd, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}
static inline long pv_sched_op(unsigned int cmd, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}
static inline long pv_set_timer_op(uint64_t deadline)
{
    return GUEST_HYPERCALL(__HYPERVISOR_set_timer_op, deadline, 0, 0, 0, 0);
}
static inline long pv_vcpu_op(unsigned int cmd, unsigned int vcpu, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}
static inline long pv_stack_switch(unsigned long ss, unsigned long sp)
{
    return GUEST_HYPERCALL(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0);
}
static inline long pv_fpu_taskswitch(int set)
{
    return GUEST_HYPERCALL(__HYPERVISOR_fpu_taskswitch, set, 0, 0, 0, 0);
}
static inline long pv_set_segment_base(unsigned int which, unsigned long base)
{
    return GUEST_HYPERCALL(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}
static inline long pv_set_debugreg(int reg, unsigned long value)
{
    return GUEST_HYPERCALL(__HYPERVISOR_set_debugreg, reg, value, 0, 0, 0);
}
static inline long pv_get_debugreg(int reg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}
static inline long pv_set_gdt(unsigned long *frames, unsigned long entries)
{
    return GUEST_HYPERCALL(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0);
}
static inline long pv_update_descriptor(unsigned long maddr, uint64_t desc)
{
    return GUEST_HYPERCALL(__HYPERVISOR_update_descriptor, maddr, desc, 0, 0, 0);
}
static inline long pv_physdev_op(unsigned int cmd, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_physdev_op, cmd, arg, 0, 0, 0);
}

/* ---- trap frames and handlers ----------------------------------------------- */

/* Pseudo-vectors of the callbacks (above the 256 IDT vectors). */
#define PV_VEC_UPCALL  256
#define PV_VEC_SYSCALL 257
#define PV_NR_VEC      258

/* How the stub returns (pv_regs.ret_mode). */
#define PV_RET_IRET   0  /* HYPERVISOR_iret with pv_regs.iret_flags (default) */
#define PV_RET_NATIVE 1  /* iretq with RPL 3 forced: only back to guest kernel mode */

/*
 * The stack as the entry stubs leave it, lowest address first.  rcx and r11
 * are the values the bounce frame carried (the interrupted ones); error is 0
 * for vectors without an error code.  rip..ss are the frame's own words and
 * may be changed by the handler.
 */
struct pv_regs {
    unsigned long r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    unsigned long rax, rcx, rdx, rsi, rdi;
    unsigned long ret_mode;   /* PV_RET_*, set by the handler */
    unsigned long iret_flags; /* iret_context.flags (VGCF_in_syscall) */
    unsigned long vector;     /* vector or PV_VEC_* */
    unsigned long error;
    unsigned long rip, cs, rflags, rsp, ss;
};

typedef void (*pv_handler_t)(struct pv_regs *r);

/* Handler for a vector or pseudo-vector; NULL means unexpected (the test fails
 * with a dump of the frame and the guest shuts down). */
void pv_set_handler(unsigned int vec, pv_handler_t fn);

/* Does the stub for this vector exist (0..31, 0x80..0x83)? */
int pv_have_stub(unsigned int vec);
/* Address of the entry stub of a vector or pseudo-vector (0 if none). */
unsigned long pv_stub_address(unsigned int vec);
/* Vectors for which the hypervisor pushes an error code. */
int pv_vector_has_error(unsigned int vec);

/* The virtual IDT: pv_trap_set() records one entry (flags = DPL | 4 to mask
 * events), pv_trap_clear() drops it, pv_trap_load() replaces the whole
 * table (set_trap_table(NULL), then the entries). pv_traps_default(): every exception vector but 2, 8 and 18
 * with DPL 0, #BP with DPL 3. */
void pv_trap_set(unsigned int vec, unsigned int dpl, int mask_events);
void pv_trap_clear(unsigned int vec);
long pv_trap_load(void);
void pv_traps_default(void);

/* set_callbacks(upcall stub, failsafe stub, syscall stub). */
long pv_register_callbacks(void);
extern char pv_upcall_entry[], pv_syscall_entry[], pv_failsafe_entry[];

/* Print a frame as note lines. */
void pv_dump_regs(const char *what, const struct pv_regs *r);

/* Saved event mask (CS bits 32-39) and the CS selector of a frame. */
static inline unsigned pv_frame_mask(const struct pv_regs *r) { return (r->cs >> 32) & 0xff; }
static inline unsigned pv_frame_sel(const struct pv_regs *r) { return r->cs & 0xffff; }

/* ---- shared_info and events ----------------------------------------------------- */

extern struct shared_info *pv_shared;
extern struct vcpu_info *pv_vcpu;   /* vcpu_info of vCPU 0 (moves with register_vcpu_info) */

/* Map shared_info at the second-to-last page of the start-of-day region
 * (the last one is mm.c's scratch page); sets pv_shared and pv_vcpu. */
struct shared_info *pv_map_shared_info(void);

static inline int pv_bit(const volatile xen_ulong_t *map, unsigned port)
{
    return (map[port / 64] >> (port % 64)) & 1;
}
static inline void pv_set_bit(volatile xen_ulong_t *map, unsigned port)
{
    __atomic_fetch_or(&map[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
}
static inline void pv_clear_bit(volatile xen_ulong_t *map, unsigned port)
{
    __atomic_fetch_and(&map[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}
static inline int pv_port_pending(unsigned port) { return pv_bit(pv_shared->evtchn_pending, port); }
static inline int pv_port_masked(unsigned port) { return pv_bit(pv_shared->evtchn_mask, port); }

/* Per-port counts of events seen by pv_evtchn_scan(). */
#define PV_MAX_PORTS 4096
extern volatile unsigned pv_port_count[PV_MAX_PORTS];
/* Optional per-port hook called by pv_evtchn_scan() (after counting). */
typedef void (*pv_port_fn)(unsigned port);
void pv_set_port_hook(pv_port_fn fn);
/* The usual upcall work: clear upcall_pending, take pending_sel, and for
 * every pending unmasked port clear its bit and count it.  Returns the
 * number of ports handled. */
unsigned pv_evtchn_scan(void);

/* Event-channel shorthands: the port, or a negative error. */
long pv_bind_ipi(unsigned vcpu);
long pv_bind_virq(unsigned virq, unsigned vcpu);
long pv_alloc_unbound(domid_t dom, domid_t remote);
long pv_evtchn_close(unsigned port);
long pv_evtchn_send(unsigned port);
long pv_evtchn_unmask(unsigned port);

/* Wait, events masked, until port is pending (SCHEDOP_poll), at most ns of
 * system time; then clear it. 1 if it came. */
int pv_wait_port(unsigned port, uint64_t ns);

/* Mask events (returns the old mask) / unmask them without a hypercall. */
static inline unsigned pv_events_mask(void)
{
    unsigned old = pv_vcpu->evtchn_upcall_mask;
    pv_vcpu->evtchn_upcall_mask = 1;
    __asm__ volatile("" ::: "memory");
    return old;
}
/* Unmask; if an upcall is pending, get it delivered at once (a cheap
 * hypercall: the hypervisor delivers pending events on its way back). */
void pv_events_unmask(void);

/* ---- time ---------------------------------------------------------------------------- */

static inline uint64_t pv_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
/* A consistent copy of vcpu_time_info (version protocol); returns the version. */
uint32_t pv_time_snapshot(struct vcpu_time_info *out);
/* Current system time in ns (vcpu_time_info extrapolated with the TSC). */
uint64_t pv_now(void);
/* Busy-wait for ns nanoseconds of system time. */
void pv_spin_ns(uint64_t ns);

#endif

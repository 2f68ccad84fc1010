/* Hypercall dispatch. Every handler has the same shape: up to five guest
 * register arguments (RDI, RSI, RDX, R10, R8), a result for RAX. Handlers live
 * in their subsystems; hypercall_table.c lists them all. */
#ifndef HV_CORE_HYPERCALL_H
#define HV_CORE_HYPERCALL_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/regs.h"

#define NR_HYPERCALLS 64

typedef long (*hypercall_fn)(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

struct hypercall_def {
    const char *name;
    hypercall_fn fn;        /* NULL: not implemented, -ENOSYS */
    uint64_t drop[5];       /* bits of each argument beyond Xen's width for it */
};

extern const struct hypercall_def hypercall_table[NR_HYPERCALLS];

/* Long-running hypercalls stop part-way and ask to be called again with new
 * arguments: the guest re-executes its `syscall` with them, so a huge batch
 * never keeps the CPU for long. Inside a multicall, the multicall itself
 * records the new arguments in the guest's entry and continues there. */
struct hypercall_continuation {
    bool pending;
    uint64_t args[5];
};
extern struct hypercall_continuation hypercall_cont;

/* Has the current hypercall run long enough (or done enough page-table
 * work) that it should stop and continue later? A handler may also return
 * -XEN_ERESTART: it is then called again later with the same arguments. */
bool hypercall_preempt_check(void);
/* Ask for a continuation; returns 0 as the handler's placeholder result. */
long hypercall_continue(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
/* The register frame of the hypercall being served (iret rewrites it). */
struct cpu_regs *hypercall_regs(void);
/* Run handler nr with args (multicall uses it), each narrowed to Xen's width
 * for it; -ENOSYS if there is none. */
long hypercall_dispatch(uint64_t nr, const uint64_t args[5]);

/* `syscall` from guest user mode (hv/arch/x86_64/pv_syscall.c). */
struct vcpu;
void pv_user_syscall(struct vcpu *v, struct cpu_regs *r);

/* Handlers (one line each, grouped by subsystem). */
long console_io_hypercall(uint64_t cmd, uint64_t count, uint64_t buffer, uint64_t a4, uint64_t a5);
long xen_version_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long sched_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long set_trap_table_hypercall(uint64_t traps, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long set_callbacks_hypercall(uint64_t event, uint64_t failsafe, uint64_t syscall, uint64_t a4, uint64_t a5);
long fpu_taskswitch_hypercall(uint64_t set, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long stack_switch_hypercall(uint64_t ss, uint64_t sp, uint64_t a3, uint64_t a4, uint64_t a5);
long set_segment_base_hypercall(uint64_t which, uint64_t base, uint64_t a3, uint64_t a4, uint64_t a5);
long callback_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long set_debugreg_hypercall(uint64_t reg, uint64_t value, uint64_t a3, uint64_t a4, uint64_t a5);
long get_debugreg_hypercall(uint64_t reg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long set_gdt_hypercall(uint64_t frame_list, uint64_t entries, uint64_t a3, uint64_t a4, uint64_t a5);
long update_descriptor_hypercall(uint64_t ma, uint64_t desc, uint64_t a3, uint64_t a4, uint64_t a5);
long iret_hypercall(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long multicall_hypercall(uint64_t calls, uint64_t nr_calls, uint64_t a3, uint64_t a4, uint64_t a5);
long mmu_update_hypercall(uint64_t reqs, uint64_t count, uint64_t pdone, uint64_t foreigndom, uint64_t a5);
long mmuext_op_hypercall(uint64_t ops, uint64_t count, uint64_t pdone, uint64_t foreigndom, uint64_t a5);
long update_va_mapping_hypercall(uint64_t va, uint64_t val, uint64_t flags, uint64_t a4, uint64_t a5);
long update_va_mapping_otherdomain_hypercall(uint64_t va, uint64_t val, uint64_t flags, uint64_t domid, uint64_t a5);
long memory_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long vm_assist_hypercall(uint64_t cmd, uint64_t type, uint64_t a3, uint64_t a4, uint64_t a5);
long set_timer_op_hypercall(uint64_t timeout, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long vcpu_op_hypercall(uint64_t cmd, uint64_t vcpuid, uint64_t arg, uint64_t a4, uint64_t a5);
long physdev_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long physdev_op_compat_hypercall(uint64_t uop, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long domctl_hypercall(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long sysctl_hypercall(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long hvm_op_hypercall(uint64_t op, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long xenpmu_op_hypercall(uint64_t op, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long event_channel_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);

#endif

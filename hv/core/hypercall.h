/* Hypercall dispatch. Every handler has the same shape: up to five guest
 * register arguments (RDI, RSI, RDX, R10, R8), a result for RAX. Handlers live
 * in their subsystems; hypercall_table.c lists them all. */
#ifndef HV_CORE_HYPERCALL_H
#define HV_CORE_HYPERCALL_H

#include <stdint.h>

#define NR_HYPERCALLS 64

typedef long (*hypercall_fn)(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

struct hypercall_def {
    const char *name;
    hypercall_fn fn;        /* NULL: not implemented, -ENOSYS */
};

extern const struct hypercall_def hypercall_table[NR_HYPERCALLS];

/* Handlers (one line each, grouped by subsystem). */
long console_io_hypercall(uint64_t cmd, uint64_t count, uint64_t buffer, uint64_t a4, uint64_t a5);
long xen_version_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long sched_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5);
long set_trap_table_hypercall(uint64_t traps, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long set_callbacks_hypercall(uint64_t event, uint64_t failsafe, uint64_t syscall, uint64_t a4, uint64_t a5);

#endif

/* The xenpmu_op hypercall, as Xen 4.17 answers it with its virtual PMU off
 * (its default, `vpmu=` not given): every sub-op of every domain gets
 * -EOPNOTSUPP before its argument is looked at. Xenolith has no virtual PMU;
 * Linux takes this answer as "VPMU disabled by hypervisor" and goes on. */
#include "core/hypercall.h"
#include "errno.h"

long xenpmu_op_hypercall(uint64_t op, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)op; (void)arg; (void)a3; (void)a4; (void)a5;
    return -XEN_EOPNOTSUPP;
}

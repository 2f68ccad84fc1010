/* The one hypercall dispatch table, indexed by hypercall number. */
#include "core/hypercall.h"
#include "xen.h"
#include "grant/grant.h"

/* An argument Xen declares narrower than a register (its hypercall-defs.c:
 * int, unsigned int, domid_t) arrives at the handler with the upper bits
 * dropped, as Xen's cast drops them: INT for int and unsigned int (no handler
 * needs a sign), DOMID for domid_t, 0 for a full-width argument. */
#define INT   0xFFFFFFFF00000000ull
#define DOMID 0xFFFFFFFFFFFF0000ull

#define HC(nr, f)  [__HYPERVISOR_##nr] = { #nr, f, { 0 } }
#define HCN(nr, f, ...)  [__HYPERVISOR_##nr] = { #nr, f, { __VA_ARGS__ } }

const struct hypercall_def hypercall_table[NR_HYPERCALLS] = {
    HC(set_trap_table, set_trap_table_hypercall),
    HCN(mmu_update, mmu_update_hypercall, 0, INT, 0, INT),
    HCN(set_gdt, set_gdt_hypercall, 0, INT),
    HC(stack_switch, stack_switch_hypercall),
    HC(set_callbacks, set_callbacks_hypercall),
    HCN(fpu_taskswitch, fpu_taskswitch_hypercall, INT),
    HC(sched_op_compat, 0),
    HC(platform_op, 0),
    HCN(set_debugreg, set_debugreg_hypercall, INT),
    HCN(get_debugreg, get_debugreg_hypercall, INT),
    HC(update_descriptor, update_descriptor_hypercall),
    HC(memory_op, memory_op_hypercall),
    HCN(multicall, multicall_hypercall, 0, INT),
    HC(update_va_mapping, update_va_mapping_hypercall),
    HC(set_timer_op, set_timer_op_hypercall),
    HC(event_channel_op_compat, 0),
    HCN(xen_version, xen_version_hypercall, INT),
    HCN(console_io, console_io_hypercall, INT, INT),
    HC(physdev_op_compat, physdev_op_compat_hypercall),
    HCN(grant_table_op, grant_table_op_hypercall, INT, 0, INT),
    HCN(vm_assist, vm_assist_hypercall, INT, INT),
    HCN(update_va_mapping_otherdomain, update_va_mapping_otherdomain_hypercall, 0, 0, 0, DOMID),
    HC(iret, iret_hypercall),
    HCN(vcpu_op, vcpu_op_hypercall, INT, INT),
    HCN(set_segment_base, set_segment_base_hypercall, INT),
    HCN(mmuext_op, mmuext_op_hypercall, 0, INT, 0, INT),
    HC(xsm_op, 0),
    HC(nmi_op, 0),
    HCN(sched_op, sched_op_hypercall, INT),
    HCN(callback_op, callback_op_hypercall, INT),
    HC(xenoprof_op, 0),
    HCN(event_channel_op, event_channel_op_hypercall, INT),
    HCN(physdev_op, physdev_op_hypercall, INT),
    HC(hvm_op, hvm_op_hypercall),
    HC(sysctl, sysctl_hypercall),
    HC(domctl, domctl_hypercall),
    HC(kexec_op, 0),
    HC(tmem_op, 0),
    HC(argo_op, 0),
    HCN(xenpmu_op, xenpmu_op_hypercall, INT),
    HC(dm_op, 0),
    HC(hypfs_op, 0),
};

/* vm_assist: optional help a PV kernel may ask for. Only what Xenolith
 * really provides is accepted; everything else is refused with -EINVAL. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "errno.h"
#include "xen.h"

/* pae_extended_cr3 lets page-table bases sit above 4 GiB: always true in
 * 64-bit mode, so it is granted as asked. writable_pagetables turns on the
 * emulation of the kernel's own writes to its L1 tables (arch/x86_64/pv_ptwr.c),
 * off until asked for, as in Xen. */
#define VM_ASSIST_OFFERED ((1ull << VMASST_TYPE_pae_extended_cr3) | (1ull << VMASST_TYPE_writable_pagetables))
/* architectural_iopl: the guest kernel counts as ring 0 for the virtual IOPL,
 * which iret frames carry (pv_iret.c, trap_bounce.c, pv_emulate_io.c). */
#define VM_ASSIST_IOPL (1ull << VMASST_TYPE_architectural_iopl)

long vm_assist_hypercall(uint64_t cmd, uint64_t type, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();

    (void)a3; (void)a4; (void)a5;
    if (type >= 64 || !((VM_ASSIST_OFFERED | VM_ASSIST_IOPL) & (1ull << type)))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        d->vm_assist |= 1ull << type;
        return 0;
    case VMASST_CMD_disable:
        d->vm_assist &= ~(1ull << type);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

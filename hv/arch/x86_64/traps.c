/* Exceptions and interrupts, wherever they come from. A fault in the
 * hypervisor is either a recoverable guest-memory access (ex_table) or a bug:
 * full report, then halt. A fault in a guest is the guest's business: with no
 * handler of its own, only that domain is crashed. */
#include "arch/x86_64/regs.h"
#include "arch/x86_64/dump.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/pv_iret.h"
#include "arch/x86_64/pv_fpu.h"
#include "arch/x86_64/pv_ptwr.h"
#include "core/domain.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/ioapic.h"
#include "core/console_input.h"
#include "core/log.h"
#include "lib/format.h"

#define U(x) ((unsigned long long)(x))

static __attribute__((noreturn)) void hv_fault(const struct cpu_regs *r)
{
    log_err("PANIC: %s (vector %llu) in the hypervisor at %016llx, error %04llx\n",
            exception_name((unsigned)r->vector), U(r->vector), U(r->rip), U(r->error_code));
    if (r->vector == 14)
        log_err("page fault address (CR2): %016llx\n", U(read_cr2()));
    dump_hv_state(r);
    machine_halt_after_panic();
}

/* An instruction the hypervisor emulated for a guest running with TF set
 * ends with the single-step #DB the CPU would have raised after it (not when
 * emulation bounced an exception, which clears TF, or left the instruction
 * to run again). */
static void emulated_step(struct vcpu *v, struct cpu_regs *r, uint64_t rip_before)
{
    if (!(r->rflags & RFLAGS_TF) || r->rip == rip_before)
        return;
    debugreg_note_step(v);
    if (!pv_bounce_exception(v, r, 1, 0, 0))
        domain_crash(v, r, "single step after an emulated instruction, with no #DB handler");
}

/* An exception in guest context goes to the guest's own handler; with no
 * handler, or no room on its stack for the frame, the domain is crashed. */
static void guest_fault(struct cpu_regs *r)
{
    char why[192];
    struct vcpu *v = current;
    unsigned vector = (unsigned)r->vector;
    uint64_t cr2 = vector == 14 ? read_cr2() : 0, rip = r->rip;
    bool handler = v->arch.traps[vector].address != 0;

    if ((vector == 13 && pv_emulate_gp(v, r)) || (vector == 6 && pv_emulate_ud(v, r)) ||
        (vector == 14 && pv_ptwr_fault(v, r, cr2))) {
        emulated_step(v, r, rip);
        return;
    }
    if (vector == 7 && pv_fpu_trap(v, r))
        return;
    if (pv_bounce_exception(v, r, vector, r->error_code, cr2))
        return;
    fmt_snprintf(why, sizeof(why),
                 "unhandled %s (vector %u) error %04llx at rip %016llx rsp %016llx%s",
                 exception_name(vector), vector, U(r->error_code), U(r->rip), U(r->rsp),
                 handler ? ": its exception frame could not be written to the guest stack" : "");
    if (vector == 14)
        log_err("d%uv%u page fault address (CR2): %016llx\n", v->domain->id, v->id, U(cr2));
    domain_crash(v, r, why);
}

/* Back to a guest: sysret is possible only for a frame it can express. */
static void guest_exit(struct cpu_regs *r)
{
    vcpu_return_to_guest(r);
    if (!arch_frame_sysret_ok(r))
        exit_needs_iret = 1;
}

HV_HOT void trap_dispatch(struct cpu_regs *r)
{
    unsigned vector = (unsigned)r->vector;

    if (vector == 2) {
        log_warn("NMI received (%s context), ignored\n", regs_from_guest(r) ? "guest" : "hypervisor");
        return;
    }
    if (vector >= 32) {
        apic_irq(vector);
        if (vector == IOAPIC_SERIAL_VECTOR)
            console_input_interrupt(r);
        if (regs_from_guest(r))
            guest_exit(r);
        return;
    }
    if (vector == 1 && !regs_from_guest(r)) {
        /* A guest's data breakpoint fired while the hypervisor copied its
         * memory, or a #DB deferred by the guest's `mov ss` arrived at the
         * syscall entry: keep DR6 for the guest (get_debugreg shows it, as
         * in Xen) and go on. */
        if (current)
            debugreg_note_trap(current);
        return;
    }
    if (vector == 1)
        debugreg_note_trap(current);
    if (!regs_from_guest(r)) {
        /* Guest-memory copies (#PF, #GP) and segment loads made on a guest's
         * behalf (#TS, #NP, #SS, #GP) may fault at an instruction with a fixup. */
        uint64_t fixup = (vector >= 10 && vector <= 14) ? ex_table_lookup(r->rip) : 0;
        if (!fixup && pv_iret_exit_fault(r)) {  /* the guest's selectors, at the exit's iretq */
            guest_exit(r);
            return;
        }
        if (!fixup)
            hv_fault(r);
        r->rip = fixup;
        return;
    }
    guest_fault(r);
    guest_exit(r);
}

/* `syscall` executed in 32-bit compatibility mode: no such thing in 64-bit PV. */
void syscall32_dispatch(struct cpu_regs *r)
{
    domain_crash(current, r, "syscall from 32-bit compatibility mode");
    vcpu_return_to_guest(r);
}

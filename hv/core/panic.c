/* panic(): report a fatal hypervisor error with a backtrace, then stop. */
#include "core/panic.h"
#include "core/log.h"
#include "arch/x86_64/dump.h"
#include "arch/x86_64/power.h"
#include <stdarg.h>

void panic(const char *fmt, ...)
{
    va_list ap;
    struct cpu_regs r = { 0 };

    log_err("PANIC: ");
    va_start(ap, fmt);
    log_vprintf(LOG_ERR, fmt, ap);
    va_end(ap);
    log_err("\n");
    __asm__ volatile("lea (%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
                     : "=r"(r.rip), "=r"(r.rsp), "=r"(r.rbp));
    r.cs = 0xe008;
    dump_hv_state(&r);
    machine_halt_after_panic();
}

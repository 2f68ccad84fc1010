/* Crash reports: what a person needs to find the bug from a serial log. */
#include "arch/x86_64/dump.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/guest_access.h"
#include "core/log.h"

#define U(x) ((unsigned long long)(x))

const char *exception_name(unsigned vector)
{
    static const char *const names[32] = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
        "#BR bound range", "#UD invalid opcode", "#NM device not available",
        "#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
        "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
        "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
        "#VE virtualization", "#CP control protection",
    };
    if (vector < 32)
        return names[vector] ? names[vector] : "reserved";
    if (vector == VECTOR_SYSCALL)
        return "syscall";
    if (vector == VECTOR_SYSCALL + 1)
        return "compat-mode syscall";
    return "interrupt";
}

void dump_regs(const struct cpu_regs *r)
{
    log_err("RIP: %04llx:%016llx  RFLAGS: %016llx  vector: %llu (%s)  error: %04llx\n",
            U(r->cs), U(r->rip), U(r->rflags), U(r->vector), exception_name((unsigned)r->vector),
            U(r->error_code));
    log_err("RAX: %016llx  RBX: %016llx  RCX: %016llx\n", U(r->rax), U(r->rbx), U(r->rcx));
    log_err("RDX: %016llx  RSI: %016llx  RDI: %016llx\n", U(r->rdx), U(r->rsi), U(r->rdi));
    log_err("RBP: %016llx  RSP: %016llx  R8:  %016llx\n", U(r->rbp), U(r->rsp), U(r->r8));
    log_err("R9:  %016llx  R10: %016llx  R11: %016llx\n", U(r->r9), U(r->r10), U(r->r11));
    log_err("R12: %016llx  R13: %016llx  R14: %016llx\n", U(r->r12), U(r->r13), U(r->r14));
    log_err("R15: %016llx  SS:  %04llx  CR2: %016llx  CR3: %016llx\n",
            U(r->r15), U(r->ss), U(read_cr2()), U(read_cr3()));
}

static void dump_code(uint64_t rip, int guest)
{
    uint8_t bytes[16];
    char line[3 * sizeof(bytes) + 1];
    size_t n = sizeof(bytes), left;

    if (guest && !guest_range_ok(rip, n)) {
        log_err("code at %016llx: not readable\n", U(rip));
        return;
    }
    left = arch_copy_checked(bytes, (const void *)rip, n);
    n -= left;
    if (n == 0) {
        log_err("code at %016llx: not readable\n", U(rip));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        static const char hex[] = "0123456789abcdef";
        line[3 * i] = hex[bytes[i] >> 4];
        line[3 * i + 1] = hex[bytes[i] & 15];
        line[3 * i + 2] = ' ';
    }
    line[3 * n - 1] = 0;
    log_err("code at %016llx: %s\n", U(rip), line);
}

void dump_guest_state(const struct cpu_regs *r)
{
    dump_regs(r);
    dump_code(r->rip, 1);
}

void dump_hv_state(const struct cpu_regs *r)
{
    uint64_t fp = r->rbp;

    dump_regs(r);
    dump_code(r->rip, 0);
    log_err("backtrace (addr2line -e build/xenolith ...):\n");
    log_err("  [%016llx]\n", U(r->rip));
    for (int depth = 0; depth < 16 && fp; depth++) {
        uint64_t frame[2];
        if (arch_copy_checked(frame, (const void *)fp, sizeof(frame)) != 0 || frame[1] == 0)
            break;
        log_err("  [%016llx]\n", U(frame[1]));
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
}

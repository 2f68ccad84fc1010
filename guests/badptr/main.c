/*
 * Hypercalls with bad guest pointers and hypercall numbers with no handler.
 * Every bad pointer must give -EFAULT; unknown numbers and sub-ops -ENOSYS.
 * The hypervisor surviving all of it (and this guest printing its result)
 * is the main pass condition.
 */
#include "guest.h"

#include "errno.h"
#include "sched.h"
#include "version.h"

#define EFAULT_RC (-(long)XEN_EFAULT)
#define ENOSYS_RC (-(long)XEN_ENOSYS)

struct bad_ptr {
    unsigned long va;
    const char *what;
};

static const struct bad_ptr bad_ptrs[] = {
    { 0, "NULL" },
    { 0x0000500000000000UL, "unmapped lower half" },
    { 0x0000800000000000UL, "first non-canonical" },
    { 0x8000000000000000UL, "non-canonical" },
    { 0xFFFF830000000000UL, "hypervisor range" },
    { 0xFFFF800000000000UL, "read-only M2P (hypervisor range)" },
};
#define NR_BAD (sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))

static const struct {
    int cmd;
    const char *name;
} version_ptr_ops[] = {
    { XENVER_extraversion, "extraversion" },
    { XENVER_compile_info, "compile_info" },
    { XENVER_capabilities, "capabilities" },
    { XENVER_changeset, "changeset" },
    { XENVER_platform_parameters, "platform_parameters" },
    { XENVER_get_features, "get_features" },
    { XENVER_guest_handle, "guest_handle" },
    { XENVER_commandline, "commandline" },
};

static void check_console_bad(void)
{
    for (unsigned i = 0; i < NR_BAD; i++) {
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, bad_ptrs[i].va);
        test_check(rc == EFAULT_RC, "console_io write 16 bytes from %s %#lx: rc=%ld",
                   bad_ptrs[i].what, bad_ptrs[i].va, rc);
    }
    long rc = HYPERVISOR_console_io(CONSOLEIO_write, 0, 0);
    test_check(rc == 0, "console_io write 0 bytes from NULL: rc=%ld (want 0)", rc);
}

/* Last page of the contiguous mapped region that starts at the image. */
static unsigned long last_mapped_page(void)
{
    unsigned long va = ((unsigned long)_image_end + 0xfff) & ~0xfffUL;
    unsigned long limit = va + (1UL << 30);

    for (; va < limit; va += 4096) {
        int m = guest_va_mapped(va);
        if (m < 0)
            return 0;
        if (m == 0)
            return va - 4096;
    }
    return 0;
}

static void check_console_runoff(void)
{
    unsigned long last = last_mapped_page();
    if (!last) {
        test_check(0, "could not find the end of the mapped region");
        return;
    }
    test_note("mapped region ends at %#lx", last + 4096);

    /* 200 printable bytes ending exactly at the end of the mapping. */
    char *tail = (char *)(last + 4096 - 200);
    for (int i = 0; i < 200; i++)
        tail[i] = (i % 50 == 49) ? '\n' : (char)('a' + i % 26);

    static const unsigned long counts[] = { 201, 4096, 0x100000, 0x7fffffff,
                                            0xffffffff };
    for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, counts[i], tail);
        printk("\n");
        test_check(rc == EFAULT_RC,
                   "console_io write %#lx bytes running off the mapping: rc=%ld",
                   counts[i], rc);
    }
    /* The same buffer with an exact count still works. */
    long rc = HYPERVISOR_console_io(CONSOLEIO_write, 200, tail);
    test_check(rc == 0, "console_io write of the last 200 mapped bytes: rc=%ld", rc);
}

static void check_version_bad(void)
{
    for (unsigned op = 0; op < sizeof(version_ptr_ops) / sizeof(version_ptr_ops[0]); op++) {
        for (unsigned i = 0; i < NR_BAD; i++) {
            long rc = HYPERVISOR_xen_version(version_ptr_ops[op].cmd, bad_ptrs[i].va);
            test_check(rc == EFAULT_RC, "xen_version %s to %s: rc=%ld",
                       version_ptr_ops[op].name, bad_ptrs[i].what, rc);
        }
    }

    /* A read-only page of our own: the bootstrap L4 table. */
    const start_info_t *si = guest_start_info;
    unsigned long *l4 = (unsigned long *)si->pt_base;
    unsigned long saved[2] = { l4[0], l4[1] };
    long rc = HYPERVISOR_xen_version(XENVER_extraversion, l4);
    test_check(rc == EFAULT_RC && l4[0] == saved[0] && l4[1] == saved[1],
               "xen_version extraversion into read-only page table %p: rc=%ld",
               (void *)l4, rc);
}

static void check_sched_bad(void)
{
    for (unsigned i = 0; i < NR_BAD; i++) {
        long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, bad_ptrs[i].va);
        test_check(rc == EFAULT_RC, "sched_op shutdown with %s: rc=%ld",
                   bad_ptrs[i].what, rc);
    }
}

static void check_unknown(void)
{
    /* Slots of the hypercall page that no hypercall uses. */
    static const unsigned long slots[] = { 11, 43, 47, 56, 63, 64, 100, 127 };
    for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        long rc = hypercall_slot(slots[i], 0, 0, 0, 0, 0);
        test_check(rc == ENOSYS_RC, "hypercall %lu (page slot): rc=%ld",
                   slots[i], rc);
    }

    /* The page has 128 slots; larger numbers only by a direct syscall. */
    long ver = hypercall_syscall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    test_check(ver == HYPERVISOR_xen_version(XENVER_version, 0),
               "direct syscall of xen_version works: %#lx", ver);

    static const unsigned long nrs[] = { 128, 129, 255, 256, 0x10000, 0xffffffffUL,
                                         0x100000000UL + __HYPERVISOR_xen_version,
                                         0x8000000000000000UL, ~0UL };
    for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
        long rc = hypercall_syscall(nrs[i], 0, 0, 0, 0, 0);
        test_check(rc == ENOSYS_RC, "hypercall %#lx (direct syscall): rc=%ld",
                   nrs[i], rc);
    }

    long rc = HYPERVISOR_xen_version(64, 0);
    test_check(rc == ENOSYS_RC, "xen_version unknown sub-op 64: rc=%ld", rc);
    rc = HYPERVISOR_xen_version(0x7fffffff, 0);
    test_check(rc == ENOSYS_RC, "xen_version unknown sub-op 0x7fffffff: rc=%ld", rc);
    rc = HYPERVISOR_console_io(0x7fff, 0, 0);
    test_check(rc == ENOSYS_RC, "console_io unknown command: rc=%ld", rc);
    rc = HYPERVISOR_sched_op(0x7fff, 0);
    test_check(rc == ENOSYS_RC, "sched_op unknown command: rc=%ld", rc);

    /* xenpmu_op with the virtual PMU off (Xen's default): -EOPNOTSUPP for
     * every sub-op, before the argument is read (Linux probes XENPMU_init
     * (2) at boot and calls XENPMU_finish (3) at power-off). */
    static const unsigned long pmu_ops[] = { 0, 1, 2, 3, 4, 5, 6, 0x7fff };
    for (unsigned i = 0; i < sizeof(pmu_ops) / sizeof(pmu_ops[0]); i++) {
        rc = hypercall_slot(__HYPERVISOR_xenpmu_op, pmu_ops[i], bad_ptrs[0].va, 0, 0, 0);
        test_check(rc == -(long)XEN_EOPNOTSUPP, "xenpmu_op %lu: rc=%ld", pmu_ops[i], rc);
    }
}

void test_main(start_info_t *si)
{
    (void)si;
    check_console_bad();
    check_console_runoff();
    check_version_bad();
    check_sched_bad();
    check_unknown();
}

/* Tests for hv/arch/x86_64/physdev_policy.c: Xen 4.17's PIRQ limit, and the
 * IRQ/PCI sub-ops of physdev_op as an unprivileged PV domain and the
 * hardware domain get them, argument reads and write-backs included. */
#include <stddef.h>
#include "arch/x86_64/physdev_policy.h"
#include "errno.h"
#include "physdev.h"
#include "test.h"

/* ---- a fake guest argument: bytes [0, readable) can be read, [0, writable) written ---- */

static uint8_t argmem[64];
static unsigned readable, writable, nr_reads, nr_writes;

static int f_read(void *ctx, uint64_t off, void *dst, unsigned len)
{
    (void)ctx;
    nr_reads++;
    if (off + len > readable)
        return 1;
    memcpy(dst, argmem + off, len);
    return 0;
}

static int f_write(void *ctx, uint64_t off, const void *src, unsigned len)
{
    (void)ctx;
    nr_writes++;
    if (off + len > writable)
        return 1;
    memcpy(argmem + off, src, len);
    return 0;
}

static bool f_exists(void *ctx, domid_t id)
{
    (void)ctx;
    CHECK(id != DOMID_SELF);
    return id == 0 || id == 3;
}

static struct physdev_env env(bool privileged)
{
    return (struct physdev_env){ .privileged = privileged, .nr_gsis = 24, .ctx = 0,
                                 .read = f_read, .write = f_write, .domain_exists = f_exists };
}

static void arg_reset(unsigned r, unsigned w)
{
    memset(argmem, 0, sizeof(argmem));
    readable = r;
    writable = w;
    nr_reads = nr_writes = 0;
}

static long op(uint32_t cmd, bool privileged)
{
    struct physdev_env e = env(privileged);
    return physdev_policy_op(cmd, &e);
}

/* ---- the PIRQ limit ---- */

static void nr_pirqs_rule(void)
{
    /* QEMU's machine as the tests run it: 24 GSIs, one CPU: Xen's "d0 has
     * maximum 208 PIRQs" (bounded by the machine's IRQs, 208 > 8 * 24). */
    CHECK_EQ(physdev_nr_pirqs(true, 24, 1, 1), 208);
    /* More CPUs: one CPU's vectors per bit of the count, at most one per vCPU. */
    CHECK_EQ(physdev_nr_pirqs(true, 24, 4, 1), 24 + 208);
    CHECK_EQ(physdev_nr_pirqs(true, 24, 4, 8), 24 + 3 * 208);
    CHECK_EQ(physdev_nr_pirqs(true, 24, 8, 8), 24 + 4 * 208);
    /* Many GSIs on one CPU: eight IRQs per GSI bound the machine. */
    CHECK_EQ(physdev_nr_pirqs(true, 120, 1, 1), 120 + 208);
    CHECK_EQ(physdev_nr_pirqs(true, 27, 1, 1), 27 * 8);
    CHECK_EQ(physdev_nr_pirqs(true, 30, 1, 1), 30 + 208);
    /* Fewer than 16 GSIs count as 16. */
    CHECK_EQ(physdev_nr_pirqs(true, 0, 1, 1), 208);
    CHECK_EQ(physdev_nr_pirqs(false, 0, 1, 1), 48);
    /* The pirq_eoi page's 32768 bits bound the hardware domain. */
    CHECK_EQ(physdev_nr_pirqs(true, 32700, 1, 1), 32768);
    CHECK_EQ(physdev_nr_pirqs(true, 24, 1024, 64), 24 + 11 * 208);
    /* Another domain: the GSIs plus 32, whatever the CPUs. */
    CHECK_EQ(physdev_nr_pirqs(false, 24, 1, 1), 56);
    CHECK_EQ(physdev_nr_pirqs(false, 24, 64, 64), 56);
    CHECK_EQ(physdev_nr_pirqs(false, 4096, 1, 1), 4096 + 32);
}

static void handled_subops(void)
{
    static const uint32_t yes[] = {
        PHYSDEVOP_apic_read, PHYSDEVOP_apic_write, PHYSDEVOP_alloc_irq_vector, PHYSDEVOP_map_pirq,
        PHYSDEVOP_unmap_pirq, PHYSDEVOP_manage_pci_add, PHYSDEVOP_manage_pci_remove,
        PHYSDEVOP_manage_pci_add_ext, PHYSDEVOP_setup_gsi, PHYSDEVOP_pci_mmcfg_reserved,
        PHYSDEVOP_pci_device_add, PHYSDEVOP_pci_device_remove, PHYSDEVOP_dbgp_op,
        PHYSDEVOP_prepare_msix, PHYSDEVOP_release_msix,
    };
    static const uint32_t no[] = {
        PHYSDEVOP_IRQ_UNMASK_NOTIFY, PHYSDEVOP_irq_status_query, PHYSDEVOP_set_iopl,
        PHYSDEVOP_set_iobitmap, PHYSDEVOP_free_irq_vector, PHYSDEVOP_eoi, PHYSDEVOP_pirq_eoi_gmfn_v1,
        PHYSDEVOP_restore_msi, PHYSDEVOP_restore_msi_ext, PHYSDEVOP_get_free_pirq,
        PHYSDEVOP_pirq_eoi_gmfn_v2, 0, 1, 2, 3, 18, 22, 32, 0x7fffffff, 0xffffffffu,
    };

    for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        CHECK(physdev_policy_handles(yes[i]));
    for (unsigned i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        CHECK(!physdev_policy_handles(no[i]));
        arg_reset(64, 64);
        CHECK_EQ(op(no[i], false), -XEN_ENOSYS);
        CHECK_EQ(nr_reads + nr_writes, 0);
    }
}

/* Sub-ops that read an argument of `size` bytes, then need privilege. */
static void read_then_permission(void)
{
    static const struct { uint32_t cmd; unsigned size; } ops[] = {
        { PHYSDEVOP_apic_read, sizeof(struct physdev_apic) },
        { PHYSDEVOP_apic_write, sizeof(struct physdev_apic) },
        { PHYSDEVOP_manage_pci_add, sizeof(struct physdev_manage_pci) },
        { PHYSDEVOP_manage_pci_remove, sizeof(struct physdev_manage_pci) },
        { PHYSDEVOP_manage_pci_add_ext, sizeof(struct physdev_manage_pci_ext) },
        { PHYSDEVOP_pci_device_remove, sizeof(struct physdev_pci_device) },
        { PHYSDEVOP_prepare_msix, sizeof(struct physdev_pci_device) },
        { PHYSDEVOP_release_msix, sizeof(struct physdev_pci_device) },
        { PHYSDEVOP_pci_device_add, sizeof(struct physdev_pci_device_add) },
        { PHYSDEVOP_setup_gsi, sizeof(struct physdev_setup_gsi) },
        { PHYSDEVOP_unmap_pirq, sizeof(struct physdev_unmap_pirq) },
    };

    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        /* One byte short: -EFAULT, for either domain. */
        arg_reset(ops[i].size - 1, 64);
        CHECK_EQ(op(ops[i].cmd, false), -XEN_EFAULT);
        CHECK_EQ(op(ops[i].cmd, true), -XEN_EFAULT);
        /* Readable (zeros: domain 0, GSI 0, flags 0): -EPERM, or -ENOSYS
         * for the hardware domain; nothing written back. */
        arg_reset(ops[i].size, 64);
        CHECK_EQ(op(ops[i].cmd, false), -XEN_EPERM);
        CHECK_EQ(op(ops[i].cmd, true), -XEN_ENOSYS);
        CHECK_EQ(nr_writes, 0);
    }
}

static void permission_first(void)
{
    /* dbgp_op and pci_mmcfg_reserved: -EPERM before any read. */
    arg_reset(0, 0);
    CHECK_EQ(op(PHYSDEVOP_dbgp_op, false), -XEN_EPERM);
    CHECK_EQ(op(PHYSDEVOP_pci_mmcfg_reserved, false), -XEN_EPERM);
    CHECK_EQ(nr_reads, 0);
    /* The hardware domain: read (-EFAULT); dbgp_op then 0 (no debug port in
     * use), pci_mmcfg_reserved -ENOSYS. */
    CHECK_EQ(op(PHYSDEVOP_dbgp_op, true), -XEN_EFAULT);
    CHECK_EQ(op(PHYSDEVOP_pci_mmcfg_reserved, true), -XEN_EFAULT);
    arg_reset(sizeof(struct physdev_dbgp_op), 0);
    CHECK_EQ(op(PHYSDEVOP_dbgp_op, true), 0);
    arg_reset(sizeof(struct physdev_pci_mmcfg_reserved), 0);
    CHECK_EQ(op(PHYSDEVOP_pci_mmcfg_reserved, true), -XEN_ENOSYS);
}

static void alloc_irq_vector(void)
{
    struct physdev_irq irq = { .irq = 77, .vector = 5 };

    arg_reset(7, 64);
    CHECK_EQ(op(PHYSDEVOP_alloc_irq_vector, true), -XEN_EFAULT);
    arg_reset(8, 64);
    memcpy(argmem, &irq, sizeof(irq));
    CHECK_EQ(op(PHYSDEVOP_alloc_irq_vector, false), -XEN_EPERM);
    CHECK_EQ(nr_writes, 0);
    CHECK_EQ(op(PHYSDEVOP_alloc_irq_vector, true), 0);
    memcpy(&irq, argmem, sizeof(irq));
    CHECK_EQ(irq.irq, 77);
    CHECK_EQ(irq.vector, 77);                       /* the IRQ as its own "vector" */
    /* Written back into a read-only argument: -EFAULT. */
    arg_reset(8, 0);
    CHECK_EQ(op(PHYSDEVOP_alloc_irq_vector, true), -XEN_EFAULT);
}

static void setup_gsi_range(void)
{
    struct physdev_setup_gsi g = { 0 };
    static const int bad[] = { -1, 24, 100000, -2147483647 - 1 };

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        arg_reset(64, 64);
        g.gsi = bad[i];
        memcpy(argmem, &g, sizeof(g));
        CHECK_EQ(op(PHYSDEVOP_setup_gsi, false), -XEN_EINVAL);
        CHECK_EQ(op(PHYSDEVOP_setup_gsi, true), -XEN_EINVAL);
    }
    arg_reset(64, 64);
    g.gsi = 23;
    memcpy(argmem, &g, sizeof(g));
    CHECK_EQ(op(PHYSDEVOP_setup_gsi, false), -XEN_EPERM);
    CHECK_EQ(op(PHYSDEVOP_setup_gsi, true), -XEN_ENOSYS);
}

static void manage_pci_add_ext_flags(void)
{
    struct physdev_manage_pci_ext m = { .is_extfn = 1, .is_virtfn = 1 };

    arg_reset(64, 64);
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_manage_pci_add_ext, false), -XEN_EPERM);
    m.is_virtfn = 2;
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_manage_pci_add_ext, false), -XEN_EINVAL);
    CHECK_EQ(op(PHYSDEVOP_manage_pci_add_ext, true), -XEN_EINVAL);
    m.is_virtfn = 0;
    m.is_extfn = 0xffffffffu;
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_manage_pci_add_ext, false), -XEN_EINVAL);
}

static void pci_device_add_pxm(void)
{
    struct physdev_pci_device_add a = { .flags = XEN_PCI_DEV_PXM | XEN_PCI_DEV_VIRTFN };
    unsigned size = sizeof(a);

    CHECK_EQ(size, 12);
    /* With PXM the proximity word after the struct is read too. */
    arg_reset(size + 3, 64);
    memcpy(argmem, &a, sizeof(a));
    CHECK_EQ(op(PHYSDEVOP_pci_device_add, false), -XEN_EFAULT);
    arg_reset(size + 4, 64);
    memcpy(argmem, &a, sizeof(a));
    CHECK_EQ(op(PHYSDEVOP_pci_device_add, false), -XEN_EPERM);
    /* Without it, not. */
    a.flags = XEN_PCI_DEV_EXTFN;
    arg_reset(size, 64);
    memcpy(argmem, &a, sizeof(a));
    CHECK_EQ(op(PHYSDEVOP_pci_device_add, false), -XEN_EPERM);
}

static void map_pirq(void)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_MULTI_MSI,
                                  .index = 4, .pirq = -1, .bus = 0x10002, .table_base = 0x1000 };
    unsigned size = sizeof(m);

    CHECK_EQ(size, 40);
    arg_reset(size - 1, 64);
    CHECK_EQ(op(PHYSDEVOP_map_pirq, false), -XEN_EFAULT);
    /* A multi-vector MSI with a table base: -EINVAL, nothing written back. */
    arg_reset(size, 0);
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_map_pirq, false), -XEN_EINVAL);
    CHECK_EQ(op(PHYSDEVOP_map_pirq, true), -XEN_EINVAL);
    CHECK_EQ(nr_writes, 0);
    /* DOMID_SELF: -EPERM, written back (a read-only argument: -EFAULT). */
    m.table_base = 0;
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_map_pirq, false), -XEN_EFAULT);
    arg_reset(size, size);
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_map_pirq, false), -XEN_EPERM);
    CHECK_EQ(nr_writes, 1);
    CHECK(memcmp(argmem, &m, sizeof(m)) == 0);
    /* An MSI_SEG type comes back as MSI; a missing domain -ESRCH, an existing one -EPERM. */
    m.type = MAP_PIRQ_TYPE_MSI_SEG;
    m.domid = 4;
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_map_pirq, false), -XEN_ESRCH);
    memcpy(&m, argmem, sizeof(m));
    CHECK_EQ(m.type, MAP_PIRQ_TYPE_MSI);
    CHECK_EQ(m.pirq, -1);
    CHECK_EQ(m.index, 4);
    m.domid = 3;
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_map_pirq, false), -XEN_EPERM);
    CHECK_EQ(op(PHYSDEVOP_map_pirq, true), -XEN_ENOSYS);
    m.domid = 4;
    memcpy(argmem, &m, sizeof(m));
    CHECK_EQ(op(PHYSDEVOP_map_pirq, true), -XEN_ESRCH);
}

static void unmap_pirq(void)
{
    struct physdev_unmap_pirq u = { .domid = 9, .pirq = 3 };

    arg_reset(64, 64);
    memcpy(argmem, &u, sizeof(u));
    CHECK_EQ(op(PHYSDEVOP_unmap_pirq, false), -XEN_ESRCH);
    CHECK_EQ(op(PHYSDEVOP_unmap_pirq, true), -XEN_ESRCH);
    u.domid = DOMID_SELF;
    memcpy(argmem, &u, sizeof(u));
    CHECK_EQ(op(PHYSDEVOP_unmap_pirq, false), -XEN_EPERM);
    u.domid = 3;
    memcpy(argmem, &u, sizeof(u));
    CHECK_EQ(op(PHYSDEVOP_unmap_pirq, false), -XEN_EPERM);
    CHECK_EQ(op(PHYSDEVOP_unmap_pirq, true), -XEN_ENOSYS);
    CHECK_EQ(nr_writes, 0);
}

int main(void)
{
    RUN_TEST(nr_pirqs_rule);
    RUN_TEST(handled_subops);
    RUN_TEST(read_then_permission);
    RUN_TEST(permission_first);
    RUN_TEST(alloc_irq_vector);
    RUN_TEST(setup_gsi_range);
    RUN_TEST(manage_pci_add_ext_flags);
    RUN_TEST(pci_device_add_pxm);
    RUN_TEST(map_pirq);
    RUN_TEST(unmap_pirq);
    return test_main_result();
}

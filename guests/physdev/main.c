/* physdev_op's physical-IRQ and PCI sub-ops as a PV domain with no physical
 * IRQ bound sees them (here dom0, on both hypervisors):
 *  - irq_status_query: every PIRQ below the domain's limit needs an EOI and
 *    is not shared, the limit itself (208 for dom0 on the tests' one-CPU QEMU
 *    machine) and beyond -EINVAL, as is a negative one; a bad pointer -EFAULT;
 *    also through physdev_op_compat;
 *  - pirq_eoi_gmfn_v1/v2: a frame the domain does not own and a frame in use
 *    as a page table are refused (-EINVAL), a plain frame is registered once
 *    (0); any later registration, v1 or v2, same frame or another, is -EBUSY;
 *    while registered the frame cannot become a page table, stays writable
 *    for the guest and is never written by the hypervisor (no PIRQ is bound).
 *    It stays registered to the end: the hypervisor lets it go when the
 *    domain dies (its end-of-run frame accounting checks that);
 *  - the other IRQ/PCI sub-ops where dom0's answer needs no IRQ or PCI
 *    machinery: alloc_irq_vector (the IRQ comes back as the vector), dbgp_op
 *    (no debug port in use: 0), setup_gsi of a GSI beyond the machine's 24,
 *    map_pirq/unmap_pirq of a missing domain (-ESRCH, map_pirq's argument
 *    written back with an MSI_SEG type as MSI), a multi-vector MSI with a
 *    table base, manage_pci_add_ext's flags, bad pointers, free_irq_vector
 *    (unknown to both: -ENOSYS). An unprivileged domain's answers (-EPERM)
 *    need a second domain: tests/host/test_physdev_policy.c covers them. */
#include "pv.h"
#include "mm.h"

#define EPERM   1
#define ESRCH   3
#define EFAULT 14
#define EBUSY  16
#define EINVAL 22
#define ENOSYS 38

#define HV_ADDR ((void *)0xffff800000001000ul)  /* inside the hypervisor's range */
#define DOM0_NR_PIRQS 208u                     /* Xen 4.17's "d0 has maximum 208 PIRQs" under the tests' QEMU */
#define NR_GSIS 24                             /* QEMU's IO-APIC pins */
#define PATTERN 0x5aa5c33cu

static long status_query(uint32_t irq, uint32_t *flags)
{
    static struct physdev_irq_status_query q;
    long rc;

    q.irq = irq;
    q.flags = 0xdeadbeefu;
    rc = pv_physdev_op(PHYSDEVOP_irq_status_query, &q);
    *flags = q.flags;
    test_check(q.irq == irq, "irq_status_query keeps the irq field: %#x", q.irq);
    return rc;
}

static void test_irq_status_query(void)
{
    static const uint32_t inside[] = { 0, 1, 15, 23, 24, 100, DOM0_NR_PIRQS - 1 };
    static const uint32_t outside[] = { DOM0_NR_PIRQS, DOM0_NR_PIRQS + 1, 4096, 100000, 0x7fffffffu,
                                        0x80000000u, 0xffffffffu };
    static struct { uint32_t cmd; uint32_t pad; struct physdev_irq_status_query q; } op;
    uint32_t flags;
    long rc;

    for (unsigned i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
        rc = status_query(inside[i], &flags);
        test_check(rc == 0 && flags == XENIRQSTAT_needs_eoi,
                   "irq_status_query(%u): rc=%ld flags=%#x (want 0, needs_eoi only)", inside[i], rc, flags);
    }
    for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        rc = status_query(outside[i], &flags);
        test_check(rc == -EINVAL && flags == 0xdeadbeefu,
                   "irq_status_query(%#x): rc=%ld flags=%#x (want -EINVAL, untouched)", outside[i], rc, flags);
    }
    rc = pv_physdev_op(PHYSDEVOP_irq_status_query, HV_ADDR);
    test_check(rc == -EFAULT, "irq_status_query from a hypervisor address: rc=%ld (want -EFAULT)", rc);
    rc = pv_physdev_op(PHYSDEVOP_irq_status_query, (void *)0x8000000000000000ul);
    test_check(rc == -EFAULT, "irq_status_query from a non-canonical address: rc=%ld (want -EFAULT)", rc);

    /* An argument the guest can read but not write: the answer cannot be
     * written back (-EFAULT), a refusal needs no write (-EINVAL). */
    {
        unsigned long f = mm_alloc_mfn();
        struct physdev_irq_status_query *ro;
        uint32_t *w = mm_scratch_map(f, MM_RW_FLAGS);

        test_check(f != MM_INVALID && w != 0, "a frame for a read-only argument");
        if (w) {
            w[0] = 5;
            w[1] = 0xdeadbeefu;
            w[2] = 77;
            w[3] = 5;
        }
        ro = mm_scratch_map(f, MM_RO_FLAGS);
        test_check(ro != 0, "the frame mapped read-only");
        if (ro) {
            rc = pv_physdev_op(PHYSDEVOP_irq_status_query, ro);
            test_check(rc == -EFAULT && ro->flags == 0xdeadbeefu,
                       "irq_status_query(5) into a read-only argument: rc=%ld flags=%#x (want -EFAULT)", rc, ro->flags);
            rc = pv_physdev_op(PHYSDEVOP_alloc_irq_vector, (uint32_t *)ro + 2);
            test_check(rc == -EFAULT, "alloc_irq_vector into a read-only argument: rc=%ld (want -EFAULT)", rc);
        }
        w = mm_scratch_map(f, MM_RW_FLAGS);
        if (w)
            w[0] = DOM0_NR_PIRQS;
        ro = mm_scratch_map(f, MM_RO_FLAGS);
        if (ro) {
            rc = pv_physdev_op(PHYSDEVOP_irq_status_query, ro);
            test_check(rc == -EINVAL, "irq_status_query(%u) from a read-only argument: rc=%ld (want -EINVAL)",
                       DOM0_NR_PIRQS, rc);
        }
        mm_scratch_unmap();
    }

    /* The older form: the struct physdev_op's union (offset 8) gets the answer. */
    op.cmd = PHYSDEVOP_irq_status_query;
    op.q.irq = DOM0_NR_PIRQS - 1;
    op.q.flags = 0xdeadbeefu;
    rc = GUEST_HYPERCALL(__HYPERVISOR_physdev_op_compat, (unsigned long)&op, 0, 0, 0, 0);
    test_check(rc == 0 && op.q.flags == XENIRQSTAT_needs_eoi,
               "physdev_op_compat irq_status_query(%u): rc=%ld flags=%#x", DOM0_NR_PIRQS - 1, rc, op.q.flags);
    op.q.irq = DOM0_NR_PIRQS;
    rc = GUEST_HYPERCALL(__HYPERVISOR_physdev_op_compat, (unsigned long)&op, 0, 0, 0, 0);
    test_check(rc == -EINVAL, "physdev_op_compat irq_status_query(%u): rc=%ld (want -EINVAL)", DOM0_NR_PIRQS, rc);
}

static long eoi_gmfn(unsigned cmd, unsigned long mfn)
{
    static struct physdev_pirq_eoi_gmfn a;

    a.gmfn = mfn;
    return pv_physdev_op(cmd, &a);
}

static int page_has_pattern(unsigned long mfn)
{
    uint32_t *p = mm_scratch_map(mfn, MM_RO_FLAGS);
    int ok = p != 0;

    for (unsigned i = 0; ok && i < 1024; i++)
        ok = p[i] == PATTERN + i;
    mm_scratch_unmap();
    return ok;
}

static void test_pirq_eoi_gmfn(void)
{
    unsigned long page = mm_alloc_mfn(), other = mm_alloc_mfn(), l1 = mm_alloc_mfn();
    static const unsigned cmds[] = { PHYSDEVOP_pirq_eoi_gmfn_v1, PHYSDEVOP_pirq_eoi_gmfn_v2 };
    static const char *const names[] = { "v1", "v2" };
    static struct physdev_eoi e;
    uint32_t *p, flags;
    long rc;

    test_check(page != MM_INVALID && other != MM_INVALID && l1 != MM_INVALID, "three free frames");
    p = mm_scratch_map(page, MM_RW_FLAGS);
    test_check(p != 0, "the pirq_eoi page mapped to fill it");
    for (unsigned i = 0; p && i < 1024; i++)
        p[i] = PATTERN + i;
    mm_scratch_unmap();
    test_check(mm_zero_frame(l1) == 0, "the L1 zeroed");
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_check(rc == 0, "a frame pinned as an L1: rc=%ld", rc);

    for (unsigned i = 0; i < 2; i++) {
        rc = pv_physdev_op(cmds[i], HV_ADDR);
        test_check(rc == -EFAULT, "pirq_eoi_gmfn_%s from a hypervisor address: rc=%ld (want -EFAULT)", names[i], rc);
        rc = eoi_gmfn(cmds[i], ~0ul);
        test_check(rc == -EINVAL, "pirq_eoi_gmfn_%s(~0): rc=%ld (want -EINVAL)", names[i], rc);
        rc = eoi_gmfn(cmds[i], 1ul << 40);
        test_check(rc == -EINVAL, "pirq_eoi_gmfn_%s(2^40, beyond memory): rc=%ld (want -EINVAL)", names[i], rc);
        rc = eoi_gmfn(cmds[i], l1);
        test_check(rc == -EINVAL, "pirq_eoi_gmfn_%s of a pinned L1: rc=%ld (want -EINVAL)", names[i], rc);
        rc = eoi_gmfn(cmds[i], mm_boot_l4_mfn());
        test_check(rc == -EINVAL, "pirq_eoi_gmfn_%s of the running L4: rc=%ld (want -EINVAL)", names[i], rc);
    }
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, l1, 0);
    test_check(rc == 0, "the L1 unpinned: rc=%ld", rc);

    /* The refusals registered nothing: a plain frame now is. */
    rc = eoi_gmfn(PHYSDEVOP_pirq_eoi_gmfn_v2, page);
    test_check(rc == 0, "pirq_eoi_gmfn_v2 of a plain frame: rc=%ld", rc);
    rc = eoi_gmfn(PHYSDEVOP_pirq_eoi_gmfn_v2, page);
    test_check(rc == -EBUSY, "pirq_eoi_gmfn_v2 again, same frame: rc=%ld (want -EBUSY)", rc);
    rc = eoi_gmfn(PHYSDEVOP_pirq_eoi_gmfn_v2, other);
    test_check(rc == -EBUSY, "pirq_eoi_gmfn_v2 again, another frame: rc=%ld (want -EBUSY)", rc);
    rc = eoi_gmfn(PHYSDEVOP_pirq_eoi_gmfn_v1, other);
    test_check(rc == -EBUSY, "pirq_eoi_gmfn_v1 after v2: rc=%ld (want -EBUSY)", rc);
    rc = eoi_gmfn(PHYSDEVOP_pirq_eoi_gmfn_v1, ~0ul);
    test_check(rc == -EINVAL, "pirq_eoi_gmfn_v1(~0) after v2: rc=%ld (want -EINVAL: the frame first)", rc);

    /* Held writable: it cannot become a page table, the guest can still
     * write it, and the hypervisor writes nothing into it. */
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, page, 0);
    test_check(rc == -EINVAL, "the registered frame pinned as an L1: rc=%ld (want -EINVAL)", rc);
    rc = mm_ext1(MMUEXT_PIN_L2_TABLE, page, 0);
    test_check(rc == -EINVAL, "the registered frame pinned as an L2: rc=%ld (want -EINVAL)", rc);
    /* The frame refused with -EBUSY kept no reference: it can be a table. */
    test_check(mm_zero_frame(other) == 0, "the refused frame zeroed");
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, other, 0);
    test_check(rc == 0, "the frame refused with -EBUSY pinned as an L1: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, other, 0);
    test_check(rc == 0, "and unpinned: rc=%ld", rc);
    for (uint32_t irq = 0; irq < 4; irq++) {
        e.irq = irq;
        rc = pv_physdev_op(PHYSDEVOP_eoi, &e);
        test_check(rc == -EINVAL, "eoi(%u) with the page registered: rc=%ld (want -EINVAL)", irq, rc);
        rc = status_query(irq, &flags);
        test_check(rc == 0 && flags == XENIRQSTAT_needs_eoi, "irq_status_query(%u) with the page registered: rc=%ld flags=%#x",
                   irq, rc, flags);
    }
    rc = pv_physdev_op(PHYSDEVOP_IRQ_UNMASK_NOTIFY, 0);
    test_check(rc == 0, "IRQ_UNMASK_NOTIFY with the page registered: rc=%ld", rc);
    test_check(page_has_pattern(page), "nothing was written into the pirq_eoi page");
    p = mm_scratch_map(page, MM_RW_FLAGS);
    test_check(p != 0, "the registered frame mapped writable");
    if (p)
        p[5] = 0x12345678u;
    mm_scratch_unmap();
}

static void test_other_subops(void)
{
    static struct physdev_irq irq;
    static struct physdev_dbgp_op dbgp;
    static struct physdev_setup_gsi gsi;
    static struct physdev_map_pirq map;
    static struct physdev_unmap_pirq unmap;
    static struct physdev_manage_pci_ext ext;
    static const int bad_gsi[] = { NR_GSIS, 100000, -1 };
    static const unsigned bad_ptr[] = {
        PHYSDEVOP_apic_read, PHYSDEVOP_apic_write, PHYSDEVOP_alloc_irq_vector, PHYSDEVOP_map_pirq,
        PHYSDEVOP_unmap_pirq, PHYSDEVOP_setup_gsi, PHYSDEVOP_dbgp_op, PHYSDEVOP_manage_pci_add,
        PHYSDEVOP_manage_pci_remove, PHYSDEVOP_manage_pci_add_ext, PHYSDEVOP_pci_device_add,
        PHYSDEVOP_pci_device_remove, PHYSDEVOP_pci_mmcfg_reserved, PHYSDEVOP_prepare_msix,
        PHYSDEVOP_release_msix,
    };
    long rc;

    irq.irq = 77;
    irq.vector = 5;
    rc = pv_physdev_op(PHYSDEVOP_alloc_irq_vector, &irq);
    test_check(rc == 0 && irq.irq == 77 && irq.vector == 77,
               "alloc_irq_vector(77): rc=%ld irq %u vector %u (want 0, the IRQ as the vector)", rc, irq.irq, irq.vector);
    rc = pv_physdev_op(PHYSDEVOP_dbgp_op, &dbgp);
    test_check(rc == 0, "dbgp_op(op 0) with no debug port in use: rc=%ld", rc);
    dbgp.op = PHYSDEVOP_DBGP_RESET_PREPARE;
    dbgp.bus = PHYSDEVOP_DBGP_BUS_PCI;
    rc = pv_physdev_op(PHYSDEVOP_dbgp_op, &dbgp);
    test_check(rc == 0, "dbgp_op(reset prepare, PCI 0:0.0) with no debug port in use: rc=%ld", rc);
    for (unsigned i = 0; i < sizeof(bad_gsi) / sizeof(bad_gsi[0]); i++) {
        gsi.gsi = bad_gsi[i];
        rc = pv_physdev_op(PHYSDEVOP_setup_gsi, &gsi);
        test_check(rc == -EINVAL, "setup_gsi(%d) beyond the %d GSIs: rc=%ld (want -EINVAL)", bad_gsi[i], NR_GSIS, rc);
    }

    map.domid = 100;                            /* no such domain */
    map.type = MAP_PIRQ_TYPE_MSI_SEG;
    map.index = 3;
    map.pirq = -1;
    map.bus = 0x10000;
    rc = pv_physdev_op(PHYSDEVOP_map_pirq, &map);
    test_check(rc == -ESRCH && map.type == MAP_PIRQ_TYPE_MSI && map.pirq == -1 && map.index == 3,
               "map_pirq for a missing domain: rc=%ld type %d pirq %d index %d (want -ESRCH, MSI_SEG written back as MSI)",
               rc, map.type, map.pirq, map.index);
    map.domid = DOMID_SELF;
    map.type = MAP_PIRQ_TYPE_MULTI_MSI;
    map.table_base = 0x1000;
    rc = pv_physdev_op(PHYSDEVOP_map_pirq, &map);
    test_check(rc == -EINVAL, "map_pirq of a multi-vector MSI with a table base: rc=%ld (want -EINVAL)", rc);
    unmap.domid = 100;
    unmap.pirq = 3;
    rc = pv_physdev_op(PHYSDEVOP_unmap_pirq, &unmap);
    test_check(rc == -ESRCH, "unmap_pirq for a missing domain: rc=%ld (want -ESRCH)", rc);
    ext.is_extfn = 2;
    rc = pv_physdev_op(PHYSDEVOP_manage_pci_add_ext, &ext);
    test_check(rc == -EINVAL, "manage_pci_add_ext with is_extfn 2: rc=%ld (want -EINVAL)", rc);
    ext.is_extfn = 0;
    ext.is_virtfn = 7;
    rc = pv_physdev_op(PHYSDEVOP_manage_pci_add_ext, &ext);
    test_check(rc == -EINVAL, "manage_pci_add_ext with is_virtfn 7: rc=%ld (want -EINVAL)", rc);

    for (unsigned i = 0; i < sizeof(bad_ptr) / sizeof(bad_ptr[0]); i++) {
        rc = pv_physdev_op(bad_ptr[i], HV_ADDR);
        test_check(rc == -EFAULT, "physdev_op %u from a hypervisor address: rc=%ld (want -EFAULT)", bad_ptr[i], rc);
    }
    rc = pv_physdev_op(PHYSDEVOP_free_irq_vector, &irq);
    test_check(rc == -ENOSYS, "free_irq_vector (no longer provided): rc=%ld (want -ENOSYS)", rc);
    (void)EPERM;
}

void test_main(start_info_t *si)
{
    (void)si;
    test_irq_status_query();
    test_pirq_eoi_gmfn();
    test_other_subops();
    test_finish();
}

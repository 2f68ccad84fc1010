/* Argument details where Xen 4.17's answer depends on more than the obvious:
 * - argument widths: a command, sub-op, count or register number that Xen
 *   declares as int, unsigned int or domid_t loses its upper bits (bit 32 set
 *   must change nothing), while memory_op's cmd is a full unsigned long;
 * - update_va_mapping reads the vCPU mask only for the flush types that use
 *   it (UVMF_TLB_FLUSH, UVMF_INVLPG);
 * - mmuext_op takes the foreign domain as a domid_t, mmu_update bits 16-31 as
 *   the page-table owner plus one (DOMID_SELF + 1 is no domain: -ESRCH);
 * - memory_op extent bits on a sub-op that takes no start extent: -EINVAL for
 *   the common sub-ops that check, -EDOM for add_to_physmap beyond its size
 *   field, -ENOSYS for every other (the arch code matches the whole cmd);
 * - set_trap_table with a huge table (continued, events delivered in between)
 *   and with a bad entry part-way (the entries before it stay applied);
 * - mov to %cr4 (any value is accepted; bits a PV guest may not control are
 *   ignored), %cr2 (emulated) and %cr8 (#GP). */
#include "pv.h"
#include "guard.h"

#define EFAULT 14
#define EINVAL 22
#define ESRCH 3
#define EDOM 33
#define ENOSYS 38

#define HI (1ul << 32)              /* a bit Xen drops from 32-bit arguments */

#define XENMEM_claim_pages_nr 24
#define CR4_TSD (1ul << 2)
#define CR4_DE  (1ul << 3)
#define CR4_PGE (1ul << 7)
#define CR4_PCE (1ul << 8)
#define CR4_SMEP (1ul << 20)

/* ---- guarded privileged instructions ------------------------------------------ */


static unsigned long read_cr4(int *faulted)
{
    unsigned long v = 0, n = guard_seen.count;

    GUARD_TRY("mov %%cr4, %0", : "+r"(v) : : "r11", "memory");
    *faulted = guard_seen.count != n;
    return v;
}
/* 1 when the write faulted (#GP). */
static int write_cr4(unsigned long v)
{
    unsigned long n = guard_seen.count;

    GUARD_TRY("mov %0, %%cr4", : : "r"(v) : "r11", "memory");
    return guard_seen.count != n;
}

/* ---- 1. argument widths ---------------------------------------------------------- */

static void test_widths(void)
{
    static const char msg[] = "abi_args: console_io with bit 32 in cmd and count\n";
    static unsigned long fs_area[2] = { 0x1111, 0x2222 };
    static volatile unsigned long watched;
    struct callback_register cb = { .type = CALLBACKTYPE_syscall, .address = (unsigned long)pv_syscall_entry };
    struct callback_unregister uncb = { .type = CALLBACKTYPE_event };
    long rc, want;
    unsigned long v = 0;

    want = HYPERVISOR_xen_version(XENVER_version, 0);
    rc = hypercall_slot(__HYPERVISOR_xen_version, HI | XENVER_version, 0, 0, 0, 0);
    test_check(rc == want, "xen_version(cmd = 2^32 | XENVER_version) = %#lx (XENVER_version: %#lx)", rc, want);
    rc = hypercall_slot(__HYPERVISOR_sched_op, HI | SCHEDOP_yield, 0, 0, 0, 0);
    test_check(rc == 0, "sched_op(2^32 | SCHEDOP_yield): rc=%ld", rc);
    rc = hypercall_slot(__HYPERVISOR_console_io, HI | CONSOLEIO_write, HI | (sizeof(msg) - 1),
                        (unsigned long)msg, 0, 0);
    test_check(rc == 0, "console_io(2^32 | CONSOLEIO_write, count 2^32 | %lu): rc=%ld", sizeof(msg) - 1, rc);

    rc = hypercall_slot(__HYPERVISOR_set_debugreg, HI | 0, (unsigned long)&watched, 0, 0, 0);
    test_check(rc == 0 && pv_get_debugreg(0) == (long)&watched, "set_debugreg(reg 2^32 | 0): rc=%ld, DR0 %#lx",
               rc, pv_get_debugreg(0));
    rc = hypercall_slot(__HYPERVISOR_get_debugreg, HI | 0, 0, 0, 0, 0);
    test_check(rc == (long)&watched, "get_debugreg(reg 2^32 | 0) = %#lx", rc);
    pv_set_debugreg(0, 0);

    rc = hypercall_slot(__HYPERVISOR_set_segment_base, HI | SEGBASE_FS, (unsigned long)&fs_area[1], 0, 0, 0);
    if (test_check(rc == 0, "set_segment_base(2^32 | SEGBASE_FS): rc=%ld", rc)) {
        __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
        test_check(v == 0x2222, "%%fs:0 reads through the new base (%#lx)", v);
    }
    pv_set_segment_base(SEGBASE_FS, 0);

    rc = hypercall_slot(__HYPERVISOR_callback_op, HI | CALLBACKOP_register, (unsigned long)&cb, 0, 0, 0);
    test_check(rc == 0, "callback_op(2^32 | CALLBACKOP_register, syscall): rc=%ld", rc);
    rc = hypercall_slot(__HYPERVISOR_callback_op, HI | CALLBACKOP_unregister, (unsigned long)&uncb, 0, 0, 0);
    test_check(rc == -EINVAL, "callback_op(2^32 | CALLBACKOP_unregister, event): rc=%ld (want -EINVAL)", rc);

    pv_fpu_taskswitch(0);
    rc = hypercall_slot(__HYPERVISOR_fpu_taskswitch, HI, 0, 0, 0, 0);
    {
        unsigned long cr0 = 0;
        GUARD_TRY("mov %%cr0, %0", : "+r"(cr0) : : "r11", "memory");
        test_check(rc == 0 && !(cr0 & 8), "fpu_taskswitch(2^32) is fpu_taskswitch(0): rc=%ld, CR0 %#lx (TS clear)",
                   rc, cr0);
    }
    pv_fpu_taskswitch(0);

    rc = hypercall_slot(__HYPERVISOR_vm_assist, HI | VMASST_CMD_enable, HI | VMASST_TYPE_pae_extended_cr3, 0, 0, 0);
    test_check(rc == 0, "vm_assist(2^32 | enable, 2^32 | pae_extended_cr3): rc=%ld", rc);

    rc = hypercall_slot(__HYPERVISOR_vcpu_op, HI | VCPUOP_is_up, HI | 0, 0, 0, 0);
    test_check(rc == 1, "vcpu_op(2^32 | VCPUOP_is_up, vcpu 2^32 | 0) = %ld", rc);
    {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = 0 };
        long port = pv_bind_virq(VIRQ_TIMER, 0);
        st.port = (evtchn_port_t)port;
        rc = hypercall_slot(__HYPERVISOR_event_channel_op, HI | EVTCHNOP_status, (unsigned long)&st, 0, 0, 0);
        test_check(port > 0 && rc == 0 && st.status == EVTCHNSTAT_virq,
                   "event_channel_op(2^32 | EVTCHNOP_status) of the VIRQ_TIMER port %ld: rc=%ld status %u",
                   port, rc, st.status);
        if (port > 0)
            pv_evtchn_close((unsigned)port);
    }
    {
        multicall_entry_t mc = { .op = __HYPERVISOR_xen_version, .args = { XENVER_version } };
        rc = hypercall_slot(__HYPERVISOR_multicall, (unsigned long)&mc, HI | 1, 0, 0, 0);
        test_check(rc == 0 && (long)mc.result == want, "multicall(nr_calls 2^32 | 1): rc=%ld, result %#lx", rc,
                   (unsigned long)mc.result);
    }
    {
        unsigned long frames[1] = { 0 };
        rc = hypercall_slot(__HYPERVISOR_set_gdt, (unsigned long)frames, HI | 0, 0, 0, 0);
        test_check(rc == 0, "set_gdt(entries 2^32 | 0): rc=%ld", rc);
    }
    /* memory_op's cmd is an unsigned long: bit 32 is a start extent. */
    rc = mm_memory_op(HI | XENMEM_maximum_ram_page, 0);
    test_check(rc == -EINVAL, "memory_op(2^32 | XENMEM_maximum_ram_page): rc=%ld (want -EINVAL)", rc);
}

/* ---- batches: counts and foreign domains ---------------------------------------------- */

/* A no-op M2P update of one of our own frames. */
static void m2p_noop(mmu_update_t *req)
{
    unsigned long pfn = mm_boot_pfns() - 1, mfn = mm_pfn_to_mfn(pfn);

    req->ptr = (mfn << 12) | MMU_MACHPHYS_UPDATE;
    req->val = pfn;
}

static void test_batches(void)
{
    mmu_update_t req;
    struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    unsigned int done;
    long rc;

    m2p_noop(&req);
    done = 0;
    rc = hypercall_slot(__HYPERVISOR_mmu_update, (unsigned long)&req, HI | 1, (unsigned long)&done,
                        HI | DOMID_SELF, 0);
    test_check(rc == 0 && done == 1, "mmu_update(count 2^32 | 1, foreigndom 2^32 | DOMID_SELF): rc=%ld done %u",
               rc, done);
    done = 0;
    rc = hypercall_slot(__HYPERVISOR_mmuext_op, (unsigned long)&op, HI | 1, (unsigned long)&done,
                        HI | DOMID_SELF, 0);
    test_check(rc == 0 && done == 1, "mmuext_op(count 2^32 | 1, foreigndom 2^32 | DOMID_SELF): rc=%ld done %u",
               rc, done);

    /* mmuext_op: only the low 16 bits of foreigndom name a domain. */
    done = 0;
    rc = mm_mmuext_op(&op, 1, &done, (5u << 16) | DOMID_SELF);
    test_check(rc == 0 && done == 1, "mmuext_op(foreigndom 5 << 16 | DOMID_SELF): rc=%ld done %u", rc, done);
    done = 0;
    rc = mm_mmuext_op(&op, 1, &done, ((DOMID_SELF + 1u) << 16) | DOMID_SELF);
    test_check(rc == 0 && done == 1, "mmuext_op(foreigndom (DOMID_SELF + 1) << 16 | DOMID_SELF): rc=%ld", rc);

    /* mmu_update: bits 16-31 are the page-table owner plus one. */
    rc = mm_mmu_update(&req, 1, 0, ((DOMID_SELF + 1u) << 16) | DOMID_SELF);
    test_check(rc == -ESRCH, "mmu_update(foreigndom (DOMID_SELF + 1) << 16 | DOMID_SELF): rc=%ld (want -ESRCH)",
               rc);
    rc = mm_mmu_update(&req, 1, 0, (0x1234u << 16) | DOMID_SELF);
    test_check(rc == -ESRCH, "mmu_update(page-table owner d%#x, no such domain): rc=%ld (want -ESRCH)", 0x1233,
               rc);
    done = 0;
    rc = mm_mmu_update(&req, 1, &done, (1u << 16) | DOMID_SELF);
    test_check(rc == 0 && done == 1, "mmu_update(page-table owner d0 (itself) + 1): rc=%ld done %u", rc, done);
}

/* ---- 2. update_va_mapping's vCPU mask ---------------------------------------------------- */

static void test_uvm_mask(void)
{
    const unsigned long bad = 0x1000;   /* an unmapped pointer: the mask cannot be read */
    void *page = mm_scratch_map(mm_pfn_to_mfn(mm_boot_pfns() - 1), MM_RW_FLAGS);
    unsigned long va = (unsigned long)page, pte = 0;
    long rc;

    if (!test_check(page && mm_read_pte(va, 1, &pte) == 0, "a scratch mapping to rewrite (%#lx)", pte))
        return;
    rc = mm_update_va_mapping(va, pte, UVMF_NONE | bad);
    test_check(rc == 0, "update_va_mapping(UVMF_NONE, unreadable vCPU mask): rc=%ld (the mask is not read)", rc);
    rc = mm_update_va_mapping(va, pte, 3 | bad);
    test_check(rc == 0, "update_va_mapping(flush type 3, unreadable vCPU mask): rc=%ld (no flush, not read)", rc);
    rc = mm_update_va_mapping(va, pte, UVMF_INVLPG | bad);
    test_check(rc == -EFAULT, "update_va_mapping(UVMF_INVLPG, unreadable vCPU mask): rc=%ld (want -EFAULT)", rc);
    rc = mm_update_va_mapping(va, pte, UVMF_TLB_FLUSH | bad);
    test_check(rc == -EFAULT, "update_va_mapping(UVMF_TLB_FLUSH, unreadable vCPU mask): rc=%ld (want -EFAULT)", rc);
    rc = mm_update_va_mapping(va, pte, UVMF_NONE | UVMF_ALL);
    test_check(rc == 0, "update_va_mapping(UVMF_NONE | UVMF_ALL): rc=%ld", rc);
    rc = mm_update_va_mapping_otherdomain(va, pte, UVMF_NONE | bad, DOMID_SELF);
    test_check(rc == 0, "update_va_mapping_otherdomain(UVMF_NONE, unreadable vCPU mask): rc=%ld", rc);
    /* Its domid is a domid_t: bits 16 and up are dropped. */
    rc = mm_update_va_mapping_otherdomain(va, pte, UVMF_INVLPG, (0x1234ul << 16) | DOMID_SELF);
    test_check(rc == 0, "update_va_mapping_otherdomain(domid 0x1234 << 16 | DOMID_SELF): rc=%ld", rc);
    rc = mm_update_va_mapping_otherdomain(va, pte, UVMF_INVLPG, HI | DOMID_SELF);
    test_check(rc == 0, "update_va_mapping_otherdomain(domid 2^32 | DOMID_SELF): rc=%ld", rc);
    mm_scratch_unmap();
}

/* ---- 4. memory_op extent bits ------------------------------------------------------------------ */

static void test_memop_extents(void)
{
    static const struct { unsigned long cmd; long want; const char *what; } cases[] = {
        { XENMEM_maximum_ram_page, -EINVAL, "maximum_ram_page" },
        { XENMEM_current_reservation, -EINVAL, "current_reservation" },
        { XENMEM_maximum_reservation, -EINVAL, "maximum_reservation" },
        { XENMEM_maximum_gpfn, -EINVAL, "maximum_gpfn" },
        { XENMEM_exchange, -EINVAL, "exchange" },
        { XENMEM_remove_from_physmap, -EINVAL, "remove_from_physmap" },
        { XENMEM_claim_pages_nr, -EINVAL, "claim_pages" },
        { XENMEM_get_vnumainfo, -EINVAL, "get_vnumainfo" },
        { XENMEM_machphys_mapping, -ENOSYS, "machphys_mapping" },
        { XENMEM_machphys_mfn_list, -ENOSYS, "machphys_mfn_list" },
        { XENMEM_memory_map, -ENOSYS, "memory_map" },
        { XENMEM_machine_memory_map, -ENOSYS, "machine_memory_map" },
        { XENMEM_set_memory_map, -ENOSYS, "set_memory_map" },
        { 40, -ENOSYS, "unknown sub-op 40" },
        { 63, -ENOSYS, "unknown sub-op 63" },
    };
    long rc;

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = mm_memory_op(cases[i].cmd | (1ul << 6), 0);
        test_check(rc == cases[i].want, "memory_op(%s, start extent 1): rc=%ld (want %ld)", cases[i].what, rc,
                   cases[i].want);
    }
    rc = mm_memory_op(HI | XENMEM_machphys_mapping, 0);
    test_check(rc == -ENOSYS, "memory_op(2^32 | machphys_mapping): rc=%ld (want -ENOSYS)", rc);
    rc = mm_memory_op(XENMEM_add_to_physmap | (0x10000ul << 6), 0);
    test_check(rc == -EDOM, "memory_op(add_to_physmap, start extent 0x10000): rc=%ld (want -EDOM)", rc);
    rc = mm_memory_op(XENMEM_add_to_physmap_batch | (0x10000ul << 6), 0);
    test_check(rc == -EDOM, "memory_op(add_to_physmap_batch, start extent 0x10000): rc=%ld (want -EDOM)", rc);
    {
        struct xen_machphys_mapping m = { 0 };
        rc = mm_memory_op(XENMEM_machphys_mapping, &m);
        test_check(rc == 0 && m.v_start == 0xFFFF800000000000ul, "memory_op(machphys_mapping) itself: rc=%ld", rc);
    }
}

/* ---- 5. set_trap_table ------------------------------------------------------------------------- */

#define BIG_ENTRIES (1u << 17)
static trap_info_t big[BIG_ENTRIES + 1];
static trap_info_t small[3];
static volatile unsigned long sw_vector, sw_count;

static void h_soft(struct pv_regs *r)
{
    sw_vector = r->vector;
    sw_count++;
}

static struct {
    unsigned long count, in_call, first_rip;
    uint64_t first_at;
} up;

static void h_upcall(struct pv_regs *r)
{
    unsigned long slot0 = (unsigned long)hypercall_page + 32 * __HYPERVISOR_set_trap_table;

    if (up.count++ == 0) {
        up.first_rip = r->rip;
        up.first_at = pv_now();
    }
    if (r->rip >= slot0 && r->rip < slot0 + 32)
        up.in_call++;
    pv_evtchn_scan();
}

static void trap_entry(trap_info_t *t, unsigned vec, unsigned dpl, unsigned long address)
{
    t->vector = (uint8_t)vec;
    t->flags = (uint8_t)dpl;
    t->cs = FLAT_KERNEL_CS;
    t->address = address;
}

/* Which handler int3 and int $0x80 reach: the vector number its stub reports. */
static unsigned long probe(int which_int80)
{
    unsigned long n = sw_count;

    if (which_int80)
        __asm__ volatile("int $0x80" ::: "memory");
    else
        __asm__ volatile("int3" ::: "memory");
    return sw_count == n + 1 ? sw_vector : ~0ul;
}

/* #BP and int $0x80 go to the stub of 0x82 (the "before" state). */
static long traps_before(void)
{
    pv_traps_default();
    pv_trap_clear(3);
    pv_trap_clear(0x80);
    if (pv_trap_load() != 0)
        return -1;
    trap_entry(&small[0], 3, 3, pv_stub_address(0x82));
    trap_entry(&small[1], 0x80, 3, pv_stub_address(0x82));
    trap_entry(&small[2], 0, 0, 0);
    return pv_set_trap_table(small);
}

static void test_trap_table(void)
{
    long rc, port;
    uint64_t t0, t1;

    for (unsigned v = 0x80; v <= 0x83; v++)
        pv_set_handler(v, h_soft);
    pv_set_handler(3, h_soft);
    if (!test_check(traps_before() == 0, "int3 and int $0x80 pointed at the stub of 0x82"))
        return;
    test_check(probe(0) == 0x82 && probe(1) == 0x82, "int3 and int $0x80 reach that stub");

    /* A bad entry part-way: the entries before it are kept. */
    trap_entry(&small[0], 3, 3, pv_stub_address(3));
    trap_entry(&small[1], 0x80, 3, 0x8000000000000000ul);
    trap_entry(&small[2], 0, 0, 0);
    rc = pv_set_trap_table(small);
    test_check(rc == -EINVAL, "set_trap_table with a non-canonical second entry: rc=%ld (want -EINVAL)", rc);
    test_check(probe(0) == 3, "... the first entry was applied all the same (int3 reaches the stub of %#lx)",
               probe(0));
    test_check(probe(1) == 0x82, "... int $0x80 still reaches the stub of %#lx", probe(1));

    /* A table of 2^17 entries: the first sets #BP, the middle ones vector
     * 0x80 to the stub of 0x81, the last one vector 0x80 to its own stub. */
    if (!test_check(traps_before() == 0, "back to the stub of 0x82"))
        return;
    trap_entry(&big[0], 3, 3, pv_stub_address(3));
    for (unsigned i = 1; i < BIG_ENTRIES - 1; i++)
        trap_entry(&big[i], 0x80, 3, pv_stub_address(0x81));
    trap_entry(&big[BIG_ENTRIES - 1], 0x80, 3, pv_stub_address(0x80));
    trap_entry(&big[BIG_ENTRIES], 0, 0, 0);

    /* An event already pending when the call starts (sent while masked, then
     * the mask cleared without a hypercall) must be delivered before the
     * call ends: the call stops and continues, and the upcall's frame points
     * at the hypercall page's set_trap_table slot. */
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    port = pv_bind_ipi(0);
    test_check(port > 0, "an IPI port %ld", port);
    pv_events_mask();
    pv_evtchn_send((unsigned)port);
    t0 = pv_now();
    __atomic_store_n(&pv_vcpu->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
    rc = pv_set_trap_table(big);
    pv_events_mask();
    t1 = pv_now();
    test_check(rc == 0, "set_trap_table with %u entries before the terminator: rc=%ld", BIG_ENTRIES, rc);
    test_note("the call took %lu us; %lu upcall(s), %lu inside the call, the first at %#lx, %ld us into the call",
              (unsigned long)((t1 - t0) / 1000), up.count, up.in_call, up.first_rip,
              up.count ? (long)(up.first_at - t0) / 1000 : 0);
    test_check(up.in_call > 0, "the pending event was delivered while the call was under way (continued, not one "
               "stretch)");
    test_check(probe(0) == 3, "the first entry was applied (int3 reaches the stub of %#lx)", probe(0));
    test_check(probe(1) == 0x80, "the last entry was applied (int $0x80 reaches the stub of %#lx)", probe(1));
    if (port > 0)
        pv_evtchn_close((unsigned)port);
    pv_traps_default();
    pv_trap_load();
}

/* ---- 6. control-register writes -------------------------------------------------------------- */

static void test_cr_writes(void)
{
    int f;
    unsigned long cr4 = read_cr4(&f), now, n, cr2 = 0;

    if (!test_check(!f, "mov from %%cr4: %#lx", cr4))
        return;
    test_check(!write_cr4(cr4), "mov to %%cr4 of the value just read: accepted (vector %lu)",
               guard_seen.count ? guard_seen.vector : 0);
    now = read_cr4(&f);
    test_check(now == cr4, "... CR4 still reads %#lx", now);
    test_check(!write_cr4(0), "mov to %%cr4 of 0: accepted");
    now = read_cr4(&f);
    test_check(now == cr4, "... the hardware bits a guest sees do not change (%#lx)", now);
    test_check(!write_cr4(cr4 | CR4_PGE | CR4_PCE | CR4_SMEP), "mov to %%cr4 with PGE, PCE and SMEP: accepted");
    now = read_cr4(&f);
    test_check(now == cr4, "... and ignored (%#lx)", now);
    /* TSD is the guest's own bit on both hypervisors. */
    test_check(!write_cr4(cr4 | CR4_TSD), "mov to %%cr4 with TSD: accepted");
    now = read_cr4(&f);
    test_check(now == (cr4 | CR4_TSD), "... and shown (%#lx)", now);
    test_check(!write_cr4(cr4), "mov to %%cr4 clearing TSD again: accepted");
    /* DE too. */
    test_check(!write_cr4(cr4 | CR4_DE), "mov to %%cr4 with DE: accepted");
    now = read_cr4(&f);
    test_check(now == (cr4 | CR4_DE), "... and shown (%#lx)", now);
    test_check(!write_cr4(cr4), "mov to %%cr4 clearing DE again: accepted");
    now = read_cr4(&f);
    test_check(now == cr4, "CR4 back at %#lx", now);

    n = guard_seen.count;
    GUARD_TRY("mov %0, %%cr2", : : "r"(0x123456789000ul) : "r11", "memory");
    test_check(guard_seen.count == n, "mov to %%cr2 is emulated");
    GUARD_TRY("mov %%cr2, %0", : "+r"(cr2) : : "r11", "memory");
    test_check(cr2 == 0x123456789000ul, "... and mov from %%cr2 reads it back (%#lx)", cr2);
    test_check(pv_vcpu->arch.cr2 == 0x123456789000ul, "... as vcpu_info.arch.cr2 does (%#lx)",
               (unsigned long)pv_vcpu->arch.cr2);
    n = guard_seen.count;
    GUARD_TRY("mov %0, %%cr8", : : "r"(0ul) : "r11", "memory");
    test_check(guard_seen.count == n + 1 && guard_seen.vector == 13 && guard_seen.error == 0, "mov to %%cr8: #GP(0) (vector %lu)",
               guard_seen.vector);
}

void test_main(start_info_t *si)
{
    long rc;

    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    for (unsigned v = 0; v < 32; v++)
        pv_set_handler(v, guard_record);
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");
    rc = pv_register_callbacks();
    test_check(rc == 0, "set_callbacks: rc=%ld", rc);

    test_widths();
    test_batches();
    test_uvm_mask();
    test_memop_extents();
    test_cr_writes();
    test_trap_table();
}

/* map_grant_ref, unmap_grant_ref and unmap_and_replace, as a PV kernel uses them. */
#include "suite.h"

/* The PTE bits a grant mapping is judged by (Xen adds software bits of its own). */
#define PTE_SEEN (MM_P | MM_RW | MM_US | MM_NX | MM_ADDR_MASK)

static int pte_is(unsigned long va, unsigned long mfn, unsigned long flags)
{
    unsigned long e = gnt_pte(va);
    return (e & PTE_SEEN) == (mm_pte(mfn, flags) & PTE_SEEN);
}

/* ---- one writable host mapping ---- */
static void basic(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long va = map_va(0);
    unsigned char b;
    int16_t st;
    long rc;

    data_fill(0, 100);
    gnt_grant(10, 0, data_mfn[0], GTF_permit_access);
    rc = gnt_map(&op, va, GNTMAP_host_map, 10, 0);
    test_check(rc == 0 && op.status == GNTST_okay,
               "map ref 10 (data frame %#lx) writable at %#lx: rc=%ld status %d handle %#x dev_bus_addr %#lx",
               data_mfn[0], va, rc, op.status, op.handle, (unsigned long)op.dev_bus_addr);
    /* Xen reports the frame's machine address even for a host-only mapping. */
    expect((long)op.dev_bus_addr, (long)(data_mfn[0] << 12), "dev_bus_addr of a host mapping");
    expect(gnt_flags(10), GNT_RW, "entry flags while mapped writable (reading|writing added)");
    unsigned long e = gnt_pte(va);
    test_note("PTE of the grant mapping: %#lx", e);
    test_check(pte_is(va, data_mfn[0], MM_P | MM_RW | MM_US | MM_NX),
               "PTE maps the frame present, writable, no-execute: %#lx", e);
    test_check(*(volatile unsigned long *)va == data_word(100, 0) &&
               ((volatile unsigned long *)va)[511] == data_word(100, 511),
               "reads through the mapping see the frame's contents");
    ((volatile unsigned long *)va)[7] = 0x1234567812345678UL;
    test_check(data_va(0)[7] == 0x1234567812345678UL, "a write through the mapping lands in the frame");
    data_va(0)[8] = 0x8765432187654321UL;
    test_check(((volatile unsigned long *)va)[8] == 0x8765432187654321UL,
               "a write to the frame is seen through the mapping");

    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_okay, "unmap: rc=%ld status %d", rc, st);
    expect(gnt_flags(10), GTF_permit_access, "entry flags after the unmap");
    expect((long)gnt_pte(va), 0, "PTE after the unmap");
    expect((long)gnt_probe_read(va, &b) >> 8, 1, "a read at the unmapped address faults");
}

/* ---- two mappings of one grant ---- */
static void twice(void)
{
    gnttab_map_grant_ref_t a, b;
    int16_t st;
    long rc;

    data_fill(1, 101);
    gnt_grant(11, 0, data_mfn[1], GTF_permit_access);
    long ra = gnt_map(&a, map_va(1), GNTMAP_host_map, 11, 0);
    long rb = gnt_map(&b, map_va(2), GNTMAP_host_map | GNTMAP_readonly, 11, 0);
    test_check(ra == 0 && rb == 0 && a.status == 0 && b.status == 0 && a.handle != b.handle,
               "ref 11 mapped twice (writable, read-only): status %d %d, handles %#x %#x differ",
               a.status, b.status, a.handle, b.handle);
    test_check(((volatile unsigned long *)map_va(2))[3] == data_word(101, 3),
               "both show the frame");
    expect(gnt_flags(11), GNT_RW, "flags with both mappings");
    rc = gnt_unmap(map_va(1), 0, a.handle, &st);
    test_check(rc == 0 && st == 0, "writable one unmapped: status %d", st);
    /* Xen clears GTF_writing with the last writable mapping, GTF_reading with the last one. */
    expect(gnt_flags(11), GNT_RO, "flags with the read-only mapping left");
    rc = gnt_unmap(map_va(2), 0, b.handle, &st);
    test_check(rc == 0 && st == 0, "read-only one unmapped: status %d", st);
    expect(gnt_flags(11), GTF_permit_access, "flags after the last unmap");

    /* The other order: read-only first, then writable, then read-only gone first. */
    ra = gnt_map(&a, map_va(1), GNTMAP_host_map | GNTMAP_readonly, 11, 0);
    expect(gnt_flags(11), GNT_RO, "flags with a read-only mapping");
    rb = gnt_map(&b, map_va(2), GNTMAP_host_map, 11, 0);
    test_check(ra == 0 && rb == 0 && a.status == 0 && b.status == 0, "then a writable one: status %d %d",
               a.status, b.status);
    expect(gnt_flags(11), GNT_RW, "flags with both");
    gnt_unmap(map_va(1), 0, a.handle, &st);
    expect(gnt_flags(11), GNT_RW, "flags after the read-only one went (the writable one is left)");
    gnt_unmap(map_va(2), 0, b.handle, &st);
    expect(gnt_flags(11), GTF_permit_access, "flags after both went");
}

/* ---- read-only mappings and read-only grants ---- */
static void readonly(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long va = map_va(3);
    unsigned char byte = 0;
    int16_t st;
    long rc;

    data_fill(2, 102);
    gnt_grant(12, 0, data_mfn[2], GTF_permit_access);
    rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_readonly, 12, 0);
    test_check(rc == 0 && op.status == 0, "GNTMAP_readonly mapping: rc=%ld status %d", rc, op.status);
    expect(gnt_flags(12), GNT_RO, "entry flags (reading only)");
    test_check(pte_is(va, data_mfn[2], MM_P | MM_US | MM_NX), "PTE read-only: %#lx", gnt_pte(va));
    unsigned long f = gnt_probe_read(va + 16, &byte);
    test_check(f == 0 && byte == (unsigned char)data_word(102, 2), "a read works (%#lx, %#x)", f, byte);
    f = gnt_probe_write(va + 16, 0x55);
    test_check((f & 0x103) == 0x103, "a write faults: present|write page fault (%#lx)", f);
    test_check(data_is(2, 102), "the frame is unchanged");
    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == 0, "unmap: status %d", st);
    expect(gnt_flags(12), GTF_permit_access, "flags after the unmap");

    /* A read-only grant: writable mappings refused, read-only ones allowed. */
    gnt_grant(13, 0, data_mfn[2], GTF_permit_access | GTF_readonly);
    rc = gnt_map(&op, va, GNTMAP_host_map, 13, 0);
    test_check(rc == 0 && op.status == GNTST_general_error,
               "GTF_readonly grant mapped writable: rc=%ld status %d (want 0, GNTST_general_error)", rc,
               op.status);
    expect(gnt_flags(13), GTF_permit_access | GTF_readonly, "its flags untouched");
    expect((long)gnt_pte(va), 0, "nothing mapped");
    rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_readonly, 13, 0);
    test_check(rc == 0 && op.status == 0, "mapped read-only: status %d", op.status);
    expect(gnt_flags(13), GTF_permit_access | GTF_readonly | GTF_reading, "flags while mapped");
    f = gnt_probe_write(va, 1);
    test_check((f & 0x103) == 0x103, "a write faults (%#lx)", f);
    gnt_unmap(va, 0, op.handle, &st);
    expect(st, 0, "unmapped");
    expect(gnt_flags(13), GTF_permit_access | GTF_readonly, "flags after");
}

/* ---- GNTMAP_contains_pte: host_addr is the machine address of the L1 entry ---- */
static void contains_pte(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long va = map_va(4), maddr = gnt_pte_maddr(va);
    int16_t st;
    long rc;

    data_fill(3, 103);
    gnt_grant(14, 0, data_mfn[3], GTF_permit_access);
    rc = gnt_map(&op, maddr, GNTMAP_host_map | GNTMAP_contains_pte, 14, 0);
    test_check(rc == 0 && op.status == 0, "GNTMAP_contains_pte at PTE %#lx (va %#lx): rc=%ld status %d",
               maddr, va, rc, op.status);
    mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    test_check(pte_is(va, data_mfn[3], MM_P | MM_RW | MM_US | MM_NX) &&
                   ((volatile unsigned long *)va)[9] == data_word(103, 9),
               "the entry maps the frame (%#lx), reads through it work", gnt_pte(va));
    ((volatile unsigned long *)va)[9] = 42;
    expect((long)data_va(3)[9], 42, "a write through it lands");
    expect(gnt_flags(14), GNT_RW, "flags");
    /* The unmap takes the same kind of address. */
    rc = gnt_unmap(maddr, 0, op.handle, &st);
    test_check(rc == 0 && st == 0, "unmap by PTE address: status %d", st);
    expect((long)gnt_pte(va), 0, "PTE cleared");
    expect(gnt_flags(14), GTF_permit_access, "flags after");
}

/* ---- GNTMAP_device_map: no CPU mapping, the bus address of the frame ---- */
static void device_map(void)
{
    gnttab_map_grant_ref_t op, op2;
    unsigned long bus = data_mfn[4] << 12;
    int16_t st;
    long rc;

    gnt_grant(15, 0, data_mfn[4], GTF_permit_access);
    rc = gnt_map(&op, 0, GNTMAP_device_map, 15, 0);
    test_check(rc == 0 && op.status == 0 && op.dev_bus_addr == bus,
               "GNTMAP_device_map: status %d, dev_bus_addr %#lx (want %#lx)", op.status,
               (unsigned long)op.dev_bus_addr, bus);
    expect(gnt_flags(15), GNT_RW, "flags with a writable device mapping");
    /* The unmap names the bus address; a different one is refused. */
    rc = gnt_unmap(0, bus + 0x1000, op.handle, &st);
    test_check(rc == 0 && st == GNTST_bad_dev_addr,
               "unmap with another bus address: status %d (want GNTST_bad_dev_addr)", st);
    expect(gnt_flags(15), GNT_RW, "still mapped");
    rc = gnt_unmap(0, bus, op.handle, &st);
    test_check(rc == 0 && st == 0, "unmap with its bus address: status %d", st);
    expect(gnt_flags(15), GTF_permit_access, "flags after");

    rc = gnt_map(&op, 0, GNTMAP_device_map | GNTMAP_readonly, 15, 0);
    test_check(rc == 0 && op.status == 0 && op.dev_bus_addr == bus, "read-only device mapping: status %d",
               op.status);
    expect(gnt_flags(15), GNT_RO, "flags (reading only)");
    gnt_unmap(0, bus, op.handle, &st);
    expect(st, 0, "unmapped");

    /* Both kinds in one handle: each half goes with its own address. */
    unsigned long va = map_va(5);
    rc = gnt_map(&op2, va, GNTMAP_device_map | GNTMAP_host_map, 15, 0);
    test_check(rc == 0 && op2.status == 0 && op2.dev_bus_addr == bus &&
                   pte_is(va, data_mfn[4], MM_P | MM_RW | MM_US | MM_NX),
               "device and host mapping in one: status %d", op2.status);
    rc = gnt_unmap(va, 0, op2.handle, &st);
    test_check(rc == 0 && st == 0 && gnt_pte(va) == 0, "its host half unmapped: status %d", st);
    expect(gnt_flags(15), GNT_RW, "the device half keeps the flags");
    rc = gnt_unmap(va, 0, op2.handle, &st);
    /* The host half is gone: the handle only has a device mapping left and
     * no bus address was named, so nothing is done, and that is no error. */
    test_check(rc == 0 && st == 0, "unmap of the host half again (handle still alive): status %d", st);
    expect(gnt_flags(15), GNT_RW, "flags unchanged by it");
    rc = gnt_unmap(0, bus, op2.handle, &st);
    test_check(rc == 0 && st == 0, "its device half unmapped: status %d", st);
    expect(gnt_flags(15), GTF_permit_access, "flags after");
    rc = gnt_unmap(0, bus, op2.handle, &st);
    test_check(rc == 0 && st == GNTST_bad_handle, "the handle is gone now: status %d (want GNTST_bad_handle)",
               st);
}

/* ---- GNTMAP_application_map ---- */
static void application_map(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long va = map_va(6);
    int16_t st;

    gnt_grant(16, 0, data_mfn[5], GTF_permit_access);
    data_fill(5, 105);
    long rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_application_map, 16, 0);
    unsigned long e = gnt_pte(va);
    test_note("PTE of an application mapping: %#lx", e);
    test_check(rc == 0 && op.status == 0 && pte_is(va, data_mfn[5], MM_P | MM_RW | MM_US | MM_NX) &&
                   ((volatile unsigned long *)va)[1] == data_word(105, 1),
               "GNTMAP_application_map: status %d, a user-accessible writable mapping (%#lx)", op.status, e);
    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == 0 && gnt_pte(va) == 0, "unmapped: status %d", st);
    rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_application_map | GNTMAP_readonly, 16, 0);
    test_check(rc == 0 && op.status == 0 && pte_is(va, data_mfn[5], MM_P | MM_US | MM_NX),
               "read-only application mapping: status %d (%#lx)", op.status, gnt_pte(va));
    gnt_unmap(va, 0, op.handle, &st);
    expect(st, 0, "unmapped");
    expect(gnt_flags(16), GTF_permit_access, "flags after");
}

/* ---- unmap_and_replace: the mapping found at new_addr moves to host_addr ---- */
static void unmap_and_replace(void)
{
    gnttab_map_grant_ref_t op;
    gnttab_unmap_and_replace_t ur;
    unsigned long va = map_va(7), other = map_va(8);
    long rc;

    data_fill(6, 106);
    data_fill(7, 107);
    gnt_grant(17, 0, data_mfn[6], GTF_permit_access);
    rc = gnt_map(&op, va, GNTMAP_host_map, 17, 0);
    test_check(rc == 0 && op.status == 0, "ref 17 mapped at %#lx: status %d", va, op.status);
    rc = gnt_set_pte(other, mm_pte(data_mfn[7], MM_RW_FLAGS));
    expect(rc, 0, "an ordinary mapping of data frame 7 at %#lx", other);

    g_memset(&ur, 0, sizeof(ur));
    ur.host_addr = va;
    ur.new_addr = other;
    ur.handle = op.handle;
    ur.status = 0x7777;
    rc = gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    test_check(rc == 0 && ur.status == 0, "unmap_and_replace(host_addr, new_addr): rc=%ld status %d", rc,
               ur.status);
    test_check(mm_pte_mfn(gnt_pte(va)) == data_mfn[7] && gnt_pte(other) == 0,
               "host_addr now maps what new_addr mapped (%#lx), new_addr is empty (%#lx)", gnt_pte(va),
               gnt_pte(other));
    test_check(((volatile unsigned long *)va)[5] == data_word(107, 5), "reads at host_addr see frame 7");
    expect(gnt_flags(17), GTF_permit_access, "the grant is released");
    expect(gnt_set_pte(va, 0), 0, "the moved mapping removed as an ordinary one");

    /* new_addr 0: a plain unmap. */
    rc = gnt_map(&op, va, GNTMAP_host_map, 17, 0);
    ur.host_addr = va;
    ur.new_addr = 0;
    ur.handle = op.handle;
    ur.status = 0x7777;
    rc |= gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    test_check(rc == 0 && ur.status == 0 && gnt_pte(va) == 0 && gnt_flags(17) == GTF_permit_access,
               "unmap_and_replace with new_addr 0 unmaps: rc=%ld status %d", rc, ur.status);
}

/* ---- batches ---- */
static void batches(void)
{
    static gnttab_map_grant_ref_t m[4];
    static gnttab_unmap_grant_ref_t u[3];
    long rc;

    data_fill(0, 200);
    gnt_grant(20, 0, data_mfn[0], GTF_permit_access);
    g_memset(m, 0, sizeof(m));
    for (unsigned i = 0; i < 4; i++) {
        m[i].flags = GNTMAP_host_map;
        m[i].ref = 20;
        m[i].dom = 0;
        m[i].host_addr = map_va(10 + i);
        m[i].status = 0x7777;
    }
    m[1].ref = 64 * 512;       /* beyond the table */
    m[3].dom = 0x7ff0;         /* no such domain */
    rc = gnt_op(GNTTABOP_map_grant_ref, m, 4);
    test_check(rc == 0 && m[0].status == 0 && m[1].status == GNTST_bad_gntref && m[2].status == 0 &&
                   m[3].status == GNTST_bad_domain,
               "a batch of 4 maps (ok, bad ref, ok, bad domain): rc=%ld statuses %d %d %d %d", rc,
               m[0].status, m[1].status, m[2].status, m[3].status);
    test_check(((volatile unsigned long *)map_va(10))[4] == data_word(200, 4) &&
                   ((volatile unsigned long *)map_va(12))[4] == data_word(200, 4) && gnt_pte(map_va(11)) == 0 &&
                   gnt_pte(map_va(13)) == 0,
               "the good ones are mapped, the others not");
    g_memset(u, 0, sizeof(u));
    u[0].host_addr = map_va(10);
    u[0].handle = m[0].handle;
    u[1].host_addr = map_va(11);
    u[1].handle = 0x7fffffff;
    u[2].host_addr = map_va(12);
    u[2].handle = m[2].handle;
    for (unsigned i = 0; i < 3; i++)
        u[i].status = 0x7777;
    rc = gnt_op(GNTTABOP_unmap_grant_ref, u, 3);
    test_check(rc == 0 && u[0].status == 0 && u[1].status == GNTST_bad_handle && u[2].status == 0,
               "a batch of 3 unmaps (ok, bad handle, ok): rc=%ld statuses %d %d %d", rc, u[0].status,
               u[1].status, u[2].status);
    expect(gnt_flags(20), GTF_permit_access, "flags after the batch");
}

/* ---- a large batch: 32768 device mappings in one call, and their unmaps ---- */
#define BIG 32768
#define BIG_REF0 1024
static gnttab_map_grant_ref_t big_map[BIG];
static gnttab_unmap_grant_ref_t big_unmap[BIG];

static void large_batch(void)
{
    unsigned bad = 0, handles_dup = 0;
    long rc;

    /* 128 mappings per grant is the most a grant takes of one kind (see
     * grant_hostile): 256 grants of the same frame. */
    for (unsigned r = 0; r < BIG / 128; r++)
        gnt_grant(BIG_REF0 + r, 0, data_mfn[1], GTF_permit_access);
    for (unsigned i = 0; i < BIG; i++) {
        big_map[i].host_addr = 0;
        big_map[i].flags = GNTMAP_device_map | GNTMAP_readonly;
        big_map[i].ref = BIG_REF0 + i / 128;
        big_map[i].dom = 0;
        big_map[i].status = 0x7777;
        big_map[i].handle = 0;
    }
    rc = gnt_op(GNTTABOP_map_grant_ref, big_map, BIG);
    for (unsigned i = 0; i < BIG; i++)
        bad += big_map[i].status != 0 || big_map[i].dev_bus_addr != data_mfn[1] << 12;
    /* Handles are distinct: spot-check neighbours and a few far apart. */
    for (unsigned i = 1; i < BIG; i++)
        handles_dup += big_map[i].handle == big_map[i - 1].handle;
    test_check(rc == 0 && bad == 0 && handles_dup == 0,
               "%u read-only device mappings in one call: rc=%ld, %u bad statuses, %u repeated handles",
               BIG, rc, bad, handles_dup);
    expect(gnt_flags(BIG_REF0), GNT_RO, "flags of the first grant");
    for (unsigned i = 0; i < BIG; i++) {
        big_unmap[i].host_addr = 0;
        big_unmap[i].dev_bus_addr = data_mfn[1] << 12;
        big_unmap[i].handle = big_map[i].handle;
        big_unmap[i].status = 0x7777;
    }
    rc = gnt_op(GNTTABOP_unmap_grant_ref, big_unmap, BIG);
    bad = 0;
    for (unsigned i = 0; i < BIG; i++)
        bad += big_unmap[i].status != 0;
    unsigned busy = 0;
    for (unsigned r = 0; r < BIG / 128; r++)
        busy += gnt_flags(BIG_REF0 + r) != GTF_permit_access;
    test_check(rc == 0 && bad == 0 && busy == 0, "and unmapped in one call: rc=%ld, %u bad statuses, %u grants still busy",
               rc, bad, busy);
}

/* ---- an entry in the last frame of the 64-frame table ---- */
static void last_entry(void)
{
    gnttab_map_grant_ref_t op;
    grant_ref_t ref = 64 * 512 - 1;
    int16_t st;

    data_fill(2, 300);
    gnt_grant(ref, 0, data_mfn[2], GTF_permit_access);
    long rc = gnt_map(&op, map_va(20), GNTMAP_host_map | GNTMAP_readonly, ref, 0);
    test_check(rc == 0 && op.status == 0 && ((volatile unsigned long *)map_va(20))[2] == data_word(300, 2),
               "ref %u (last entry of frame 63) maps its frame: status %d", ref, op.status);
    gnt_unmap(map_va(20), 0, op.handle, &st);
    expect(st, 0, "unmapped");
    gnt_grant(ref, 0, 0, GTF_invalid);
}

void test_map(void)
{
    basic();
    twice();
    readonly();
    contains_pte();
    device_map();
    application_map();
    unmap_and_replace();
    batches();
    large_batch();
    last_entry();
}

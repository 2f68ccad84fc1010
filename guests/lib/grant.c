/*
 * Xenolith test-guest runtime: grant tables (see grant.h).
 */
#include "grant.h"

/* ---- the grant window ------------------------------------------------------------ */

static unsigned long area_l3, area_l2, area_l1[GNT_AREA_L1S];

unsigned long gnt_l1_mfn(unsigned l1)
{
    return l1 < GNT_AREA_L1S ? area_l1[l1] : MM_INVALID;
}
unsigned long gnt_l2_mfn(void) { return area_l2; }
unsigned long gnt_l3_mfn(void) { return area_l3; }

/* Write one word of a frame that is no page table yet, through the scratch page. */
static long poke(unsigned long mfn, unsigned idx, unsigned long val)
{
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p)
        return mm_last_rc;
    p[idx] = val;
    mm_scratch_unmap();
    return 0;
}

long gnt_area_init(void)
{
    unsigned long e = MM_INVALID, mfn;
    long rc = 0;

    if (area_l3)
        return 0;
    if (mm_read_pte(GNT_AREA_BASE, 4, &e) || e != 0)
        return -1;
    area_l3 = mm_alloc_mfn();
    area_l2 = mm_alloc_mfn();
    for (unsigned i = 0; i < GNT_AREA_L1S; i++)
        area_l1[i] = mm_alloc_mfn();
    if (area_l1[GNT_AREA_L1S - 1] == MM_INVALID)
        return -1;
    rc |= mm_zero_frame(area_l3) | mm_zero_frame(area_l2);
    for (unsigned i = 0; i < GNT_AREA_L1S; i++)
        rc |= mm_zero_frame(area_l1[i]);
    /* The views first (the frames are still ordinary pages), then the links. */
    rc |= poke(area_l1[0], GNT_VIEW_SLOT, mm_pte(area_l3, MM_RO_FLAGS));
    rc |= poke(area_l1[0], GNT_VIEW_SLOT + 1, mm_pte(area_l2, MM_RO_FLAGS));
    for (unsigned i = 0; i < GNT_AREA_L1S; i++) {
        rc |= poke(area_l1[0], GNT_VIEW_SLOT + 2 + i, mm_pte(area_l1[i], MM_RO_FLAGS));
        rc |= poke(area_l2, i, mm_pte(area_l1[i], MM_TABLE_FLAGS));
    }
    rc |= poke(area_l3, 0, mm_pte(area_l2, MM_TABLE_FLAGS));
    if (rc)
        return rc;
    rc = mm_update1((mm_l4_mfn() << 12) + 8UL * GNT_AREA_SLOT, mm_pte(area_l3, MM_TABLE_FLAGS));
    if (rc)
        return rc;
    mm_register_frame_va(area_l3, gnt_va(0, GNT_VIEW_SLOT));
    mm_register_frame_va(area_l2, gnt_va(0, GNT_VIEW_SLOT + 1));
    for (unsigned i = 0; i < GNT_AREA_L1S; i++)
        mm_register_frame_va(area_l1[i], gnt_va(0, GNT_VIEW_SLOT + 2 + i));
    mfn = mm_va_to_mfn(gnt_va(0, GNT_VIEW_SLOT + 2));
    return mfn == area_l1[0] ? 0 : -1;
}

unsigned long gnt_pte_maddr(unsigned long va)
{
    unsigned long off = va - GNT_AREA_BASE;
    unsigned l1 = (unsigned)(off >> 21);

    if (va < GNT_AREA_BASE || l1 >= GNT_AREA_L1S)
        return 0;
    return (area_l1[l1] << 12) + 8UL * ((off >> 12) & 511);
}

unsigned long gnt_pte(unsigned long va)
{
    unsigned long off = va - GNT_AREA_BASE;
    unsigned l1 = (unsigned)(off >> 21);

    if (va < GNT_AREA_BASE || l1 >= GNT_AREA_L1S)
        return MM_INVALID;
    return ((const volatile unsigned long *)gnt_va(0, GNT_VIEW_SLOT + 2 + l1))[(off >> 12) & 511];
}

long gnt_set_pte(unsigned long va, unsigned long pte)
{
    return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL);
}

/* ---- the caller's grant table ------------------------------------------------------ */

grant_entry_v1_t *gnt_table = (grant_entry_v1_t *)GNT_TABLE_VA;
unsigned gnt_table_frames;
xen_pfn_t gnt_table_mfn[GNT_TABLE_MAX];

long gnt_setup_list(domid_t dom, uint32_t nr, xen_pfn_t *list, int16_t *status)
{
    gnttab_setup_table_t op;

    g_memset(&op, 0, sizeof(op));
    op.dom = dom;
    op.nr_frames = nr;
    set_xen_guest_handle(op.frame_list, list);
    op.status = 0x7777;
    long rc = gnt_op(GNTTABOP_setup_table, &op, 1);
    *status = op.status;
    return rc;
}

long gnt_table_setup(unsigned nr, int16_t *status)
{
    static xen_pfn_t list[GNT_TABLE_MAX];
    long rc;

    if (nr > GNT_TABLE_MAX)
        return -1;
    rc = gnt_setup_list(DOMID_SELF, nr, list, status);
    if (rc || *status)
        return rc;
    for (unsigned i = gnt_table_frames; i < nr; i++) {
        gnt_table_mfn[i] = list[i];
        rc = gnt_set_pte(GNT_TABLE_VA + i * MM_PAGE_SIZE, mm_pte(list[i], MM_RW_FLAGS));
        if (rc)
            return rc;
        gnt_table_frames = i + 1;
    }
    return 0;
}

/* ---- single operations ------------------------------------------------------------------ */

long gnt_map(gnttab_map_grant_ref_t *op, uint64_t host_addr, uint32_t flags, grant_ref_t ref,
             domid_t dom)
{
    g_memset(op, 0, sizeof(*op));
    op->host_addr = host_addr;
    op->flags = flags;
    op->ref = ref;
    op->dom = dom;
    op->status = 0x7777;
    op->handle = 0xdeadbeef;
    return gnt_op(GNTTABOP_map_grant_ref, op, 1);
}

long gnt_unmap(uint64_t host_addr, uint64_t dev_bus_addr, grant_handle_t handle, int16_t *status)
{
    gnttab_unmap_grant_ref_t op;

    g_memset(&op, 0, sizeof(op));
    op.host_addr = host_addr;
    op.dev_bus_addr = dev_bus_addr;
    op.handle = handle;
    op.status = 0x7777;
    long rc = gnt_op(GNTTABOP_unmap_grant_ref, &op, 1);
    *status = op.status;
    return rc;
}

long gnt_copy1(gnttab_copy_t *op)
{
    op->status = 0x7777;
    return gnt_op(GNTTABOP_copy, op, 1);
}

long gnt_query_size(domid_t dom, gnttab_query_size_t *q)
{
    g_memset(q, 0, sizeof(*q));
    q->dom = dom;
    q->nr_frames = 0x5555;
    q->max_nr_frames = 0x6666;
    q->status = 0x7777;
    return gnt_op(GNTTABOP_query_size, q, 1);
}

long gnt_cache_flush1(uint64_t addr, uint16_t off, uint16_t len, uint32_t op)
{
    gnttab_cache_flush_t c;

    g_memset(&c, 0, sizeof(c));
    c.a.dev_bus_addr = addr;
    c.offset = off;
    c.length = len;
    c.op = op;
    return gnt_op(GNTTABOP_cache_flush, &c, 1);
}

/* ---- fault probes ------------------------------------------------------------------------ */

__asm__(".pushsection .text\n"
        ".globl gnt_probe_rd\n"
        "gnt_probe_rd:\n"            /* (va, out): rax 0, or the fault word */
        "  xor %eax, %eax\n"
        "gnt_probe_rd_at:\n"
        "  movzbl (%rdi), %ecx\n"
        "  mov %cl, (%rsi)\n"
        "gnt_probe_rd_end:\n"
        "  ret\n"
        ".globl gnt_probe_wr\n"
        "gnt_probe_wr:\n"            /* (va, val) */
        "  xor %eax, %eax\n"
        "gnt_probe_wr_at:\n"
        "  mov %sil, (%rdi)\n"
        "gnt_probe_wr_end:\n"
        "  ret\n"
        ".popsection\n");
extern char gnt_probe_rd_at[], gnt_probe_rd_end[], gnt_probe_wr_at[], gnt_probe_wr_end[];
unsigned long gnt_probe_rd(unsigned long va, unsigned char *out);
unsigned long gnt_probe_wr(unsigned long va, unsigned long val);

static void probe_fault(struct pv_regs *r)
{
    if (r->rip == (unsigned long)gnt_probe_rd_at) {
        r->rip = (unsigned long)gnt_probe_rd_end;
    } else if (r->rip == (unsigned long)gnt_probe_wr_at) {
        r->rip = (unsigned long)gnt_probe_wr_end;
    } else {
        pv_dump_regs("page fault outside a probe", r);
        test_check(0, "unexpected page fault at %#lx", r->rip);
        test_finish();
    }
    r->rax = 0x100 | r->error;
}

long gnt_probe_init(void)
{
    pv_set_handler(14, probe_fault);
    pv_traps_default();
    return pv_trap_load();
}

unsigned long gnt_probe_read(unsigned long va, unsigned char *out)
{
    return gnt_probe_rd(va, out);
}

unsigned long gnt_probe_write(unsigned long va, unsigned char val)
{
    return gnt_probe_wr(va, val);
}

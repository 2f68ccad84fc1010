/* Tests for hv/dom/layout.c: the start-of-day layout of a PV domain. */
#include <stdbool.h>
#include <stdint.h>

#include "dom/layout.h"
#include "test.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)

static bool aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

/* The ordering and packing rules of the ABI, for any valid layout. */
static void check_invariants(const struct dom_layout_in *in, const struct dom_layout *l)
{
    CHECK(l->kernel_start >= l->v_start);
    CHECK(l->initrd_start >= l->kernel_end && aligned(l->initrd_start, 4096));
    CHECK_EQ(l->initrd_pages * 4096, (in->initrd_len + 4095) & ~4095ull);
    if (in->unmapped_initrd) {
        CHECK_EQ(l->initrd_end, l->initrd_start);
        CHECK_EQ(l->initrd_pfn, l->mapped_pages);
    } else {
        CHECK_EQ(l->initrd_end - l->initrd_start, (in->initrd_len + 4095) & ~4095ull);
        CHECK_EQ(l->initrd_pfn, dom_layout_va_to_pfn(l, l->initrd_start));
    }
    CHECK(l->p2m_end - l->p2m_start >= in->nr_pages * 8);
    CHECK_EQ(l->p2m_end - l->p2m_start, l->p2m_frames * 4096);
    if (in->has_init_p2m) {
        CHECK(l->p2m_own_tables);
        CHECK_EQ(l->p2m_start, in->init_p2m);
        CHECK_EQ(l->start_info, l->initrd_end);
        CHECK_EQ(l->p2m_pfn, l->mapped_pages + (in->unmapped_initrd ? l->initrd_pages : 0));
        CHECK_EQ(l->p2m_pt_pfn, l->p2m_pfn + l->p2m_frames);
        CHECK_EQ(l->used_pages, l->p2m_pt_pfn + l->p2m_pt_frames);
    } else {
        CHECK(!l->p2m_own_tables);
        CHECK_EQ(l->p2m_start, l->initrd_end);
        CHECK_EQ(l->start_info, l->p2m_end);
        CHECK_EQ(l->p2m_pfn, dom_layout_va_to_pfn(l, l->p2m_start));
        CHECK_EQ(l->used_pages, l->mapped_pages + (in->unmapped_initrd ? l->initrd_pages : 0));
    }
    CHECK(l->used_pages <= in->nr_pages);
    if (in->domu_pages) {
        CHECK_EQ(l->xenstore, l->start_info + 4096);
        CHECK_EQ(l->console, l->xenstore + 4096);
        CHECK_EQ(l->pt_start, l->console + 4096);
    } else {
        CHECK_EQ(l->xenstore, 0);
        CHECK_EQ(l->pt_start, l->start_info + 4096);
    }
    CHECK_EQ(l->pt_end - l->pt_start, l->nr_pt_frames * 4096);
    CHECK_EQ(l->nr_pt_frames, 1 + l->l3_frames + l->l2_frames + l->l1_frames);
    CHECK_EQ(l->stack_start, l->pt_end);
    CHECK_EQ(l->stack_end, l->stack_start + 4096);
    CHECK(aligned(l->v_end, 4 * MiB));
    CHECK(l->v_end - l->stack_end >= 512 * KiB);
    CHECK(l->v_end - l->stack_end < 512 * KiB + 4 * MiB);
    CHECK_EQ(l->mapped_pages, (l->v_end - l->v_start) / 4096);
    CHECK(l->mapped_pages <= in->nr_pages);
    /* One L1 per 2 MiB of the region, one L2 per 1 GiB, one L3 per 512 GiB. */
    CHECK_EQ(l->l1_frames, ((l->v_end - 1) >> 21) - (l->v_start >> 21) + 1);
    CHECK_EQ(l->l2_frames, ((l->v_end - 1) >> 30) - (l->v_start >> 30) + 1);
}

static void test_minios_style_va0(void)
{
    struct dom_layout_in in = { .virt_base = 0, .kernel_start = 0, .kernel_end = 0x7db08,
                                .nr_pages = 32 * MiB / 4096, .domu_pages = true };
    struct dom_layout l;
    char err[128];

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    /* The figures the census of Mini-OS gives for a 32 MiB domU. */
    CHECK_EQ(l.p2m_start, 0x7e000);
    CHECK_EQ(l.start_info, 0x8e000);
    CHECK_EQ(l.pt_start, 0x91000);
    CHECK_EQ(l.nr_pt_frames, 5);           /* L4, L3, L2 and two L1s */
    CHECK_EQ(l.v_end, 0x400000);
    CHECK_EQ(dom_layout_va_to_pfn(&l, l.start_info), 0x8e);
}

static void test_linux_style_high(void)
{
    struct dom_layout_in in = { .virt_base = 0xffffffff80000000ull, .kernel_start = 0xffffffff81000000ull,
                                .kernel_end = 0xffffffff82a34567ull, .initrd_len = 5 * MiB + 3,
                                .nr_pages = 512 * MiB / 4096 };
    struct dom_layout l;
    char err[128];

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    CHECK_EQ(l.v_start, 0xffffffff80000000ull);
    CHECK_EQ(l.l3_frames, 1);
    CHECK_EQ(l.initrd_start, 0xffffffff82a35000ull);
}

/* Debian's Linux 6.1 (../shared/guests/linux-pv.md): MOD_START_PFN and
 * INIT_P2M = 0x8000000000, a 256 MiB domU with a 1 MiB initrd. */
static void test_linux_unmapped_initrd_and_p2m(void)
{
    struct dom_layout_in in = { .virt_base = 0xffffffff80000000ull, .kernel_start = 0xffffffff81000000ull,
                                .kernel_end = 0xffffffff84a00000ull, .initrd_len = 1008 * KiB + 5,
                                .nr_pages = 256 * MiB / 4096, .domu_pages = true,
                                .unmapped_initrd = true, .has_init_p2m = true, .init_p2m = 0x8000000000ull };
    struct dom_layout l;
    char err[160];

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    /* The region holds the kernel, the domU pages, tables and stack only. */
    CHECK_EQ(l.start_info, 0xffffffff84a00000ull);
    CHECK_EQ(l.v_end, 0xffffffff84c00000ull);
    CHECK_EQ(l.initrd_pfn, 0x4c00);
    CHECK_EQ(l.initrd_pages, 253);
    CHECK_EQ(l.p2m_start, 0x8000000000ull);
    CHECK_EQ(l.p2m_end, 0x8000080000ull);        /* 65536 entries of 8 bytes */
    CHECK_EQ(l.p2m_pfn, 0x4c00 + 253);
    CHECK_EQ(l.p2m_frames, 128);
    CHECK_EQ(l.p2m_pt_frames, 3);                /* one L3, one L2, one L1 */
    CHECK_EQ(l.used_pages, 0x4c00 + 253 + 128 + 3);

    /* Each note alone. */
    in.has_init_p2m = false;
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    CHECK_EQ(l.p2m_start, 0xffffffff84a00000ull);
    in.has_init_p2m = true;
    in.unmapped_initrd = false;
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    CHECK_EQ(l.initrd_start, 0xffffffff84a00000ull);
    CHECK_EQ(l.p2m_pfn, l.mapped_pages);

    /* A p2m list across 2 MiB, 1 GiB and 512 GiB boundaries gets a table
     * for each block it touches. */
    in.init_p2m = 0x8000000000ull - 4096;
    in.nr_pages = 1024 * MiB / 4096;
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    CHECK_EQ(l.p2m_l3_frames, 2);
    CHECK_EQ(l.p2m_l2_frames, 2);
    CHECK_EQ(l.p2m_l1_frames, 2);
}

static void test_init_p2m_refused(void)
{
    struct dom_layout_in in = { .virt_base = 0xffffffff80000000ull, .kernel_start = 0xffffffff81000000ull,
                                .kernel_end = 0xffffffff82000000ull, .nr_pages = 256 * MiB / 4096,
                                .has_init_p2m = true };
    struct dom_layout l;
    char err[200] = "";

    in.init_p2m = 0x8000000800ull;
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_STR(err, "INIT_P2M 0x8000000800 is not page aligned");
    in.init_p2m = 0x00007ffffffff000ull;          /* runs into the non-canonical hole */
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "is not usable guest address space");
    in.init_p2m = 0xffff800000000000ull;          /* the hypervisor's range */
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "is not usable guest address space");
    in.init_p2m = 0xfffffffffffff000ull;          /* wraps past 2^64 */
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "is not usable guest address space");
    in.init_p2m = 0xffffff8000000000ull;          /* L4 slot 511, the kernel's */
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "shares an L4 slot with the start-of-day region");
    /* The unmapped pieces must fit in the domain's memory too. */
    in.init_p2m = 0x8000000000ull;
    in.unmapped_initrd = true;
    in.initrd_len = 64 * KiB;
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    in.nr_pages = l.mapped_pages + 10;            /* the region fits, the initrd not */
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "domain memory too small");
    in.initrd_len = 1ull << 50;                   /* more than the whole domain */
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "the initrd alone needs");
}

static void test_region_crossing_boundaries(void)
{
    /* A kernel just below a 1 GiB boundary: the tables for both sides count. */
    struct dom_layout_in in = { .virt_base = 0x3ff00000, .kernel_start = 0x3ff00000, .kernel_end = 0x3ff80000,
                                .nr_pages = 64 * MiB / 4096 };
    struct dom_layout l;
    char err[128];

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), 0);
    check_invariants(&in, &l);
    CHECK_EQ(l.l2_frames, 2);
}

static void test_memory_too_small(void)
{
    struct dom_layout_in in = { .virt_base = 0, .kernel_start = 0, .kernel_end = 8 * MiB, .nr_pages = 1024 };
    struct dom_layout l;
    char err[160] = "";

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "domain memory too small");
}

static void test_bad_inputs(void)
{
    struct dom_layout l;
    char err[160] = "";
    struct dom_layout_in in = { .virt_base = 0x1000, .kernel_start = 0, .kernel_end = 0x1000, .nr_pages = 4096 };

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    in = (struct dom_layout_in){ .kernel_start = 0x2000, .kernel_end = 0x2000, .nr_pages = 4096 };
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    in = (struct dom_layout_in){ .kernel_start = 0, .kernel_end = 0x2000, .nr_pages = 0 };
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    /* Reaching the top of the address space wraps. */
    in = (struct dom_layout_in){ .virt_base = 0xffffffffffe00000ull, .kernel_start = 0xffffffffffe00000ull,
                                 .kernel_end = 0xfffffffffff00000ull, .nr_pages = 1ull << 20 };
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    /* Growing into the hypervisor's range is refused. */
    in = (struct dom_layout_in){ .virt_base = 0xffff7fffffe00000ull, .kernel_start = 0xffff7fffffe00000ull,
                                 .kernel_end = 0xffff7ffffff00000ull, .nr_pages = 1ull << 20 };
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "not usable guest address space");
    /* So is the non-canonical hole. */
    in = (struct dom_layout_in){ .virt_base = 0x00007ffffff00000ull, .kernel_start = 0x00007ffffff00000ull,
                                 .kernel_end = 0x00007ffffff80000ull, .nr_pages = 1ull << 20 };
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
}

/* Found by fuzz-host/layout: pieces placed after a kernel near the top of
 * the address space used to wrap to low addresses, and the layout was
 * accepted with the kernel outside the mapped region. */
static void test_wrapping_region(void)
{
    struct dom_layout_in in = {
        .virt_base = 0x47000000, .kernel_start = 0xffffffff00000000ull,
        .kernel_end = 0xffffffff80003000ull, .initrd_len = 2 * MiB, .nr_pages = 0xff000200,
    };
    struct dom_layout l;
    char err[128];

    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_STR(err, "start-of-day region wraps the address space");
    /* A large initrd after a kernel at the top. */
    in = (struct dom_layout_in){ .virt_base = 0x400000, .kernel_start = 0xffffffffff000000ull,
                                 .kernel_end = 0xffffffffff100000ull, .initrd_len = 0xfffff000,
                                 .nr_pages = 16384 };
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_STR(err, "start-of-day region wraps the address space");
    /* An initrd length that wraps when rounded up to pages. */
    in.kernel_start = 0x1000000;
    in.kernel_end = 0x1100000;
    in.initrd_len = UINT64_MAX - 10;
    CHECK_EQ(dom_layout_compute(&in, &l, err, sizeof(err)), -1);
    CHECK_STR(err, "start-of-day region wraps the address space");
}

static void test_sizes_sweep(void)
{
    /* Many sizes: the fixed point of the page-table count always holds. */
    for (uint64_t mb = 4; mb <= 4096; mb = mb * 3 / 2 + 1) {
        struct dom_layout_in in = { .virt_base = 0xffffffff80000000ull, .kernel_start = 0xffffffff80000000ull,
                                    .kernel_end = 0xffffffff80000000ull + 0x123456, .nr_pages = mb * MiB / 4096 };
        struct dom_layout l;
        char err[160];
        if (dom_layout_compute(&in, &l, err, sizeof(err)) == 0)
            check_invariants(&in, &l);
        else
            CHECK(mb < 8);
    }
}

int main(void)
{
    RUN_TEST(test_minios_style_va0);
    RUN_TEST(test_linux_style_high);
    RUN_TEST(test_linux_unmapped_initrd_and_p2m);
    RUN_TEST(test_init_p2m_refused);
    RUN_TEST(test_region_crossing_boundaries);
    RUN_TEST(test_memory_too_small);
    RUN_TEST(test_bad_inputs);
    RUN_TEST(test_wrapping_region);
    RUN_TEST(test_sizes_sweep);
    return test_main_result();
}

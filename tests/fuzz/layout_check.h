/* Checks of the promises hv/dom/layout.h makes about a computed layout,
 * shared by the ELF and layout harnesses. */
#ifndef TESTS_FUZZ_LAYOUT_CHECK_H
#define TESTS_FUZZ_LAYOUT_CHECK_H

#include "dom/layout.h"
#include "fuzz.h"

#define PG 4096ull
#define HV_LOW  0xFFFF800000000000ULL      /* the PV ABI's hypervisor hole */
#define HV_HIGH 0xFFFF880000000000ULL

static inline int va_ok(uint64_t va)
{
    return va < 0x0000800000000000ULL || va >= 0xFFFF800000000000ULL;
}

static inline void check_layout(int rc, const struct dom_layout_in *in, const struct dom_layout *l,
                                const char *err, size_t errlen)
{
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc) {
        FUZZ_CHECK(strnlen(err, errlen) < errlen && err[0]);
        return;
    }
    /* Everything in order, page aligned, inside [v_start, v_end). */
    FUZZ_CHECK(l->v_start == (in->virt_base & ~(PG - 1)));
    FUZZ_CHECK(l->v_start <= l->kernel_start && l->kernel_start < l->kernel_end);
    FUZZ_CHECK(l->kernel_start == in->kernel_start && l->kernel_end == in->kernel_end);
    FUZZ_CHECK(l->kernel_end <= l->initrd_start && l->initrd_start % PG == 0);
    FUZZ_CHECK(l->initrd_start <= l->initrd_end);
    FUZZ_CHECK(l->initrd_pages * PG >= in->initrd_len && l->initrd_pages * PG - in->initrd_len < PG);
    if (in->unmapped_initrd) {
        FUZZ_CHECK(l->initrd_end == l->initrd_start && l->initrd_pfn == l->mapped_pages);
    } else {
        FUZZ_CHECK(l->initrd_end - l->initrd_start == l->initrd_pages * PG);
        FUZZ_CHECK(l->initrd_pfn == (l->initrd_start - l->v_start) / PG);
    }
    FUZZ_CHECK(l->p2m_frames * 512 >= in->nr_pages && l->p2m_frames * 512 - in->nr_pages < 512);
    FUZZ_CHECK(l->p2m_end - l->p2m_start == l->p2m_frames * PG);
    FUZZ_CHECK(l->p2m_own_tables == in->has_init_p2m);
    if (in->has_init_p2m) {
        uint64_t s = l->p2m_start, e = l->p2m_end;
        FUZZ_CHECK(s == in->init_p2m && s % PG == 0 && s < e && va_ok(s) && va_ok(e - 1));
        FUZZ_CHECK(e <= HV_LOW || s >= HV_HIGH);
        FUZZ_CHECK((e - 1) >> 39 < l->v_start >> 39 || s >> 39 > (l->v_end - 1) >> 39);
        FUZZ_CHECK(l->initrd_end == l->start_info);
        FUZZ_CHECK(l->p2m_pfn == l->mapped_pages + (in->unmapped_initrd ? l->initrd_pages : 0));
        FUZZ_CHECK(l->p2m_pt_pfn == l->p2m_pfn + l->p2m_frames);
        FUZZ_CHECK(l->p2m_l1_frames == ((e - 1) >> 21) - (s >> 21) + 1);
        FUZZ_CHECK(l->p2m_l2_frames == ((e - 1) >> 30) - (s >> 30) + 1);
        FUZZ_CHECK(l->p2m_l3_frames == ((e - 1) >> 39) - (s >> 39) + 1);
        FUZZ_CHECK(l->p2m_pt_frames == l->p2m_l1_frames + l->p2m_l2_frames + l->p2m_l3_frames);
        FUZZ_CHECK(l->used_pages == l->p2m_pt_pfn + l->p2m_pt_frames);
    } else {
        FUZZ_CHECK(l->initrd_end <= l->p2m_start && l->p2m_end <= l->start_info);
        FUZZ_CHECK(l->p2m_pfn == (l->p2m_start - l->v_start) / PG && l->p2m_pt_frames == 0);
        FUZZ_CHECK(l->used_pages == l->mapped_pages + (in->unmapped_initrd ? l->initrd_pages : 0));
    }
    FUZZ_CHECK(l->used_pages <= in->nr_pages);
    FUZZ_CHECK(l->start_info % PG == 0 && l->start_info + PG <= l->pt_start);
    if (in->domu_pages) {
        FUZZ_CHECK(l->xenstore == l->start_info + PG && l->console == l->xenstore + PG);
        FUZZ_CHECK(l->console + PG <= l->pt_start);
    } else {
        FUZZ_CHECK(l->xenstore == 0 && l->console == 0);
    }
    FUZZ_CHECK(l->pt_start % PG == 0 && l->pt_end == l->pt_start + l->nr_pt_frames * PG);
    FUZZ_CHECK(l->nr_pt_frames >= 1 + l->l3_frames + l->l2_frames + l->l1_frames);
    FUZZ_CHECK(l->stack_start == l->pt_end && l->stack_end == l->stack_start + PG);
    FUZZ_CHECK(l->stack_end + (512u << 10) <= l->v_end && l->v_end % (4u << 20) == 0);
    FUZZ_CHECK(l->v_start < l->v_end);
    FUZZ_CHECK(l->mapped_pages == (l->v_end - l->v_start) / PG && l->mapped_pages <= in->nr_pages);
    /* The tables map every 2 MiB, 1 GiB and 512 GiB block the region touches. */
    FUZZ_CHECK(l->l1_frames == ((l->v_end - 1) >> 21) - (l->v_start >> 21) + 1);
    FUZZ_CHECK(l->l2_frames == ((l->v_end - 1) >> 30) - (l->v_start >> 30) + 1);
    FUZZ_CHECK(l->l3_frames == ((l->v_end - 1) >> 39) - (l->v_start >> 39) + 1);
    /* Usable guest address space: one canonical half, outside the hole. */
    FUZZ_CHECK(va_ok(l->v_start) && va_ok(l->v_end - 1));
    FUZZ_CHECK((l->v_start >> 63) == ((l->v_end - 1) >> 63));
    FUZZ_CHECK(l->v_end <= HV_LOW || l->v_start >= HV_HIGH);
}

#endif

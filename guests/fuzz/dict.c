/* The dictionary: hostile integers, pointers, frame numbers, addresses and
 * page-table entries the generators draw their arguments from. */
#include "fuzz.h"

unsigned char fz_sink[(SINK_PAGES + 1) * 4096] __attribute__((aligned(4096)));
unsigned long fz_guard_va;
static unsigned sink_lo, sink_hi;   /* bump allocators: from the bottom, from the top */

void d_reset_sink(void)
{
    sink_lo = 0;
    sink_hi = FZ_SINK_SIZE;
}

static const uint64_t ints[] = {
    0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 513, 1023, 1024,
    4095, 4096, 4097, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000UL, 0x100000001UL, 0x7fffffffffffffffUL, 0x8000000000000000UL,
    0xfffffffffffffffeUL, 0xffffffffffffffffUL, 0xffffffff00000000UL, 0x00000000fffffffeUL,
};

uint64_t d_int(void)
{
    switch (fz_below(8)) {
    case 0: return fz_rand();
    case 1: return fz_below(64);
    case 2: return d_u32(fz_below(4096));
    default: return FZ_PICK(ints);
    }
}

uint64_t d_u32(uint64_t v)
{
    if (fz_chance(24))
        v |= fz_rand() << 32;
    return v;
}

uint64_t d_count(void)
{
    switch (fz_below(6)) {
    case 0: return FZ_PICK(ints);
    case 1: return d_u32(fz_below(16));
    default: return fz_below(8) + 1;
    }
}

static void fill_random(void *p, unsigned size)
{
    unsigned char *b = p;
    unsigned i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t v = fz_rand();
        g_memcpy(b + i, &v, 8);
    }
    for (; i < size; i++)
        b[i] = (unsigned char)fz_rand();
}

/* A sink buffer of `size` bytes with random contents (NULL when the sink is full). */
void *d_buf(unsigned size)
{
    unsigned at = (sink_lo + 15) & ~15u;
    if (size > FZ_SINK_SIZE || at + size > sink_hi)
        return 0;
    sink_lo = at + size;
    fill_random(fz_sink + at, size);
    return fz_sink + at;
}

/* A buffer ending exactly at the guard page: reading past it faults. Only
 * one a call (NULL after that): a second one would end at the first, and a
 * hypervisor write running off its end would land in the first one (in a
 * multicall, in a list of entries still to run: set_trap_table(NULL) made of
 * zeros, say). */
void *d_tail_buf(unsigned size)
{
    if (sink_hi != FZ_SINK_SIZE || size > sink_hi - sink_lo)
        return 0;
    sink_hi -= size;
    fill_random(fz_sink + sink_hi, size);
    return fz_sink + sink_hi;
}

/* Guest addresses that must not be mapped: checked each time (the fuzzer
 * may have mapped them), else a non-canonical address is used instead. */

static uint64_t unmapped_va(void)
{
    static const uint64_t cand[] = { 0x0000028000000000UL, 0x00007ffffffff000UL, 0x00007ffffffffff8UL,
                                     0x0000000000001000UL };
    uint64_t va = fz_below(2) ? FZ_PICK(cand) : fz_mem.prot_end + fz_below(64) * 8;
    return fz_va_unmapped(va) ? va : 0x0000800000000000UL;
}

uint64_t d_bad_ptr(void)
{
    static const uint64_t bad[] = {
        0, 1, 8, 0xfff, 0xffffffffffffffffUL, 0xfffffffffffffff8UL,
        0x0000800000000000UL, 0x8000000000000000UL, 0x00007fffffffffffUL,
        0xffff800000000000UL, 0xffff800000001000UL, 0xffff803ffffff000UL, 0xffff808000000000UL,
        0xffff810000100000UL, 0xffff818000000000UL, 0xffff830000000000UL, 0xffff87fffffff000UL,
        0xffff880000000000UL,
    };
    switch (fz_below(6)) {
    case 0: return 0xffff800000000000UL + (fz_rand() & 0x7fffffffff8UL);      /* hypervisor area */
    case 1: return unmapped_va();
    case 2: return guest_start_info->pt_base + (fz_below(guest_start_info->nr_pt_frames * 512) * 8); /* RO tables */
    case 3: return fz_guard_va + fz_below(4096);
    default: return FZ_PICK(bad);
    }
}

uint64_t d_ptr(unsigned size)
{
    if (fz_chance(200)) {
        unsigned char *b = d_buf(size + 8);     /* misaligned, and still `size` bytes of its own */
        if (b)
            return (uint64_t)b + (fz_chance(8) ? fz_below(8) : 0);
    }
    if (fz_chance(64)) {   /* runs into the guard page */
        unsigned char *b = d_tail_buf(size > 8 ? fz_below(size) + 1 : 4);
        if (b)
            return (uint64_t)b;
    }
    return d_bad_ptr();
}

uint64_t d_own_mfn(void)
{
    const struct fz_mem *m = &fz_mem;
    switch (fz_below(8)) {
    case 0: return m->cur_l4;
    case 1: return m->pt_mfn[fz_below(m->nr_pt)];
    case 2: return m->pg_l3;
    case 3: return fz_below(2) ? m->pg_l2 : m->pg_l1[fz_below(PG_L1S)];
    case 4:
        if (fz_nr_taken && !(fz_avoid & AVOID_DEC_MAPPED))
            return fz_taken[fz_below(fz_nr_taken)];
        __attribute__((fallthrough));
    default: return m->pool[fz_below(POOL_FRAMES)];
    }
}

static uint64_t d_mfn_raw(void);

/* With avoid=decrease-mapped, frames taken during the run are named only by
 * decrease_reservation lists: never mapped, so giving them back is clean. */
uint64_t d_mfn(void)
{
    uint64_t mfn = d_mfn_raw();
    if ((fz_avoid & AVOID_DEC_MAPPED) && fz_is_taken(mfn))
        mfn = fz_mem.pool[fz_below(POOL_FRAMES)];
    return mfn;
}

static uint64_t d_mfn_raw(void)
{
    const struct fz_mem *m = &fz_mem;
    switch (fz_below(12)) {
    case 0: case 1: case 2: case 3: return d_own_mfn();
    case 4: return mm_pfn_to_mfn(fz_below(m->boot_pfns));           /* image, p2m, stack, ... */
    case 5: return m->si_mfn;
    case 6: return fz_nr_freed ? fz_freed[fz_below(fz_nr_freed)] : 0;
    case 7: return m->hv_mfn[fz_below(m->nr_hv_mfn)] + fz_below(4);
    case 8: return fz_below(m->max_ram_page + 16);
    case 9: return m->max_ram_page - 1 + fz_below(3);
    default: return d_int();
    }
}

uint64_t d_va(void)
{
    switch (fz_below(8)) {
    case 0: case 1: case 2: return PG_BASE + fz_below(512 * PG_L1S) * 4096 + (fz_chance(16) ? fz_below(4096) : 0);
    case 3: return fz_mem.vbase + fz_below(fz_mem.boot_pfns) * 4096;   /* protected: the generator redirects */
    case 4: return PG_BASE + fz_rand() % (1UL << 39);
    default: return d_bad_ptr();
    }
}

uint64_t d_pte(void)
{
    static const uint64_t flags[] = {
        MM_P, MM_P | MM_RW, MM_P | MM_US, MM_RO_FLAGS, MM_RW_FLAGS, MM_TABLE_FLAGS, MM_RW_FLAGS | MM_NX,
        MM_RO_FLAGS | MM_PCD, MM_RO_FLAGS | MM_PWT, MM_RO_FLAGS | MM_PS, MM_RO_FLAGS | MM_G, 0, MM_RW,
        MM_RO_FLAGS | (1UL << 52), MM_RO_FLAGS | (1UL << 62), MM_RO_FLAGS | 0xe00,
    };
    switch (fz_below(8)) {
    case 0: return d_int();
    case 1: return 0;
    default: return mm_pte(d_mfn(), FZ_PICK(flags)) | (fz_chance(16) ? (fz_rand() & 0xfff) : 0);
    }
}

uint64_t d_domid(void)
{
    static const uint64_t ids[] = { 0, DOMID_SELF, DOMID_SELF, DOMID_SELF, DOMID_IO, DOMID_XEN, DOMID_COW,
                                    DOMID_INVALID, 1, 2, 0x7fef, 0xffff, 0x10000, 0x7ff0 | 0x10000 };
    return fz_chance(16) ? d_int() : FZ_PICK(ids);
}

uint64_t d_deadline(void)
{
    static const uint64_t far[] = { 0x7fffffffffffffffUL, 0x8000000000000000UL, 0xffffffffffffffffUL,
                                    0x7ffffffffffff000UL, 1UL << 62, (1UL << 63) - 1000000 };
    uint64_t v;
    switch (fz_below(10)) {
    case 0: return 0;
    case 1: return 1;
    case 2: v = FZ_PICK(far); break;
    case 3: v = pv_now() + (1UL << 50) + fz_below(1000); break;
    case 4: v = fz_rand(); break;
    default: return pv_now() + 100000 + fz_below(3000000);
    }
    if ((fz_avoid & AVOID_TIMER_FAR) && v >= (1UL << 62))
        v = pv_now() + 1000000;
    return v;
}

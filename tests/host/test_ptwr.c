/* Tests for hv/mm/ptwr.c (with hv/mm/pv_mm_pte.c and the real page-type
 * core): which faulting writes are writes to an L1 of the domain's own, and
 * applying one entry as mmu_update does, cmpxchg included. A fake machine
 * of a few dozen frames, two domains. */
#include <stdbool.h>
#include <stdint.h>

#include "mm/ptwr.h"
#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "errno.h"
#include "test.h"

#define NFRAMES 64
#define D1      1          /* frames [8, 48) */
#define D2      2          /* frames [48, 64) */

struct page_info *frame_table;
uint64_t frame_table_frames;

static struct page_info ft[NFRAMES];
static uint64_t mem[NFRAMES][PT_ENTRIES];
static uint32_t release_heads[4];
static bool env_error;

uint64_t *frame_map(uint64_t mfn)
{
    if (mfn >= NFRAMES) {
        env_error = true;
        return mem[0];
    }
    return mem[mfn];
}
uint64_t mm_hv_l4_entry(unsigned slot) { return (((uint64_t)0x1000 + slot) << 12) | PTE_P | PTE_RW | PTE_A; }
void mm_page_released(uint64_t mfn) { (void)mfn; env_error = true; }  /* nothing is freed here */
void mm_tlb_flush(void) {}
void mm_scrub_frame(uint64_t mfn) { memset(mem[mfn], 0, sizeof(mem[0])); }
uint32_t *mm_release_list(domid_t d) { return &release_heads[d & 3]; }
bool mm_linear_pt_enabled(void) { return true; }

static uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << PAGE_SHIFT) | flags; }

#define TBL (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define RW  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define RO  (PTE_P | PTE_US | PTE_A)

/* Domain 1's address space: L4 10 -> L3 11 -> L2 12 -> L1 13 (slot 0 of
 * each; the L4 pinned). L1 13 maps, at the VA slot << 12: 0 data frame 20
 * writable, 1 itself read-only, 2 the L2 read-only, 3 data frame 21
 * read-only, 5 the L1 14 read-only (pinned on its own, hooked nowhere). */
#define L4 10
#define L3 11
#define L2 12
#define L1 13
#define L1P 14
#define DATA 20
#define DATA2 21

static void reset(void)
{
    memset(mem, 0, sizeof(mem));
    memset(release_heads, 0, sizeof(release_heads));
    frame_table = ft;
    frame_table_frames = NFRAMES;
    for (unsigned m = 0; m < NFRAMES; m++)
        ft[m] = m < 8 ? (struct page_info){ .owner = OWNER_XEN }
                      : (struct page_info){ .owner = m < 48 ? D1 : D2, .count = 1, .flags = PGF_ALLOCATED };
    pt_work = 0;
    pt_work_limit = UINT32_MAX;
    env_error = false;
    mem[L4][0] = pte(L3, TBL);
    mem[L3][0] = pte(L2, TBL);
    mem[L2][0] = pte(L1, TBL);
    mem[L1][0] = pte(DATA, RW);
    mem[L1][1] = pte(L1, RO);
    mem[L1][2] = pte(L2, RO);
    mem[L1][3] = pte(DATA2, RO);
    mem[L1][5] = pte(L1P, RO);
    CHECK_EQ(pt_pin(L1P, D1, PGT_L1), 0);
    CHECK_EQ(pt_pin(L4, D1, PGT_L4), 0);
    CHECK(!env_error);
}

static uint64_t va(unsigned slot, unsigned off) { return ((uint64_t)slot << 12) + off; }

static void test_target(void)
{
    uint64_t l1 = 0;

    reset();
    CHECK(ptwr_target(D1, L4, va(1, 0x18), &l1) == 0 && l1 == L1);   /* the L1 itself, reachable */
    CHECK(ptwr_target(D1, L4, va(5, 0), &l1) == 0 && l1 == L1P);     /* pinned, hooked nowhere */
    CHECK(ptwr_target(D1, L4, va(0, 0), &l1) != 0);                  /* a writable data page */
    CHECK(ptwr_target(D1, L4, va(3, 0), &l1) != 0);                  /* a read-only data page */
    CHECK(ptwr_target(D1, L4, va(2, 0), &l1) != 0);                  /* the L2: only L1s */
    CHECK(ptwr_target(D1, L4, va(9, 0), &l1) != 0);                  /* not present */
    CHECK(ptwr_target(D1, L4, (uint64_t)1 << 30, &l1) != 0);         /* no L2 there */
    CHECK(ptwr_target(D1, 0, va(1, 0), &l1) != 0);                   /* no L4 */
    CHECK(ptwr_target(D2, L4, va(1, 0), &l1) != 0);                  /* another domain's L1 */
    /* Once unpinned, L1 14 is no table: the same write is the guest's fault. */
    CHECK_EQ(pt_unpin(L1P, D1), 0);
    CHECK(ptwr_target(D1, L4, va(5, 0), &l1) != 0);
    CHECK(!env_error);
}

static void test_update(void)
{
    uint64_t found = 0, before;
    bool flush = false;

    reset();
    /* A new present entry: its references are taken. */
    uint32_t c = ft[DATA2].count;
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(DATA2, RW), false, 0, &found, &flush), 0);
    CHECK(mem[L1][7] == pte(DATA2, RW) && ft[DATA2].count == c + 1 && ft[DATA2].type == PGT_WRITABLE);
    CHECK(!flush);                                     /* nothing was present there */
    /* Re-pointing a present entry asks for a flush, drops the old reference. */
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(DATA, RO), false, 0, &found, &flush), 0);
    CHECK(flush && ft[DATA2].count == c && ft[DATA2].type_count == 0);
    /* Refused as mmu_update refuses them, nothing changed. */
    before = mem[L1][7];
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(L2, RW), false, 0, &found, &flush), -XEN_EBUSY);  /* a table, writable */
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(50, RO), false, 0, &found, &flush), -XEN_EBUSY);  /* domain 2's frame */
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(3, RO), false, 0, &found, &flush), -XEN_EBUSY);   /* the hypervisor's */
    CHECK(mem[L1][7] == before);
    /* cmpxchg: equal -> written; different -> the current value, nothing
     * written, and the new value not even looked at. */
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(DATA2, RO), true, before, &found, &flush), 0);
    CHECK(mem[L1][7] == pte(DATA2, RO));
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(DATA, RO), true, before, &found, &flush), 1);
    CHECK(found == pte(DATA2, RO) && mem[L1][7] == pte(DATA2, RO));
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(L2, RW), true, 0, &found, &flush), 1);
    CHECK(found == pte(DATA2, RO));
    CHECK_EQ(ptwr_update(D1, L1, 7, pte(L2, RW), true, pte(DATA2, RO), &found, &flush), -XEN_EBUSY);
    CHECK_EQ(ptwr_read(L1, 7), pte(DATA2, RO));
    /* Clearing. */
    CHECK_EQ(ptwr_update(D1, L1, 7, 0, false, 0, &found, &flush), 0);
    CHECK(mem[L1][7] == 0 && ft[DATA2].count == c);
    /* Not a validated L1 of the domain: refused by pt_mod_entry. */
    CHECK_EQ(ptwr_update(D2, L1, 7, pte(DATA2, RO), false, 0, &found, &flush), -XEN_EINVAL);
    CHECK_EQ(ptwr_update(D1, DATA, 7, pte(DATA2, RO), false, 0, &found, &flush), -XEN_EINVAL);
    CHECK(!env_error);
}

int main(void)
{
    RUN_TEST(test_target);
    RUN_TEST(test_update);
    return test_main_result();
}

/* The hypervisor's own address space. Boot code left us on 2 MiB identity
 * tables covering 4 GiB; here we build the final tables: the image mapped with
 * per-section rights (text RX, rodata R, data RW+NX), the direct map of RAM
 * (RW, NX, large pages) and the empty slots for the machine-to-phys table. */
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "mm/mm.h"
#include "lib/string.h"

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

static uint64_t *idle_l4;
static uint64_t nx_bit;

int paging_nx_supported(void) { return nx_bit != 0; }

int paging_directmap_live;

void *phys_to_virt_boot(uint64_t pa)
{
    if (pa >= (4ull << 30))
        panic("phys_to_virt(%#llx) before the direct map exists", (unsigned long long)pa);
    return (void *)(HV_IMAGE_VIRT + pa);        /* the boot tables map 4 GiB here */
}

uint64_t image_virt_to_phys(const void *va)
{
    return (uint64_t)va - HV_IMAGE_VIRT;
}

static uint64_t *alloc_table(void)
{
    /* Below 4 GiB so the table is reachable before the direct map is live. */
    uint64_t mfn = mm_alloc_frames_contig(1, (4ull << 30) >> PAGE_SHIFT);
    uint64_t *t;

    if (mfn == INVALID_MFN)
        panic("out of memory for the hypervisor's page tables");
    t = mfn_to_virt(mfn);
    memset(t, 0, PAGE_SIZE);
    return t;
}

static uint64_t table_pa(const uint64_t *t)
{
    if (paging_directmap_live)
        return (uint64_t)t - HV_DIRECTMAP_VIRT;
    return (uint64_t)t - HV_IMAGE_VIRT;
}

/* The table one level down from entry e, created if absent. Intermediate
 * entries are permissive; the leaf decides the rights. */
static uint64_t *next_level(uint64_t *e, uint64_t user)
{
    if (!(*e & PTE_P)) {
        uint64_t *t = alloc_table();
        *e = table_pa(t) | PTE_P | PTE_RW | user;
    }
    return phys_to_virt(*e & PTE_ADDR_MASK);
}

static void map_one(uint64_t va, uint64_t pa, uint64_t flags, unsigned level_pages)
{
    uint64_t user = flags & PTE_US;
    uint64_t *l3 = next_level(&idle_l4[L4_INDEX(va)], user);
    uint64_t *l2, *l1;

    if (level_pages == 3) { l3[L3_INDEX(va)] = pa | flags | PTE_PS; return; }
    l2 = next_level(&l3[L3_INDEX(va)], user);
    if (level_pages == 2) { l2[L2_INDEX(va)] = pa | flags | PTE_PS; return; }
    l1 = next_level(&l2[L2_INDEX(va)], user);
    l1[L1_INDEX(va)] = pa | flags;
}

void paging_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        map_one(va + off, pa + off, flags, 1);
    for (uint64_t off = 0; off < size && paging_directmap_live; off += PAGE_SIZE)
        invlpg(va + off);
}

void paging_prepare(uint64_t va, uint64_t size)
{
    for (uint64_t a = va; a < va + size; a += 1ull << 21) {
        uint64_t *l3 = next_level(&idle_l4[L4_INDEX(a)], 0);
        next_level(&next_level(&l3[L3_INDEX(a)], 0)[L2_INDEX(a)], 0);
    }
}

void paging_unmap(uint64_t va, uint64_t size)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        uint64_t a = va + off;
        uint64_t *l3 = phys_to_virt(idle_l4[L4_INDEX(a)] & PTE_ADDR_MASK);
        uint64_t *l2, *l1;
        if (!(l3[L3_INDEX(a)] & PTE_P))
            continue;
        l2 = phys_to_virt(l3[L3_INDEX(a)] & PTE_ADDR_MASK);
        if (!(l2[L2_INDEX(a)] & PTE_P) || (l2[L2_INDEX(a)] & PTE_PS))
            continue;
        l1 = phys_to_virt(l2[L2_INDEX(a)] & PTE_ADDR_MASK);
        l1[L1_INDEX(a)] = 0;
        invlpg(a);
    }
}

/* Direct map of [pa, pa+len) with the largest pages alignment allows. */
static void map_direct(uint64_t pa, uint64_t len, int gb_pages)
{
    uint64_t end = pa + len;
    uint64_t flags = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G | nx_bit;

    pa &= ~(uint64_t)(PAGE_SIZE - 1);
    while (pa < end) {
        uint64_t va = HV_DIRECTMAP_VIRT + pa;
        if (gb_pages && !(pa & ((1ull << 30) - 1)) && end - pa >= (1ull << 30)) {
            map_one(va, pa, flags, 3);
            pa += 1ull << 30;
        } else if (!(pa & ((1ull << 21) - 1)) && end - pa >= (1ull << 21)) {
            map_one(va, pa, flags, 2);
            pa += 1ull << 21;
        } else {
            map_one(va, pa, flags, 1);
            pa += PAGE_SIZE;
        }
    }
}

void paging_init(const struct boot_info *bi)
{
    uint32_t a, b, c, d;
    int gb_pages;
    uint64_t text = (uint64_t)__image_start, text_end = (uint64_t)__text_end;
    uint64_t ro_end = (uint64_t)__rodata_end, img_end = (uint64_t)__image_end;

    cpuid_count(0x80000001, 0, &a, &b, &c, &d);
    nx_bit = (d & (1u << 20)) ? PTE_NX : 0;
    gb_pages = (d >> 26) & 1;

    idle_l4 = alloc_table();
    /* Pre-create the L3 tables of every hypervisor slot, so guest L4s that
     * copy slots 256..271 see later additions (such as the M2P). */
    for (unsigned s = HV_L4_FIRST_SLOT; s <= HV_L4_LAST_SLOT; s++) {
        uint64_t user = s == HV_L4_RO_MPT_SLOT ? PTE_US : 0;
        next_level(&idle_l4[s], user);
    }

    paging_map(text, image_virt_to_phys((void *)text), text_end - text, PTE_P | PTE_G);
    paging_map(text_end, image_virt_to_phys((void *)text_end), ro_end - text_end, PTE_P | PTE_G | nx_bit);
    paging_map(ro_end, image_virt_to_phys((void *)ro_end), img_end - ro_end,
               PTE_P | PTE_RW | PTE_G | nx_bit);

    for (unsigned i = 0; i < bi->nr_mem; i++) {
        const struct boot_mem_range *r = &bi->mem[i];
        if (r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_ACPI || r->type == BOOT_MEM_NVS)
            map_direct(r->base, r->len, gb_pages);
    }

    write_cr3(table_pa(idle_l4));
    write_cr4(read_cr4() | CR4_PGE);
    idle_l4 = (uint64_t *)(HV_DIRECTMAP_VIRT + table_pa(idle_l4));
    paging_directmap_live = 1;
}

const void *paging_map_phys(uint64_t pa, uint64_t len)
{
    static uint64_t next = HV_FWMAP_VIRT;
    uint64_t first = pa & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t size = ((pa + len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) - first;
    uint64_t va = next;

    if (len == 0 || pa + len < pa || size > HV_FWMAP_VIRT + HV_FWMAP_SIZE - next)
        return 0;
    paging_map(va, first, size, PTE_P | PTE_A | nx_bit);
    next += size;
    return (const void *)(va + (pa - first));
}

uint64_t paging_hv_l4_entry(unsigned slot)
{
    return idle_l4[slot];
}

uint64_t paging_idle_cr3(void)
{
    return table_pa(idle_l4);
}

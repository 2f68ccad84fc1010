/* The GDT holds, in its reserved page at selector 0xe000 and up, the
 * hypervisor's own descriptors and the flat ring-3 descriptors that the x86_64
 * PV ABI promises every guest (FLAT_RING3_*). Entries below 0xe000 belong to
 * the running vCPU's own GDT frames (set_gdt). Once paging is up the CPU
 * reads the GDT through a window: 14 pages that map the running vCPU's GDT
 * frames (or null pages), then the reserved page. */
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

#define GDT_ENTRIES ((GDT_LIMIT + 1) / 8)

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(4096)));
static struct tss tss __attribute__((aligned(64)));
static uint8_t hv_stack[HV_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist_stacks[4][HV_IST_STACK_SIZE] __attribute__((aligned(16)));

extern uint64_t syscall_stack_top;

/* access byte: P | DPL | S | type; flags nibble: G | D/B | L */
static uint64_t seg_desc(uint8_t access, uint8_t flags)
{
    return 0xFFFFull | ((uint64_t)access << 40) | (0xFull << 48) | ((uint64_t)flags << 52);
}

uint64_t cpu_stack_top(void)
{
    return (uint64_t)(hv_stack + sizeof(hv_stack));
}

void gdt_init(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr;

    memset(gdt, 0, sizeof(gdt));
    gdt[GDT_HV_CS >> 3]        = seg_desc(0x9A, 0xA);   /* 64-bit code, DPL 0 */
    gdt[GDT_HV_DS >> 3]        = seg_desc(0x92, 0xC);   /* data, DPL 0 */
    gdt[GDT_RING3_CS32 >> 3]   = seg_desc(0xFA, 0xC);   /* 32-bit code, DPL 3 */
    gdt[GDT_RING3_DS >> 3]     = seg_desc(0xF2, 0xC);   /* data, DPL 3 */
    gdt[GDT_RING3_CS64 >> 3]   = seg_desc(0xFA, 0xA);   /* 64-bit code, DPL 3 */
    gdt[GDT_TSS >> 3]          = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                                 (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[(GDT_TSS >> 3) + 1]    = base >> 32;

    memset(&tss, 0, sizeof(tss));
    tss.rsp[0] = cpu_stack_top();
    tss.ist[IST_DF - 1] = (uint64_t)(ist_stacks[0] + HV_IST_STACK_SIZE);
    tss.ist[IST_NMI - 1] = (uint64_t)(ist_stacks[1] + HV_IST_STACK_SIZE);
    tss.ist[IST_MC - 1] = (uint64_t)(ist_stacks[2] + HV_IST_STACK_SIZE);
    tss.ist[IST_DB - 1] = (uint64_t)(ist_stacks[3] + HV_IST_STACK_SIZE);
    tss.iomap_base = sizeof(tss);       /* no I/O bitmap: all ports refused at CPL 3 */
    syscall_stack_top = tss.rsp[0];

    ptr.limit = sizeof(gdt) - 1;
    ptr.base = (uint64_t)gdt;
    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\t"
        "mov %1, %%es\n\t"
        "mov %1, %%ss\n\t"
        "pushq %2\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "ltr %w3\n\t"
        :: "m"(ptr), "r"((uint64_t)GDT_HV_DS), "i"(GDT_HV_CS), "r"(GDT_TSS)
        : "rax", "memory");
}

/* Point the LDT descriptor at [base, base + limit] and load it; limit 0 and
 * base 0 load the null LDT. */
static bool null_ldt_loaded;               /* the CPU's LDTR holds the null selector */

void gdt_load_ldt(uint64_t base, uint32_t limit)
{
    if (!base) {
        /* Most vCPUs have no LDT: a switch between two of them loads
         * nothing (lldt is a slow helper under TCG, ~2000 cycles). */
        if (!null_ldt_loaded)
            __asm__ volatile("lldt %w0" :: "r"(0));
        null_ldt_loaded = true;
        return;
    }
    null_ldt_loaded = false;
    gdt[GDT_LDT >> 3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x82ull << 40) |
                        ((uint64_t)((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[(GDT_LDT >> 3) + 1] = base >> 32;
    __asm__ volatile("lldt %w0" :: "r"(GDT_LDT) : "memory");
}

static void load_gdtr(uint64_t base)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr = { GDT_LIMIT, base };

    __asm__ volatile("lgdt %0" :: "m"(ptr));
}

/* Window page i: a guest frame, or the (null) page i of the static table. */
static void map_gdt_page(unsigned i, uint64_t mfn)
{
    uint64_t pa = mfn ? mfn << PAGE_SHIFT : image_virt_to_phys((uint8_t *)gdt + (uint64_t)i * PAGE_SIZE);

    paging_map(HV_GDT_VIRT + (uint64_t)i * PAGE_SIZE, pa, PAGE_SIZE,
               PTE_P | PTE_RW | PTE_A | PTE_D | (paging_nx_supported() ? PTE_NX : 0));
}

void gdt_use_window(void)
{
    for (unsigned i = 0; i <= GDT_GUEST_PAGES; i++)
        map_gdt_page(i, 0);
    load_gdtr(HV_GDT_VIRT);
}

void gdt_load_guest_frames(const uint64_t *mfns, unsigned n)
{
    static uint64_t shown[GDT_GUEST_PAGES];

    for (unsigned i = 0; i < GDT_GUEST_PAGES; i++) {
        uint64_t want = i < n ? mfns[i] : 0;
        if (shown[i] != want) {
            map_gdt_page(i, want);
            shown[i] = want;
        }
    }
}

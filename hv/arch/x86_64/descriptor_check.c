/* Checking guest segment descriptors (descriptor_check.h): a guest kernel
 * runs in ring 3, so its code and data segments are made ring-3 ones; a
 * call gate is kept but made unusable by the CPU (DPL 0), every other gate
 * or system segment would let it reach a more privileged ring. */
#include "arch/x86_64/descriptor_check.h"
#include "xen.h"

#define DESC_P          (1ull << 47)
#define DESC_DPL        (3ull << 45)
#define DESC_S          (1ull << 44)        /* code/data (1) or system (0) */
#define DESC_TYPE       (0xFull << 40)
#define TYPE_CALL_GATE  (0xCull << 40)      /* 64-bit call gate */
#define GATE_RESERVED   (0xFFull << 32)     /* the IST / parameter-count byte */
#define GATE_SEL_SHIFT  16

/* The code selector a gate may name: one of the guest's own GDT entries,
 * the flat kernel code selector, or any LDT entry. */
static bool gate_target_ok(uint16_t sel)
{
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == FLAT_KERNEL_CS || (sel & 4);
}

static bool call_gate_fixup(uint64_t *d)
{
    uint64_t v = *d;
    uint16_t sel = (uint16_t)(v >> GATE_SEL_SHIFT);

    if (!gate_target_ok(sel) || (v & GATE_RESERVED))
        return false;
    /* The guest's DPL (always 3 once raised: the kernel is in ring 3 as
     * well) is recorded in the target selector's RPL; the gate itself gets
     * DPL 0, so every far call or jmp through it faults with #GP(gate). */
    sel |= 3;
    v &= ~(DESC_DPL | (0xFFFFull << GATE_SEL_SHIFT));
    *d = v | ((uint64_t)sel << GATE_SEL_SHIFT);
    return true;
}

bool descriptor_fixup_for_guest(uint64_t *d)
{
    uint64_t v = *d;

    if (!(v & DESC_P))
        return true;
    if (v & DESC_S) {
        *d = v | DESC_DPL;              /* DPL 3 whatever it was: the only ring the guest has */
        return true;
    }
    if ((v & DESC_TYPE) == 0)           /* the upper half of a gate */
        return true;
    if ((v & DESC_TYPE) == TYPE_CALL_GATE)
        return call_gate_fixup(d);
    return false;                       /* TSS, LDT, interrupt and trap gates */
}

bool descriptor_page_fixup(uint64_t *page, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        if (!descriptor_fixup_for_guest(&page[i]))
            return false;
    return true;
}

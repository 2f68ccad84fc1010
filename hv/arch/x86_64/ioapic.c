/* Programming one redirection entry of an I/O APIC. Its registers are
 * reached through an index (IOREGSEL, offset 0) and a window (IOWIN, offset
 * 0x10); entry n is the pair of 32-bit registers 0x10 + 2n (vector, delivery,
 * polarity, trigger, mask) and 0x11 + 2n (destination APIC id in the top
 * byte). */
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/page.h"
#include "core/log.h"

#define IOAPIC_VER 0x01
#define IOAPIC_REDIR(n) (0x10 + 2 * (n))
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)
#define REDIR_MASKED (1u << 16)

static volatile uint32_t *regs;

static uint32_t ioapic_read(unsigned reg)
{
    regs[0] = reg;
    return regs[4];
}

static void ioapic_write(unsigned reg, uint32_t v)
{
    regs[0] = reg;
    regs[4] = v;
}

bool ioapic_route_isa_irq(const uint8_t *rsdp, unsigned rsdp_len, unsigned isa_irq, unsigned vector)
{
    struct acpi_isa_irq w;
    unsigned pin, pins;
    uint32_t lo;

    if (!apic_info.present) {
        log_warn("I/O APIC: no local APIC to deliver IRQ %u to\n", isa_irq);
        return false;
    }
    if (!acpi_find_isa_irq(0, rsdp, rsdp_len, isa_irq, &w)) {
        log_warn("I/O APIC: the firmware's MADT names none for IRQ %u\n", isa_irq);
        return false;
    }
    if (!regs) {
        paging_map(HV_IOAPIC_VIRT, w.ioapic_pa & ~(uint64_t)(PAGE_SIZE - 1), PAGE_SIZE,
                   PTE_P | PTE_RW | PTE_PCD | PTE_PWT | PTE_A | PTE_D | PTE_G |
                   (paging_nx_supported() ? PTE_NX : 0));
        regs = (volatile uint32_t *)(HV_IOAPIC_VIRT + (w.ioapic_pa & (PAGE_SIZE - 1)));
    }
    pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
    pin = w.gsi - w.ioapic_gsi_base;
    if (pin >= pins) {
        log_warn("I/O APIC: GSI %u of IRQ %u is past its %u inputs\n", w.gsi, isa_irq, pins);
        return false;
    }
    lo = vector | (w.active_low ? REDIR_ACTIVE_LOW : 0) | (w.level ? REDIR_LEVEL : 0);
    /* Masked while the destination is written, then unmasked: fixed
     * delivery, physical destination (the boot CPU). */
    ioapic_write(IOAPIC_REDIR(pin), lo | REDIR_MASKED);
    ioapic_write(IOAPIC_REDIR(pin) + 1, (apic_info.id & 0xff) << 24);
    ioapic_write(IOAPIC_REDIR(pin), lo);
    log_info("I/O APIC at %#llx: IRQ %u (GSI %u, %s, %s) to vector %#x\n",
             (unsigned long long)w.ioapic_pa, isa_irq, w.gsi, w.active_low ? "active low" : "active high",
             w.level ? "level" : "edge", vector);
    return true;
}

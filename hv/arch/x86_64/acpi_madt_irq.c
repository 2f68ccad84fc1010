/* Where an ISA interrupt (IRQ 0-15) arrives, from a MADT: the I/O APIC
 * entries (type 1: id, reserved, 32-bit register address, 32-bit first GSI)
 * say which I/O APIC serves which global system interrupts (GSIs), and the
 * interrupt source overrides (type 2: bus 0 = ISA, source IRQ, 32-bit GSI,
 * 16-bit MPS flags) say where an ISA IRQ is not wired to the GSI of its own
 * number, or not as ISA's active-high edge. Pure, host-tested, every length
 * checked: the table comes from firmware. */
#include "arch/x86_64/acpi.h"

#define MADT_HEADER 44
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MPS_POLARITY_MASK 0x3u
#define MPS_POLARITY_LOW 0x3u
#define MPS_TRIGGER_MASK 0xCu
#define MPS_TRIGGER_LEVEL 0xCu

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool acpi_madt_isa_irq(const uint8_t *madt, uint64_t len, unsigned irq, struct acpi_isa_irq *out)
{
    bool found_ioapic = false;

    *out = (struct acpi_isa_irq){ .gsi = irq };
    /* The override first: it decides the GSI whose I/O APIC is wanted. */
    for (uint64_t off = MADT_HEADER; off + 2 <= len; off += madt[off + 1]) {
        uint8_t type = madt[off], elen = madt[off + 1];
        if (elen < 2 || off + elen > len)
            break;
        if (type == MADT_OVERRIDE && elen >= 10 && madt[off + 2] == 0 && madt[off + 3] == irq) {
            unsigned flags = madt[off + 8] | (unsigned)madt[off + 9] << 8;
            out->gsi = le32(madt + off + 4);
            out->active_low = (flags & MPS_POLARITY_MASK) == MPS_POLARITY_LOW;
            out->level = (flags & MPS_TRIGGER_MASK) == MPS_TRIGGER_LEVEL;
        }
    }
    /* The I/O APIC with the highest first GSI at or below it (the number of
     * its inputs is in its own registers, read when it is programmed). */
    for (uint64_t off = MADT_HEADER; off + 2 <= len; off += madt[off + 1]) {
        uint8_t type = madt[off], elen = madt[off + 1];
        if (elen < 2 || off + elen > len)
            break;
        if (type == MADT_IOAPIC && elen >= 12) {
            uint32_t base = le32(madt + off + 8);
            if (base <= out->gsi && (!found_ioapic || base > out->ioapic_gsi_base)) {
                out->ioapic_pa = le32(madt + off + 4);
                out->ioapic_gsi_base = base;
                found_ioapic = true;
            }
        }
    }
    return found_ioapic && out->ioapic_pa != 0;
}

/* Counting the processors of a MADT (ACPI's "APIC" table): the entries
 * after the 44-byte header (36 of the common header, the local APIC address
 * and flags) are type, length, body. Local APIC (type 0) and local x2APIC
 * (type 9) entries name a processor; flags bit 0 says it is enabled, bit 1
 * (ACPI 6.3) that it can be brought online later. Pure, host-tested: the
 * table comes from firmware and is read with every length checked. */
#include "arch/x86_64/acpi.h"

#define MADT_HEADER 44
#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define CPU_ENABLED 1u
#define CPU_ONLINE_CAPABLE 2u

unsigned acpi_madt_count_cpus(const uint8_t *madt, uint64_t len)
{
    unsigned n = 0;

    for (uint64_t off = MADT_HEADER; off + 2 <= len; off += madt[off + 1]) {
        uint8_t type = madt[off], elen = madt[off + 1];
        uint32_t flags;

        if (elen < 2 || off + elen > len)
            break;
        if (type == MADT_LAPIC && elen >= 8)
            flags = madt[off + 4] | (uint32_t)madt[off + 5] << 8 | (uint32_t)madt[off + 6] << 16 |
                    (uint32_t)madt[off + 7] << 24;
        else if (type == MADT_X2APIC && elen >= 16)
            flags = madt[off + 8] | (uint32_t)madt[off + 9] << 8 | (uint32_t)madt[off + 10] << 16 |
                    (uint32_t)madt[off + 11] << 24;
        else
            continue;
        if (flags & (CPU_ENABLED | CPU_ONLINE_CAPABLE))
            n++;
    }
    return n;
}

/* libFuzzer harness: the ACPI table walk (hv/arch/x86_64/acpi.c): RSDP,
 * RSDT/XSDT, FADT and DSDT, down to acpi_parse_s5(), and the MADT (acpi_count_cpus).
 *
 * Input: u8 flags (bits 0-6: copy_len, taken modulo 37; bit 7: fix the
 * checksums), 36 bytes of RSDP copy, then physical memory from 0xE0000
 * (the BIOS area the RSDP search scans), padded with zeros to at least
 * 128 KiB. Firmware tables always carry valid checksums, which random
 * mutation cannot keep: with bit 7 the harness sets the checksum byte of
 * every table it finds (RSDP, RSDT, XSDT, FACP, DSDT, APIC signatures) so
 * that mutated lengths and fields get past the checksum test. The hypervisor calls
 * acpi_read_power(0, copy, len) with the RSDP a Multiboot 2 loader passed
 * (0 to 36 bytes, see hv/boot/mb2.c) or none; the copy given here is an
 * exact-size heap block, and paging_map_phys() hands out exact-size copies
 * of memory and refuses what lies outside it, so over-reads are caught. */
#include <stdbool.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/page.h"
#include "fuzz.h"

#define BIOS_BASE 0xE0000u
#define BIOS_SIZE 0x20000u
#define HDR 37

static uint8_t *mem;
static size_t mem_cap;

const void *paging_map_phys(uint64_t pa, uint64_t len)
{
    if (len == 0 || pa < BIOS_BASE)
        return NULL;
    return phys_map(pa - BIOS_BASE, len);
}

static void fix_checksum(uint8_t *t, uint64_t len, unsigned at)
{
    uint8_t sum = 0;

    t[at] = 0;
    for (uint64_t i = 0; i < len; i++)
        sum += t[i];
    t[at] = (uint8_t)-sum;
}

static void fix_checksums(uint8_t *m, size_t size)
{
    static const char *const sigs[] = { "RSDT", "XSDT", "FACP", "DSDT", "APIC" };

    for (size_t off = 0; off + 36 <= size; off++) {
        if (off % 16 == 0 && !memcmp(m + off, "RSD PTR ", 8)) {
            fix_checksum(m + off, 20, 8);
            continue;
        }
        for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
            uint32_t len = fuzz_rd32(m + off + 4);

            if (!memcmp(m + off, sigs[i], 4) && len >= 36 && len <= size - off)
                fix_checksum(m + off, len, 9);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct acpi_power p;
    unsigned copy_len;
    uint8_t *copy;
    size_t mem_size;
    bool ok;

    if (size < HDR)
        return 0;
    copy_len = (data[0] & 0x7f) % 37;
    mem_size = size - HDR < BIOS_SIZE ? BIOS_SIZE : size - HDR;
    if (mem_size > mem_cap) {
        free(mem);
        mem = malloc(mem_size);
        if (!mem)
            abort();
        mem_cap = mem_size;
    }
    memcpy(mem, data + HDR, size - HDR);
    memset(mem + (size - HDR), 0, mem_size - (size - HDR));
    if (data[0] & 0x80)
        fix_checksums(mem, size - HDR);
    phys_set(mem, mem_size);

    copy = copy_len ? malloc(copy_len) : NULL;
    if (copy_len)
        memcpy(copy, data + 1, copy_len);
    ok = acpi_read_power(0, copy, copy_len, &p);
    FUZZ_CHECK(!ok || p.pm1a_cnt != 0);
    /* The same tables for a MADT: never more CPUs than 2-byte entries fit. */
    FUZZ_CHECK(acpi_count_cpus(0, copy, copy_len) <= mem_size / 2);
    /* And where the serial line's IRQ 4 is wired (the I/O APIC's GSI range,
     * the overrides): any answer names a GSI the found I/O APIC serves. */
    struct acpi_isa_irq irq;
    if (acpi_find_isa_irq(0, copy, copy_len, 4, &irq))
        FUZZ_CHECK(irq.gsi >= irq.ioapic_gsi_base);
    /* The MADT reader alone, on the raw bytes as a table. */
    if (acpi_madt_isa_irq(data + HDR, size - HDR, data[1] & 15, &irq))
        FUZZ_CHECK(irq.gsi >= irq.ioapic_gsi_base);
    free(copy);
    phys_reset();
    return 0;
}

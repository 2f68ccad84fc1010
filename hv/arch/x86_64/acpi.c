/* ACPI tables, read just far enough to power off and reset. */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/page.h"
#include "lib/string.h"
#include "core/log.h"

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));

static bool checksum_ok(const void *p, uint64_t len)
{
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

static const struct sdt_header *map_table(uint64_t pa)
{
    const struct sdt_header *h = paging_map_phys(pa, sizeof(*h));

    if (!h || h->length < sizeof(*h) || h->length > (16u << 20))
        return 0;
    h = paging_map_phys(pa, h->length);
    return h && checksum_ok(h, h->length) ? h : 0;
}

static uint64_t find_rsdp_in_bios(void)
{
    const uint8_t *bios = paging_map_phys(0xE0000, 0x20000);

    for (uint64_t off = 0; bios && off + 20 <= 0x20000; off += 16)
        if (memcmp(bios + off, "RSD PTR ", 8) == 0 && checksum_ok(bios + off, 20))
            return 0xE0000 + off;
    return 0;
}

/* The table with signature sig, reached from the RSDP (rsdp_pa, or the boot
 * loader's copy, or a search of the BIOS area), or NULL. */
static const struct sdt_header *find_table(uint64_t rsdp_pa, const uint8_t *copy, unsigned copy_len,
                                           const char *sig)
{
    const uint8_t *rsdp = copy;
    const struct sdt_header *root;
    uint64_t root_pa, entry_size;

    if (!rsdp || copy_len < 20) {
        if (!rsdp_pa)
            rsdp_pa = find_rsdp_in_bios();
        if (!rsdp_pa)
            return 0;
        rsdp = paging_map_phys(rsdp_pa, 36);
    }
    if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0)
        return 0;
    if (rsdp[15] >= 2 && (copy_len >= 36 || !copy)) {
        memcpy(&root_pa, rsdp + 24, 8);
        entry_size = 8;
    } else {
        uint32_t r32;
        memcpy(&r32, rsdp + 16, 4);
        root_pa = r32;
        entry_size = 4;
    }
    root = map_table(root_pa);
    if (!root)
        return 0;
    for (uint64_t off = sizeof(*root); off + entry_size <= root->length; off += entry_size) {
        uint64_t pa = 0;
        memcpy(&pa, (const uint8_t *)root + off, entry_size);
        const struct sdt_header *t = map_table(pa);
        if (t && memcmp(t->signature, sig, 4) == 0)
            return t;
    }
    return 0;
}

unsigned acpi_count_cpus(uint64_t rsdp_pa, const uint8_t *copy, unsigned copy_len)
{
    const struct sdt_header *madt = find_table(rsdp_pa, copy, copy_len, "APIC");

    return madt ? acpi_madt_count_cpus((const uint8_t *)madt, madt->length) : 0;
}

bool acpi_find_isa_irq(uint64_t rsdp_pa, const uint8_t *copy, unsigned copy_len, unsigned irq,
                       struct acpi_isa_irq *out)
{
    const struct sdt_header *madt = find_table(rsdp_pa, copy, copy_len, "APIC");

    return madt && acpi_madt_isa_irq((const uint8_t *)madt, madt->length, irq, out);
}

bool acpi_read_power(uint64_t rsdp_pa, const uint8_t *copy, unsigned copy_len, struct acpi_power *out)
{
    const struct sdt_header *fadt;
    const uint8_t *f;

    memset(out, 0, sizeof(*out));
    fadt = find_table(rsdp_pa, copy, copy_len, "FACP");
    if (!fadt || fadt->length < 116)
        return false;
    f = (const uint8_t *)fadt;
    memcpy(&out->pm1a_cnt, f + 64, 4);
    memcpy(&out->pm1b_cnt, f + 68, 4);
    memcpy(&out->pm_tmr, f + 76, 4);
    uint32_t flags;
    memcpy(&flags, f + 112, 4);
    if (fadt->length >= 129 && (flags & (1u << 10))) {      /* RESET_REG_SUP */
        out->reset_space = f[116];
        memcpy(&out->reset_addr, f + 120, 8);
        out->reset_value = f[128];
        out->reset_supported = true;
    }
    {
        uint32_t dsdt32;
        uint64_t dsdt_pa;
        const struct sdt_header *dsdt;
        memcpy(&dsdt32, f + 40, 4);
        dsdt_pa = dsdt32;
        if (fadt->length >= 148) {
            uint64_t x;
            memcpy(&x, f + 140, 8);
            if (x)
                dsdt_pa = x;
        }
        dsdt = dsdt_pa ? map_table(dsdt_pa) : 0;
        if (dsdt)
            out->s5_found = acpi_parse_s5((const uint8_t *)dsdt + sizeof(*dsdt),
                                          dsdt->length - sizeof(*dsdt), &out->slp_typa, &out->slp_typb);
    }
    return out->pm1a_cnt != 0;
}

/* Tests for hv/arch/x86_64/acpi_madt.c: processors counted from a MADT. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/acpi.h"
#include "test.h"

static uint8_t madt[256];
static unsigned madt_len;

static void madt_start(void)
{
    memset(madt, 0, sizeof(madt));
    memcpy(madt, "APIC", 4);
    madt_len = 44;
}

static void add_lapic(uint8_t id, uint32_t flags)
{
    uint8_t *e = madt + madt_len;
    e[0] = 0; e[1] = 8; e[2] = id; e[3] = id;
    memcpy(e + 4, &flags, 4);
    madt_len += 8;
}

static void add_x2apic(uint32_t id, uint32_t flags)
{
    uint8_t *e = madt + madt_len;
    e[0] = 9; e[1] = 16;
    memcpy(e + 4, &id, 4);
    memcpy(e + 8, &flags, 4);
    madt_len += 16;
}

static void add_other(uint8_t type, uint8_t len)
{
    madt[madt_len] = type;
    madt[madt_len + 1] = len;
    madt_len += len;
}

static void test_qemu_two_cpus(void)
{
    madt_start();
    add_lapic(0, 1);
    add_lapic(1, 1);
    add_other(1, 12);            /* I/O APIC */
    add_other(2, 10);            /* interrupt source override */
    CHECK_EQ(acpi_madt_count_cpus(madt, madt_len), 2);
}

static void test_disabled_and_online_capable(void)
{
    madt_start();
    add_lapic(0, 1);
    add_lapic(1, 0);             /* disabled: not counted */
    add_lapic(2, 2);             /* online capable: counted */
    add_x2apic(300, 1);
    add_x2apic(301, 0);
    CHECK_EQ(acpi_madt_count_cpus(madt, madt_len), 3);
}

static void test_truncated_and_bad_lengths(void)
{
    madt_start();
    add_lapic(0, 1);
    add_lapic(1, 1);
    CHECK_EQ(acpi_madt_count_cpus(madt, madt_len - 1), 1);   /* the last entry does not fit */
    CHECK_EQ(acpi_madt_count_cpus(madt, 44), 0);
    CHECK_EQ(acpi_madt_count_cpus(madt, 10), 0);
    madt_start();
    add_lapic(0, 1);
    add_other(5, 0);             /* a zero length ends the walk */
    madt_len += 2;
    add_lapic(1, 1);
    CHECK_EQ(acpi_madt_count_cpus(madt, madt_len), 1);
    madt_start();
    add_other(0, 4);             /* a local APIC entry too short to hold flags */
    add_lapic(1, 1);
    CHECK_EQ(acpi_madt_count_cpus(madt, madt_len), 1);
}

static void add_ioapic(uint32_t addr, uint32_t gsi_base)
{
    uint8_t *e = madt + madt_len;
    e[0] = 1; e[1] = 12; e[2] = 0; e[3] = 0;
    memcpy(e + 4, &addr, 4);
    memcpy(e + 8, &gsi_base, 4);
    madt_len += 12;
}

static void add_override(uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = madt + madt_len;
    e[0] = 2; e[1] = 10; e[2] = 0; e[3] = irq;
    memcpy(e + 4, &gsi, 4);
    memcpy(e + 8, &flags, 2);
    madt_len += 10;
}

static void test_isa_irq(void)
{
    struct acpi_isa_irq r;

    /* QEMU's: IRQ 0 overridden to GSI 2, IRQ 4 identity mapped. */
    madt_start();
    add_lapic(0, 1);
    add_ioapic(0xFEC00000u, 0);
    add_override(0, 2, 0);
    add_override(9, 9, 0xD);     /* active high, level */
    CHECK(acpi_madt_isa_irq(madt, madt_len, 4, &r));
    CHECK_EQ(r.ioapic_pa, 0xFEC00000u);
    CHECK_EQ(r.gsi, 4);
    CHECK(!r.active_low && !r.level);
    CHECK(acpi_madt_isa_irq(madt, madt_len, 0, &r));
    CHECK_EQ(r.gsi, 2);
    CHECK(acpi_madt_isa_irq(madt, madt_len, 9, &r));
    CHECK(!r.active_low && r.level);
    /* Two I/O APICs: the one whose range holds the GSI. */
    madt_start();
    add_ioapic(0xFEC00000u, 0);
    add_ioapic(0xFEC01000u, 24);
    add_override(4, 30, 0xF);    /* active low, level */
    CHECK(acpi_madt_isa_irq(madt, madt_len, 4, &r));
    CHECK_EQ(r.ioapic_pa, 0xFEC01000u);
    CHECK_EQ(r.ioapic_gsi_base, 24);
    CHECK_EQ(r.gsi, 30);
    CHECK(r.active_low && r.level);
    /* No I/O APIC, or its entry cut short by the table's length. */
    madt_start();
    add_lapic(0, 1);
    CHECK(!acpi_madt_isa_irq(madt, madt_len, 4, &r));
    madt_start();
    add_ioapic(0xFEC00000u, 0);
    CHECK(!acpi_madt_isa_irq(madt, madt_len - 1, 4, &r));
    CHECK(!acpi_madt_isa_irq(madt, 10, 4, &r));
}

int main(void)
{
    RUN_TEST(test_qemu_two_cpus);
    RUN_TEST(test_disabled_and_online_capable);
    RUN_TEST(test_truncated_and_bad_lengths);
    RUN_TEST(test_isa_irq);
    return test_main_result();
}

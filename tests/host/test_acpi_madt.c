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

int main(void)
{
    RUN_TEST(test_qemu_two_cpus);
    RUN_TEST(test_disabled_and_online_capable);
    RUN_TEST(test_truncated_and_bad_lengths);
    return test_main_result();
}

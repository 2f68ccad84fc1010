/* Tests for hv/arch/x86_64/acpi_s5.c: SLP_TYP of \_S5 from AML bytes. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/acpi.h"
#include "test.h"

static void test_qemu_style_package(void)
{
    /* Name (_S5, Package (4) { Zero, Zero, Zero, Zero }) as QEMU's DSDT has it. */
    const uint8_t aml[] = { 0x10, 0x20, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };
    uint16_t a = 9, b = 9;

    CHECK(acpi_parse_s5(aml, sizeof(aml), &a, &b));
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 0);
}

static void test_byte_prefix_and_root(void)
{
    const uint8_t aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0A, 0x04, 0x0A, 0x07, 0x0A, 0x05, 0x00, 0x00 };
    uint16_t a = 0, b = 0;

    CHECK(acpi_parse_s5(aml, sizeof(aml), &a, &b));
    CHECK_EQ(a, 7);
    CHECK_EQ(b, 5);
}

static void test_not_a_name_or_truncated(void)
{
    const uint8_t method_ref[] = { 0x70, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A, 0x05 };
    const uint8_t truncated[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A };
    const uint8_t none[] = { 0x00, 0x01, 0x02 };
    uint16_t a, b;

    CHECK(!acpi_parse_s5(method_ref, sizeof(method_ref), &a, &b));
    CHECK(!acpi_parse_s5(truncated, sizeof(truncated), &a, &b));
    CHECK(!acpi_parse_s5(none, sizeof(none), &a, &b));
    CHECK(!acpi_parse_s5(none, 0, &a, &b));
}

int main(void)
{
    RUN_TEST(test_qemu_style_package);
    RUN_TEST(test_byte_prefix_and_root);
    RUN_TEST(test_not_a_name_or_truncated);
    return test_main_result();
}

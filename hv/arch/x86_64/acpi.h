/* The little of ACPI the hypervisor needs: how to enter S5 (soft off), how
 * to reset, how many CPUs the firmware reports, and where an ISA IRQ arrives. */
#ifndef HV_ARCH_ACPI_H
#define HV_ARCH_ACPI_H

#include <stdint.h>
#include <stdbool.h>

struct acpi_power {
    uint32_t pm1a_cnt, pm1b_cnt;       /* I/O ports, 0 if absent */
    uint32_t pm_tmr;                   /* PM timer I/O port, 0 if absent */
    uint16_t slp_typa, slp_typb;       /* SLP_TYP values for S5 */
    bool s5_found;
    uint8_t reset_space;               /* FADT RESET_REG address space (1 = I/O) */
    uint64_t reset_addr;
    uint8_t reset_value;
    bool reset_supported;
};

/* Read the FADT and DSDT reached from the RSDP at rsdp_pa (0: search the BIOS area). */
bool acpi_read_power(uint64_t rsdp_pa, const uint8_t *rsdp_copy, unsigned copy_len, struct acpi_power *out);
/* Processors the MADT lists as enabled (or online capable), 0 without a MADT. */
unsigned acpi_count_cpus(uint64_t rsdp_pa, const uint8_t *rsdp_copy, unsigned copy_len);
/* Pure: the same count from a MADT (whole table, header included, len bytes). */
unsigned acpi_madt_count_cpus(const uint8_t *madt, uint64_t len);
/* Where ISA IRQ irq is wired: the I/O APIC serving its GSI and how the line
 * signals. */
struct acpi_isa_irq {
    uint64_t ioapic_pa;                /* the I/O APIC's registers */
    uint32_t ioapic_gsi_base;          /* the GSI of its input 0 */
    uint32_t gsi;
    bool active_low, level;            /* ISA's default: active high, edge */
};
/* false without a MADT or an I/O APIC for that GSI. */
bool acpi_find_isa_irq(uint64_t rsdp_pa, const uint8_t *rsdp_copy, unsigned copy_len, unsigned irq,
                       struct acpi_isa_irq *out);
/* Pure: the same from a MADT (whole table, header included, len bytes). */
bool acpi_madt_isa_irq(const uint8_t *madt, uint64_t len, unsigned irq, struct acpi_isa_irq *out);
/* Pure AML scan: SLP_TYPa/b of the \_S5 package in a DSDT body. */
bool acpi_parse_s5(const uint8_t *aml, uint64_t len, uint16_t *typa, uint16_t *typb);

#endif

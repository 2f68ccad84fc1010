/* libFuzzer harness: the \_S5 scan over AML bytes
 * (hv/arch/x86_64/acpi_s5.c).
 *
 * Input: a DSDT body (the AML after the 36-byte table header), which is
 * what acpi_read_power() hands to acpi_parse_s5(); libFuzzer's copy is
 * exactly as long, so a read past the end is an ASan report. */
#include <stdbool.h>

#include "arch/x86_64/acpi.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint16_t a, b, a2, b2;

    /* Memory safety is what counts here; the answer is also deterministic. */
    if (acpi_parse_s5(data, size, &a, &b)) {
        FUZZ_CHECK(acpi_parse_s5(data, size, &a2, &b2));
        FUZZ_CHECK(a == a2 && b == b2);
    }
    return 0;
}

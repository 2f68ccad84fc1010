/* Finding the \_S5 sleep type in AML. The DSDT defines it as
 *   Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })
 * which encodes as NameOp (0x08), optional root/parent prefixes, "_S5_",
 * PackageOp (0x12), PkgLength, NumElements, then the elements as integer
 * constants (ZeroOp 0x00, OneOp 0x01, BytePrefix 0x0A nn, WordPrefix 0x0B nnnn). */
#include "arch/x86_64/acpi.h"
#include <stddef.h>

static bool read_integer(const uint8_t *p, const uint8_t *end, uint16_t *val, const uint8_t **next)
{
    if (p >= end)
        return false;
    switch (*p) {
    case 0x00: *val = 0; *next = p + 1; return true;
    case 0x01: *val = 1; *next = p + 1; return true;
    case 0x0A:
        if (p + 2 > end) return false;
        *val = p[1]; *next = p + 2; return true;
    case 0x0B:
        if (p + 3 > end) return false;
        *val = (uint16_t)(p[1] | (p[2] << 8)); *next = p + 3; return true;
    default:
        if (*p < 0x0A) { *val = *p; *next = p + 1; return true; }   /* tolerated: raw small values */
        return false;
    }
}

bool acpi_parse_s5(const uint8_t *aml, uint64_t len, uint16_t *typa, uint16_t *typb)
{
    for (uint64_t i = 0; i + 4 < len; i++) {
        const uint8_t *p = aml + i, *end = aml + len;
        unsigned pkglen_bytes;

        if (p[0] != '_' || p[1] != 'S' || p[2] != '5' || p[3] != '_')
            continue;
        /* Must be a Name: 0x08 right before, or before a '\' or '^' prefix. */
        if (!(i >= 1 && (p[-1] == 0x08 || (i >= 2 && (p[-1] == '\\' || p[-1] == '^') && p[-2] == 0x08))))
            continue;
        p += 4;
        if (p >= end || *p != 0x12)
            continue;
        p++;
        if (p >= end)
            return false;
        pkglen_bytes = (*p >> 6) + 1;           /* PkgLength lead byte gives the byte count */
        p += pkglen_bytes;
        p++;                                    /* NumElements */
        if (!read_integer(p, end, typa, &p))
            return false;
        if (!read_integer(p, end, typb, &p))
            *typb = 0;
        return true;
    }
    return false;
}

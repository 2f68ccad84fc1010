/* Physical memory map clean-up, shared by the Multiboot parsers. */
#ifndef HV_BOOT_MEMMAP_H
#define HV_BOOT_MEMMAP_H

#include "boot/multiboot.h"

/* Sorts r[0..*nr) by base, drops empty ranges, resolves overlaps (bad >
 * reserved > NVS > ACPI > usable; unknown types count as reserved) and
 * merges touching ranges of the same type. Ranges running past 2^64 are
 * cut at 2^64 - 1. Splitting a range around a hole can add entries: 'max'
 * is the array's capacity. Returns 0, or -1 if more than 'max' entries
 * would be needed (the contents are then unspecified). */
int memmap_normalize(struct boot_mem_range *r, unsigned *nr, unsigned max);

#endif

/* Boot information from a Multiboot 1 or Multiboot 2 loader.
 *
 * multiboot_parse() copies everything the hypervisor needs out of the
 * loader's info block into a struct boot_info, so the block itself may be
 * overwritten afterwards; only the module contents stay where they are.
 *
 * Every read of the info goes through the caller's map callback, with the
 * exact physical range read; every size and pointer is checked first.
 *
 * Command lines: a Multiboot 1 loader (QEMU -kernel/-initrd, GRUB's
 * "multiboot"/"module") puts the file name first, so its first word is
 * dropped unless it contains '='. GRUB's multiboot2/module2 pass only the
 * arguments, which are kept as they are. Leading and trailing blanks are
 * removed in both cases.
 *
 * Memory map: copied, then sorted by base, with empty ranges dropped,
 * overlaps resolved (the more restrictive type wins: bad > reserved > NVS >
 * ACPI > usable) and touching ranges of the same type merged. Without a map
 * the basic mem_lower/mem_upper figures give [0, lower KiB) and
 * [1 MiB, 1 MiB + upper KiB). A map left empty (every range of length
 * 0) is an error, as is no map at all. */
#ifndef HV_BOOT_MULTIBOOT_H
#define HV_BOOT_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define BOOT_MAX_MEM_RANGES 128
#define BOOT_MAX_MODULES 64
#define BOOT_CMDLINE_MAX 1024

enum boot_mem_type {
    BOOT_MEM_USABLE = 1,
    BOOT_MEM_RESERVED = 2,
    BOOT_MEM_ACPI = 3,       /* ACPI tables, reclaimable once read */
    BOOT_MEM_NVS = 4,        /* ACPI non-volatile storage */
    BOOT_MEM_BAD = 5,
};

struct boot_mem_range {
    uint64_t base, len;
    uint32_t type;           /* enum boot_mem_type */
};

struct boot_module {
    uint64_t start, end;     /* physical, end exclusive */
    char cmdline[BOOT_CMDLINE_MAX];
};

struct boot_info {
    unsigned proto;                          /* 1 or 2 */
    char loader_name[64];                    /* "" when the loader gives none */
    char cmdline[BOOT_CMDLINE_MAX];          /* hypervisor options only */
    struct boot_mem_range mem[BOOT_MAX_MEM_RANGES];
    unsigned nr_mem;
    struct boot_module mod[BOOT_MAX_MODULES];
    unsigned nr_mod;
    /* Physical extent of the info block itself: for Multiboot 2 the whole
     * tag list (total_size); for Multiboot 1 only the fixed structure (as far
     * as its flags say it is filled in) -- the mmap and module arrays and
     * the strings it points to are separate areas elsewhere in memory. */
    uint64_t info_start, info_end;
    uint8_t rsdp[36];                        /* copy of the ACPI RSDP (mb2 tags 14/15) */
    unsigned rsdp_len;                       /* 0 if none, 20 (v1) or 36 (v2+) */
};

/* Returns a pointer through which [pa, pa+len) can be read, or NULL. */
typedef const void *(*boot_phys_map_fn)(uint64_t pa, uint64_t len);

/* 0, or -1 with a one-line reason in err. Module numbers in messages are
 * indexes into bi->mod (from 0). */
int multiboot_parse(uint32_t magic, uint64_t info_pa, boot_phys_map_fn map,
                    struct boot_info *bi, char *err, size_t errlen);

#endif

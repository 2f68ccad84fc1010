/* Which boot modules are domU kernels and initrds, and each domU's options.
 *
 * Pure: works on the tidied module command lines (hv/boot/multiboot.c has
 * already dropped a multiboot1 loader's file name), keeps no state and
 * touches nothing of the hypervisor, so it is host-tested and fuzzed.
 * The syntax is in docs/boot-flow.md, "domU boot modules":
 *
 *   domu [name=<id>] [memory=<n>[K|M|G]] [vcpus=<n>] [copies=<n>] [-- <kernel command line>]
 *   initrd                    (only right after a domu module: its initrd)
 *
 * Module 0 is dom0's kernel and is not looked at here; module 1 is dom0's
 * initrd unless its first word is "domu". */
#ifndef HV_DOM_DOMU_SPEC_H
#define HV_DOM_DOMU_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMU_NAME_MAX 64                     /* with the NUL */
#define DOMU_MAX_VCPUS 128
#define DOMU_MAX_COPIES 4096
#define DOMU_MEM_MIN (1ull << 20)
#define DOMU_MEM_MAX (1ull << 40)
#define DOMU_MEM_DEFAULT (32ull << 20)
#define DOMU_ERR_MAX 128                     /* room for any reason, with the NUL */

struct domu_spec {
    char name[DOMU_NAME_MAX];    /* "" when none was given (the builder says domU<id>) */
    uint64_t memory;             /* bytes: a multiple of 4 KiB, DOMU_MEM_MIN..DOMU_MEM_MAX */
    unsigned vcpus;              /* 1..DOMU_MAX_VCPUS */
    unsigned copies;             /* 1..DOMU_MAX_COPIES domains from this module */
    /* The kernel's command line: cmdline_len bytes at cmdline, which points
     * into the module's command line (at its final NUL when there is none).
     * Trailing blanks are not counted; on a tidied line there are none, so
     * there cmdline is also a NUL-terminated string of that length. */
    const char *cmdline;
    size_t cmdline_len;
};

/* What one module after dom0's kernel is. */
enum boot_mod_role {
    BOOT_MOD_DOM0_INITRD,        /* module 1 without "domu" */
    BOOT_MOD_DOMU_KERNEL,        /* "domu ...": spec filled in, or err set */
    BOOT_MOD_DOMU_INITRD,        /* "initrd" right after a domU kernel */
    BOOT_MOD_BAD,                /* anything else: err set, the module is ignored */
};

struct boot_plan_entry {
    enum boot_mod_role role;
    unsigned module;             /* index in the boot modules (from 1) */
    int initrd;                  /* DOMU_KERNEL: its initrd's module index, or -1 */
    struct domu_spec spec;       /* DOMU_KERNEL only (zero/defaults otherwise) */
    char err[DOMU_ERR_MAX];      /* "" when the entry is usable */
};

/* Parses one domU kernel module's command line (first word "domu").
 * 0 with *out filled in, or -1 with a one-line reason in err naming the
 * offending word, e.g. "vcpus=0: must be 1..128" (out->cmdline is then
 * still a pointer into cmdline). */
int domu_spec_parse(const char *cmdline, struct domu_spec *out, char *err, size_t errlen);

/* Classifies modules 1..n-1 (cmdlines[i] is module i's tidied command line;
 * NULL counts as ""): out[i-1] for module i. Returns the number of entries
 * filled in (n - 1, or 0 when n < 2). Entries to act on: a DOMU_KERNEL with
 * err[0] == '\0' (build spec.copies domains, with its initrd if initrd >= 0)
 * and the DOM0_INITRD. Every entry with err set is to be logged as
 * "(XEN) domU (module <module>): <err>" and skipped; the initrd of a
 * rejected domU kernel is a DOMU_INITRD without err, skipped with it. */
unsigned boot_plan(const char *const *cmdlines, unsigned n, struct boot_plan_entry *out);

/* The name of copy k (1..spec->copies) of a domU: spec->name when copies is
 * 1, "<name>-<k>" when there are several, "domU<domid>" when no name was
 * given. The parser guarantees "<name>-<copies>" fits DOMU_NAME_MAX, so
 * with len >= DOMU_NAME_MAX the result is never cut. Returns buf. */
char *domu_spec_name(const struct domu_spec *spec, unsigned k, unsigned domid, char *buf, size_t len);

#endif

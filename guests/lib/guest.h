/*
 * Xenolith test-guest runtime: hypercalls, console output and test API.
 *
 * Hypercall calling convention (64-bit PV): the call goes to slot nr of the
 * hypercall page (hypercall_page + 32 * nr); arguments in rdi, rsi, rdx, r10,
 * r8, r9; the result comes back in rax.  Argument registers are treated as
 * clobbered (a debug hypervisor may scribble on unused ones).
 */
#ifndef XENOLITH_GUEST_H
#define XENOLITH_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "xen.h"

extern char hypercall_page[4096];
extern start_info_t *guest_start_info;
extern char _image_start[], _image_end[];

/* ---- hypercalls --------------------------------------------------------- */

/* Call slot `nr` (a compile-time constant) of the hypercall page. */
#define GUEST_HYPERCALL(nr, a1, a2, a3, a4, a5)                               \
    ({                                                                        \
        register unsigned long r_a1 __asm__("rdi") = (unsigned long)(a1);     \
        register unsigned long r_a2 __asm__("rsi") = (unsigned long)(a2);     \
        register unsigned long r_a3 __asm__("rdx") = (unsigned long)(a3);     \
        register unsigned long r_a4 __asm__("r10") = (unsigned long)(a4);     \
        register unsigned long r_a5 __asm__("r8") = (unsigned long)(a5);      \
        long r_ret;                                                           \
        __asm__ volatile("call hypercall_page + %c[off]"                      \
                         : "=a"(r_ret), "+r"(r_a1), "+r"(r_a2), "+r"(r_a3),   \
                           "+r"(r_a4), "+r"(r_a5)                             \
                         : [off] "i"((nr) * 32)                               \
                         : "memory", "rcx", "r9", "r11");                     \
        r_ret;                                                                \
    })

#define HYPERVISOR_console_io(cmd, count, buf)                                \
    GUEST_HYPERCALL(__HYPERVISOR_console_io, cmd, count, buf, 0, 0)
#define HYPERVISOR_xen_version(cmd, arg)                                      \
    GUEST_HYPERCALL(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0)
#define HYPERVISOR_sched_op(cmd, arg)                                         \
    GUEST_HYPERCALL(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0)

/* Call hypercall-page slot `nr` chosen at run time (nr must be < 128). */
long hypercall_slot(unsigned long nr, unsigned long a1, unsigned long a2,
                    unsigned long a3, unsigned long a4, unsigned long a5);

/* Issue `syscall` directly with rax = nr (no hypercall page involved). */
long hypercall_syscall(unsigned long nr, unsigned long a1, unsigned long a2,
                       unsigned long a3, unsigned long a4, unsigned long a5);

/* ---- console ------------------------------------------------------------ */

void console_write(const char *s, size_t len);
int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- small string helpers ----------------------------------------------- */

size_t g_strlen(const char *s);
size_t g_strnlen(const char *s, size_t max);
int g_strcmp(const char *a, const char *b);
int g_strncmp(const char *a, const char *b, size_t n);
const char *g_strstr(const char *hay, const char *needle);
void *g_memset(void *d, int c, size_t n);
void *g_memcpy(void *d, const void *s, size_t n);
/* Does the space-separated word `word` appear in `line`? */
int g_has_word(const char *line, const char *word);
/* The decimal value of the word "<key><digits>" in `line` (key such as
 * "peer="), or dflt when no word starts with key. */
unsigned long g_opt(const char *line, const char *key, unsigned long dflt);

/* ---- memory introspection ------------------------------------------------ */

/* Machine-to-physical table, read-only, at HYPERVISOR_VIRT_START. */
#define GUEST_M2P ((const unsigned long *)0xFFFF800000000000UL)

/* pfn -> mfn through start_info->mfn_list. */
unsigned long guest_pfn_to_mfn(unsigned long pfn);
/*
 * Is `va` mapped present in the current (bootstrap) page tables?  Walks the
 * tables from start_info->pt_base, finding each table's virtual address via
 * the M2P and the 1:1 bootstrap mapping of pseudo-physical memory.
 * Returns 1 mapped, 0 not mapped, -1 the walk itself failed.
 */
int guest_va_mapped(unsigned long va);

/* Is the hypervisor Xenolith (XENVER_extraversion says so)? Tests use it
 * only where Xenolith's documented policy differs from Xen's (see
 * docs/abi-coverage.md, "Where Xenolith differs from Xen on purpose"). */
int guest_on_xenolith(void);

/* ---- shutdown and test API ----------------------------------------------- */

__attribute__((noreturn)) void guest_shutdown(unsigned int reason);

/* Entry point each test guest provides. */
void test_main(start_info_t *si);

/* quiet=1 on the command line: passing checks print nothing. */
extern int test_quiet;
/* Record one check; prints "[ok] ..." or "[FAILED] ...".  Returns cond. */
int test_check(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* test_check(got == want) with the text "<what>: rc=<got> (want <want>)". */
int test_expect(long got, long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Print a note line prefixed with "# ". */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "Test result: SKIP" with a reason and power off. */
__attribute__((noreturn)) void test_skip(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Print the final result and shut down: poweroff on success, crash else. */
__attribute__((noreturn)) void test_finish(void);
int test_failures(void);

#endif

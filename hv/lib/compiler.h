/* Included first in every hypervisor translation unit (-include).
 *
 * The hypervisor is linked high (HV_IMAGE_VIRT) and compiled position
 * independent so every access is RIP-relative. Marking all symbols hidden
 * tells the compiler that nothing is preemptible, so it never goes through
 * a GOT, which a static image does not have. */
#pragma GCC visibility push(hidden)

/* The hypercall, trap and event paths: GCC puts these functions in
 * .text.hot, which the link map places together (hv/arch/x86_64/
 * xenolith.ld). Under emulation it matters: QEMU chains translated blocks
 * only within one page, and every jump to another page costs it a lookup. */
#define HV_HOT __attribute__((hot))

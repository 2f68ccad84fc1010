/* Included first in every hypervisor translation unit (-include).
 *
 * The hypervisor is linked high (HV_IMAGE_VIRT) and compiled position
 * independent so every access is RIP-relative. Marking all symbols hidden
 * tells the compiler that nothing is preemptible, so it never goes through
 * a GOT, which a static image does not have. */
#pragma GCC visibility push(hidden)

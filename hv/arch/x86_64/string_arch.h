/* The CPU's string instructions for lib/string.c: whole words copied
 * upwards by one `rep movsq` and filled by one `rep stosq` (the direction flag is clear in the
 * hypervisor: every entry path clears it). Element by element as the
 * architecture defines it, so a copy whose destination lies below its
 * source is right even when the two overlap. */
#ifndef HV_ARCH_STRING_ARCH_H
#define HV_ARCH_STRING_ARCH_H

#include <stddef.h>
#include <stdint.h>

static inline void arch_copy_words_up(void *dest, const void *src, size_t nwords)
{
    __asm__ volatile("rep movsq" : "+D"(dest), "+S"(src), "+c"(nwords) : : "memory");
}

/* nwords copies of word from dest upwards: one `rep stosq`. */
static inline void arch_fill_words(void *dest, uint64_t word, size_t nwords)
{
    __asm__ volatile("rep stosq" : "+D"(dest), "+c"(nwords) : "a"(word) : "memory");
}

#endif

/* Shared helpers for the libFuzzer harnesses in tests/fuzz/.
 *
 * FUZZ_CHECK(cond) aborts (so libFuzzer reports a crash and keeps the
 * input) when a promise of the parser under test does not hold.
 *
 * The "physical memory" helpers model what the hypervisor's map callbacks
 * do: phys_map() hands out a fresh heap copy of exactly the requested
 * range, so AddressSanitizer reports any read past what the parser asked
 * for. Copies are freed by phys_reset() at the end of each input. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/string.h"       /* strnlen: POSIX, not in <string.h> under -std=c11 */

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

static inline uint32_t fuzz_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t fuzz_rd64(const uint8_t *p)
{
    return (uint64_t)fuzz_rd32(p) | (uint64_t)fuzz_rd32(p + 4) << 32;
}

/* A string field of a fixed-size array: NUL-terminated inside it. */
#define FUZZ_CHECK_STR(arr) FUZZ_CHECK(strnlen((arr), sizeof(arr)) < sizeof(arr))

/* The fuzzer input seen as physical memory [0, size). */
struct fuzz_phys {
    const uint8_t *mem;
    uint64_t size;
    void **copies;
    size_t nr_copies, cap_copies;
    unsigned long map_calls;
};

extern struct fuzz_phys fuzz_phys;

void phys_set(const uint8_t *mem, uint64_t size);
/* A copy of [pa, pa+len), or NULL if the range wraps or is not inside
 * the memory (len 0 is fine anywhere up to the end). */
const void *phys_map(uint64_t pa, uint64_t len);
void phys_reset(void);

#endif

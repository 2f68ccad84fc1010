/* The fuzz guest's only source of randomness: splitmix64, seeded from the
 * command line. Nothing (time, hypervisor timing) feeds it. */
#include "fuzz.h"

uint64_t fz_state;

uint64_t fz_rand(void)
{
    uint64_t z = (fz_state += 0x9E3779B97F4A7C15UL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

/* libFuzzer harness: memory map normalisation (hv/boot/memmap.c) against
 * a slow reference.
 *
 * Input: records of 17 bytes, u64 base, u64 length, u8 type (taken modulo
 * 5, plus 1: the types mb_add_mem produces), at most BOOT_MAX_MEM_RANGES.
 * After memmap_normalize(), besides the shape of the map (sorted,
 * disjoint, merged), every address next to a boundary of an input or
 * output range must have the type the rules give: the highest-ranked type
 * of the input ranges covering it (bad > reserved > NVS > ACPI > usable),
 * or no range at all. Ranges running past 2^64 are cut at 2^64 - 1. */
#include "boot/memmap.h"
#include "boot_info_check.h"

#define REC 17

static struct boot_mem_range in[BOOT_MAX_MEM_RANGES], out[BOOT_MAX_MEM_RANGES];

static unsigned rank(uint32_t type)
{
    static const unsigned r[6] = { 0, 0, 3, 1, 2, 4 };   /* index: BOOT_MEM_* */

    return r[type];
}

static uint64_t end_of(const struct boot_mem_range *e)
{
    return e->base + e->len < e->base ? UINT64_MAX : e->base + e->len;
}

/* The type at address a by the rules (0: none). */
static uint32_t want_type(unsigned n, uint64_t a)
{
    uint32_t t = 0;

    for (unsigned i = 0; i < n; i++) {
        if (in[i].len && a >= in[i].base && a < end_of(&in[i]) && (!t || rank(in[i].type) > rank(t)))
            t = in[i].type;
    }
    return t;
}

static uint32_t got_type(unsigned n, uint64_t a)
{
    for (unsigned i = 0; i < n; i++) {
        if (a >= out[i].base && a - out[i].base < out[i].len)
            return out[i].type;
    }
    return 0;
}

static void check_at(unsigned nin, unsigned nout, uint64_t a)
{
    uint32_t want = want_type(nin, a), got = got_type(nout, a);

    if (want != got) {
        fprintf(stderr, "address %#llx: type %u, want %u\n", (unsigned long long)a, got, want);
        FUZZ_CHECK(want == got);
    }
}

static void check_around(unsigned nin, unsigned nout, uint64_t a)
{
    check_at(nin, nout, a);
    if (a)
        check_at(nin, nout, a - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned n = 0, nout;

    for (size_t off = 0; off + REC <= size && n < BOOT_MAX_MEM_RANGES; off += REC, n++) {
        in[n].base = fuzz_rd64(data + off);
        in[n].len = fuzz_rd64(data + off + 8);
        in[n].type = data[off + 16] % 5 + 1;
    }
    memcpy(out, in, sizeof(out[0]) * n);
    nout = n;
    if (memmap_normalize(out, &nout, BOOT_MAX_MEM_RANGES))
        return 0;                      /* more than BOOT_MAX_MEM_RANGES needed */
    FUZZ_CHECK(nout <= BOOT_MAX_MEM_RANGES);
    check_memmap(out, nout);
    for (unsigned i = 0; i < n; i++) {
        check_around(n, nout, in[i].base);
        check_around(n, nout, end_of(&in[i]));
    }
    for (unsigned i = 0; i < nout; i++) {
        check_around(n, nout, out[i].base);
        check_around(n, nout, end_of(&out[i]));
    }
    return 0;
}

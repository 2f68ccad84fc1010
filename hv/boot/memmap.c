/* Memory map normalisation; see memmap.h. */
#include "boot/memmap.h"

#include <stdbool.h>

#include "lib/string.h"

/* Higher wins where ranges overlap. */
static unsigned type_rank(uint32_t type)
{
    switch (type) {
    case BOOT_MEM_USABLE: return 0;
    case BOOT_MEM_ACPI: return 1;
    case BOOT_MEM_NVS: return 2;
    case BOOT_MEM_BAD: return 4;
    default: return 3;           /* reserved, and anything unknown */
    }
}

static uint64_t range_end(const struct boot_mem_range *e)
{
    return e->base + e->len;
}

static void remove_at(struct boot_mem_range *r, unsigned *n, unsigned i)
{
    memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
    (*n)--;
}

/* Inserts e after every entry whose base is <= e->base. */
static int insert_sorted(struct boot_mem_range *r, unsigned *n, unsigned max,
                         const struct boot_mem_range *e)
{
    unsigned pos = *n;

    if (*n >= max)
        return -1;
    while (pos > 0 && r[pos - 1].base > e->base)
        pos--;
    memmove(&r[pos + 1], &r[pos], (*n - pos) * sizeof(*r));
    r[pos] = *e;
    (*n)++;
    return 0;
}

int memmap_normalize(struct boot_mem_range *r, unsigned *nr, unsigned max)
{
    unsigned n = 0, i;

    /* Drop empty ranges, cut those that run past the top, sort by base. */
    for (i = 0; i < *nr; i++) {
        struct boot_mem_range e = r[i];

        if (e.base + e.len < e.base)
            e.len = UINT64_MAX - e.base;
        if (e.len == 0)
            continue;
        if (insert_sorted(r, &n, i + 1, &e))
            return -1;   /* cannot happen: n <= i */
    }

    /* Invariant: r[0..i] are sorted, disjoint and merged; each step either
     * advances i or removes overlap, so the loop ends. */
    i = 0;
    while (i + 1 < n) {
        struct boot_mem_range *a = &r[i], *b = &r[i + 1];
        uint64_t a_end = range_end(a), b_end = range_end(b);

        if (b->base > a_end || (b->base == a_end && a->type != b->type)) {
            i++;
            continue;
        }
        if (a->type == b->type) {
            /* Overlapping or touching ranges of the same type: merge. */
            if (b_end > a_end)
                a->len = b_end - a->base;
            remove_at(r, &n, i + 1);
            continue;
        }
        if (type_rank(a->type) >= type_rank(b->type)) {
            /* a wins: b keeps only what lies beyond a. */
            struct boot_mem_range rest = *b;

            remove_at(r, &n, i + 1);
            if (b_end > a_end) {
                rest.base = a_end;
                rest.len = b_end - a_end;
                insert_sorted(r, &n, max, &rest);   /* a slot was just freed */
            }
            continue;
        } else {
            /* b wins: a keeps what lies before b and, if it reaches past
             * b, what lies after it. */
            struct boot_mem_range tail = *a;
            bool removed = false;

            tail.base = b_end;
            tail.len = a_end > b_end ? a_end - b_end : 0;
            a->len = b->base - a->base;
            if (a->len == 0) {
                remove_at(r, &n, i);
                removed = true;
            }
            if (tail.len && insert_sorted(r, &n, max, &tail))
                return -1;
            if (removed && i > 0)
                i--;   /* the entry before may now touch b */
        }
    }
    *nr = n;
    return 0;
}

/* The GTF_reading / GTF_writing protocol on a version 1 shared entry.
 *
 * The guest owns the entry and may rewrite it at any time; the hypervisor
 * marks it in use with a compare-and-exchange on the whole first word (flags
 * and domid together), so that a grant withdrawn at the same moment is seen.
 * A guest rewriting the word faster than the hypervisor can retry is told
 * GNTST_general_error after five attempts, as Xen gives up. */
#include "grant/grant_priv.h"

#define ATTEMPTS 5

union grant_word {
    uint32_t raw;
    struct { uint16_t flags; domid_t domid; } f;
};

int grant_entry_acquire(struct grant_entry_v1 *e, const struct grant_active *act, bool readonly,
                        bool for_map, domid_t user)
{
    uint32_t *word = (uint32_t *)(void *)e;
    uint16_t type_mask = GTF_type_mask | (for_map ? GTF_sub_page : 0);
    union grant_word cur = { .raw = __atomic_load_n(word, __ATOMIC_SEQ_CST) };

    for (unsigned attempt = 0;; attempt++) {
        union grant_word next = cur;

        /* The first use checks the grant; later ones ride on it. */
        if (!act->pin && ((cur.f.flags & type_mask) != GTF_permit_access || cur.f.domid != user))
            return GNTST_general_error;
        next.f.flags |= GTF_reading;
        if (!readonly) {
            if (cur.f.flags & GTF_readonly)
                return GNTST_general_error;
            next.f.flags |= GTF_writing;
        }
        if (__atomic_compare_exchange_n(word, &cur.raw, next.raw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return GNTST_okay;
        if (attempt + 1 == ATTEMPTS)
            return GNTST_general_error;
    }
}

void grant_entry_reduce(struct grant_entry_v1 *e, const struct grant_active *act, bool readonly)
{
    uint16_t clear = act->pin ? 0 : GTF_reading;

    if (!readonly && !(act->pin & GRANT_PIN_WRITERS))
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

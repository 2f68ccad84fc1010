/* GNTTABOP_swap_grant_ref: exchange two entries of the caller's own table,
 * refused while either is in use. */
#include "grant/grant_priv.h"

int grant_op_swap(struct grant_table *self, grant_ref_t a, grant_ref_t b)
{
    struct grant_entry_v1 *ea, *eb, tmp;

    if (a >= grant_nr_entries(self) || b >= grant_nr_entries(self))
        return GNTST_bad_gntref;
    if (a == b)
        return GNTST_okay;
    if (grant_active_entry(self, a)->pin || grant_active_entry(self, b)->pin)
        return GNTST_eagain;
    ea = grant_shared_entry(self, a);
    eb = grant_shared_entry(self, b);
    tmp = *ea;
    *ea = *eb;
    *eb = tmp;
    return GNTST_okay;
}

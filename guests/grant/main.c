/* The grant guest (see suite.h). */
#include "suite.h"

/* The salt of this guest's data patterns ("grant"). */
#define DATA_SALT 0x6772616e74UL

void test_main(start_info_t *si)
{
    long start = reservation();

    test_note("grant guest on %s: nr_pages %lu, current_reservation %ld",
              guest_on_xenolith() ? "Xenolith" : "Xen", si->nr_pages, start);
    grant_test_setup(DATA_SALT);

    test_table();
    test_map();
    test_copy();
    test_other();
    /* Every frame granted is an ordinary frame again (nothing given away). */
    grant_test_accounting(start, 0);
    test_finish();
}

/* Smallest test guest: say hello on the console and pass. */
#include "guest.h"

void test_main(start_info_t *si)
{
    printk("Hello from a Xenolith test guest (%lu pages)\n", si->nr_pages);
    test_check(1, "reached test_main");
}

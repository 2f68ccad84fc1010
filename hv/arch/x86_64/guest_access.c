/* The fault recovery table behind the checked copies (guest_access.h). */
#include "arch/x86_64/guest_access.h"

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

uint64_t ex_table_lookup(uint64_t rip)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}

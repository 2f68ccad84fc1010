/* Which segment descriptors a PV guest may have in its descriptor tables
 * (GDT frames, LDT pages, update_descriptor), as Xen 4.17 decides for a
 * 64-bit PV guest. Pure logic. */
#ifndef HV_ARCH_DESCRIPTOR_CHECK_H
#define HV_ARCH_DESCRIPTOR_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/* Accept *d, fixing it up as Xen does: a not-present descriptor as it is;
 * a present code or data segment with its DPL raised to 3 if it was lower
 * (the guest kernel runs in ring 3, so it can never describe a more
 * privileged segment); a system descriptor of type 0 (the upper half of a
 * 16-byte gate) as it is; a 64-bit call gate whose reserved byte (bits
 * 32-39) is zero and whose target selector is a guest GDT entry (below
 * FIRST_RESERVED_GDT_ENTRY), FLAT_KERNEL_CS or an LDT entry, with its DPL
 * set to 0 and RPL 3 put into the target selector (the guest's DPL, raised
 * to 3): no ring can use it, a far call or jmp through it raises #GP with
 * the gate's selector, which a 64-bit PV guest gets as it is (Xen 4.17
 * emulates gates for 32-bit PV guests only). Refused: every other system
 * descriptor (TSS, LDT, interrupt and trap gates). */
bool descriptor_fixup_for_guest(uint64_t *d);
/* Every descriptor of a page, fixed up in place; false at the first refused one. */
bool descriptor_page_fixup(uint64_t *page, unsigned count);

#endif

/* Which segment descriptors a PV guest may have in its descriptor tables. */
#ifndef HV_ARCH_DESCRIPTOR_CHECK_H
#define HV_ARCH_DESCRIPTOR_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/* A not-present descriptor (anything), or a present code/data segment of
 * DPL 3 (not a 64-bit code segment with D set). System descriptors (gates,
 * LDT, TSS) and segments of a more privileged DPL are refused. Pure logic. */
bool descriptor_ok_for_guest(uint64_t d);
/* Every descriptor of a page. */
bool descriptor_page_ok(const uint64_t *page, unsigned count);

#endif

/* Writing a guest's hypercall page. */
#ifndef HV_ARCH_HYPERCALL_PAGE_H
#define HV_ARCH_HYPERCALL_PAGE_H

#include <stdint.h>

void hypercall_page_write(uint8_t *page);

#endif

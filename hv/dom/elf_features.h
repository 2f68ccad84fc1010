/* The XENFEAT names a kernel's FEATURES note may use, and what the domain
 * builder decides about the features a kernel declares (pure logic, host
 * tested in tests/host/test_elf.c). */
#ifndef HV_DOM_ELF_FEATURES_H
#define HV_DOM_ELF_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dom/elf.h"

/* The XENFEAT bit named by name[0..len), or -1 when Xen's libelf does not
 * know the name. */
int elf_feature_bit(const char *name, size_t len);
/* The name of XENFEAT bit `bit`, or NULL. */
const char *elf_feature_name(unsigned bit);

/* The features the builder gives a 64-bit PV kernel. writable_page_tables
 * is the hypervisor's page-table write emulation. */
uint32_t elf_features_offered(bool dom0);

/* Xen 4.17's dom0 builder: a kernel is refused when it requires
 * supervisor_mode_kernel (never given to a PV kernel), or, built as dom0,
 * when it has a SUPPORTED_FEATURES note without dom0 in it. Other required
 * features that are not offered are accepted, as Xen accepts them; they
 * are returned in *unmet (for a warning). 0, or -1 with a one-line reason
 * naming the feature in err. */
int elf_features_decide(const struct elf_xen_info *info, bool dom0, uint32_t *unmet, char *err, size_t errlen);

/* Writes the names of the bits in mask to buf, separated by ", ". */
void elf_feature_names(uint32_t mask, char *buf, size_t len);

#endif

/* Feature names in a kernel's FEATURES note, and the builder's decision
 * about them (see elf_features.h). */
#include "dom/elf_features.h"
#include "lib/string.h"
#include "lib/format.h"
#include "features.h"

/* The names Xen's libelf recognises; any other name is ignored, or is an
 * error when marked required. */
static const struct {
    const char *name;
    unsigned bit;
} names[] = {
    { "writable_page_tables", XENFEAT_writable_page_tables },
    { "writable_descriptor_tables", XENFEAT_writable_descriptor_tables },
    { "auto_translated_physmap", XENFEAT_auto_translated_physmap },
    { "supervisor_mode_kernel", XENFEAT_supervisor_mode_kernel },
    { "pae_pgdir_above_4gb", XENFEAT_pae_pgdir_above_4gb },
    { "hvm_callback_vector", XENFEAT_hvm_callback_vector },
    { "dom0", XENFEAT_dom0 },
};
#define NR_NAMES (sizeof(names) / sizeof(names[0]))

/* Required features Xen refuses a PV kernel outright. */
#define FEATURES_REFUSED (1u << XENFEAT_supervisor_mode_kernel)

int elf_feature_bit(const char *name, size_t len)
{
    for (size_t i = 0; i < NR_NAMES; i++)
        if (strlen(names[i].name) == len && !memcmp(names[i].name, name, len))
            return (int)names[i].bit;
    return -1;
}

const char *elf_feature_name(unsigned bit)
{
    for (size_t i = 0; i < NR_NAMES; i++)
        if (names[i].bit == bit)
            return names[i].name;
    return NULL;
}

uint32_t elf_features_offered(bool dom0)
{
    /* pae_pgdir_above_4gb: page-table bases anywhere, always so in 64-bit mode. */
    uint32_t f = (1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_pae_pgdir_above_4gb);

    return dom0 ? f | (1u << XENFEAT_dom0) : f;
}

void elf_feature_names(uint32_t mask, char *buf, size_t len)
{
    size_t at = 0;

    if (len)
        buf[0] = '\0';
    for (unsigned bit = 0; bit < 32 && at < len; bit++) {
        const char *n;
        if (!(mask & (1u << bit)))
            continue;
        n = elf_feature_name(bit);
        at += (size_t)fmt_snprintf(buf + at, len - at, at ? ", %s" : "%s", n ? n : "?");
    }
}

int elf_features_decide(const struct elf_xen_info *info, bool dom0, uint32_t *unmet, char *err, size_t errlen)
{
    uint32_t refused = info->feat_required & FEATURES_REFUSED;
    char list[96];

    *unmet = info->feat_required & ~elf_features_offered(dom0) & ~refused;
    if (refused) {
        elf_feature_names(refused, list, sizeof(list));
        fmt_snprintf(err, errlen, "the kernel requires feature%s %s, which Xenolith does not offer",
                     (refused & (refused - 1)) ? "s" : "", list);
        return -1;
    }
    if (dom0 && info->has_supported_features && !(info->feat_supported & (1u << XENFEAT_dom0))) {
        fmt_snprintf(err, errlen, "the kernel does not support dom0 operation (dom0 is not in its "
                     "SUPPORTED_FEATURES note)");
        return -1;
    }
    return 0;
}

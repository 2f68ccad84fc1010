/* libFuzzer harness: the guest kernel's ELF image and its Xen ELF notes
 * (hv/dom/elf.c, elf_notes.c), and the start-of-day layout built from
 * them (hv/dom/layout.c).
 *
 * Input: the kernel image, as the boot module holds it. elf_parse_xen()
 * sees exactly these bytes (libFuzzer's copy is exactly as long), so a read
 * past the image is an ASan report. When the image is accepted, the
 * results must keep the promises of elf.h, the bytes of every segment must
 * be readable, and the layout is computed the way hv/dom/build.c does it
 * (dom0_mem of 2 MiB and 64 MiB, with and without an initrd and the domU
 * pages) and checked. */
#include <stdbool.h>

#include "dom/elf.h"
#include "dom/elf_features.h"
#include "layout_check.h"

static struct elf_xen_info info;

static void check_printable(const char *s, size_t cap)
{
    size_t len = strnlen(s, cap);

    FUZZ_CHECK(len < cap);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

static void check_info(const uint8_t *img, size_t size, const struct elf_xen_info *x)
{
    volatile uint8_t sink = 0;

    FUZZ_CHECK(x->nr_seg >= 1 && x->nr_seg <= ELF_MAX_SEGMENTS);
    FUZZ_CHECK(x->virt_kstart < x->virt_kend);
    for (unsigned i = 0; i < x->nr_seg; i++) {
        const struct elf_segment *s = &x->seg[i];

        FUZZ_CHECK(s->file_off <= size && s->filesz <= size - s->file_off);
        FUZZ_CHECK(s->filesz <= s->memsz);
        FUZZ_CHECK(s->flags & 7u);
        FUZZ_CHECK(s->vaddr >= x->virt_kstart && s->vaddr + s->memsz >= s->vaddr);
        FUZZ_CHECK(s->vaddr + s->memsz <= x->virt_kend);
        if (s->filesz) {
            /* The loader copies these bytes: touch both ends. */
            sink ^= img[s->file_off];
            sink ^= img[s->file_off + s->filesz - 1];
        }
    }
    (void)sink;
    FUZZ_CHECK(x->entry >= x->virt_kstart && x->entry < x->virt_kend);
    FUZZ_CHECK(x->virt_base <= x->virt_kstart);
    FUZZ_CHECK(va_ok(x->virt_kstart) && va_ok(x->virt_kend - 1));
    FUZZ_CHECK((x->virt_kstart >> 63) == ((x->virt_kend - 1) >> 63));
    FUZZ_CHECK(x->virt_kend <= HV_LOW || x->virt_kstart >= HV_HIGH);
    if (x->has_hypercall_page)
        FUZZ_CHECK(x->hypercall_page >= x->virt_kstart && x->hypercall_page + PG <= x->virt_kend);
    if (x->has_init_p2m)
        FUZZ_CHECK(x->init_p2m < x->virt_kstart || x->init_p2m >= x->virt_kend);
    FUZZ_CHECK((x->feat_required & ~x->feat_supported) == 0);
    check_printable(x->guest_os, sizeof(x->guest_os));
    check_printable(x->guest_version, sizeof(x->guest_version));
    check_printable(x->xen_version, sizeof(x->xen_version));
    check_printable(x->loader, sizeof(x->loader));
    FUZZ_CHECK(!strncmp(x->xen_version, "xen-3.0", 7));
    FUZZ_CHECK(!strncmp(x->loader, "generic", 7) || !strncmp(x->guest_os, "linux", 5));
}

/* As dom_build_pv() in hv/dom/build.c. */
static void layout(const struct elf_xen_info *x, uint64_t initrd_len, uint64_t nr_pages, bool domu)
{
    struct dom_layout_in in = {
        .virt_base = x->virt_base & ~(PG - 1),
        .kernel_start = x->virt_kstart, .kernel_end = x->virt_kend,
        .initrd_len = initrd_len, .nr_pages = nr_pages, .domu_pages = domu,
        .unmapped_initrd = x->mod_start_pfn, .has_init_p2m = x->has_init_p2m, .init_p2m = x->init_p2m,
    };
    struct dom_layout l;
    char err[160];
    int rc;

    if (in.kernel_start < in.virt_base)
        in.virt_base = in.kernel_start & ~(PG - 1);
    rc = dom_layout_compute(&in, &l, err, sizeof(err));
    check_layout(rc, &in, &l, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    int rc = elf_parse_xen(data, size, &info, err, sizeof(err));

    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
    if (rc) {
        FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    check_info(data, size, &info);
    for (int dom0 = 0; dom0 < 2; dom0++) {
        uint32_t unmet;
        char e[160] = "";
        rc = elf_features_decide(&info, dom0, &unmet, e, sizeof(e));
        FUZZ_CHECK(rc == 0 || (rc == -1 && e[0] != '\0' && strnlen(e, sizeof(e)) < sizeof(e)));
        FUZZ_CHECK((unmet & ~info.feat_required) == 0);
    }
    layout(&info, 0, 512, false);
    layout(&info, size, 16384, true);
    return 0;
}

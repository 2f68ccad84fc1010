/* Decompressing a domain kernel into hypervisor frames (kimage_load.h). */
#include "dom/kimage_load.h"
#include "dom/kimage.h"
#include "core/log.h"
#include "core/time.h"
#include "lib/format.h"
#include "mm/mm.h"
#include "arch/x86_64/page.h"

#define U(x) ((unsigned long long)(x))

static void free_frames(uint64_t mfn, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        mm_free_frame(mfn + i);
}

int dom_kernel_open(const void *img, size_t len, struct dom_kernel *k, char *err, size_t errlen)
{
    struct kimage_info ki;
    char container[24];
    uint64_t frames, mfn, t0;
    size_t got;

    k->elf = 0;
    k->elf_len = 0;
    k->mfn = INVALID_MFN;
    k->frames = 0;
    if (kimage_identify(img, len, &ki, err, errlen) != 0)
        return -1;
    if (ki.kind == KIMAGE_ELF && ki.container == KIMAGE_PLAIN) {
        k->elf = img;
        k->elf_len = len;
        return 0;
    }
    /* One contiguous run, so that the ELF is one flat buffer through the
     * direct map. */
    frames = (ki.out_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    mfn = mm_alloc_frames_contig(frames, 0);
    if (mfn == INVALID_MFN) {
        fmt_snprintf(err, errlen, "no %llu MiB of contiguous memory to decompress the kernel into (%llu MiB free)",
                     U((frames + 255) >> 8), U(mm_free_frames() >> 8));
        return -1;
    }
    t0 = time_now_ns();
    if (kimage_decompress(&ki, mfn_to_virt(mfn), frames << PAGE_SHIFT, &got, err, errlen) != 0) {
        free_frames(mfn, frames);
        return -1;
    }
    if (ki.container == KIMAGE_BZIMAGE)
        fmt_snprintf(container, sizeof(container), "bzImage %u.%02u", ki.boot_version >> 8, ki.boot_version & 0xff);
    else
        fmt_snprintf(container, sizeof(container), "plain file");
    log_info("kernel: %s, %s payload %zu -> %zu bytes in %llu ms\n", container, kimage_kind_name(ki.kind),
             ki.payload_len, got, U((time_now_ns() - t0) / 1000000));
    k->elf = mfn_to_virt(mfn);
    k->elf_len = got;
    k->mfn = mfn;
    k->frames = frames;
    return 0;
}

void dom_kernel_close(struct dom_kernel *k)
{
    if (k->frames)
        free_frames(k->mfn, k->frames);
    k->elf = 0;
    k->elf_len = 0;
    k->frames = 0;
}

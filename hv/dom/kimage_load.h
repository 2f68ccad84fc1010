/* A domain kernel as dom_build_pv() wants it: an ELF in hypervisor memory.
 *
 * dom_kernel_open() takes a boot module (ELF, bzImage with an xz or gzip
 * payload, bare .xz or .gz; see dom/kimage.h). A plain ELF is used where
 * it lies; anything else is decompressed into hypervisor frames, which
 * stay taken until dom_kernel_close(). Open once and build as many
 * domains from it as needed. */
#ifndef HV_DOM_KIMAGE_LOAD_H
#define HV_DOM_KIMAGE_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct dom_kernel {
    const void *elf;        /* the ELF to build from */
    size_t elf_len;
    uint64_t mfn;           /* first of the frames holding it; frames == 0: none */
    uint64_t frames;
};

/* 0, or -1 with a one-line reason in err (then nothing is held). */
int dom_kernel_open(const void *img, size_t len, struct dom_kernel *k, char *err, size_t errlen);
/* Gives back the frames of a decompressed kernel; safe on a plain ELF. */
void dom_kernel_close(struct dom_kernel *k);

#endif

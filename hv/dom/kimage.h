/* Kernel images the domain builder accepts, and how to get the ELF out.
 *
 * A kernel boot module may be:
 *   - a plain ELF64 (what dom_build_pv() loads);
 *   - a bzImage (Linux boot protocol >= 2.08) whose payload is xz or gzip:
 *     the payload lies payload_offset bytes into the protected-mode code,
 *     which starts at (setup_sects + 1) * 512 (setup_sects 0 means 4), and
 *     its last 4 bytes are the little-endian uncompressed size (Linux
 *     appends it; for gzip it is also, or only, the trailer's ISIZE);
 *   - a bare .xz or .gz file holding an ELF (vmlinux.xz, vmlinux.gz).
 *
 * kimage_identify() only reads headers: every field is bounds-checked
 * against len, and what it says (out_size) lets the caller allocate before
 * decompressing. kimage_decompress() runs the decoder and checks that the
 * result is exactly out_size bytes of ELF. Nothing is allocated here. */
#ifndef HV_DOM_KIMAGE_H
#define HV_DOM_KIMAGE_H

#include <stddef.h>
#include <stdint.h>

/* The largest decompressed kernel we take (Debian's 6.1 is ~63 MiB). */
#define KIMAGE_MAX_OUT (512u << 20)

enum kimage_kind { KIMAGE_ELF, KIMAGE_XZ, KIMAGE_GZIP };
enum kimage_container { KIMAGE_PLAIN, KIMAGE_BZIMAGE };

struct kimage_info {
    enum kimage_kind kind;           /* what payload is */
    enum kimage_container container; /* plain file, or inside a bzImage */
    uint16_t boot_version;           /* bzImage: boot protocol, 0x020f is 2.15 */
    uint32_t setup_sects;            /* bzImage: as used (0 read as 4) */
    size_t payload_off;              /* payload's offset in the image */
    const uint8_t *payload;          /* what the decoder gets (ELF: the ELF) */
    size_t payload_len;
    size_t out_size;                 /* the ELF's size once decompressed */
};

/* 0 with *ki filled, or -1 with a one-line reason in err. */
int kimage_identify(const void *img, size_t len, struct kimage_info *ki, char *err, size_t errlen);

/* Decompresses ki's payload into out[0..cap) (an ELF is copied): 0 with
 * *out_len == ki->out_size and an ELF in out, or -1 with the reason (the
 * decoder's error code among it). cap must be at least ki->out_size. */
int kimage_decompress(const struct kimage_info *ki, void *out, size_t cap, size_t *out_len,
                      char *err, size_t errlen);

/* "ELF", "xz", "gzip". */
const char *kimage_kind_name(enum kimage_kind kind);

#endif

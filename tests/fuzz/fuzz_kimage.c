/* libFuzzer harness: kernel image identification and decompression
 * (hv/dom/kimage.c, with the xz and gzip decoders).
 *
 * Input: a whole kernel image (bzImage, .xz, .gz or ELF), copied to a heap
 * buffer of exactly its size so that ASan reports any read past it. When
 * kimage_identify() accepts it, its promises are checked: the payload lies
 * inside the image, and 0 < out_size <= KIMAGE_MAX_OUT. It is then
 * decompressed into a bounded buffer (KIMAGE_FUZZ_CAP): an out_size bigger
 * than that must be refused before decoding, and a success must give
 * exactly out_size bytes starting with the ELF magic. */
#include "fuzz.h"
#include "dom/kimage.h"

#define KIMAGE_FUZZ_CAP (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *img = malloc(size ? size : 1), *out;
    struct kimage_info ki;
    char err[160];
    size_t got = 99;
    int r;

    FUZZ_CHECK(img != NULL);
    memcpy(img, data, size);
    err[0] = 0;
    r = kimage_identify(img, size, &ki, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -1);
    if (r != 0) {
        FUZZ_CHECK(err[0] != 0 && strlen(err) < sizeof(err));
        free(img);
        return 0;
    }
    FUZZ_CHECK(ki.payload >= img && ki.payload_len <= size && (size_t)(ki.payload - img) <= size - ki.payload_len);
    FUZZ_CHECK(ki.payload_off == (size_t)(ki.payload - img));
    FUZZ_CHECK(ki.out_size > 0 && ki.out_size <= KIMAGE_MAX_OUT);
    out = malloc(KIMAGE_FUZZ_CAP);
    FUZZ_CHECK(out != NULL);
    err[0] = 0;
    r = kimage_decompress(&ki, out, KIMAGE_FUZZ_CAP, &got, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -1);
    if (r == 0) {
        FUZZ_CHECK(ki.out_size <= KIMAGE_FUZZ_CAP && got == ki.out_size);
        FUZZ_CHECK(got >= 4 && memcmp(out, "\177ELF", 4) == 0);
    } else {
        FUZZ_CHECK(got == 0 && err[0] != 0);
        if (ki.out_size > KIMAGE_FUZZ_CAP)
            FUZZ_CHECK(strstr(err, "room") != NULL);    /* refused before decoding */
    }
    free(out);
    free(img);
    return 0;
}

/* libFuzzer harness: the .xz decompressor (hv/lib/xz_dec.c, lzma2_dec.c,
 * bcj_x86.c).
 *
 * Input: a whole .xz file. It is decoded into a heap buffer of exactly
 * XZ_FUZZ_OUT bytes, so AddressSanitizer reports any write past it. When
 * it decodes, the result must fit and be reproducible: decoding again
 * into a buffer of exactly the reported size gives the same bytes, and one
 * byte less is refused. */
#include "fuzz.h"
#include "lib/xz.h"

#define XZ_FUZZ_OUT (256u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = malloc(XZ_FUZZ_OUT);
    size_t len = 0, len2 = 0;
    int r;

    FUZZ_CHECK(out != NULL);
    r = xz_decode(data, size, out, XZ_FUZZ_OUT, &len);
    FUZZ_CHECK(r <= 0 && r >= XZ_E_NOSPACE);
    if (r == 0) {
        uint8_t *exact = malloc(len ? len : 1);

        FUZZ_CHECK(len <= XZ_FUZZ_OUT);
        FUZZ_CHECK(exact != NULL);
        FUZZ_CHECK(xz_decode(data, size, exact, len, &len2) == 0);
        FUZZ_CHECK(len2 == len && memcmp(exact, out, len) == 0);
        if (len > 0)
            FUZZ_CHECK(xz_decode(data, size, exact, len - 1, &len2) == XZ_E_NOSPACE);
        free(exact);
    } else {
        FUZZ_CHECK(len == 0);
    }
    free(out);
    return 0;
}

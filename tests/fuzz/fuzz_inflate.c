/* libFuzzer harness: gzip_decode() and inflate_raw() (hv/lib/gzip.c,
 * inflate.c, inflate_huff.c, gzip_crc.c) on any bytes.
 *
 * Input: byte 0 picks the decoder (bit 0: gzip, else raw DEFLATE), bytes
 * 1-2 the output capacity in units of 8 bytes (little endian, up to
 * 512 KiB), the rest is the compressed stream. Both buffers are heap
 * copies of exactly their size, so ASan reports any access outside them;
 * libFuzzer's -timeout catches a decoder that is not linear.
 *
 * Promises checked: on success out_len <= out_cap, and decoding again into
 * exactly out_len bytes gives the same bytes, while one byte less is
 * GZ_E_OUTPUT; errors are GZ_E* codes. */
#include "fuzz.h"
#include "lib/gzip.h"

static int run(int gzip, const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    return gzip ? gzip_decode(in, len, out, cap, out_len) : inflate_raw(in, len, out, cap, out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap, len, out_len = (size_t)-1, again_len = (size_t)-1;
    uint8_t *in, *out, *again;
    int gzip, rc;

    if (size < 3)
        return 0;
    gzip = data[0] & 1;
    cap = ((size_t)data[1] | (size_t)data[2] << 8) * 8;
    len = size - 3;
    in = malloc(len ? len : 1);
    memcpy(in, data + 3, len);
    out = malloc(cap ? cap : 1);

    rc = run(gzip, in, len, out, cap, &out_len);
    FUZZ_CHECK(rc <= 0 && rc >= GZ_E_SIZE);
    if (rc == 0) {
        FUZZ_CHECK(out_len <= cap);
        again = malloc(out_len ? out_len : 1);
        FUZZ_CHECK(run(gzip, in, len, again, out_len, &again_len) == 0);
        FUZZ_CHECK(again_len == out_len && memcmp(again, out, out_len) == 0);
        free(again);
        if (out_len > 0) {
            again = malloc(out_len - 1 ? out_len - 1 : 1);
            FUZZ_CHECK(run(gzip, in, len, again, out_len - 1, &again_len) == GZ_E_OUTPUT);
            free(again);
        }
    } else {
        FUZZ_CHECK(out_len == (size_t)-1);
    }
    free(out);
    free(in);
    return 0;
}

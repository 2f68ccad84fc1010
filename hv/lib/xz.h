/* Single-call .xz decompressor for the domain builder (kernel payloads).
 *
 * xz_decode() decodes a whole .xz file held in memory into out[0..out_cap):
 * the output buffer is also the LZMA2 dictionary, so no other buffer is
 * needed. Supported: check types None, CRC32 and CRC64; the filter chains
 * [LZMA2] and [x86 BCJ, LZMA2]; any number of blocks; concatenated streams
 * and stream padding. Every input, however malformed, ends in an error
 * without touching memory outside in[] and out[], in time linear in
 * in_len + out_cap.
 *
 * The LZMA2 probability tables (about 30 KiB) are static, not on the stack:
 * a second caller while one decode runs gets XZ_E_BUSY. */
#ifndef HV_LIB_XZ_H
#define HV_LIB_XZ_H

#include <stddef.h>
#include <stdint.h>

#define XZ_E_TRUNCATED   (-1) /* the input ends inside the file */
#define XZ_E_CORRUPT     (-2) /* malformed headers, index or compressed data */
#define XZ_E_CHECK       (-3) /* a header CRC or a block's check does not match */
#define XZ_E_FILTER      (-4) /* a filter (or its options) we do not implement */
#define XZ_E_CHECK_TYPE  (-5) /* check type SHA-256 or a reserved one */
#define XZ_E_NOSPACE     (-6) /* out_cap is too small for the decoded data */
#define XZ_E_BUSY        (-7) /* another xz_decode() is running */

/* Returns 0 with *out_len bytes decoded, or a negative XZ_E_* code (then
 * out[] holds partial data and *out_len is 0). */
int xz_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif

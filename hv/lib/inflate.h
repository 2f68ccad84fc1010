/* DEFLATE (RFC 1951) decompression in one call, for the domain builder's
 * compressed kernels.
 *
 * The whole output buffer is the window: a back-reference may reach any
 * byte written so far, never before the start of out. Nothing is
 * allocated; the decoder keeps its state on the stack (about 4 KiB deep
 * at most, gzip_decode() included, as gcc -O2 measures it). Every
 * input is safe: malformed data ends in a negative GZ_E* code, never in a
 * read or write outside [in, in + in_len) and [out, out + out_cap), and
 * the time taken is linear in in_len + out_cap. */
#ifndef HV_LIB_INFLATE_H
#define HV_LIB_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Errors of inflate_raw() and gzip_decode(). */
#define GZ_E_TRUNC   (-1)   /* the input ends in the middle of the stream */
#define GZ_E_OUTPUT  (-2)   /* the output does not fit in out_cap bytes */
#define GZ_E_BLOCK   (-3)   /* reserved block type, stored length != ~NLEN */
#define GZ_E_TABLE   (-4)   /* code lengths: over-subscribed, incomplete, too many */
#define GZ_E_CODE    (-5)   /* bits that are no code, or a symbol DEFLATE reserves */
#define GZ_E_DIST    (-6)   /* a distance reaching before the start of the output */
#define GZ_E_HEADER  (-7)   /* gzip: bad magic, method or flags */
#define GZ_E_HCRC    (-8)   /* gzip: header CRC16 (FHCRC) mismatch */
#define GZ_E_CRC     (-9)   /* gzip: CRC32 of the data mismatch */
#define GZ_E_SIZE    (-10)  /* gzip: ISIZE mismatch */

/* Decompresses the raw DEFLATE stream at in (up to its final block; bytes
 * after it are ignored) into out. On success returns 0 and sets *out_len;
 * on error *out_len is left alone and out holds garbage. */
int inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                size_t *out_len);

/* inflate_raw() that also says how many input bytes the stream took
 * (its last byte included, padding bits and all): gzip needs it to find
 * the trailer. */
int inflate_raw_used(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                     size_t *out_len, size_t *in_used);

#endif

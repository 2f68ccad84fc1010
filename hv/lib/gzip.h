/* gzip files (RFC 1952): the compressed kernels some bzImages carry.
 *
 * gzip_decode() decompresses every member of a gzip file, one after the
 * other into out, as `gzip -d` does. Once at least one member is done,
 * input that does not start with the gzip magic (1f 8b) ends the file and
 * is ignored: Linux's build has appended the decompressed size (4 bytes)
 * after the gzip stream of a kernel payload in some versions. Each member's CRC32 and ISIZE are checked, and
 * its header CRC16 when FHCRC is set. Errors are the GZ_E* codes of
 * lib/inflate.h; a back-reference never reaches into an earlier member. */
#ifndef HV_LIB_GZIP_H
#define HV_LIB_GZIP_H

#include "lib/inflate.h"
#include "lib/crc32.h"     /* members' CRC: crc32_update */

int gzip_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                size_t *out_len);

#endif

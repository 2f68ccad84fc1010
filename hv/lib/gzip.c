/* gzip members (RFC 1952): header, DEFLATE data, CRC32 and ISIZE. */
#include "lib/gzip.h"

#define GZ_FTEXT    0x01u
#define GZ_FHCRC    0x02u
#define GZ_FEXTRA   0x04u
#define GZ_FNAME    0x08u
#define GZ_FCOMMENT 0x10u
#define GZ_FRESERVED 0xe0u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Skips a zero-terminated field (FNAME, FCOMMENT) starting at *pos. */
static int skip_string(const uint8_t *in, size_t len, size_t *pos)
{
    while (*pos < len) {
        if (in[(*pos)++] == 0)
            return 0;
    }
    return GZ_E_TRUNC;
}

/* Parses the member header at in; *hdr_len is its size. */
static int member_header(const uint8_t *in, size_t len, size_t *hdr_len)
{
    size_t pos = 10;
    unsigned flg;
    int rc;

    if (len < 10)
        return len >= 2 && (in[0] != 0x1f || in[1] != 0x8b) ? GZ_E_HEADER : GZ_E_TRUNC;
    if (in[0] != 0x1f || in[1] != 0x8b || in[2] != 8)
        return GZ_E_HEADER;         /* magic, or a method other than deflate */
    flg = in[3];
    if (flg & GZ_FRESERVED)
        return GZ_E_HEADER;         /* RFC 1952: must be refused */
    if (flg & GZ_FEXTRA) {
        size_t xlen;

        if (len - pos < 2)
            return GZ_E_TRUNC;
        xlen = (size_t)in[pos] | (size_t)in[pos + 1] << 8;
        pos += 2;
        if (len - pos < xlen)
            return GZ_E_TRUNC;
        pos += xlen;
    }
    if ((flg & GZ_FNAME) && (rc = skip_string(in, len, &pos)) != 0)
        return rc;
    if ((flg & GZ_FCOMMENT) && (rc = skip_string(in, len, &pos)) != 0)
        return rc;
    if (flg & GZ_FHCRC) {
        if (len - pos < 2)
            return GZ_E_TRUNC;
        /* The low 16 bits of the CRC32 of the header bytes before it. */
        if ((crc32_update(0, in, pos) & 0xffffu) != ((unsigned)in[pos] | (unsigned)in[pos + 1] << 8))
            return GZ_E_HCRC;
        pos += 2;
    }
    *hdr_len = pos;
    return 0;
}

int gzip_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                size_t *out_len)
{
    size_t pos = 0, done = 0;

    do {
        size_t hdr, used, n;
        int rc;

        if ((rc = member_header(in + pos, in_len - pos, &hdr)) != 0)
            return rc;
        pos += hdr;
        rc = inflate_raw_used(in + pos, in_len - pos, out + done, out_cap - done, &n, &used);
        if (rc != 0)
            return rc;
        pos += used;
        if (in_len - pos < 8)
            return GZ_E_TRUNC;
        if (crc32_update(0, out + done, n) != rd32(in + pos))
            return GZ_E_CRC;
        if ((uint32_t)n != rd32(in + pos + 4))
            return GZ_E_SIZE;
        pos += 8;
        done += n;
        /* Another member follows only if it starts with the magic. */
    } while (in_len - pos >= 2 && in[pos] == 0x1f && in[pos + 1] == 0x8b);

    *out_len = done;
    return 0;
}

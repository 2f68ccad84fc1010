/* Telling kernel image formats apart and decompressing them (kimage.h). */
#include "dom/kimage.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/xz.h"
#include "lib/gzip.h"

#define BZ_SETUP_SECTS   0x1f1
#define BZ_BOOT_FLAG     0x1fe
#define BZ_HDRS          0x202
#define BZ_VERSION       0x206
#define BZ_PAYLOAD_OFF   0x248
#define BZ_PAYLOAD_LEN   0x24c
#define BZ_HDR_END       0x250      /* the fields we read end here */
#define BZ_MIN_VERSION   0x0208     /* the first with payload_offset/length */

#define XZ_HEADER_LEN    12         /* stream header, and footer */

static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t gz_magic[2] = { 0x1f, 0x8b };

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int has(const uint8_t *p, size_t len, const uint8_t *magic, size_t n)
{
    return len >= n && memcmp(p, magic, n) == 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

const char *kimage_kind_name(enum kimage_kind kind)
{
    switch (kind) {
    case KIMAGE_ELF: return "ELF";
    case KIMAGE_XZ: return "xz";
    case KIMAGE_GZIP: return "gzip";
    }
    return "?";
}

/* The compressions Linux offers that we do not decode, to say which one. */
static const char *other_compression(const uint8_t *p, size_t n)
{
    if (n >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
        return "bzip2";
    if (n >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
        return "lzma";
    if (n >= 4 && p[0] == 0x89 && p[1] == 'L' && p[2] == 'Z' && p[3] == 'O')
        return "lzo";
    if (n >= 4 && rd32(p) == 0x184c2102)
        return "lz4";
    if (n >= 4 && rd32(p) == 0xfd2fb528)
        return "zstd";
    return 0;
}

/* One xz variable-length integer at p[*pos..end): false if it runs off the
 * end or is longer than 9 bytes (the format's limit, 63 bits). */
static int xz_varint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v)
{
    *v = 0;
    for (unsigned i = 0; i < 9; i++) {
        if (*pos >= end)
            return 0;
        uint8_t b = p[(*pos)++];
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return i == 0 || b != 0;      /* no redundant zero bytes */
    }
    return 0;
}

/* The uncompressed size a single-stream .xz file records in its index
 * (the sum of its blocks'). The decoder checks the CRCs; this only has to
 * stay within p[0..n) and say what to allocate. */
static int xz_index_size(const uint8_t *p, size_t n, uint64_t *size, char *err, size_t errlen)
{
    uint64_t back, records, unpadded, usize, total = 0;
    size_t pos, end;

    if (n < 2 * XZ_HEADER_LEN + 8)
        return fail(err, errlen, "xz: %zu bytes is too short for a stream", n);
    if (p[n - 2] != 'Y' || p[n - 1] != 'Z')
        return fail(err, errlen, "xz: no stream footer magic at the end (bytes %02x %02x at +%zu; "
                    "padded or concatenated streams are not taken)", p[n - 2], p[n - 1], n - 2);
    back = ((uint64_t)rd32(p + n - 8) + 1) * 4;
    if (back > n - 2 * XZ_HEADER_LEN)
        return fail(err, errlen, "xz: the footer's index size %llu does not fit in %zu bytes",
                    (unsigned long long)back, n);
    pos = n - XZ_HEADER_LEN - (size_t)back;
    end = n - XZ_HEADER_LEN - 4;          /* the index's CRC32 is not read */
    if (p[pos++] != 0x00)
        return fail(err, errlen, "xz: no index indicator at +%zu", pos - 1);
    if (!xz_varint(p, end, &pos, &records))
        return fail(err, errlen, "xz: bad record count in the index at +%zu", pos);
    if (records == 0 || records > (end - pos) / 2)
        return fail(err, errlen, "xz: the index has %llu records", (unsigned long long)records);
    for (uint64_t i = 0; i < records; i++) {
        if (!xz_varint(p, end, &pos, &unpadded) || !xz_varint(p, end, &pos, &usize))
            return fail(err, errlen, "xz: index record %llu is malformed (at +%zu)", (unsigned long long)i, pos);
        if (usize > KIMAGE_MAX_OUT || total + usize > KIMAGE_MAX_OUT) {
            total = (uint64_t)KIMAGE_MAX_OUT + 1;      /* refused by the caller */
            break;
        }
        total += usize;
    }
    *size = total;
    return 0;
}

/* Fills the payload fields for data of kind at img[off..off+n). trailer:
 * the last 4 bytes are Linux's appended size (bzImage). */
static int classify(const uint8_t *img, size_t off, size_t n, int trailer, struct kimage_info *ki,
                    char *err, size_t errlen)
{
    const uint8_t *p = img + off;
    const char *where = trailer ? "bzImage payload" : "image";
    uint64_t size = 0;
    const char *other;

    ki->payload_off = off;
    ki->payload = p;
    if (has(p, n, xz_magic, sizeof(xz_magic))) {
        ki->kind = KIMAGE_XZ;
        ki->payload_len = trailer ? n - 4 : n;        /* n >= 4: checked by the caller */
        if (xz_index_size(p, ki->payload_len, &size, err, errlen) != 0)
            return -1;
        if (trailer && rd32(p + n - 4) != size)
            return fail(err, errlen, "bzImage payload: the size trailer says %u bytes, the xz index %llu",
                        rd32(p + n - 4), (unsigned long long)size);
    } else if (has(p, n, gz_magic, sizeof(gz_magic))) {
        ki->kind = KIMAGE_GZIP;
        if (n < 18)
            return fail(err, errlen, "%s: %zu bytes is too short for gzip", where, n);
        size = rd32(p + n - 4);                     /* ISIZE, or the appended copy of it */
        /* Linux may append the size after the gzip trailer (CRC32, ISIZE):
         * then the 4 bytes before it are ISIZE, the same number. */
        ki->payload_len = trailer && rd32(p + n - 8) == size ? n - 4 : n;
    } else if (!trailer && has(p, n, elf_magic, sizeof(elf_magic))) {
        ki->kind = KIMAGE_ELF;
        ki->payload_len = n;
        size = n;
    } else if ((other = other_compression(p, n)) != 0) {
        return fail(err, errlen, "%s at +%zu is %s-compressed: only xz and gzip are taken", where, off, other);
    } else {
        return fail(err, errlen, "%s at +%zu is not %s (first bytes %02x %02x %02x %02x)", where, off,
                    trailer ? "xz or gzip" : "an ELF, bzImage, .xz or .gz",
                    n > 0 ? p[0] : 0, n > 1 ? p[1] : 0, n > 2 ? p[2] : 0, n > 3 ? p[3] : 0);
    }
    if (size == 0 || size > KIMAGE_MAX_OUT)
        return fail(err, errlen, "%s: uncompressed size %llu is %s", where, (unsigned long long)size,
                    size ? "more than the 512 MiB we take" : "zero");
    ki->out_size = (size_t)size;
    return 0;
}

static int identify_bzimage(const uint8_t *p, size_t len, struct kimage_info *ki, char *err, size_t errlen)
{
    uint16_t flag, ver;
    uint64_t pm, off, plen;

    if (len < BZ_VERSION + 2)
        return fail(err, errlen, "bzImage: %zu bytes, the header needs %u", len, BZ_VERSION + 2);
    flag = rd16(p + BZ_BOOT_FLAG);
    if (flag != 0xaa55)
        return fail(err, errlen, "bzImage: boot_flag at 0x1fe is 0x%04x, not 0xaa55", flag);
    ver = rd16(p + BZ_VERSION);
    if (ver < BZ_MIN_VERSION)
        return fail(err, errlen, "bzImage: boot protocol %u.%02u (0x%04x): payload fields need 2.08 or later",
                    ver >> 8, ver & 0xff, ver);
    if (len < BZ_HDR_END)
        return fail(err, errlen, "bzImage: %zu bytes, the header needs %u", len, BZ_HDR_END);
    ki->container = KIMAGE_BZIMAGE;
    ki->boot_version = ver;
    ki->setup_sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
    pm = ((uint64_t)ki->setup_sects + 1) * 512;
    off = rd32(p + BZ_PAYLOAD_OFF);
    plen = rd32(p + BZ_PAYLOAD_LEN);
    if (pm >= len)
        return fail(err, errlen, "bzImage: setup_sects %u puts the kernel at 0x%llx, past the end (0x%zx)",
                    ki->setup_sects, (unsigned long long)pm, len);
    if (plen < 4 + 6 || off > len - pm || plen > len - pm - off)
        return fail(err, errlen, "bzImage: payload 0x%llx+0x%llx (length %llu) after the setup at 0x%llx "
                    "is outside the %zu-byte file", (unsigned long long)off, (unsigned long long)plen,
                    (unsigned long long)plen, (unsigned long long)pm, len);
    return classify(p, (size_t)(pm + off), (size_t)plen, 1, ki, err, errlen);
}

int kimage_identify(const void *img, size_t len, struct kimage_info *ki, char *err, size_t errlen)
{
    const uint8_t *p = img;

    memset(ki, 0, sizeof(*ki));
    if (len >= BZ_HDRS + 4 && p[BZ_HDRS] == 'H' && p[BZ_HDRS + 1] == 'd' && p[BZ_HDRS + 2] == 'r' &&
        p[BZ_HDRS + 3] == 'S' && !has(p, len, elf_magic, sizeof(elf_magic)))
        return identify_bzimage(p, len, ki, err, errlen);
    ki->container = KIMAGE_PLAIN;
    return classify(p, 0, len, 0, ki, err, errlen);
}

static const char *xz_error_name(int r)
{
    switch (r) {
    case XZ_E_TRUNCATED: return "truncated";
    case XZ_E_CORRUPT: return "corrupt";
    case XZ_E_CHECK: return "check mismatch";
    case XZ_E_FILTER: return "unsupported filter";
    case XZ_E_CHECK_TYPE: return "unsupported check type";
    case XZ_E_NOSPACE: return "more data than the size says";
    case XZ_E_BUSY: return "decoder busy";
    }
    return "unknown";
}

static const char *gz_error_name(int r)
{
    switch (r) {
    case GZ_E_TRUNC: return "truncated";
    case GZ_E_OUTPUT: return "more data than the size says";
    case GZ_E_BLOCK: return "bad block";
    case GZ_E_TABLE: return "bad code lengths";
    case GZ_E_CODE: return "bad code";
    case GZ_E_DIST: return "distance too far back";
    case GZ_E_HEADER: return "bad header";
    case GZ_E_HCRC: return "header CRC mismatch";
    case GZ_E_CRC: return "CRC32 mismatch";
    case GZ_E_SIZE: return "ISIZE mismatch";
    }
    return "unknown";
}

int kimage_decompress(const struct kimage_info *ki, void *out, size_t cap, size_t *out_len,
                      char *err, size_t errlen)
{
    uint8_t *o = out;
    size_t n = 0;
    int r;

    *out_len = 0;
    if (ki->out_size == 0 || cap < ki->out_size)
        return fail(err, errlen, "kernel: %zu bytes of room for a %zu-byte ELF", cap, ki->out_size);
    /* The buffer given to the decoder is exactly out_size: a stream that
     * holds more fails instead of running on. */
    switch (ki->kind) {
    case KIMAGE_ELF:
        if (ki->payload_len != ki->out_size)
            return fail(err, errlen, "kernel: ELF of %zu bytes, %zu expected", ki->payload_len, ki->out_size);
        memcpy(o, ki->payload, ki->out_size);
        n = ki->out_size;
        break;
    case KIMAGE_XZ:
        r = xz_decode(ki->payload, ki->payload_len, o, ki->out_size, &n);
        if (r != 0)
            return fail(err, errlen, "xz payload (%zu bytes at +%zu): decoder error %d (%s)", ki->payload_len,
                        ki->payload_off, r, xz_error_name(r));
        break;
    case KIMAGE_GZIP:
        r = gzip_decode(ki->payload, ki->payload_len, o, ki->out_size, &n);
        if (r != 0)
            return fail(err, errlen, "gzip payload (%zu bytes at +%zu): decoder error %d (%s)", ki->payload_len,
                        ki->payload_off, r, gz_error_name(r));
        break;
    default:
        return fail(err, errlen, "kernel: unknown kind %d", (int)ki->kind);
    }
    if (n != ki->out_size)
        return fail(err, errlen, "%s payload decoded to %zu bytes, the image says %zu", kimage_kind_name(ki->kind),
                    n, ki->out_size);
    if (!has(o, n, elf_magic, sizeof(elf_magic)))
        return fail(err, errlen, "%s payload decoded to %zu bytes that are not ELF (first bytes %02x %02x %02x %02x)",
                    kimage_kind_name(ki->kind), n, o[0], n > 1 ? o[1] : 0, n > 2 ? o[2] : 0, n > 3 ? o[3] : 0);
    *out_len = n;
    return 0;
}

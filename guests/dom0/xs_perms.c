/* Xen's XenStore permission model (see xs_perms.h). */
#include "xs_perms.h"
#include "xs.h"
#include "xs_str.h"
#include "errno.h"

unsigned xs_perms_for(const struct xs_who *who, const struct xs_perms *perms)
{
    const unsigned all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

    /* The owner (or the device model of the owner) and the tools get it all. */
    if (who->privileged || perms->p[0].domid == who->domid ||
        (who->target >= 0 && perms->p[0].domid == (unsigned)who->target))
        return all;
    for (unsigned i = 1; i < perms->num; i++) {
        if (perms->p[i].domid == who->domid ||
            (who->target >= 0 && perms->p[i].domid == (unsigned)who->target))
            return perms->p[i].access & (XS_PERM_READ | XS_PERM_WRITE);
    }
    return perms->p[0].access & (XS_PERM_READ | XS_PERM_WRITE);
}

int xs_perms_parse(struct xs_perms *out, const char *text, size_t len, unsigned num)
{
    const char *vec_one;
    size_t off = 0;

    out->num = 0;
    out->p = NULL;
    if (!num)
        return XEN_EINVAL;
    out->p = xs_malloc(num * sizeof(*out->p));
    if (!out->p)
        return XEN_ENOMEM;
    for (unsigned i = 0; i < num; i++) {
        uint64_t domid;
        unsigned access;

        if (xs_get_strings(text + off, len - off, &vec_one, 1) != 1)
            goto inval;
        switch (vec_one[0]) {
        case 'n': access = XS_PERM_NONE; break;
        case 'r': access = XS_PERM_READ; break;
        case 'w': access = XS_PERM_WRITE; break;
        case 'b': access = XS_PERM_READ | XS_PERM_WRITE; break;
        default: goto inval;
        }
        if (xs_parse_u64(vec_one + 1, 0xffff, &domid))
            goto inval;
        out->p[i].domid = (uint16_t)domid;
        out->p[i].access = (uint8_t)access;
        off += xs_strlen(vec_one) + 1;
    }
    out->num = num;
    return 0;
inval:
    xs_free(out->p);
    out->p = NULL;
    return XEN_EINVAL;
}

size_t xs_perms_format(const struct xs_perms *perms, char *buf, size_t max)
{
    static const char letters[] = "nrwb";
    size_t n = 0;
    char one[24];

    for (unsigned i = 0; i < perms->num; i++) {
        size_t l;

        one[0] = letters[perms->p[i].access & 3];
        l = 1 + xs_utoa(perms->p[i].domid, one + 1) + 1;
        if (buf && n + l <= max)
            xs_memcpy(buf + n, one, l);
        n += l;
    }
    return n;
}

size_t xs_perms_text_len(const struct xs_perms *perms)
{
    return xs_perms_format(perms, NULL, 0);
}

int xs_perms_copy(struct xs_perms *dst, const struct xs_perms *src)
{
    dst->p = xs_malloc(src->num * sizeof(*src->p));
    if (!dst->p) {
        dst->num = 0;
        return XEN_ENOMEM;
    }
    xs_memcpy(dst->p, src->p, src->num * sizeof(*src->p));
    dst->num = src->num;
    return 0;
}

int xs_perms_equal(const struct xs_perms *a, const struct xs_perms *b)
{
    if (a->num != b->num)
        return 0;
    for (unsigned i = 0; i < a->num; i++) {
        if (a->p[i].domid != b->p[i].domid || a->p[i].access != b->p[i].access)
            return 0;
    }
    return 1;
}

void xs_perms_free(struct xs_perms *perms)
{
    xs_free(perms->p);
    perms->p = NULL;
    perms->num = 0;
}

int xs_perms_single(struct xs_perms *out, unsigned owner, unsigned access)
{
    out->p = xs_malloc(sizeof(*out->p));
    if (!out->p) {
        out->num = 0;
        return XEN_ENOMEM;
    }
    out->p[0].domid = (uint16_t)owner;
    out->p[0].access = (uint8_t)access;
    out->num = 1;
    return 0;
}

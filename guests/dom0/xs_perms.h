/* Xen's XenStore permission model. A node has a list of (domid, access)
 * entries; the first names the owner and gives everybody else's default,
 * the others override it for one domain each. The owner and privileged
 * connections may do anything. Text form per entry: "n5" none, "r5" read,
 * "w5" write, "b5" both. */
#ifndef DOM0_XS_PERMS_H
#define DOM0_XS_PERMS_H

#include <stddef.h>
#include <stdint.h>

#define XS_PERM_NONE  0u
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PERM_OWNER 4u   /* never stored: what the owner gets on top */

/* Unprivileged domains may set at most this many entries (cxenstored's
 * quota_nb_perms_per_node); more gives ENOSPC. */
#define XS_PERMS_MAX_UNPRIV 5u

struct xs_perm {
    uint16_t domid;
    uint8_t access;        /* XS_PERM_READ | XS_PERM_WRITE */
};

struct xs_perms {
    unsigned num;          /* >= 1 */
    struct xs_perm *p;     /* xs_malloc'd */
};

/* Who is asking: a connection's domain, its privilege, and the domain it is
 * a device model for (SET_TARGET), or -1. */
struct xs_who {
    unsigned domid;
    int privileged;
    int target;
};

/* The access bits (READ, WRITE, OWNER) who has on a node with perms. */
unsigned xs_perms_for(const struct xs_who *who, const struct xs_perms *perms);

/* Parses num strings (each NUL-terminated) at text. Returns 0 or XEN_EINVAL
 * (bad letter, domid not decimal or over 65535), XEN_ENOMEM. */
int xs_perms_parse(struct xs_perms *out, const char *text, size_t len, unsigned num);
/* Text form, each entry NUL-terminated, into buf (max bytes); returns the
 * full length (bytes needed). */
size_t xs_perms_format(const struct xs_perms *perms, char *buf, size_t max);
/* Length of the text form (what counts against the node size quota). */
size_t xs_perms_text_len(const struct xs_perms *perms);
int xs_perms_copy(struct xs_perms *dst, const struct xs_perms *src);
int xs_perms_equal(const struct xs_perms *a, const struct xs_perms *b);
void xs_perms_free(struct xs_perms *perms);
/* A one-entry list: owner with default access. */
int xs_perms_single(struct xs_perms *out, unsigned owner, unsigned access);

#endif

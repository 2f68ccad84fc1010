/* The usual fixture of the XenStore tests: the tree xl would write for
 * domains 1 and 2 (home readable by the domain, data/ owned by it), both
 * introduced, and dom0's privileged connection. */
#ifndef TESTS_HOST_XS_SETUP_H
#define TESTS_HOST_XS_SETUP_H

#include "xs_harness.h"

struct fx {
    struct xs_store *s;
    struct xs_conn *d0, *d1, *d2;
};

static void fx_domain(struct xs_store *s, unsigned id)
{
    char home[64], data[80], perms[32];
    int n;

    snprintf(home, sizeof(home), "/local/domain/%u", id);
    snprintf(data, sizeof(data), "%s/data", home);
    CHECK_EQ(xs_mkdir(s, home), 0);
    n = snprintf(perms, sizeof(perms), "n0%cr%u%c", 0, id, 0);
    CHECK_EQ(xs_set_perms(s, home, perms, (size_t)n), 0);
    CHECK_EQ(xs_mkdir(s, data), 0);
    n = snprintf(perms, sizeof(perms), "n%u%c", id, 0);
    CHECK_EQ(xs_set_perms(s, data, perms, (size_t)n), 0);
}

static void fx_init(struct fx *f)
{
    f->s = h_store();
    f->d0 = xs_conn_new(f->s, 0, 1);
    fx_domain(f->s, 1);
    fx_domain(f->s, 2);
    f->d1 = xs_domain_introduce(f->s, 1);
    f->d2 = xs_domain_introduce(f->s, 2);
    CHECK(f->s && f->d0 && f->d1 && f->d2);
}

#endif

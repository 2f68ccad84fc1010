/* Xen's XenStore permission model: text form and who gets what. */
#include "xs_harness.h"
#include "xs_perms.h"

static void test_parse_format(void)
{
    struct xs_perms p;
    char buf[64];

    CHECK_EQ(xs_perms_parse(&p, "n0\0r5\0w7\0b65535\0", 16, 4), 0);
    CHECK_EQ(p.num, 4);
    CHECK_EQ(p.p[0].domid, 0);
    CHECK_EQ(p.p[0].access, XS_PERM_NONE);
    CHECK_EQ(p.p[1].access, XS_PERM_READ);
    CHECK_EQ(p.p[2].access, XS_PERM_WRITE);
    CHECK_EQ(p.p[3].access, XS_PERM_READ | XS_PERM_WRITE);
    CHECK_EQ(p.p[3].domid, 65535);
    CHECK_EQ(xs_perms_format(&p, buf, sizeof(buf)), 16);
    CHECK(!memcmp(buf, "n0\0r5\0w7\0b65535\0", 16));
    CHECK_EQ(xs_perms_text_len(&p), 16);
    CHECK_EQ(xs_perms_format(&p, buf, 4), 16);   /* too small: length only */
    xs_perms_free(&p);
    CHECK_EQ(xs_perms_parse(&p, "x0\0", 3, 1), XEN_EINVAL);
    CHECK_EQ(xs_perms_parse(&p, "r\0", 2, 1), XEN_EINVAL);
    CHECK_EQ(xs_perms_parse(&p, "r65536\0", 7, 1), XEN_EINVAL);
    CHECK_EQ(xs_perms_parse(&p, "r-1\0", 4, 1), XEN_EINVAL);
    CHECK_EQ(xs_perms_parse(&p, "r1\0", 3, 2), XEN_EINVAL);   /* one missing */
    CHECK_EQ(xs_perms_parse(&p, "r1", 2, 1), XEN_EINVAL);     /* unterminated */
    CHECK_EQ(xs_perms_parse(&p, "", 0, 0), XEN_EINVAL);
    CHECK_EQ(h_live_allocs, 0);
}

static void test_access(void)
{
    struct xs_perms p;
    struct xs_who d0 = { 0, 1, -1 }, d1 = { 1, 0, -1 }, d2 = { 2, 0, -1 }, d3 = { 3, 0, -1 };
    struct xs_who dm = { 4, 0, 1 };   /* device model of domain 1 */
    const unsigned all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

    CHECK_EQ(xs_perms_parse(&p, "n1\0r2\0w3\0", 9, 3), 0);
    CHECK_EQ(xs_perms_for(&d0, &p), all);            /* privileged */
    CHECK_EQ(xs_perms_for(&d1, &p), all);            /* owner */
    CHECK_EQ(xs_perms_for(&d2, &p), XS_PERM_READ);
    CHECK_EQ(xs_perms_for(&d3, &p), XS_PERM_WRITE);
    CHECK_EQ(xs_perms_for(&dm, &p), all);            /* the owner's device model */
    xs_perms_free(&p);
    /* The first entry is everybody's default. */
    CHECK_EQ(xs_perms_parse(&p, "r1\0n2\0", 6, 2), 0);
    CHECK_EQ(xs_perms_for(&d3, &p), XS_PERM_READ);
    CHECK_EQ(xs_perms_for(&d2, &p), XS_PERM_NONE);   /* excluded */
    xs_perms_free(&p);
    /* The owner listed again later does not lose its rights. */
    CHECK_EQ(xs_perms_parse(&p, "n1\0n1\0", 6, 2), 0);
    CHECK_EQ(xs_perms_for(&d1, &p), all);
    xs_perms_free(&p);
    CHECK_EQ(h_live_allocs, 0);
}

int main(void)
{
    RUN_TEST(test_parse_format);
    RUN_TEST(test_access);
    return test_main_result();
}

/* The XenStore tree and Xen's path rules. */
#include "xs_harness.h"
#include "xs_tree.h"
#include "xs_str.h"

static void test_path_valid(void)
{
    static char lng[XENSTORE_ABS_PATH_MAX + 64];

    CHECK(xs_path_valid("/"));
    CHECK(xs_path_valid("/a"));
    CHECK(xs_path_valid("/a/b-c_d@e/0"));
    CHECK(!xs_path_valid(""));
    CHECK(!xs_path_valid("a"));
    CHECK(!xs_path_valid("/a/"));
    CHECK(!xs_path_valid("//"));
    CHECK(!xs_path_valid("/a//b"));
    CHECK(!xs_path_valid("/a b"));
    CHECK(!xs_path_valid("/a.b"));
    CHECK(!xs_path_valid("/a\xc3\xa9"));
    CHECK(!xs_path_valid("@introduceDomain"));
    /* Length: 2048 below a domain's home, 2048 elsewhere. */
    memset(lng, 'a', sizeof(lng) - 1);
    lng[0] = '/';
    lng[XENSTORE_REL_PATH_MAX] = 0;
    CHECK(xs_path_valid(lng));
    lng[XENSTORE_REL_PATH_MAX] = 'a';
    lng[XENSTORE_REL_PATH_MAX + 1] = 0;
    CHECK(!xs_path_valid(lng));
    memset(lng, 'a', sizeof(lng) - 1);
    memcpy(lng, "/local/domain/12345/", 20);
    lng[20 + XENSTORE_REL_PATH_MAX] = 0;
    CHECK(xs_path_valid(lng));
    lng[20 + XENSTORE_REL_PATH_MAX] = 'a';
    lng[21 + XENSTORE_REL_PATH_MAX] = 0;
    CHECK(!xs_path_valid(lng));
    memset(lng, 'a', sizeof(lng) - 1);
    lng[0] = '/';
    lng[sizeof(lng) - 1] = 0;
    CHECK(!xs_path_valid(lng));
}

static void test_canon_and_relations(void)
{
    char *p = xs_path_canon(7, "device/vif");
    char buf[40];

    CHECK_STR(p, "/local/domain/7/device/vif");
    xs_free(p);
    p = xs_path_canon(7, "/abs");
    CHECK_STR(p, "/abs");
    xs_free(p);
    p = xs_path_canon(7, "@releaseDomain");
    CHECK_STR(p, "@releaseDomain");
    xs_free(p);
    CHECK_EQ(xs_domain_path(65535, buf), 19);
    CHECK_STR(buf, "/local/domain/65535");
    CHECK(xs_path_is_child("/a/b", "/a"));
    CHECK(xs_path_is_child("/a", "/a"));
    CHECK(xs_path_is_child("/a", "/"));
    CHECK(!xs_path_is_child("/ab", "/a"));
    CHECK(!xs_path_is_child("/a", "/a/b"));
    CHECK(!xs_path_is_child("@x", "/"));
    CHECK(xs_path_is_child("@x", "@x"));
    CHECK_EQ(xs_path_parent_len("/a/b/c"), 4);
    CHECK_EQ(xs_path_parent_len("/a"), 1);
    CHECK_EQ(xs_path_depth("/"), 0);
    CHECK_EQ(xs_path_depth("/a/b"), 2);
    CHECK_EQ(h_live_allocs, 0);
}

static void test_tree_ops(void)
{
    struct xs_node *root = xs_tree_new_root(), *a, *b, *c;
    char *names, path[64];
    uint32_t len;

    CHECK(root != NULL);
    a = xs_tree_add(root, "a", 1, &root->perms, 2);
    b = xs_tree_add(a, "bb", 2, &root->perms, 3);
    c = xs_tree_add(a, "c", 1, &root->perms, 4);
    CHECK(a && b && c);
    CHECK_EQ(a->gen, 4);                 /* a child changes the parent */
    CHECK(xs_tree_lookup(root, "/a/bb") == b);
    CHECK(xs_tree_lookup(root, "/a/b") == NULL);
    CHECK(xs_tree_lookup(root, "/") == root);
    CHECK(xs_tree_lookup(root, "/a/c/d") == NULL);
    CHECK_EQ(xs_tree_path(c, path, sizeof(path)), 4);
    CHECK_STR(path, "/a/c");
    CHECK_EQ(xs_tree_path(c, path, 3), 4);   /* too small: length only */
    CHECK_EQ(xs_tree_children(a, &names, &len), 0);
    CHECK_EQ(len, 5);
    CHECK(!memcmp(names, "bb\0c\0", 5));
    xs_free(names);
    CHECK_EQ(xs_tree_set_value(b, "xyz", 3), 0);
    CHECK_EQ(b->vlen, 3);
    xs_tree_free(b, NULL, NULL);
    CHECK_EQ(a->childlen, 2);
    CHECK(a->first == c && a->last == c);
    /* A deep chain is freed without recursion. */
    {
        struct xs_node *n = c;

        for (int i = 0; i < 10000 && n; i++)
            n = xs_tree_add(n, "d", 1, &root->perms, 5);
        CHECK(n != NULL);
    }
    xs_tree_free(root, NULL, NULL);
    CHECK_EQ(h_live_allocs, 0);
}

static void test_string_helpers(void)
{
    const char *vec[3];
    char buf[24];
    uint64_t v;

    CHECK_EQ(xs_count_strings("a\0b\0c", 5), 2);
    CHECK_EQ(xs_get_strings("a\0b\0c", 5, vec, 3), 2);
    CHECK_STR(vec[1], "b");
    CHECK(xs_onearg("abc\0", 4) != NULL);
    CHECK(xs_onearg("abc", 3) == NULL);
    CHECK(xs_onearg("a\0b\0", 4) == NULL);
    CHECK(xs_onearg("", 0) == NULL);
    CHECK_EQ(xs_atou("123abc"), 123);
    CHECK_EQ(xs_atou("x"), 0);
    CHECK_EQ(xs_parse_u64("65535", 65535, &v), 0);
    CHECK_EQ(v, 65535);
    CHECK_EQ(xs_parse_u64("65536", 65535, &v), -1);
    CHECK_EQ(xs_parse_u64("", 65535, &v), -1);
    CHECK_EQ(xs_parse_u64("1a", 65535, &v), -1);
    CHECK_EQ(xs_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
    CHECK_EQ(xs_parse_u64("18446744073709551616", UINT64_MAX, &v), -1);
    CHECK_EQ(xs_utoa(UINT64_MAX, buf), 20);
    CHECK_STR(buf, "18446744073709551615");
}

int main(void)
{
    RUN_TEST(test_path_valid);
    RUN_TEST(test_canon_and_relations);
    RUN_TEST(test_tree_ops);
    RUN_TEST(test_string_helpers);
    return test_main_result();
}

/* XenStore watches: what fires for writes and removals of subtrees, in
 * which form the path comes back, and who may see an event. */
#include "xs_setup.h"

static void test_write_fires_ancestors(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d0, XS_WATCH, "/local\0up\0");
    EXPECT_EVENT(f.d0, "/local", "up");
    DO_OK(f.d0, XS_WATCH, "/local/domain/1/data/a/b\0exact\0");
    EXPECT_EVENT(f.d0, "/local/domain/1/data/a/b", "exact");
    DO_OK(f.d0, XS_WATCH, "/local/domain/1/data/a/b/c\0below\0");
    EXPECT_EVENT(f.d0, "/local/domain/1/data/a/b/c", "below");
    DO_OK(f.d0, XS_WATCH, "/local/domain/1/dat\0prefix-only\0");
    EXPECT_EVENT(f.d0, "/local/domain/1/dat", "prefix-only");
    /* A write fires watches on the node and above it, not below, and not a
     * watch whose path is only a string prefix. */
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/a/b", "v", 1), 0);
    /* (in the order the watches were set) */
    EXPECT_EVENT(f.d0, "/local/domain/1/data/a/b", "up");
    EXPECT_EVENT(f.d0, "/local/domain/1/data/a/b", "exact");
    EXPECT_NONE(f.d0);
    STORE_DONE(f.s);
}

static struct h_msg ev[16];

/* Takes every queued event of c into ev[]; returns how many. */
static int take_events(struct xs_conn *c)
{
    int n = 0;

    while (n < 16 && h_recv(c, &ev[n]))
        n++;
    return n;
}

static int has_event(int n, const char *path, const char *token)
{
    for (int i = 0; i < n; i++) {
        if (ev[i].h.type == XS_WATCH_EVENT && !strcmp(ev[i].p, path) &&
            !strcmp(ev[i].p + strlen(ev[i].p) + 1, token))
            return 1;
    }
    return 0;
}

static void test_rm_subtree(void)
{
    struct fx f;
    int n;

    fx_init(&f);
    CHECK_EQ(xs_write(f.s, "/t/a/b/c", "1", 1), 0);
    CHECK_EQ(xs_write(f.s, "/t/a/b2", "2", 1), 0);
    CHECK_EQ(xs_write(f.s, "/t/x", "3", 1), 0);
    SEND(f.d0, XS_WATCH, 0, "/t\0top\0");
    SEND(f.d0, XS_WATCH, 0, "/t/a/b\0mid\0");
    SEND(f.d0, XS_WATCH, 0, "/t/a/b/c\0leaf\0");
    SEND(f.d0, XS_WATCH, 0, "/t/a/b/c/none\0absent\0");
    SEND(f.d0, XS_WATCH, 0, "/t/x\0other\0");
    CHECK_EQ(take_events(f.d0), 10);       /* replies and first events */
    CHECK_EQ(xs_rm(f.s, "/t/a"), 0);
    n = take_events(f.d0);
    /* Each watch on a removed node fires once with its node's path, the
     * ones above with the removed path. */
    CHECK_EQ(n, 3);
    CHECK(has_event(n, "/t/a", "top"));
    CHECK(has_event(n, "/t/a/b", "mid"));
    CHECK(has_event(n, "/t/a/b/c", "leaf"));
    /* Removing what is not there fires nothing. */
    CHECK_EQ(xs_rm(f.s, "/t/a"), 0);
    EXPECT_NONE(f.d0);
    STORE_DONE(f.s);
}

static void test_relative_paths(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WATCH, "data\0rel\0");
    EXPECT_EVENT(f.d1, "data", "rel");
    DO_OK(f.d1, XS_WATCH, "/local/domain/1/data\0abs\0");
    EXPECT_EVENT(f.d1, "/local/domain/1/data", "abs");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "v", 1), 0);
    EXPECT_EVENT(f.d1, "data/k", "rel");
    EXPECT_EVENT(f.d1, "/local/domain/1/data/k", "abs");
    CHECK_EQ(xs_rm(f.s, "/local/domain/1/data"), 0);
    EXPECT_EVENT(f.d1, "data", "rel");
    EXPECT_EVENT(f.d1, "/local/domain/1/data", "abs");
    EXPECT_NONE(f.d1);
    /* UNWATCH takes the path in either form. */
    DO_OK(f.d1, XS_UNWATCH, "/local/domain/1/data\0rel\0");
    DO_OK(f.d1, XS_UNWATCH, "data\0abs\0");
    STORE_DONE(f.s);
}

static void test_event_permissions(void)
{
    struct fx f;

    fx_init(&f);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "v", 1), 0);
    /* Domain 2 may watch anything, but only hears of what it may read. */
    DO_OK(f.d2, XS_WATCH, "/local/domain/1/data\0spy\0");
    EXPECT_EVENT(f.d2, "/local/domain/1/data", "spy");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "w", 1), 0);
    EXPECT_NONE(f.d2);
    /* Readable node: events come. */
    CHECK_EQ(xs_set_perms(f.s, "/local/domain/1/data/k", "n1\0r2\0", 6), 0);
    EXPECT_EVENT(f.d2, "/local/domain/1/data/k", "spy");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "x", 1), 0);
    EXPECT_EVENT(f.d2, "/local/domain/1/data/k", "spy");
    /* Losing the right to read still tells of that change (old perms). */
    CHECK_EQ(xs_set_perms(f.s, "/local/domain/1/data/k", "n1\0", 3), 0);
    EXPECT_EVENT(f.d2, "/local/domain/1/data/k", "spy");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "y", 1), 0);
    EXPECT_NONE(f.d2);
    /* A readable parent is enough (as Xen): the node's name is no secret. */
    CHECK_EQ(xs_set_perms(f.s, "/local/domain/1/data", "n1\0r2\0", 6), 0);
    EXPECT_EVENT(f.d2, "/local/domain/1/data", "spy");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "z", 1), 0);
    EXPECT_EVENT(f.d2, "/local/domain/1/data/k", "spy");
    STORE_DONE(f.s);
}

static void test_duplicate_events_merged(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WATCH, "data\0t\0");
    EXPECT_EVENT(f.d1, "data", "t");
    /* While an identical event waits unread, another is not queued. */
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "1", 1), 0);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "2", 1), 0);
    EXPECT_EVENT(f.d1, "data/k", "t");
    EXPECT_NONE(f.d1);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "3", 1), 0);
    EXPECT_EVENT(f.d1, "data/k", "t");
    STORE_DONE(f.s);
}

static void test_watch_freed_with_conn(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WATCH, "data\0t\0");
    xs_domain_release(f.s, 1);
    CHECK(xs_domain_conn(f.s, 1) == NULL);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "1", 1), 0);
    /* Introduced again: a fresh connection without the old watch. */
    f.d1 = xs_domain_introduce(f.s, 1);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/k", "2", 1), 0);
    EXPECT_NONE(f.d1);
    STORE_DONE(f.s);
}

int main(void)
{
    RUN_TEST(test_write_fires_ancestors);
    RUN_TEST(test_rm_subtree);
    RUN_TEST(test_relative_paths);
    RUN_TEST(test_event_permissions);
    RUN_TEST(test_duplicate_events_merged);
    RUN_TEST(test_watch_freed_with_conn);
    return test_main_result();
}

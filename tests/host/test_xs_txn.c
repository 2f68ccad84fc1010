/* XenStore transactions: isolation, commit and abort, conflicts (EAGAIN),
 * removals and re-creations inside a transaction, watches at commit. */
#include "xs_setup.h"

static void start(struct xs_conn *c, const char *id)
{
    struct h_msg m;

    SEND(c, XS_TRANSACTION_START, 0, "\0");
    CHECK(h_recv(c, &m));
    CHECK_EQ(m.h.type, XS_TRANSACTION_START);
    CHECK_STR(m.p, id);
}

#define END(c, tx, lit, want)                                                 \
    do {                                                                      \
        SEND((c), XS_TRANSACTION_END, (tx), lit);                             \
        EXPECT_TX((c), (want) ? XS_ERROR : XS_TRANSACTION_END, (tx),          \
                  (want) ? (want) : "OK", strlen((want) ? (want) : "OK") + 1); \
    } while (0)
#undef EXPECT_TX
#define EXPECT_TX(c, type, tx, p, len) h_expect(__FILE__, __LINE__, (c), (type), (tx), (p), (len))
#define EXPECT_TXL(c, type, tx, lit) EXPECT_TX((c), (type), (tx), (lit), sizeof(lit) - 1)

static void test_isolation_and_commit(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0old");
    DO_OK(f.d1, XS_WATCH, "data\0w\0");
    EXPECT_EVENT(f.d1, "data", "w");
    start(f.d1, "1");
    SEND(f.d1, XS_WRITE, 1, "data/x\0new");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    SEND(f.d1, XS_WRITE, 1, "data/y/z\0deep");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    /* Nothing fired and nothing visible outside yet. */
    EXPECT_NONE(f.d1);
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "old");
    SEND(f.d1, XS_READ, 1, "data/x\0");
    EXPECT_TXL(f.d1, XS_READ, 1, "new");
    SEND(f.d1, XS_DIRECTORY, 1, "data\0");
    EXPECT_TXL(f.d1, XS_DIRECTORY, 1, "x\0y\0");
    SEND(f.d1, XS_DIRECTORY, 0, "data\0");
    EXPECT(f.d1, XS_DIRECTORY, "x\0");
    SEND(f.d1, XS_GET_PERMS, 1, "data/y/z\0");
    EXPECT_TXL(f.d1, XS_GET_PERMS, 1, "n1\0");
    SEND(f.d1, XS_TRANSACTION_END, 1, "T\0");
    /* Watches fire at commit, before its reply (as xenstored). */
    {
        struct h_msg m;
        int events = 0, x = 0, y = 0, z = 0, ok_last = 0;

        while (h_recv(f.d1, &m)) {
            ok_last = m.h.type == XS_TRANSACTION_END && m.h.tx_id == 1 &&
                      m.h.len == 3 && !memcmp(m.p, "OK", 3);
            if (m.h.type != XS_WATCH_EVENT)
                continue;
            events++;
            x += !strcmp(m.p, "data/x");
            y += !strcmp(m.p, "data/y");
            z += !strcmp(m.p, "data/y/z");
        }
        CHECK(ok_last);
        CHECK_EQ(events, 3);
        CHECK(x == 1 && y == 1 && z == 1);
    }
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "new");
    SEND(f.d1, XS_READ, 0, "data/y/z\0");
    EXPECT(f.d1, XS_READ, "deep");
    STORE_DONE(f.s);
}

static void test_events_at_commit(void)
{
    struct fx f;
    struct h_msg m;
    int n = 0, ok_last = 0;

    fx_init(&f);
    DO_OK(f.d0, XS_WATCH, "/local/domain/1/data\0w\0");
    EXPECT_EVENT(f.d0, "/local/domain/1/data", "w");
    start(f.d1, "1");
    SEND(f.d1, XS_WRITE, 1, "data/a\0" "1");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    SEND(f.d1, XS_MKDIR, 1, "data/b\0");
    EXPECT_TXL(f.d1, XS_MKDIR, 1, "OK\0");
    EXPECT_NONE(f.d0);
    SEND(f.d1, XS_TRANSACTION_END, 1, "T\0");
    EXPECT_TXL(f.d1, XS_TRANSACTION_END, 1, "OK\0");
    while (h_recv(f.d0, &m)) {
        n++;
        CHECK_EQ(m.h.type, XS_WATCH_EVENT);
    }
    CHECK_EQ(n, 2);
    (void)ok_last;
    STORE_DONE(f.s);
}

static void test_abort(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0old");
    start(f.d1, "1");
    SEND(f.d1, XS_WRITE, 1, "data/x\0new");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    SEND(f.d1, XS_RM, 1, "data\0");
    EXPECT_TXL(f.d1, XS_RM, 1, "OK\0");
    END(f.d1, 1, "F\0", NULL);
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "old");
    STORE_DONE(f.s);
}

static void test_conflict(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0" "1");
    /* Read in the transaction, changed outside: EAGAIN, nothing applied. */
    start(f.d1, "1");
    SEND(f.d1, XS_READ, 1, "data/x\0");
    EXPECT_TXL(f.d1, XS_READ, 1, "1");
    SEND(f.d1, XS_WRITE, 1, "data/y\0tx");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    DO_OK(f.d1, XS_WRITE, "data/x\0" "2");
    END(f.d1, 1, "T\0", "EAGAIN");
    SEND(f.d1, XS_READ, 0, "data/y\0");
    EXPECT_ERR(f.d1, "ENOENT");
    /* Written in the transaction, written outside too. */
    start(f.d1, "2");
    SEND(f.d1, XS_WRITE, 2, "data/x\0tx");
    EXPECT_TXL(f.d1, XS_WRITE, 2, "OK\0");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/x", "dom0", 4), 0);
    END(f.d1, 2, "T\0", "EAGAIN");
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "dom0");
    /* A node seen absent that appears meanwhile. */
    start(f.d1, "3");
    SEND(f.d1, XS_READ, 3, "data/new\0");
    EXPECT_TXL(f.d1, XS_ERROR, 3, "ENOENT\0");
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/new", "", 0), 0);
    END(f.d1, 3, "T\0", "EAGAIN");
    /* A change elsewhere is no conflict. */
    start(f.d1, "4");
    SEND(f.d1, XS_WRITE, 4, "data/x\0mine");
    EXPECT_TXL(f.d1, XS_WRITE, 4, "OK\0");
    DO_OK(f.d2, XS_WRITE, "data/other\0v");
    END(f.d1, 4, "T\0", NULL);
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "mine");
    /* Creating below data/ looks at data/ only: a new domain's home made
     * meanwhile is no conflict, a new sibling is (data/ changed). */
    start(f.d1, "5");
    SEND(f.d1, XS_WRITE, 5, "data/n/m\0v");
    EXPECT_TXL(f.d1, XS_WRITE, 5, "OK\0");
    CHECK_EQ(xs_mkdir(f.s, "/local/domain/9"), 0);
    CHECK_EQ(xs_mkdir(f.s, "/top"), 0);
    END(f.d1, 5, "T\0", NULL);
    SEND(f.d1, XS_READ, 0, "data/n/m\0");
    EXPECT(f.d1, XS_READ, "v");
    start(f.d1, "6");
    SEND(f.d1, XS_MKDIR, 6, "data/p\0");
    EXPECT_TXL(f.d1, XS_MKDIR, 6, "OK\0");
    CHECK_EQ(xs_mkdir(f.s, "/local/domain/1/data/q"), 0);
    END(f.d1, 6, "T\0", "EAGAIN");
    /* Two transactions on the same key: the second to commit fails. */
    start(f.d1, "7");
    start(f.d2, "1");
    CHECK_EQ(xs_set_perms(f.s, "/local/domain/1/data/x", "n1\0b2\0", 6), 0);
    SEND(f.d1, XS_WRITE, 7, "data/x\0a");
    EXPECT_TXL(f.d1, XS_WRITE, 7, "OK\0");
    SEND(f.d2, XS_WRITE, 1, "/local/domain/1/data/x\0b");
    EXPECT_TXL(f.d2, XS_WRITE, 1, "OK\0");
    END(f.d2, 1, "T\0", NULL);
    END(f.d1, 7, "T\0", "EAGAIN");
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "b");
    STORE_DONE(f.s);
}

static void test_rm_and_recreate(void)
{
    struct fx f;

    fx_init(&f);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/d/old", "1", 1), 0);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/d/keep", "2", 1), 0);
    start(f.d1, "1");
    SEND(f.d1, XS_RM, 1, "data/d\0");
    EXPECT_TXL(f.d1, XS_RM, 1, "OK\0");
    SEND(f.d1, XS_READ, 1, "data/d/old\0");
    EXPECT_TXL(f.d1, XS_ERROR, 1, "ENOENT\0");
    SEND(f.d1, XS_WRITE, 1, "data/d/new\0" "3");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    /* The old children do not show through the re-created node. */
    SEND(f.d1, XS_DIRECTORY, 1, "data/d\0");
    EXPECT_TXL(f.d1, XS_DIRECTORY, 1, "new\0");
    SEND(f.d1, XS_READ, 1, "data/d/keep\0");
    EXPECT_TXL(f.d1, XS_ERROR, 1, "ENOENT\0");
    SEND(f.d1, XS_DIRECTORY, 0, "data/d\0");
    EXPECT(f.d1, XS_DIRECTORY, "old\0keep\0");
    END(f.d1, 1, "T\0", NULL);
    SEND(f.d1, XS_DIRECTORY, 0, "data/d\0");
    EXPECT(f.d1, XS_DIRECTORY, "new\0");
    SEND(f.d1, XS_READ, 0, "data/d/new\0");
    EXPECT(f.d1, XS_READ, "3");
    /* rm of an absent node in a transaction, parent there: fine. */
    start(f.d1, "2");
    SEND(f.d1, XS_RM, 2, "data/nothing\0");
    EXPECT_TXL(f.d1, XS_RM, 2, "OK\0");
    SEND(f.d1, XS_SET_PERMS, 2, "data/d\0n1\0r2\0");
    EXPECT_TXL(f.d1, XS_SET_PERMS, 2, "OK\0");
    SEND(f.d2, XS_READ, 0, "/local/domain/1/data/d/new\0");
    EXPECT_ERR(f.d2, "EACCES");
    END(f.d1, 2, "T\0", NULL);
    SEND(f.d2, XS_DIRECTORY, 0, "/local/domain/1/data/d\0");
    EXPECT(f.d2, XS_DIRECTORY, "new\0");
    STORE_DONE(f.s);
}

/* dom0's transactions, at the top of the tree. */
static void test_top_level(void)
{
    struct fx f;

    fx_init(&f);
    CHECK_EQ(xs_mkdir(f.s, "/top"), 0);
    start(f.d0, "1");
    SEND(f.d0, XS_RM, 1, "/top\0");
    EXPECT_TXL(f.d0, XS_RM, 1, "OK\0");
    SEND(f.d0, XS_DIRECTORY, 1, "/\0");
    EXPECT_TXL(f.d0, XS_DIRECTORY, 1, "local\0");
    SEND(f.d0, XS_WRITE, 1, "/new\0v");
    EXPECT_TXL(f.d0, XS_WRITE, 1, "OK\0");
    SEND(f.d0, XS_DIRECTORY, 1, "/\0");
    EXPECT_TXL(f.d0, XS_DIRECTORY, 1, "local\0new\0");
    SEND(f.d0, XS_SET_PERMS, 1, "/\0n0\0r1\0");
    EXPECT_TXL(f.d0, XS_SET_PERMS, 1, "OK\0");
    SEND(f.d0, XS_RM, 1, "/\0");
    EXPECT_TXL(f.d0, XS_ERROR, 1, "EINVAL\0");
    END(f.d0, 1, "T\0", NULL);
    SEND(f.d0, XS_DIRECTORY, 0, "/\0");
    EXPECT(f.d0, XS_DIRECTORY, "local\0new\0");
    SEND(f.d1, XS_DIRECTORY, 0, "/\0");
    EXPECT(f.d1, XS_DIRECTORY, "local\0new\0");
    STORE_DONE(f.s);
}

static void test_permissions_in_tx(void)
{
    struct fx f;

    fx_init(&f);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/x", "s", 1), 0);
    start(f.d2, "1");
    SEND(f.d2, XS_READ, 1, "/local/domain/1/data/x\0");
    EXPECT_TXL(f.d2, XS_ERROR, 1, "EACCES\0");
    SEND(f.d2, XS_WRITE, 1, "/local/domain/1/data/y\0v");
    EXPECT_TXL(f.d2, XS_ERROR, 1, "EACCES\0");
    SEND(f.d2, XS_RM, 1, "/local/domain/1/data\0");
    EXPECT_TXL(f.d2, XS_ERROR, 1, "EACCES\0");
    END(f.d2, 1, "T\0", NULL);
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "s");
    STORE_DONE(f.s);
}

static void test_txn_freed(void)
{
    struct fx f;

    fx_init(&f);
    start(f.d1, "1");
    SEND(f.d1, XS_WRITE, 1, "data/x\0v");
    EXPECT_TXL(f.d1, XS_WRITE, 1, "OK\0");
    start(f.d1, "2");
    SEND(f.d1, XS_READ, 2, "data\0");
    EXPECT_TXL(f.d1, XS_READ, 2, "");
    /* The domain goes: its open transactions go with it. */
    xs_domain_release(f.s, 1);
    CHECK_EQ(xs_read(f.s, "/local/domain/1/data/x", NULL, 0, &(size_t){ 0 }), XEN_ENOENT);
    STORE_DONE(f.s);
}

int main(void)
{
    RUN_TEST(test_isolation_and_commit);
    RUN_TEST(test_events_at_commit);
    RUN_TEST(test_abort);
    RUN_TEST(test_conflict);
    RUN_TEST(test_rm_and_recreate);
    RUN_TEST(test_top_level);
    RUN_TEST(test_permissions_in_tx);
    RUN_TEST(test_txn_freed);
    return test_main_result();
}

/* The XenStore core through its wire interface: every message type a guest
 * may send, driven with real xsd_sockmsg messages, checking the exact
 * reply bytes (req_id and tx_id echoed, Xen's error names). */
#include "xs_setup.h"

static void test_read_write(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0hello");
    SEND(f.d1, XS_READ, 0, "data/x\0");
    EXPECT(f.d1, XS_READ, "hello");
    SEND(f.d1, XS_READ, 0, "/local/domain/1/data/x\0");
    EXPECT(f.d1, XS_READ, "hello");
    /* Values are bytes: NULs inside are kept. */
    DO_OK(f.d1, XS_WRITE, "data/bin\0a\0b");
    SEND(f.d1, XS_READ, 0, "data/bin\0");
    EXPECT(f.d1, XS_READ, "a\0b");
    DO_OK(f.d1, XS_WRITE, "data/empty\0");
    SEND(f.d1, XS_READ, 0, "data/empty\0");
    EXPECT(f.d1, XS_READ, "");
    SEND(f.d1, XS_READ, 0, "data/nope\0");
    EXPECT_ERR(f.d1, "ENOENT");
    /* A WRITE needs its path terminated. */
    SEND(f.d1, XS_WRITE, 0, "data/x");
    EXPECT_ERR(f.d1, "EINVAL");
    EXPECT_NONE(f.d1);
    STORE_DONE(f.s);
}

static void test_bad_paths(void)
{
    struct fx f;

    fx_init(&f);
    SEND(f.d1, XS_READ, 0, "\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_READ, 0, "data//x\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_READ, 0, "data/x/\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_READ, 0, "data/a b\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_READ, 0, "data/x");          /* no NUL */
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_READ, 0, "data\0x\0");       /* two strings */
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_READ, 0, "");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_WRITE, 0, "@introduceDomain\0x");
    EXPECT_ERR(f.d1, "EINVAL");
    /* "@" inside a name is a valid character. */
    DO_OK(f.d1, XS_WRITE, "data/a@b-c_d\0v");
    STORE_DONE(f.s);
}

static void test_directory_mkdir_rm(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0" "1");
    DO_OK(f.d1, XS_MKDIR, "data/d/e\0");
    DO_OK(f.d1, XS_MKDIR, "data/d/e\0");        /* existing: fine */
    SEND(f.d1, XS_DIRECTORY, 0, "data\0");
    EXPECT(f.d1, XS_DIRECTORY, "x\0d\0");
    SEND(f.d1, XS_DIRECTORY, 0, "data/d/e\0");
    EXPECT(f.d1, XS_DIRECTORY, "");
    SEND(f.d1, XS_DIRECTORY, 0, "data/zz\0");
    EXPECT_ERR(f.d1, "ENOENT");
    DO_OK(f.d1, XS_RM, "data/d\0");
    SEND(f.d1, XS_READ, 0, "data/d/e\0");
    EXPECT_ERR(f.d1, "ENOENT");
    DO_OK(f.d1, XS_RM, "data/zz\0");            /* absent, parent there */
    SEND(f.d1, XS_RM, 0, "data/zz/yy\0");       /* parent absent */
    EXPECT_ERR(f.d1, "ENOENT");
    SEND(f.d0, XS_RM, 0, "/\0");
    EXPECT_ERR(f.d0, "EINVAL");
    SEND(f.d1, XS_DIRECTORY, 0, "data\0");
    EXPECT(f.d1, XS_DIRECTORY, "x\0");
    STORE_DONE(f.s);
}

static void test_permissions(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0secret");
    /* Another domU can neither read nor learn whether a key exists. */
    SEND(f.d2, XS_READ, 0, "/local/domain/1/data/x\0");
    EXPECT_ERR(f.d2, "EACCES");
    SEND(f.d2, XS_READ, 0, "/local/domain/1/data/none\0");
    EXPECT_ERR(f.d2, "EACCES");
    SEND(f.d2, XS_DIRECTORY, 0, "/local/domain/1/data\0");
    EXPECT_ERR(f.d2, "EACCES");
    SEND(f.d2, XS_WRITE, 0, "/local/domain/1/data/y\0v");
    EXPECT_ERR(f.d2, "EACCES");
    SEND(f.d2, XS_RM, 0, "/local/domain/1/data/x\0");
    EXPECT_ERR(f.d2, "EACCES");
    SEND(f.d2, XS_GET_PERMS, 0, "/local/domain/1/data/x\0");
    EXPECT_ERR(f.d2, "EACCES");
    /* Its home is readable, not writable; absent keys there are ENOENT. */
    SEND(f.d1, XS_WRITE, 0, "name\0evil");
    EXPECT_ERR(f.d1, "EACCES");
    SEND(f.d1, XS_MKDIR, 0, "device\0");
    EXPECT_ERR(f.d1, "EACCES");
    SEND(f.d1, XS_READ, 0, "nope\0");
    EXPECT_ERR(f.d1, "ENOENT");
    SEND(f.d1, XS_READ, 0, "/local/nope\0");
    EXPECT_ERR(f.d1, "EACCES");
    /* New nodes inherit the parent's permissions, owned by their creator. */
    SEND(f.d1, XS_GET_PERMS, 0, "data/x\0");
    EXPECT(f.d1, XS_GET_PERMS, "n1\0");
    SEND(f.d0, XS_GET_PERMS, 0, "/local/domain/1\0");
    EXPECT(f.d0, XS_GET_PERMS, "n0\0r1\0");
    /* Sharing with domain 2 for reading. */
    DO_OK(f.d1, XS_SET_PERMS, "data/x\0n1\0r2\0");
    SEND(f.d2, XS_READ, 0, "/local/domain/1/data/x\0");
    EXPECT(f.d2, XS_READ, "secret");
    SEND(f.d2, XS_WRITE, 0, "/local/domain/1/data/x\0v");
    EXPECT_ERR(f.d2, "EACCES");
    SEND(f.d2, XS_SET_PERMS, 0, "/local/domain/1/data/x\0n2\0");
    EXPECT_ERR(f.d2, "EACCES");
    /* An unprivileged owner may not give its node away. */
    SEND(f.d1, XS_SET_PERMS, 0, "data/x\0n2\0");
    EXPECT_ERR(f.d1, "EPERM");
    SEND(f.d1, XS_SET_PERMS, 0, "data/x\0q1\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_SET_PERMS, 0, "data/x\0r1x\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_SET_PERMS, 0, "data/x\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_SET_PERMS, 0, "data/x\0n1\0r2\0r3\0r4\0r5\0r6\0");
    EXPECT_ERR(f.d1, "ENOSPC");
    /* dom0 may: the node now counts for domain 2. */
    DO_OK(f.d0, XS_SET_PERMS, "/local/domain/1/data/x\0b2\0");
    SEND(f.d2, XS_WRITE, 0, "/local/domain/1/data/x\0mine");
    EXPECT_OK(f.d2, XS_WRITE);
    STORE_DONE(f.s);
}

static void test_watch_messages(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WATCH, "data\0tok\0");
    EXPECT_EVENT(f.d1, "data", "tok");
    SEND(f.d1, XS_WATCH, 0, "data\0tok\0");
    EXPECT_ERR(f.d1, "EEXIST");
    SEND(f.d1, XS_WATCH, 0, "data\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d1, XS_WATCH, 0, "da//ta\0t\0");
    EXPECT_ERR(f.d1, "EINVAL");
    DO_OK(f.d0, XS_WRITE, "/local/domain/1/data/k\0v");
    EXPECT_EVENT(f.d1, "data/k", "tok");
    DO_OK(f.d1, XS_WATCH, "/local/domain/1/data/k\0abs\0");
    EXPECT_EVENT(f.d1, "/local/domain/1/data/k", "abs");
    /* The events of a change come before its reply (as xenstored). */
    SEND(f.d1, XS_WRITE, 0, "data/k\0w");
    EXPECT_EVENT(f.d1, "data/k", "tok");
    EXPECT_EVENT(f.d1, "/local/domain/1/data/k", "abs");
    EXPECT_OK(f.d1, XS_WRITE);
    DO_OK(f.d1, XS_UNWATCH, "data\0tok\0");
    SEND(f.d1, XS_UNWATCH, 0, "data\0tok\0");
    EXPECT_ERR(f.d1, "ENOENT");
    DO_OK(f.d1, XS_UNWATCH, "/local/domain/1/data/k\0abs\0");
    DO_OK(f.d1, XS_WRITE, "data/k\0z");
    EXPECT_NONE(f.d1);
    /* WATCH ignores the transaction id, as xenstored. */
    CHECK_EQ(SEND(f.d1, XS_WATCH, 77, "data\0t2\0"), 0);
    EXPECT_TX(f.d1, XS_WATCH, 77, "OK\0");
    EXPECT_EVENT(f.d1, "data", "t2");
    STORE_DONE(f.s);
}

static void test_transaction_messages(void)
{
    struct fx f;

    fx_init(&f);
    SEND(f.d1, XS_TRANSACTION_START, 0, "\0");
    EXPECT(f.d1, XS_TRANSACTION_START, "1\0");
    CHECK_EQ(SEND(f.d1, XS_WRITE, 1, "data/t\0in"), 0);
    EXPECT_TX(f.d1, XS_WRITE, 1, "OK\0");
    SEND(f.d1, XS_READ, 0, "data/t\0");
    EXPECT_ERR(f.d1, "ENOENT");
    SEND(f.d1, XS_READ, 1, "data/t\0");
    EXPECT_TX(f.d1, XS_READ, 1, "in");
    SEND(f.d1, XS_TRANSACTION_START, 1, "\0");
    EXPECT_TX(f.d1, XS_ERROR, 1, "EBUSY\0");
    SEND(f.d1, XS_TRANSACTION_END, 1, "X\0");
    EXPECT_TX(f.d1, XS_ERROR, 1, "EINVAL\0");
    SEND(f.d1, XS_TRANSACTION_END, 1, "T\0");
    EXPECT_TX(f.d1, XS_TRANSACTION_END, 1, "OK\0");
    SEND(f.d1, XS_READ, 0, "data/t\0");
    EXPECT(f.d1, XS_READ, "in");
    SEND(f.d1, XS_TRANSACTION_END, 1, "T\0");
    EXPECT_TX(f.d1, XS_ERROR, 1, "ENOENT\0");
    SEND(f.d1, XS_READ, 99, "data/t\0");
    EXPECT_TX(f.d1, XS_ERROR, 99, "ENOENT\0");
    SEND(f.d1, XS_TRANSACTION_END, 0, "T\0");
    EXPECT_ERR(f.d1, "ENOENT");
    /* Ids are not reused at once. */
    SEND(f.d1, XS_TRANSACTION_START, 0, "\0");
    EXPECT(f.d1, XS_TRANSACTION_START, "2\0");
    SEND(f.d1, XS_TRANSACTION_END, 2, "F\0");
    EXPECT_TX(f.d1, XS_TRANSACTION_END, 2, "OK\0");
    STORE_DONE(f.s);
}

static unsigned intro_domid, intro_port, release_domid;
static uint64_t intro_mfn;
static struct xs_store *cb_store;

static int cb_introduce(void *ctx, unsigned domid, uint64_t mfn, unsigned port)
{
    (void)ctx;
    intro_domid = domid;
    intro_mfn = mfn;
    intro_port = port;
    return xs_domain_introduce(cb_store, domid) ? 0 : XEN_ENOMEM;
}

static int cb_release(void *ctx, unsigned domid)
{
    (void)ctx;
    release_domid = domid;
    xs_domain_release(cb_store, domid);
    return 0;
}

static void test_domain_messages(void)
{
    static struct xs_env env = { .introduce = cb_introduce, .release = cb_release };
    struct xs_store *s = h_store_env(&env, NULL);
    struct xs_conn *d0 = xs_conn_new(s, 0, 1), *d1;

    cb_store = s;
    d1 = xs_domain_introduce(s, 1);
    SEND(d1, XS_GET_DOMAIN_PATH, 0, "5\0");
    EXPECT(d1, XS_GET_DOMAIN_PATH, "/local/domain/5\0");
    SEND(d1, XS_GET_DOMAIN_PATH, 0, "5");
    EXPECT_ERR(d1, "EINVAL");
    SEND(d1, XS_IS_DOMAIN_INTRODUCED, 0, "1\0");
    EXPECT_ERR(d1, "EACCES");
    SEND(d0, XS_IS_DOMAIN_INTRODUCED, 0, "1\0");
    EXPECT(d0, XS_IS_DOMAIN_INTRODUCED, "T\0");
    SEND(d0, XS_IS_DOMAIN_INTRODUCED, 0, "7\0");
    EXPECT(d0, XS_IS_DOMAIN_INTRODUCED, "F\0");
    SEND(d0, XS_IS_DOMAIN_INTRODUCED, 0, "0\0");
    EXPECT(d0, XS_IS_DOMAIN_INTRODUCED, "T\0");
    SEND(d1, XS_INTRODUCE, 0, "3\0" "1234\0" "5\0");
    EXPECT_ERR(d1, "EACCES");
    SEND(d0, XS_INTRODUCE, 0, "3\0" "1234\0" "0\0");
    EXPECT_ERR(d0, "EINVAL");
    SEND(d0, XS_INTRODUCE, 0, "3\0" "1234\0");
    EXPECT_ERR(d0, "EINVAL");
    DO_OK(d0, XS_INTRODUCE, "3\0" "1234\0" "5\0");
    CHECK_EQ(intro_domid, 3);
    CHECK_EQ(intro_mfn, 1234);
    CHECK_EQ(intro_port, 5);
    CHECK(xs_domain_conn(s, 3) != NULL);
    SEND(d0, XS_IS_DOMAIN_INTRODUCED, 0, "3\0");
    EXPECT(d0, XS_IS_DOMAIN_INTRODUCED, "T\0");
    SEND(d1, XS_RELEASE, 0, "3\0");
    EXPECT_ERR(d1, "EACCES");
    DO_OK(d0, XS_RELEASE, "3\0");
    CHECK_EQ(release_domid, 3);
    CHECK(xs_domain_conn(s, 3) == NULL);
    SEND(d0, XS_RELEASE, 0, "3\0");
    EXPECT_ERR(d0, "ENOENT");
    SEND(d0, XS_RELEASE, 0, "0\0");
    EXPECT_ERR(d0, "EINVAL");
    DO_OK(d0, XS_RESUME, "1\0");
    SEND(d0, XS_RESUME, 0, "9\0");
    EXPECT_ERR(d0, "ENOENT");
    SEND(d1, XS_RESUME, 0, "1\0");
    EXPECT_ERR(d1, "EACCES");
    SEND(d1, XS_SET_TARGET, 0, "1\0" "2\0");
    EXPECT_ERR(d1, "EACCES");
    SEND(d0, XS_SET_TARGET, 0, "1\0" "2\0");
    EXPECT_ERR(d0, "ENOENT");
    STORE_DONE(s);
}

static void test_set_target(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d2, XS_WRITE, "data/x\0two");
    SEND(f.d1, XS_READ, 0, "/local/domain/2/data/x\0");
    EXPECT_ERR(f.d1, "EACCES");
    /* Domain 1 becomes domain 2's device model: it gets 2's rights. */
    DO_OK(f.d0, XS_SET_TARGET, "1\0" "2\0");
    SEND(f.d1, XS_READ, 0, "/local/domain/2/data/x\0");
    EXPECT(f.d1, XS_READ, "two");
    STORE_DONE(f.s);
}

static void test_control(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d0, XS_CONTROL, "print\0hello from a test\0");
    CHECK_CONTAINS(h_log, "hello from a test");
    SEND(f.d1, XS_DEBUG, 0, "print\0x\0");
    EXPECT_ERR(f.d1, "EACCES");
    SEND(f.d0, XS_CONTROL, 0, "bogus\0");
    EXPECT_ERR(f.d0, "EINVAL");
    SEND(f.d0, XS_CONTROL, 0, "");
    EXPECT_ERR(f.d0, "EINVAL");
    SEND(f.d0, XS_CONTROL, 0, "print\0");
    EXPECT_ERR(f.d0, "EINVAL");
    STORE_DONE(f.s);
}

static void test_unknown_types(void)
{
    struct fx f;
    uint32_t types[] = { XS_WATCH_EVENT, XS_ERROR, 20, XS_TYPE_COUNT, 1000, XS_INVALID };

    fx_init(&f);
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct xsd_sockmsg h = { types[i], 42, 3, 0 };
        struct h_msg m;

        CHECK_EQ(xs_conn_handle(f.d1, &h, NULL), 0);
        CHECK(h_recv(f.d1, &m));
        CHECK_EQ(m.h.type, XS_ERROR);
        CHECK_EQ(m.h.req_id, 42);
        CHECK_EQ(m.h.tx_id, 3);
        CHECK_EQ(m.h.len, 7);
        CHECK(!memcmp(m.p, "ENOSYS", 7));
    }
    STORE_DONE(f.s);
}

static void test_oversized_closes(void)
{
    struct fx f;
    static char big[XENSTORE_PAYLOAD_MAX + 1];

    fx_init(&f);
    memcpy(big, "/local/domain/1/data/x\0", 23);
    CHECK_EQ(h_send(f.d0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX), 0);
    EXPECT_OK(f.d0, XS_WRITE);
    SEND(f.d1, XS_READ, 0, "data/x\0");
    CHECK_EQ(xs_conn_out_pending(f.d1), 16 + XENSTORE_PAYLOAD_MAX - 23);
    CHECK_EQ(xs_conn_out_take(f.d1, big, sizeof(big)), 16 + XENSTORE_PAYLOAD_MAX - 23);
    /* A node over the size quota is E2BIG for a domU. */
    memset(big, 'a', sizeof(big));
    memcpy(big, "data/x\0", 7);
    CHECK_EQ(h_send(f.d1, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX), 0);
    EXPECT_ERR(f.d1, "E2BIG");
    CHECK_EQ(h_send(f.d1, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX + 1), -1);
    CHECK_CONTAINS(h_log, "domain 1: closing");
    EXPECT_NONE(f.d1);
    /* dom0's own limit is the same wire limit. */
    CHECK_EQ(h_send(f.d0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX + 1), -1);
    STORE_DONE(f.s);
}

static void test_reset_watches(void)
{
    struct fx f;

    fx_init(&f);
    DO_OK(f.d1, XS_WATCH, "data\0a\0");
    EXPECT_EVENT(f.d1, "data", "a");
    SEND(f.d1, XS_TRANSACTION_START, 0, "\0");
    EXPECT(f.d1, XS_TRANSACTION_START, "1\0");
    DO_OK(f.d1, XS_RESET_WATCHES, "");
    DO_OK(f.d0, XS_WRITE, "/local/domain/1/data/k\0v");
    EXPECT_NONE(f.d1);
    SEND(f.d1, XS_READ, 1, "data/k\0");
    EXPECT_TX(f.d1, XS_ERROR, 1, "ENOENT\0");
    STORE_DONE(f.s);
}

/* DIRECTORY_PART: the generation, then names from an offset; the last part
 * ends with an empty string. */
static void test_directory_part(void)
{
    struct fx f;
    char path[128], req[160], all[16384];
    size_t alllen = 0, off = 0;
    struct h_msg m;
    int parts = 0, n;

    fx_init(&f);
    DO_OK(f.d1, XS_WRITE, "data/x\0" "1");
    DO_OK(f.d1, XS_WRITE, "data/e\0" "2");
    SEND(f.d1, XS_DIRECTORY_PART, 0, "data\0" "0\0");
    CHECK(h_recv(f.d1, &m));
    CHECK_EQ(m.h.type, XS_DIRECTORY_PART);
    {
        size_t gl = strlen(m.p) + 1;

        CHECK(gl > 1 && m.p[0] >= '1' && m.p[0] <= '9');
        CHECK_EQ(m.h.len, gl + 5);
        CHECK(!memcmp(m.p + gl, "x\0e\0\0", 5));
    }
    SEND(f.d1, XS_DIRECTORY_PART, 0, "data\0" "2\0");   /* from "e" */
    CHECK(h_recv(f.d1, &m));
    CHECK(!memcmp(m.p + strlen(m.p) + 1, "e\0\0", 3));
    SEND(f.d1, XS_DIRECTORY_PART, 0, "data\0" "4\0");   /* past the end */
    CHECK(h_recv(f.d1, &m));
    CHECK_EQ(m.h.len, strlen(m.p) + 2);
    SEND(f.d1, XS_DIRECTORY_PART, 0, "data\0");
    EXPECT_ERR(f.d1, "EINVAL");
    SEND(f.d2, XS_DIRECTORY_PART, 0, "/local/domain/1/data\0" "0\0");
    EXPECT_ERR(f.d2, "EACCES");

    /* 300 children of 30 characters: over one payload. */
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/local/domain/1/data/many/child-%04d-xxxxxxxxxxxxxxxxxx", i);
        CHECK_EQ(xs_write(f.s, path, "", 0), 0);
    }
    SEND(f.d1, XS_DIRECTORY, 0, "data/many\0");
    EXPECT_ERR(f.d1, "E2BIG");
    for (;;) {
        size_t gl, body;

        n = snprintf(req, sizeof(req), "data/many%c%zu%c", 0, off, 0);
        CHECK_EQ(h_send(f.d1, XS_DIRECTORY_PART, 0, req, (size_t)n), 0);
        if (!h_recv(f.d1, &m) || m.h.type != XS_DIRECTORY_PART || ++parts > 10) {
            CHECK(0);
            break;
        }
        CHECK(m.h.len <= XENSTORE_PAYLOAD_MAX);
        gl = strlen(m.p) + 1;
        body = m.h.len - gl;
        if (body && m.p[m.h.len - 1] == 0 && m.p[m.h.len - 2] == 0 && m.h.len - gl >= 1) {
            /* The last part: names then the empty string. */
            memcpy(all + alllen, m.p + gl, body - 1);
            alllen += body - 1;
            break;
        }
        memcpy(all + alllen, m.p + gl, body);
        alllen += body;
        off += body;
    }
    CHECK(parts >= 3);
    CHECK_EQ(alllen, 300 * 30);
    for (int i = 0; i < 300 && alllen == 300 * 30; i++) {
        snprintf(path, sizeof(path), "child-%04d-xxxxxxxxxxxxxxxxxx", i);
        CHECK_STR(all + i * 30, path);
    }
    STORE_DONE(f.s);
}

static void test_special_watches(void)
{
    struct fx f;
    struct xs_conn *d4;

    fx_init(&f);
    DO_OK(f.d0, XS_WATCH, "@introduceDomain\0i\0");
    EXPECT_EVENT(f.d0, "@introduceDomain", "i");
    DO_OK(f.d0, XS_WATCH, "@releaseDomain\0r\0");
    EXPECT_EVENT(f.d0, "@releaseDomain", "r");
    DO_OK(f.d1, XS_WATCH, "@introduceDomain\0i1\0");
    EXPECT_EVENT(f.d1, "@introduceDomain", "i1");
    d4 = xs_domain_introduce(f.s, 4);
    CHECK(d4 != NULL);
    CHECK(xs_domain_introduce(f.s, 4) == d4);   /* once only */
    EXPECT_EVENT(f.d0, "@introduceDomain", "i");
    EXPECT_NONE(f.d0);
    EXPECT_NONE(f.d1);                           /* not allowed by "n0" */
    xs_domain_release(f.s, 4);
    EXPECT_EVENT(f.d0, "@releaseDomain", "r");
    EXPECT_NONE(f.d0);
    /* dom0 lets domain 1 see introductions. */
    DO_OK(f.d0, XS_SET_PERMS, "@introduceDomain\0n0\0r1\0");
    SEND(f.d1, XS_SET_PERMS, 0, "@introduceDomain\0n1\0");
    EXPECT_ERR(f.d1, "EACCES");
    SEND(f.d0, XS_SET_PERMS, 0, "@bogus\0n0\0");
    EXPECT_ERR(f.d0, "EINVAL");
    SEND(f.d0, XS_GET_PERMS, 0, "@introduceDomain\0");
    EXPECT_ERR(f.d0, "EINVAL");
    xs_domain_introduce(f.s, 5);
    EXPECT_EVENT(f.d0, "@introduceDomain", "i");
    EXPECT_EVENT(f.d1, "@introduceDomain", "i1");
    /* INTRODUCE / RELEASE messages fire them too (no host callbacks). */
    SEND(f.d0, XS_INTRODUCE, 0, "6\0" "99\0" "3\0");
    EXPECT_EVENT(f.d0, "@introduceDomain", "i");
    EXPECT_OK(f.d0, XS_INTRODUCE);
    EXPECT_EVENT(f.d1, "@introduceDomain", "i1");
    SEND(f.d0, XS_RELEASE, 0, "6\0");
    EXPECT_EVENT(f.d0, "@releaseDomain", "r");
    EXPECT_OK(f.d0, XS_RELEASE);
    EXPECT_NONE(f.d1);
    /* dom0 closes domain 2's connection (hostile): it stays introduced,
     * gets a new connection if introduced again (no event), and its
     * release still fires @releaseDomain. */
    xs_conn_free(f.d2);
    CHECK(xs_domain_conn(f.s, 2) == NULL);
    CHECK(xs_domain_introduced(f.s, 2));
    SEND(f.d0, XS_IS_DOMAIN_INTRODUCED, 0, "2\0");
    EXPECT(f.d0, XS_IS_DOMAIN_INTRODUCED, "T\0");
    f.d2 = xs_domain_introduce(f.s, 2);
    CHECK(f.d2 != NULL);
    EXPECT_NONE(f.d0);
    xs_conn_free(f.d2);
    SEND(f.d0, XS_RELEASE, 0, "2\0");
    EXPECT_EVENT(f.d0, "@releaseDomain", "r");
    EXPECT_OK(f.d0, XS_RELEASE);
    CHECK(!xs_domain_introduced(f.s, 2));
    STORE_DONE(f.s);
}

static void test_direct_ops(void)
{
    struct fx f;
    char buf[64];
    size_t len;

    struct xs_store_stats st;

    fx_init(&f);
    DO_OK(f.d1, XS_WATCH, "data\0t\0");
    SEND(f.d1, XS_TRANSACTION_START, 0, "\0");
    xs_store_stats(f.s, &st);
    /* root, local, domain, 1, 1/data, 2, 2/data */
    CHECK_EQ(st.nodes, 7);
    CHECK_EQ(st.domains, 2);
    CHECK_EQ(st.conns, 3);
    CHECK_EQ(st.watches, 1);
    CHECK_EQ(st.transactions, 1);
    CHECK_EQ(st.out_bytes, xs_conn_out_pending(f.d1));
    CHECK(st.generation >= 7);
    CHECK_EQ(xs_conn_out_take(f.d1, buf, sizeof(buf)), st.out_bytes);
    CHECK_EQ(xs_write(f.s, "/local/domain/1/name", "guest", 5), 0);
    CHECK_EQ(xs_read(f.s, "/local/domain/1/name", buf, sizeof(buf), &len), 0);
    CHECK_EQ(len, 5);
    CHECK(!memcmp(buf, "guest", 5));
    CHECK_EQ(xs_read(f.s, "/local/domain/1/name", buf, 2, &len), 0);
    CHECK_EQ(len, 5);
    CHECK_EQ(xs_read(f.s, "/nope", buf, sizeof(buf), &len), XEN_ENOENT);
    CHECK_EQ(xs_read(f.s, "relative", buf, sizeof(buf), &len), XEN_EINVAL);
    CHECK_EQ(xs_directory(f.s, "/local/domain/1", buf, sizeof(buf), &len), 0);
    CHECK_EQ(len, 10);
    CHECK(!memcmp(buf, "data\0name\0", 10));
    CHECK_EQ(xs_set_perms(f.s, "/local/domain/1/name", "x", 2), XEN_EINVAL);
    CHECK_EQ(xs_rm(f.s, "/local/domain/1"), 0);
    CHECK_EQ(xs_directory(f.s, "/local/domain", buf, sizeof(buf), &len), 0);
    CHECK_EQ(len, 2);
    CHECK_EQ(xs_mkdir(f.s, "/a/b"), 0);
    CHECK_EQ(xs_rm(f.s, "/"), XEN_EINVAL);
    STORE_DONE(f.s);
}

/* Quotas with the default limits: 1000 nodes per domain (EQUOTA on the
 * 1001st), 2048 bytes of value and permissions per node (E2BIG), 128
 * watches (E2BIG), 10 open transactions (ENOSPC). dom0 is not limited. */
static void test_quotas(void)
{
    struct fx f;
    char msg[64], big[4200];
    int n;

    fx_init(&f);
    /* data/ (owned by domain 1 by fx_init) is its first node. */
    for (int i = 1; i < 1000; i++) {
        n = snprintf(msg, sizeof(msg), "data/n%d%cv", i, 0);
        CHECK_EQ(h_send(f.d1, XS_WRITE, 0, msg, (size_t)n), 0);
        EXPECT_OK(f.d1, XS_WRITE);
    }
    SEND(f.d1, XS_WRITE, 0, "data/one-more\0v");
    EXPECT_ERR(f.d1, "EQUOTA");
    SEND(f.d1, XS_MKDIR, 0, "data/one-more\0");
    EXPECT_ERR(f.d1, "EQUOTA");
    /* Rewriting existing nodes is fine; removing one makes room. */
    DO_OK(f.d1, XS_WRITE, "data/n5\0w");
    DO_OK(f.d1, XS_RM, "data/n5\0");
    DO_OK(f.d1, XS_WRITE, "data/one-more\0v");
    /* A transaction's creations count too, at the operation and at commit. */
    SEND(f.d1, XS_TRANSACTION_START, 0, "\0");
    EXPECT(f.d1, XS_TRANSACTION_START, "1\0");
    SEND(f.d1, XS_WRITE, 1, "data/in-tx\0v");
    EXPECT_TX(f.d1, XS_ERROR, 1, "EQUOTA\0");
    SEND(f.d1, XS_TRANSACTION_END, 1, "F\0");
    EXPECT_TX(f.d1, XS_TRANSACTION_END, 1, "OK\0");
    /* dom0 may create nodes in domain 1's tree beyond that. */
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/by-dom0", "x", 1), 0);
    /* Domain 2 has its own count. */
    DO_OK(f.d2, XS_WRITE, "data/a\0v");

    /* Node size: value plus permissions' text ("n2" and its NUL). */
    memset(big, 'v', sizeof(big));
    memcpy(big, "data/big", 9);
    CHECK_EQ(h_send(f.d2, XS_WRITE, 0, big, 9 + 2045), 0);
    EXPECT_OK(f.d2, XS_WRITE);
    CHECK_EQ(h_send(f.d2, XS_WRITE, 0, big, 9 + 2046), 0);
    EXPECT_ERR(f.d2, "E2BIG");
    SEND(f.d2, XS_SET_PERMS, 0, "data/big\0n2\0r1\0");
    EXPECT_ERR(f.d2, "E2BIG");
    CHECK_EQ(xs_write(f.s, "/local/domain/2/data/big", big + 9, 3000), 0);

    /* Watches. */
    for (int i = 0; i < 128; i++) {
        n = snprintf(msg, sizeof(msg), "data%ct%d%c", 0, i, 0);
        CHECK_EQ(h_send(f.d2, XS_WATCH, 0, msg, (size_t)n), 0);
        EXPECT_OK(f.d2, XS_WATCH);
        CHECK_EQ(xs_conn_out_take(f.d2, big, sizeof(big)), 16 + 5 + strlen(msg + 5) + 1);
    }
    SEND(f.d2, XS_WATCH, 0, "data\0t-last\0");
    EXPECT_ERR(f.d2, "E2BIG");
    DO_OK(f.d2, XS_UNWATCH, "data\0t0\0");
    SEND(f.d2, XS_WATCH, 0, "data\0t-last\0");
    EXPECT_OK(f.d2, XS_WATCH);
    EXPECT_EVENT(f.d2, "data", "t-last");
    DO_OK(f.d2, XS_RESET_WATCHES, "");

    /* Transactions. */
    for (int i = 1; i <= 10; i++) {
        SEND(f.d2, XS_TRANSACTION_START, 0, "\0");
        n = snprintf(msg, sizeof(msg), "%d", i);
        h_expect(__FILE__, __LINE__, f.d2, XS_TRANSACTION_START, 0, msg, (size_t)n + 1);
    }
    SEND(f.d2, XS_TRANSACTION_START, 0, "\0");
    EXPECT_ERR(f.d2, "ENOSPC");
    SEND(f.d2, XS_TRANSACTION_END, 4, "F\0");
    EXPECT_TX(f.d2, XS_TRANSACTION_END, 4, "OK\0");
    SEND(f.d2, XS_TRANSACTION_START, 0, "\0");
    EXPECT(f.d2, XS_TRANSACTION_START, "11\0");
    /* dom0 is not limited. */
    for (int i = 0; i < 20; i++) {
        SEND(f.d0, XS_TRANSACTION_START, 0, "\0");
        CHECK(xs_conn_out_take(f.d0, big, sizeof(big)) > 16);
    }
    STORE_DONE(f.s);
}

/* A domain that does not read its replies is closed at 64 KiB of output;
 * one that gets too many watch events is marked broken, and closed at its
 * next request. Others carry on. */
static void test_output_limit(void)
{
    struct fx f;
    static char val[2000];
    char msg[64];
    int n, rc = 0, i;

    fx_init(&f);
    memset(val, 'z', sizeof(val));
    CHECK_EQ(xs_write(f.s, "/local/domain/1/data/v", val, sizeof(val)), 0);
    for (i = 0; i < 100 && !rc; i++)
        rc = SEND(f.d1, XS_READ, 0, "data/v\0");
    CHECK_EQ(rc, -1);
    CHECK_EQ(i, 33);                  /* 32 replies of 2016 bytes fit in 64 KiB */
    CHECK(xs_conn_broken(f.d1));
    CHECK(xs_conn_out_pending(f.d1) <= 64 * 1024);
    CHECK_CONTAINS(h_log, "domain 1: output queue over its limit");
    CHECK_EQ(SEND(f.d1, XS_READ, 0, "data/v\0"), -1);
    xs_conn_free(f.d1);
    CHECK(xs_domain_conn(f.s, 1) == NULL);

    /* Events: domain 2 watches and never reads. */
    DO_OK(f.d2, XS_WATCH, "/\0all\0");
    (void)n;
    for (i = 0; i < 5000 && !xs_conn_broken(f.d2); i++) {
        n = snprintf(msg, sizeof(msg), "/local/domain/2/data/k%d", i);
        CHECK_EQ(xs_write(f.s, msg, "", 0), 0);
    }
    CHECK(xs_conn_broken(f.d2));
    CHECK(xs_conn_out_pending(f.d2) <= 64 * 1024);
    CHECK_EQ(SEND(f.d2, XS_READ, 0, "data\0"), -1);
    /* dom0 goes on. */
    DO_OK(f.d0, XS_WRITE, "/x\0y");
    STORE_DONE(f.s);
}

int main(void)
{
    RUN_TEST(test_read_write);
    RUN_TEST(test_bad_paths);
    RUN_TEST(test_directory_mkdir_rm);
    RUN_TEST(test_permissions);
    RUN_TEST(test_watch_messages);
    RUN_TEST(test_transaction_messages);
    RUN_TEST(test_domain_messages);
    RUN_TEST(test_set_target);
    RUN_TEST(test_control);
    RUN_TEST(test_unknown_types);
    RUN_TEST(test_oversized_closes);
    RUN_TEST(test_reset_watches);
    RUN_TEST(test_directory_part);
    RUN_TEST(test_special_watches);
    RUN_TEST(test_direct_ops);
    RUN_TEST(test_quotas);
    RUN_TEST(test_output_limit);
    return test_main_result();
}

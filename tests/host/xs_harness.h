/* Shared helpers of the XenStore core's host tests: malloc-backed
 * xs_malloc/xs_free (counting live blocks, so leaks show up even without
 * the leak checker), a captured log, and sending real xsd_sockmsg messages
 * through xs_conn_handle and checking the exact reply bytes. */
#ifndef TESTS_HOST_XS_HARNESS_H
#define TESTS_HOST_XS_HARNESS_H

#include <stdlib.h>
#include "test.h"
#include "xs.h"
#include "errno.h"

static long h_live_allocs;
static long h_fail_after = -1;   /* fail allocations after this many (-1 never) */

void *xs_malloc(size_t n)
{
    if (h_fail_after == 0)
        return NULL;
    if (h_fail_after > 0)
        h_fail_after--;
    h_live_allocs++;
    return malloc(n ? n : 1);
}

void xs_free(void *p)
{
    if (p)
        h_live_allocs--;
    free(p);
}

static char h_log[16384];

static void h_logfn(void *ctx, const char *line)
{
    size_t n = strlen(h_log);

    (void)ctx;
    snprintf(h_log + n, sizeof(h_log) - n, "%s\n", line);
}

static struct xs_store *h_store_env(struct xs_env *env, const struct xs_limits *lim)
{
    h_log[0] = 0;
    env->log = h_logfn;
    return xs_store_new(env, lim);
}

static __attribute__((unused)) struct xs_store *h_store(void)
{
    static struct xs_env env;

    env = (struct xs_env){ 0 };
    return h_store_env(&env, NULL);
}

static uint32_t h_req;

static __attribute__((unused)) int h_send(struct xs_conn *c, uint32_t type, uint32_t tx, const char *p, size_t len)
{
    struct xsd_sockmsg h = { type, ++h_req, tx, (uint32_t)len };

    return xs_conn_handle(c, &h, p);
}

/* lit: a string literal with its NULs written out, "a/b\0" */
#define SEND(c, type, tx, lit) h_send((c), (type), (tx), (lit), sizeof(lit) - 1)

struct h_msg {
    struct xsd_sockmsg h;
    char p[XENSTORE_PAYLOAD_MAX + 64];
};

static __attribute__((unused)) int h_recv(struct xs_conn *c, struct h_msg *m)
{
    if (xs_conn_out_take(c, &m->h, sizeof(m->h)) != sizeof(m->h))
        return 0;
    if (m->h.len > sizeof(m->p))
        return 0;
    return xs_conn_out_take(c, m->p, m->h.len) == m->h.len;
}

static __attribute__((unused)) void h_show(char *out, size_t max, const char *p, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n + 5 < max; i++) {
        if (p[i] == 0)
            n += (size_t)snprintf(out + n, max - n, "\\0");
        else if (p[i] < 32 || p[i] > 126)
            n += (size_t)snprintf(out + n, max - n, "\\x%02x", (unsigned char)p[i]);
        else
            out[n++] = p[i];
    }
    out[n] = 0;
}

/* The next message on c must be type with exactly this payload, with the
 * last request's req_id and tx_id (events: 0 and 0). */
static __attribute__((unused)) void h_expect(const char *file, int line, struct xs_conn *c, uint32_t type, uint32_t tx,
                     const char *p, size_t len)
{
    struct h_msg m;
    char got[300], want[300];
    uint32_t req = type == XS_WATCH_EVENT ? 0 : h_req;

    if (type == XS_WATCH_EVENT)
        tx = 0;
    if (!h_recv(c, &m)) {
        test_fail(file, line, "no message queued (wanted type %u)", type);
        return;
    }
    h_show(got, sizeof(got), m.p, m.h.len);
    h_show(want, sizeof(want), p, len);
    if (m.h.type != type || m.h.len != len || memcmp(m.p, p, len) || m.h.req_id != req ||
        m.h.tx_id != tx)
        test_fail(file, line, "got type %u req %u tx %u \"%s\", wanted type %u req %u tx %u \"%s\"",
                  m.h.type, m.h.req_id, m.h.tx_id, got, type, req, tx, want);
}

#define EXPECT(c, type, lit) h_expect(__FILE__, __LINE__, (c), (type), 0, (lit), sizeof(lit) - 1)
#define EXPECT_TX(c, type, tx, lit) h_expect(__FILE__, __LINE__, (c), (type), (tx), (lit), sizeof(lit) - 1)
#define EXPECT_OK(c, type) EXPECT((c), (type), "OK\0")
#define EXPECT_ERR(c, lit) EXPECT((c), XS_ERROR, lit "\0")
#define EXPECT_EVENT(c, path, token) EXPECT((c), XS_WATCH_EVENT, path "\0" token "\0")
#define EXPECT_NONE(c) CHECK_EQ(xs_conn_out_pending(c), 0)

/* Sends and expects "OK" (the usual case, one line). */
#define DO_OK(c, type, lit)                                                   \
    do {                                                                      \
        CHECK_EQ(SEND((c), (type), 0, lit), 0);                               \
        EXPECT_OK((c), (type));                                               \
    } while (0)

/* Frees everything and checks that nothing was left allocated. */
#define STORE_DONE(s)                                                         \
    do {                                                                      \
        xs_store_free(s);                                                     \
        CHECK_EQ(h_live_allocs, 0);                                           \
        h_live_allocs = 0;                                                    \
    } while (0)

#endif

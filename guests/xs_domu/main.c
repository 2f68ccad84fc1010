/* A domU against dom0's XenStore (guests/dom0): what a guest kernel does
 * with the store, and what it must not be able to do.
 *
 *   [other=<id>]     another domU whose keys this one must not read or write
 *   [quota=1]        also fill the node quota (about 1000 round trips)
 *   [shutdown=1]     at the end, wait for control/shutdown as Mini-OS does,
 *                    acknowledge it and power off with that reason
 *
 * Expected answers are Xen 4.17's xenstored's for an unprivileged domain
 * whose tree the toolstack wrote as xl does; quotas answer as oxenstored
 * (EQUOTA, E2BIG) where C xenstored says ENOSPC (docs/dom0.md). */
#include "pv.h"
#include "errno.h"
#include "xs_client.h"

static char buf[4096];
static long self;

static int has_name(const char *list, long len, const char *name)
{
    for (long i = 0; i < len;) {
        if (g_strcmp(list + i, name) == 0)
            return 1;
        i += (long)g_strlen(list + i) + 1;
    }
    return 0;
}

static void basics(void)
{
    char want[64];
    long rc;

    snformat(want, sizeof(want), "/local/domain/%ld", self);
    rc = xs_request(XS_GET_DOMAIN_PATH, 0, buf, (size_t)snformat(buf, sizeof(buf), "%ld", self) + 1, buf,
                    sizeof(buf), NULL);
    test_check(rc > 0 && g_strcmp(buf, want) == 0, "GET_DOMAIN_PATH(%ld): %s (rc=%ld)", self, rc > 0 ? buf : "",
               rc);
    rc = xs_read(0, "name", buf, sizeof(buf));
    test_check(rc > 0, "own name readable: \"%s\" (rc=%ld)", rc > 0 ? buf : "", rc);
    rc = xs_read(0, "control/shutdown", buf, sizeof(buf));
    test_check(rc >= 0, "control/shutdown exists (rc=%ld)", rc);
    rc = xs_read(0, "no/such/node", buf, sizeof(buf));
    test_expect(rc, -XEN_ENOENT, "read of a missing node");

    test_expect(xs_write(0, "data/k", "v1"), 0, "write data/k");
    rc = xs_read(0, "data/k", buf, sizeof(buf));
    test_check(rc == 2 && g_strcmp(buf, "v1") == 0, "read data/k back: \"%s\" (rc=%ld)", buf, rc);
    rc = xs_read(0, snformat(want, sizeof(want), "/local/domain/%ld/data/k", self) ? want : "", buf, sizeof(buf));
    test_check(rc == 2 && g_strcmp(buf, "v1") == 0, "the same by absolute path (rc=%ld)", rc);
    test_expect(xs_write(0, "data/k", "a longer value"), 0, "rewrite data/k");
    test_expect(xs_write(0, "data/dir/a", "1"), 0, "write data/dir/a (makes data/dir)");
    test_expect(xs_mkdir(0, "data/dir/b"), 0, "mkdir data/dir/b");
    test_expect(xs_mkdir(0, "data/dir/b"), 0, "mkdir of an existing node");
    rc = xs_directory(0, "data/dir", buf, sizeof(buf));
    test_check(rc > 0 && has_name(buf, rc, "a") && has_name(buf, rc, "b"), "directory data/dir lists a and b (rc=%ld)",
               rc);
    rc = xs_get_perms(0, "data/dir/b", buf, sizeof(buf));
    snformat(want, sizeof(want), "n%ld", self);
    test_check(rc > 0 && g_strcmp(buf, want) == 0, "a new node is the domain's own: %s (rc=%ld)", rc > 0 ? buf : "",
               rc);
    /* DIRECTORY_PART: the children's generation, then names from an offset,
     * an empty name at the end of the list. */
    long pl = xs_request(XS_DIRECTORY_PART, 0, "data/dir\0" "0", 11, buf, sizeof(buf), NULL);
    long g = pl > 0 ? (long)g_strlen(buf) + 1 : 0;
    test_check(pl > g && buf[0] >= '0' && buf[0] <= '9' && has_name(buf + g, pl - g, "a") &&
                   has_name(buf + g, pl - g, "b") && buf[pl - 1] == '\0' && buf[pl - 2] == '\0',
               "DIRECTORY_PART data/dir from 0: generation %s, a and b, then the end mark (rc=%ld)", pl > 0 ? buf : "",
               pl);
    pl = xs_request(XS_DIRECTORY_PART, 0, "data/dir\0" "2", 11, buf, sizeof(buf), NULL);
    g = pl > 0 ? (long)g_strlen(buf) + 1 : 0;
    test_check(pl == g + 3 && g_strcmp(buf + g, "b") == 0, "DIRECTORY_PART from offset 2: just b (rc=%ld)", pl);
    test_expect(xs_rm(0, "data/dir"), 0, "rm data/dir (and what is under it)");
    test_expect(xs_read(0, "data/dir/a", buf, sizeof(buf)), -XEN_ENOENT, "data/dir/a is gone");
    test_expect(xs_rm(0, "data/dir"), 0, "rm of a missing node whose parent exists (as Xen 4.17: OK)");
    test_expect(xs_rm(0, "data/dir/x"), -XEN_ENOENT, "rm of a node whose parent is missing");

    /* Bad requests. */
    test_expect(xs_write(0, "data//x", "1"), -XEN_EINVAL, "a path with //");
    test_expect(xs_write(0, "data/x/", "1"), -XEN_EINVAL, "a path ending in /");
    test_expect(xs_write(0, "data/a b", "1"), -XEN_EINVAL, "a path with a blank");
    test_expect(xs_request(9999, 0, "", 1, buf, sizeof(buf), NULL), -XEN_ENOSYS, "an unknown message type");
    test_expect(xs_request(XS_INTRODUCE, 0, "5\0" "100\0" "3", 8, buf, sizeof(buf), NULL), -XEN_EACCES,
                "INTRODUCE from a domU");
}

static void permissions(void)
{
    char p[64];

    test_expect(xs_write(0, "name", "renamed"), -XEN_EACCES, "write own name (read-only to the domain)");
    test_expect(xs_rm(0, "domid"), -XEN_EACCES, "rm own domid");
    test_expect(xs_read(0, "/local/domain/0/name", buf, sizeof(buf)), -XEN_EACCES, "read dom0's name");
    test_expect(xs_write(0, "/local/domain/0/data/x", "1"), -XEN_EACCES, "write under dom0's tree");
    test_expect(xs_write(0, "/vm-of-nobody", "1"), -XEN_EACCES, "write at the top level");
    test_expect(xs_set_perms(0, "name", "n0\0r0", 6), -XEN_EACCES, "set_perms on a node it does not own");
    long other = (long)g_opt((const char *)guest_start_info->cmd_line, "other=", 0);
    if (other) {
        snformat(p, sizeof(p), "/local/domain/%ld/name", other);
        test_expect(xs_read(0, p, buf, sizeof(buf)), -XEN_EACCES, "read d%ld's name", other);
        snformat(p, sizeof(p), "/local/domain/%ld/data/x", other);
        test_expect(xs_write(0, p, "1"), -XEN_EACCES, "write into d%ld's data", other);
        snformat(p, sizeof(p), "/local/domain/%ld/data", other);
        test_expect(xs_directory(0, p, buf, sizeof(buf)), -XEN_EACCES, "list d%ld's data", other);
    }
    /* Its own node, opened to nobody else, then to dom0 only for reading. */
    test_expect(xs_write(0, "data/mine", "x"), 0, "write data/mine");
    snformat(p, sizeof(p), "n%ld", self);
    test_expect(xs_set_perms(0, "data/mine", p, g_strlen(p) + 1), 0, "set_perms on its own node");
    long rc = xs_get_perms(0, "data/mine", buf, sizeof(buf));
    test_check(rc > 0 && g_strcmp(buf, p) == 0, "get_perms: %s (rc=%ld)", rc > 0 ? buf : "", rc);
    test_expect(xs_set_perms(0, "data/mine", "x5", 3), -XEN_EINVAL, "set_perms with a bad entry");
}

static void watches(void)
{
    char path[128], token[32];
    int got;

    test_expect(xs_watch("data/w", "tok1"), 0, "watch data/w");
    got = xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull);
    test_check(got && g_strcmp(path, "data/w") == 0 && g_strcmp(token, "tok1") == 0,
               "the initial event: %s %s", got ? path : "-", got ? token : "-");
    test_expect(xs_write(0, "data/w", "1"), 0, "write data/w");
    got = xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull);
    test_check(got && g_strcmp(path, "data/w") == 0 && g_strcmp(token, "tok1") == 0, "event for the write: %s %s",
               got ? path : "-", got ? token : "-");
    test_expect(xs_write(0, "data/w/sub", "2"), 0, "write data/w/sub");
    got = xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull);
    test_check(got && g_strcmp(path, "data/w/sub") == 0, "event for a node below: %s", got ? path : "-");
    test_expect(xs_rm(0, "data/w"), 0, "rm data/w");
    got = xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull);
    test_check(got && g_strcmp(path, "data/w") == 0, "event for the removal: %s", got ? path : "-");
    test_expect(xs_watch("data/w", "tok1"), -XEN_EEXIST, "the same watch twice");
    test_expect(xs_unwatch("data/w", "tok1"), 0, "unwatch");
    test_expect(xs_unwatch("data/w", "tok1"), -XEN_ENOENT, "unwatch again");
    while (xs_wait_watch(path, sizeof(path), token, sizeof(token), 0))
        ;
    test_expect(xs_write(0, "data/w", "3"), 0, "write data/w unwatched");
    got = xs_wait_watch(path, sizeof(path), token, sizeof(token), 300000000ull);
    test_check(!got, "no event after unwatch");
    /* Another domain's node: the watch is accepted, its events are not
     * delivered (they would tell what the domain may not read). */
    test_expect(xs_watch("/local/domain/0/name", "spy"), 0, "watch dom0's name");
    while (xs_wait_watch(path, sizeof(path), token, sizeof(token), 200000000ull))
        ;
    test_expect(xs_unwatch("/local/domain/0/name", "spy"), 0, "unwatch dom0's name");
    /* RESET_WATCHES drops them all. */
    test_expect(xs_watch("data/r", "r1"), 0, "watch data/r");
    (void)xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull);
    test_expect(xs_request(XS_RESET_WATCHES, 0, "", 1, buf, sizeof(buf), NULL), 3, "RESET_WATCHES (reply OK)");
    test_expect(xs_write(0, "data/r", "1"), 0, "write data/r");
    test_check(!xs_wait_watch(path, sizeof(path), token, sizeof(token), 300000000ull), "no event after the reset");
    test_expect(xs_unwatch("data/r", "r1"), -XEN_ENOENT, "the watch is gone");
    test_expect(xs_watch("@releaseDomain", "rel"), 0, "watch @releaseDomain");
    got = xs_wait_watch(path, sizeof(path), token, sizeof(token), 2000000000ull);
    test_check(got && g_strcmp(path, "@releaseDomain") == 0, "its initial event: %s", got ? path : "-");
    test_expect(xs_unwatch("@releaseDomain", "rel"), 0, "unwatch @releaseDomain");
}

static void transactions(void)
{
    long t1 = xs_transaction_start(), t2;

    test_check(t1 > 0, "transaction started: id %ld", t1);
    test_expect(xs_write((uint32_t)t1, "data/t", "a"), 0, "write data/t in it");
    test_expect(xs_read(0, "data/t", buf, sizeof(buf)), -XEN_ENOENT, "not visible outside it yet");
    long rc = xs_read((uint32_t)t1, "data/t", buf, sizeof(buf));
    test_check(rc == 1 && buf[0] == 'a', "visible inside it (rc=%ld)", rc);
    test_expect(xs_transaction_end((uint32_t)t1, 1), 0, "commit");
    rc = xs_read(0, "data/t", buf, sizeof(buf));
    test_check(rc == 1 && buf[0] == 'a', "visible after the commit (rc=%ld)", rc);

    t2 = xs_transaction_start();
    test_check(t2 > 0, "second transaction: id %ld", t2);
    (void)xs_read((uint32_t)t2, "data/t", buf, sizeof(buf));
    test_expect(xs_write(0, "data/t", "b"), 0, "data/t changed outside it");
    test_expect(xs_write((uint32_t)t2, "data/t", "c"), 0, "data/t written inside it");
    test_expect(xs_transaction_end((uint32_t)t2, 1), -XEN_EAGAIN, "the conflicting commit");
    rc = xs_read(0, "data/t", buf, sizeof(buf));
    test_check(rc == 1 && buf[0] == 'b', "the outside write stands: %s", buf);

    t2 = xs_transaction_start();
    test_expect(xs_write((uint32_t)t2, "data/u", "1"), 0, "write in a third transaction");
    test_expect(xs_transaction_end((uint32_t)t2, 0), 0, "abort it");
    test_expect(xs_read(0, "data/u", buf, sizeof(buf)), -XEN_ENOENT, "nothing of it stays");
    test_expect(xs_transaction_end((uint32_t)t2, 1), -XEN_ENOENT, "end of a finished transaction");
    test_expect(xs_write(77777, "data/u", "1"), -XEN_ENOENT, "a write in an unknown transaction");
}

static void quotas(void)
{
    static char big[4000];
    long rc = 0;
    unsigned n = 0;
    char p[48];

    g_memset(big, 'x', sizeof(big) - 1);
    test_expect(xs_write(0, "data/big", big), -XEN_E2BIG, "a value over the node size limit");
    big[1000] = '\0';
    test_expect(xs_write(0, "data/big", big), 0, "a 1000-byte value");
    for (n = 0; n < 1100; n++) {
        snformat(p, sizeof(p), "data/q/%u", n);
        if ((rc = xs_write(0, p, "1")) != 0)
            break;
    }
    test_check(rc == -XS_EQUOTA && n > 900 && n < 1000, "node quota: refused after %u nodes with rc=%ld (want %d)",
               n, rc, -XS_EQUOTA);
    test_expect(xs_rm(0, "data/q"), 0, "rm them all");
    test_expect(xs_write(0, "data/q/again", "1"), 0, "room again");
    test_expect(xs_rm(0, "data/q"), 0, "rm again");
}

static void wait_shutdown(void)
{
    char path[64], token[32];
    uint64_t end = pv_now() + 120000000000ull;
    long rc;

    test_expect(xs_watch("control/shutdown", "shutdown"), 0, "watch control/shutdown");
    test_note("waiting for dom0 to ask for a shutdown");
    while (pv_now() < end && xs_wait_watch(path, sizeof(path), token, sizeof(token), end - pv_now())) {
        rc = xs_read(0, "control/shutdown", buf, sizeof(buf));
        if (rc <= 0)
            continue;
        test_check(g_strcmp(buf, "poweroff") == 0, "asked to %s", buf);
        test_expect(xs_write(0, "control/shutdown", ""), 0, "acknowledged");
        return;
    }
    test_check(0, "no shutdown request");
}

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;

    pv_map_shared_info();
    (void)pv_events_mask();
    test_check(xs_open() == 0, "store ring from start_info (mfn %#lx, port %u)", (unsigned long)si->store_mfn,
               si->store_evtchn);
    self = xs_domid();
    test_check(self > 0, "own domid from XenStore: %ld", self);
    if (self <= 0)
        return;
    basics();
    permissions();
    watches();
    transactions();
    if (g_opt(line, "quota=", 0))
        quotas();
    if (g_opt(line, "shutdown=", 0))
        wait_shutdown();
}

/* The XenStore core's host side in dom0: its memory (xs_malloc/xs_free on
 * the guest heap, guests/lib/heap.h, over a region of dom0's image: the
 * builder maps the whole image, .bss included, so no mapping work is
 * needed) and its callbacks (the log; INTRODUCE and RELEASE from dom0's
 * own connection, store_ring.c). */
#include "dom0.h"
#include "errno.h"
#include "heap.h"

#define HEAP_BYTES (16ul << 20)
/* Kept for dom0's own work (introducing domains, its tree) while a domU's
 * request is served: however many domUs fill their quotas, the toolstack
 * goes on and the domUs get ENOMEM. */
#define RESERVE_BYTES (2ul << 20)

static char heap_area[HEAP_BYTES] __attribute__((aligned(4096)));

struct xs_store *dom0_xs;
int store_for_domu;

void *xs_malloc(size_t n)
{
    static int said;

    if (store_for_domu && heap_unused() < n + RESERVE_BYTES) {
        if (!said) {
            said = 1;
            dom0_log("dom0: XenStore heap down to its reserve: domU requests get ENOMEM\n");
        }
        return 0;
    }
    return heap_alloc(n);
}

void xs_free(void *p)
{
    heap_free(p);
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    dom0_log("%s\n", line);     /* the core says "xenstore: ..." itself */
}

static const struct xs_env env = {
    .ctx = 0,
    .introduce = store_introduce,
    .release = store_release,
    .log = log_line,
};

int store_init(void)
{
    heap_init(heap_area, sizeof(heap_area));
    dom0_xs = xs_store_new(&env, &xs_default_limits);
    return dom0_xs ? 0 : -1;
}

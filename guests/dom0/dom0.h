/* dom0, the services domain: what its parts share.
 *
 * One event loop (main.c) serves everything: the domain list (domains.c),
 * each domU's rings (rings.c: mapped through the reserved grant entries,
 * ports bound interdomain), the console back end (console_back.c), the
 * XenStore ring glue (store_ring.c) in front of the XenStore core (xs.h),
 * the toolstack (toolstack.c: the tree each domU gets, shutdown requests,
 * the end-of-run account) and the shell on the serial line (shell.c).
 * Nothing blocks but the loop's SCHEDOP_poll: every part does a bounded
 * amount of work per turn and per domain. */
#ifndef DOM0_DOM0_H
#define DOM0_DOM0_H

#include "pv.h"
#include "grant.h"
#include "domctl.h"
#include "sysctl.h"
#include "domlist.h"
#include "io/console.h"
#include "io/xs_wire.h"
#include "xs.h"

#define DOM0_MAX_DOMUS 512             /* two grant-window slots each (L1s 1 and 2) */
#define DOM0_LINE_MAX  256             /* a longer console line is cut into pieces */

/* Why a domU ended, for the account. */
enum domu_end {
    END_NONE = 0,
    END_POWEROFF, END_REBOOT, END_SUSPEND, END_CRASH, END_WATCHDOG, END_SOFT_RESET,
    END_FORCED,                        /* did not answer control/shutdown in time */
    END_DESTROYED,                     /* destroyed (dying, no shutdown of its own) */
    END_GONE,                          /* gone before dom0 saw why */
    END_KINDS
};

struct domu {
    int used;
    domid_t id;
    unsigned slot;                     /* its grant-window slots: 2 * slot, 2 * slot + 1 */
    char name[16];
    uint32_t flags;                    /* the last getdomaininfo flags */
    uint64_t tot_pages, max_pages;
    unsigned vcpus;

    /* console ring (public/io/console.h), dom0 the back end */
    volatile struct xencons_interface *cons;
    grant_handle_t cons_handle;
    int cons_mapped;
    unsigned cons_port;                /* dom0's end of the console channel, 0: none */
    unsigned cons_ring_ref, cons_remote_port;
    int cons_dead;                     /* bogus indices seen: no longer served */
    char line[DOM0_LINE_MAX];          /* the partial line so far */
    unsigned line_len;
    unsigned long seq_last;            /* test support: "seq <n>" lines (console_back.c) */
    int seq_bad;

    /* store ring (public/io/xs_wire.h), dom0 the server */
    volatile struct xenstore_domain_interface *store;
    grant_handle_t store_handle;
    int store_mapped;
    unsigned store_port;
    unsigned store_ring_ref, store_remote_port;
    struct xs_conn *conn;              /* NULL before the introduction or once closed */
    int introduced;
    int store_dead;                    /* connection closed: the store no longer answers */
    struct xsd_sockmsg hdr;            /* the request being reassembled */
    char *payload;                     /* XENSTORE_PAYLOAD_MAX bytes from the heap */
    unsigned got;                      /* bytes of header + payload so far */

    /* control */
    int asked;                         /* control/shutdown written by dom0 */
    uint64_t asked_at;
    int forced;                        /* forced off after the timeout */
};

extern struct domu dom0_domus[DOM0_MAX_DOMUS];
extern struct xs_store *dom0_xs;
extern unsigned dom0_expect;           /* domus=N: ids 1..N were built at boot */

/* ---- domains.c: the domain list and control hypercalls ---- */
long dom0_domctl_simple(uint32_t cmd, domid_t id);
/* getdomaininfo of exactly id: 0, or -XEN_ESRCH when it does not exist. */
long dom0_domain_info(domid_t id, struct xen_domctl_getdomaininfo *out);
/* Every domain from first on, up to max, into buf; the count or -errno. */
long dom0_list(domid_t first, struct xen_domctl_getdomaininfo *buf, uint32_t max);
struct domu *domu_find(domid_t id);
/* Look at the list again: new domUs are connected, ended ones torn down. */
void domains_scan(void);
/* domus=N: the ids 1..N not seen by the first scan ended before it. */
void domains_expect_gone(void);
/* Tear one domU down (final drain, rings, tree, release), account for it. */
void domu_end(struct domu *d, enum domu_end why);
unsigned domains_live(void);
const char *domu_end_name(enum domu_end why);

/* ---- rings.c: a domU's two rings and ports ---- */
/* Map both rings and bind both ports: 0, or -1 (said in a log line). */
int rings_connect(struct domu *d);
void rings_disconnect(struct domu *d);
/* Every port dom0 listens on, for the poll and for clearing (at most max). */
unsigned rings_ports(evtchn_port_t *ports, unsigned max);

/* ---- console_back.c ---- */
/* Drain at most a fair share of d's output ring; print whole lines. */
void console_serve(struct domu *d);
/* Everything left, and the partial line (the domain is ending). */
void console_final(struct domu *d);
/* Input for d's ring; bytes taken (the rest did not fit). */
unsigned console_input(struct domu *d, const char *buf, unsigned n);
/* One "(dN) text" line, one console_io write. */
void console_print_line(domid_t id, const char *text, unsigned len);

/* ---- store_ring.c ---- */
void store_serve(struct domu *d);
/* The core's XS_INTRODUCE and XS_RELEASE (struct xs_env), for dom0's own
 * privileged connection (the shell's introduce and release). */
int store_introduce(void *ctx, unsigned domid, uint64_t mfn, unsigned port);
int store_release(void *ctx, unsigned domid);
/* Requests handled and the time spent in the XenStore core for them. */
struct store_stats {
    unsigned long requests;
    uint64_t core_ns;
};
extern struct store_stats store_stats;
/* Set while a domU's request is in the core: its allocations leave dom0's
 * reserve alone (store_heap.c). */
extern int store_for_domu;
/* Close d's connection (one log line): its store stops answering. */
void store_close(struct domu *d, const char *why);
/* The heap, the store and its callbacks: 0 or -1. */
int store_init(void);

/* ---- toolstack.c ---- */
/* vif=1: each domU gets an empty device/vif/0 front-end directory. */
extern int dom0_vif;
/* timestamps=1: relayed console lines carry the system time. */
extern int dom0_timestamps;
/* /local/domain/0/{name,domid}, as xen-init-dom0 writes them. */
void toolstack_dom0(void);
/* Write d's tree as xl does and introduce it: 0 or a XEN_E* number. */
int toolstack_domain_add(struct domu *d);
void toolstack_domain_remove(struct domu *d);
/* Ask d to shut down (reason "poweroff", "reboot", ...) through control/shutdown. */
int toolstack_request(struct domu *d, const char *reason);
/* Count an end; print the summary and say whether every end was clean. */
void toolstack_account(struct domu *d, enum domu_end why);
int toolstack_summary(void);
/* A domain's tree path: "/local/domain/<id>" + suffix. */
void toolstack_path(char *buf, size_t size, domid_t id, const char *suffix);

/* ---- selftest.c ---- */
/* Read d's tree back as d and as another domain would: checks counted. */
void selftest_domain(struct domu *d);
/* With no domU: the same on the tree of a made-up domain, then its removal. */
void selftest_alone(void);

/* ---- shell.c ---- */
/* Bind VIRQ_CONSOLE: its port, or 0 when there is no console input. */
unsigned shell_init(void);
/* Read and act on what came in on the serial line. */
void shell_poll(void);
/* attach=<id>: attach input to that domU's console as soon as dom0 serves it. */
void shell_attach_when_ready(domid_t id);
/* Before a line of output: end a shown prompt; after: show it again. */
void shell_output_begin(void);
void shell_output_end(void);
/* The domain whose console input is attached, or -1. */
int shell_attached(void);
/* dom0 is ending: the prompt goes for good. */
void shell_close(void);
/* A domain ended: detach from it if attached. */
void shell_domain_gone(domid_t id);

/* dom0's own log lines: a prompt on screen is ended first and shown again
 * after, so that a line never lands behind "dom0> ". */
#define dom0_log(...)                                                          \
    do {                                                                      \
        shell_output_begin();                                                 \
        printk(__VA_ARGS__);                                                  \
        shell_output_end();                                                   \
    } while (0)

#endif

/* dom0's shell on the serial line. Input reaches dom0 the Xen way: the
 * hypervisor raises VIRQ_CONSOLE and dom0 takes the bytes with
 * CONSOLEIO_read (Ctrl-A three times on the serial line switches input
 * between the hypervisor and dom0). The shell is fed from the main loop:
 * it never waits for input, so the services go on while a line is typed.
 * The prompt appears once the first byte has come (a run nobody types into
 * shows no prompt); line editing is backspace only. "console <id>" attaches
 * the input to that domain's console ring until Ctrl-] . */
#include "dom0.h"
#include "errno.h"

#define LINE 160
#define CTRL_RBRACKET 0x1d

static unsigned virq_port;
static int active;                     /* a byte has come: the prompt is in use */
static int prompt_shown;               /* the prompt and the line so far are on screen */
static char line[LINE];
static unsigned len;
static int attached = -1;
static int auto_attach = -1;          /* attach=<id>: attach once it has a console */
static int in_command;                 /* the prompt waits until the command is done */

int shell_attached(void)
{
    return attached;
}

unsigned shell_init(void)
{
    long port = pv_bind_virq(VIRQ_CONSOLE, 0);

    if (port <= 0) {
        printk("dom0: no console input (VIRQ_CONSOLE: rc=%ld): no shell\n", port);
        return 0;
    }
    virq_port = (unsigned)port;
    printk("dom0: shell on the serial line (Ctrl-A three times switches input between the hypervisor and dom0)\n");
    return virq_port;
}

static void show_prompt(void)
{
    if (!active || prompt_shown || attached >= 0 || in_command)
        return;
    printk("dom0> ");
    if (len)
        console_write(line, len);
    prompt_shown = 1;
}

void shell_output_begin(void)
{
    if (prompt_shown) {
        console_write("\n", 1);
        prompt_shown = 0;
    }
}

void shell_output_end(void)
{
    show_prompt();
}

void shell_close(void)
{
    shell_output_begin();
    active = 0;
    attached = -1;
}

void shell_domain_gone(domid_t id)
{
    if (attached != (int)id)
        return;
    attached = -1;
    printk("detached: d%u ended\n", id);
    show_prompt();
}

static const char *err_name(int e)
{
    switch (e) {
    case 0: return "OK";
    case XEN_ENOENT: return "ENOENT";
    case XEN_EACCES: return "EACCES";
    case XEN_EEXIST: return "EEXIST";
    case XEN_EINVAL: return "EINVAL";
    case XEN_ESRCH: return "ESRCH";
    case XEN_ENOMEM: return "ENOMEM";
    case XEN_E2BIG: return "E2BIG";
    case XEN_ENOSPC: return "ENOSPC";
    default: return "error";
    }
}

/* The next blank-separated word of *s (NUL-terminated in place), or 0. */
static char *word(char **s)
{
    char *p = *s, *w;

    while (*p == ' ')
        p++;
    if (!*p)
        return 0;
    w = p;
    while (*p && *p != ' ')
        p++;
    if (*p)
        *p++ = 0;
    *s = p;
    return w;
}

static int parse_id(const char *w, domid_t *id)
{
    unsigned long v = 0;

    if (!w || !*w)
        return -1;
    for (; *w; w++) {
        if (*w < '0' || *w > '9' || v > DOMID_FIRST_RESERVED)
            return -1;
        v = v * 10 + (unsigned long)(*w - '0');
    }
    if (v >= DOMID_FIRST_RESERVED)
        return -1;
    *id = (domid_t)v;
    return 0;
}

static const char *state_of(uint32_t f)
{
    if (f & XEN_DOMINF_dying)
        return "dying";
    if (f & XEN_DOMINF_shutdown)
        return "shutdown";
    if (f & XEN_DOMINF_paused)
        return "paused";
    if (f & XEN_DOMINF_running)
        return "running";
    if (f & XEN_DOMINF_blocked)
        return "blocked";
    return "runnable";
}

static void cmd_list(void)
{
    static struct xen_domctl_getdomaininfo b[16];
    domid_t first = 0;
    long num;

    printk("  id name             state     pages vcpus\n");
    do {
        num = dom0_list(first, b, 16);
        for (long k = 0; k < num; k++) {
            struct domu *d = domu_find(b[k].domain);
            printk("%4u %-16s %-9s %5lu %5u\n", b[k].domain,
                   b[k].domain == 0 ? "Domain-0" : d ? d->name : "-", state_of(b[k].flags),
                   (unsigned long)b[k].tot_pages, b[k].max_vcpu_id + 1);
        }
        if (num > 0)
            first = (domid_t)(b[num - 1].domain + 1);
    } while (num == 16);
    if (num < 0)
        printk("list: rc=%ld\n", num);
}

static void print_value(const char *v, size_t n)
{
    char out[LINE];
    size_t i;

    for (i = 0; i < n && i < sizeof(out) - 1; i++)
        out[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
    out[i] = 0;
    printk("%s%s\n", out, n > i ? "..." : "");
}

static void cmd_store(const char *cmd, char *rest)
{
    static char buf[1024];
    char *path = word(&rest);
    size_t n = 0;
    int rc;

    if (!path || path[0] != '/') {
        printk("%s: an absolute path, please\n", cmd);
        return;
    }
    if (!g_strcmp(cmd, "read")) {
        rc = xs_read(dom0_xs, path, buf, sizeof(buf), &n);
        if (rc == 0)
            print_value(buf, n < sizeof(buf) ? n : sizeof(buf));
    } else if (!g_strcmp(cmd, "write")) {
        while (*rest == ' ')
            rest++;
        rc = xs_write(dom0_xs, path, rest, g_strlen(rest));
    } else if (!g_strcmp(cmd, "rm")) {
        rc = xs_rm(dom0_xs, path);
    } else {
        rc = xs_directory(dom0_xs, path, buf, sizeof(buf), &n);
        for (size_t i = 0; rc == 0 && i < n && i < sizeof(buf); i += g_strnlen(buf + i, sizeof(buf) - i) + 1)
            printk("  %s\n", buf + i);
    }
    if (rc)
        printk("%s %s: %s (%d)\n", cmd, path, err_name(rc), rc);
}

/* introduce <id> / release <id>: XS_INTRODUCE (with the ring's frame and
 * port as dom0 found them, what xl would send) or XS_RELEASE over a
 * privileged connection of dom0's own, through the wire protocol. */
static void cmd_intro(const char *cmd, char *rest)
{
    static struct xs_conn *wire;
    char *w = word(&rest), msg[64], reply[64];
    unsigned long id = w ? g_opt(w, "", 0) : 0;
    struct domu *d = id && id < 0x7ff0 ? domu_find((domid_t)id) : 0;
    struct xsd_sockmsg h = { .req_id = 1 }, r;
    int len;

    if (!w || !id) {
        printk("%s: a domain id, please\n", cmd);
        return;
    }
    if (!wire && !(wire = xs_conn_new(dom0_xs, 0, 1))) {
        printk("%s: no memory for a connection\n", cmd);
        return;
    }
    if (!g_strcmp(cmd, "introduce")) {
        h.type = XS_INTRODUCE;
        len = snformat(msg, sizeof(msg), "%lu", id) + 1;
        len += snformat(msg + len, sizeof(msg) - (size_t)len, "%lu", d ? (unsigned long)d->store_ring_ref : 0) + 1;
        len += snformat(msg + len, sizeof(msg) - (size_t)len, "%u", d ? d->store_remote_port : 1) + 1;
    } else {
        h.type = XS_RELEASE;
        len = snformat(msg, sizeof(msg), "%lu", id) + 1;
    }
    h.len = (uint32_t)len;
    (void)xs_conn_handle(wire, &h, msg);
    /* The reply (and any watch event before it) is in the queue at once. */
    while (xs_conn_out_take(wire, &r, sizeof(r)) == sizeof(r)) {
        size_t n = r.len < sizeof(reply) ? r.len : sizeof(reply) - 1;
        (void)xs_conn_out_take(wire, reply, n);
        reply[n] = 0;
        for (size_t skip = r.len - n, got = 1; skip && got; skip -= got)
            got = xs_conn_out_take(wire, msg, skip < sizeof(msg) ? skip : sizeof(msg));
        if (r.type != XS_WATCH_EVENT)
            printk("%s %lu: %s\n", cmd, id, reply);
    }
}

static void cmd_domain(const char *cmd, char *rest)
{
    static const struct { const char *name; uint32_t op; } ops[] = {
        { "destroy", XEN_DOMCTL_destroydomain },
        { "pause", XEN_DOMCTL_pausedomain },
        { "unpause", XEN_DOMCTL_unpausedomain },
    };
    domid_t id;

    if (parse_id(word(&rest), &id) || id == 0) {
        printk("%s: a domU id, please\n", cmd);
        return;
    }
    if (!g_strcmp(cmd, "console")) {
        struct domu *d = domu_find(id);
        if (!d || !d->cons || d->cons_dead) {
            printk("console: d%u has no console dom0 serves\n", id);
            return;
        }
        attached = id;
        printk("attached to d%u's console (Ctrl-] detaches)\n", id);
        return;
    }
    if (!g_strcmp(cmd, "shutdown")) {
        const char *reason = word(&rest);
        struct domu *d = domu_find(id);
        int rc = d ? toolstack_request(d, reason ? reason : "poweroff") : XEN_ESRCH;
        if (rc)
            printk("shutdown d%u: %s (%d)\n", id, err_name(rc), rc);
        return;
    }
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (!g_strcmp(cmd, ops[i].name)) {
            long rc = dom0_domctl_simple(ops[i].op, id);
            if (rc)
                printk("%s d%u: rc=%ld\n", cmd, id, rc);
            return;
        }
}

static void run(char *s)
{
    char *cmd = word(&s);

    if (!cmd)
        return;
    if (!g_strcmp(cmd, "help")) {
        printk("commands: help, list, console <id> (Ctrl-] detaches), shutdown <id> [reason],\n");
        printk("  destroy <id>, pause <id>, unpause <id>, read <path>, write <path> <value>,\n");
        printk("  ls <path>, rm <path>, release <id>, introduce <id> (XenStore)\n");
    } else if (!g_strcmp(cmd, "list")) {
        cmd_list();
    } else if (!g_strcmp(cmd, "introduce") || !g_strcmp(cmd, "release")) {
        cmd_intro(cmd, s);
    } else if (!g_strcmp(cmd, "read") || !g_strcmp(cmd, "write") || !g_strcmp(cmd, "ls") || !g_strcmp(cmd, "rm")) {
        cmd_store(cmd, s);
    } else if (!g_strcmp(cmd, "console") || !g_strcmp(cmd, "shutdown") || !g_strcmp(cmd, "destroy") ||
               !g_strcmp(cmd, "pause") || !g_strcmp(cmd, "unpause")) {
        cmd_domain(cmd, s);
    } else {
        printk("%s: unknown command (help lists them)\n", cmd);
    }
}

static void byte(char c)
{
    if (attached >= 0) {
        struct domu *d = domu_find((domid_t)attached);
        if (c == CTRL_RBRACKET || !d || !d->cons || d->cons_dead) {
            attached = -1;
            printk("detached\n");
            show_prompt();
            return;
        }
        (void)console_input(d, &c, 1);
        return;
    }
    if (!active) {
        active = 1;
        show_prompt();
    }
    if (c == '\r' || c == '\n') {
        console_write("\n", 1);
        prompt_shown = 0;
        line[len] = 0;
        len = 0;
        in_command = 1;
        run(line);
        in_command = 0;
        show_prompt();
    } else if (c == 0x7f || c == '\b') {
        if (len) {
            len--;
            console_write("\b \b", 3);
        }
    } else if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f && len < LINE - 1) {
        line[len++] = c;
        console_write(&c, 1);
    }
}

void shell_attach_when_ready(domid_t id)
{
    auto_attach = id;
}

void shell_poll(void)
{
    char buf[64];
    long n;

    if (!virq_port)
        return;
    if (auto_attach >= 0 && attached < 0) {
        struct domu *d = domu_find((domid_t)auto_attach);
        if (d && d->cons && !d->cons_dead) {
            attached = auto_attach;
            auto_attach = -1;
            printk("attached to d%u's console (Ctrl-] detaches)\n", (unsigned)attached);
        }
    }
    /* Bounded: a stream of input cannot keep the loop here. */
    for (unsigned rounds = 0; rounds < 4; rounds++) {
        n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);
        if (n <= 0)
            break;
        for (long i = 0; i < n && i < (long)sizeof(buf); i++)
            byte(buf[i]);
    }
}

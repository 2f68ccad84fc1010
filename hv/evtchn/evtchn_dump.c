/* The debug key 'e' (hv/core/keyhandler.c): a domain's bound ports, one log
 * line each, from the port table as it stands. */
#include "evtchn/evtchn_priv.h"
#include "core/domain.h"
#include "core/log.h"

#define MAX_LINES 64                    /* a domain with thousands of ports must not flood the line */

void evtchn_dump(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;
    unsigned shown = 0, bound = 0;

    if (!ed->table0) {
        log_info("d%u: no event channel table (torn down)\n", d->id);
        return;
    }
    for (uint32_t port = 1; port < ed->valid_ports; port++) {
        const struct evtchn_port *p = evtchn_port_of(ed, port);
        if (!evtchn_port_in_use(p))
            continue;
        bound++;
        if (shown >= MAX_LINES)
            continue;
        shown++;
        switch (p->state) {
        case EVTCHN_UNBOUND:
            log_info("  d%u port %u: unbound, for d%u, vCPU %u\n", d->id, port, p->remote_dom, p->vcpu);
            break;
        case EVTCHN_INTERDOMAIN:
            log_info("  d%u port %u: interdomain, d%u port %u, vCPU %u\n", d->id, port, p->remote_dom,
                     p->remote_port, p->vcpu);
            break;
        case EVTCHN_VIRQ:
            log_info("  d%u port %u: VIRQ %u, vCPU %u\n", d->id, port, p->virq, p->vcpu);
            break;
        case EVTCHN_IPI:
            log_info("  d%u port %u: IPI, vCPU %u\n", d->id, port, p->vcpu);
            break;
        default:
            log_info("  d%u port %u: state %u\n", d->id, port, p->state);
            break;
        }
    }
    log_info("d%u: %u port%s bound (%s ABI)%s\n", d->id, bound, bound == 1 ? "" : "s",
             ed->fifo ? "FIFO" : "2-level", bound > shown ? ", not all shown" : "");
}

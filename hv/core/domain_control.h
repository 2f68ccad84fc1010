/* What the control domain (dom0) can do to another domain's life cycle
 * through domctl: pause it, let it go on, destroy it; what it can read about
 * it (XEN_DOMCTL_getdomaininfo's picture); and VIRQ_DOM_EXC, which tells it
 * that a domain needs its attention. See docs/domain-control.md. */
#ifndef HV_CORE_DOMAIN_CONTROL_H
#define HV_CORE_DOMAIN_CONTROL_H

#include <stdint.h>
#include <stdbool.h>
#include "domctl.h"
#include "core/domain.h"

/* d->ctl_dying: destroyed by the control domain while it still ran, or after
 * it had shut down itself (it then still reports its shutdown). A domain
 * stopped with dom0 shows dying without either. */
enum domain_ctl_dying { DOMAIN_CTL_ALIVE = 0, DOMAIN_CTL_KILLED_RUNNING, DOMAIN_CTL_KILLED_SHUTDOWN };

/* Is d the control domain (Xen's is_control_domain)? */
static inline bool domain_ctl_privileged(const struct domain *d) { return d->privileged; }

/* XEN_DOMCTL_pausedomain: 0, -EOVERFLOW past 255 pauses. Its vCPUs leave
 * the scheduler until as many unpauses. Never the caller's own domain. */
int domain_ctl_pause(struct domain *d);
/* XEN_DOMCTL_unpausedomain: 0, -EINVAL when not paused by the controller. */
int domain_ctl_unpause(struct domain *d);
/* XEN_DOMCTL_destroydomain of another domain: its vCPUs stop and its memory
 * goes back through the teardown; a domain already dying is left alone. */
void domain_ctl_kill(struct domain *d);
/* Fill *info as XEN_DOMCTL_getdomaininfo describes d. */
void domain_ctl_info(struct domain *d, struct xen_domctl_getdomaininfo *info);
/* vCPU id of d, or NULL: the one place that knows how vCPUs are stored. */
struct vcpu *domain_ctl_vcpu(struct domain *d, unsigned id);
/* How many vCPU ids d has (Xen's max_vcpus). */
unsigned domain_ctl_max_vcpus(const struct domain *d);

/* Life-cycle events for VIRQ_DOM_EXC (raised in dom0): d shut down
 * (hv/core/domain.c), d's slot is free again (hv/core/domain_teardown.c). */
void domain_ctl_note_shutdown(struct domain *d);
void domain_ctl_note_gone(struct domain *d);

/* The guest-physical address width Xen reports for every domain (the
 * CPU's, from CPUID leaf 0x80000008). */
uint8_t domain_ctl_gpaddr_bits(void);

#endif

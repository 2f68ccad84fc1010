/* Building a PV domain from a kernel image the way the Xen PV ABI prescribes. */
#ifndef HV_DOM_BUILD_H
#define HV_DOM_BUILD_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct domain;

struct dom_build_params {
    const void *kernel; size_t kernel_len;       /* ELF image, hypervisor-readable */
    const void *initrd; size_t initrd_len;       /* NULL/0: none */
    const char *cmdline;                         /* the guest's arguments only */
    uint64_t nr_pages;                           /* memory to give it */
    bool domu_start_info;                        /* console/xenstore pages instead of dom0 flags */
    uint16_t rings_backend;                      /* with domu_start_info: the domain that serves the
                                                    console and xenstore rings (their ports' remote,
                                                    the reserved grants' grantee); the domain's own
                                                    id: the hypervisor serves its console */
};

/* 0, or -1 with a one-line reason in err. On failure the frames taken stay
 * the domain's (its teardown gives them back). On success the domain's
 * vCPU 0 is online and ready to run; its other vCPUs wait for VCPUOP_up. */
int dom_build_pv(struct domain *d, const struct dom_build_params *p, char *err, size_t errlen);

#endif

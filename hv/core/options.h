/* The hypervisor's command line: options and their values. */
#ifndef HV_CORE_OPTIONS_H
#define HV_CORE_OPTIONS_H

#include <stdint.h>
#include <stdbool.h>

#define SCHED_SLICE_MS_DEFAULT 10
#define SCHED_SLICE_MS_MAX 1000

struct hv_options {
    char console[32];         /* "com1" (default) or "none" */
    uint32_t com1_baud;
    uint16_t com1_port;
    uint64_t dom0_mem;        /* bytes; 0: all but a reserve */
    bool noreboot;
    bool pv_linear_pt;        /* pv-linear-pt: linear page tables allowed (default, as Xen) */
    char dom0_start_info[8];  /* "dom0" (default) or "domu": a domU-style start_info (console
                                 and xenstore pages, flags 0), for guests such as Mini-OS that
                                 only know that form, run as the only domain */
    uint32_t dom0_vcpus_min;  /* dom0_max_vcpus=<n>|<min>-<max>: dom0 gets the firmware's CPU */
    uint32_t dom0_vcpus_max;  /* count clamped to [min, max] (defaults 1, no bound) */
    uint32_t sched_slice_ms;  /* sched_slice_ms=: the scheduler's time slice (hv/sched/) */
    char selftest[16];        /* "hv-fault" / "triple-fault": fault on purpose once booted (tests the crash report / the harness) */
};

extern struct hv_options hv_opts;
extern char hv_cmdline[1024];

/* Parse the hypervisor command line into hv_opts (problems are logged later,
 * once the console is up: see options_report). */
void options_parse(const char *cmdline);
void options_report(void);

#endif

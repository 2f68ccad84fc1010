/* console_io: a domain writes to the hypervisor console; the hardware
 * domain reads the serial input meant for it (hv/core/console_input.h). */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/log.h"
#include "core/console_input.h"
#include "evtchn/evtchn.h"
#include "arch/x86_64/page.h"
#include "io/console.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "xen.h"

#define CHUNK 128

/* A domU whose console ring has a back end (dom0 bound its console port)
 * and is sane: its console is that ring. Its CONSOLEIO_write text is then
 * dropped, as Xen's release builds drop every domU's: a guest such as
 * Mini-OS writes its early lines both ways, and dom0 prints the ring's copy.
 * With no back end, or a ring whose indices are broken, the text is printed
 * as "(dN) " lines (Xen's debug builds do that always). */
static bool console_has_backend(struct domain *d)
{
    const struct xencons_interface *ring;
    uint32_t prod, cons;

    if (d->privileged || !d->con_mfn || !d->con_port || !evtchn_port_connected(d, d->con_port))
        return false;
    ring = mfn_to_virt(d->con_mfn);
    cons = __atomic_load_n(&ring->out_cons, __ATOMIC_RELAXED);
    prod = __atomic_load_n(&ring->out_prod, __ATOMIC_RELAXED);
    return prod - cons <= sizeof(ring->out);
}

long console_io_hypercall(uint64_t cmd, uint64_t count, uint64_t buffer, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();
    char chunk[CHUNK];
    bool drop;

    (void)a4; (void)a5;
    switch (cmd) {
    case CONSOLEIO_write:
        drop = console_has_backend(d);
        while (count) {
            size_t n = count < CHUNK ? count : CHUNK;
            /* A long write (up to 4 GiB through aliased mappings) continues
             * later rather than keeping the CPU. */
            if (hypercall_preempt_check())
                return hypercall_continue(cmd, count, buffer, 0, 0);
            if (copy_from_guest(chunk, buffer, n))
                return -XEN_EFAULT;
            /* The hardware domain's text goes out as it is (as in Xen):
             * it is the console back end of the others, which prints their
             * lines with their own "(dN) ". Other domains' lines get it here,
             * and so does a dom0 given a domU's start_info (it does not know
             * it is dom0; the hypervisor serves its console ring). */
            if (drop)
                ;                               /* checked, not printed */
            else if (d->privileged && !d->console_ring_mfn)
                log_guest_write_as("", &d->console_line_start, chunk, n);
            else
                log_guest_write(d->id, &d->console_line_start, chunk, n);
            buffer += n;
            count -= n;
        }
        return 0;
    case CONSOLEIO_read:
        /* Input is the hardware domain's alone (Xen's default XSM policy:
         * -EPERM for anyone else, whatever the count). */
        if (!d->privileged)
            return -XEN_EPERM;
        return console_input_read((uint32_t)count, buffer);
    default:
        return -XEN_ENOSYS;
    }
}

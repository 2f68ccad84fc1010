/* No guest frames (see evtchn_fake.h): for the host tests of event channels
 * without guest memory, where the FIFO ABI's frames are never offered. */
#include "evtchn_fake.h"
#include "errno.h"

int evtchn_env_guest_frame_get(struct evtchn_domain *ed, uint64_t gfn, void **va)
{
    (void)ed; (void)gfn; (void)va;
    return -XEN_EINVAL;
}

void evtchn_env_guest_frame_put(struct evtchn_domain *ed, void *va)
{
    (void)ed; (void)va;
    env_fail("a guest frame put that was never taken");
}

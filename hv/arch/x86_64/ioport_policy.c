/* The hardware domain's I/O port policy: see ioport_policy.h. */
#include "arch/x86_64/ioport_policy.h"

const struct ioport_range ioport_policy_fixed[] = {
    { 0x0020, 0x0021 },     /* master PIC (masked at boot) */
    { 0x0040, 0x0043 },     /* PIT (TSC calibration) */
    { 0x0061, 0x0061 },     /* PIT channel-2 gate, speaker */
    { 0x0064, 0x0064 },     /* keyboard controller command: the reset line */
    { 0x0070, 0x0071 },     /* RTC/CMOS index and data (wall clock) */
    { 0x00a0, 0x00a1 },     /* slave PIC */
    { 0x00f4, 0x00f4 },     /* QEMU isa-debug-exit (shutdown reason) */
    { 0x0510, 0x051b },     /* QEMU fw_cfg (selector, data, DMA) */
    { 0x0cf8, 0x0cff },     /* PCI configuration address and data */
};
const unsigned ioport_policy_nr_fixed = sizeof(ioport_policy_fixed) / sizeof(ioport_policy_fixed[0]);

void ioport_policy_init(struct ioport_policy *p)
{
    p->nr_extra = 0;
}

bool ioport_policy_deny(struct ioport_policy *p, uint16_t first, unsigned count)
{
    if (count == 0)
        return true;
    if ((unsigned)first + count - 1 > 0xffff || p->nr_extra >= IOPORT_POLICY_MAX_EXTRA)
        return false;
    p->extra[p->nr_extra].first = first;
    p->extra[p->nr_extra].last = (uint16_t)(first + count - 1);
    p->nr_extra++;
    return true;
}

static bool overlaps(const struct ioport_range *r, unsigned first, unsigned last)
{
    return first <= r->last && last >= r->first;
}

bool ioport_policy_dom0_may(const struct ioport_policy *p, unsigned port, unsigned bytes)
{
    unsigned last = port + bytes - 1;

    if (bytes == 0 || port > 0xffff || last > 0xffff)
        return false;
    for (unsigned i = 0; i < ioport_policy_nr_fixed; i++)
        if (overlaps(&ioport_policy_fixed[i], port, last))
            return false;
    for (unsigned i = 0; i < p->nr_extra && i < IOPORT_POLICY_MAX_EXTRA; i++)
        if (overlaps(&p->extra[i], port, last))
            return false;
    return true;
}

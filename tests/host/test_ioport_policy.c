/* Tests for hv/arch/x86_64/ioport_policy.c: the ports dom0 may really reach. */
#include "arch/x86_64/ioport_policy.h"
#include "test.h"

static struct ioport_policy boot_like(void)
{
    struct ioport_policy p;

    ioport_policy_init(&p);
    CHECK(ioport_policy_deny(&p, 0x3f8, 8));        /* the serial console */
    CHECK(ioport_policy_deny(&p, 0x604, 2));        /* a PM1a control block */
    CHECK(ioport_policy_deny(&p, 0xcf9, 1));        /* an ACPI reset register */
    CHECK(ioport_policy_deny(&p, 0xb008, 4));       /* a PM timer */
    CHECK(ioport_policy_deny(&p, 0, 0));            /* absent: nothing added */
    CHECK(p.nr_extra == 4);
    return p;
}

static void test_hypervisor_ports_denied(void)
{
    struct ioport_policy p = boot_like();
    static const unsigned hv_ports[] = {
        0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x64, 0x70, 0x71, 0xf4,
        0x510, 0x511, 0x514, 0xcf8, 0xcfc, 0xcff, 0x3f8, 0x3fd, 0x3ff, 0x604, 0x605, 0xcf9, 0xb008, 0xb00b,
    };

    for (unsigned i = 0; i < sizeof(hv_ports) / sizeof(hv_ports[0]); i++) {
        CHECK(!ioport_policy_dom0_may(&p, hv_ports[i], 1));
        CHECK(!ioport_policy_dom0_may(&p, hv_ports[i], 4));
    }
}

static void test_other_ports_allowed(void)
{
    struct ioport_policy p = boot_like();

    CHECK(ioport_policy_dom0_may(&p, 0x80, 1));     /* POST diagnostics */
    CHECK(ioport_policy_dom0_may(&p, 0x80, 4));
    CHECK(ioport_policy_dom0_may(&p, 0x60, 1));     /* keyboard data */
    CHECK(ioport_policy_dom0_may(&p, 0x2f8, 4));    /* COM2, not the console */
    CHECK(ioport_policy_dom0_may(&p, 0x600, 4));    /* PM1a event block */
    CHECK(ioport_policy_dom0_may(&p, 0xb004, 4));   /* ends just before the PM timer */
    CHECK(ioport_policy_dom0_may(&p, 0xfffc, 4));
}

static void test_edges(void)
{
    struct ioport_policy p = boot_like();

    CHECK(!ioport_policy_dom0_may(&p, 0x3f6, 4));   /* straddles the console's first port */
    CHECK(ioport_policy_dom0_may(&p, 0x3f4, 4));    /* ends just before it */
    CHECK(ioport_policy_dom0_may(&p, 0x400, 2));    /* starts just after it */
    CHECK(!ioport_policy_dom0_may(&p, 0x1e, 4));    /* reaches the PIC */
    CHECK(!ioport_policy_dom0_may(&p, 0x62, 4));    /* reaches 0x64 */
    CHECK(!ioport_policy_dom0_may(&p, 0xfffe, 4));  /* wraps past 0xffff */
    CHECK(!ioport_policy_dom0_may(&p, 0x10000, 1));
    CHECK(!ioport_policy_dom0_may(&p, 0x80, 0));
}

static void test_deny_refusals(void)
{
    struct ioport_policy p;

    ioport_policy_init(&p);
    CHECK(!ioport_policy_deny(&p, 0xfffe, 4));      /* wraps */
    CHECK(ioport_policy_deny(&p, 0xfffc, 4));
    CHECK(!ioport_policy_dom0_may(&p, 0xffff, 1));
    for (unsigned i = 1; i < IOPORT_POLICY_MAX_EXTRA; i++)
        CHECK(ioport_policy_deny(&p, (uint16_t)(0x1000 + 16 * i), 1));
    CHECK(!ioport_policy_deny(&p, 0x2000, 1));      /* full */
    CHECK(ioport_policy_dom0_may(&p, 0x2000, 1));
    CHECK(!ioport_policy_dom0_may(&p, 0x1010, 1));
}

int main(void)
{
    RUN_TEST(test_hypervisor_ports_denied);
    RUN_TEST(test_other_ports_allowed);
    RUN_TEST(test_edges);
    RUN_TEST(test_deny_refusals);
    return test_main_result();
}

/* Serial input: the receive interrupt, the CTRL-a switch, and the ring dom0
 * reads with CONSOLEIO_read (see console_input.h). */
#include "core/console_input.h"
#include "core/keyhandler.h"
#include "core/domain.h"
#include "core/log.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "xen.h"

#define ISA_IRQ_COM1 4
#define RING_MASK (CONSOLE_INPUT_RING - 1)

_Static_assert((CONSOLE_INPUT_RING & RING_MASK) == 0, "the ring's size is a power of two");

enum input_target { TO_HYPERVISOR, TO_DOM0 };

static char ring[CONSOLE_INPUT_RING];
/* Free-running indices: prod - cons bytes wait; they never differ by more
 * than the ring's size. */
static uint32_t prod, cons;
static uint64_t dropped;
static bool dropping;                   /* the ring is full: logged once per episode */
static enum input_target target = TO_HYPERVISOR;
static unsigned switch_count;           /* CTRL-a seen in a row */
static bool dom0_pending;               /* a byte reached the ring during this interrupt */

static void say_target(void)
{
    log_info("*** Serial input to %s (type 'CTRL-a' three times to switch input)\n",
             target == TO_DOM0 ? "DOM0" : "Xenolith");
}

void console_input_init(const uint8_t *rsdp, unsigned rsdp_len)
{
    if (!serial_present())
        return;
    /* Without the route, input stays off: no byte is ever taken, and the
     * rest of the hypervisor does not depend on it. */
    if (!ioapic_route_isa_irq(rsdp, rsdp_len, ISA_IRQ_COM1, IOAPIC_SERIAL_VECTOR)) {
        log_warn("serial input: no interrupt route, input is off\n");
        return;
    }
    serial_rx_enable();
    /* Bytes that came before the route was there raised no edge the I/O
     * APIC saw: take them now, or the line would stay asserted for good. */
    console_input_interrupt(0);
}

void console_input_start(void)
{
    target = TO_DOM0;
    say_target();
}

static void to_dom0(char c)
{
    if (prod - cons == CONSOLE_INPUT_RING) {
        dropped++;
        if (!dropping)
            log_warn("serial input: dom0's ring is full (%u bytes), dropping input\n", CONSOLE_INPUT_RING);
        dropping = true;
    } else {
        ring[prod++ & RING_MASK] = c;
        dropping = false;
    }
    /* Told even when the byte was dropped: a dom0 that missed an event
     * still gets one, and drains the ring (Xen does the same). */
    dom0_pending = true;
}

static void deliver(char c, const struct cpu_regs *r)
{
    if (target == TO_DOM0)
        to_dom0(c);
    else
        keyhandler_key(c, r);
}

void console_input_byte(char c, const struct cpu_regs *r)
{
    if (c == CONSOLE_INPUT_SWITCH) {
        if (++switch_count == 3) {
            switch_count = 0;
            target = target == TO_DOM0 ? TO_HYPERVISOR : TO_DOM0;
            say_target();
        }
        return;
    }
    /* One or two CTRL-a and then something else: they were input too. */
    for (; switch_count; switch_count--)
        deliver(CONSOLE_INPUT_SWITCH, r);
    deliver(c, r);
}

/* VIRQ_CONSOLE is global: it goes to vCPU 0 of dom0, where global VIRQs are
 * bound (not bound: nobody reads yet, the bytes wait). */
static void notify_dom0(void)
{
    struct domain *d0 = domain_lookup(0);

    if (d0 && d0->nr_vcpus && d0->vcpus[0])
        (void)evtchn_send_virq(d0->vcpus[0], VIRQ_CONSOLE);
}

void console_input_interrupt(const struct cpu_regs *r)
{
    int c;
    unsigned budget = 4096;             /* a UART that never empties must not hold the CPU */

    dom0_pending = false;
    while (budget-- && (c = serial_getc()) >= 0)
        console_input_byte((char)c, r);
    if (dom0_pending)
        notify_dom0();
}

long console_input_read(uint32_t count, uint64_t buffer)
{
    long done = 0;

    /* The result is a count or an error: a count above INT_MAX would read
     * as one (Xen refuses it the same way). */
    if ((int32_t)count < 0)
        return -XEN_E2BIG;
    while (prod != cons && (uint32_t)done < count) {
        uint32_t at = cons & RING_MASK, n = prod - cons;
        if (n > CONSOLE_INPUT_RING - at)
            n = CONSOLE_INPUT_RING - at;           /* up to the end of the ring first */
        if (n > count - (uint32_t)done)
            n = count - (uint32_t)done;
        if (copy_to_guest(buffer + (uint64_t)done, &ring[at], n))
            return -XEN_EFAULT;
        done += n;
        cons += n;
    }
    return done;
}

void console_input_stats(uint32_t *waiting, uint64_t *dropped_out)
{
    *waiting = prod - cons;
    *dropped_out = dropped;
}

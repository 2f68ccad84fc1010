/* Power off and reset. Under QEMU the reason also leaves through the
 * isa-debug-exit device (port 0xf4) when the harness attached one, so the
 * QEMU exit status tells the last shutdown reason (see docs/conventions.md). */
#include "arch/x86_64/power.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "xen.h"
#include "sched.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PANIC 0x7f
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511

bool opt_noreboot;
static const uint8_t *rsdp_copy;
static unsigned rsdp_copy_len;

void power_set_rsdp(const uint8_t *rsdp, unsigned len)
{
    rsdp_copy = len ? rsdp : 0;
    rsdp_copy_len = len;
}

bool machine_is_qemu(void)
{
    static int cached = -1;
    uint32_t a, b, c, d;
    char sig[4];

    if (cached >= 0)
        return cached;
    cpuid_count(1, 0, &a, &b, &c, &d);
    cached = 0;
    if (c & (1u << 31)) {                     /* running under some hypervisor: probe fw_cfg */
        outw(FW_CFG_PORT_SEL, 0);
        for (int i = 0; i < 4; i++)
            sig[i] = (char)inb(FW_CFG_PORT_DATA);
        cached = sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
    }
    return cached;
}

bool power_io_ports(uint16_t *pm1a_cnt, uint16_t *pm1b_cnt, uint16_t *reset_port, uint16_t *pm_tmr)
{
    struct acpi_power p;

    *pm1a_cnt = *pm1b_cnt = *reset_port = *pm_tmr = 0;
    if (!acpi_read_power(0, rsdp_copy, rsdp_copy_len, &p))
        return false;
    *pm1a_cnt = p.pm1a_cnt <= 0xfffe ? (uint16_t)p.pm1a_cnt : 0;
    *pm1b_cnt = p.pm1b_cnt <= 0xfffe ? (uint16_t)p.pm1b_cnt : 0;
    *pm_tmr = p.pm_tmr <= 0xfffc ? (uint16_t)p.pm_tmr : 0;
    if (p.reset_supported && p.reset_space == 1 && p.reset_addr <= 0xffff)
        *reset_port = (uint16_t)p.reset_addr;
    return true;
}

static void debug_exit(uint8_t code)
{
    if (machine_is_qemu())
        outb(DEBUG_EXIT_PORT, code);          /* exits QEMU if the device is there */
}

static __attribute__((noreturn)) void halt_forever(void)
{
    irq_disable();
    for (;;)
        cpu_halt();
}

static void acpi_reset(const struct acpi_power *p)
{
    if (p->reset_supported && p->reset_space == 1)
        outb((uint16_t)p->reset_addr, p->reset_value);
}

void machine_power_off(int reason)
{
    struct acpi_power p;
    bool have_acpi;

    debug_exit((uint8_t)reason);
    have_acpi = acpi_read_power(0, rsdp_copy, rsdp_copy_len, &p);
    /* As Xen does when dom0 goes: a reboot request, a crash or a watchdog
     * expiry restart the machine unless `noreboot` asks to stay down. */
    if (reason == SHUTDOWN_reboot || ((reason == SHUTDOWN_crash || reason == SHUTDOWN_watchdog) && !opt_noreboot)) {
        log_info("rebooting\n");
        if (have_acpi)
            acpi_reset(&p);
        outb(0x64, 0xFE);                     /* keyboard controller reset line */
    } else if (have_acpi && p.s5_found) {
        log_info("powering off\n");
        outw((uint16_t)p.pm1a_cnt, (uint16_t)((p.slp_typa << 10) | (1u << 13)));
        if (p.pm1b_cnt)
            outw((uint16_t)p.pm1b_cnt, (uint16_t)((p.slp_typb << 10) | (1u << 13)));
    }
    log_info("the machine did not power off: halted\n");
    halt_forever();
}

void machine_halt_after_panic(void)
{
    log_err("hypervisor halted after a fatal error\n");
    debug_exit(DEBUG_EXIT_PANIC);
    halt_forever();
}

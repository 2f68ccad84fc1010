/* 16550 UART: 8 data bits, no parity, one stop bit, polled output; input
 * by the "received data" interrupt (hv/core/console_input.c drains it). */
#include "arch/x86_64/serial.h"
#include "arch/x86_64/cpu.h"

#define UART_THR 0      /* transmit holding */
#define UART_IER 1      /* interrupt enable */
#define UART_DLL 0      /* divisor latch low (DLAB=1) */
#define UART_DLM 1      /* divisor latch high (DLAB=1) */
#define UART_FCR 2      /* FIFO control */
#define UART_LCR 3      /* line control */
#define UART_MCR 4      /* modem control */
#define UART_LSR 5      /* line status */
#define UART_SCR 7      /* scratch */
#define LSR_DR   0x01   /* a received byte waits */
#define LSR_THRE 0x20
#define IER_RDA  0x01   /* interrupt when received data is available */
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08   /* on PCs, gates the UART's interrupt line to the IRQ pin */
#define UART_CLOCK 115200

static uint16_t uart_base;

void serial_init(uint16_t io_base, uint32_t baud)
{
    uint32_t divisor;

    if (baud == 0 || baud > UART_CLOCK)
        baud = SERIAL_DEFAULT_BAUD;
    divisor = UART_CLOCK / baud;
    uart_base = io_base;
    outb(uart_base + UART_IER, 0);
    outb(uart_base + UART_LCR, 0x80);
    outb(uart_base + UART_DLL, divisor & 0xff);
    outb(uart_base + UART_DLM, (divisor >> 8) & 0xff);
    outb(uart_base + UART_LCR, 0x03);
    outb(uart_base + UART_FCR, 0x07);
    outb(uart_base + UART_MCR, MCR_DTR_RTS);
}

bool serial_present(void)
{
    return uart_base != 0;
}

void serial_putc(char c)
{
    unsigned spins = 0;

    if (!uart_base)
        return;
    /* A missing or wedged UART must not hang the hypervisor: give up after a while. */
    while (!(inb(uart_base + UART_LSR) & LSR_THRE) && ++spins < 100000)
        cpu_relax();
    outb(uart_base + UART_THR, (uint8_t)c);
}

void serial_rx_enable(void)
{
    if (!uart_base)
        return;
    outb(uart_base + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
    outb(uart_base + UART_IER, IER_RDA);
}

int serial_getc(void)
{
    /* All ones: no UART answers at that port (nothing to read). */
    uint8_t lsr;

    if (!uart_base)
        return -1;
    lsr = inb(uart_base + UART_LSR);
    if (lsr == 0xff || !(lsr & LSR_DR))
        return -1;
    return inb(uart_base + UART_THR);           /* the receive buffer shares offset 0 */
}

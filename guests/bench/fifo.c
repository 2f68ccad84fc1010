/*
 * Benchmark guest: an event through the FIFO ABI.
 *
 *   evtchn_fifo_upcall     EVTCHNOP_send on an IPI port of its own (priority 7)
 *                          with the domain on the FIFO ABI, events enabled,
 *                          until the event callback's C handler starts
 *   evtchn_fifo_upcall_rt  the same until the send returns to its caller,
 *                          after the handler consumed the event from its queue
 *                          and returned with HYPERVISOR_iret
 *
 * The twins of evtchn_upcall(_rt) in paths.c: the same loop and checks, the
 * same entry stub, and a handler that consumes the queue as a FIFO guest
 * does (guests/lib/fifo.c) instead of scanning the 2-level bitmaps.  The
 * domain goes to FIFO for these figures only (a control block and one array
 * page in the guest's image) and back to 2-level with EVTCHNOP_reset.
 */
#include "bench.h"
#include "errno.h"
#include "fifo.h"

__asm__(".pushsection .text\n"
        ".globl bench_fifo_upcall_entry\n"
        "bench_fifo_upcall_entry:\n"
        "  pop %rcx\n pop %r11\n"
        "  push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
        "  push %r8\n push %r9\n push %r10\n push %r11\n push %rbx\n"
        "  mov %rsp, %rbx\n"
        "  and $-16, %rsp\n"
        "  cld\n"
        "  call bench_fifo_upcall\n"
        "  mov %rbx, %rsp\n"
        "  pop %rbx\n pop %r11\n pop %r10\n pop %r9\n pop %r8\n"
        "  pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
        "  push $0\n"
        "  jmp hypercall_page + 23 * 32\n"
        ".popsection\n");
extern char bench_fifo_upcall_entry[], bench_upcall_entry[], bench_syscall_entry[];
void bench_fifo_upcall(void);

static unsigned char fifo_cb[4096] __attribute__((aligned(4096)));
static event_word_t fifo_array[PV_FIFO_WORDS_PER_PAGE] __attribute__((aligned(4096)));

static volatile uint64_t fup_tsc;
static volatile unsigned long fup_count, fup_port_seen;
static unsigned fup_port;

static void fifo_seen(unsigned port)
{
    if (port == fup_port)
        fup_port_seen++;
}

void bench_fifo_upcall(void)
{
    uint64_t t = bench_tsc();

    fup_tsc = t;
    fup_count++;
    pv_fifo_scan(fifo_seen, 0);
}

#define FIFO_ITERS 5000

void bench_fifo(void)
{
    struct bench_figure up, rt;
    struct evtchn_reset reset = { .dom = DOMID_SELF };
    unsigned long bad = 0;
    uint8_t link_bits = 0;
    long rc, re, port;

    pv_events_mask();
    g_memset(fifo_cb, 0, sizeof(fifo_cb));
    g_memset(fifo_array, 0, sizeof(fifo_array));
    rc = pv_fifo_init_control(fifo_cb, &link_bits);
    re = rc == 0 ? pv_fifo_expand(fifo_array, 0) : -1;
    port = re == 0 ? pv_bind_ipi(0) : -1;
    if (!test_check(rc == 0 && link_bits == EVTCHN_FIFO_LINK_BITS && re == 0 && port > 0,
                    "FIFO ABI: init_control rc=%ld (link_bits %u), expand_array rc=%ld, bind_ipi port %ld", rc,
                    link_bits, re, port))
        goto out;
    fup_port = (unsigned)port;
    rc = pv_set_callbacks((unsigned long)bench_fifo_upcall_entry, (unsigned long)pv_failsafe_entry,
                          (unsigned long)bench_syscall_entry);
    if (!test_check(rc == 0, "set_callbacks(the FIFO handler): rc=%ld", rc))
        goto out;

    bench_begin_ns(&up, "evtchn_fifo_upcall", "cycles");
    bench_begin_ns(&rt, "evtchn_fifo_upcall_rt", "cycles");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        uint64_t sum_up = 0, sum_rt = 0;

        pv_vcpu->evtchn_upcall_mask = 0;
        __asm__ volatile("" ::: "memory");
        for (unsigned i = 0; i < FIFO_ITERS; i++) {
            unsigned long n = fup_count, seen = fup_port_seen;
            uint64_t t0 = bench_tsc();
            long r = pv_evtchn_send((unsigned)port);
            uint64_t t1 = bench_tsc();
            uint64_t tu = fup_tsc;
            bad += r != 0 || fup_count != n + 1 || fup_port_seen != seen + 1 || tu < t0 || tu > t1;
            sum_up += tu - t0;
            sum_rt += t1 - t0;
        }
        pv_events_mask();
        bad += pv_vcpu->evtchn_upcall_pending != 0 || *pv_fifo_word((unsigned)port) != 0 ||
               ((struct evtchn_fifo_control_block *)fifo_cb)->ready != 0;
        if (round >= 0) {
            bench_record(&up, sum_up, FIFO_ITERS);
            bench_record(&rt, sum_rt, FIFO_ITERS);
        }
    }
    int ok = test_check(bad == 0, "%u sends to IPI port %ld on the FIFO ABI with events enabled: each returned "
                        "0 after exactly one upcall that consumed the port from its queue (%lu wrong)",
                        FIFO_ITERS * (BENCH_ROUNDS + 1), port, bad);
    bench_report(&up, ok);
    bench_report(&rt, ok);

out:
    pv_events_mask();
    rc = pv_set_callbacks((unsigned long)bench_upcall_entry, (unsigned long)pv_failsafe_entry,
                          (unsigned long)bench_syscall_entry);
    re = pv_evtchn_op(EVTCHNOP_reset, &reset);
    pv_fifo_forget();
    test_check(rc == 0 && re == 0, "back to the 2-level ABI: set_callbacks rc=%ld, EVTCHNOP_reset rc=%ld", rc,
               re);
}

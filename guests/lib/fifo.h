/*
 * Xenolith test-guest runtime: the guest's half of the FIFO event-channel ABI.
 *
 * One vCPU (vCPU 0).  The control block and the event-array pages are frames
 * the guest chose; pv_fifo_word() needs the array pages mapped (the guest
 * registers where with pv_fifo_expand()), pages given with a VA of 0 count
 * for EVTCHNOP_expand_array but their words cannot be read here.
 *
 * Consuming events (pv_fifo_scan), as the ABI intends it: clear the upcall
 * flag, take the READY bits (exchanged for 0) into a local copy, and while
 * that copy has bits, consume one event from the highest-priority queue set
 * in it and take the READY bits again.  Consuming an event: the queue's head
 * is the local head if the last consumption left one, else HEAD from the
 * control block; its word's LINKED and LINK are cleared in one
 * compare-and-swap, the old LINK becoming the local head (0: the queue is
 * done, its local READY bit is cleared); if the word is PENDING and not
 * MASKED, PENDING is cleared and the port handled.
 */
#ifndef XENOLITH_GUEST_FIFO_H
#define XENOLITH_GUEST_FIFO_H

#include "pv.h"

#define PV_FIFO_WORDS_PER_PAGE 1024
#define PV_FIFO_MAX_PAGES      128
#define PV_FIFO_W_PENDING      (1u << EVTCHN_FIFO_PENDING)
#define PV_FIFO_W_MASKED       (1u << EVTCHN_FIFO_MASKED)
#define PV_FIFO_W_LINKED       (1u << EVTCHN_FIFO_LINKED)
#define PV_FIFO_W_BUSY         (1u << EVTCHN_FIFO_BUSY)

struct pv_fifo {
    volatile struct evtchn_fifo_control_block *cb;
    volatile event_word_t *page[PV_FIFO_MAX_PAGES];   /* guest VAs, 0 when not mapped */
    unsigned nr_pages;                                 /* pages the hypervisor has */
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];             /* local heads */
    uint32_t ready;                                    /* local READY copy */
    unsigned long consumed, handled;                   /* events unlinked / handled */
};

extern struct pv_fifo pv_fifo;

/* The hypercalls; 0 or a negative error. init_control registers the control
 * block at cb (any VA inside a mapped page: its frame and offset are sent)
 * for vCPU 0 and starts pv_fifo afresh; link_bits gets the result. */
long pv_fifo_init_control(void *cb, uint8_t *link_bits);
/* expand_array with the frame mapped at va (page-aligned), or with mfn when
 * va is 0. */
long pv_fifo_expand(void *va, unsigned long mfn);
long pv_fifo_set_priority(unsigned port, unsigned priority);
/* Forget everything (after EVTCHNOP_reset). */
void pv_fifo_forget(void);

/* The word of a port, or 0 when its page is not mapped here. */
volatile event_word_t *pv_fifo_word(unsigned port);

/* Consume every event (at most `limit`; 0: no limit), calling fn for each
 * port handled; returns the number handled. */
typedef void (*pv_fifo_fn)(unsigned port);
unsigned pv_fifo_scan(pv_fifo_fn fn, unsigned long limit);

#endif

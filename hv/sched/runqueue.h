/* A FIFO of scheduling units (hv/sched/sched_core.h) with O(1) removal.
 * Pure logic: it knows only the links embedded in each unit. */
#ifndef HV_SCHED_RUNQUEUE_H
#define HV_SCHED_RUNQUEUE_H

#include <stdbool.h>

struct runq_link {
    struct runq_link *next, *prev;
    bool queued;
};

struct runqueue {
    struct runq_link head;   /* sentinel */
    unsigned length;
};

void runq_init(struct runqueue *rq);
void runq_push_back(struct runqueue *rq, struct runq_link *u);   /* no-op if already queued */
void runq_remove(struct runqueue *rq, struct runq_link *u);      /* no-op if not queued */
struct runq_link *runq_pop_front(struct runqueue *rq);           /* NULL when empty */
static inline bool runq_empty(const struct runqueue *rq) { return rq->length == 0; }

#endif

/* Round-robin run queue of vCPUs on the one physical CPU. Pure logic: it knows
 * only the queue links embedded in each vCPU. */
#ifndef HV_SCHED_RUNQUEUE_H
#define HV_SCHED_RUNQUEUE_H

#include <stdbool.h>

struct sched_unit {
    struct sched_unit *next, *prev;
    bool queued;
};

struct runqueue {
    struct sched_unit head;   /* sentinel */
    unsigned length;
};

void runq_init(struct runqueue *rq);
void runq_push_back(struct runqueue *rq, struct sched_unit *u);   /* no-op if already queued */
void runq_remove(struct runqueue *rq, struct sched_unit *u);      /* no-op if not queued */
struct sched_unit *runq_pop_front(struct runqueue *rq);           /* NULL when empty */
static inline bool runq_empty(const struct runqueue *rq) { return rq->length == 0; }

#endif

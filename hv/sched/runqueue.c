/* Doubly linked FIFO with a sentinel: push at the back, take from the front. */
#include "sched/runqueue.h"
#include <stddef.h>

void runq_init(struct runqueue *rq)
{
    rq->head.next = rq->head.prev = &rq->head;
    rq->head.queued = false;
    rq->length = 0;
}

void runq_push_back(struct runqueue *rq, struct runq_link *u)
{
    if (u->queued)
        return;
    u->prev = rq->head.prev;
    u->next = &rq->head;
    rq->head.prev->next = u;
    rq->head.prev = u;
    u->queued = true;
    rq->length++;
}

void runq_remove(struct runqueue *rq, struct runq_link *u)
{
    if (!u->queued)
        return;
    u->prev->next = u->next;
    u->next->prev = u->prev;
    u->next = u->prev = NULL;
    u->queued = false;
    rq->length--;
}

struct runq_link *runq_pop_front(struct runqueue *rq)
{
    struct runq_link *u = rq->head.next;

    if (u == &rq->head)
        return NULL;
    runq_remove(rq, u);
    return u;
}

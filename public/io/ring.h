/*
 * io/ring.h: the shared request/response ring of Xen's split drivers.
 *
 * One page (or more) shared between a front end, which produces requests and
 * consumes responses, and a back end, which does the opposite. The page
 * starts with four free-running 32-bit indices and 56 bytes of padding; the
 * slots follow at offset 64, as many as fit rounded down to a power of two,
 * each a union of one request and one response (a response reuses its
 * request's slot).
 *
 * Notification: each side publishes the index at which it wants an event
 * (req_event, rsp_event). A producer that moves its index from old to new
 * sends an event only if the other side's wanted index lies in (old, new].
 * A consumer that runs dry sets its wanted index to one past what it has
 * consumed and looks once more, so that nothing is missed in between.
 *
 * The includer defines xen_mb(), xen_rmb() and xen_wmb() (full, read and
 * write barriers), as with Xen's header.
 */
#ifndef XENOLITH_PUBLIC_IO_RING_H
#define XENOLITH_PUBLIC_IO_RING_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned int RING_IDX;

/* The largest power of two not above x (x below 2^32, not 0), as a constant
 * expression: smear the top bit of x into every lower bit, then keep the
 * top one. */
#define __RD32(x)                                                          \
    ((((x) | (x) >> 1 | (x) >> 2 | (x) >> 3 | (x) >> 4 | (x) >> 5 |          \
       (x) >> 6 | (x) >> 7 | (x) >> 8 | (x) >> 9 | (x) >> 10 | (x) >> 11 |   \
       (x) >> 12 | (x) >> 13 | (x) >> 14 | (x) >> 15 | (x) >> 16 |           \
       (x) >> 17 | (x) >> 18 | (x) >> 19 | (x) >> 20 | (x) >> 21 |           \
       (x) >> 22 | (x) >> 23 | (x) >> 24 | (x) >> 25 | (x) >> 26 |           \
       (x) >> 27 | (x) >> 28 | (x) >> 29 | (x) >> 30 | (x) >> 31) >> 1) + 1)

/* Slots of a ring of tag name (or at pointer s) in size bytes. */
#define __CONST_RING_SIZE(name, size)                                      \
    (__RD32(((size) - offsetof(struct name##_sring, ring)) /                \
            sizeof(((struct name##_sring *)0)->ring[0])))
#define __RING_SIZE(s, size)                                               \
    (__RD32(((size) - (unsigned long)((char *)(s)->ring - (char *)(s))) /   \
            sizeof((s)->ring[0])))

/*
 * DEFINE_RING_TYPES(name, req_t, rsp_t) declares
 *   struct name##_sring        the shared page (name##_sring_t)
 *   struct name##_front_ring   the front end's private view (name##_front_ring_t)
 *   struct name##_back_ring    the back end's private view (name##_back_ring_t)
 */
#define DEFINE_RING_TYPES(name, req_t, rsp_t)                              \
    union name##_sring_entry {                                             \
        req_t req;                                                         \
        rsp_t rsp;                                                         \
    };                                                                     \
    struct name##_sring {                                                  \
        RING_IDX req_prod, req_event;                                      \
        RING_IDX rsp_prod, rsp_event;                                      \
        uint8_t pvt[4];            /* some drivers' own use */             \
        uint8_t __pad[44];                                                 \
        union name##_sring_entry ring[1];   /* really RING_SIZE slots */   \
    };                                                                     \
    struct name##_front_ring {                                             \
        RING_IDX req_prod_pvt;     /* requests written, not yet pushed */  \
        RING_IDX rsp_cons;         /* responses consumed */                \
        unsigned int nr_ents;                                              \
        struct name##_sring *sring;                                        \
    };                                                                     \
    struct name##_back_ring {                                              \
        RING_IDX rsp_prod_pvt;     /* responses written, not yet pushed */ \
        RING_IDX req_cons;         /* requests consumed */                 \
        unsigned int nr_ents;                                              \
        struct name##_sring *sring;                                        \
    };                                                                     \
    typedef struct name##_sring name##_sring_t;                            \
    typedef struct name##_front_ring name##_front_ring_t;                  \
    typedef struct name##_back_ring name##_back_ring_t

/* The side that allocates the page makes it empty: no request or response
 * yet, and each side wants an event for the first one. */
#define SHARED_RING_INIT(s) do {                                           \
        (s)->req_prod = (s)->rsp_prod = 0;                                 \
        (s)->req_event = (s)->rsp_event = 1;                               \
        for (unsigned int i_ = 0; i_ < sizeof((s)->pvt); i_++)             \
            (s)->pvt[i_] = 0;                                              \
        for (unsigned int i_ = 0; i_ < sizeof((s)->__pad); i_++)           \
            (s)->__pad[i_] = 0;                                            \
    } while (0)

#define FRONT_RING_INIT(r, s, size) do {                                   \
        (r)->req_prod_pvt = 0;                                             \
        (r)->rsp_cons = 0;                                                 \
        (r)->nr_ents = __RING_SIZE(s, size);                               \
        (r)->sring = (s);                                                  \
    } while (0)

#define BACK_RING_INIT(r, s, size) do {                                    \
        (r)->rsp_prod_pvt = 0;                                             \
        (r)->req_cons = 0;                                                 \
        (r)->nr_ents = __RING_SIZE(s, size);                               \
        (r)->sring = (s);                                                  \
    } while (0)

#define RING_SIZE(r) ((r)->nr_ents)

/* Front end: slots it may still fill (every slot holds either a request
 * not yet answered or a response not yet consumed). */
#define RING_FREE_REQUESTS(r)                                              \
    (RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

#define RING_HAS_UNCONSUMED_RESPONSES(r)                                   \
    ((r)->sring->rsp_prod - (r)->rsp_cons)
/* Back end: requests waiting, never more than the ring can hold beyond the
 * responses it has produced (a hostile front end's req_prod is bounded). */
#define RING_HAS_UNCONSUMED_REQUESTS(r)                                    \
    ((r)->sring->req_prod - (r)->req_cons <                                \
             RING_SIZE(r) - ((r)->req_cons - (r)->rsp_prod_pvt) ?           \
         (r)->sring->req_prod - (r)->req_cons :                            \
         RING_SIZE(r) - ((r)->req_cons - (r)->rsp_prod_pvt))

#define RING_GET_REQUEST(r, idx)                                           \
    (&(r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req)
#define RING_GET_RESPONSE(r, idx)                                          \
    (&(r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp)

/* Publish what was written; the slots' contents must be visible first. */
#define RING_PUSH_REQUESTS(r) do {                                         \
        xen_wmb();                                                         \
        (r)->sring->req_prod = (r)->req_prod_pvt;                          \
    } while (0)
#define RING_PUSH_RESPONSES(r) do {                                        \
        xen_wmb();                                                         \
        (r)->sring->rsp_prod = (r)->rsp_prod_pvt;                          \
    } while (0)

/* The same, and say whether the other side asked for an event in between:
 * its wanted index in (old, new]. The full barrier orders our index write
 * before the read of its wanted index. */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify) do {                \
        RING_IDX old_ = (r)->sring->req_prod;                              \
        RING_IDX new_ = (r)->req_prod_pvt;                                 \
        xen_wmb();                                                         \
        (r)->sring->req_prod = new_;                                       \
        xen_mb();                                                          \
        (notify) = (RING_IDX)(new_ - (r)->sring->req_event) <              \
                   (RING_IDX)(new_ - old_);                                \
    } while (0)
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify) do {               \
        RING_IDX old_ = (r)->sring->rsp_prod;                              \
        RING_IDX new_ = (r)->rsp_prod_pvt;                                 \
        xen_wmb();                                                         \
        (r)->sring->rsp_prod = new_;                                       \
        xen_mb();                                                          \
        (notify) = (RING_IDX)(new_ - (r)->sring->rsp_event) <              \
                   (RING_IDX)(new_ - old_);                                \
    } while (0)

/* Before waiting for an event: any work left? If none, ask for an event at
 * the next one and look again (it may have come just before the request). */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, more) do {                        \
        (more) = RING_HAS_UNCONSUMED_REQUESTS(r);                          \
        if (!(more)) {                                                     \
            (r)->sring->req_event = (r)->req_cons + 1;                     \
            xen_mb();                                                      \
            (more) = RING_HAS_UNCONSUMED_REQUESTS(r);                      \
        }                                                                  \
    } while (0)
#define RING_FINAL_CHECK_FOR_RESPONSES(r, more) do {                       \
        (more) = RING_HAS_UNCONSUMED_RESPONSES(r);                         \
        if (!(more)) {                                                     \
            (r)->sring->rsp_event = (r)->rsp_cons + 1;                     \
            xen_mb();                                                      \
            (more) = RING_HAS_UNCONSUMED_RESPONSES(r);                     \
        }                                                                  \
    } while (0)

#endif /* XENOLITH_PUBLIC_IO_RING_H */

/*
 * Xenolith public ABI: the PV console ring page shared by a guest and its
 * console backend (start_info.console.domU).
 */
#ifndef XENOLITH_PUBLIC_IO_CONSOLE_H
#define XENOLITH_PUBLIC_IO_CONSOLE_H

#include <stdint.h>

/* Free-running ring index; reduce it with MASK_XENCONS_IDX before use. */
typedef uint32_t XENCONS_RING_IDX;

#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

/*
 * in: backend to guest (keyboard); out: guest to backend (screen).
 * Each side advances only its own index (the guest in_cons and out_prod)
 * and signals the console event channel after doing so.
 */
struct xencons_interface {
    char in[1024];
    char out[2048];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};

#endif /* XENOLITH_PUBLIC_IO_CONSOLE_H */

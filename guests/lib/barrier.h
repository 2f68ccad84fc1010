/* Memory barriers for rings shared with other domains (public/io/ring.h and
 * the store and console rings want them from their includer). x86 keeps
 * stores in order and loads in order, so only a store followed by a load of
 * another location needs a real fence. */
#ifndef GUEST_BARRIER_H
#define GUEST_BARRIER_H

#define xen_mb()  __asm__ __volatile__("mfence" ::: "memory")
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")

#endif

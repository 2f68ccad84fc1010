/* tests/abi: abi_list.h evaluated against Xenolith's public/ headers. */
#define ABI_OURS 1

#include "xen.h"
#include "arch-x86_64.h"
#include "errno.h"
#include "version.h"
#include "features.h"
#include "elfnote.h"
#include "sched.h"
#include "callback.h"
#include "event_channel.h"
#include "memory.h"
#include "vcpu.h"
#include "grant_table.h"
#include "physdev.h"
#include "io/console.h"
#include "io/xs_wire.h"
#include "io/ring.h"

/* The ring macros take their barriers from the includer. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#define ABI_FILL_FN abi_fill_ours
#include "abi_fill.h"

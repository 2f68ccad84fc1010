/*
 * tests/abi: abi_list.h evaluated against libxen-dev (/usr/include/xen),
 * the reference.  Xenolith implements the newest interface version only,
 * so ask for exactly that one (guests that set no version would get the
 * legacy 0x00000000 layouts).
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <stdint.h>             /* Xen's headers expect it included first */

/* The hypervisor-internal error numbers are only visible with __XEN__. */
#define __XEN__
#include <xen/errno.h>
#undef __XEN__

#include <xen/xen.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/elfnote.h>
#include <xen/sched.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/grant_table.h>
#include <xen/physdev.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/io/ring.h>        /* XEN_PAGE_SHIFT */

/* The ring macros take their barriers from the includer. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#define ABI_FILL_FN abi_fill_theirs
#include "abi_fill.h"

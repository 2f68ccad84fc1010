/*
 * tests/abi: abi_list_ctl.h evaluated against libxen-dev. domctl.h and
 * sysctl.h refuse to be included outside the hypervisor and the toolstack,
 * so this file takes the toolstack's view (__XEN_TOOLS__), which abi_list.h
 * cannot share: it changes struct cpu_user_regs.
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#define __XEN_TOOLS__ 1

#include <stdint.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#define ABI_FILL_FN abi_fill_ctl_theirs
#define ABI_LIST "abi_list_ctl.h"
#include "abi_fill.h"

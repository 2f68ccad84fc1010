/* tests/abi: abi_list_ctl.h evaluated against Xenolith's public/ headers. */
#define ABI_OURS 1

#include "xen.h"
#include "domctl.h"
#include "sysctl.h"
#include "hvm/hvm_op.h"
#include "hvm/params.h"

#define ABI_FILL_FN abi_fill_ctl_ours
#define ABI_LIST "abi_list_ctl.h"
#include "abi_fill.h"

/* Xen's names for errors on the wire (XS_ERROR payloads), the xsd_errors
 * table of Xen's io/xs_wire.h plus oxenstored's EQUOTA. A number without a
 * name goes out as EINVAL, as xenstored does. */
#include "xs_store.h"
#include "xs_proto.h"
#include "errno.h"

static const struct {
    int num;
    const char *name;
} names[] = {
    { XEN_EINVAL, "EINVAL" }, { XEN_EACCES, "EACCES" }, { XEN_EEXIST, "EEXIST" },
    { XEN_EISDIR, "EISDIR" }, { XEN_ENOENT, "ENOENT" }, { XEN_ENOMEM, "ENOMEM" },
    { XEN_ENOSPC, "ENOSPC" }, { XEN_EIO, "EIO" }, { XEN_ENOTEMPTY, "ENOTEMPTY" },
    { XEN_ENOSYS, "ENOSYS" }, { XEN_EROFS, "EROFS" }, { XEN_EBUSY, "EBUSY" },
    { XEN_EAGAIN, "EAGAIN" }, { XEN_EISCONN, "EISCONN" }, { XEN_E2BIG, "E2BIG" },
    { XEN_EPERM, "EPERM" }, { XS_EQUOTA, "EQUOTA" },
};

const char *xs_error_name(int err)
{
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].num == err)
            return names[i].name;
    }
    return "EINVAL";
}

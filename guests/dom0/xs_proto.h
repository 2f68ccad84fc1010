/* The wire side of the XenStore core: one message in, replies and events
 * out (xs_conn_handle in xs_proto.c). */
#ifndef DOM0_XS_PROTO_H
#define DOM0_XS_PROTO_H

/* DOMID_SELF as a domid argument (IS_DOMAIN_INTRODUCED). */
#define XS_DOMID_SELF 0x7FF0u

/* Xen's name of an error for an XS_ERROR payload ("EINVAL" if unknown). */
const char *xs_error_name(int err);

#endif

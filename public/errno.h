/*
 * Xenolith public ABI: error numbers.  Hypercalls return -XEN_E*; the values
 * are the Linux (asm-generic) errno values.
 */
#ifndef XENOLITH_PUBLIC_ERRNO_H
#define XENOLITH_PUBLIC_ERRNO_H

#define XEN_EPERM           1   /* not permitted */
#define XEN_ENOENT          2   /* no such entry */
#define XEN_ESRCH           3   /* no such domain or vCPU */
#define XEN_EINTR           4   /* hypervisor-internal, never returned to a guest */
#define XEN_EIO             5   /* I/O error */
#define XEN_ENXIO           6   /* device or address absent */
#define XEN_E2BIG           7   /* argument too big */
#define XEN_ENOEXEC         8   /* bad executable format */
#define XEN_EBADF           9   /* bad descriptor or handle */
#define XEN_ECHILD         10   /* no child */
#define XEN_EAGAIN         11   /* try again */
#define XEN_EWOULDBLOCK    11   /* same as XEN_EAGAIN */
#define XEN_ENOMEM         12   /* out of memory */
#define XEN_EACCES         13   /* access denied */
#define XEN_EFAULT         14   /* bad guest address */
#define XEN_EBUSY          16   /* busy */
#define XEN_EEXIST         17   /* already exists */
#define XEN_EXDEV          18   /* cross-domain reference */
#define XEN_ENODEV         19   /* no such device */
#define XEN_ENOTDIR        20   /* not a directory */
#define XEN_EISDIR         21   /* is a directory */
#define XEN_EINVAL         22   /* invalid argument */
#define XEN_ENFILE         23   /* table full */
#define XEN_EMFILE         24   /* too many open objects */
#define XEN_ENOSPC         28   /* no space left */
#define XEN_EROFS          30   /* read-only */
#define XEN_EMLINK         31   /* too many links */
#define XEN_EDOM           33   /* argument outside domain */
#define XEN_ERANGE         34   /* result out of range */
#define XEN_EDEADLK        35   /* deadlock avoided */
#define XEN_EDEADLOCK      35   /* same as XEN_EDEADLK */
#define XEN_ENAMETOOLONG   36   /* name too long */
#define XEN_ENOLCK         37   /* no locks available */
#define XEN_ENOSYS         38   /* not implemented */
#define XEN_ENOTEMPTY      39   /* not empty */
#define XEN_ENODATA        61   /* no data */
#define XEN_ETIME          62   /* time already passed */
#define XEN_EBADMSG        74   /* malformed message */
#define XEN_EOVERFLOW      75   /* value does not fit */
#define XEN_EILSEQ         84   /* illegal byte sequence */
#define XEN_ERESTART       85   /* hypervisor-internal (restart the call), never returned */
#define XEN_ENOTSOCK       88   /* not a socket */
#define XEN_EMSGSIZE       90   /* message too large */
#define XEN_EOPNOTSUPP     95   /* operation not supported */
#define XEN_EADDRINUSE     98   /* address in use */
#define XEN_EADDRNOTAVAIL  99   /* address not available */
#define XEN_ENOBUFS       105   /* no buffer space */
#define XEN_EISCONN       106   /* already connected */
#define XEN_ENOTCONN      107   /* not connected */
#define XEN_ETIMEDOUT     110   /* timed out */
#define XEN_ECONNREFUSED  111   /* connection refused */

#endif /* XENOLITH_PUBLIC_ERRNO_H */

/* printf-style formatting into a caller's buffer (no floating point).
 *
 * Return value and truncation follow C99 snprintf: the result is the length
 * the full output would have, and the buffer always ends with a NUL when
 * size > 0. Supported: flags - 0 # space +, width and precision (also *),
 * length modifiers hh h l ll z t j, conversions d i u x X o p s c %.
 * %p prints 0x followed by lowercase hex; a NULL %s prints "(null)". */
#ifndef HV_LIB_FORMAT_H
#define HV_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

/* Hypervisor log: every line goes to the console prefixed "(XEN) ". */
#ifndef HV_CORE_LOG_H
#define HV_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_NONE = 0, LOG_ERR = 1, LOG_WARN = 2, LOG_INFO = 3, LOG_DEBUG = 4 };

extern int log_threshold;
/* console_timestamps=boot: hypervisor and guest lines carry the system time. */
extern bool log_timestamps;

void log_printf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vprintf(int level, const char *fmt, va_list ap);
/* Raw text from a guest's console_io, shown as lines prefixed "(dN) ". */
void log_guest_write(unsigned domid, int *at_line_start, const char *s, size_t n);
/* The same with a prefix of the caller's ("" for the hardware domain, whose
 * text goes out as it is, as in Xen: dom0 prints other domains' consoles). */
void log_guest_write_as(const char *prefix, int *at_line_start, const char *s, size_t n);
int log_parse_level(const char *name);

#define printk(...)   log_printf(LOG_INFO, __VA_ARGS__)
#define log_err(...)  log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif

/* What the parsers need from the rest of the hypervisor, for the host
 * fuzzers: logging (formatted with the hypervisor's own formatter and
 * dropped) and the "physical memory" of fuzz.h. */
#include <stdarg.h>

#include "core/log.h"
#include "fuzz.h"
#include "lib/format.h"

int log_threshold = LOG_INFO;
bool log_timestamps;

void log_vprintf(int level, const char *fmt, va_list ap)
{
    char line[512];

    (void)level;
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    FUZZ_CHECK(strnlen(line, sizeof(line)) < sizeof(line));
}

void log_printf(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}

/* The level names hv/core/log.c accepts. */
int log_parse_level(const char *name)
{
    static const struct { const char *name; int level; } names[] = {
        { "none", LOG_NONE }, { "error", LOG_ERR }, { "err", LOG_ERR },
        { "warning", LOG_WARN }, { "warn", LOG_WARN }, { "info", LOG_INFO },
        { "debug", LOG_DEBUG }, { "all", LOG_DEBUG },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(names[i].name, name))
            return names[i].level;
    }
    return -1;
}

struct fuzz_phys fuzz_phys;

void phys_set(const uint8_t *mem, uint64_t size)
{
    fuzz_phys.mem = mem;
    fuzz_phys.size = size;
    fuzz_phys.map_calls = 0;
}

const void *phys_map(uint64_t pa, uint64_t len)
{
    void *c;

    fuzz_phys.map_calls++;
    if (pa > fuzz_phys.size || len > fuzz_phys.size - pa)
        return NULL;
    if (fuzz_phys.nr_copies == fuzz_phys.cap_copies) {
        size_t cap = fuzz_phys.cap_copies ? 2 * fuzz_phys.cap_copies : 256;
        void **n = realloc(fuzz_phys.copies, cap * sizeof(*n));

        if (!n)
            abort();
        fuzz_phys.copies = n;
        fuzz_phys.cap_copies = cap;
    }
    /* malloc(0) still gives a distinct block that ASan treats as empty. */
    c = malloc(len);
    if (!c && len)
        abort();
    if (len)
        memcpy(c, fuzz_phys.mem + pa, len);
    fuzz_phys.copies[fuzz_phys.nr_copies++] = c;
    return c;
}

void phys_reset(void)
{
    for (size_t i = 0; i < fuzz_phys.nr_copies; i++)
        free(fuzz_phys.copies[i]);
    fuzz_phys.nr_copies = 0;
}

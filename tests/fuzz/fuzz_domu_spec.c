/* libFuzzer harness: the domU boot module plan and options (hv/dom/domu_spec.c).
 *
 * Input: the command lines of modules 1, 2, ... separated by NUL bytes (at
 * most BOOT_MAX_MODULES - 1 of them, each cut to BOOT_CMDLINE_MAX - 1 bytes
 * as the multiboot parser keeps them); module 0, dom0's kernel, is never
 * looked at and is given as "". Each line lives in a heap block of its
 * exact size, so AddressSanitizer sees any read past its NUL.
 *
 * Checks, for every module: the plan's role follows the first word;
 * every accepted domU has vcpus, memory (whole pages) and copies in range,
 * a name of allowed characters that still fits with "-<copies>", and a
 * command line inside its own module's line, trimmed; a domU's initrd is
 * the module right after it and says "initrd"; names, reasons and the
 * copies' names are NUL-terminated in their arrays; domu_spec_parse()
 * alone gives the same answer as the plan, and with a short reason buffer
 * writes nothing past it. */
#include <stdbool.h>

#include "boot/multiboot.h"
#include "dom/domu_spec.h"
#include "fuzz.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The first word of s is exactly w. */
static bool first_word_is(const char *s, const char *w)
{
    size_t n = strlen(w);

    while (blank(*s))
        s++;
    return !strncmp(s, w, n) && (s[n] == '\0' || blank(s[n]));
}

static void check_spec(const struct domu_spec *sp, const char *line)
{
    size_t len = strlen(line), nlen;
    char buf[DOMU_NAME_MAX];

    FUZZ_CHECK_STR(sp->name);
    FUZZ_CHECK(sp->vcpus >= 1 && sp->vcpus <= DOMU_MAX_VCPUS);
    FUZZ_CHECK(sp->copies >= 1 && sp->copies <= DOMU_MAX_COPIES);
    FUZZ_CHECK(sp->memory >= DOMU_MEM_MIN && sp->memory <= DOMU_MEM_MAX);
    FUZZ_CHECK(sp->memory % 4096 == 0);
    FUZZ_CHECK(sp->cmdline >= line && sp->cmdline <= line + len);
    FUZZ_CHECK(sp->cmdline_len <= (size_t)(line + len - sp->cmdline));
    if (sp->cmdline_len) {
        FUZZ_CHECK(!blank(sp->cmdline[0]) && !blank(sp->cmdline[sp->cmdline_len - 1]));
        /* It comes after a "--" word. */
        FUZZ_CHECK(sp->cmdline - line >= 7 && strstr(line, "--") && strstr(line, "--") < sp->cmdline);
    }
    nlen = strlen(sp->name);
    for (size_t i = 0; i < nlen; i++) {
        char c = sp->name[i];

        FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '.' || c == '-');
    }
    /* Every copy's name fits without being cut. */
    domu_spec_name(sp, sp->copies, 4095, buf, sizeof(buf));
    FUZZ_CHECK_STR(buf);
    if (nlen) {
        FUZZ_CHECK(!strncmp(buf, sp->name, nlen));
        FUZZ_CHECK(sp->copies == 1 ? buf[nlen] == '\0' : buf[nlen] == '-' && atoi(buf + nlen + 1) == (int)sp->copies);
    } else {
        FUZZ_CHECK(!strcmp(buf, "domU4095"));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *lines[BOOT_MAX_MODULES];
    const char *cl[BOOT_MAX_MODULES];
    static struct boot_plan_entry plan[BOOT_MAX_MODULES];
    unsigned n = 1, got;
    size_t pos = 0;

    cl[0] = "";
    lines[0] = NULL;
    while (pos < size && n < BOOT_MAX_MODULES) {
        const uint8_t *nul = memchr(data + pos, 0, size - pos);
        size_t len = nul ? (size_t)(nul - (data + pos)) : size - pos;
        size_t keep = len < BOOT_CMDLINE_MAX - 1 ? len : BOOT_CMDLINE_MAX - 1;

        lines[n] = malloc(keep + 1);
        if (!lines[n])
            abort();
        memcpy(lines[n], data + pos, keep);
        lines[n][keep] = '\0';
        cl[n] = lines[n];
        n++;
        pos += len + 1;
    }

    memset(plan, 0xa5, sizeof(plan));
    got = boot_plan(cl, n, plan);
    FUZZ_CHECK(got == (n < 2 ? 0 : n - 1));
    for (unsigned i = 1; i < n; i++) {
        const struct boot_plan_entry *e = &plan[i - 1];
        bool domu = first_word_is(cl[i], "domu");

        FUZZ_CHECK(e->module == i);
        FUZZ_CHECK_STR(e->err);
        FUZZ_CHECK_STR(e->spec.name);
        switch (e->role) {
        case BOOT_MOD_DOM0_INITRD:
            FUZZ_CHECK(i == 1 && !domu && !e->err[0] && e->initrd == -1);
            break;
        case BOOT_MOD_DOMU_KERNEL: {
            struct domu_spec alone;
            char err[DOMU_ERR_MAX];
            int rc;

            FUZZ_CHECK(domu);
            FUZZ_CHECK(e->initrd == -1 || (e->initrd == (int)i + 1 && (unsigned)e->initrd < n &&
                                           plan[i].role == BOOT_MOD_DOMU_INITRD));
            FUZZ_CHECK(e->spec.cmdline >= cl[i] && e->spec.cmdline <= cl[i] + strlen(cl[i]));
            rc = domu_spec_parse(cl[i], &alone, err, sizeof(err));
            FUZZ_CHECK(rc == (e->err[0] ? -1 : 0));
            FUZZ_CHECK(!strcmp(err, e->err));
            if (!e->err[0]) {
                check_spec(&e->spec, cl[i]);
                FUZZ_CHECK(!memcmp(&alone, &e->spec, sizeof(alone)));
            } else {
                FUZZ_CHECK(strlen(e->err) > 2);
            }
            /* A reason buffer of any size is never overrun (ASan: exact block). */
            for (size_t sz = 1; sz <= 16; sz += 5) {
                char *small = malloc(sz);

                if (!small)
                    abort();
                FUZZ_CHECK(domu_spec_parse(cl[i], &alone, small, sz) == rc);
                FUZZ_CHECK(strnlen(small, sz) < sz);
                FUZZ_CHECK(!strncmp(small, e->err, sz - 1));
                free(small);
            }
            FUZZ_CHECK(domu_spec_parse(cl[i], &alone, NULL, 0) == rc);
            break;
        }
        case BOOT_MOD_DOMU_INITRD:
            FUZZ_CHECK(i >= 2 && first_word_is(cl[i], "initrd") && !e->err[0]);
            FUZZ_CHECK(plan[i - 2].role == BOOT_MOD_DOMU_KERNEL && plan[i - 2].initrd == (int)i);
            break;
        case BOOT_MOD_BAD:
            FUZZ_CHECK(i >= 2 && !domu && e->err[0]);
            FUZZ_CHECK(!first_word_is(cl[i], "initrd") || plan[i - 2].role != BOOT_MOD_DOMU_KERNEL);
            break;
        default:
            FUZZ_CHECK(!"role out of range");
        }
    }
    /* Nothing written past the entries of modules 1..n-1. */
    if (n - 1 < BOOT_MAX_MODULES)
        FUZZ_CHECK(plan[n - 1].module == 0xa5a5a5a5u);
    for (unsigned i = 1; i < n; i++)
        free(lines[i]);
    return 0;
}

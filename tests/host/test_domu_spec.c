/* Tests for hv/dom/domu_spec.c: the domu module options and the module plan. */
#include <stdbool.h>
#include <stdint.h>

#include "dom/domu_spec.h"
#include "test.h"

static struct domu_spec spec;
static char err[DOMU_ERR_MAX];

static int parse(const char *s)
{
    memset(&spec, 0x5a, sizeof(spec));
    memset(err, 'x', sizeof(err));
    return domu_spec_parse(s, &spec, err, sizeof(err));
}

/* The kernel command line as a string (it is cmdline_len bytes). */
static const char *kcmd(const struct domu_spec *s)
{
    static char buf[1100];

    snprintf(buf, sizeof(buf), "%.*s", (int)s->cmdline_len, s->cmdline);
    return buf;
}

/* s must be refused with exactly this reason. */
#define CHECK_REFUSED(s, why)                                                 \
    do {                                                                      \
        CHECK_EQ(parse(s), -1);                                               \
        CHECK_STR(err, why);                                                  \
    } while (0)

static void test_defaults(void)
{
    const char *s = "domu";

    CHECK_EQ(parse(s), 0);
    CHECK_STR(err, "");
    CHECK_STR(spec.name, "");
    CHECK_EQ(spec.memory, 32ull << 20);
    CHECK_EQ(spec.vcpus, 1);
    CHECK_EQ(spec.copies, 1);
    CHECK(spec.cmdline == s + 4);
    CHECK_EQ(spec.cmdline_len, 0);
    /* "--" with nothing after it: an empty command line too. */
    CHECK_EQ(parse("domu --"), 0);
    CHECK_EQ(spec.cmdline_len, 0);
    CHECK_STR(spec.cmdline, "");
    CHECK_EQ(parse("  domu\t "), 0);
    CHECK_EQ(spec.vcpus, 1);
}

static void test_all_options(void)
{
    const char *s = "domu name=web.1_a-B memory=512M vcpus=4 copies=3 -- root=/dev/xvda1 ro  console=hvc0";

    CHECK_EQ(parse(s), 0);
    CHECK_STR(spec.name, "web.1_a-B");
    CHECK_EQ(spec.memory, 512ull << 20);
    CHECK_EQ(spec.vcpus, 4);
    CHECK_EQ(spec.copies, 3);
    CHECK_STR(kcmd(&spec), "root=/dev/xvda1 ro  console=hvc0");
    CHECK(spec.cmdline > s && spec.cmdline < s + strlen(s));
    /* Any order; the command line keeps its own "--", "=" and "domu". */
    CHECK_EQ(parse("domu vcpus=2 name=x -- a -- b domu memory=1"), 0);
    CHECK_STR(spec.name, "x");
    CHECK_EQ(spec.vcpus, 2);
    CHECK_EQ(spec.memory, 32ull << 20);
    CHECK_STR(kcmd(&spec), "a -- b domu memory=1");
    /* The command line is trimmed at both ends; inner blanks stay. */
    CHECK_EQ(parse("domu --   a b,c\t "), 0);
    CHECK_STR(kcmd(&spec), "a b,c");
    CHECK_EQ(spec.cmdline_len, 5);
    /* Tabs separate words as spaces do. */
    CHECK_EQ(parse("domu\tvcpus=3\t--\tx"), 0);
    CHECK_EQ(spec.vcpus, 3);
    CHECK_STR(kcmd(&spec), "x");
    /* "--x" is not the separator. */
    CHECK_REFUSED("domu --x", "--x: not key=value (the kernel's command line goes after --)");
}

static void test_not_domu(void)
{
    CHECK_REFUSED("", "not a domU kernel: the first word must be domu");
    CHECK_REFUSED("initrd", "not a domU kernel: the first word must be domu");
    CHECK_REFUSED("domux vcpus=1", "not a domU kernel: the first word must be domu");
    CHECK_REFUSED("DOMU", "not a domU kernel: the first word must be domu");
    CHECK_REFUSED("name=x domu", "not a domU kernel: the first word must be domu");
    CHECK_EQ(domu_spec_parse(NULL, &spec, err, sizeof(err)), -1);
    CHECK(spec.cmdline != NULL);
}

static void test_memory(void)
{
    CHECK_EQ(parse("domu memory=64"), 0);             /* MiB without a unit */
    CHECK_EQ(spec.memory, 64ull << 20);
    CHECK_EQ(parse("domu memory=1M"), 0);             /* the least */
    CHECK_EQ(spec.memory, 1ull << 20);
    CHECK_EQ(parse("domu memory=1"), 0);
    CHECK_EQ(spec.memory, 1ull << 20);
    CHECK_EQ(parse("domu memory=1024K"), 0);
    CHECK_EQ(spec.memory, 1ull << 20);
    CHECK_EQ(parse("domu memory=1024G"), 0);          /* the most: 1 TiB */
    CHECK_EQ(spec.memory, 1ull << 40);
    CHECK_EQ(parse("domu memory=1048576"), 0);
    CHECK_EQ(spec.memory, 1ull << 40);
    CHECK_EQ(parse("domu memory=1073741824k"), 0);
    CHECK_EQ(spec.memory, 1ull << 40);
    CHECK_EQ(parse("domu memory=2g"), 0);
    CHECK_EQ(spec.memory, 2ull << 30);
    CHECK_EQ(parse("domu memory=16m"), 0);
    CHECK_EQ(spec.memory, 16ull << 20);
    CHECK_EQ(parse("domu memory=1028K"), 0);          /* 257 pages */
    CHECK_EQ(spec.memory, 1028ull << 10);
    CHECK_EQ(parse("domu memory=0032M"), 0);
    CHECK_EQ(spec.memory, 32ull << 20);

    CHECK_REFUSED("domu memory=1023K", "memory=1023K: must be 1M..1024G");
    CHECK_REFUSED("domu memory=0", "memory=0: must be 1M..1024G");
    CHECK_REFUSED("domu memory=0M", "memory=0M: must be 1M..1024G");
    CHECK_REFUSED("domu memory=1025G", "memory=1025G: must be 1M..1024G");
    CHECK_REFUSED("domu memory=1048577", "memory=1048577: must be 1M..1024G");
    CHECK_REFUSED("domu memory=1073741828K", "memory=1073741828K: must be 1M..1024G");
    /* Values whose shift or digits would wrap are out of range, not small. */
    CHECK_REFUSED("domu memory=17592186044417M", "memory=17592186044417M: must be 1M..1024G");
    CHECK_REFUSED("domu memory=18446744073709551616", "memory=18446744073709551616: must be 1M..1024G");
    CHECK_REFUSED("domu memory=99999999999999999999999G",
                  "memory=99999999999999999999999G: must be 1M..1024G");
    CHECK_REFUSED("domu memory=1026K", "memory=1026K: must be a whole number of 4K pages");
    CHECK_REFUSED("domu memory=12X", "memory=12X: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=", "memory=: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=M", "memory=M: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=1T", "memory=1T: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=12MB", "memory=12MB: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=-1", "memory=-1: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=0x10", "memory=0x10: not a size (<n>[K|M|G], MiB without a unit)");
    CHECK_REFUSED("domu memory=1.5G", "memory=1.5G: not a size (<n>[K|M|G], MiB without a unit)");
}

static void test_vcpus_copies(void)
{
    CHECK_EQ(parse("domu vcpus=1"), 0);
    CHECK_EQ(spec.vcpus, 1);
    CHECK_EQ(parse("domu vcpus=128"), 0);
    CHECK_EQ(spec.vcpus, 128);
    CHECK_REFUSED("domu vcpus=129", "vcpus=129: must be 1..128");
    CHECK_REFUSED("domu vcpus=0", "vcpus=0: must be 1..128");
    CHECK_REFUSED("domu vcpus=", "vcpus=: not a number");
    CHECK_REFUSED("domu vcpus=2x", "vcpus=2x: not a number");
    CHECK_REFUSED("domu vcpus=-1", "vcpus=-1: not a number");
    CHECK_REFUSED("domu vcpus=0x2", "vcpus=0x2: not a number");
    CHECK_REFUSED("domu vcpus=4294967297", "vcpus=4294967297: must be 1..128");
    CHECK_REFUSED("domu vcpus=99999999999999999999999", "vcpus=99999999999999999999999: must be 1..128");

    CHECK_EQ(parse("domu copies=1"), 0);
    CHECK_EQ(spec.copies, 1);
    CHECK_EQ(parse("domu copies=4096"), 0);
    CHECK_EQ(spec.copies, 4096);
    CHECK_REFUSED("domu copies=4097", "copies=4097: must be 1..4096");
    CHECK_REFUSED("domu copies=0", "copies=0: must be 1..4096");
    CHECK_REFUSED("domu copies=", "copies=: not a number");
    CHECK_REFUSED("domu copies=a", "copies=a: not a number");
}

static void test_name(void)
{
    char w[200], name63[64], name64[65];

    memset(name63, 'n', 63);
    name63[63] = '\0';
    memset(name64, 'n', 64);
    name64[64] = '\0';

    snprintf(w, sizeof(w), "domu name=%s", name63);
    CHECK_EQ(parse(w), 0);
    CHECK_STR(spec.name, name63);
    snprintf(w, sizeof(w), "domu name=%s", name64);
    CHECK_EQ(parse(w), -1);
    /* The word is quoted cut to 40 characters. */
    CHECK_STR(err, "name=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...: must be 1..63 characters");
    CHECK_EQ(parse("domu name=a"), 0);
    CHECK_STR(spec.name, "a");
    CHECK_EQ(parse("domu name=AZaz09_.-"), 0);
    CHECK_STR(spec.name, "AZaz09_.-");
    CHECK_REFUSED("domu name=", "name=: must be 1..63 characters");
    CHECK_REFUSED("domu name=a/b", "name=a/b: only A-Z a-z 0-9 _ . - may be in a name");
    CHECK_REFUSED("domu name=a=b", "name=a=b: only A-Z a-z 0-9 _ . - may be in a name");
    CHECK_REFUSED("domu name=\xc3\xa9", "name=\xc3\xa9: only A-Z a-z 0-9 _ . - may be in a name");

    /* With copies, "<name>-<copies>" must fit 63 characters. */
    memset(name63, 'n', 58);
    name63[58] = '\0';                                  /* 58 + "-4096" = 63 */
    snprintf(w, sizeof(w), "domu name=%s copies=4096", name63);
    CHECK_EQ(parse(w), 0);
    snprintf(w, sizeof(w), "domu copies=4096 name=%sn", name63);
    CHECK_EQ(parse(w), -1);
    CHECK_CONTAINS(err, "name=nnnn");
    CHECK_CONTAINS(err, ": too long for copies=4096 (<name>-4096 must fit 63 characters)");
    memset(name63, 'n', 61);
    name63[61] = '\0';
    snprintf(w, sizeof(w), "domu name=%s copies=9", name63);   /* 61 + "-9" = 63 */
    CHECK_EQ(parse(w), 0);
    CHECK_EQ(parse("domu name=n copies=9"), 0);
    snprintf(w, sizeof(w), "domu name=%s copies=10", name63);  /* 61 + "-10" = 64 */
    CHECK_EQ(parse(w), -1);
    CHECK_CONTAINS(err, ": too long for copies=10 (<name>-10 must fit 63 characters)");
    /* Without a name the builder's domU<id> is used: no limit. */
    CHECK_EQ(parse("domu copies=4096"), 0);
}

static void test_names_of_copies(void)
{
    char buf[DOMU_NAME_MAX];

    CHECK_EQ(parse("domu name=web copies=3"), 0);
    CHECK_STR(domu_spec_name(&spec, 1, 7, buf, sizeof(buf)), "web-1");
    CHECK_STR(domu_spec_name(&spec, 3, 9, buf, sizeof(buf)), "web-3");
    CHECK_EQ(parse("domu name=web"), 0);
    CHECK_STR(domu_spec_name(&spec, 1, 7, buf, sizeof(buf)), "web");
    CHECK_EQ(parse("domu copies=2"), 0);
    CHECK_STR(domu_spec_name(&spec, 2, 12, buf, sizeof(buf)), "domU12");
}

static void test_option_errors(void)
{
    CHECK_REFUSED("domu foo=1", "foo=1: unknown option (name, memory, vcpus, copies)");
    CHECK_REFUSED("domu =1", "=1: unknown option (name, memory, vcpus, copies)");
    CHECK_REFUSED("domu Vcpus=1", "Vcpus=1: unknown option (name, memory, vcpus, copies)");
    CHECK_REFUSED("domu vcpus2=1", "vcpus2=1: unknown option (name, memory, vcpus, copies)");
    CHECK_REFUSED("domu vcpus=1 vcpus=2", "vcpus=2: vcpus given twice");
    CHECK_REFUSED("domu name=a memory=2 name=a", "name=a: name given twice");
    CHECK_REFUSED("domu memory=2 memory=2", "memory=2: memory given twice");
    CHECK_REFUSED("domu copies=2 copies=2", "copies=2: copies given twice");
    CHECK_REFUSED("domu root=/dev/xvda", "root=/dev/xvda: unknown option (name, memory, vcpus, copies)");
    CHECK_REFUSED("domu quiet", "quiet: not key=value (the kernel's command line goes after --)");
    CHECK_REFUSED("domu vcpus=1 quiet -- x", "quiet: not key=value (the kernel's command line goes after --)");
    /* The first error is the one reported. */
    CHECK_REFUSED("domu vcpus=0 memory=12X", "vcpus=0: must be 1..128");
    /* A long unknown word is quoted cut, and the reason still fits. */
    {
        char w[1100];

        memset(w, 'k', sizeof(w));
        memcpy(w, "domu ", 5);
        w[600] = '=';
        w[sizeof(w) - 1] = '\0';
        CHECK_EQ(parse(w), -1);
        CHECK_STR(err, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...: unknown option (name, memory, vcpus, copies)");
    }
    /* A short err buffer is cut, NUL-terminated. */
    memset(err, 'x', sizeof(err));
    CHECK_EQ(domu_spec_parse("domu vcpus=0", &spec, err, 8), -1);
    CHECK_STR(err, "vcpus=0");
    CHECK_EQ(domu_spec_parse("domu vcpus=0", &spec, err, 12), -1);
    CHECK_STR(err, "vcpus=0: mu");
    CHECK_EQ(domu_spec_parse("domu vcpus=0", &spec, NULL, 0), -1);
    /* After an error the command line pointer is still inside the input. */
    {
        const char *s = "domu bad -- x";

        CHECK_EQ(parse(s), -1);
        CHECK(spec.cmdline >= s && spec.cmdline <= s + strlen(s));
    }
}

/* ---- the plan ------------------------------------------------------------ */

static struct boot_plan_entry plan[70];

static unsigned make_plan(const char *const *cl, unsigned n)
{
    memset(plan, 0x5a, sizeof(plan));
    return boot_plan(cl, n, plan);
}

static void test_plan_dom0_only(void)
{
    const char *cl[] = { "dom0 args", "", "domu" };

    CHECK_EQ(make_plan(cl, 0), 0);
    CHECK_EQ(make_plan(cl, 1), 0);
    CHECK_EQ(plan[0].module, 0x5a5a5a5a);               /* nothing written */
    /* Module 1 without "domu": dom0's initrd, whatever else it says. */
    CHECK_EQ(make_plan(cl, 2), 1);
    CHECK_EQ(plan[0].role, BOOT_MOD_DOM0_INITRD);
    CHECK_EQ(plan[0].module, 1);
    CHECK_EQ(plan[0].initrd, -1);
    CHECK_STR(plan[0].err, "");
    {
        const char *c2[] = { "", "initrd" };

        CHECK_EQ(make_plan(c2, 2), 1);
        CHECK_EQ(plan[0].role, BOOT_MOD_DOM0_INITRD);
        CHECK_STR(plan[0].err, "");
    }
    {
        const char *c2[] = { "", NULL, NULL };

        CHECK_EQ(make_plan(c2, 3), 2);
        CHECK_EQ(plan[0].role, BOOT_MOD_DOM0_INITRD);
        CHECK_EQ(plan[1].role, BOOT_MOD_BAD);
        CHECK_STR(plan[1].err, "not a domU kernel nor a domU's initrd");
    }
}

static void test_plan_mix(void)
{
    const char *cl[] = {
        "",                                        /* 0: dom0 */
        "rootfs.cpio",                             /* 1: dom0's initrd (word kept as is) */
        "domu name=a memory=64M -- console=hvc0",  /* 2: domU a */
        "initrd",                                  /* 3: a's initrd */
        "domu name=b vcpus=2",                     /* 4: domU b, no initrd */
        "domu vcpus=0",                            /* 5: refused */
        "initrd",                                  /* 6: its initrd, skipped with it */
        "initrd",                                  /* 7: a second initrd: bad */
        "something",                               /* 8: bad */
        "domu copies=2",                           /* 9: domU, initrd 10 */
        "initrd extra words",                      /* 10 */
    };
    unsigned n = sizeof(cl) / sizeof(cl[0]);

    CHECK_EQ(make_plan(cl, n), n - 1);
    for (unsigned i = 0; i < n - 1; i++)
        CHECK_EQ(plan[i].module, i + 1);
    CHECK_EQ(plan[0].role, BOOT_MOD_DOM0_INITRD);
    CHECK_EQ(plan[1].role, BOOT_MOD_DOMU_KERNEL);
    CHECK_STR(plan[1].err, "");
    CHECK_EQ(plan[1].initrd, 3);
    CHECK_STR(plan[1].spec.name, "a");
    CHECK_EQ(plan[1].spec.memory, 64ull << 20);
    CHECK_EQ(plan[1].spec.vcpus, 1);
    CHECK_STR(kcmd(&plan[1].spec), "console=hvc0");
    CHECK(plan[1].spec.cmdline > cl[2] && plan[1].spec.cmdline < cl[2] + strlen(cl[2]));
    CHECK_EQ(plan[2].role, BOOT_MOD_DOMU_INITRD);
    CHECK_STR(plan[2].err, "");
    CHECK_EQ(plan[3].role, BOOT_MOD_DOMU_KERNEL);
    CHECK_EQ(plan[3].initrd, -1);
    CHECK_EQ(plan[3].spec.vcpus, 2);
    CHECK_STR(plan[3].err, "");
    CHECK_EQ(plan[4].role, BOOT_MOD_DOMU_KERNEL);
    CHECK_STR(plan[4].err, "vcpus=0: must be 1..128");
    CHECK_EQ(plan[4].initrd, 6);
    CHECK_EQ(plan[5].role, BOOT_MOD_DOMU_INITRD);
    CHECK_STR(plan[5].err, "");
    CHECK_EQ(plan[6].role, BOOT_MOD_BAD);
    CHECK_STR(plan[6].err, "not a domU kernel nor a domU's initrd (an initrd must come right after its domu module)");
    CHECK_EQ(plan[7].role, BOOT_MOD_BAD);
    CHECK_STR(plan[7].err, "not a domU kernel nor a domU's initrd");
    CHECK_EQ(plan[8].role, BOOT_MOD_DOMU_KERNEL);
    CHECK_EQ(plan[8].spec.copies, 2);
    CHECK_EQ(plan[8].initrd, 10);
    CHECK_EQ(plan[9].role, BOOT_MOD_DOMU_INITRD);
    CHECK_EQ(plan[10].module, 0x5a5a5a5a);              /* nothing past n - 1 */
}

static void test_plan_domu_first(void)
{
    /* Module 1 may be a domU kernel (dom0 then has no initrd), and
     * an initrd right after it is the domU's. */
    const char *cl[] = { "", "domu", "initrd", "domu name=z", "initrd", "initrd" };

    CHECK_EQ(make_plan(cl, 6), 5);
    CHECK_EQ(plan[0].role, BOOT_MOD_DOMU_KERNEL);
    CHECK_EQ(plan[0].initrd, 2);
    CHECK_EQ(plan[1].role, BOOT_MOD_DOMU_INITRD);
    CHECK_EQ(plan[2].role, BOOT_MOD_DOMU_KERNEL);
    CHECK_EQ(plan[2].initrd, 4);
    CHECK_EQ(plan[3].role, BOOT_MOD_DOMU_INITRD);
    CHECK_EQ(plan[4].role, BOOT_MOD_BAD);
    /* "initrd" as module 2 after dom0's initrd is bad. */
    {
        const char *c2[] = { "", "x", "initrd", "domux" };

        CHECK_EQ(make_plan(c2, 4), 3);
        CHECK_EQ(plan[0].role, BOOT_MOD_DOM0_INITRD);
        CHECK_EQ(plan[1].role, BOOT_MOD_BAD);
        CHECK_EQ(plan[2].role, BOOT_MOD_BAD);
        CHECK_STR(plan[2].err, "not a domU kernel nor a domU's initrd");
    }
    /* Module 1 "domu" with an error is a refused kernel, not dom0's initrd. */
    {
        const char *c2[] = { "", "domu memory=12X", "initrd" };

        CHECK_EQ(make_plan(c2, 3), 2);
        CHECK_EQ(plan[0].role, BOOT_MOD_DOMU_KERNEL);
        CHECK_STR(plan[0].err, "memory=12X: not a size (<n>[K|M|G], MiB without a unit)");
        CHECK_EQ(plan[0].initrd, 2);
        CHECK_EQ(plan[1].role, BOOT_MOD_DOMU_INITRD);
    }
}

static void test_plan_many(void)
{
    /* 64 modules (BOOT_MAX_MODULES): 63 domU kernels and initrds alternating. */
    const char *cl[64];

    cl[0] = "";
    for (unsigned i = 1; i < 64; i++)
        cl[i] = i % 2 ? "domu memory=1M" : "initrd";
    CHECK_EQ(make_plan(cl, 64), 63);
    for (unsigned i = 1; i < 64; i++) {
        const struct boot_plan_entry *e = &plan[i - 1];

        CHECK_EQ(e->role, i % 2 ? BOOT_MOD_DOMU_KERNEL : BOOT_MOD_DOMU_INITRD);
        CHECK_STR(e->err, "");
        if (i % 2)
            CHECK_EQ(e->initrd, i + 1 < 64 ? (int)i + 1 : -1);
    }
}

int main(void)
{
    RUN_TEST(test_defaults);
    RUN_TEST(test_all_options);
    RUN_TEST(test_not_domu);
    RUN_TEST(test_memory);
    RUN_TEST(test_vcpus_copies);
    RUN_TEST(test_name);
    RUN_TEST(test_names_of_copies);
    RUN_TEST(test_option_errors);
    RUN_TEST(test_plan_dom0_only);
    RUN_TEST(test_plan_mix);
    RUN_TEST(test_plan_domu_first);
    RUN_TEST(test_plan_many);
    return test_main_result();
}

/* hv_start(): from the boot loader's hand-off to dom0's first instruction. */
#include "core/log.h"
#include "core/panic.h"
#include "core/options.h"
#include "core/domain.h"
#include "core/time.h"
#include "core/console_input.h"
#include "boot/multiboot.h"
#include "dom/build.h"
#include "dom/domu_spec.h"
#include "dom/kimage.h"
#include "dom/kimage_load.h"
#include "lib/format.h"
#include "mm/mm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/pv_io.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/acpi.h"
#include "lib/string.h"
#include "sched/sched_cpu.h"

#define U(x) ((unsigned long long)(x))

#ifndef XENOLITH_VERSION
#define XENOLITH_VERSION "0.1"
#endif

extern char __image_start[], __image_end[];

static struct boot_info boot_info;

static const void *boot_map(uint64_t pa, uint64_t len)
{
    if (pa + len < pa || pa + len > (4ull << 30))
        return 0;                   /* the boot tables cover the first 4 GiB */
    return phys_to_virt(pa);
}

static __attribute__((noreturn, format(printf, 1, 2))) void boot_fail(const char *fmt, ...)
{
    va_list ap;

    log_err("boot failed: ");
    va_start(ap, fmt);
    log_vprintf(LOG_ERR, fmt, ap);
    va_end(ap);
    log_err("\n");
    machine_halt_after_panic();
}

static const char *mem_type_name(uint32_t type)
{
    switch (type) {
    case BOOT_MEM_USABLE: return "usable";
    case BOOT_MEM_ACPI: return "ACPI data";
    case BOOT_MEM_NVS: return "ACPI NVS";
    case BOOT_MEM_BAD: return "unusable";
    default: return "reserved";
    }
}

static void log_boot_info(const struct boot_info *bi)
{
    log_info("boot loader: %s (multiboot%u)\n", bi->loader_name[0] ? bi->loader_name : "unnamed", bi->proto);
    log_info("command line: %s\n", bi->cmdline);
    log_info("memory map:\n");
    for (unsigned i = 0; i < bi->nr_mem; i++)
        log_info(" %016llx - %016llx (%s)\n", U(bi->mem[i].base), U(bi->mem[i].base + bi->mem[i].len),
                 mem_type_name(bi->mem[i].type));
    for (unsigned i = 0; i < bi->nr_mod; i++)
        log_info("module %u: %016llx - %016llx '%s'\n", i, U(bi->mod[i].start), U(bi->mod[i].end),
                 bi->mod[i].cmdline);
}

/* dom0_mem, or all free memory but a reserve for the hypervisor (1/16, at
 * most 64 MiB) and what the domUs of the boot modules will take (domu_pages). */
static uint64_t dom0_pages(uint64_t domu_pages)
{
    uint64_t free = mm_free_frames(), reserve = free / 16, want;

    if (reserve > (64ull << 20) >> PAGE_SHIFT)
        reserve = (64ull << 20) >> PAGE_SHIFT;
    /* The domUs' memory, and their p2m lists, tables and structures. */
    reserve += domu_pages + domu_pages / 64;
    if (reserve > free - free / 16)
        reserve = free - free / 16;            /* dom0 first: late domUs may not fit */
    want = hv_opts.dom0_mem ? hv_opts.dom0_mem >> PAGE_SHIFT : free - reserve;
    if (hv_opts.dom0_mem && want + reserve > free) {
        log_warn("dom0_mem=%lluM is more than the %llu MiB free: giving dom0 %llu MiB\n",
                 U(hv_opts.dom0_mem >> 20), U(free >> 8), U((free - reserve) >> 8));
        want = free - reserve;
    }
    return want;
}

/* dom0's vCPUs: one per CPU the firmware reports (Xenolith runs them all on
 * the boot CPU), within dom0_max_vcpus=. */
static unsigned dom0_vcpus(const struct boot_info *bi)
{
    unsigned fw = acpi_count_cpus(0, bi->rsdp, bi->rsdp_len), n = fw ? fw : 1;

    if (n < hv_opts.dom0_vcpus_min)
        n = hv_opts.dom0_vcpus_min;
    if (n > hv_opts.dom0_vcpus_max)
        n = hv_opts.dom0_vcpus_max;
    if (n > DOMAIN_MAX_VCPUS) {
        log_warn("dom0_max_vcpus: %u vCPUs asked, %u is the most a domain can have\n", n, DOMAIN_MAX_VCPUS);
        n = DOMAIN_MAX_VCPUS;
    }
    log_info("CPUs: %u reported by the firmware, dom0 gets %u vCPU%s\n", fw, n, n == 1 ? "" : "s");
    return n;
}

/* What the modules after dom0's kernel are (hv/dom/domu_spec.h). */
static struct boot_plan_entry plan[BOOT_MAX_MODULES];
static unsigned nr_plan;

static void make_plan(const struct boot_info *bi)
{
    const char *lines[BOOT_MAX_MODULES];

    for (unsigned i = 0; i < bi->nr_mod; i++)
        lines[i] = bi->mod[i].cmdline;
    nr_plan = boot_plan(lines, bi->nr_mod, plan);
}

/* Frames a compressed kernel module takes while its domains are built
 * (dom/kimage_load.h); 0 for a plain ELF or one the builder will refuse. */
static uint64_t kernel_unpack_pages(const struct boot_module *m)
{
    struct kimage_info ki;
    char err[8];

    if (kimage_identify(phys_to_virt(m->start), m->end - m->start, &ki, err, sizeof(err)) != 0 ||
        (ki.kind == KIMAGE_ELF && ki.container == KIMAGE_PLAIN))
        return 0;
    return (ki.out_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* The memory the valid domU descriptions ask for, in pages (saturating),
 * plus room to decompress their kernels: one is held at a time, so the
 * largest is enough. */
static uint64_t plan_domu_pages(const struct boot_info *bi)
{
    uint64_t total = 0, unpack = 0;

    for (unsigned i = 0; i < nr_plan; i++)
        if (plan[i].role == BOOT_MOD_DOMU_KERNEL && !plan[i].err[0]) {
            uint64_t n = (plan[i].spec.memory >> PAGE_SHIFT) * plan[i].spec.copies;
            total = total + n < total ? ~0ull : total + n;
            n = kernel_unpack_pages(&bi->mod[plan[i].module]);
            unpack = n > unpack ? n : unpack;
        }
    return total + unpack < total ? ~0ull : total + unpack;
}

static void build_dom0(const struct boot_info *bi, uint64_t domu_pages)
{
    struct dom_build_params p = { 0 };
    struct dom_kernel kern;
    struct domain *d;
    char err[160];

    if (bi->nr_mod == 0)
        boot_fail("no dom0 kernel: give it as the first boot module");
    /* Decompressed (if it is) before dom0's share is worked out, so that
     * the share leaves room for it. */
    if (dom_kernel_open(phys_to_virt(bi->mod[0].start), bi->mod[0].end - bi->mod[0].start, &kern,
                        err, sizeof(err)) != 0)
        boot_fail("dom0 kernel (module 0): %s", err);
    p.kernel = kern.elf;
    p.kernel_len = kern.elf_len;
    p.cmdline = bi->mod[0].cmdline;
    if (nr_plan && plan[0].role == BOOT_MOD_DOM0_INITRD) {
        p.initrd = phys_to_virt(bi->mod[1].start);
        p.initrd_len = bi->mod[1].end - bi->mod[1].start;
    }
    p.nr_pages = dom0_pages(domu_pages);
    p.domu_start_info = strcmp(hv_opts.dom0_start_info, "domu") == 0;
    p.rings_backend = 0;
    d = domain_create(0, true, dom0_vcpus(bi));
    if (!d)
        boot_fail("no memory for dom0's structures");
    if (dom_build_pv(d, &p, err, sizeof(err)) != 0)
        boot_fail("dom0 kernel (module 0): %s", err);
    dom_kernel_close(&kern);
    domain_make_runnable(d->vcpus[0]);
}

/* Copy k (1-based) of the domU of plan entry e, from its opened kernel;
 * false with the reason logged. */
static bool build_domu(const struct boot_info *bi, const struct boot_plan_entry *e, unsigned k,
                       const struct dom_kernel *kern)
{
    const struct domu_spec *sp = &e->spec;
    struct dom_build_params p = { 0 };
    uint64_t pages = sp->memory >> PAGE_SHIFT, need = pages + pages / 64 + 64;
    struct domain *d;
    char err[160], name[DOMU_NAME_MAX];

    /* Its memory, p2m list, tables and structures must fit in what is free. */
    if (need > mm_free_frames()) {
        log_err("domU (module %u): %llu MiB asked, %llu MiB free: not built\n", e->module,
                U(sp->memory >> 20), U(mm_free_frames() >> 8));
        return false;
    }
    uint64_t t0 = time_now_ns(), free0 = mm_free_frames();
    d = domain_create(DOMID_INVALID, false, sp->vcpus);
    if (!d) {
        log_err("domU (module %u): no memory for its structures or no domid left: not built\n", e->module);
        return false;
    }
    fmt_snprintf(d->name, sizeof(d->name), "%s", domu_spec_name(sp, sp->copies > 1 ? k : 0, d->id, name, sizeof(name)));
    p.kernel = kern->elf;
    p.kernel_len = kern->elf_len;
    p.cmdline = sp->cmdline;
    if (e->initrd >= 0) {
        p.initrd = phys_to_virt(bi->mod[e->initrd].start);
        p.initrd_len = bi->mod[e->initrd].end - bi->mod[e->initrd].start;
    }
    p.nr_pages = pages;
    p.domu_start_info = true;
    p.rings_backend = 0;
    if (dom_build_pv(d, &p, err, sizeof(err)) != 0) {
        log_err("d%u (%s, module %u): %s: not built\n", d->id, d->name, e->module, err);
        domain_destroy(d);
        return false;
    }
    /* What building took, and what the domain costs beyond its own pages
     * (its structures, event-channel and grant tables, shared_info). */
    log_info("d%u: %s, %llu MiB, %u vCPU%s (module %u), built in %llu us, hypervisor overhead %llu frames\n",
             d->id, d->name, U(sp->memory >> 20), sp->vcpus, sp->vcpus == 1 ? "" : "s", e->module,
             U((time_now_ns() - t0) / 1000), U(free0 - mm_free_frames() - d->nr_pages));
    domain_make_runnable(d->vcpus[0]);
    return true;
}

/* Every domU the boot modules describe; a bad description is skipped alone. */
static void build_domus(const struct boot_info *bi)
{
    unsigned built = 0, failed = 0;
    uint64_t t0 = time_now_ns();
    struct dom_kernel kern;
    char err[160];

    for (unsigned i = 0; i < nr_plan; i++) {
        const struct boot_plan_entry *e = &plan[i];
        if (e->err[0]) {
            log_err("domU (module %u): %s\n", e->module, e->err);
            failed++;
            continue;
        }
        if (e->role != BOOT_MOD_DOMU_KERNEL)
            continue;
        /* Decompressed once for all its copies. */
        if (dom_kernel_open(phys_to_virt(bi->mod[e->module].start),
                            bi->mod[e->module].end - bi->mod[e->module].start, &kern, err, sizeof(err)) != 0) {
            log_err("domU (module %u): kernel: %s: not built\n", e->module, err);
            failed += e->spec.copies;
            continue;
        }
        for (unsigned k = 1; k <= e->spec.copies; k++) {
            if (build_domu(bi, e, k, &kern))
                built++;
            else
                failed++;
        }
        dom_kernel_close(&kern);
    }
    if (failed)
        log_info("domUs: %u built in %llu us, %u not built\n", built, U((time_now_ns() - t0) / 1000), failed);
    else if (built)
        log_info("domUs: %u built in %llu us\n", built, U((time_now_ns() - t0) / 1000));
}

void hv_start(uint32_t magic, uint64_t info_pa)
{
    char err[160];
    int mb_rc = multiboot_parse(magic, info_pa, boot_map, &boot_info, err, sizeof(err));
    uint64_t img_start = image_virt_to_phys(__image_start), img_end = image_virt_to_phys(__image_end);

    options_parse(mb_rc == 0 ? boot_info.cmdline : "");
    if (strcmp(hv_opts.console, "none") != 0)
        serial_init(hv_opts.com1_port, hv_opts.com1_baud);
    opt_noreboot = hv_opts.noreboot;
    log_info("Xenolith %s: a Xen PV ABI microhypervisor (x86_64)\n", XENOLITH_VERSION);
    if (mb_rc != 0)
        boot_fail("bad boot information: %s", err);
    options_report();
    log_boot_info(&boot_info);

    cpu_init();
    gdt_init();
    idt_init();
    cpu_features.cpuid_faulting = pv_cpuid_faulting_init();   /* probes MSRs: after the IDT */
    cpu_features.xsave = pv_xsave_init();
    log_info("CPU: %s %s%s%s%s%s\n", cpu_features.vendor, cpu_features.brand,
             cpu_features.nx ? " NX" : "", cpu_features.smep ? " SMEP" : "",
             cpu_features.cpuid_faulting ? " CPUID-faulting" : "", cpu_features.xsave ? " XSAVE" : "");
    syscall_init();

    mm_init(&boot_info, img_start, img_end);
    paging_init(&boot_info);
    mm_init_tables();
    gdt_use_window();
    power_set_rsdp(boot_info.rsdp, boot_info.rsdp_len);
    pv_io_init(hv_opts.com1_port);
    log_info("RAM: %llu MiB usable, %llu MiB free after the hypervisor's %llu KiB\n",
             U(mm_stats.total_ram >> 20), U(mm_free_frames() >> 8), U(mm_stats.hv_frames * 4));
    time_init();
    if (strcmp(hv_opts.selftest, "hv-fault") == 0) {
        log_info("selftest: reading an unmapped hypervisor address\n");
        (void)*(volatile uint64_t *)(HV_AREA_START + 0x0000020000000000ull);
    }
    if (strcmp(hv_opts.selftest, "triple-fault") == 0) {
        log_info("selftest: an exception with no IDT (the machine resets)\n");
        cpu_triple_fault();
    }

    console_input_init(boot_info.rsdp, boot_info.rsdp_len);
    if (strcmp(hv_opts.selftest, "boot-keys") == 0) {
        /* Keys typed early reach the handlers here, from the first drain of
         * the UART, before the scheduler and any domain exist. */
        log_info("selftest: debug keys before the scheduler is set up\n");
        for (const char *k = "rqe0h"; *k; k++)
            console_input_byte(*k, 0);
    }
    sched_cpu_setup();
    domain_note_free_frames();
    make_plan(&boot_info);
    build_dom0(&boot_info, plan_domu_pages(&boot_info));
    build_domus(&boot_info);
    log_info("starting d0 (%llu frames, %llu MiB left free)\n", U(mm_free_frames()), U(mm_free_frames() >> 8));
    console_input_start();
    domain_run_first();
}

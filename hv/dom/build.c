/* The PV domain builder: from an ELF kernel to a vCPU ready to enter it.
 *
 * 1. parse the ELF and its Xen notes, compute the start-of-day layout;
 * 2. give the domain its frames (zeroed), fill the p2m list and the M2P;
 * 3. build the bootstrap page tables (read-only to the guest);
 * 4. copy the image and the initrd, write the hypercall page;
 * 5. fill start_info and shared_info, set the initial registers. */
#include "dom/build.h"
#include "dom/build_priv.h"
#include "dom/elf.h"
#include "core/domain.h"
#include "core/console_ring.h"
#include "grant_table.h"
#include "core/log.h"
#include "core/time.h"
#include "mm/mm.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/hypercall_page.h"
#include "lib/format.h"
#include "lib/string.h"
#include "xen.h"
#include "features.h"
#include "dom/elf_features.h"

#define U(x) ((unsigned long long)(x))

/* The frame backing guest pseudo-physical frame pfn. */
uint64_t build_pfn_to_mfn(const struct build_ctx *c, uint64_t pfn)
{
    const uint64_t *p2m_page = mfn_to_virt(c->p2m_mfns[pfn / 512]);
    return p2m_page[pfn % 512];
}

void *build_va_ptr(const struct build_ctx *c, uint64_t va)
{
    uint64_t pfn = dom_layout_va_to_pfn(&c->layout, va);
    return (uint8_t *)mfn_to_virt(build_pfn_to_mfn(c, pfn)) + (va & (PAGE_SIZE - 1));
}

void *build_pfn_ptr(const struct build_ctx *c, uint64_t pfn)
{
    return mfn_to_virt(build_pfn_to_mfn(c, pfn));
}

/* Frames for pfn 0..nr_pages-1. The p2m list's own frames are taken first so
 * that every later mfn can be recorded straight into the guest's list. */
static int give_memory(struct build_ctx *c, char *err, size_t errlen)
{
    uint64_t n = c->d->nr_pages, p2m_frames = c->layout.p2m_frames;
    uint64_t p2m_pfn0 = c->layout.p2m_pfn, used = c->layout.used_pages;

    c->nr_p2m_mfns = p2m_frames;
    c->p2m_mfns_frames = (p2m_frames * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    c->p2m_mfns_base = mm_alloc_frames_contig(c->p2m_mfns_frames, 0);
    if (c->p2m_mfns_base == INVALID_MFN)
        goto oom;
    c->p2m_mfns = mfn_to_virt(c->p2m_mfns_base);
    for (uint64_t i = 0; i < p2m_frames; i++) {
        uint64_t mfn = mm_alloc_frame(c->d->id);
        if (mfn == INVALID_MFN)
            goto oom;
        c->p2m_mfns[i] = mfn;
        c->frames_given++;
    }
    /* The rest a run of free frames at a time (zeroed where the builder
     * writes: the start-of-day region, the unmapped initrd and the p2m
     * list's own tables; zeroed when first mapped beyond them). */
    for (uint64_t pfn = 0; pfn < n;) {
        uint64_t end = n, first, got;
        bool zero = pfn < used;
        if (pfn >= p2m_pfn0 && pfn < p2m_pfn0 + p2m_frames) {
            uint64_t mfn = c->p2m_mfns[pfn - p2m_pfn0];
            ((uint64_t *)mfn_to_virt(c->p2m_mfns[pfn / 512]))[pfn % 512] = mfn;
            m2p_set(mfn, pfn);
            pfn++;
            continue;
        }
        if (pfn < p2m_pfn0 && p2m_pfn0 < end)
            end = p2m_pfn0;
        if (zero && used < end)
            end = used;
        got = mm_alloc_frames_run(c->d->id, end - pfn, zero, &first);
        if (!got)
            goto oom;
        c->frames_given += got;
        for (uint64_t i = 0; i < got; i++, pfn++) {
            ((uint64_t *)mfn_to_virt(c->p2m_mfns[pfn / 512]))[pfn % 512] = first + i;
            m2p_set(first + i, pfn);
        }
    }
    return 0;
oom:
    fmt_snprintf(err, errlen, "out of memory giving the domain %llu pages (%llu given, %llu free)",
                 U(n), U(c->frames_given), U(mm_free_frames()));
    return -1;
}

static int load_image(struct build_ctx *c, char *err, size_t errlen)
{
    const struct elf_xen_info *e = &c->elf;

    for (unsigned i = 0; i < e->nr_seg; i++) {
        const struct elf_segment *s = &e->seg[i];
        const uint8_t *src = (const uint8_t *)c->p->kernel + s->file_off;
        for (uint64_t off = 0; off < s->filesz; ) {
            uint64_t va = s->vaddr + off;
            uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
            if (chunk > s->filesz - off)
                chunk = s->filesz - off;
            memcpy(build_va_ptr(c, va), src + off, chunk);
            off += chunk;
        }
        /* memsz beyond filesz stays zero: every frame was zeroed when given. */
    }
    if (e->has_hypercall_page) {
        if (e->hypercall_page & (PAGE_SIZE - 1)) {
            fmt_snprintf(err, errlen, "HYPERCALL_PAGE %#llx is not page aligned", U(e->hypercall_page));
            return -1;
        }
        hypercall_page_write(build_va_ptr(c, e->hypercall_page));
    }
    /* Mapped or not, the initrd fills its frames from initrd_pfn on. */
    for (uint64_t off = 0; off < c->p->initrd_len; ) {
        uint64_t chunk = c->p->initrd_len - off < PAGE_SIZE ? c->p->initrd_len - off : PAGE_SIZE;
        memcpy(build_pfn_ptr(c, c->layout.initrd_pfn + off / PAGE_SIZE),
               (const uint8_t *)c->p->initrd + off, chunk);
        off += chunk;
    }
    return 0;
}

static void fill_start_info(struct build_ctx *c)
{
    struct start_info *si = build_va_ptr(c, c->layout.start_info);
    const struct dom_layout *l = &c->layout;
    struct domain *d = c->d;

    memset(si, 0, PAGE_SIZE);
    fmt_snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = d->nr_pages;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = c->p->domu_start_info ? 0 : (SIF_PRIVILEGED | SIF_INITDOMAIN);
    if (c->p->domu_start_info) {
        /* The ring pages and their ports, offered to the domain that serves
         * them (dom0 for a domU; the domain itself when it runs alone). */
        domid_t be = c->p->rings_backend;
        int store = evtchn_alloc_unbound_port(d, be), cons = evtchn_alloc_unbound_port(d, be);
        si->store_mfn = build_pfn_to_mfn(c, dom_layout_va_to_pfn(l, l->xenstore));
        si->store_evtchn = store > 0 ? (uint32_t)store : 0;
        si->console.domU.mfn = build_pfn_to_mfn(c, dom_layout_va_to_pfn(l, l->console));
        si->console.domU.evtchn = cons > 0 ? (uint32_t)cons : 0;
        /* The builder's reserved grant entries: the ring pages, granted to
         * the domain that serves them. */
        grant_builder_set(d, GNTTAB_RESERVED_CONSOLE, be, si->console.domU.mfn, false);
        grant_builder_set(d, GNTTAB_RESERVED_XENSTORE, be, si->store_mfn, false);
        d->xs_mfn = si->store_mfn;
        d->xs_port = si->store_evtchn;
        d->con_mfn = si->console.domU.mfn;
        d->con_port = si->console.domU.evtchn;
        /* Alone, no domain serves its console: the hypervisor does. */
        if (be == d->id && cons > 0)
            (void)console_ring_attach(d, si->console.domU.mfn, (uint32_t)cons);
    }
    si->pt_base = l->pt_start;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->p2m_start;
    if (l->p2m_own_tables) {
        /* The list and its tables: frames the guest may take back once it
         * has moved the list elsewhere. */
        si->first_p2m_pfn = l->p2m_pfn;
        si->nr_p2m_frames = l->p2m_frames + l->p2m_pt_frames;
    }
    /* As Xen's toolstack: the p2m list is all a domU offers its tools (no
     * 3-level frame list). */
    if (c->p->domu_start_info)
        si->flags |= SIF_VIRT_P2M_4TOOLS;
    if (c->p->initrd_len) {
        /* With MOD_START_PFN the initrd is unmapped and given by frame. */
        si->mod_start = c->elf.mod_start_pfn ? l->initrd_pfn : l->initrd_start;
        si->mod_len = c->p->initrd_len;
        if (c->elf.mod_start_pfn)
            si->flags |= SIF_MOD_START_PFN;
    }
    fmt_snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", c->p->cmdline ? c->p->cmdline : "");
    d->start_info_va = l->start_info;
}

static int make_shared_info(struct build_ctx *c, char *err, size_t errlen)
{
    struct domain *d = c->d;
    uint64_t mfn = mm_alloc_frame(d->id);

    if (mfn == INVALID_MFN) {
        fmt_snprintf(err, errlen, "out of memory for shared_info");
        return -1;
    }
    frame_table[mfn].flags |= PGF_XEN_HEAP;     /* not in the p2m; mappable by its owner */
    d->shared_info_mfn = mfn;
    d->shared_info = mfn_to_virt(mfn);
    for (unsigned i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        vcpu_info_locate(d->vcpus[i]);
    /* arch.max_pfn stays 0: the guest publishes its own p2m size there. */
    time_domain_start(d);
    return 0;
}

static void undo(struct build_ctx *c)
{
    if (c->p2m_mfns_base != INVALID_MFN && c->p2m_mfns_base) {
        for (uint64_t i = 0; i < c->p2m_mfns_frames; i++)
            mm_free_frame(c->p2m_mfns_base + i);
        c->p2m_mfns_base = 0;
    }
}

int dom_build_pv(struct domain *d, const struct dom_build_params *p, char *err, size_t errlen)
{
    struct build_ctx c = { .d = d, .p = p };
    struct dom_layout_in in;
    int rc = -1;
    uint32_t unmet;

    if (elf_parse_xen(p->kernel, p->kernel_len, &c.elf, err, errlen) != 0)
        return -1;
    if (elf_features_decide(&c.elf, d->privileged, &unmet, err, errlen) != 0)
        return -1;
    if (unmet) {
        char names[96];
        elf_feature_names(unmet, names, sizeof(names));
        log_info("d%u: warning: the kernel requires %s, which Xenolith does not offer (booted anyway, as Xen does)\n",
                 d->id, names);
    }
    in = (struct dom_layout_in){
        .virt_base = c.elf.virt_base & ~(uint64_t)(PAGE_SIZE - 1),
        .kernel_start = c.elf.virt_kstart, .kernel_end = c.elf.virt_kend,
        .initrd_len = p->initrd_len, .nr_pages = p->nr_pages, .domu_pages = p->domu_start_info,
        .unmapped_initrd = c.elf.mod_start_pfn,
        .has_init_p2m = c.elf.has_init_p2m, .init_p2m = c.elf.init_p2m,
    };
    if (in.kernel_start < in.virt_base)
        in.virt_base = in.kernel_start & ~(uint64_t)(PAGE_SIZE - 1);
    if (dom_layout_compute(&in, &c.layout, err, errlen) != 0)
        return -1;
    d->nr_pages = d->max_pages = p->nr_pages;

    if (give_memory(&c, err, errlen) == 0 &&
        build_page_tables(&c, err, errlen) == 0 &&
        build_pin_tables(&c, err, errlen) == 0 &&
        load_image(&c, err, errlen) == 0 &&
        make_shared_info(&c, err, errlen) == 0) {
        fill_start_info(&c);
        fmt_snprintf(d->cmdline, sizeof(d->cmdline), "%s", p->cmdline ? p->cmdline : "");
        vcpu_arch_init(d->vcpus[0], c.elf.entry, c.layout.stack_end, c.layout.start_info, c.l4_mfn);
        d->vcpus[0]->initialised = d->vcpus[0]->online = true;
        build_log_layout(&c);
        rc = 0;
    }
    undo(&c);
    return rc;
}

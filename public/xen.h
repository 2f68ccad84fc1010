/*
 * Xenolith public ABI: the core of the Xen PV guest interface (x86_64 only).
 *
 * Names of types, fields and constants follow Xen so that guest code written
 * against Xen's headers compiles unchanged; layouts are those of the current
 * Xen interface version (checked by tests/abi against libxen-dev).
 */
#ifndef XENOLITH_PUBLIC_XEN_H
#define XENOLITH_PUBLIC_XEN_H

#include <stddef.h>
#include <stdint.h>

/* Interface version implemented; older variants are not provided. */
#define __XEN_LATEST_INTERFACE_VERSION__ 0x00040e00
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#endif

/* Integer-constant suffix helpers (the indirection lets macros expand first). */
#define __xen_mk_uint(x)   x ## U
#define __xen_mk_ulong(x)  x ## UL
#define __xen_mk_ullong(x) x ## ULL
#define xen_mk_uint(x)     __xen_mk_uint(x)
#define xen_mk_ulong(x)    __xen_mk_ulong(x)
#define xen_mk_ullong(x)   __xen_mk_ullong(x)

/* Empty: trailing arrays are C99 flexible array members. */
#define XEN_FLEX_ARRAY_DIM

/* ---- Basic types ---- */
typedef unsigned long xen_ulong_t;   /* register-sized unsigned value */
typedef unsigned long xen_pfn_t;     /* page frame number (guest or machine) */
typedef uint16_t domid_t;            /* domain identifier */
typedef uint8_t xen_domain_handle_t[16];

#define PRI_xen_pfn   "lx"
#define PRIu_xen_pfn  "lu"
#define PRI_xen_ulong "lx"

/*
 * Guest handles: a guest virtual address passed to the hypervisor.
 * On x86_64 a handle is simply a pointer (8 bytes, same size and position
 * as Xen's one-member struct).  XEN_GUEST_HANDLE(foo) names the handle type
 * for foo; DEFINE_XEN_GUEST_HANDLE(foo) declares it and its const_ variant.
 */
#define __DEFINE_XEN_GUEST_HANDLE(name, type) \
    typedef type *__guest_handle_ ## name;    \
    typedef const type *__guest_handle_const_ ## name
#define DEFINE_XEN_GUEST_HANDLE(name)      __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)           __guest_handle_ ## name
#define XEN_GUEST_HANDLE(name)             __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)       XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val) do { (hnd) = (val); } while (0)
#define set_xen_guest_handle(hnd, val)     set_xen_guest_handle_raw(hnd, val)

DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);

/* vCPUs whose vcpu_info lives in the shared_info page. */
#define XEN_LEGACY_MAX_VCPUS 32
/* Older name of the same limit. */
#define MAX_VIRT_CPUS XEN_LEGACY_MAX_VCPUS

/* The architecture layer needs the basics above; everything below needs it. */
#include "arch-x86_64.h"

/* ---- Hypercall numbers (index into the hypercall page, 32 bytes each) ---- */
#define __HYPERVISOR_set_trap_table                 0
#define __HYPERVISOR_mmu_update                     1
#define __HYPERVISOR_set_gdt                        2
#define __HYPERVISOR_stack_switch                   3
#define __HYPERVISOR_set_callbacks                  4
#define __HYPERVISOR_fpu_taskswitch                 5
#define __HYPERVISOR_sched_op_compat                6
#define __HYPERVISOR_platform_op                    7
#define __HYPERVISOR_set_debugreg                   8
#define __HYPERVISOR_get_debugreg                   9
#define __HYPERVISOR_update_descriptor             10
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_tmem_op                       38
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42
/* Reserved for architecture-specific hypercalls. */
#define __HYPERVISOR_arch_0                        48
#define __HYPERVISOR_arch_1                        49
#define __HYPERVISOR_arch_2                        50
#define __HYPERVISOR_arch_3                        51
#define __HYPERVISOR_arch_4                        52
#define __HYPERVISOR_arch_5                        53
#define __HYPERVISOR_arch_6                        54
#define __HYPERVISOR_arch_7                        55

/* ---- Virtual interrupts, bound with EVTCHNOP_bind_virq ---- */
#define VIRQ_TIMER       0  /* per vCPU: timer tick or timeout */
#define VIRQ_DEBUG       1  /* per vCPU: please dump debug state */
#define VIRQ_CONSOLE     2  /* global, dom0: input on the hypervisor console */
#define VIRQ_DOM_EXC     3  /* global, dom0: some domain needs attention */
#define VIRQ_TBUF        4  /* global, dom0: trace records available */
#define VIRQ_DEBUGGER    6  /* global, dom0: a domain stopped for a debugger */
#define VIRQ_XENOPROF    7  /* per vCPU: profiling sample ready */
#define VIRQ_CON_RING    8  /* global, dom0: console ring has data */
#define VIRQ_PCPU_STATE  9  /* global, dom0: physical CPU state change */
#define VIRQ_MEM_EVENT  10  /* global, dom0: memory event */
#define VIRQ_ARGO       11  /* global: Argo message notification */
#define VIRQ_ENOMEM     12  /* global, dom0: hypervisor heap is low */
#define VIRQ_XENPMU     13  /* per vCPU: performance counter interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/* ---- mmu_update: low 2 bits of mmu_update.ptr select the operation ---- */
#define MMU_NORMAL_PT_UPDATE       0 /* validated write of val to the PTE at machine address ptr */
#define MMU_MACHPHYS_UPDATE        1 /* set M2P entry of frame ptr>>PAGE_SHIFT to val */
#define MMU_PT_UPDATE_PRESERVE_AD  2 /* like NORMAL, keeping the old Accessed/Dirty bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3 /* like NORMAL, val is never translated */

/* One request of the mmu_update hypercall. */
struct mmu_update {
    uint64_t ptr;
    uint64_t val;
};
typedef struct mmu_update mmu_update_t;
DEFINE_XEN_GUEST_HANDLE(mmu_update_t);

/* ---- mmuext_op commands ---- */
#define MMUEXT_PIN_L1_TABLE        0
#define MMUEXT_PIN_L2_TABLE        1
#define MMUEXT_PIN_L3_TABLE        2
#define MMUEXT_PIN_L4_TABLE        3
#define MMUEXT_UNPIN_TABLE         4
#define MMUEXT_NEW_BASEPTR         5
#define MMUEXT_TLB_FLUSH_LOCAL     6
#define MMUEXT_INVLPG_LOCAL        7
#define MMUEXT_TLB_FLUSH_MULTI     8
#define MMUEXT_INVLPG_MULTI        9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

/* One request of the mmuext_op hypercall; which arg is used depends on cmd. */
struct mmuext_op {
    unsigned int cmd;
    union {
        xen_pfn_t mfn;              /* pin/unpin, baseptrs, clear/copy page, (un)mark super */
        unsigned long linear_addr;  /* invlpg, set_ldt */
    } arg1;
    union {
        unsigned int nr_ents;                  /* set_ldt */
        XEN_GUEST_HANDLE(const_void) vcpumask; /* the *_MULTI flushes */
        xen_pfn_t src_mfn;                     /* copy_page */
    } arg2;
};
typedef struct mmuext_op mmuext_op_t;
DEFINE_XEN_GUEST_HANDLE(mmuext_op_t);

/* ---- update_va_mapping flags: flush type in bits 0-1, scope above ---- */
#define UVMF_NONE           (xen_mk_ulong(0) << 0)
#define UVMF_TLB_FLUSH      (xen_mk_ulong(1) << 0)
#define UVMF_INVLPG         (xen_mk_ulong(2) << 0)
#define UVMF_FLUSHTYPE_MASK (xen_mk_ulong(3) << 0)
#define UVMF_MULTI          (xen_mk_ulong(0) << 2) /* OR'd with a vCPU bitmap pointer */
#define UVMF_LOCAL          (xen_mk_ulong(0) << 2)
#define UVMF_ALL            (xen_mk_ulong(1) << 2)

/* ---- console_io sub-commands ---- */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* ---- vm_assist commands and assist types ---- */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_architectural_iopl   4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict           32

/* ---- Reserved domain identifiers ---- */
#define DOMID_FIRST_RESERVED xen_mk_uint(0x7FF0)
#define DOMID_SELF           xen_mk_uint(0x7FF0)
#define DOMID_IO             xen_mk_uint(0x7FF1)
#define DOMID_XEN            xen_mk_uint(0x7FF2)
#define DOMID_COW            xen_mk_uint(0x7FF3)
#define DOMID_INVALID        xen_mk_uint(0x7FF4)
#define DOMID_IDLE           xen_mk_uint(0x7FFF)
#define DOMID_MASK           xen_mk_uint(0x7FFF)

/* One call of a multicall batch; result receives the hypercall's return value. */
struct multicall_entry {
    xen_ulong_t op, result;
    xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);

/*
 * Per-vCPU time parameters (32 bytes).  version is odd while the hypervisor
 * rewrites the fields; a reader retries until it sees one even value both
 * before and after reading.
 * now_ns = system_time + scale(tsc - tsc_timestamp), where scale shifts left
 * by tsc_shift (right if negative), multiplies by tsc_to_system_mul and keeps
 * the upper 32 bits of the 96-bit product.
 */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1)

/*
 * Per-vCPU event state (64 bytes).  The hypervisor sets
 * evtchn_upcall_pending and a bit in evtchn_pending_sel per pending word;
 * the guest sets evtchn_upcall_mask to hold off event callbacks.
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    xen_ulong_t evtchn_pending_sel;
    struct arch_vcpu_info arch;
    vcpu_time_info_t time;
};
typedef struct vcpu_info vcpu_info_t;

/*
 * The shared_info page: one per domain, mapped by the guest.
 * evtchn_pending/evtchn_mask hold one bit per event-channel port.
 * wc_* is the wall clock at system time 0 (seconds since the Unix epoch,
 * split in wc_sec_hi:wc_sec, plus nanoseconds), versioned like vcpu_time_info.
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

/* Portable spelling of the high wall-clock seconds field. */
#define xen_wc_sec_hi wc_sec_hi

/* The architecture provides a PV entry point and a per-vCPU upcall mask. */
#define XEN_HAVE_PV_GUEST_ENTRY 1
#define XEN_HAVE_PV_UPCALL_MASK 1

/*
 * start_info: handed to a PV kernel in %rsi at entry.  Addresses are guest
 * virtual unless the name says mfn.  The console union is domU's console
 * ring for unprivileged domains and the VGA/VESA description (an offset into
 * this page) for the initial domain.  Fields from pt_base on are only valid
 * at first boot, not after resume.
 */
struct start_info {
    char magic[32];             /* "xen-<version>-<platform>" */
    unsigned long nr_pages;
    unsigned long shared_info;  /* machine address of the shared_info page */
    uint32_t flags;             /* SIF_* */
    xen_pfn_t store_mfn;        /* xenstore ring */
    uint32_t store_evtchn;
    union {
        struct {
            xen_pfn_t mfn;      /* console ring (struct xencons_interface) */
            uint32_t evtchn;
        } domU;
        struct {
            uint32_t info_off;  /* offset of a dom0_vga_console_info */
            uint32_t info_size;
        } dom0;
    } console;
    unsigned long pt_base;      /* initial top-level page table */
    unsigned long nr_pt_frames;
    unsigned long mfn_list;     /* the initial P2M array */
    unsigned long mod_start;    /* initrd: address, or PFN with SIF_MOD_START_PFN */
    unsigned long mod_len;
    int8_t cmd_line[MAX_GUEST_CMDLINE];
    unsigned long first_p2m_pfn; /* PFN range of the initial page tables and P2M */
    unsigned long nr_p2m_frames;
};
typedef struct start_info start_info_t;

/* start_info.flags */
#define SIF_PRIVILEGED      (1 << 0)   /* domain may use privileged operations */
#define SIF_INITDOMAIN      (1 << 1)   /* domain is the initial (control) domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)   /* mod_start is a xen_multiboot_mod_list */
#define SIF_MOD_START_PFN   (1 << 3)   /* mod_start holds a PFN, not an address */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)   /* tools understand a linear virtual P2M */
#define SIF_PM_MASK         (0xFF << 8)

/* One module of a SIF_MULTIBOOT_MOD list (offsets within the module area). */
struct xen_multiboot_mod_list {
    uint32_t mod_start;
    uint32_t mod_end;           /* last byte, inclusive */
    uint32_t cmdline;
    uint32_t pad;
};

/* dom0_vga_console_info.video_type */
#define XEN_VGATYPE_TEXT_MODE_3 0x03
#define XEN_VGATYPE_VESA_LFB    0x23
#define XEN_VGATYPE_EFI_LFB     0x70

/* Firmware console description given to the initial domain. */
struct dom0_vga_console_info {
    uint8_t video_type;
    union {
        struct {
            uint16_t font_height;
            uint16_t cursor_x, cursor_y;
            uint16_t rows, columns;
        } text_mode_3;
        struct {
            uint16_t width, height;
            uint16_t bytes_per_line;
            uint16_t bits_per_pixel;
            uint32_t lfb_base;          /* low 32 bits of the framebuffer address */
            uint32_t lfb_size;          /* in 64 KiB units */
            uint8_t red_pos, red_size;
            uint8_t green_pos, green_size;
            uint8_t blue_pos, blue_size;
            uint8_t rsvd_pos, rsvd_size;
            uint32_t gbl_caps;
            uint16_t mode_attrs;
            uint16_t pad;
            uint32_t ext_lfb_base;      /* high 32 bits of the framebuffer address */
        } vesa_lfb;
    } u;
};
typedef struct dom0_vga_console_info dom0_vga_console_info_t;
#define xen_vga_console_info   dom0_vga_console_info
#define xen_vga_console_info_t dom0_vga_console_info_t

/* A 16-byte UUID, stored big-endian. */
typedef struct {
    uint8_t a[16];
} xen_uuid_t;

/* Build a xen_uuid_t from its usual textual groups. */
#define XEN_DEFINE_UUID_(a, b, c, d, e1, e2, e3, e4, e5, e6)          \
    {{ ((a) >> 24) & 0xFF, ((a) >> 16) & 0xFF, ((a) >> 8) & 0xFF,    \
       (a) & 0xFF, ((b) >> 8) & 0xFF, (b) & 0xFF, ((c) >> 8) & 0xFF,  \
       (c) & 0xFF, ((d) >> 8) & 0xFF, (d) & 0xFF,                     \
       e1, e2, e3, e4, e5, e6 }}
#define XEN_DEFINE_UUID(a, b, c, d, e1, e2, e3, e4, e5, e6) \
    ((xen_uuid_t)XEN_DEFINE_UUID_(a, b, c, d, e1, e2, e3, e4, e5, e6))

#endif /* XENOLITH_PUBLIC_XEN_H */

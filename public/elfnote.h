/*
 * Xenolith public ABI: types of the "Xen" ELF notes a PV kernel image
 * carries (note name "Xen"), read by the domain builder.
 */
#ifndef XENOLITH_PUBLIC_ELFNOTE_H
#define XENOLITH_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_INFO                0   /* unused */
#define XEN_ELFNOTE_ENTRY               1   /* entry point (virtual) */
#define XEN_ELFNOTE_HYPERCALL_PAGE      2   /* virtual address for the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE           3   /* virtual address the image is linked at */
#define XEN_ELFNOTE_PADDR_OFFSET        4   /* subtract from p_paddr to get the load offset */
#define XEN_ELFNOTE_XEN_VERSION         5   /* string: hypervisor version expected */
#define XEN_ELFNOTE_GUEST_OS            6   /* string: guest OS name */
#define XEN_ELFNOTE_GUEST_VERSION       7   /* string: guest OS version */
#define XEN_ELFNOTE_LOADER              8   /* string: loader type, "generic" */
#define XEN_ELFNOTE_PAE_MODE            9   /* string: PAE support ("yes", "no", ...) */
#define XEN_ELFNOTE_FEATURES           10   /* string: '|'-separated feature names */
#define XEN_ELFNOTE_BSD_SYMTAB         11   /* string: "yes" to load the symbol table */
#define XEN_ELFNOTE_HV_START_LOW       12   /* lowest address the hypervisor may use */
#define XEN_ELFNOTE_L1_MFN_VALID       13   /* mask and value of a valid L1 entry */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14   /* guest supports suspend cancellation */
#define XEN_ELFNOTE_INIT_P2M           15   /* virtual address for the initial P2M list */
#define XEN_ELFNOTE_MOD_START_PFN      16   /* guest accepts mod_start as a PFN */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17   /* 32-bit XENFEAT_* bitmap the guest supports */
#define XEN_ELFNOTE_PHYS32_ENTRY       18   /* 32-bit physical entry point (PVH) */
#define XEN_ELFNOTE_MAX                XEN_ELFNOTE_PHYS32_ENTRY

/* Notes in crash dumps and core files, not in kernel images. */
#define XEN_ELFNOTE_CRASH_INFO              0x1000001
#define XEN_ELFNOTE_CRASH_REGS              0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* XENOLITH_PUBLIC_ELFNOTE_H */

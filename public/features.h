/*
 * Xenolith public ABI: feature bits reported by XENVER_get_features
 * (bit numbers within the 32-bit submaps) and requested in the
 * XEN_ELFNOTE_FEATURES / SUPPORTED_FEATURES notes of a guest kernel.
 */
#ifndef XENOLITH_PUBLIC_FEATURES_H
#define XENOLITH_PUBLIC_FEATURES_H

#define XENFEAT_writable_page_tables        0  /* guest may write its page tables directly */
#define XENFEAT_writable_descriptor_tables  1  /* guest may write its GDT/LDT directly */
#define XENFEAT_auto_translated_physmap     2  /* hypervisor translates guest frames (no P2M) */
#define XENFEAT_supervisor_mode_kernel      3  /* guest kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb         4  /* PAE top-level table may live above 4 GiB */
#define XENFEAT_mmu_pt_update_preserve_ad   5  /* MMU_PT_UPDATE_PRESERVE_AD is available */
#define XENFEAT_highmem_assist              6  /* MMUEXT_CLEAR_PAGE / MMUEXT_COPY_PAGE exist */
#define XENFEAT_gnttab_map_avail_bits       7  /* GNTMAP_guest_avail bits are honoured */
#define XENFEAT_hvm_callback_vector         8  /* HVM: events through an IDT vector */
#define XENFEAT_hvm_safe_pvclock            9  /* HVM: PV clock usable */
#define XENFEAT_hvm_pirqs                  10  /* HVM: physical IRQs as event channels */
#define XENFEAT_dom0                       11  /* this domain may act as dom0 */
/* 12 is retired (was grant_map_identity) */
#define XENFEAT_memory_op_vnode_supported  13  /* XENMEMF_vnode is understood */
#define XENFEAT_ARM_SMCCC_supported        14  /* Arm only */
#define XENFEAT_linux_rsdp_unrestricted    15  /* Linux may place the RSDP anywhere */
#define XENFEAT_not_direct_mapped          16  /* domain memory is not 1:1 mapped */
#define XENFEAT_direct_mapped              17  /* domain memory is 1:1 mapped */

/* Number of 32-bit feature submaps. */
#define XENFEAT_NR_SUBMAPS 1

#endif /* XENOLITH_PUBLIC_FEATURES_H */

/* Xenolith's virtual memory layout on x86_64.
 *
 * The 64-bit PV ABI gives the hypervisor L4 slots 256..271
 * (0xFFFF800000000000 .. 0xFFFF87FFFFFFFFFF). Every guest L4 carries these
 * slots, filled by the hypervisor; the guest can never change them.
 *
 *   slot 256      0xFFFF800000000000  read-only machine-to-phys table (guest readable)
 *   slot 257      0xFFFF808000000000  firmware-table window (read-only views of ACPI tables),
 *                 then at HV_APIC_VIRT the local APIC's registers, at HV_IOAPIC_VIRT an I/O APIC's
 *   slot 258      0xFFFF810000000000  hypervisor image: VA = HV_IMAGE_VIRT + PA
 *   slot 259      0xFFFF818000000000  the CPU's LDT window (64 KiB: the running vCPU's LDT pages); at +1 GiB the GDT
 *                                     window (guest GDT frames, then the reserved page)
 *   slots 260-261                     reserved
 *   slots 262-271 0xFFFF830000000000  direct map of all RAM (5 TiB, not executable)
 *
 * This file is shared by C and NASM, so it holds only plain #defines. */
#ifndef HV_ARCH_LAYOUT_H
#define HV_ARCH_LAYOUT_H

#define HV_AREA_START        0xFFFF800000000000
#define HV_AREA_END          0xFFFF880000000000
#define HV_RO_MPT_VIRT       0xFFFF800000000000
#define HV_RO_MPT_SIZE       0x0000004000000000   /* 256 GiB: 2^35 frames */
#define HV_FWMAP_VIRT        0xFFFF808000000000
#define HV_FWMAP_SIZE        0x0000000040000000   /* 1 GiB */
/* Slot 257, just past the firmware window: the local APIC's registers (one
 * uncached page, hv/arch/x86_64/apic.c). */
#define HV_APIC_VIRT         0xFFFF808040000000
/* The next page: the I/O APIC that routes the serial IRQ (hv/arch/x86_64/ioapic.c). */
#define HV_IOAPIC_VIRT       0xFFFF808040001000
#define HV_IMAGE_VIRT        0xFFFF810000000000
#define HV_LDT_VIRT          0xFFFF818000000000
#define HV_LDT_WINDOW        0x10000              /* 8192 descriptors */
#define HV_GDT_VIRT          0xFFFF818040000000   /* the CPU's GDT: guest frames + reserved page */
#define GDT_GUEST_PAGES      14                   /* entries below 0xe000 belong to the guest */
#define HV_DIRECTMAP_VIRT    0xFFFF830000000000
#define HV_DIRECTMAP_SIZE    0x0000050000000000   /* 5 TiB */

#define HV_L4_FIRST_SLOT     256
#define HV_L4_LAST_SLOT      271
#define HV_L4_RO_MPT_SLOT    256
#define HV_L4_IMAGE_SLOT     258
#define HV_L4_DIRECTMAP_SLOT 262

#define HV_LOAD_PHYS         0x100000             /* where the boot loader puts the image */

#define PAGE_SHIFT           12
#define PAGE_SIZE            4096

/* GDT selectors. Guest-visible flat selectors are fixed by the PV ABI; the
 * hypervisor's own sit beside them in the reserved GDT page. */
#define GDT_HV_CS            0xe008
#define GDT_HV_DS            0xe010
#define GDT_RING3_CS32       0xe023   /* sysret base: +8 = SS, +16 = 64-bit CS */
#define GDT_RING3_DS         0xe02b
#define GDT_RING3_CS64       0xe033
#define GDT_TSS              0xe040   /* 16 bytes */
#define GDT_LDT              0xe050   /* 16 bytes: the running vCPU's LDT */
#define GDT_FIRST_RESERVED   0xe000   /* guest GDT frames cover entries below */
#define GDT_LIMIT            (0xf000 - 1)   /* 14 guest pages and the reserved one */

/* Stacks. */
#define HV_STACK_SIZE        (16 * 1024)
#define HV_IST_STACK_SIZE    (8 * 1024)
#define IST_DF               1
#define IST_NMI              2
#define IST_MC               3
#define IST_DB               4

#endif

; Xenolith boot entry: multiboot1 and multiboot2 headers, then the climb from
; 32-bit protected mode (as both loaders leave us) into long mode at the
; hypervisor's linked address, where hv_start() takes over.
;
; The image is linked at HV_IMAGE_VIRT + physical address and loaded at
; HV_LOAD_PHYS. Until paging is on, every label is used as (label - HV_IMAGE_VIRT).

%include "layout.inc"

%define PHYS(x) ((x) - HV_IMAGE_VIRT)
; PHYS() of a label is only known at link time, where it fits in 32 bits; NASM
; sees the negative addend alone and would warn about every use.
[warning -number-overflow]

MB1_MAGIC       equ 0x1BADB002
MB1_FLAGS       equ (1 << 0) | (1 << 1) | (1 << 16)   ; page-align modules, memory map, address fields
MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0

COM1            equ 0x3f8

extern hv_start
extern __load_end, __bss_end
global _start32, boot_stack_top, boot_pml4

section .mbheader progbits alloc noexec nowrite align=8
; ---- multiboot1 (QEMU -kernel): QEMU loads 64-bit ELF only through the address fields.
align 4
mb1_header:
        dd MB1_MAGIC
        dd MB1_FLAGS
        dd -(MB1_MAGIC + MB1_FLAGS)
        dd PHYS(mb1_header)             ; header_addr
        dd PHYS(mb1_header)             ; load_addr: the image starts with this header
        dd PHYS(__load_end)             ; load_end_addr
        dd PHYS(__bss_end)              ; bss_end_addr
        dd PHYS(_start32)               ; entry_addr

; ---- multiboot2 (GRUB): loaded from the ELF program headers, entered here.
align 8
mb2_header:
        dd MB2_MAGIC
        dd MB2_ARCH_I386
        dd mb2_header_end - mb2_header
        dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
align 8
        dw 3, 0                         ; entry address tag
        dd 12
        dd PHYS(_start32)
align 8
        dw 0, 0                         ; end tag
        dd 8
mb2_header_end:

section .text.boot32 progbits alloc exec nowrite align=16
bits 32
; In: EAX = loader magic, EBX = physical address of the boot information.
_start32:
        cli
        cld
        mov     esi, eax
        mov     edi, ebx

        ; Long mode is required: CPUID 0x80000001 EDX bit 29.
        mov     eax, 0x80000000
        cpuid
        cmp     eax, 0x80000001
        jb      .no_long_mode
        mov     eax, 0x80000001
        cpuid
        bt      edx, 29
        jnc     .no_long_mode
        mov     ebp, edx                ; keep NX support (bit 20) for below

        ; Boot page tables: the first 4 GiB of RAM, 2 MiB pages, reachable both
        ; identity-mapped (L4 slot 0) and at the image's link address (slot 258).
        mov     eax, PHYS(boot_pdpt) + 3
        mov     [PHYS(boot_pml4) + 0 * 8], eax
        mov     [PHYS(boot_pml4) + HV_L4_IMAGE_SLOT * 8], eax
        xor     ecx, ecx
.fill_pdpt:
        mov     eax, ecx
        shl     eax, 12
        add     eax, PHYS(boot_pd) + 3
        mov     [PHYS(boot_pdpt) + ecx * 8], eax
        inc     ecx
        cmp     ecx, 4
        jb      .fill_pdpt
        xor     ecx, ecx
.fill_pd:                               ; 2048 entries of 2 MiB: PS | RW | P
        mov     eax, ecx
        shl     eax, 21
        or      eax, 0x83
        mov     edx, ecx
        shr     edx, 11                 ; bits 32+ of the address
        mov     [PHYS(boot_pd) + ecx * 8], eax
        mov     [PHYS(boot_pd) + ecx * 8 + 4], edx
        inc     ecx
        cmp     ecx, 2048
        jb      .fill_pd

        mov     eax, cr4
        or      eax, (1 << 5)           ; PAE
        mov     cr4, eax
        mov     eax, PHYS(boot_pml4)
        mov     cr3, eax
        mov     ecx, 0xC0000080         ; EFER
        rdmsr
        or      eax, (1 << 8) | (1 << 0) ; LME, SCE
        bt      ebp, 20
        jnc     .no_nx
        or      eax, (1 << 11)          ; NXE
.no_nx:
        wrmsr
        mov     eax, cr0
        or      eax, (1 << 31) | (1 << 16) | 1  ; PG, WP, PE
        mov     cr0, eax

        lgdt    [PHYS(boot_gdt_ptr)]
        jmp     0x08:PHYS(.long_mode)

.no_long_mode:
        mov     ebx, PHYS(msg_no_long_mode)
.putc:
        mov     dx, COM1 + 5
.wait:
        in      al, dx
        test    al, 0x20
        jz      .wait
        mov     al, [ebx]
        test    al, al
        jz      .halt
        mov     dx, COM1
        out     dx, al
        inc     ebx
        jmp     .putc
.halt:
        hlt
        jmp     .halt

bits 64
.long_mode:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        xor     eax, eax
        mov     fs, ax
        mov     gs, ax
        mov     rax, .high
        jmp     rax
.high:
        mov     rsp, boot_stack_top
        xor     ebp, ebp
        ; hv_start(magic, info_pa): the values saved in ESI/EDI at entry.
        mov     eax, esi
        mov     esi, edi
        mov     edi, eax
        call    hv_start
.dead:
        cli
        hlt
        jmp     .dead

section .rodata
msg_no_long_mode:
        db "(XEN) Xenolith needs a 64-bit (long mode) CPU; halting.", 13, 10, 0

align 8
boot_gdt:
        dq 0
        dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code, DPL 0
        dq 0x00CF92000000FFFF           ; 0x10: data, DPL 0
boot_gdt_end:
boot_gdt_ptr:
        dw boot_gdt_end - boot_gdt - 1
        dd PHYS(boot_gdt)

section .bss nobits alloc noexec write align=4096
boot_pml4:      resb 4096
boot_pdpt:      resb 4096
boot_pd:        resb 4 * 4096
boot_stack:     resb HV_STACK_SIZE
boot_stack_top:

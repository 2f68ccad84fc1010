; Xenolith test-guest runtime: entry point, hypercall page and boot stack.
;
; The hypervisor enters _start in 64-bit mode with RSI holding the virtual
; address of start_info.  The initial stack the ABI provides is usable but
; small, so we switch to our own before calling into C.
;
; Assembled for both link layouts (high VIRT_BASE and VA 0): only
; RIP-relative addressing and rel32 branches are used.

bits 64
default rel

extern guest_entry

global _start
global hypercall_page
global guest_boot_stack_top

section .text.start progbits alloc exec nowrite align=16
_start:
        lea     rsp, [guest_boot_stack_top]
        xor     ebp, ebp
        mov     rdi, rsi                ; start_info pointer -> first C argument
        call    guest_entry
.spin:                                  ; guest_entry never returns
        ud2
        jmp     .spin

; One page, page aligned, filled in by the hypervisor's domain builder
; (slot n, 32 bytes each, issues hypercall n).  Until then every byte traps.
section .text.hypercall_page progbits alloc exec nowrite align=4096
hypercall_page:
        times 4096 db 0xcc

section .bss nobits alloc noexec write align=16
guest_boot_stack:
        resb    32768
guest_boot_stack_top:

; No executable stack wanted.
section .note.GNU-stack noalloc noexec nowrite progbits

; size_t arch_copy_checked(void *dst, const void *src, size_t len)
; A plain byte copy whose faults are recoverable: a #PF or #GP on the copy
; instruction resumes at .done (through the .ex_table entry), with RCX still
; holding the bytes left, which is what we return.

section .text
global arch_copy_checked
arch_copy_checked:
        mov     rcx, rdx
.copy:
        rep movsb
.done:
        mov     rax, rcx
        ret

section .ex_table progbits alloc noexec nowrite align=8
        dq      arch_copy_checked.copy, arch_copy_checked.done

; int load_gs_selector_checked(uint16_t sel): load %gs; -1 if the CPU faulted.
section .text
global load_gs_selector_checked
load_gs_selector_checked:
        xor     eax, eax
.load:
        mov     gs, di
.done:
        ret
.fault:
        mov     eax, -1
        ret

section .ex_table progbits alloc noexec nowrite align=8
        dq      load_gs_selector_checked.load, load_gs_selector_checked.fault

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

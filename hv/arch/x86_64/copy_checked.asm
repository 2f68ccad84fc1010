; size_t arch_copy_checked(void *dst, const void *src, size_t len)
; A copy whose faults are recoverable: a #PF or #GP on one of the marked
; loads or stores resumes at .fault (through the .ex_table entries) and the
; bytes not copied are returned (0 on success). Plain moves, eight bytes at a
; time, then the tail byte by byte: no `rep` prefix, which an emulator may
; run one iteration at a time.

section .text
global arch_copy_checked
arch_copy_checked:
        mov     rcx, rdx
.words:
        cmp     rcx, 8
        jb      .bytes
.load8:
        mov     rax, [rsi]
.store8:
        mov     [rdi], rax
        add     rsi, 8
        add     rdi, 8
        sub     rcx, 8
        jmp     .words
.bytes:
        test    rcx, rcx
        jz      .done
.load1:
        mov     al, [rsi]
.store1:
        mov     [rdi], al
        inc     rsi
        inc     rdi
        dec     rcx
        jmp     .bytes
.done:
.fault:
        mov     rax, rcx
        ret

section .ex_table progbits alloc noexec nowrite align=8
        dq      arch_copy_checked.load8, arch_copy_checked.fault
        dq      arch_copy_checked.store8, arch_copy_checked.fault
        dq      arch_copy_checked.load1, arch_copy_checked.fault
        dq      arch_copy_checked.store1, arch_copy_checked.fault

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

; size_t arch_copy_checked(void *dst, const void *src, size_t len)
; A copy whose faults are recoverable: a #PF or #GP on one of the marked
; loads or stores resumes at a fixup (through the .ex_table entries) and the
; bytes not copied are returned (0 on success). Plain moves, eight bytes at a
; time, then four (most hypercall arguments are a 32-bit port or command),
; then the last bytes one by one: no `rep` prefix, which an emulator may run
; one iteration at a time. The loops are short because every bounce frame
; and hypercall argument goes through here.
;   rcx: words left, rdx: len & 7 (tail bytes left once the words are done)

section .text
global arch_copy_checked
arch_copy_checked:
        mov     rcx, rdx
        and     edx, 7
        shr     rcx, 3
        jz      .bytes
.load8:
        mov     rax, [rsi]
.store8:
        mov     [rdi], rax
        add     rsi, 8
        add     rdi, 8
        dec     rcx
        jnz     .load8
.bytes:
        test    edx, 4
        jz      .tail
.load4:
        mov     eax, [rsi]
.store4:
        mov     [rdi], eax
        add     rsi, 4
        add     rdi, 4
        sub     edx, 4
.tail:
        test    rdx, rdx
        jz      .done
.load1:
        mov     al, [rsi]
.store1:
        mov     [rdi], al
        inc     rsi
        inc     rdi
        dec     rdx
        jnz     .load1
.done:
        xor     eax, eax
        ret
.fault8:                                        ; words left * 8 + the tail
        lea     rax, [rdx + rcx * 8]
        ret
.fault1:                                        ; (also at the four-byte step: rdx counts them)
        mov     rax, rdx
        ret

section .ex_table progbits alloc noexec nowrite align=8
        dq      arch_copy_checked.load8, arch_copy_checked.fault8
        dq      arch_copy_checked.store8, arch_copy_checked.fault8
        dq      arch_copy_checked.load4, arch_copy_checked.fault1
        dq      arch_copy_checked.store4, arch_copy_checked.fault1
        dq      arch_copy_checked.load1, arch_copy_checked.fault1
        dq      arch_copy_checked.store1, arch_copy_checked.fault1

; int load_gs_selector_checked(uint16_t sel): load %gs on a guest's behalf;
; -1 if the CPU refused it (#GP, #NP: the trap code resumes at the fixup).
; A non-null selector gets RPL 3, so no descriptor above the guest's
; privilege (the hypervisor's own) can be loaded for it; null selectors
; (0..3) are loaded as they are.
section .text
global load_gs_selector_checked
load_gs_selector_checked:
        xor     eax, eax
        cmp     di, 3
        jbe     .load
        or      di, 3
.load:
        mov     gs, di
.done:
        ret
.fault:
        mov     eax, -1
        ret

section .ex_table progbits alloc noexec nowrite align=8
        dq      load_gs_selector_checked.load, load_gs_selector_checked.fault

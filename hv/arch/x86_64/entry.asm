; Every way into the hypervisor: exception and interrupt stubs, the syscall
; entry used by hypercalls, and the single exit path back to a guest.
; Each builds a struct cpu_regs (regs.h) on the hypervisor stack and calls C.

%include "layout.inc"

extern trap_dispatch, hypercall_entry, syscall32_dispatch
global syscall_entry, syscall32_entry, exit_to_guest, idt_stub_table, syscall_stack_top, syscall_saved_rsp
global exit_needs_iret
global restore_all_iretq

%define VECTOR_SYSCALL 0x100

%macro PUSH_GPRS 0
        push    rdi
        push    rsi
        push    rdx
        push    rcx
        push    rax
        push    r8
        push    r9
        push    r10
        push    r11
        push    rbx
        push    rbp
        push    r12
        push    r13
        push    r14
        push    r15
%endmacro

%macro POP_GPRS 0
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     rbp
        pop     rbx
        pop     r11
        pop     r10
        pop     r9
        pop     r8
        pop     rax
        pop     rcx
        pop     rdx
        pop     rsi
        pop     rdi
%endmacro

section .text.hot progbits alloc exec nowrite align=16

; One stub per vector. Vectors with a CPU-pushed error code skip the dummy push.
; #DB arrives on its own IST stack (idt.c); from a guest it moves to the
; hypervisor stack like every other entry from a guest, so that the handler
; may bounce it, switch vCPUs or idle without a second #DB reusing the IST
; stack under it. Only a #DB taken in the hypervisor stays on the IST stack,
; and its handler just notes DR6 and returns.
%macro VECTOR_STUB 1
align 16
vector_stub_%1:
%if (%1 == 8) || (%1 == 10) || (%1 == 11) || (%1 == 12) || (%1 == 13) || (%1 == 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
%else
        push    0
%endif
        push    %1
%if %1 == 1
        jmp     debug_common
%else
        jmp     trap_common
%endif
%endmacro

%assign v 0
%rep 256
VECTOR_STUB v
%assign v v + 1
%endrep

; #DB: vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS (7 words).
debug_common:
        test    byte [rsp + 24], 3              ; CS of the interrupted context
        jz      trap_common                     ; the hypervisor: stay on the IST stack
        push    rax
        push    rcx
        mov     rax, [rel syscall_stack_top]    ; the (empty) hypervisor stack
        sub     rax, 7 * 8
%assign i 0
%rep 7
        mov     rcx, [rsp + 16 + i * 8]
        mov     [rax + i * 8], rcx
%assign i i + 1
%endrep
        pop     rcx
        xchg    rax, [rsp]                      ; rax back, the new stack pointer in its place
        pop     rsp
trap_common:
        cld
        PUSH_GPRS
        mov     byte [rel exit_needs_iret], 1   ; an interrupted context comes back exactly
        mov     rdi, rsp
        call    trap_dispatch
        cmp     byte [rel exit_needs_iret], 0
        jne     restore_all
        jmp     exit_sysret

; Hypercall entry. The guest kernel (ring 3) executed `syscall` from its
; hypercall page: RCX = return RIP, R11 = RFLAGS, RSP still the guest's.
; FMASK has cleared IF, so nothing can interrupt us before the stack switch.
align 16
syscall_entry:
        mov     [rel syscall_saved_rsp], rsp
        mov     rsp, [rel syscall_stack_top]
        push    GDT_RING3_DS                    ; ss
        push    qword [rel syscall_saved_rsp]   ; rsp
        push    r11                             ; rflags
        push    GDT_RING3_CS64                  ; cs
        push    rcx                             ; rip
        push    0                               ; error code
        push    VECTOR_SYSCALL
        cld
        PUSH_GPRS
        mov     byte [rel exit_needs_iret], 0
        mov     rdi, rsp
        call    hypercall_entry
        cmp     byte [rel exit_needs_iret], 0
        jne     restore_all
; Fast exit with sysret: the C code found the frame returning to the flat
; 64-bit selectors at a canonical RIP, with no register state that RCX/R11
; must carry (sysret sets them to RIP and RFLAGS; a bounce frame holds the
; guest's own RCX/R11 on its stack).
exit_sysret:
        POP_GPRS
        add     rsp, 16                         ; vector, error code
        mov     rcx, [rsp]                      ; rip
        mov     r11, [rsp + 16]                 ; rflags
        mov     rsp, [rsp + 24]                 ; the guest's stack
        o64 sysret

; `syscall` from 32-bit compatibility mode is no hypercall in the 64-bit PV
; ABI; it is recorded as such and handed to C, which treats it as a fault.
align 16
syscall32_entry:
        mov     [rel syscall_saved_rsp], rsp
        mov     rsp, [rel syscall_stack_top]
        push    GDT_RING3_DS
        push    qword [rel syscall_saved_rsp]
        push    r11
        push    GDT_RING3_CS32
        push    rcx
        push    0
        push    VECTOR_SYSCALL + 1
        cld
        PUSH_GPRS
        mov     rdi, rsp
        call    syscall32_dispatch
        jmp     restore_all

; exit_to_guest(struct cpu_regs *frame): leave through a prepared frame.
exit_to_guest:
        mov     rsp, rdi
restore_all:
        POP_GPRS
        add     rsp, 16                         ; vector, error code
restore_all_iretq:                              ; a fault here is the guest's (pv_iret_exit_fault)
        iretq

section .rodata
align 8
idt_stub_table:
%assign v 0
%rep 256
        dq vector_stub_%[v]
%assign v v + 1
%endrep

section .bss
align 8
syscall_stack_top:  resq 1
syscall_saved_rsp:  resq 1
exit_needs_iret:    resb 1

; The floor for the hypercall figures: a bare `syscall` + `sysret` round trip
; between ring 3 and ring 0, measured by a tiny native kernel with no
; hypervisor underneath, under the same QEMU as the hypervisors.
;
; A multiboot1 image (QEMU -kernel): it enters long mode with one identity-
; mapped, user-accessible 2 MiB page, points LSTAR at a ring-0 handler that
; does nothing but `sysret`, drops to ring 3, and times ROUNDS rounds of ITERS
; round trips with rdtsc (the first round is a warm-up). Back in ring 0 it
; prints one line per round on COM1,
;     FLOOR syscall_sysret round <r> cycles <total> iters <ITERS>
; then exits QEMU through isa-debug-exit (status 1). tools/bench-guest reads
; the lines and takes the median of the timed rounds.

%define ITERS   100000
%define ROUNDS  8
%define COM1    0x3f8

bits 32
org 0x100000
header:
        dd      0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
        dd      header, header, load_end, bss_end, start

start:
        cli
        mov     esp, stack_top
        mov     edi, pml4                       ; zero the three tables
        mov     ecx, 3 * 4096 / 4
        xor     eax, eax
        rep stosd
        mov     dword [pml4], pdpt + 7          ; present, writable, user
        mov     dword [pdpt], pd + 7
        mov     dword [pd], 0x87                ; 2 MiB at 0: present, writable, user, large
        mov     eax, pml4
        mov     cr3, eax
        mov     eax, cr4
        or      eax, 1 << 5                     ; PAE
        mov     cr4, eax
        mov     ecx, 0xC0000080                 ; EFER: long mode, syscall/sysret
        rdmsr
        or      eax, (1 << 8) | 1
        wrmsr
        mov     eax, cr0
        or      eax, 0x80000001                 ; paging, protection
        mov     cr0, eax
        lgdt    [gdtr]
        jmp     0x08:long_mode

bits 64
long_mode:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     rsp, stack_top
        ; STAR: syscall loads CS 0x08 / SS 0x10; sysret (64-bit) CS 0x28|3, SS 0x20|3
        mov     ecx, 0xC0000081
        xor     eax, eax
        mov     edx, (0x18 << 16) | 0x08
        wrmsr
        mov     ecx, 0xC0000082                 ; LSTAR
        mov     rax, syscall_handler
        mov     rdx, rax
        shr     rdx, 32
        wrmsr
        mov     ecx, 0xC0000084                 ; FMASK: clear IF, TF, DF
        mov     eax, 0x700
        xor     edx, edx
        wrmsr
        push    0x23                            ; ss
        push    user_stack_top                  ; rsp
        push    0x2                             ; rflags
        push    0x2b                            ; cs
        push    user_main                       ; rip
        iretq

; Ring 0: RAX 0 is a timed round trip, anything else the end of the run.
syscall_handler:
        test    eax, eax
        jnz     report
        o64 sysret

; Ring 3: the timed loops. Results go to `results` (ROUNDS quadwords).
user_main:
        xor     ebx, ebx                        ; round
.round:
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r12, rax
        mov     r13d, ITERS
.trip:
        xor     eax, eax
        syscall
        dec     r13d
        jnz     .trip
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r12
        mov     [results + rbx * 8], rax
        inc     ebx
        cmp     ebx, ROUNDS
        jb      .round
        mov     eax, 1
        syscall                                 ; does not come back

; Ring 0 again: print the rounds and leave QEMU.
report:
        mov     rsp, stack_top
        xor     ebx, ebx
.line:
        mov     rsi, msg_round
        call    puts
        mov     rax, rbx
        call    putdec
        mov     rsi, msg_cycles
        call    puts
        mov     rax, [results + rbx * 8]
        call    putdec
        mov     rsi, msg_iters
        call    puts
        mov     eax, ITERS
        call    putdec
        mov     al, 10
        call    putc
        inc     ebx
        cmp     ebx, ROUNDS
        jb      .line
        mov     dx, 0xf4
        xor     eax, eax
        out     dx, al                          ; QEMU exits with status 1
.halt:
        hlt
        jmp     .halt

putc:                                           ; AL
        mov     dx, COM1
        out     dx, al
        ret

puts:                                           ; RSI: NUL-terminated
        lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     puts
.done:
        ret

putdec:                                         ; RAX, unsigned
        lea     rdi, [numbuf + 24]
        mov     rcx, 10
.digit:
        xor     edx, edx
        div     rcx
        add     dl, '0'
        dec     rdi
        mov     [rdi], dl
        test    rax, rax
        jnz     .digit
        lea     rsi, [rdi]
.out:
        mov     al, [rsi]
        cmp     rsi, numbuf + 24
        je      .done
        push    rsi
        call    putc
        pop     rsi
        inc     rsi
        jmp     .out
.done:
        ret

msg_round:      db "FLOOR syscall_sysret round ", 0
msg_cycles:     db " cycles ", 0
msg_iters:      db " iters ", 0

align 8
gdt:
        dq      0
        dq      0x00AF9A000000FFFF              ; 0x08 ring-0 code, 64-bit
        dq      0x00CF92000000FFFF              ; 0x10 ring-0 data
        dq      0x00CFFA000000FFFF              ; 0x18 ring-3 code, 32-bit (sysret's base)
        dq      0x00CFF2000000FFFF              ; 0x20 ring-3 data
        dq      0x00AFFA000000FFFF              ; 0x28 ring-3 code, 64-bit
gdt_end:
gdtr:
        dw      gdt_end - gdt - 1
        dq      gdt
load_end:

alignb 4096
section .bss follows=.text nobits
alignb 4096
pml4:           resb 4096
pdpt:           resb 4096
pd:             resb 4096
                resb 4096
stack_top:
                resb 4096
user_stack_top:
results:        resq ROUNDS
numbuf:         resb 32
bss_end:

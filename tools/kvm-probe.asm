; A tiny multiboot1 kernel that measures nothing but whether KVM runs guest
; code at hardware speed: it spins 50 million times and exits QEMU through
; isa-debug-exit (status 1). Under working KVM that takes milliseconds; under
; a KVM that traps every instruction (seen in some nested set-ups) it takes
; minutes, so tools/kvm-probe gives up after a few seconds and uses TCG.
bits 32
org 0x100000
header:
        dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
        dd header, header, end, end, start
start:
        mov     ecx, 50000000
.spin:  dec     ecx
        jnz     .spin
        xor     eax, eax
        out     0xf4, al
.halt:  hlt
        jmp     .halt
end:

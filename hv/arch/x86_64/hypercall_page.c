/* The hypercall page of a 64-bit PV guest kernel: 128 stubs of 32 bytes, stub
 * N entering the hypervisor with hypercall number N. `syscall` overwrites RCX
 * and R11, and the ABI promises both are preserved, so each stub saves them
 * around the call. The iret stub never returns: it leaves RCX, R11 and RAX on
 * the guest stack as the first words of struct iret_context. */
#include "arch/x86_64/hypercall_page.h"
#include "lib/string.h"
#include "xen.h"

#define STUB_SIZE 32

void hypercall_page_write(uint8_t *page)
{
    memset(page, 0xCC, 4096);                           /* int3 everywhere else */
    for (unsigned nr = 0; nr < 4096 / STUB_SIZE; nr++) {
        uint8_t *p = page + nr * STUB_SIZE;
        unsigned i = 0;

        p[i++] = 0x51;                                  /* push %rcx */
        p[i++] = 0x41; p[i++] = 0x53;                   /* push %r11 */
        if (nr == __HYPERVISOR_iret)
            p[i++] = 0x50;                              /* push %rax */
        p[i++] = 0xB8;                                  /* mov $nr, %eax */
        p[i++] = nr & 0xff; p[i++] = (nr >> 8) & 0xff; p[i++] = 0; p[i++] = 0;
        p[i++] = 0x0F; p[i++] = 0x05;                   /* syscall */
        if (nr == __HYPERVISOR_iret)
            continue;
        p[i++] = 0x41; p[i++] = 0x5B;                   /* pop %r11 */
        p[i++] = 0x59;                                  /* pop %rcx */
        p[i++] = 0xC3;                                  /* ret */
    }
}

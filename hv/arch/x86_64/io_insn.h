/* The pure part of a PV guest's port I/O (pv_emulate_io.c uses it): decoding
 * in/out/ins/outs and cli/sti, and the permission rules Xen 4.17 applies to
 * them (virtual IOPL, I/O bitmap). Nothing here touches a port or the guest. */
#ifndef HV_ARCH_IO_INSN_H
#define HV_ARCH_IO_INSN_H

#include <stdbool.h>
#include <stdint.h>

#define IO_INSN_MAX 15                  /* an x86 instruction's longest form */

struct io_insn {
    unsigned len;                       /* prefixes, opcode and imm8 */
    uint8_t op;                         /* 0xe4-0xe7, 0xec-0xef, 0x6c-0x6f, 0xfa, 0xfb */
    bool opsize16, addr32, rep;
    unsigned seg;                       /* outs source: 0 default (base 0), 4 fs, 5 gs */
    unsigned imm8;
};

/* Decode the n bytes at the guest's RIP (compat: 32-bit compatibility mode).
 * true for an I/O instruction or cli/sti read in full; false for anything
 * else, a cut-off instruction, or a form not emulated (lock, 16-bit
 * addressing). */
bool io_insn_decode(const uint8_t *b, unsigned n, bool compat, struct io_insn *in);
/* Bytes an I/O instruction moves: 1, 2 or 4. */
unsigned io_insn_bytes(const struct io_insn *in);
/* Does the virtual IOPL admit cli/sti/in/out? The guest kernel counts as
 * ring 1 (ring 0 under VMASST_TYPE_architectural_iopl), user mode as ring 3. */
bool io_iopl_allows(bool user_mode, bool architectural_iopl, unsigned iopl);
/* Do the bitmap bytes lo (port >> 3) and hi (the next) admit [port, port + bytes)?
 * limit: the ports the bitmap covers; beyond it, no. */
bool io_bitmap_allows(uint8_t lo, uint8_t hi, unsigned port, unsigned bytes, uint32_t limit);
/* RAX after an `in` of bytes (a 32-bit result clears bits 32-63). */
uint64_t io_merge_rax(uint64_t rax, unsigned bytes, uint32_t val);

#endif

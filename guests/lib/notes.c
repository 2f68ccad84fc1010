/*
 * Xen ELF notes of a Xenolith test guest.
 *
 * Each record: namesz, descsz, type (32-bit each), the owner name "Xen\0",
 * then the descriptor, padded to a 4-byte boundary.  Addresses are 8-byte
 * descriptors, strings are NUL terminated.
 *
 * The records are written with assembler directives so that the section
 * type is always SHT_NOTE and its flags are chosen by the build:
 *   GUEST_NOTE_SECTION_FLAGS "a"  allocated, placed in a PT_NOTE segment
 *   GUEST_NOTE_SECTION_FLAGS ""   not allocated, found only through the
 *                                 section headers (the VA-0 guest)
 * GUEST_NOTE_VIRT_BASE / GUEST_NOTE_PADDR_OFFSET are plain numbers from the
 * build (guests.mk), without C suffixes, since the assembler reads them.
 */
#include "elfnote.h"
#include "features.h"

#ifndef GUEST_NOTE_VIRT_BASE
#error "GUEST_NOTE_VIRT_BASE must be defined by the build"
#endif
#ifndef GUEST_NOTE_PADDR_OFFSET
#error "GUEST_NOTE_PADDR_OFFSET must be defined by the build"
#endif
#ifndef GUEST_NOTE_SECTION_FLAGS
#define GUEST_NOTE_SECTION_FLAGS "a"
#endif

#define NOTE_STR_(x) #x
#define NOTE_STR(x) NOTE_STR_(x)

/* Opens a record; the descriptor lies between local labels 1 and 2. */
#define NOTE_OPEN(type)                                                       \
    ".balign 4\n\t"                                                           \
    ".long 4\n\t"                                                             \
    ".long 2f - 1f\n\t"                                                       \
    ".long " NOTE_STR(type) "\n\t"                                            \
    ".asciz \"Xen\"\n"                                                        \
    "1:\n\t"
#define NOTE_CLOSE                                                            \
    "2:\n\t"                                                                  \
    ".balign 4\n\t"

#define NOTE_STRING(type, text) NOTE_OPEN(type) ".asciz \"" text "\"\n" NOTE_CLOSE
#define NOTE_QUAD(type, expr) NOTE_OPEN(type) ".quad " expr "\n" NOTE_CLOSE
#define NOTE_LONG(type, expr) NOTE_OPEN(type) ".long " expr "\n" NOTE_CLOSE

__asm__(
    ".pushsection .note.Xen, \"" GUEST_NOTE_SECTION_FLAGS "\", @note\n\t"
    NOTE_STRING(XEN_ELFNOTE_GUEST_OS, "Xenolith-test")
    NOTE_STRING(XEN_ELFNOTE_GUEST_VERSION, "1.0")
    NOTE_STRING(XEN_ELFNOTE_XEN_VERSION, "xen-3.0")
    NOTE_STRING(XEN_ELFNOTE_LOADER, "generic")
    NOTE_QUAD(XEN_ELFNOTE_VIRT_BASE, NOTE_STR(GUEST_NOTE_VIRT_BASE))
    NOTE_QUAD(XEN_ELFNOTE_PADDR_OFFSET, NOTE_STR(GUEST_NOTE_PADDR_OFFSET))
    NOTE_QUAD(XEN_ELFNOTE_ENTRY, "_start")
    NOTE_QUAD(XEN_ELFNOTE_HYPERCALL_PAGE, "hypercall_page")
    /*
     * We run as the initial domain: a real Xen refuses to build dom0 from a
     * kernel that lists its supported features without "dom0".
     */
    NOTE_LONG(XEN_ELFNOTE_SUPPORTED_FEATURES, "1 << " NOTE_STR(XENFEAT_dom0))
    ".popsection\n");

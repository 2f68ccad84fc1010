#!/usr/bin/env python3
"""Writes seed inputs for the host fuzzers into <out>/<name>/, in each
harness's input format (see the comment at the top of tests/fuzz/fuzz_*.c):
realistic Multiboot 1 and 2 boot information as QEMU and GRUB lay it out,
e820-like memory maps, a small Xen PV ELF image, layouts, ACPI tables and
RTC readings. Binary seeds are generated at build time, never committed.

    python3 tests/fuzz/gen_seeds.py build/fuzz/seeds
"""
import os
import struct
import sys

def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v)

class Mem:
    """Physical memory from address 0, grown as it is written."""
    def __init__(self, size=0x1000):
        self.b = bytearray(size)
    def put(self, pa, data):
        if pa + len(data) > len(self.b):
            self.b.extend(bytes(pa + len(data) - len(self.b)))
        self.b[pa:pa + len(data)] = data
    def cstr(self, pa, s):
        self.put(pa, s.encode() + b'\0')

# Memory maps (base, length, multiboot type) as firmware reports them.
QEMU_E820 = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
             (0x100000, 0xfee0000, 1), (0xffe0000, 0x20000, 2), (0xfffc0000, 0x40000, 2)]
QEMU_E820_BIG = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
                 (0x100000, 0xbff00000, 1), (0xfeffc000, 0x4000, 2), (0xfffc0000, 0x40000, 2),
                 (0x100000000, 0x40000000, 1), (0xfd00000000, 0x300000000, 2)]
UEFI_MAP = [(0, 0xa0000, 1), (0x100000, 0x700000, 1), (0x800000, 0x8000, 4),
            (0x808000, 0x8000, 1), (0x810000, 0xf0000, 4), (0x900000, 0x7e6ef000, 1),
            (0x7e7ef000, 0x80000, 3), (0x7e86f000, 0x100000, 4), (0x7e96f000, 0x1000000, 2),
            (0xb0000000, 0x10000000, 2), (0xffc00000, 0x400000, 2)]
MESSY_MAP = [(0x100000, 0x1000000, 1), (0x0, 0xa0000, 1), (0x9f000, 0x2000, 2),
             (0x800000, 0x1000, 5), (0x800000, 0x1000, 3), (0xfffffffffffff000, 0x2000, 2),
             (0x1100000, 0, 1), (0x1100000, 0x100000, 1), (0x1200000, 0x100000, 9)]

# ------------------------------------------------------------ multiboot 1

def mb1(info_pa, cmdline=None, loader=None, mods=(), mmap=None, mem=None, extra_flags=0,
        zero_ptrs=False, mods_pa=0x400):
    m = Mem()
    flags = extra_flags
    info = bytearray(116)
    strs = 0x800
    def string(s):
        nonlocal strs
        pa = strs
        m.cstr(pa, s)
        strs += (len(s) + 16) & ~15
        return pa
    if mem:
        flags |= 1 << 0
        info[4:12] = u32(mem[0]) + u32(mem[1])
    if cmdline is not None:
        flags |= 1 << 2
        info[16:20] = u32(0 if zero_ptrs else string(cmdline))
    if mods:
        flags |= 1 << 3
        table = mods_pa
        for i, (start, end, cl) in enumerate(mods):
            sp = string(cl) if cl is not None else 0
            m.put(table + 16 * i, u32(start) + u32(end) + u32(sp) + u32(0))
        info[20:28] = u32(len(mods)) + u32(table)
    if mmap is not None:
        flags |= 1 << 6
        pa = 0x600
        blob = b''.join(u32(20) + u64(b) + u64(l) + u32(t) for b, l, t in mmap)
        m.put(pa, blob)
        info[44:52] = u32(len(blob)) + u32(pa)
    if loader is not None:
        flags |= 1 << 9
        info[64:68] = u32(string(loader))
    info[0:4] = u32(flags)
    m.put(info_pa, bytes(info))
    # Module contents: a few bytes where the modules say they are.
    for start, end, _ in mods:
        if end <= 0x10000 and end > start:
            m.put(start, bytes((i * 7) & 0xff for i in range(end - start)))
    return u32(info_pa) + bytes(m.b)

def multiboot1_seeds():
    s = {}
    # QEMU -kernel with -initrd "guest.elf args,initrd": file names first.
    s['qemu'] = mb1(0x100, cmdline='build/xenolith console=com1 loglvl=info dom0_mem=64M',
                    loader='qemu', mem=(639, 261120), mmap=QEMU_E820,
                    mods=[(0x2000, 0x3000, 'build/guests/hello.elf xenolith-xv arg1=alpha'),
                          (0x3000, 0x3400, 'tests/integration/data/initrd.txt')])
    # GRUB "multiboot"/"module" with the other info fields set but unused.
    s['grub'] = mb1(0x0, cmdline='/boot/xenolith.gz console=com1 com1=115200,8n1 noreboot',
                    loader='GRUB 2.06-13+deb12u1', mem=(639, 2096000), mmap=QEMU_E820_BIG,
                    mods=[(0x4000, 0x6000, '/boot/vmlinuz root=/dev/xvda1 ro console=hvc0')],
                    extra_flags=(1 << 1) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11) | (1 << 12))
    s['meminfo-only'] = mb1(0x100, mem=(639, 130048), cmdline='xenolith',
                            mods=[(0x2000, 0x2100, None)])
    s['messy-map'] = mb1(0x100, cmdline='  console=com1   dom0_mem=2M  ', mmap=MESSY_MAP,
                         loader='', mods=[(0x3000, 0x2000, 'bad order')])
    s['zero-pointers'] = mb1(0x100, cmdline='x', mmap=[], mem=(0, 0), zero_ptrs=True)
    s['many-modules'] = mb1(0x100, cmdline='hv dom0_start_info=domu', mmap=UEFI_MAP,
                            mods=[(0x2000 + 0x40 * i, 0x2020 + 0x40 * i, 'mod%d a=%d' % (i, i))
                                  for i in range(16)])
    # As many modules as the hypervisor takes (BOOT_MAX_MODULES): dom0, then
    # domU kernels with their initrds, as make run DOMUS=... gives them.
    s['max-modules'] = mb1(0x100, cmdline='build/xenolith console=com1', mmap=QEMU_E820,
                           mods=[(0x2000 + 0x40 * i, 0x2020 + 0x40 * i,
                                  'build/guests/hello.elf' if i == 0 else
                                  'build/guests/hello.elf domu memory=16M vcpus=1 -- a b,c' if i % 2 else
                                  'build/initrd initrd')
                                 for i in range(64)], mods_pa=0x1800)
    return s

# ------------------------------------------------------------ multiboot 2

def tag(t, payload):
    body = u32(t) + u32(8 + len(payload)) + payload
    return body + bytes(-len(body) % 8)

def mb2_mmap(entries, entry_size=24):
    ents = b''.join((u64(b) + u64(l) + u32(t) + u32(0)).ljust(entry_size, b'\0')
                    for b, l, t in entries)
    return tag(6, u32(entry_size) + u32(0) + ents)

def rsdp(v2):
    r = bytearray(b'RSD PTR ' + bytes(1) + b'BOCHS ' + bytes([2 if v2 else 0]) + u32(0x7ffe1000))
    if v2:
        r += u32(36) + u64(0x7ffe2000) + bytes(4)
    r[8] = (-sum(r[:20])) & 0xff
    if v2:
        r[32] = (-sum(r)) & 0xff
    return bytes(r)

def mb2(info_pa, tags, misalign_total=0):
    body = b''.join(tags) + tag(0, b'')
    total = 8 + len(body) + misalign_total
    m = Mem()
    m.put(info_pa, u32(total) + u32(0) + body)
    return u32(info_pa) + bytes(m.b)

def multiboot2_seeds():
    common = [tag(1, b'console=com1 loglvl=info dom0_mem=64M\0'),
              tag(2, b'GRUB 2.06-13+deb12u1\0'),
              tag(3, u32(0x200000) + u32(0x228000) + b'xenolith-xv arg1=alpha arg2=beta\0'),
              tag(3, u32(0x228000) + u32(0x228100) + b'\0'),
              tag(4, u32(639) + u32(2096000)),
              tag(5, u32(0x80) + u32(0xffffffff) + u32(0xffffffff))]
    elf_sections = tag(9, u16(3) + u16(64) + u16(2) + u16(0) + bytes(64 * 3))
    framebuffer = tag(8, u64(0xfd000000) + u32(4096) + u32(1024) + u32(768) + bytes([32, 1, 0, 0])
                      + bytes([16, 8, 8, 8, 0, 8]))
    apm = tag(10, u16(0x102) + u16(0xf000) + u32(0xd0c0) + u16(0xf000) + u16(0xf000) + u16(3)
              + u16(0xffff) + u16(0xffff) + u16(0xffff))
    s = {}
    s['grub-bios'] = mb2(0x1000, common + [mb2_mmap(QEMU_E820_BIG), elf_sections, framebuffer,
                                           apm, tag(14, rsdp(False)), tag(21, u32(0x200000))])
    s['grub-uefi'] = mb2(0x2000, common + [tag(12, u64(0x7fa1e018)), tag(20, u64(0x7e9d0f98)),
                                           tag(18, b''), mb2_mmap(UEFI_MAP),
                                           tag(17, u32(48) + u32(1) + bytes(48 * 4)),
                                           tag(14, rsdp(False)), tag(15, rsdp(True)),
                                           tag(16, u32(0x200000))])
    s['basic-mem-only'] = mb2(0x0, [tag(1, b'  dom0_mem=2M noreboot \0'), tag(4, u32(639) + u32(65536))])
    s['messy-map'] = mb2(0x800, [tag(1, b'\0'), mb2_mmap(MESSY_MAP, 32), tag(15, rsdp(True)),
                                 tag(14, rsdp(False)), tag(3, u32(5) + u32(4) + b'x\0')])
    s['no-end-tag'] = mb2(0x100, [tag(2, b'qemu\0')], misalign_total=4)
    return s

# ------------------------------------------------------------ memmap

def memmap_seeds():
    rec = lambda m: b''.join(u64(b) + u64(l) + bytes([t - 1]) for b, l, t in m)
    return {'qemu': rec(QEMU_E820), 'qemu-big': rec(QEMU_E820_BIG), 'uefi': rec(UEFI_MAP),
            'messy': rec([(b, l, (t - 1) % 5 + 1) for b, l, t in MESSY_MAP]),
            'nested': rec([(0, 1 << 32, 1), (0x1000, 0x1000, 2), (0x1800, 0x100, 5),
                           (0x3000, 0x1000, 3), (0x3800, 0x1000, 4), (0xfff, 2, 3)])}

# ------------------------------------------------------------ ELF

def note(ntype, desc, name=b'Xen'):
    n = name + b'\0'
    return (u32(len(n)) + u32(len(desc)) + u32(ntype) + n + bytes(-len(n) % 4)
            + desc + bytes(-len(desc) % 4))

def pv_elf(virt_base=0xffffffff80000000, paddr_offset=0, in_section=False, features=b'!writable_page_tables|pae_pgdir_above_4gb',
           linux=False, notes_at_end=False):
    text_off, text_size, paddr = 0x1000, 0x3000, 0x0 if paddr_offset == 0 else 0x1000000
    vaddr = paddr + virt_base - paddr_offset
    notes = (note(6, b'linux\0' if linux else b'Xenolith-seed\0') + note(7, b'0.1\0')
             + note(5, b'xen-3.0\0') + (b'' if linux else note(8, b'generic\0'))
             + note(3, u64(virt_base)) + note(4, u64(paddr_offset)) + note(1, u64(vaddr))
             + note(2, u64(vaddr + 0x1000)) + note(10, features) + note(9, b'yes\0')
             + note(12, u64(0xffff800000000000)) + note(17, u32(1)) + note(16, u64(0x8000000000))
             + note(15, u32(1)) + note(1, b'GNU!', name=b'GNU'))
    notes_off = 0x200
    phdrs = [(1, 5, text_off, vaddr, paddr, text_size, text_size + 0x2000)]
    if not in_section:
        phdrs.append((4, 4, notes_off, 0, 0, len(notes), len(notes)))
    shdrs = [bytes(64)]
    if in_section:
        shdrs.append(u32(1) + u32(7) + u64(0) + u64(0) + u64(notes_off) + u64(len(notes))
                     + u32(0) + u32(0) + u64(4) + u64(0))
    shoff = text_off + text_size
    eh = (b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8) + u16(2) + u16(62) + u32(1) + u64(vaddr)
          + u64(64) + u64(shoff) + u32(0) + u16(64) + u16(56) + u16(len(phdrs)) + u16(64)
          + u16(len(shdrs)) + u16(0))
    img = bytearray(shoff + 64 * len(shdrs))
    img[0:64] = eh
    for i, (t, f, off, va, pa, fs, ms) in enumerate(phdrs):
        img[64 + 56 * i:64 + 56 * (i + 1)] = (u32(t) + u32(f) + u64(off) + u64(va) + u64(pa)
                                               + u64(fs) + u64(ms) + u64(0x1000))
    img[notes_off:notes_off + len(notes)] = notes
    img[text_off:text_off + text_size] = bytes((i * 13) & 0xff for i in range(text_size))
    img[shoff:] = b''.join(shdrs)
    if notes_at_end:
        # The notes again, last in the file, and the PT_NOTE pointing there
        # (as a linker that places .notes after the sections may do).
        end = len(img)
        img += notes
        ph = 64 + 56 * 1
        img[ph + 8:ph + 16] = u64(end)
    return bytes(img)

def elf_seeds():
    return {'gen-pv': pv_elf(), 'gen-pv-sections': pv_elf(in_section=True),
            'gen-pv-paddr-offset': pv_elf(paddr_offset=0xffffffff80000000 - 0x1000000 + 0x1000000),
            'gen-pv-notes-at-end': pv_elf(notes_at_end=True),
            'gen-pv-low': pv_elf(virt_base=0x400000, features=b'writable_descriptor_tables|dom0'),
            'gen-pv-linux': pv_elf(linux=True, features=b'!writable_page_tables|!dom0|hvm_callback_vector')}

# ------------------------------------------------------------ layout

def layout_seeds():
    def rec(vb, ks, ke, initrd, pages, domu):
        return u64(vb) + u64(ks) + u64(ke) + u64(initrd) + u64(pages | (domu << 63))
    return {'hello': rec(0xffffffff80000000, 0xffffffff80000000, 0xffffffff80023000, 0, 16384, 0),
            'minios': rec(0, 0, 0x6b000, 0x1000, 16384, 1),
            'small': rec(0xffffffff80000000, 0xffffffff80001000, 0xffffffff80003000, 0x200000, 512, 0),
            'top': rec(0xffffffffff000000, 0xffffffffff000000, 0xffffffffff100000, 0, 1 << 20, 1),
            'low-edge': rec(0x7fffff000000, 0x7fffff000000, 0x7fffff800000, 0, 1 << 30, 0),
            # Debian's Linux 6.1: MOD_START_PFN (bit 62), INIT_P2M (bit 61) at 0x8000000000
            'linux-notes': rec(0xffffffff80000000, 0xffffffff81000000, 0xffffffff84a00000, 0xfc000,
                               65536 | (1 << 62) | (1 << 61), 1) + u64(0x8000000000),
            'linux-p2m-edge': rec(0xffffffff80000000, 0xffffffff81000000, 0xffffffff82000000, 0,
                                  1 << 20 | (1 << 61), 0) + u64(0x7ffffffff000)}

# ------------------------------------------------------------ ACPI

def sdt(sig, body, rev=1):
    h = bytearray(sig + u32(36 + len(body)) + bytes([rev, 0]) + b'BOCHS ' + b'BXPC    '
                  + u32(1) + b'BXPC' + u32(1))
    t = h + body
    t[9] = (-sum(t)) & 0xff
    return bytes(t)

S5_AML = bytes([0x10, 0x1c, 0x5c, 0x00]) + b'\x08_S5_\x12\x06\x04\x00\x00\x00\x00'
S5_AML_BYTES = b'\x5b\x82\x10ISA_\x08\\_S5_\x12\x0a\x04\x0a\x05\x0a\x05\x00\x00\x14\x08_PTS\x01\xa3'

def acpi_s5_seeds():
    return {'qemu': S5_AML, 'bytes': S5_AML_BYTES,
            'word': b'\x08^_S5_\x12\x4b\x00\x02\x0b\x34\x12\x01',
            'decoy': b'\x70_S5_\x12\x06\x04\x00\x00' + S5_AML}

def acpi_tables_seeds():
    base = 0xE0000
    def image(rsdp_at, v2, with_reset, xdsdt, aml):
        # Compact (the harness pads memory to 128 KiB; inputs stay small).
        mem = bytearray(0x380)
        dsdt_pa, fadt_pa, rsdt_pa, xsdt_pa = base + 0x300, base + 0x100, base + 0x200, base + 0x240
        dsdt = sdt(b'DSDT', aml)
        fbody = bytearray(244 - 36 if xdsdt else 116 - 36 + (13 if with_reset else 0))
        fbody[40 - 36:44 - 36] = u32(0 if xdsdt else dsdt_pa)
        fbody[64 - 36:68 - 36] = u32(0x604)
        fbody[112 - 36:116 - 36] = u32(1 << 10 if with_reset else 0)
        if with_reset or xdsdt:
            fbody[116 - 36] = 1
            fbody[120 - 36:128 - 36] = u64(0xcf9)
            fbody[128 - 36] = 6
        if xdsdt:
            fbody[140 - 36:148 - 36] = u64(dsdt_pa)
        fadt = sdt(b'FACP', bytes(fbody), rev=3 if xdsdt else 1)
        rsdt = sdt(b'RSDT', u32(base + 0x2c0) + u32(fadt_pa))
        xsdt = sdt(b'XSDT', u64(base + 0x2c0) + u64(fadt_pa))
        apic = sdt(b'APIC', bytes(16))
        r = bytearray(b'RSD PTR ' + bytes(1) + b'BOCHS ' + bytes([2 if v2 else 0]) + u32(rsdt_pa))
        r += u32(36) + u64(xsdt_pa) + bytes(4)
        r[8] = (-sum(r[:20])) & 0xff
        r[32] = (-sum(r)) & 0xff
        for pa, b in ((fadt_pa, fadt), (rsdt_pa, rsdt), (xsdt_pa, xsdt), (base + 0x2c0, apic),
                      (dsdt_pa, dsdt)):
            mem[pa - base:pa - base + len(b)] = b
        if rsdp_at is not None:
            mem[rsdp_at:rsdp_at + 36] = r
        return bytes(r), bytes(mem)
    s = {}
    r, m = image(0x40, False, True, False, S5_AML)
    s['bios-search-v1'] = bytes([0]) + bytes(36) + m
    s['bios-search-v1-fixup'] = bytes([0x80]) + bytes(36) + m
    r, m = image(None, True, True, True, S5_AML_BYTES)
    s['mb2-copy-v2'] = bytes([36]) + r + m
    s['mb2-copy-v2-fixup'] = bytes([0x80 | 36]) + r + m
    s['mb2-copy-v1'] = bytes([20]) + r[:20] + bytes(16) + m
    r, m = image(0x80, True, False, False, S5_AML)
    s['bios-search-v2-no-reset'] = bytes([7]) + r + m
    return s

# ------------------------------------------------------------ RTC

def rtc_seeds():
    # second, minute, hour, day, month, year, century, status B, flags
    return {'bcd-24h': bytes([0x59, 0x30, 0x23, 0x29, 0x02, 0x24, 0x20, 0x02, 1]),
            'bcd-12h-pm': bytes([0x00, 0x00, 0x92, 0x31, 0x12, 0x99, 0x19, 0x00, 1]),
            'binary': bytes([59, 59, 23, 31, 12, 37, 20, 0x06, 0]),
            'binary-12h-am': bytes([1, 2, 12, 1, 1, 0, 0, 0x04, 0])}

# ------------------------------------------------------------ instructions

def insn_decode_seeds():
    # The page-table writes a PV kernel makes (bytes as GNU as encodes them),
    # offered in full (15), then 128 bytes of register values (rax..r15).
    regs = bytes(range(128))
    code = {'mov-r64': b'\x48\x89\x07', 'mov-imm32': b'\x48\xc7\x07\x78\x56\x34\x12',
            'xchg': b'\x48\x87\x07', 'lock-cmpxchg': b'\xf0\x48\x0f\xb1\x37',
            'lock-andb': b'\xf0\x80\x27\xfd', 'lock-btr-imm': b'\xf0\x48\x0f\xba\x37\x01',
            'lock-bts-reg': b'\xf0\x48\x0f\xab\x07',
            'sib-disp32': b'\x4b\x89\x94\xb8\x00\x00\xff\x7f',
            'rip-rel': b'\x48\x89\x15\x00\x01\x00\x00',
            'prefixes': b'\x3e\x67\x64\x66\x48\x89\x07'}
    return {k: bytes([15]) + v.ljust(15, b'\x90') + regs for k, v in code.items()}

def domu_spec_seeds():
    # Command lines of modules 1, 2, ... (module 0 is dom0's kernel), NUL
    # separated, as tools/run-qemu and GRUB pass them once tidied.
    sets = {
        'dom0-initrd': ['rootfs.cpio'],
        'one-domu': ['domu name=x memory=16M -- a b,c'],
        'every-option': ['initrd', 'domu name=web.1 memory=512M vcpus=4 copies=3 -- root=/dev/xvda ro',
                         'initrd', 'domu memory=1048576K vcpus=128 copies=4096', 'domu --'],
        'errors': ['domu vcpus=0', 'initrd', 'initrd', 'other', 'domu memory=12X', 'domu quiet',
                   'domu name=a name=b', 'domu name=' + 'n' * 64, 'domu copies=4097 -- x',
                   'domu memory=18446744073709551616G', 'domu foo=bar'],
        'many': ['domu memory=1M' if i % 2 else 'initrd' for i in range(1, 64)],
    }
    return {k: b'\0'.join(l.encode() for l in v) for k, v in sets.items()}

# dom0's XenStore core: operation streams in tests/fuzz/fuzz_xs_proto.c's
# format (its word table repeated here).
XS_WORDS = ["data", "data/x", "data/x/y", "data/y", "device", "control/shutdown", "name",
            "/local/domain/1/data", "/local/domain/2/data/x", "/local/domain/3", "/local/domain",
            "/", "/tool", "/tool/a/b/c", "@introduceDomain", "@releaseDomain", "@other", "tok",
            "T", "F", "0", "1", "2", "3", "4", "7", "99", "print", "n0", "r1", "b2", "w3", "n1",
            "n2", "r0", "hello", "", "a//b", "data/", "bad char", "65535", "32752"]

def xs_msg(conn, typ, words, tx=0, flags=0):
    out = bytes([conn, typ, tx, len(words) | flags])
    for w in words:
        out += bytes([XS_WORDS.index(w)])
    return out

def xs_proto_seeds():
    W, R, D, MK, RM, GP, SP, WA, UW, TS, TE = 11, 2, 1, 12, 13, 3, 14, 4, 5, 6, 7
    drain = lambda c: bytes([4 | (31 << 3), c])
    basic = (xs_msg(1, W, ['data/x', 'hello']) + xs_msg(1, R, ['data/x']) + xs_msg(1, D, ['data']) +
             xs_msg(1, MK, ['data/y']) + xs_msg(1, GP, ['data/x']) + xs_msg(1, SP, ['data/x', 'n1', 'r0']) +
             xs_msg(2, R, ['/local/domain/2/data/x']) + xs_msg(1, RM, ['data']) + drain(1) + drain(2))
    watch = (xs_msg(1, WA, ['data', 'tok']) + xs_msg(0, WA, ['@introduceDomain', 'tok']) +
             xs_msg(0, W, ['/local/domain/1/data', 'hello']) + bytes([6, 1, 5, 1]) +
             xs_msg(1, UW, ['data', 'tok']) + drain(0) + drain(1))
    txn = (xs_msg(1, TS, ['']) + xs_msg(1, W, ['data/x', '1'], tx=1) + xs_msg(2, W, ['/local/domain/1/data', '2']) +
           xs_msg(1, R, ['data/x'], tx=1) + xs_msg(1, TE, ['T'], tx=1) + xs_msg(1, TS, ['']) +
           xs_msg(1, RM, ['data'], tx=2) + xs_msg(1, MK, ['data/y'], tx=2) + xs_msg(1, TE, ['T'], tx=2) + drain(1))
    priv = (xs_msg(0, 8, ['4', '99', '7']) + xs_msg(0, 17, ['4']) + xs_msg(0, 9, ['4']) +
            xs_msg(0, 0, ['print', 'hello']) + xs_msg(1, 10, ['3']) + xs_msg(1, 21, ['data', '0']) +
            xs_msg(1, 20, []) + xs_msg(0, 19, ['1', '2']) + drain(0) + drain(1))
    quota = b''.join(xs_msg(1, W, [w, 'hello']) for w in ['data', 'data/x', 'data/x/y', 'data/y', 'device'] * 3)
    return {'basic': b'\0' + basic, 'watch': b'\0' + watch, 'txn': b'\0' + txn, 'priv': b'\0' + priv,
            'quota-tiny': b'\1' + quota + txn, 'flood-tiny': b'\1' + xs_msg(1, WA, ['data', 'tok']) +
            b''.join(xs_msg(0, W, ['/local/domain/1/data', 'hello'], flags=0x40 | 0x3c) for _ in range(8))}

def xz_seeds():
    """Small .xz files as xz-utils writes them (Python's lzma is liblzma):
    each check type, plain LZMA2 and x86 BCJ + LZMA2, stored chunks, several
    blocks (one stream per compress call), two concatenated streams."""
    import lzma
    text = (b'Xenolith builds domains from kernels whose payload is xz. ' * 6 +
            bytes(range(256)) + b'\0' * 300 + b'the end\n')
    code = bytes([0x55, 0x48, 0x89, 0xe5, 0xe8, 0x10, 0x00, 0x00, 0x00, 0xe9, 0xf0, 0xff, 0xff, 0xff,
                  0xe8, 0xe8, 0x00, 0x01, 0x00, 0x00, 0xc3]) * 40
    rnd = bytes((i * 2654435761 >> 13) & 0xff for i in range(3000))
    def xz(data, check=lzma.CHECK_CRC64, filters=None):
        return lzma.compress(data, format=lzma.FORMAT_XZ, check=check, filters=filters)
    lz = lambda preset=6, **kw: [dict(id=lzma.FILTER_LZMA2, preset=preset, **kw)]
    return {'empty': xz(b''), 'byte': xz(b'x', lzma.CHECK_NONE), 'text-crc64': xz(text),
            'text-crc32': xz(text, lzma.CHECK_CRC32), 'text-none': xz(text, lzma.CHECK_NONE),
            'text-lc0lp4': xz(text, filters=lz(lc=0, lp=4, pb=4)),
            'code-x86': xz(code, lzma.CHECK_CRC32, [dict(id=lzma.FILTER_X86)] + lz()),
            'code-x86-start': xz(code, filters=[dict(id=lzma.FILTER_X86, start_offset=4096)] + lz(0)),
            'random-stored': xz(rnd, lzma.CHECK_CRC32),
            'two-streams': xz(text[:100]) + b'\0' * 4 + xz(code[:200], lzma.CHECK_NONE)}
# gzip and raw DEFLATE: tests/fuzz/fuzz_inflate.c's format (mode byte,
# output capacity / 8, stream), from zlib at several levels and strategies
# and a few small real .gz files of the host.
def inflate_seeds():
    import glob, gzip, zlib
    def rec(gz, stream, out_len):
        units = min(0xffff, (out_len + 7) // 8 + 1)
        return bytes([1 if gz else 0]) + u16(units) + stream
    text = b''.join(b'%d xen domain page grant %s\n' % (i, b'x' * (i % 13)) for i in range(600))
    rnd = bytes((i * 2654435761 >> 13) & 0xff for i in range(3000))
    out = {}
    for name, data in (('text', text), ('random', rnd), ('empty', b''), ('one', b'a'),
                       ('run', b'A' * 5000 + text[:2000] * 3)):
        for level, strategy in ((0, 0), (1, 0), (9, 0), (6, zlib.Z_FIXED), (6, zlib.Z_HUFFMAN_ONLY),
                                (6, zlib.Z_RLE)):
            c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
            out['raw-%s-%d-%d' % (name, level, strategy)] = rec(False, c.compress(data) + c.flush(), len(data))
        out['gz-%s' % name] = rec(True, gzip.compress(data, 9, mtime=0), len(data))
    files = sorted(f for f in glob.glob('/usr/share/doc/*/changelog*.gz') if os.path.getsize(f) < 16384)
    for f in files[:8]:
        with open(f, 'rb') as fh:
            gz = fh.read()
        try:
            n = len(gzip.decompress(gz))
        except Exception:
            continue
        out['host-' + os.path.basename(os.path.dirname(f))] = rec(True, gz, n)
    return out

# Kernel images for tests/fuzz/fuzz_kimage.c: a small ELF (an x86-64 header
# and code-like bytes) plain, as bare .xz and .gz, and in handmade bzImages
# (boot protocol 2.08 and 2.15, setup_sects 0 and 27) with xz and gzip
# payloads and Linux's appended size; one bzImage whose size is too big.
def kimage_seeds():
    import gzip, lzma
    body = bytes([0x55, 0x48, 0x89, 0xe5, 0xe8, 0x10, 0x00, 0x00, 0x00, 0xc3]) * 300
    elf = (b'\x7fELF\x02\x01\x01' + b'\0' * 9 + u16(2) + u16(62) + b'\0' * 44) + body
    xz = lzma.compress(elf, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32,
                       filters=[dict(id=lzma.FILTER_X86), dict(id=lzma.FILTER_LZMA2, preset=6, dict_size=1 << 20)])
    gz = gzip.compress(elf, 9, mtime=0)
    def bz(payload, size, setup_sects=27, version=0x020f, off=0x2cc, append=True):
        pm = ((setup_sects or 4) + 1) * 512
        pl = payload + (u32(size) if append else b'')
        hdr = bytearray(pm + off)
        hdr[0x1f1] = setup_sects
        hdr[0x1fe:0x200] = u16(0xaa55)
        hdr[0x202:0x206] = b'HdrS'
        hdr[0x206:0x208] = u16(version)
        hdr[0x248:0x24c] = u32(off)
        hdr[0x24c:0x250] = u32(len(pl))
        return bytes(hdr) + pl + b'\0' * 64
    return {'elf': elf, 'bare-xz': xz, 'bare-gz': gz,
            'bz-xz': bz(xz, len(elf)), 'bz-gz': bz(gz, len(elf)),
            'bz-gz-noappend': bz(gz, 0, append=False),
            'bz-xz-208': bz(xz, len(elf), setup_sects=0, version=0x0208, off=0),
            'bz-xz-big': bz(xz, 5 << 20), 'bz-old': bz(xz, len(elf), version=0x0207)}

def main():
    out = sys.argv[1]
    sets = {'multiboot1': multiboot1_seeds(), 'multiboot2': multiboot2_seeds(),
            'memmap': memmap_seeds(), 'cmdline': {}, 'elf': elf_seeds(),
            'layout': layout_seeds(), 'acpi_s5': acpi_s5_seeds(),
            'acpi_tables': acpi_tables_seeds(), 'rtc': rtc_seeds(),
            'insn_decode': insn_decode_seeds(), 'domu_spec': domu_spec_seeds(),
            'xs_proto': xs_proto_seeds(), 'xz': xz_seeds(),
            'inflate': inflate_seeds(), 'kimage': kimage_seeds()}
    for name, seeds in sets.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for sname, data in seeds.items():
            with open(os.path.join(d, sname), 'wb') as f:
                f.write(data)

if __name__ == '__main__':
    main()

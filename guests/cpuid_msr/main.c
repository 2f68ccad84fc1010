/* The CPU as a 64-bit PV kernel sees it: CPUID through the forced-emulation
 * prefix (Xen's hypervisor leaves and its PV policy's rules), plain CPUID
 * (CPUID faulting, when offered), the MSRs a kernel touches at boot with
 * Xen 4.17's answers, and CR4 writes (any value accepted; only the guest's
 * own bits kept; TSD really makes rdtsc fault, emulated for the kernel).
 * The checks are rules that hold for any CPU QEMU emulates; the values are
 * noted. Where Xenolith differs on purpose (docs/abi-coverage.md) the
 * guest checks each hypervisor's own answer. */
#include "pv.h"
#include "guard.h"
#include "mm.h"
#include "memory.h"

#define B(n) (1u << (n))


/* 1 when the instruction raised #GP(0). */
static int gp_since(unsigned long n)
{
    return guard_seen.count == n + 1 && guard_seen.vector == 13 && guard_seen.error == 0;
}

static int rd(unsigned msr, unsigned long *val)
{
    unsigned long n = guard_seen.count;
    uint32_t lo = 0, hi = 0;

    GUARD_TRY("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
    *val = ((unsigned long)hi << 32) | lo;
    if (guard_seen.count == n)
        return 0;
    return gp_since(n) ? 1 : -1;            /* 1: #GP(0), -1: something else */
}

static int wr(unsigned msr, unsigned long val)
{
    unsigned long n = guard_seen.count;

    GUARD_TRY("wrmsr", : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "r11", "memory");
    if (guard_seen.count == n)
        return 0;
    return gp_since(n) ? 1 : -1;
}

static void cpuid_forced(unsigned leaf, unsigned sub, unsigned r[4])
{
    __asm__ volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n\tcpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "0"(leaf), "2"(sub));
}

static void cpuid_plain(unsigned leaf, unsigned sub, unsigned r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "0"(leaf), "2"(sub));
}

static int zero4(const unsigned r[4])
{
    return (r[0] | r[1] | r[2] | r[3]) == 0;
}

static unsigned fls64(unsigned long x)
{
    unsigned n = 0;

    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

/* What the forced-emulation CPUID says, for the other parts. */
static unsigned l1[4], l7[4], e1[4];

static void test_hypervisor_leaves(void)
{
    unsigned r[4];
    long max_ram;

    cpuid_forced(0x40000000, 0, r);
    test_check(r[0] == 0x40000005 && r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e,
               "leaf 0x40000000: max %#x, 'XenVMMXenVMM'", r[0]);
    cpuid_forced(0x40000001, 0, r);
    test_check(r[0] == 0x00040011 && !r[1] && !r[2] && !r[3], "leaf 0x40000001: version %#x (4.17)", r[0]);
    cpuid_forced(0x40000002, 0, r);
    test_check(r[0] == 1 && r[1] == 0x40000000 && r[2] == 1 && r[3] == 0,
               "leaf 0x40000002: %u hypercall page, MSR %#x, flags %#x (MMU_PT_UPDATE_PRESERVE_AD)", r[0], r[1], r[2]);
    cpuid_forced(0x40000003, 0, r);
    test_check((r[0] & ~2u) == ((e1[3] & B(27)) ? 4u : 0u) && !r[1] && !r[2] && !r[3],
               "leaf 0x40000003.0: flags %#x (no vTSC; bit 2 = RDTSCP), TSC mode %u, %u kHz, incarnation %u",
               r[0], r[1], r[2], r[3]);
    test_note("leaf 0x40000003.0 bit 1 (TSC safe): %u", (r[0] >> 1) & 1);
    cpuid_forced(0x40000003, 1, r);
    test_check(zero4(r), "leaf 0x40000003.1: no TSC offset or scale (%#x %#x %#x %#x)", r[0], r[1], r[2], r[3]);
    cpuid_forced(0x40000003, 2, r);
    test_check(r[0] > 100000 && !r[1] && !r[2] && !r[3], "leaf 0x40000003.2: TSC %u kHz", r[0]);
    cpuid_forced(0x40000004, 0, r);
    test_check(zero4(r), "leaf 0x40000004 (HVM only): zeros");
    max_ram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    cpuid_forced(0x40000005, 0, r);
    test_check(max_ram > 0 && r[1] == fls64((unsigned long)max_ram - 1) + 12 && !r[0] && !r[2] && !r[3],
               "leaf 0x40000005: machine address width %u bits (maximum_ram_page %#lx)", r[1], max_ram);
    cpuid_forced(0x40000005, 1, r);
    test_check(zero4(r), "leaf 0x40000005.1: zeros");
    cpuid_forced(0x40000006, 0, r);
    test_check(zero4(r), "leaf 0x40000006 (beyond the max): zeros");
    cpuid_forced(0x40000100, 0, r);
    test_check(zero4(r), "leaf 0x40000100 (no Viridian): zeros");
}

static void test_policy(void)
{
    unsigned r[4], v0[4], xd[4];
    int intel;

    cpuid_forced(0, 0, v0);
    intel = v0[1] == 0x756e6547 && v0[3] == 0x49656e69 && v0[2] == 0x6c65746e;
    test_check(v0[0] >= 7 && v0[0] <= 0xd, "leaf 0: max basic leaf %#x (at most 0xd)", v0[0]);
    cpuid_forced(1, 0, l1);
    cpuid_forced(7, 0, l7);
    cpuid_forced(0x80000001, 0, e1);
    test_note("forced leaf 1: %08x %08x %08x %08x", l1[0], l1[1], l1[2], l1[3]);
    test_note("forced leaf 7: %08x %08x %08x %08x", l7[0], l7[1], l7[2], l7[3]);
    test_note("forced leaf 0x80000001: %08x %08x %08x %08x", e1[0], e1[1], e1[2], e1[3]);
    test_check(l1[2] & B(31), "leaf 1: the hypervisor bit");
    test_check((l1[1] >> 24) == 0 && !(l1[0] & 0xf000), "leaf 1: APIC ID 0, processor type 0 (%#x %#x)",
               l1[1], l1[0]);
    test_check(!(l1[3] & (B(1) | B(3) | B(13) | B(17) | B(21) | B(29) | B(31))),
               "leaf 1 edx %#x: no VME, PSE, PGE, PSE36, DS, TM, PBE", l1[3]);
    test_check(!(l1[2] & (B(3) | B(5) | B(6) | B(17) | B(24))),
               "leaf 1 ecx %#x: no MONITOR, VMX, SMX, PCID, TSC-deadline", l1[2]);
    test_check(!(l7[1] & (B(1) | B(7) | B(10) | B(20))), "leaf 7 ebx %#x: no TSC_ADJUST, SMEP, INVPCID, SMAP", l7[1]);
    test_check(!(l7[2] & (B(2) | B(3))), "leaf 7 ecx %#x: no UMIP, PKU", l7[2]);
    test_check(!(e1[3] & B(26)) && (e1[3] & B(29)), "leaf 0x80000001 edx %#x: no 1 GiB pages, long mode", e1[3]);
    test_check(!(e1[2] & B(2)), "leaf 0x80000001 ecx %#x: no SVM", e1[2]);
    if (intel) {
        test_check(!e1[0] && !e1[1], "leaf 0x80000001 (Intel): eax, ebx zero");
        cpuid_forced(0x80000000, 0, r);
        test_check(r[0] >= 0x80000001 && r[0] <= 0x80000008 && !r[1] && !r[2] && !r[3],
                   "leaf 0x80000000 (Intel): max %#x, no vendor repeated", r[0]);
    }
    /* XSAVE and what needs it agree with each other. */
    cpuid_forced(0xd, 0, xd);
    if (l1[2] & B(26)) {
        test_check((xd[0] & 3) == 3, "XSAVE offered: leaf 0xd.0 eax %#x has x87 and SSE", xd[0]);
    } else {
        test_check(!(l1[2] & (B(27) | B(28) | B(12) | B(29))) && !(l7[1] & (B(5) | B(16))),
                   "XSAVE hidden: no OSXSAVE, AVX, FMA, F16C, AVX2, AVX512F (%#x %#x)", l1[2], l7[1]);
        test_check(zero4(xd), "XSAVE hidden: leaf 0xd.0 zeros");
    }
    for (unsigned leaf = 5; leaf <= 0xb; leaf += (leaf == 6 ? 4 : 1)) {   /* 5, 6, 0xa, 0xb */
        cpuid_forced(leaf, 0, r);
        test_check(zero4(r), "leaf %#x (MONITOR, power, PMU, topology): zeros", leaf);
    }
}

/* Plain cpuid: where the hypervisor runs guests with CPUID faulting (the
 * CPU offers it) it traps and gets the policy's answers, Xen's hypervisor
 * leaves included; otherwise it is the CPU's own. */
static void test_plain_cpuid(void)
{
    static const unsigned leaves[][2] = { { 0, 0 }, { 1, 0 }, { 7, 0 }, { 0xd, 0 }, { 0x80000000, 0 },
                                          { 0x80000001, 0 }, { 0x40000000, 0 }, { 0x40000002, 0 },
                                          { 0x40000005, 0 } };
    unsigned f[4], p[4];
    unsigned long n = guard_seen.count;

    cpuid_plain(0x40000000, 0, p);
    test_check(guard_seen.count == n, "plain cpuid: no fault reaches the guest kernel");
    if (p[1] == 0x566e6558 && p[2] == 0x65584d4d && p[3] == 0x4d4d566e) {
        test_note("plain cpuid sees 'XenVMMXenVMM': CPUID faulting is in use");
        for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
            cpuid_forced(leaves[i][0], leaves[i][1], f);
            cpuid_plain(leaves[i][0], leaves[i][1], p);
            /* Xen leaks the hardware's OSXSAVE into the forced answer (ecx bit 27). */
            test_check(f[0] == p[0] && f[1] == p[1] && ((f[2] ^ p[2]) & ~B(27)) == 0 && f[3] == p[3],
                       "plain cpuid %#x = forced (%#x %#x %#x %#x)", leaves[i][0], p[0], p[1], p[2], p[3]);
        }
        return;
    }
    test_note("plain cpuid 0x40000000 is the CPU's (eax %#x): no CPUID faulting, plain cpuid runs natively", p[0]);
    cpuid_forced(0, 0, f);
    cpuid_plain(0, 0, p);
    test_check(f[1] == p[1] && f[2] == p[2] && f[3] == p[3], "plain and forced cpuid agree on the vendor");
    cpuid_forced(1, 0, f);
    cpuid_plain(1, 0, p);
    test_check((f[0] & 0x0fff0fff) == (p[0] & 0x0fff0fff), "... and on the family/model/stepping %#x", f[0]);
    test_note("leaf 1 ecx: plain %#x, forced %#x", p[2], f[2]);
}

static unsigned char hc_page[4096] __attribute__((aligned(4096)));

static void test_msrs(void)
{
    unsigned long v = 0, w = 0, info = 0;
    int r, xenolith = guest_on_xenolith();
    int intel = 1;

    {
        unsigned v0[4];
        cpuid_forced(0, 0, v0);
        intel = v0[1] == 0x756e6547 && v0[3] == 0x49656e69 && v0[2] == 0x6c65746e;
    }
    test_check(rd(0x10, &v) == 0, "rdmsr TSC");
    test_check(rd(0xe7, &v) == 1 && wr(0xe7, 0) == 0, "MPERF: read #GP, write discarded");
    test_check(rd(0xe8, &v) == 1 && wr(0xe8, 0) == 0, "APERF: read #GP, write discarded");
    r = rd(0x1b, &v);
    test_check(r == 0 && v == 0xfee00900, "rdmsr APIC_BASE: %#lx (enabled, BSP, default base)", v);
    if (intel) {
        r = rd(0x3a, &v);
        test_check(r == 0 && v == 1, "rdmsr FEATURE_CONTROL: %#lx (locked)", v);
        test_check(wr(0x3a, v) == 1, "wrmsr FEATURE_CONTROL: #GP");
        r = rd(0x17, &v);
        test_check(r == 0 && wr(0x17, v) == 1, "rdmsr PLATFORM_ID %#lx, wrmsr #GP", v);
        r = rd(0x8b, &v);
        test_check(r == 0, "rdmsr UCODE_REV: %#lx", v);
        test_check(wr(0x8b, 0) == 0, "wrmsr UCODE_REV 0 (before cpuid): accepted");
        test_check(wr(0x8b, 1) == 1, "wrmsr UCODE_REV 1: #GP");
        test_check(rd(0x19c, &v) == 0 && v == 0 && wr(0x19c, 0) == 1, "THERM_STATUS reads 0, write #GP");
        test_check(rd(0x198, &v) == 0 && v == 0, "PERF_STATUS reads 0");
        test_check(rd(0x199, &v) == 0 && v == 0 && wr(0x199, 0x1234) == 0, "PERF_CTL reads 0, writes discarded");
        test_check(rd(0x19a, &v) == 1 && wr(0x19a, 0) == 0, "THERM_CONTROL: read #GP, write discarded");
        test_check(rd(0x1b0, &v) == 1 && wr(0x1b0, 0) == 0, "ENERGY_PERF_BIAS: read #GP, write discarded");
    }
    r = rd(0xce, &info);
    test_check(r == 0 && !(info & ~(1ul << 31)) && wr(0xce, info) == 1,
               "PLATFORM_INFO %#lx (only the CPUID-faulting bit), write #GP", info);
    r = rd(0x10a, &v);
    if (l7[3] & B(29))
        test_check(r == 0 && wr(0x10a, v) == 1, "ARCH_CAPABILITIES (in CPUID): reads %#lx, write #GP", v);
    else
        test_check(r == 1, "ARCH_CAPABILITIES (not in CPUID): #GP");
    test_check(rd(0x140, &v) == 0 && v == 0 && wr(0x140, 0) == 0, "MISC_FEATURES_ENABLES reads 0, 0 written back");
    if (!(info & (1ul << 31))) {
        test_check(wr(0x140, 1) == 1, "MISC_FEATURES_ENABLES: CPUID faulting not offered, setting it #GP");
    } else {
        r = wr(0x140, 1);
        r |= rd(0x140, &v);
        test_check(r == 0 && v == 1, "MISC_FEATURES_ENABLES: CPUID faulting offered, set (%#lx)", v);
        test_check(wr(0x140, 2) == 1, "MISC_FEATURES_ENABLES bit 1: #GP");
        wr(0x140, 0);
    }
    r = rd(0x1a0, &v);
    test_check(r == 0 && (v & (B(11) | B(12) | B(23))) == (B(11) | B(12) | B(23)) && !(v & (B(7) | B(18))),
               "MISC_ENABLE %#lx: BTS/PEBS unavailable, xTPR off, no PMU or MONITOR", v);
    test_check(wr(0x1a0, v) == 0, "MISC_ENABLE written back");
    r = wr(0x1a0, v ^ 1);
    r |= rd(0x1a0, &w);
    test_check(r == 0 && w == v,
               "MISC_ENABLE written with another value: ignored (%#lx)", w);
    r = rd(0x277, &v);
    test_check(r == 0 && v == 0x0000050100070406ul && wr(0x277, v) == 1,
               "PAT %#lx, write #GP", v);
    r = rd(0xc0000080, &v);
    test_check(r == 0 && (v & 0xd01) == 0xd01, "EFER %#lx: SCE, LME, LMA, NXE", v);
    test_check(wr(0xc0000080, v) == 0, "EFER written back");
    test_check(wr(0xc0000080, v & ~(1ul << 11)) == 1, "EFER without NXE: #GP");

    /* TSC_AUX with RDTSCP. */
    if (e1[3] & B(27)) {
        uint32_t lo, hi, aux;
        r = rd(0xc0000103, &v);
        test_check(r == 0, "TSC_AUX reads %#lx", v);
        test_check(wr(0xc0000103, 0x12345) == 0, "TSC_AUX written");
        __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
        r = rd(0xc0000103, &w);
        test_check(aux == 0x12345 && r == 0 && w == 0x12345, "rdtscp gives it back: %#x", aux);
        test_check(wr(0xc0000103, 1ul << 32) == 1, "TSC_AUX above 32 bits: #GP");
        wr(0xc0000103, 0);
    }

    /* The hypercall-page MSR: write-only, reads 0; the frame becomes one. */
    test_check(rd(0x40000000, &v) == 0 && v == 0, "MSR 0x40000000 reads 0");
    test_check(wr(0x40000000, 0) == 1, "MSR 0x40000000 naming frame 0 (not ours): #GP");
    {
        unsigned long pfn = ((unsigned long)hc_page - mm_virt_base()) >> 12, mfn = mm_pfn_to_mfn(pfn);
        long (*stub)(unsigned long, void *) = (void *)(hc_page + __HYPERVISOR_xen_version * 32);
        test_check(wr(0x40000000, (mfn << 12) | 1) == 1, "MSR 0x40000000 with page index 1: #GP");
        test_check(wr(0x40000000, mfn << 12) == 0, "MSR 0x40000000 naming one of our frames: accepted");
        test_check(stub(XENVER_version, NULL) == 0x40011, "a hypercall through the page it wrote works");
    }
    test_check(rd(0x40000200, &v) == 1, "MSR 0x40000200: #GP");

    /* MSRs a PV guest does not get. */
    static const struct { unsigned msr; const char *name; } gp[] = {
        { 0x12345678, "unknown" }, { 0x174, "SYSENTER_CS" }, { 0xc0000081, "STAR" }, { 0xc0000082, "LSTAR" },
        { 0xc0000084, "FMASK" }, { 0xfe, "MTRRcap" }, { 0x2ff, "MTRR_DEF_TYPE" }, { 0x200, "MTRR_PHYSBASE0" },
        { 0x48, "SPEC_CTRL (hidden in CPUID)" }, { 0x802, "x2APIC ID" }, { 0x3b, "TSC_ADJUST" },
        { 0x1b1, "PACKAGE_THERM_STATUS" }, { 0x600, "DS_AREA" },
    };
    for (unsigned i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
        test_check(rd(gp[i].msr, &v) == 1, "rdmsr %#x (%s): #GP(0)", gp[i].msr, gp[i].name);
        test_check(wr(gp[i].msr, 0) == 1, "wrmsr %#x (%s): #GP(0)", gp[i].msr, gp[i].name);
    }

    /* Documented differences. */
    r = rd(0x1d9, &v);
    if (xenolith)
        test_check(r == 0 && v == 0 && wr(0x1d9, 0) == 0, "DEBUGCTL reads 0, 0 written back (Xenolith)");
    else
        test_check(r == 1, "DEBUGCTL: #GP (Xen 4.17)");

    /* The virtual machine-check MSRs (two banks that never report). */
    if (intel) {
        r = rd(0x179, &v);
        test_check(r == 0 && v == 0x1000c02, "MCG_CAP %#lx: 2 banks, TES, CMCI, SER", v);
        r = wr(0x179, 0);
        r |= rd(0x179, &w);
        test_check(r == 0 && w == v, "MCG_CAP written: nothing changes (%#lx)", w);
        r = wr(0x280, 0x1234);
        r |= rd(0x280, &w);
        test_check(r == 0 && w == 0x1234, "MC0_CTL2 keeps what is written (%#lx)", w);
        wr(0x280, 0);
        r = rd(0x282, &w);
        test_check(r == 0 && w == 0, "MC2_CTL2 (no bank 2) reads 0");
    }
    r = rd(0x17a, &v);
    test_check(r == 0 && v == 0 && wr(0x17a, 0) == 0, "MCG_STATUS reads 0, written");
    r = rd(0x17b, &v);
    test_check(r == 0 && v == 0 && wr(0x17b, 5) == 0, "MCG_CTL (not present) reads 0, writes dropped");
    test_check(rd(0x4d0, &v) == 1 && wr(0x4d0, 0) == 1, "MCG_EXT_CTL: #GP");
    r = rd(0x400, &v);
    test_check(r == 0 && v == ~0ul, "MC0_CTL reads all ones (%#lx)", v);
    r = wr(0x400, 0);
    r |= rd(0x400, &v);
    test_check(r == 0 && v == ~0ul, "MC0_CTL written 0: still all ones");
    r = rd(0x401, &v);
    test_check(r == 0 && v == 0 && wr(0x401, 0) == 0, "MC0_STATUS reads 0, takes 0");
    test_check(wr(0x401, 1) == 1 && wr(0x406, 2) == 1, "MC0_STATUS / MC1_ADDR other than 0: #GP");
    r = rd(0x407, &v);
    test_check(r == 0 && v == 0, "MC1_MISC reads 0");
    r = rd(0x408, &v);
    test_check(r == 0 && v == 0 && wr(0x408, 5) == 0, "MC2_CTL (no bank 2) reads 0, writes dropped");
    r = rd(0x0, &v);
    test_check(r == 0 && v == 0 && wr(0x0, 0) == 1, "P5_MC_ADDR reads 0, write #GP");
    r = rd(0x1, &v);
    test_check(r == 0 && v == 0 && wr(0x1, 0) == 1, "P5_MC_TYPE reads 0, write #GP");
}

static unsigned long read_cr4(void)
{
    unsigned long v = 0;
    GUARD_TRY("mov %%cr4, %0", : "+r"(v) : : "r11", "memory");
    return v;
}

static int write_cr4(unsigned long v)
{
    unsigned long n = guard_seen.count;
    GUARD_TRY("mov %0, %%cr4", : : "r"(v) : "r11", "memory");
    return guard_seen.count != n;
}

static void test_cr4(void)
{
    unsigned long cr4 = read_cr4(), kept = B(2), r9 = 0, after, n;
    int xenolith = guest_on_xenolith();

    test_note("CR4 %#lx", cr4);
    test_check((cr4 & 0x620) == 0x620 && !(cr4 & (B(2) | B(3) | B(7) | B(16) | B(18))),
               "CR4 %#lx: PAE, OSFXSR, OSXMMEXCPT; no TSD, DE, PGE, FSGSBASE, OSXSAVE", cr4);
    __asm__ volatile("lea 2f(%%rip), %%r11\n\tmov %%r11, guard_resume_rip(%%rip)\n\t"
                     "1: mov %%cr4, %%r9\n\t2: movq $0, guard_resume_rip(%%rip)\n\tmov %%r9, %0"
                     : "=r"(r9) : : "r9", "r11", "memory");
    test_check(r9 == cr4, "mov %%cr4, %%r9 (REX prefix): %#lx", r9);
    test_check(!write_cr4(cr4) && read_cr4() == cr4, "writing back what was read");
    /* The guest's own bits: TSD, DE, and FSGSBASE / OSXSAVE when CPUID offers them. */
    kept |= B(3);
    if (l7[1] & B(0))
        kept |= B(16);
    if (l1[2] & B(26))
        kept |= B(18);
    for (unsigned b = 0; b < 24; b++) {
        int gp = write_cr4(cr4 ^ (1ul << b));
        after = read_cr4();
        test_check(!gp && after == ((kept & B(b)) ? cr4 ^ (1ul << b) : cr4),
                   "CR4 with bit %u flipped: accepted, reads %#lx", b, after);
        write_cr4(cr4);
    }
    test_check(read_cr4() == cr4, "CR4 back to %#lx", read_cr4());

    /* TSD: rdtsc and rdtscp still work in the kernel. */
    write_cr4(cr4 | B(2));
    {
        uint32_t lo1, hi1, lo2, hi2, aux = 0;
        n = guard_seen.count;
        GUARD_TRY("rdtsc", : "=a"(lo1), "=d"(hi1) : : "r11", "memory");
        GUARD_TRY("rdtsc", : "=a"(lo2), "=d"(hi2) : : "r11", "memory");
        test_check(guard_seen.count == n && (((unsigned long)hi2 << 32) | lo2) > (((unsigned long)hi1 << 32) | lo1),
                   "with CR4.TSD, rdtsc in the kernel works and advances");
        if (e1[3] & B(27)) {
            wr(0xc0000103, 0x77);
            GUARD_TRY("rdtscp", : "=a"(lo1), "=d"(hi1), "=c"(aux) : : "r11", "memory");
            test_check(guard_seen.count == n && aux == 0x77, "with CR4.TSD, rdtscp in the kernel works (aux %#x)", aux);
            wr(0xc0000103, 0);
        }
    }
    write_cr4(cr4);
    test_check(read_cr4() == cr4, "CR4.TSD cleared again");

    /* DE: DR4 and DR5 stop aliasing DR6 and DR7. */
    {
        long dr6 = pv_get_debugreg(6), rc;
        test_check(pv_get_debugreg(4) == dr6, "CR4.DE clear: DR4 reads as DR6 (%#lx)", dr6);
        write_cr4(cr4 | B(3));
        test_check(read_cr4() == (cr4 | B(3)), "CR4.DE set and shown");
        rc = pv_get_debugreg(4);
        test_check(rc == -19, "with CR4.DE get_debugreg(4): %ld (want -ENODEV)", rc);
        rc = pv_set_debugreg(5, 0x400);
        test_check(rc == -19, "with CR4.DE set_debugreg(5): %ld (want -ENODEV)", rc);
        rc = pv_set_debugreg(7, 0x20401);            /* DR0 as an I/O breakpoint, locally enabled */
        if (xenolith)
            test_check(rc == -1, "with CR4.DE an I/O breakpoint in DR7: %ld (Xenolith: -EPERM, no I/O breakpoints)", rc);
        else
            test_check(rc == 0, "with CR4.DE an I/O breakpoint in DR7: accepted (Xen)");
        pv_set_debugreg(7, 0x400);
        write_cr4(cr4);
        test_check(pv_get_debugreg(5) == pv_get_debugreg(7), "CR4.DE cleared: DR5 reads as DR7 again");
    }

    /* FSGSBASE, where CPUID offers it: the instructions work once the guest
     * sets CR4.FSGSBASE, and the hypervisor sees the bases they write. */
    if (l7[1] & B(0)) {
        unsigned long fs = 0, gs = 0, m = 0;
        int r;
        static unsigned long area[2] = { 0x1111, 0x2222 };
        n = guard_seen.count;
        __asm__ volatile("lea 2f(%%rip), %%r11\n\tmov %%r11, guard_resume_rip(%%rip)\n\t"
                         "1: rdfsbase %%rax\n\t2: movq $0, guard_resume_rip(%%rip)" : : : "rax", "r11", "memory");
        test_check(guard_seen.count == n + 1 && guard_seen.vector == 6, "without CR4.FSGSBASE rdfsbase is #UD (vector %lu)",
                   guard_seen.vector);
        write_cr4(cr4 | B(16));
        test_check(read_cr4() == (cr4 | B(16)), "CR4.FSGSBASE set and shown");
        n = guard_seen.count;
        __asm__ volatile("wrfsbase %0" : : "r"((unsigned long)&area[0]) : "memory");
        __asm__ volatile("wrgsbase %0" : : "r"((unsigned long)&area[1]) : "memory");
        __asm__ volatile("mov %%fs:0, %0" : "=r"(fs));
        __asm__ volatile("mov %%gs:0, %0" : "=r"(gs));
        test_check(guard_seen.count == n && fs == 0x1111 && gs == 0x2222, "wrfsbase/wrgsbase take effect");
        r = rd(0xc0000100, &m);
        test_check(r == 0 && m == (unsigned long)&area[0], "rdmsr FS_BASE sees wrfsbase's %#lx", m);
        r = rd(0xc0000101, &m);
        test_check(r == 0 && m == (unsigned long)&area[1], "rdmsr GS_BASE sees wrgsbase's %#lx", m);
        test_check(pv_set_segment_base(SEGBASE_FS, 0x5000) == 0, "set_segment_base(FS)");
        __asm__ volatile("rdfsbase %0" : "=r"(m));
        test_check(m == 0x5000, "rdfsbase sees it: %#lx", m);
        __asm__ volatile("rdgsbase %0" : "=r"(m));
        test_check(m == (unsigned long)&area[1], "the kernel GS base is kept across the hypercall: %#lx", m);
        __asm__ volatile("wrfsbase %0" : : "r"(0x6000ul));
        write_cr4(cr4);
        test_check(read_cr4() == cr4, "CR4.FSGSBASE cleared");
        r = rd(0xc0000100, &m);
        test_check(r == 0 && m == 0x6000, "FS_BASE keeps the last base written: %#lx", m);
        wr(0xc0000100, 0);
        wr(0xc0000101, 0);
    } else {
        test_note("CPUID does not offer FSGSBASE");
    }
}

static int try_xsetbv(unsigned idx, unsigned long val)
{
    unsigned long n = guard_seen.count;
    GUARD_TRY("xsetbv", : : "c"(idx), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "r11", "memory");
    return guard_seen.count == n ? 0 : (int)guard_seen.vector;
}

static int try_xgetbv(unsigned idx, unsigned long *val)
{
    unsigned long n = guard_seen.count;
    uint32_t lo = 0, hi = 0;
    GUARD_TRY("xgetbv", : "+a"(lo), "+d"(hi) : "c"(idx) : "r11", "memory");
    *val = ((unsigned long)hi << 32) | lo;
    return guard_seen.count == n ? 0 : (int)guard_seen.vector;
}

/* XSAVE, where CPUID offers it: xgetbv works natively, xsetbv is emulated
 * (#UD while the guest's CR4.OSXSAVE is clear; #GP for XCR 1, or a value
 * without x87 or with a component leaf 0xD does not list); xsave/xrstor run
 * natively with the components set. */
static void test_xsave(void)
{
    unsigned long cr4 = read_cr4(), x = 0, n;
    static unsigned char area[1024] __attribute__((aligned(64)));
    unsigned xd[4], f1[4];
    int r;

    if (!(l1[2] & B(26))) {
        test_note("CPUID does not offer XSAVE");
        return;
    }
    cpuid_forced(0xd, 0, xd);
    r = try_xgetbv(0, &x);
    test_check(r == 0 && x == 3, "xgetbv(0) works before CR4.OSXSAVE: XCR0 %#lx (x87|SSE)", x);
    test_check(try_xsetbv(0, 3) == 6, "xsetbv before the guest sets CR4.OSXSAVE: #UD");
    write_cr4(cr4 | B(18));
    test_check(read_cr4() == (cr4 | B(18)), "CR4.OSXSAVE set and shown");
    cpuid_forced(1, 0, f1);
    test_check(f1[2] & B(27), "CPUID leaf 1 shows OSXSAVE (%#x)", f1[2]);
    for (unsigned long v = 0; v < 8; v++) {
        int want_ok = (v & 1) && !(v & ~(unsigned long)xd[0]) && (!(v & 4) || (v & 2));
        r = try_xsetbv(0, v);
        try_xgetbv(0, &x);
        test_check(want_ok ? (r == 0 && x == v) : (r == 13 && guard_seen.error == 0),
                   "xsetbv(0, %#lx): %s (XCR0 now %#lx)", v, r ? "#GP" : "accepted", x);
    }
    test_check(try_xsetbv(1, 3) == 13, "xsetbv of XCR 1: #GP");
    test_check(try_xsetbv(0, 3) == 0, "XCR0 back to x87|SSE");
    n = guard_seen.count;
    __asm__ volatile("xsave (%0)\n\txrstor (%0)" : : "r"(area), "a"(3), "d"(0) : "memory");
    test_check(guard_seen.count == n && !(area[512] & ~3), "xsave and xrstor of x87|SSE run (XSTATE_BV %#x)", area[512]);
    write_cr4(cr4);
    test_check(read_cr4() == cr4 && try_xsetbv(0, 3) == 6, "CR4.OSXSAVE cleared: xsetbv is #UD again");
    r = try_xgetbv(0, &x);
    test_check(r == 0 && x == 3, "XCR0 still %#lx", x);
}

void test_main(start_info_t *si)
{
    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    for (unsigned v = 0; v < 32; v++)
        pv_set_handler(v, guard_record);
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");

    test_policy();
    test_hypervisor_leaves();
    test_plain_cpuid();
    test_msrs();
    test_cr4();
    test_xsave();
}

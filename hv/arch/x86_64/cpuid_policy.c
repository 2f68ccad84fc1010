/* Xen 4.17's default CPUID policy for a 64-bit PV guest, as facts taken
 * from its feature table (the bits marked for every guest type by default)
 * and its per-leaf rules, minus what Xenolith does not provide: XSAVE state
 * beyond x87 and SSE (AVX and its successors: the hypervisor switches only
 * the FXSAVE image); x2APIC; the speculation controls (their MSRs are not
 * virtualised, Xen's own rule for hiding them). See docs/abi-coverage.md for these differences. */
#include "arch/x86_64/cpuid_policy.h"

#define HV_BASE        0x40000000u
#define HV_LAST        (HV_BASE + 5)          /* Xen's hypervisor leaves 0..5 */
#define BASIC_LAST     0xDu                   /* highest basic leaf Xen keeps */
#define EXTD_LAST_INTEL 0x80000008u
#define EXTD_LAST_AMD   0x80000021u

#define B(n) (1u << (n))

/* Bits offered by default to a PV guest (Xen's "A" marks), per word. */
#define PV_1D   0x1fc9cbf5u     /* 1.edx */
#define PV_1C   0xf6f83203u     /* 1.ecx */
#define PV_E1D  0xea500800u     /* 0x80000001.edx */
#define PV_E1C  0x042109e3u     /* 0x80000001.ecx */
#define PV_7B0  0xfdaf0b29u     /* 7:0.ebx */
#define PV_7C0  0x02405f43u     /* 7:0.ecx */
#define PV_7D0  0x8c00441cu     /* 7:0.edx */
#define PV_7A1  0x00001c30u     /* 7:1.eax */
#define PV_7D2  0x00000021u     /* 7:2.edx */
#define PV_E8B  0x64001005u     /* 0x80000008.ebx */

/* Not provided by Xenolith: the features that need XSAVE state beyond x87
 * and SSE; XSAVE and OSXSAVE themselves follow the context. */
#define NO_1C   (B(26) | B(27) | B(12) | B(28) | B(29) | B(21))  /* XSAVE OSXSAVE FMA AVX F16C x2APIC */
#define F1C_XSAVE   B(26)
#define F1C_OSXSAVE B(27)
#define XSTATE_FP_SSE 3u
#define XSTATE_FP_SSE_SIZE 0x240u    /* legacy area and XSAVE header */
#define PV_XD1A  0x7u                /* 0xD:1.eax: XSAVEOPT, XSAVEC, XGETBV1 */
#define NO_E1C  (B(11) | B(16))                                   /* XOP FMA4 */
#define NO_7B0  (B(5) | B(16) | B(17) | B(21) | B(26) | B(27) | B(28) | B(30) | B(31))
                                                                  /* AVX2 AVX512* */
#define NO_7C0  (B(1) | B(6) | B(9) | B(10) | B(11) | B(12) | B(14))  /* AVX512 VBMI.., VAES, VPCLMULQDQ */
#define NO_7D0  (B(2) | B(3) | B(8) | B(23))                      /* AVX512_4VNNIW 4FMAPS VP2INTERSECT FP16 */
/* MSR_SPEC_CTRL and MSR_PRED_CMD are not virtualised, so (Xen's own rule
 * then) IBRS/IBPB, STIBP and SSBD are hidden. */
#define NO_SPEC_7D0 (B(26) | B(27) | B(31))
#define NO_SPEC_E8B B(12)
#define NO_7A1  (B(4) | B(5))                                     /* AVX_VNNI AVX512_BF16 */

/* Leaf 1 edx bits AMD repeats in 0x80000001 edx. */
#define COMMON_1D 0x0183f3ffu

#define F1D_MTRR  B(12)
#define F1C_EIST  B(7)
#define F1C_HYPERVISOR B(31)
#define FE7D_INVTSC B(8)
#define FE1D_RDTSCP B(27)
#define F7D_ARCH_CAPS B(29)

static void zero(uint32_t out[4])
{
    out[0] = out[1] = out[2] = out[3] = 0;
}

static bool is_amd(const struct cpuid_ctx *c)
{
    uint32_t v[4];

    c->raw(0, 0, v);
    return (v[1] == 0x68747541u && v[3] == 0x69746e65u && v[2] == 0x444d4163u) ||   /* AuthenticAMD */
           (v[1] == 0x6f677948u && v[3] == 0x656e6975u && v[2] == 0x6e65476eu);     /* HygonGenuine */
}

static unsigned fls64(uint64_t x)
{
    unsigned n = 0;

    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static void hypervisor_leaf(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    uint32_t v[4];

    zero(out);
    switch (leaf - HV_BASE) {
    case 0:                                       /* highest leaf, "XenVMMXenVMM" */
        out[0] = HV_LAST;
        out[1] = 0x566e6558u;
        out[2] = 0x65584d4du;
        out[3] = 0x4d4d566eu;
        break;
    case 1:
        out[0] = c->xen_version;
        break;
    case 2:                                       /* hypercall pages, their MSR, flags */
        out[0] = 1;
        out[1] = HV_BASE;
        out[2] = 1;                               /* MMU_PT_UPDATE_PRESERVE_AD */
        break;
    case 3:                                       /* time: native TSC, no offset or scaling */
        if (sub == 0) {
            c->raw(0x80000007, 0, v);
            out[0] = (v[3] & FE7D_INVTSC) ? 2 : 0;
            c->raw(0x80000001, 0, v);
            out[0] |= (v[3] & FE1D_RDTSCP) ? 4 : 0;
        } else if (sub == 2) {
            out[0] = (uint32_t)c->tsc_khz;
        }
        break;
    case 5:                                       /* PV: machine address width */
        if (sub == 0)
            out[1] = fls64(c->max_mfn) + 12;
        break;
    }
}

void cpuid_policy(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    uint32_t max[4];
    bool amd = is_amd(c);

    if (leaf >= HV_BASE && leaf <= HV_BASE + 0xff) {
        if (leaf <= HV_LAST)
            hypervisor_leaf(c, leaf, sub, out);
        else
            zero(out);
        return;
    }
    if (leaf < 0x80000000u) {
        c->raw(0, 0, max);
        if (leaf > max[0] || leaf > BASIC_LAST) {
            zero(out);
            return;
        }
    } else {
        c->raw(0x80000000u, 0, max);
        if (leaf > max[0] || leaf > (amd ? EXTD_LAST_AMD : EXTD_LAST_INTEL)) {
            zero(out);
            return;
        }
    }
    c->raw(leaf, sub, out);
    switch (leaf) {
    case 0:
        if (out[0] > BASIC_LAST)
            out[0] = BASIC_LAST;
        break;
    case 1:
        out[0] &= 0x0fff0fffu;                    /* processor type cleared */
        out[1] &= 0x00ffffffu;                    /* APIC ID 0 */
        out[2] = (out[2] & PV_1C & ~NO_1C) | F1C_HYPERVISOR |
                 (c->dom0_kernel ? out[2] & F1C_EIST : 0) |
                 (c->xsave && (out[2] & F1C_XSAVE) ? F1C_XSAVE | (c->osxsave ? F1C_OSXSAVE : 0) : 0);
        out[3] = (out[3] & PV_1D) | (c->dom0_kernel ? out[3] & F1D_MTRR : 0);
        break;
    case 2:
        if (!amd)
            out[0] = (out[0] & ~0xffu) | 1;      /* one query */
        else
            zero(out);
        break;
    case 3: case 5: case 6: case 8: case 9: case 0xA: case 0xB: case 0xC:
        /* PSN, MONITOR, power, DCA, PMU (no vPMU), topology */
        zero(out);
        break;
    case 0xD: {                                   /* XSAVE: the x87 and SSE components only */
        uint32_t l1[4];
        c->raw(1, 0, l1);
        if (!c->xsave || !(l1[2] & F1C_XSAVE) || sub > 1) {
            zero(out);
        } else if (sub == 0) {
            out[0] &= XSTATE_FP_SSE;
            out[1] = out[2] = XSTATE_FP_SSE_SIZE;
            out[3] = 0;
        } else {
            out[0] &= PV_XD1A;
            out[1] = (out[0] & B(1)) ? XSTATE_FP_SSE_SIZE : 0;   /* XSAVEC's size for XCR0 */
            out[2] = out[3] = 0;
        }
        break;
    }
    case 4:
        if (amd)
            zero(out);
        break;
    case 7:
        if (sub == 0) {
            out[0] = out[0] > 2 ? 2 : out[0];
            out[1] &= PV_7B0 & ~NO_7B0;
            out[2] &= PV_7C0 & ~NO_7C0;
            out[3] = (out[3] & PV_7D0 & ~NO_7D0 & ~NO_SPEC_7D0) | F7D_ARCH_CAPS;   /* MSR_ARCH_CAPABILITIES reads 0 */
        } else if (sub == 1) {
            out[0] &= PV_7A1 & ~NO_7A1;
            out[1] = out[2] = out[3] = 0;
        } else if (sub == 2) {
            out[0] = out[1] = out[2] = 0;
            out[3] &= PV_7D2;
        } else {
            zero(out);
        }
        break;
    case 0x80000000u:
        if (out[0] > (amd ? EXTD_LAST_AMD : EXTD_LAST_INTEL))
            out[0] = amd ? EXTD_LAST_AMD : EXTD_LAST_INTEL;
        if (!amd)
            out[1] = out[2] = out[3] = 0;        /* the vendor is not repeated on Intel */
        break;
    case 0x80000001u: {
        uint32_t l1[4];
        c->raw(1, 0, l1);
        out[2] &= PV_E1C & ~NO_E1C;
        if (amd) {
            out[1] &= 0xff00ffffu;
            out[3] = (out[3] & PV_E1D & ~COMMON_1D) | (l1[3] & PV_1D & COMMON_1D);
        } else {
            out[0] = out[1] = 0;
            out[3] &= PV_E1D & ~COMMON_1D;
        }
        if (c->dom0_kernel)
            out[3] |= l1[3] & F1D_MTRR;
        break;
    }
    case 0x80000005u:
        if (!amd)
            zero(out);
        break;
    case 0x80000006u:
        if (!amd)
            out[0] = out[1] = out[3] = 0;
        break;
    case 0x80000007u:
        out[0] = out[1] = out[2] = 0;
        out[3] = 0;                               /* no power or RAS features offered */
        break;
    case 0x80000008u:
        out[0] &= 0xffffu;
        out[1] &= PV_E8B & ~NO_SPEC_E8B;
        out[2] = amd ? out[2] & 0x0003f0ffu : 0;
        out[3] = 0;
        break;
    default:
        /* 0x80000002-4: the brand string. AMD's further leaves are not offered. */
        if (leaf > 0x80000008u)
            zero(out);
        break;
    }
}

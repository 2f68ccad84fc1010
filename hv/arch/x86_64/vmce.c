/* Virtual machine-check MSRs (see vmce.h). MCG_CAP announces two banks
 * (Intel: with software error recovery, threshold-based status and CMCI,
 * none of which ever fires); MCi_CTL read as all ones and writes to them
 * are dropped; MCi_STATUS, ADDR and MISC read 0 and take only 0; MCG_STATUS
 * and the Intel MCi_CTL2 keep what is written; MSRs of banks beyond the two
 * read 0 and drop writes. */
#include "arch/x86_64/vmce.h"

#define MSR_P5_MC_ADDR   0x0
#define MSR_P5_MC_TYPE   0x1
#define MSR_MCG_CAP      0x179
#define MSR_MCG_STATUS   0x17a
#define MSR_MCG_CTL      0x17b
#define MSR_MC0_CTL2     0x280
#define MSR_MC31_CTL2    0x29f
#define MSR_MC0_CTL      0x400
#define MSR_MC31_MISC    0x47f
#define MSR_MCG_EXT_CTL  0x4d0

#define MCG_CMCI_P  (1ull << 10)
#define MCG_TES_P   (1ull << 11)
#define MCG_SER_P   (1ull << 24)

enum vmce_result vmce_read(const struct vmce *s, bool intel, uint32_t msr, uint64_t *val)
{
    *val = 0;
    switch (msr) {
    case MSR_P5_MC_ADDR:
    case MSR_P5_MC_TYPE:
    case MSR_MCG_CTL:                       /* no MCG_CTL_P */
        return VMCE_DONE;
    case MSR_MCG_CAP:
        *val = VMCE_BANKS | (intel ? MCG_SER_P | MCG_TES_P | MCG_CMCI_P : 0);
        return VMCE_DONE;
    case MSR_MCG_STATUS:
        *val = s->mcg_status;
        return VMCE_DONE;
    case MSR_MCG_EXT_CTL:                   /* no local machine check */
        return VMCE_GP;
    }
    if (msr >= MSR_MC0_CTL2 && msr <= MSR_MC31_CTL2) {
        if (intel && msr - MSR_MC0_CTL2 < VMCE_BANKS)
            *val = s->ctl2[msr - MSR_MC0_CTL2];
        return VMCE_DONE;
    }
    if (msr >= MSR_MC0_CTL && msr <= MSR_MC31_MISC) {
        if ((msr - MSR_MC0_CTL) / 4 < VMCE_BANKS && (msr & 3) == 0)
            *val = ~0ull;                   /* MCi_CTL: everything enabled */
        return VMCE_DONE;
    }
    return VMCE_NOT_MINE;
}

enum vmce_result vmce_write(struct vmce *s, bool intel, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_P5_MC_ADDR:
    case MSR_P5_MC_TYPE:
    case MSR_MCG_EXT_CTL:
        return VMCE_GP;
    case MSR_MCG_CAP:                       /* read-only: the write changes nothing */
    case MSR_MCG_CTL:
        return VMCE_DONE;
    case MSR_MCG_STATUS:
        s->mcg_status = val;
        return VMCE_DONE;
    }
    if (msr >= MSR_MC0_CTL2 && msr <= MSR_MC31_CTL2) {
        if (intel && msr - MSR_MC0_CTL2 < VMCE_BANKS)
            s->ctl2[msr - MSR_MC0_CTL2] = val;
        return VMCE_DONE;
    }
    if (msr >= MSR_MC0_CTL && msr <= MSR_MC31_MISC) {
        if ((msr - MSR_MC0_CTL) / 4 < VMCE_BANKS && (msr & 3) != 0 && val != 0)
            return VMCE_GP;                 /* STATUS, ADDR, MISC take only 0 */
        return VMCE_DONE;
    }
    return VMCE_NOT_MINE;
}

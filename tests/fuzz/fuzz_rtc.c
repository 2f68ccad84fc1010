/* libFuzzer harness: decoding the CMOS clock registers
 * (hv/arch/x86_64/rtc.c: rtc_decode, rtc_to_unix).
 *
 * Input: 9 bytes: second, minute, hour, day, month, year, century,
 * status B, and a flag byte (bit 0: the FADT names a century register).
 * An accepted reading must be a valid date and time, and the Unix time of
 * a date from 1970 on must not be negative. */
#include <stdbool.h>

#include "arch/x86_64/rtc.h"
#include "fuzz.h"

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    struct rtc_regs r;
    struct rtc_time t;

    if (size < 9)
        return 0;
    r = (struct rtc_regs){ data[0], data[1], data[2], data[3], data[4], data[5], data[6], data[7] };
    if (!rtc_decode(&r, data[8] & 1, &t))
        return 0;
    FUZZ_CHECK(t.second <= 59 && t.minute <= 59 && t.hour <= 23);
    FUZZ_CHECK(t.month >= 1 && t.month <= 12 && t.day >= 1);
    FUZZ_CHECK(t.day <= mdays[t.month - 1] + (t.month == 2 && leap(t.year)));
    FUZZ_CHECK(t.year <= 9999);
    if (!(data[8] & 1))
        FUZZ_CHECK(t.year >= 2000 && t.year <= 2099);
    if (t.year >= 1970)
        FUZZ_CHECK(rtc_to_unix(&t) >= 0);
    else
        FUZZ_CHECK(rtc_to_unix(&t) == -1);
    return 0;
}

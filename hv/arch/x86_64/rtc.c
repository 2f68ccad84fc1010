/* Reading the CMOS real-time clock (MC146818-compatible) and turning its date
 * into Unix time. The decoding and the calendar are pure (host-tested). */
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/cpu.h"

#define CMOS_INDEX      0x70
#define CMOS_DATA       0x71

#define RTC_SECOND      0x00
#define RTC_MINUTE      0x02
#define RTC_HOUR        0x04
#define RTC_DAY         0x07
#define RTC_MONTH       0x08
#define RTC_YEAR        0x09
#define RTC_STATUS_A    0x0A
#define RTC_STATUS_B    0x0B

#define STATUS_A_UIP    0x80        /* an update is in progress: registers unstable */
#define STATUS_B_24H    0x02
#define STATUS_B_BINARY 0x04
#define HOUR_PM         0x80        /* 12-hour mode */

#define UIP_MAX_POLLS   1000000u    /* an update lasts ~2 ms; this is far more */
#define READ_ATTEMPTS   8

/* ---- pure part ---- */

/* A register in the RTC's data mode to binary; -1 if it is not valid BCD. */
static int field(uint8_t v, bool binary)
{
    if (binary)
        return v;
    if ((v & 0x0f) > 9 || (v >> 4) > 9)
        return -1;
    return (v >> 4) * 10 + (v & 0x0f);
}

static bool leap_year(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

bool rtc_decode(const struct rtc_regs *r, bool have_century, struct rtc_time *t)
{
    bool binary = (r->status_b & STATUS_B_BINARY) != 0;
    bool h24 = (r->status_b & STATUS_B_24H) != 0;
    int sec = field(r->second, binary), min = field(r->minute, binary);
    int hour = field(r->hour & (h24 ? 0xff : ~HOUR_PM & 0xff), binary);
    int day = field(r->day, binary), month = field(r->month, binary);
    int year = field(r->year, binary);
    int century = have_century ? field(r->century, binary) : 20;

    if (sec < 0 || sec > 59 || min < 0 || min > 59 || year < 0 || year > 99 ||
        century < 0 || century > 99 || month < 1 || month > 12 || hour < 0)
        return false;
    if (!h24) {
        /* 12-hour clock: 12 AM is midnight, 12 PM is noon. */
        if (hour < 1 || hour > 12)
            return false;
        hour = hour % 12 + ((r->hour & HOUR_PM) ? 12 : 0);
    }
    if (hour > 23)
        return false;
    t->year = (unsigned)(century * 100 + year);
    t->month = (unsigned)month;
    if (day < 1 || (unsigned)day > days_in_month(t->year, t->month))
        return false;
    t->day = (unsigned)day;
    t->hour = (unsigned)hour;
    t->minute = (unsigned)min;
    t->second = (unsigned)sec;
    return true;
}

int64_t rtc_to_unix(const struct rtc_time *t)
{
    static const uint16_t days_before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    int64_t days = 0;

    if (t->year < 1970 || t->month < 1 || t->month > 12)
        return -1;
    for (unsigned y = 1970; y < t->year; y++)
        days += leap_year(y) ? 366 : 365;
    days += days_before[t->month - 1] + (t->month > 2 && leap_year(t->year)) + t->day - 1;
    return ((days * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
}

/* ---- the device ---- */

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static bool wait_while_updating(void)
{
    for (uint32_t i = 0; i < UIP_MAX_POLLS; i++)
        if (!(cmos_read(RTC_STATUS_A) & STATUS_A_UIP))
            return true;
    return false;
}

static void read_regs(struct rtc_regs *r, uint8_t century_reg)
{
    r->second = cmos_read(RTC_SECOND);
    r->minute = cmos_read(RTC_MINUTE);
    r->hour = cmos_read(RTC_HOUR);
    r->day = cmos_read(RTC_DAY);
    r->month = cmos_read(RTC_MONTH);
    r->year = cmos_read(RTC_YEAR);
    r->century = century_reg ? cmos_read(century_reg) : 0;
    r->status_b = cmos_read(RTC_STATUS_B);
}

bool rtc_read(struct rtc_time *t, uint8_t century_reg)
{
    struct rtc_regs a, b;

    /* An update may start between the status check and the last register:
     * accept a reading only when the next one, after any update, is equal. */
    for (unsigned attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        if (!wait_while_updating())
            return false;
        read_regs(&a, century_reg);
        if (!wait_while_updating())
            return false;
        read_regs(&b, century_reg);
        if (a.second == b.second && a.minute == b.minute && a.hour == b.hour && a.day == b.day &&
            a.month == b.month && a.year == b.year && a.century == b.century &&
            a.status_b == b.status_b)
            return rtc_decode(&a, century_reg != 0, t);
    }
    return false;
}

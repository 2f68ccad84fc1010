/* The CMOS real-time clock, read once at boot for the wall clock. */
#ifndef HV_ARCH_RTC_H
#define HV_ARCH_RTC_H

#include <stdint.h>
#include <stdbool.h>

struct rtc_time {
    unsigned year, month, day, hour, minute, second;   /* month and day from 1 */
};

/* Read the date, following the update-in-progress protocol (two equal
 * readings outside an update), in BCD or binary, 12- or 24-hour mode. With
 * century_reg (the ACPI FADT's CENTURY field) 0, the year is taken to be
 * 20xx. false if the RTC never settles or the date is not valid. */
bool rtc_read(struct rtc_time *t, uint8_t century_reg);

/* ---- pure helpers (host-tested) ---- */
/* The raw registers of one reading. */
struct rtc_regs {
    uint8_t second, minute, hour, day, month, year, century;
    uint8_t status_b;                                   /* data mode, 12/24 h */
};
/* Decode them (century 0: 20xx); false if a field is out of range. */
bool rtc_decode(const struct rtc_regs *r, bool have_century, struct rtc_time *t);
/* Seconds since 1970-01-01 00:00:00 UTC (the RTC is taken to run in UTC);
 * -1 for a date before 1970. */
int64_t rtc_to_unix(const struct rtc_time *t);

#endif

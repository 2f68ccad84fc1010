/* Tests for the pure part of hv/arch/x86_64/rtc.c: decoding CMOS RTC
 * registers and the calendar behind the wall clock. */
#define _DEFAULT_SOURCE         /* timegm */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "arch/x86_64/rtc.h"
#include "test.h"

#define BCD(x) ((uint8_t)((((x) / 10) << 4) | ((x) % 10)))
#define STATUS_B_24H    0x02
#define STATUS_B_BINARY 0x04

static void test_bcd_24h(void)
{
    struct rtc_regs r = { .second = BCD(56), .minute = BCD(34), .hour = BCD(23), .day = BCD(31),
                          .month = BCD(12), .year = BCD(99), .status_b = STATUS_B_24H };
    struct rtc_time t;

    CHECK(rtc_decode(&r, false, &t));
    CHECK_EQ(t.year, 2099);
    CHECK_EQ(t.month, 12);
    CHECK_EQ(t.day, 31);
    CHECK_EQ(t.hour, 23);
    CHECK_EQ(t.minute, 34);
    CHECK_EQ(t.second, 56);
}

static void test_binary_24h_with_century(void)
{
    struct rtc_regs r = { .second = 7, .minute = 8, .hour = 9, .day = 10, .month = 11, .year = 99,
                          .century = 19, .status_b = STATUS_B_24H | STATUS_B_BINARY };
    struct rtc_time t;

    CHECK(rtc_decode(&r, true, &t));
    CHECK_EQ(t.year, 1999);
    CHECK_EQ(t.hour, 9);
    r.century = 20;
    r.year = 5;
    CHECK(rtc_decode(&r, true, &t));
    CHECK_EQ(t.year, 2005);
}

static void test_12h_mode(void)
{
    /* hour register, PM flag in bit 7: 12 AM = 0h, 1 AM = 1h, 12 PM = 12h, 11 PM = 23h */
    static const struct { uint8_t reg; unsigned hour; } cases[] = {
        { 0x12, 0 }, { 0x01, 1 }, { 0x11, 11 }, { 0x80 | 0x12, 12 }, { 0x80 | 0x01, 13 },
        { 0x80 | 0x11, 23 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rtc_regs r = { .second = 0, .minute = 0, .hour = cases[i].reg, .day = 1, .month = 1,
                              .year = BCD(24), .status_b = 0 };
        struct rtc_time t;
        CHECK(rtc_decode(&r, false, &t));
        CHECK_EQ(t.hour, cases[i].hour);
    }
    /* Binary 12-hour mode: 12 PM is 0x8C. */
    struct rtc_regs r = { .hour = 0x80 | 12, .day = 1, .month = 1, .year = 24, .status_b = STATUS_B_BINARY };
    struct rtc_time t;
    CHECK(rtc_decode(&r, false, &t));
    CHECK_EQ(t.hour, 12);
    r.hour = 0;                     /* no hour 0 on a 12-hour clock */
    CHECK(!rtc_decode(&r, false, &t));
}

static void test_rejects_garbage(void)
{
    struct rtc_regs good = { .second = BCD(1), .minute = BCD(2), .hour = BCD(3), .day = BCD(4),
                             .month = BCD(5), .year = BCD(6), .status_b = STATUS_B_24H };
    struct rtc_regs r;
    struct rtc_time t;

    CHECK(rtc_decode(&good, false, &t));
    r = good; r.second = 0x5A;      CHECK(!rtc_decode(&r, false, &t));     /* not BCD */
    r = good; r.second = BCD(60);   CHECK(!rtc_decode(&r, false, &t));
    r = good; r.minute = BCD(60);   CHECK(!rtc_decode(&r, false, &t));
    r = good; r.hour = BCD(24);     CHECK(!rtc_decode(&r, false, &t));
    r = good; r.month = 0;          CHECK(!rtc_decode(&r, false, &t));
    r = good; r.month = BCD(13);    CHECK(!rtc_decode(&r, false, &t));
    r = good; r.day = 0;            CHECK(!rtc_decode(&r, false, &t));
    r = good; r.month = BCD(4); r.day = BCD(31); CHECK(!rtc_decode(&r, false, &t));
    r = good; r.month = BCD(2); r.day = BCD(29); r.year = BCD(23); CHECK(!rtc_decode(&r, false, &t));
    r = good; r.month = BCD(2); r.day = BCD(29); r.year = BCD(24); CHECK(rtc_decode(&r, false, &t));
    r = good; r.month = 0xFF; r.day = 0xFF; r.year = 0xFF; CHECK(!rtc_decode(&r, false, &t));   /* no RTC */
    r = good; r.status_b |= STATUS_B_BINARY; r.year = 100; CHECK(!rtc_decode(&r, false, &t));
}

static void test_unix_fixed_points(void)
{
    struct rtc_time epoch = { 1970, 1, 1, 0, 0, 0 };
    struct rtc_time y2k = { 2000, 1, 1, 0, 0, 0 };
    struct rtc_time leap = { 2024, 2, 29, 12, 0, 0 };
    struct rtc_time y2038 = { 2038, 1, 19, 3, 14, 8 };
    struct rtc_time before = { 1969, 12, 31, 23, 59, 59 };

    CHECK_EQ(rtc_to_unix(&epoch), 0);
    CHECK_EQ(rtc_to_unix(&y2k), 946684800);
    CHECK_EQ(rtc_to_unix(&leap), 1709208000);
    CHECK_EQ(rtc_to_unix(&y2038), 2147483648ll);
    CHECK_EQ(rtc_to_unix(&before), -1);
}

/* Against the C library's timegm over 1970..2199. */
static void test_unix_against_libc(void)
{
    srand(777);
    for (int i = 0; i < 100000; i++) {
        struct rtc_time t;
        struct tm tm = { 0 };
        static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        t.year = 1970 + (unsigned)(rand() % 230);
        t.month = 1 + (unsigned)(rand() % 12);
        t.day = 1 + (unsigned)(rand() % (int)mdays[t.month - 1]);
        if (t.month == 2 && t.day == 29 &&
            !((t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0))
            t.day = 28;
        t.hour = (unsigned)(rand() % 24);
        t.minute = (unsigned)(rand() % 60);
        t.second = (unsigned)(rand() % 60);
        tm.tm_year = (int)t.year - 1900;
        tm.tm_mon = (int)t.month - 1;
        tm.tm_mday = (int)t.day;
        tm.tm_hour = (int)t.hour;
        tm.tm_min = (int)t.minute;
        tm.tm_sec = (int)t.second;
        CHECK_EQ(rtc_to_unix(&t), (int64_t)timegm(&tm));
    }
}

int main(void)
{
    RUN_TEST(test_bcd_24h);
    RUN_TEST(test_binary_24h_with_century);
    RUN_TEST(test_12h_mode);
    RUN_TEST(test_rejects_garbage);
    RUN_TEST(test_unix_fixed_points);
    RUN_TEST(test_unix_against_libc);
    return test_main_result();
}

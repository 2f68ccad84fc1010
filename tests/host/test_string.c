/* Tests for hv/lib/string.c against the C library.
 *
 * The hypervisor's implementations are compiled into this program under
 * other names (hvs_*), so they do not clash with the C library's. */
#include <stdint.h>
#include <stdlib.h>

#include "test.h"

#define memcpy hvs_memcpy
#define memmove hvs_memmove
#define memset hvs_memset
#define memcmp hvs_memcmp
#define strlen hvs_strlen
#define strnlen hvs_strnlen
#define strcmp hvs_strcmp
#define strncmp hvs_strncmp
#define strchr hvs_strchr
#include "../../hv/lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void test_mem(void)
{
    unsigned char a[64], b[64], c[64];

    for (int i = 0; i < 64; i++)
        a[i] = (unsigned char)(i * 37 + 1);
    CHECK(hvs_memcpy(b, a, 64) == b);
    CHECK(memcmp(a, b, 64) == 0);
    CHECK(hvs_memset(b + 3, 0xab, 10) == b + 3);
    for (int i = 0; i < 64; i++)
        CHECK_EQ(b[i], (i >= 3 && i < 13) ? 0xab : a[i]);
    hvs_memset(b, 0, 0);
    CHECK_EQ(hvs_memcmp(a, a, 64), 0);
    memcpy(b, a, 64);
    b[20] = (unsigned char)(a[20] + 1);
    CHECK_EQ(hvs_memcmp(a, b, 64), -1);
    CHECK_EQ(hvs_memcmp(b, a, 64), 1);
    CHECK_EQ(hvs_memcmp(a, b, 20), 0);
    b[0] = 0xff;
    a[0] = 0x01;
    CHECK_EQ(sign(hvs_memcmp(a, b, 1)), sign(memcmp(a, b, 1)));   /* unsigned bytes */

    /* memmove in both directions with every overlap. */
    for (int shift = -8; shift <= 8; shift++) {
        for (int i = 0; i < 64; i++)
            b[i] = c[i] = (unsigned char)i;
        int src = 20, dst = 20 + shift;
        memmove(c + dst, c + src, 24);
        CHECK(hvs_memmove(b + dst, b + src, 24) == b + dst);
        CHECK(memcmp(b, c, 64) == 0);
    }

    /* Every alignment, length and overlap of a 160-byte area, the word copies
     * (same alignment on both sides) and the byte copies, against the C
     * library; memcpy only on disjoint areas. */
    static unsigned char x[160], y[160];
    for (int src = 0; src < 24; src++)
        for (int dst = 0; dst < 48; dst++)
            for (int len = 0; len <= 100; len += (len < 20 ? 1 : 7)) {
                for (int i = 0; i < 160; i++)
                    x[i] = y[i] = (unsigned char)(i * 13 + 5);
                memmove(y + dst, y + src, (size_t)len);
                hvs_memmove(x + dst, x + src, (size_t)len);
                CHECK(memcmp(x, y, 160) == 0);
                if (dst >= src + len || src >= dst + len) {
                    for (int i = 0; i < 160; i++)
                        x[i] = y[i] = (unsigned char)(i * 7 + 3);
                    memcpy(y + dst, y + src, (size_t)len);
                    hvs_memcpy(x + dst, x + src, (size_t)len);
                    CHECK(memcmp(x, y, 160) == 0);
                }
            }
}

static void test_str(void)
{
    static const char *const words[] = { "", "a", "ab", "abc", "abd", "b", "\xff", "abc\xff" };
    const size_t n = sizeof(words) / sizeof(words[0]);

    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(hvs_strlen(words[i]), strlen(words[i]));
        for (size_t k = 0; k < 5; k++)
            CHECK_EQ(hvs_strnlen(words[i], k), strlen(words[i]) < k ? strlen(words[i]) : k);
        for (size_t j = 0; j < n; j++) {
            CHECK_EQ(sign(hvs_strcmp(words[i], words[j])), sign(strcmp(words[i], words[j])));
            for (size_t k = 0; k < 5; k++)
                CHECK_EQ(sign(hvs_strncmp(words[i], words[j], k)),
                         sign(strncmp(words[i], words[j], k)));
        }
    }
    const char *s = "hello=world";
    CHECK(hvs_strchr(s, '=') == s + 5);
    CHECK(hvs_strchr(s, 'h') == s);
    CHECK(hvs_strchr(s, 'z') == NULL);
    CHECK(hvs_strchr(s, '\0') == s + strlen(s));
    CHECK(hvs_strchr("", 'a') == NULL);

    /* strnlen must not read past maxlen. */
    char *heap = malloc(3);
    memcpy(heap, "abc", 3);
    CHECK_EQ(hvs_strnlen(heap, 3), 3);
    free(heap);
}

int main(void)
{
    RUN_TEST(test_mem);
    RUN_TEST(test_str);
    return test_main_result();
}

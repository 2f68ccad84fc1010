/*
 * tests/abi: expands abi_list.h into a function filling a struct abi_table.
 * Included by abi_ours.c and abi_theirs.c after their ABI headers, with
 * ABI_FILL_FN naming the function and ABI_OURS defined on our side only.
 */
#include <stdint.h>
#include <string.h>

#include "abi_table.h"

#define ABI_STR_(x) #x
#define ABI_XSTR(x) ABI_STR_(x)

/* Class of a (non-array, non-aggregate) type; 0 for everything else. */
#define ABI_KIND(e) _Generic((e),                                   \
    _Bool: 1, char: 2, signed char: 3, unsigned char: 4,            \
    short: 5, unsigned short: 6, int: 7, unsigned int: 8,           \
    long: 9, unsigned long: 10, long long: 11,                      \
    unsigned long long: 12, default: 0)

#define ABI_PUSH(...) \
    abi_push(t, (struct abi_entry){ __VA_ARGS__, .line = __LINE__ })

#define STRUCT(T) ABI_PUSH(.what = ABI_STRUCT, .key = #T, \
    .a = sizeof(T), .b = _Alignof(T));
#define GROUP(label) ABI_PUSH(.what = ABI_GROUP, .key = label);
#define FIELD(T, m) ABI_PUSH(.what = ABI_FIELD, .key = #T, .member = #m, \
    .a = offsetof(T, m), .b = sizeof(((T *)0)->m), .kind = ABI_KIND(((T *)0)->m));
#define FLEX(T, m) ABI_PUSH(.what = ABI_FLEX, .key = #T, .member = #m, \
    .a = offsetof(T, m));
#define TYPE(T) ABI_PUSH(.what = ABI_TYPE, .key = #T, \
    .a = sizeof(T), .b = _Alignof(T), .kind = ABI_KIND(*(T *)0));
#define SIZE(label, T) ABI_PUSH(.what = ABI_SIZE, .key = #label, .member = #T, \
    .a = sizeof(T));
#define HANDLE(n) ABI_PUSH(.what = ABI_HANDLE, .key = #n, \
    .a = sizeof(XEN_GUEST_HANDLE(n)), .b = sizeof(XEN_GUEST_HANDLE(const_##n)));
#define CONST(N) ABI_PUSH(.what = ABI_CONST, .key = #N, \
    .a = (unsigned long long)(N), .kind = ABI_KIND(N));
#ifdef ABI_OURS
#define ABI_XREF(N, ref) N
#else
#define ABI_XREF(N, ref) ref
#endif
#define XCONST(N, ref) ABI_PUSH(.what = ABI_CONST, .key = #N, \
    .a = (unsigned long long)(ABI_XREF(N, ref)), .kind = ABI_KIND(ABI_XREF(N, ref)));
#define EXPR(label, e) ABI_PUSH(.what = ABI_EXPR, .key = #label, .member = #e, \
    .a = (unsigned long long)(e), .kind = ABI_KIND(e));
#define STR(N) ABI_PUSH(.what = ABI_STR, .key = #N, .text = N);
#define TEXT(N) ABI_PUSH(.what = ABI_TEXT, .key = #N, .text = ABI_XSTR(N));
#define HSET(label) {                                                   \
        XEN_GUEST_HANDLE(uint8) h_;                                     \
        unsigned long long bits_ = 0;                                   \
        memset(&h_, 0, sizeof(h_));                                     \
        label(h_, (uint8_t *)(uintptr_t)0x12345678abcdULL);             \
        memcpy(&bits_, &h_, sizeof(h_) < sizeof(bits_) ? sizeof(h_) : sizeof(bits_)); \
        ABI_PUSH(.what = ABI_HSET, .key = #label, .a = bits_);          \
    }

/* Types of our own, to exercise the handle-defining macros on both sides. */
typedef struct abi_probe { uint32_t x; uint64_t y; } abi_probe;
DEFINE_XEN_GUEST_HANDLE(abi_probe);
__DEFINE_XEN_GUEST_HANDLE(abi_probe2, struct abi_probe);

/* FNV-1a hash of n bytes, to compare macro-built objects byte for byte. */
static __attribute__((unused)) unsigned long long abi_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    unsigned long long h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* The list to expand: abi_list.h unless the includer names another. */
#ifndef ABI_LIST
#define ABI_LIST "abi_list.h"
#endif

void ABI_FILL_FN(struct abi_table *t)
{
#include ABI_LIST
}

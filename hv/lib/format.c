/* printf-style formatter; see format.h for what it supports. */
#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/string.h"

#define FL_LEFT  0x01u   /* '-' */
#define FL_ZERO  0x02u   /* '0' */
#define FL_ALT   0x04u   /* '#' */
#define FL_SPACE 0x08u   /* ' ' */
#define FL_PLUS  0x10u   /* '+' */

enum fmt_len { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

struct fmt_out {
    char *buf;
    size_t size;
    size_t pos;      /* characters produced so far, stored or not */
};

struct fmt_spec {
    unsigned flags;
    int width;       /* 0 when absent */
    int prec;        /* -1 when absent */
};

static void out_char(struct fmt_out *o, char c)
{
    if (o->size && o->pos < o->size - 1)
        o->buf[o->pos] = c;
    o->pos++;
}

static void out_repeat(struct fmt_out *o, char c, size_t n)
{
    while (n--)
        out_char(o, c);
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
    while (n--)
        out_char(o, *s++);
}

/* Text (already limited by the precision) padded to the field width. */
static void out_padded(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
    size_t pad = (sp->width > 0 && (size_t)sp->width > n) ? (size_t)sp->width - n : 0;

    if (!(sp->flags & FL_LEFT))
        out_repeat(o, ' ', pad);
    out_mem(o, s, n);
    if (sp->flags & FL_LEFT)
        out_repeat(o, ' ', pad);
}

/* An integer conversion. 'neg' says the magnitude 'v' came from a negative
 * signed value; 'pointer' forces the 0x prefix (%p). */
static void out_number(struct fmt_out *o, const struct fmt_spec *sp, uint64_t v, bool neg,
                       unsigned base, bool upper, bool pointer)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];                    /* 64-bit octal needs 22 digits */
    size_t ndig = 0, zeros = 0, total, pad;
    char prefix[2];
    size_t npre = 0;
    uint64_t x = v;

    if (!(sp->prec == 0 && v == 0)) {
        do {
            tmp[sizeof(tmp) - 1 - ndig++] = digits[x % base];
            x /= base;
        } while (x);
    }
    if (sp->prec > 0 && (size_t)sp->prec > ndig)
        zeros = (size_t)sp->prec - ndig;

    if (base == 10) {
        if (neg)
            prefix[npre++] = '-';
        else if (sp->flags & FL_PLUS)
            prefix[npre++] = '+';
        else if (sp->flags & FL_SPACE)
            prefix[npre++] = ' ';
    } else if (base == 16 && (pointer || ((sp->flags & FL_ALT) && v != 0))) {
        prefix[npre++] = '0';
        prefix[npre++] = upper ? 'X' : 'x';
    } else if (base == 8 && (sp->flags & FL_ALT) && zeros == 0 &&
               (ndig == 0 || tmp[sizeof(tmp) - ndig] != '0')) {
        zeros = 1;                   /* '#' with octal: the first digit is a 0 */
    }

    total = npre + zeros + ndig;
    pad = (sp->width > 0 && (size_t)sp->width > total) ? (size_t)sp->width - total : 0;

    if (sp->flags & FL_LEFT) {
        out_mem(o, prefix, npre);
        out_repeat(o, '0', zeros);
        out_mem(o, tmp + sizeof(tmp) - ndig, ndig);
        out_repeat(o, ' ', pad);
    } else if ((sp->flags & FL_ZERO) && sp->prec < 0) {
        out_mem(o, prefix, npre);
        out_repeat(o, '0', pad + zeros);
        out_mem(o, tmp + sizeof(tmp) - ndig, ndig);
    } else {
        out_repeat(o, ' ', pad);
        out_mem(o, prefix, npre);
        out_repeat(o, '0', zeros);
        out_mem(o, tmp + sizeof(tmp) - ndig, ndig);
    }
}

/* Parse a run of decimal digits, saturating far beyond any sane width. */
static int parse_decimal(const char **pp)
{
    const char *p = *pp;
    int v = 0;

    while (*p >= '0' && *p <= '9') {
        if (v < 100000000)
            v = v * 10 + (*p - '0');
        p++;
    }
    *pp = p;
    return v;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_out o = { buf, size, 0 };
    const char *p = fmt;

    while (*p) {
        struct fmt_spec sp = { 0, 0, -1 };
        enum fmt_len len = LEN_INT;
        const char *start;
        bool more = true;

        if (*p != '%') {
            out_char(&o, *p++);
            continue;
        }
        start = p++;

        while (more) {
            switch (*p) {
            case '-': sp.flags |= FL_LEFT; p++; break;
            case '0': sp.flags |= FL_ZERO; p++; break;
            case '#': sp.flags |= FL_ALT; p++; break;
            case ' ': sp.flags |= FL_SPACE; p++; break;
            case '+': sp.flags |= FL_PLUS; p++; break;
            default: more = false; break;
            }
        }

        if (*p == '*') {
            int w = va_arg(ap, int);
            p++;
            if (w < 0) {
                sp.flags |= FL_LEFT;
                w = (w == INT32_MIN) ? INT32_MAX : -w;
            }
            sp.width = w;
        } else {
            sp.width = parse_decimal(&p);
        }

        if (*p == '.') {
            p++;
            if (*p == '*') {
                int pr = va_arg(ap, int);
                p++;
                sp.prec = pr < 0 ? -1 : pr;
            } else {
                sp.prec = parse_decimal(&p);
            }
        }

        switch (*p) {
        case 'h':
            p++;
            if (*p == 'h') {
                p++;
                len = LEN_CHAR;
            } else {
                len = LEN_SHORT;
            }
            break;
        case 'l':
            p++;
            if (*p == 'l') {
                p++;
                len = LEN_LLONG;
            } else {
                len = LEN_LONG;
            }
            break;
        case 'z': p++; len = LEN_SIZE; break;
        case 't': p++; len = LEN_PTRDIFF; break;
        case 'j': p++; len = LEN_MAX; break;
        default: break;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v;
            switch (len) {
            case LEN_CHAR: v = (signed char)va_arg(ap, int); break;
            case LEN_SHORT: v = (short)va_arg(ap, int); break;
            case LEN_LONG: v = va_arg(ap, long); break;
            case LEN_LLONG: v = va_arg(ap, long long); break;
            case LEN_SIZE: v = (int64_t)va_arg(ap, size_t); break;
            case LEN_PTRDIFF: v = va_arg(ap, ptrdiff_t); break;
            case LEN_MAX: v = va_arg(ap, intmax_t); break;
            default: v = va_arg(ap, int); break;
            }
            out_number(&o, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, 10, false, false);
            p++;
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v;
            unsigned base = (*p == 'u') ? 10 : (*p == 'o') ? 8 : 16;
            switch (len) {
            case LEN_CHAR: v = (unsigned char)va_arg(ap, unsigned int); break;
            case LEN_SHORT: v = (unsigned short)va_arg(ap, unsigned int); break;
            case LEN_LONG: v = va_arg(ap, unsigned long); break;
            case LEN_LLONG: v = va_arg(ap, unsigned long long); break;
            case LEN_SIZE: v = va_arg(ap, size_t); break;
            case LEN_PTRDIFF: v = (uint64_t)va_arg(ap, ptrdiff_t); break;
            case LEN_MAX: v = va_arg(ap, uintmax_t); break;
            default: v = va_arg(ap, unsigned int); break;
            }
            /* Sign flags only apply to signed conversions. */
            sp.flags &= ~(FL_PLUS | FL_SPACE);
            out_number(&o, &sp, v, false, base, *p == 'X', false);
            p++;
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            sp.flags &= ~(FL_PLUS | FL_SPACE | FL_ALT);
            out_number(&o, &sp, v, false, 16, false, true);
            p++;
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            size_t n;
            if (!s)
                s = "(null)";
            n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
            out_padded(&o, &sp, s, n);
            p++;
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            out_padded(&o, &sp, &c, 1);
            p++;
            break;
        }
        case '%':
            out_char(&o, '%');
            p++;
            break;
        default:
            /* Unknown or truncated conversion: print it as written. */
            if (*p)
                p++;
            out_mem(&o, start, (size_t)(p - start));
            break;
        }
    }

    if (size)
        buf[o.pos < size ? o.pos : size - 1] = '\0';
    return o.pos > (size_t)INT32_MAX ? INT32_MAX : (int)o.pos;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

/* parse.c — Str.parse_int and Str.parse_float (spec §7, spec/stdlib.md §4).
 *
 * The accepted text follows the literals of spec §1.4 without the base
 * prefixes: an optional sign, decimal digits with '_' allowed after any
 * digit but not at the end, for Float a fraction and an exponent, plus
 * "inf" and "nan" so that what __loam_fmt_float prints reads back.
 * Nothing else (no spaces) is accepted: the caller trims.
 *
 * parse_float is correctly rounded (to nearest, ties to even). Up to 19
 * digits times an exact power of ten take the fast path; the rest divide
 * two big integers exactly (bignum.c) to get 57 bits and a sticky bit.
 */
#include "std_internal.h"

_Noreturn static void cannot_parse(const char *where, loam_str s, const char *type)
{
    std_msg m = {0};
    std_msg_cstr(&m, "cannot parse ");
    std_msg_quoted(&m, s);
    std_msg_cstr(&m, " as ");
    std_msg_cstr(&m, type);
    __loam_panic(where, std_msg_done(&m));
}

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* digits: [0-9] [0-9_]* with no trailing '_'; returns the end, or -1. */
static int64_t scan_digits(loam_str s, int64_t i)
{
    if (i >= s.len || !is_digit(s.ptr[i]))
        return -1;
    while (i < s.len && (is_digit(s.ptr[i]) || s.ptr[i] == '_'))
        i++;
    return s.ptr[i - 1] == '_' ? -1 : i;
}

int64_t __loam_str_parse_int(const char *where, loam_str s)
{
    int64_t i = 0;
    bool neg = false;
    if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-'))
        neg = s.ptr[i++] == '-';
    int64_t end = scan_digits(s, i);
    if (end != s.len)
        cannot_parse(where, s, "an Int");
    /* Accumulate negatively so that INT64_MIN fits. */
    int64_t acc = 0;
    for (; i < end; i++) {
        if (s.ptr[i] == '_')
            continue;
        int d = s.ptr[i] - '0';
        if (acc < (INT64_MIN + d) / 10)
            cannot_parse(where, s, "an Int");
        acc = acc * 10 - d;
    }
    if (!neg) {
        if (acc == INT64_MIN)
            cannot_parse(where, s, "an Int");
        acc = -acc;
    }
    return acc;
}

static double double_of(uint64_t b)
{
    double v;
    __builtin_memcpy(&v, &b, 8);
    return v;
}

enum { MAX_DIGITS = 800 };   /* > 767, the most a halfway point between doubles needs */

/* D × 10^e10 rounded to a double, D the nd digits in d (nd >= 1, d[0] != 0). */
static double exact_value(const char *d, int nd, int e10)
{
    if (nd + e10 > 310)
        return double_of(0x7ffull << 52);
    if (nd + e10 < -324)
        return 0.0;
    if (nd <= 19 && e10 >= -22 && e10 <= 22) {
        uint64_t v = 0;
        for (int i = 0; i < nd; i++)
            v = v * 10 + (uint64_t)(d[i] - '0');
        static const double pow10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
            1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
            1e21, 1e22};
        if (v <= (1ull << 53))           /* v and 10^|e10| exact: one rounding */
            return e10 >= 0 ? (double)v * pow10[e10] : (double)v / pow10[-e10];
    }

    std_big n, m, t;                     /* about 1.5 KiB of stack */
    n.n = 0;
    for (int i = 0; i < nd; i += 9) {
        uint32_t chunk = 0, scale = 1;
        for (int j = i; j < nd && j < i + 9; j++) {
            chunk = chunk * 10 + (uint32_t)(d[j] - '0');
            scale *= 10;
        }
        std_big_mul_small(&n, scale);
        std_big_add_small(&n, chunk);
    }
    std_big_set_u64(&m, 1);
    if (e10 >= 0)
        std_big_mul_pow10(&n, e10);
    else
        std_big_mul_pow10(&m, -e10);

    /* q = floor(n × 2^s / m) in [2^55, 2^57); value = (q + rest) × 2^-s. */
    int s = 56 - (std_big_bits(&n) - std_big_bits(&m));
    if (s > 0)
        std_big_shl(&n, s);
    else
        std_big_shl(&m, -s);
    /* Two estimates from the leading bits, each an underestimate, and at
     * most a few exact corrections. */
    uint64_t q = (uint64_t)(std_big_ratio(&n, &m) * (1 - 0x1p-48));
    std_big_mul_u64(&t, &m, q);
    std_big_sub(&n, &t);
    uint32_t more = (uint32_t)(std_big_ratio(&n, &m) * (1 - 1e-12));
    if (more) {
        std_big_submul_small(&n, &m, more);
        q += more;
    }
    while (std_big_cmp(&n, &m) >= 0) {
        std_big_sub(&n, &m);
        q++;
    }
    bool sticky = !std_big_is_zero(&n);

    int len = 64 - __builtin_clzll(q);
    int e = len - 1 - s;                 /* q's top bit has weight 2^e */
    int drop = e >= -1022 ? len - 53 : s - 1074;
    if (drop > 60)
        return 0.0;
    uint64_t mant = q >> drop, rest = q & ((1ull << drop) - 1), half = 1ull << (drop - 1);
    if (rest > half || (rest == half && (sticky || (mant & 1))))
        mant++;
    if (e < -1022)                       /* subnormal; 2^52 becomes the least normal */
        return double_of(mant);
    if (mant == (1ull << 53)) {
        mant >>= 1;
        e++;
    }
    if (e + 1023 >= 2047)
        return double_of(0x7ffull << 52);
    return double_of(((uint64_t)(e + 1023) << 52) | (mant & ((1ull << 52) - 1)));
}

double __loam_str_parse_float(const char *where, loam_str s)
{
    int64_t i = 0;
    bool neg = false;
    if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-'))
        neg = s.ptr[i++] == '-';
    loam_str rest = {s.ptr + i, s.len - i};
    double v;
    if (rest.len == 3 && memcmp(rest.ptr, "inf", 3) == 0) {
        v = double_of(0x7ffull << 52);
    } else if (rest.len == 3 && memcmp(rest.ptr, "nan", 3) == 0) {
        v = double_of(0x7ff8ull << 48);
    } else {
        char d[MAX_DIGITS + 1];
        int nd = 0;
        int64_t e10 = 0;                 /* value = D × 10^e10, D the digits in d */
        bool dropped = false;
        int64_t int_end = scan_digits(s, i);
        if (int_end < 0)
            cannot_parse(where, s, "a Float");
        int64_t frac_start = int_end, frac_end = int_end;
        if (int_end < s.len && s.ptr[int_end] == '.') {
            frac_start = int_end + 1;
            frac_end = scan_digits(s, frac_start);
            if (frac_end < 0)
                cannot_parse(where, s, "a Float");
        }
        int64_t j = frac_end;
        int64_t exp = 0;
        if (j < s.len && (s.ptr[j] == 'e' || s.ptr[j] == 'E')) {
            j++;
            bool eneg = false;
            if (j < s.len && (s.ptr[j] == '+' || s.ptr[j] == '-'))
                eneg = s.ptr[j++] == '-';
            int64_t eend = scan_digits(s, j);
            if (eend < 0)
                cannot_parse(where, s, "a Float");
            for (; j < eend; j++)
                if (s.ptr[j] != '_' && exp < 1000000)
                    exp = exp * 10 + (s.ptr[j] - '0');
            if (eneg)
                exp = -exp;
        }
        if (j != s.len)
            cannot_parse(where, s, "a Float");
        /* Significant digits: leading zeros skipped, at most MAX_DIGITS kept. */
        for (int64_t k = i; k < frac_end; k++) {
            uint8_t c = s.ptr[k];
            if (c == '_' || c == '.')
                continue;
            bool in_frac = k >= frac_start;
            if (nd == 0 && c == '0') {
                if (in_frac)
                    e10--;
                continue;
            }
            if (nd < MAX_DIGITS) {
                d[nd++] = (char)c;
                if (in_frac)
                    e10--;
            } else {
                if (c != '0')
                    dropped = true;
                if (!in_frac)
                    e10++;
            }
        }
        if (dropped)                     /* a nonzero tail: just above the kept digits */
            d[nd++] = '1', e10--;
        if (nd == 0) {
            v = 0.0;
        } else {
            e10 += exp;
            if (e10 > 100000)
                e10 = 100000;
            if (e10 < -100000)
                e10 = -100000;
            v = exact_value(d, nd, (int)e10);
        }
    }
    return neg ? -v : v;
}

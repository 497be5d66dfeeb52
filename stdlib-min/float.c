/* float.c — methods of Float (spec §7) and __loam_fmt_float (loam_rt.h §6).
 *
 * Formatting is exact: __loam_float_shortest finds the shortest digit
 * string that reads back as the same double, and among those the one
 * closest to it, with the free-format algorithm of Steele & White as
 * refined by Burger & Dybvig (exact big-integer arithmetic, bignum.c).
 * The text is laid out like Python's repr (spec/stdlib.md §3): "0.1",
 * "1.0", "1e+16", "1.5e-05", "inf", "-inf", "nan".
 *
 * floor/ceil/abs work on the bits, so the library needs no libm.
 */
#include "std_internal.h"

static uint64_t bits_of(double v)
{
    uint64_t b;
    __builtin_memcpy(&b, &v, 8);
    return b;
}

static double double_of(uint64_t b)
{
    double v;
    __builtin_memcpy(&v, &b, 8);
    return v;
}

static bool is_nan(double v) { return v != v; }

int64_t __loam_float_int(const char *where, double v)
{
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
        std_msg m = {0};
        std_msg_cstr(&m, "cannot convert ");
        loam_str s = __loam_fmt_float(v);
        std_msg_quoted(&m, s);
        std_msg_cstr(&m, " to an Int");
        __loam_panic(where, std_msg_done(&m));
    }
    return (int64_t)v;
}

loam_str __loam_float_str(double v) { return __loam_fmt_float(v); }

double __loam_float_sqrt(double v) { return __builtin_sqrt(v); }

double __loam_float_abs(double v) { return double_of(bits_of(v) & ~(1ull << 63)); }

double __loam_float_floor(double v)
{
    uint64_t b = bits_of(v);
    int e = (int)((b >> 52) & 0x7ff) - 1023;
    bool neg = b >> 63;
    if (e >= 52)                         /* integral, inf or nan */
        return v;
    if (e < 0) {                         /* |v| < 1 */
        if ((b << 1) == 0)
            return v;                    /* ±0 */
        return neg ? -1.0 : 0.0;
    }
    uint64_t frac = (1ull << (52 - e)) - 1;
    if ((b & frac) == 0)
        return v;
    if (neg)
        b += frac + 1;                   /* away from zero; a carry bumps the exponent */
    return double_of(b & ~frac);
}

double __loam_float_ceil(double v) { return -__loam_float_floor(-v); }

double __loam_float_min(double a, double b)
{
    if (is_nan(a) || is_nan(b))
        return a + b;
    if (a == b)                          /* -0.0 vs 0.0: the negative one */
        return double_of(bits_of(a) | bits_of(b));
    return a < b ? a : b;
}

double __loam_float_max(double a, double b)
{
    if (is_nan(a) || is_nan(b))
        return a + b;
    if (a == b)
        return double_of(bits_of(a) & bits_of(b));
    return a > b ? a : b;
}

/* A finite nonzero |v| as m × 2^e with m in [2^52, 2^53). */
static uint64_t split(double v, int *e)
{
    uint64_t b = bits_of(v);
    int be = (int)((b >> 52) & 0x7ff);
    uint64_t m = b & ((1ull << 52) - 1);
    if (be) {
        *e = be - 1075;
        return m | (1ull << 52);
    }
    *e = -1074;
    while (m < (1ull << 52)) {
        m <<= 1;
        --*e;
    }
    return m;
}

double __loam_float_rem(double a, double b)
{
    if (is_nan(a) || is_nan(b) || b == 0 || (bits_of(a) << 1) >= (0x7ffull << 53))
        return double_of(0x7ff8ull << 48);            /* NaN, inf % b, a % 0 */
    uint64_t sign = bits_of(a) & (1ull << 63);
    if (__loam_float_abs(a) < __loam_float_abs(b))
        return a;                                    /* also a = ±0 and b = ±inf */
    int ea, eb;
    uint64_t ma = split(a, &ea), mb = split(b, &eb);
    /* |a| = ma × 2^(ea - eb) × 2^eb: reduce ma × 2^(ea - eb) modulo mb,
     * eleven bits at a time so that nothing passes 2^64. */
    uint64_t r = ma % mb;
    for (int diff = ea - eb; diff > 0; diff -= 11) {
        int step = diff < 11 ? diff : 11;
        r = (r << step) % mb;
    }
    if (r == 0)
        return double_of(sign);
    int e = eb;                          /* the exact result r × 2^eb, renormalised */
    while (r < (1ull << 52) && e > -1074) {
        r <<= 1;
        e--;
    }
    for (; e < -1074; e++)               /* b subnormal: exact, r × 2^eb is a multiple of 2^-1074 */
        r >>= 1;
    if (r < (1ull << 52))
        return double_of(sign | r);      /* subnormal */
    return double_of(sign | ((uint64_t)(e + 1075) << 52) | (r & ((1ull << 52) - 1)));
}

/* The smallest k with (r + m+) / s < 10^k (<= if the upper boundary reads
 * back as v), starting from an estimate that is never too high. */
static int scale(std_big *r, std_big *s, std_big *mp, std_big *mm, int est, bool high_ok)
{
    int k = est;
    if (k >= 0) {
        std_big_mul_pow10(s, k);
    } else {
        std_big_mul_pow10(r, -k);
        std_big_mul_pow10(mp, -k);
        if (mm != mp)
            std_big_mul_pow10(mm, -k);
    }
    for (;;) {
        std_big t;
        std_big_add(&t, r, mp);
        int c = std_big_cmp(&t, s);
        if (high_ok ? c < 0 : c <= 0)
            return k;
        std_big_mul_small(s, 10);
        k++;
    }
}

typedef __uint128_t u128;

/* The same algorithm as below in 128-bit integers, for -100 <= e <= 50
 * (|v| from about 1e-15 to 1e31), where every quantity stays below 2^116:
 * s <= 2^109 (e < 0) or 4 × 10^32 (e >= 0), and r < 10 s. */
static int shortest_small(uint64_t f, int e, bool closer, bool even, int est, char digits[17],
                          int *exp10)
{
    u128 r, s, mp, mm;
    if (e >= 0) {
        r = (u128)f << (e + (closer ? 2 : 1));
        s = closer ? 4 : 2;
        mp = (u128)1 << (e + (closer ? 1 : 0));
        mm = (u128)1 << e;
    } else {
        r = (u128)f << (closer ? 2 : 1);
        s = (u128)1 << ((closer ? 2 : 1) - e);
        mp = closer ? 2 : 1;
        mm = 1;
    }
    int k = est;
    for (int i = 0; i < (k < 0 ? -k : k); i++) {
        if (k >= 0) {
            s *= 10;
        } else {
            r *= 10;
            mp *= 10;
            mm *= 10;
        }
    }
    while (even ? r + mp >= s : r + mp > s) {
        s *= 10;
        k++;
    }
    int n = 0;
    for (;;) {
        r *= 10;
        mp *= 10;
        mm *= 10;
        int d = 0;
        while (r >= s) {
            r -= s;
            d++;
        }
        bool low = even ? r <= mm : r < mm;
        bool high = even ? r + mp >= s : r + mp > s;
        if (!low && !high) {
            digits[n++] = (char)('0' + d);
            continue;
        }
        if (low && high)
            high = 2 * r > s || (2 * r == s && (d & 1));
        digits[n++] = (char)('0' + d + (high ? 1 : 0));
        break;
    }
    *exp10 = k;
    return n;
}

int __loam_float_shortest(double v, char digits[17], int *exp10)
{
    uint64_t b = bits_of(v);
    int be = (int)((b >> 52) & 0x7ff);
    uint64_t frac = b & ((1ull << 52) - 1);
    uint64_t f = be ? frac | (1ull << 52) : frac;
    int e = be ? be - 1075 : -1074;

    if (e < 0 && e >= -52 && (f & ((1ull << -e) - 1)) == 0) {
        /* An integer below 2^53: its digits without trailing zeros are the
         * shortest (the gaps around it are at most 1). */
        char d[20];
        int n = std_u64_digits(f >> -e, d);
        *exp10 = n;
        while (n > 1 && d[n - 1] == '0')
            n--;
        memcpy(digits, d, (size_t)n);
        return n;
    }

    bool closer = frac == 0 && be > 1;   /* the gap below v is half the gap above */
    bool even = (f & 1) == 0;            /* boundaries round to v on reading */
    /* est = ceil(log10(2^(e + bitlen(f) - 1))) - 1 or so: never above k. */
    int top = e + (64 - __builtin_clzll(f)) - 1;
    double l = top * 0.30102999566398114 - 1e-9;
    int est = (int)l;
    if (est < l)
        est++;
    est--;
    if (e >= -100 && e <= 50)
        return shortest_small(f, e, closer, even, est, digits, exp10);

    std_big r, s, mp, mm_closer;
    std_big *mm = closer ? &mm_closer : &mp;   /* the lower half-gap, usually the upper one */
    if (e >= 0) {
        std_big_set_u64(&r, f);
        std_big_shl(&r, e + (closer ? 2 : 1));
        std_big_set_u64(&s, closer ? 4 : 2);
        std_big_set_u64(&mp, 1);
        std_big_shl(&mp, e + (closer ? 1 : 0));
        std_big_set_u64(mm, 1);
        std_big_shl(mm, e);
    } else {
        std_big_set_u64(&r, f << (closer ? 2 : 1));
        std_big_set_u64(&s, 1);
        std_big_shl(&s, (closer ? 2 : 1) - e);
        std_big_set_u64(&mp, closer ? 2 : 1);
        std_big_set_u64(mm, 1);
    }
    int k = scale(&r, &s, &mp, mm, est, even);

    int n = 0;
    for (;;) {
        std_big_mul_small(&r, 10);
        std_big_mul_small(&mp, 10);
        if (mm != &mp)
            std_big_mul_small(mm, 10);
        /* d = r / s < 10: an estimate that is never too high, then at most
         * a step or two up. */
        int d = (int)(std_big_ratio(&r, &s) * (1 - 1e-12));
        if (d > 9)
            d = 9;
        if (d > 0)
            std_big_submul_small(&r, &s, (uint32_t)d);
        while (std_big_cmp(&r, &s) >= 0) {
            std_big_sub(&r, &s);
            d++;
        }
        int c1 = std_big_cmp(&r, mm);
        bool low = even ? c1 <= 0 : c1 < 0;
        std_big t;
        std_big_add(&t, &r, &mp);
        int c2 = std_big_cmp(&t, &s);
        bool high = even ? c2 >= 0 : c2 > 0;
        if (!low && !high) {
            digits[n++] = (char)('0' + d);
            continue;
        }
        if (low && high) {               /* both read back: the nearer one */
            std_big_add(&t, &r, &r);
            int c = std_big_cmp(&t, &s);
            high = c > 0 || (c == 0 && (d & 1));
        }
        digits[n++] = (char)('0' + d + (high ? 1 : 0));
        break;
    }
    *exp10 = k;
    return n;
}

static loam_str cstr(const char *s, int64_t n) { return (loam_str){(const uint8_t *)s, n}; }

loam_str __loam_fmt_float(double v)
{
    uint64_t b = bits_of(v);
    bool neg = b >> 63;
    if (is_nan(v))
        return cstr("nan", 3);
    if ((b << 1) == (0x7ffull << 53))
        return neg ? cstr("-inf", 4) : cstr("inf", 3);
    if ((b << 1) == 0)
        return neg ? cstr("-0.0", 4) : cstr("0.0", 3);

    char d[17];
    int k;
    int n = __loam_float_shortest(neg ? -v : v, d, &k);
    char out[32];                        /* at most "-0.0000" + 17 digits, or 17 + "-.e-324" */
    int len = 0;
    if (neg)
        out[len++] = '-';
    int x = k - 1;                       /* v = d1.d2… × 10^x */
    if (x >= -4 && x < 16) {
        if (k <= 0) {
            out[len++] = '0';
            out[len++] = '.';
            for (int i = 0; i < -k; i++)
                out[len++] = '0';
            for (int i = 0; i < n; i++)
                out[len++] = d[i];
        } else if (k >= n) {
            for (int i = 0; i < n; i++)
                out[len++] = d[i];
            for (int i = n; i < k; i++)
                out[len++] = '0';
            out[len++] = '.';
            out[len++] = '0';
        } else {
            for (int i = 0; i < n; i++) {
                if (i == k)
                    out[len++] = '.';
                out[len++] = d[i];
            }
        }
    } else {
        out[len++] = d[0];
        if (n > 1) {
            out[len++] = '.';
            for (int i = 1; i < n; i++)
                out[len++] = d[i];
        }
        out[len++] = 'e';
        out[len++] = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax >= 100)
            out[len++] = (char)('0' + ax / 100);
        out[len++] = (char)('0' + ax / 10 % 10);
        out[len++] = (char)('0' + ax % 10);
    }
    loam_str s;
    memcpy(std_str_alloc(len, &s), out, (size_t)len);
    return s;
}

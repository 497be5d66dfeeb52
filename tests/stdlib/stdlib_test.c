/* stdlib_test.c — unit tests of stdlib-min (spec/stdlib.md), hosted.
 *
 * The library's sources are compiled into this program with shim.c in
 * place of the runtime. Expectations come from outside the library: libc
 * (strtod, snprintf %.*e, qsort, floor, ceil, sqrt), simple reference
 * implementations written here (a linear-scan map, a naive substring
 * search, a stable sort of indices), and hand-written cases from the spec.
 * Each test prints PASS or FAIL with its name (failures list the first few
 * cases that went wrong), then "N passed, M failed"; exit 1 on any failure.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "shim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the harness ---- */

static int passed, failed;
static int case_failures;               /* in the running test */

static void fail(const char *fmt, ...)
{
    if (case_failures++ < 8) {
        va_list ap;
        va_start(ap, fmt);
        fputs("    ", stdout);
        vprintf(fmt, ap);
        fputc('\n', stdout);
        va_end(ap);
    }
}

#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        if (!(cond))                                                                        \
            fail(__VA_ARGS__);                                                              \
    } while (0)

/* Runs stmt; it must panic with a message containing want. */
#define EXPECT_PANIC(stmt, want)                                                            \
    do {                                                                                    \
        if (setjmp(shim_jmp) == 0) {                                                        \
            shim_armed = 1;                                                                 \
            stmt;                                                                           \
            shim_armed = 0;                                                                 \
            fail("line %d: no panic, expected '%s'", __LINE__, want);                       \
        } else if (!strstr(shim_panic_text, want)) {                                        \
            fail("line %d: panic '%s', expected '%s'", __LINE__, shim_panic_text, want);    \
        }                                                                                   \
    } while (0)

static void run(const char *name, void (*test)(void))
{
    case_failures = 0;
    test();
    shim_reset();
    if (case_failures) {
        printf("FAIL %s (%d cases)\n", name, case_failures);
        failed++;
    } else {
        printf("PASS %s\n", name);
        passed++;
    }
    fflush(stdout);
}

/* xorshift64*: reproducible random numbers. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static int64_t rnd_below(int64_t n) { return (int64_t)(rnd() % (uint64_t)n); }

static loam_str S(const char *s) { return (loam_str){(const uint8_t *)s, (int64_t)strlen(s)}; }

static bool str_is(loam_str s, const char *want)
{
    return s.len == (int64_t)strlen(want) && (s.len == 0 || memcmp(s.ptr, want, (size_t)s.len) == 0);
}

/* s as a C string in one of a few rotating buffers, for messages. */
static const char *C(loam_str s)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ & 3];
    int n = s.len < 511 ? (int)s.len : 511;
    if (n)
        memcpy(b, s.ptr, (size_t)n);
    b[n] = 0;
    return b;
}

static uint64_t bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, 8);
    return v;
}

/* Checks that an array of Str is the '|'-separated list want ("" for no
 * elements; an empty element is written "<>"). */
static void strs_are(loam_array *a, const char *want)
{
    char got[1024] = "";
    size_t n = 0;
    for (int64_t i = 0; i < a->len; i++) {
        loam_str s = ((loam_str *)(void *)a->data)[i];
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? "|" : "", s.len ? C(s) : "<>");
    }
    CHECK(strcmp(got, want) == 0, "got [%s], want [%s]", got, want);
}

/* ---- Int, Byte, Bool ---- */

static void test_int_methods(void)
{
    CHECK(str_is(__loam_fmt_int(0), "0"), "fmt 0");
    CHECK(str_is(__loam_fmt_int(-42), "-42"), "fmt -42");
    CHECK(str_is(__loam_fmt_int(INT64_MAX), "9223372036854775807"), "fmt max");
    CHECK(str_is(__loam_fmt_int(INT64_MIN), "-9223372036854775808"), "fmt min");
    for (int i = 0; i < 100000; i++) {
        int64_t v = (int64_t)rnd() >> rnd_below(64);
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)v);
        CHECK(str_is(__loam_int_str(v), want), "fmt %s gave %s", want, C(__loam_int_str(v)));
    }
    CHECK(__loam_int_float(3) == 3.0 && __loam_int_float(-(1ll << 53) - 1) == -9007199254740992.0,
          "float()");
    CHECK(__loam_int_byte("t:1:1", 255) == 255 && __loam_int_byte("t:1:1", 0) == 0, "byte()");
    EXPECT_PANIC(__loam_int_byte("t:1:1", 256), "t:1:1: panic: Int 256 does not fit in a Byte");
    EXPECT_PANIC(__loam_int_byte("t:1:1", -1), "Int -1 does not fit in a Byte");
    CHECK(__loam_int_abs("t", -5) == 5 && __loam_int_abs("t", 7) == 7 &&
              __loam_int_abs("t", INT64_MAX) == INT64_MAX && __loam_int_abs("t", -INT64_MAX) == INT64_MAX,
          "abs()");
    EXPECT_PANIC(__loam_int_abs("t:2:3", INT64_MIN), "t:2:3: panic: integer overflow");
    CHECK(__loam_int_min(3, -4) == -4 && __loam_int_max(3, -4) == 3 && __loam_int_min(INT64_MIN, 0) == INT64_MIN,
          "min/max");
}

static void test_byte_bool_methods(void)
{
    for (int b = 0; b < 256; b++) {
        char want[8];
        snprintf(want, sizeof want, "%d", b);
        CHECK(str_is(__loam_byte_str((uint8_t)b), want) && str_is(__loam_fmt_byte((uint8_t)b), want),
              "byte str %d", b);
        CHECK(__loam_byte_int((uint8_t)b) == b, "byte int %d", b);
        bool space = b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r';
        CHECK(__loam_byte_is_space((uint8_t)b) == space, "is_space %d", b);
        CHECK(__loam_byte_is_digit((uint8_t)b) == (b >= '0' && b <= '9'), "is_digit %d", b);
        bool alpha = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
        CHECK(__loam_byte_is_alpha((uint8_t)b) == alpha, "is_alpha %d", b);
    }
    CHECK(str_is(__loam_bool_str(true), "true") && str_is(__loam_fmt_bool(false), "false"), "bool str");
}

/* ---- Float methods ---- */

static double random_double(void)
{
    switch (rnd_below(4)) {
    case 0: return from_bits(rnd());                                    /* any bits */
    case 1: return (double)((int64_t)rnd() >> rnd_below(64)) / 4.0;     /* near integers */
    case 2: return ldexp((double)(rnd() >> 11), (int)rnd_below(120) - 100);
    default: return (double)rnd_below(2000) / 8 - 125.0;                /* halves, quarters */
    }
}

static bool same(double a, double b) { return bits(a) == bits(b) || (isnan(a) && isnan(b)); }

static void test_float_methods(void)
{
    for (int i = 0; i < 200000; i++) {
        double v = random_double();
        CHECK(same(__loam_float_floor(v), floor(v)), "floor(%a) = %a", v, __loam_float_floor(v));
        CHECK(same(__loam_float_ceil(v), ceil(v)), "ceil(%a) = %a", v, __loam_float_ceil(v));
        CHECK(same(__loam_float_abs(v), fabs(v)), "abs(%a)", v);
        CHECK(same(__loam_float_sqrt(v), sqrt(v)), "sqrt(%a)", v);
        double w = random_double();
        double mn = isnan(v) || isnan(w) ? NAN : fmin(v, w), mx = isnan(v) || isnan(w) ? NAN : fmax(v, w);
        if (v == 0 && w == 0) {
            mn = signbit(v) ? v : w;
            mx = signbit(v) ? w : v;
        }
        CHECK(same(__loam_float_min(v, w), mn), "min(%a, %a)", v, w);
        CHECK(same(__loam_float_max(v, w), mx), "max(%a, %a)", v, w);
        if (v >= -0x1p63 && v < 0x1p63)
            CHECK(__loam_float_int("t", v) == (int64_t)v, "int(%a)", v);
    }
    for (int i = 0; i < 300000; i++) {
        double a = random_double(), b = random_double();
        if (i % 3 == 0)
            b = (double)(rnd_below(20) + 1) / 4 * (rnd_below(2) ? 1 : -1);
        if (i % 5 == 0)
            a = from_bits(rnd() >> rnd_below(12));   /* subnormals and small numbers too */
        CHECK(same(__loam_float_rem(a, b), fmod(a, b)), "rem(%a, %a) = %a, fmod %a", a, b,
              __loam_float_rem(a, b), fmod(a, b));
    }
    static const double rem_cases[][2] = {{5.5, 2}, {-5.5, 2}, {5.5, -2}, {0.0, 1}, {-0.0, 1}, {1, 0},
                                          {INFINITY, 1}, {1, INFINITY}, {-1, -INFINITY}, {NAN, 1}, {1, NAN},
                                          {1e308, 1e-308}, {5e-324, 5e-324}, {1e-310, 3e-320}, {6, 3}, {-6, 3}};
    for (size_t i = 0; i < sizeof rem_cases / sizeof rem_cases[0]; i++) {
        double a = rem_cases[i][0], b = rem_cases[i][1];
        CHECK(same(__loam_float_rem(a, b), fmod(a, b)), "rem(%g, %g) = %a, fmod %a", a, b, __loam_float_rem(a, b),
              fmod(a, b));
    }
    CHECK(bits(__loam_float_floor(-0.0)) == bits(-0.0) && __loam_float_floor(-0.5) == -1.0 &&
              bits(__loam_float_ceil(-0.5)) == bits(-0.0) && __loam_float_floor(-1.5) == -2.0 &&
              __loam_float_ceil(0x1p51 + 0.5) == 0x1p51 + 1 && __loam_float_floor(-0x1p51 - 0.5) == -0x1p51 - 1 &&
              __loam_float_floor(0x1p52 + 1) == 0x1p52 + 1 && __loam_float_ceil(0.25) == 1.0,
          "floor/ceil edges");
    CHECK(bits(__loam_float_min(0.0, -0.0)) == bits(-0.0) && bits(__loam_float_max(-0.0, 0.0)) == bits(0.0),
          "min/max of zeros");
    CHECK(__loam_float_int("t", -0x1p63) == INT64_MIN && __loam_float_int("t", 2.9) == 2 &&
              __loam_float_int("t", -2.9) == -2,
          "int() edges");
    EXPECT_PANIC(__loam_float_int("t:1:2", NAN), "t:1:2: panic: cannot convert 'nan' to an Int");
    EXPECT_PANIC(__loam_float_int("t", 0x1p63), "cannot convert '9.223372036854776e+18' to an Int");
    EXPECT_PANIC(__loam_float_int("t", -INFINITY), "cannot convert '-inf' to an Int");
}

/* ---- Float formatting ---- */

static void test_fmt_float_cases(void)
{
    static const struct { double v; const char *want; } cases[] = {
        {0.1, "0.1"}, {1.0, "1.0"}, {1e23, "1e+23"}, {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"}, {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {0.0, "0.0"}, {-0.0, "-0.0"}, {-2.5, "-2.5"}, {100.0, "100.0"}, {123.456, "123.456"},
        {1e15, "1000000000000000.0"}, {1e16, "1e+16"}, {9007199254740992.0, "9007199254740992.0"},
        {1234567890123456.0, "1234567890123456.0"}, {12345678901234567.0, "1.2345678901234568e+16"},
        {0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.5e-5, "1.5e-05"}, {1e-7, "1e-07"},
        {1.0 / 3, "0.3333333333333333"}, {2.0 / 3, "0.6666666666666666"}, {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"}, {4.35, "4.35"}, {1e22, "1e+22"}, {1.5e300, "1.5e+300"},
        {1e-300, "1e-300"}, {1e100, "1e+100"}, {2.0, "2.0"}, {0.5, "0.5"}, {1e21, "1e+21"},
        {9.999999999999999e22, "1e+23"} /* the same double */, {8.41e21, "8.41e+21"}, {5e-310, "5e-310"}, {1.5e-323, "1.5e-323"},
        {0x1p-1022, "2.2250738585072014e-308"}, {0x1p1023, "8.98846567431158e+307"},
        {-1e-10, "-1e-10"}, {123e-20, "1.23e-18"}, {3.14159, "3.14159"},
        {INFINITY, "inf"}, {-INFINITY, "-inf"}, {NAN, "nan"}, {-NAN, "nan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        loam_str s = __loam_fmt_float(cases[i].v);
        CHECK(str_is(s, cases[i].want), "%.17g: got %s, want %s", cases[i].v, C(s), cases[i].want);
        CHECK(str_is(__loam_float_str(cases[i].v), cases[i].want), "str() of %.17g", cases[i].v);
    }
}

/* The libc oracle: the correctly rounded p-digit decimal of v, as digits
 * (no dot) and the exponent x in d.ddd × 10^x. */
static void libc_digits(double v, int p, char *digits, int *x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    int n = 0;
    char *e = strchr(buf, 'e');
    for (char *c = buf; c < e; c++)
        if (*c >= '0' && *c <= '9')
            digits[n++] = *c;
    digits[n] = 0;
    *x = atoi(e + 1);
}

static bool reads_back(double v, const char *digits, int x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%c.%se%d", digits[0], digits + 1, x);
    return strtod(buf, NULL) == v;
}

/* Checks __loam_fmt_float on one positive finite v: reads back by strtod,
 * no shorter correctly rounded decimal reads back (all shorter lengths when
 * full, else only one digit fewer), and equals the correctly rounded
 * decimal of its length whenever that one reads back. Returns 1 if the
 * libc decimal of that length does not read back (a power of two whose
 * shortest neighbour is not the nearest at that length). */
static int check_shortest(double v, bool full)
{
    loam_str s = __loam_fmt_float(v);
    if (strtod(C(s), NULL) != v) {
        fail("%.17g formats as %s, which reads back as %.17g", v, C(s), strtod(C(s), NULL));
        return 0;
    }
    char mine[20];
    int k;
    int n = __loam_float_shortest(v, mine, &k);
    mine[n] = 0;
    char lib[32];
    int x;
    for (int p = full ? 1 : n - 1; p < n; p++) {
        if (p < 1)
            continue;
        libc_digits(v, p, lib, &x);
        if (reads_back(v, lib, x)) {
            fail("%.17g: %s has %d digits but %s (%d) reads back", v, C(s), n, lib, p);
            return 0;
        }
    }
    libc_digits(v, n, lib, &x);
    if (reads_back(v, lib, x)) {
        if (strcmp(lib, mine) != 0 || x != k - 1)
            fail("%.17g: ours %s e%d, libc %s e%d", v, mine, k - 1, lib, x);
        return 0;
    }
    return 1;
}

static void test_fmt_float_shortest(void)
{
    int uneven = 0;
    int count = 1000000;
    for (int i = 0; i < count; i++) {
        double v = from_bits(rnd() & ~(1ull << 63));
        if (!isfinite(v) || v == 0)
            continue;
        uneven += check_shortest(v, i < 100000);
        if ((i & 0xffff) == 0)
            shim_reset();
    }
    /* Numbers people write: few digits, any exponent. */
    for (int i = 0; i < 200000; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%llde%d", (unsigned long long)(rnd() % 10000000) + 1,
                 (int)rnd_below(640) - 330);
        double v = strtod(buf, NULL);
        if (!isfinite(v) || v == 0)
            continue;
        uneven += check_shortest(v, true);
        if ((i & 0xffff) == 0)
            shim_reset();
    }
    /* Moderate magnitudes (1e-16 .. 1e32), the 128-bit path. */
    for (int i = 0; i < 300000; i++) {
        double v = ldexp((double)(rnd() >> 11), (int)rnd_below(160) - 106);
        if (v == 0)
            continue;
        uneven += check_shortest(v, i < 30000);
        if ((i & 0xffff) == 0)
            shim_reset();
    }
    /* Every power of two, the boundary case of the algorithm. */
    for (int e = -1074; e <= 1023; e++)
        uneven += check_shortest(ldexp(1.0, e), true);
    /* Negative numbers are the positive text with a '-'. */
    for (int i = 0; i < 10000; i++) {
        double v = from_bits(rnd() | (1ull << 63));
        if (!isfinite(v))
            continue;
        loam_str neg = __loam_fmt_float(v), pos = __loam_fmt_float(-v);
        CHECK(neg.len == pos.len + 1 && neg.ptr[0] == '-' && memcmp(neg.ptr + 1, pos.ptr, (size_t)pos.len) == 0,
              "%s vs %s", C(neg), C(pos));
    }
    printf("    (%d values where the correctly rounded decimal of the shortest length does not read back)\n",
           uneven);
}

/* ---- parse_float and parse_int ---- */

static void check_parse_float(const char *text)
{
    double want = strtod(text, NULL);
    double got = __loam_str_parse_float("t", S(text));
    if (bits(got) != bits(want))
        fail("parse_float(%.60s%s) = %a, strtod %a", text, strlen(text) > 60 ? "..." : "", got, want);
}

static void test_parse_float(void)
{
    static const char *cases[] = {
        "0", "0.0", "-0.0", "1", "1.5", "-1.5", "0.1", "1e23", "5e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309",
        "-1e400", "1e-400", "2.2250738585072011e-308", "2.2250738585072014e-308",
        "9007199254740993", "9007199254740993.0000000000000000000000000001", "123456789012345678901234567890",
        "0.000000000000000000000000000000000000000000001", "1_000.5", "1e1_0", "00000000000000000001.5",
        "4.9406564584124654e-324", "3.5e-324", "1e22", "1e-22", "8.98846567431158e+307", "1E5", "1e+5",
        "179769313486231580793728971405301e276", "0.9999999999999999444888487687421729788184165954589843750",
        "0.99999999999999994448884876874217297881841659545898437500000000000000000001",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char clean[2048];
        size_t n = 0;
        for (const char *c = cases[i]; *c && n < sizeof clean - 1; c++)
            if (*c != '_')
                clean[n++] = *c;
        clean[n] = 0;
        double want = strtod(clean, NULL);
        double got = __loam_str_parse_float("t", S(cases[i]));
        CHECK(bits(got) == bits(want), "parse_float(%.40s) = %a, strtod %a", cases[i], got, want);
    }
    CHECK(isinf(__loam_str_parse_float("t", S("inf"))) && __loam_str_parse_float("t", S("-inf")) < 0 &&
              isnan(__loam_str_parse_float("t", S("nan"))) && __loam_str_parse_float("t", S("+inf")) > 0,
          "inf, nan");
    static const char *bad[] = {"", "-", "+", "abc", "1.", ".5", "1e", "1e+", "1_", "_1", "1._5", " 1",
                                "1 ", "0x10", "--1", "1.5.2", "infinity", "NaN", "1e5x", "1__", "e5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "t:9:9: panic: cannot parse '%s' as a Float", bad[i]);
        EXPECT_PANIC(__loam_str_parse_float("t:9:9", S(bad[i])), want);
    }
    EXPECT_PANIC(__loam_str_parse_float("t", S("12345678901234567890123456789012345678901234567890x")),
                 "cannot parse '1234567890123456789012345678901234567890...' as a Float");

    char buf[1400];
    for (int i = 0; i < 300000; i++) {
        double v = from_bits(rnd());
        if (!isfinite(v))
            continue;
        snprintf(buf, sizeof buf, "%.*e", (int)rnd_below(20), v);
        check_parse_float(buf);
        snprintf(buf, sizeof buf, "%.17g", v);
        check_parse_float(buf);
    }
    /* Random digit strings with a point and an exponent. */
    for (int i = 0; i < 200000; i++) {
        int n = 0, digits = 1 + (int)rnd_below(i % 10 == 0 ? 900 : 30);
        for (int d = 0; d < digits; d++)
            buf[n++] = (char)('0' + rnd_below(10));
        if (digits > 1 && rnd_below(2)) {
            int at = 1 + (int)rnd_below(digits - 1);
            memmove(buf + at + 1, buf + at, (size_t)(n - at));
            buf[at] = '.';
            n++;
        }
        n += snprintf(buf + n, sizeof buf - (size_t)n, "e%d", (int)rnd_below(700) - 350);
        check_parse_float(buf);
    }
    /* Very long texts: only the first 800 significant digits are kept. */
    static char huge[100100];
    for (int i = 0; i < 40; i++) {
        int n = 0, digits = 1000 + (int)rnd_below(90000);
        huge[n++] = (char)('1' + rnd_below(9));
        for (int d = 1; d < digits; d++)
            huge[n++] = i % 4 == 0 && d > 20 ? '0' : (char)('0' + rnd_below(10));
        if (i % 8 == 1)
            huge[n - 1] = '1';                      /* zeros, then a final 1 */
        snprintf(huge + n, sizeof huge - (size_t)n, "e%d", -digits + (int)rnd_below(700) - 340);
        check_parse_float(huge);
    }
    /* Exact halfway points between neighbouring doubles (a long double
     * holds them), printed in full by glibc, and just above and below. */
    static char big[2048];
    for (int i = 0; i < 20000; i++) {
        double v = from_bits(rnd() >> 1);
        if (!isfinite(v) || !isfinite(nextafter(v, INFINITY)))
            continue;
        long double mid = ((long double)v + (long double)nextafter(v, INFINITY)) / 2;
        int n = snprintf(big, sizeof big, "%.1100Le", mid);
        char *e = strchr(big, 'e');
        char *end = e - 1;
        while (*end == '0')              /* trailing zeros: keep the exact digits */
            end--;
        char exp[16];
        snprintf(exp, sizeof exp, "%s", e);
        int cut = (int)(end - big) + 1;
        snprintf(big + cut, sizeof big - (size_t)cut, "%s", exp);
        check_parse_float(big);
        /* Just above: a 1 after zeros, past the 800 digits kept; just
         * below: the last digit lowered, then nines. */
        snprintf(big + cut, sizeof big - (size_t)cut, "%0100d1%s", 0, exp);
        check_parse_float(big);
        big[cut - 1]--;
        memset(big + cut, '9', 100);
        snprintf(big + cut + 100, sizeof big - (size_t)cut - 100, "%s", exp);
        check_parse_float(big);
        (void)n;
    }
}

static void test_parse_int(void)
{
    static const struct { const char *text; int64_t want; } cases[] = {
        {"0", 0}, {"-0", 0}, {"+5", 5}, {"42", 42}, {"-42", -42}, {"1_000_000", 1000000}, {"1__0", 10},
        {"007", 7}, {"9223372036854775807", INT64_MAX}, {"-9223372036854775808", INT64_MIN},
        {"-9_223_372_036_854_775_808", INT64_MIN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = __loam_str_parse_int("t", S(cases[i].text));
        CHECK(got == cases[i].want, "parse_int(%s) = %lld", cases[i].text, (long long)got);
    }
    static const char *bad[] = {"", "-", "+", "abc", "12a", "_1", "1_", " 1", "1 ", "1.0", "0x10",
                                "9223372036854775808", "-9223372036854775809", "99999999999999999999",
                                "--1", "+-1", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "t:1:5: panic: cannot parse '%s' as an Int", bad[i]);
        EXPECT_PANIC(__loam_str_parse_int("t:1:5", S(bad[i])), want);
    }
    for (int i = 0; i < 200000; i++) {
        int64_t v = (int64_t)rnd() >> rnd_below(64);
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)v);
        CHECK(__loam_str_parse_int("t", S(buf)) == v, "parse_int(%s)", buf);
    }
}

/* Float text round trip through both directions of the library. */
static void test_float_round_trip(void)
{
    for (int i = 0; i < 300000; i++) {
        double v = from_bits(rnd());
        double back = __loam_str_parse_float("t", __loam_fmt_float(v));
        CHECK(same(back, v), "%a -> %s -> %a", v, C(__loam_fmt_float(v)), back);
        if ((i & 0xffff) == 0)
            shim_reset();
    }
}

/* ---- strings ---- */

static void test_str_compare_concat(void)
{
    CHECK(__loam_str_eq(S("abc"), S("abc")) && !__loam_str_eq(S("abc"), S("abd")) &&
              !__loam_str_eq(S("ab"), S("abc")) && __loam_str_eq(S(""), (loam_str){0, 0}),
          "eq");
    const char *words[] = {"", "a", "ab", "abc", "b", "\xff", "a\xff", "A", "aa"};
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++) {
            int want = strcmp(words[i], words[j]);   /* unsigned bytewise, as C specifies */
            want = (want > 0) - (want < 0);
            int got = __loam_str_cmp(S(words[i]), S(words[j]));
            CHECK(got == want, "cmp(%s, %s) = %d", words[i], words[j], got);
            CHECK(__loam_str_eq(S(words[i]), S(words[j])) == (want == 0), "eq(%s, %s)", words[i], words[j]);
        }
    CHECK(str_is(__loam_str_add(S("foo"), S("bar")), "foobar") && str_is(__loam_str_add(S(""), S("x")), "x") &&
              str_is(__loam_str_add(S("x"), S("")), "x") && str_is(__loam_str_add(S(""), S("")), ""),
          "add");
    loam_str parts[] = {S("n = "), __loam_fmt_int(3), S(", x = "), __loam_fmt_float(0.5), S(", "),
                        __loam_fmt_bool(true), S(" "), __loam_fmt_byte('a')};
    loam_str all = __loam_concat(parts, 8);
    CHECK(str_is(all, "n = 3, x = 0.5, true 97"), "concat: %s", C(all));
    CHECK(__loam_concat(parts, 0).len == 0, "concat of nothing");
    CHECK(str_is(__loam_str_c("hi"), "hi"), "str_c");
}

static void test_str_index_slice(void)
{
    loam_str s = S("hello");
    CHECK(__loam_str_at("t", s, 0) == 'h' && __loam_str_at("t", s, 4) == 'o', "at");
    EXPECT_PANIC(__loam_str_at("t:3:4", s, 5), "t:3:4: panic: index 5 out of range for length 5");
    EXPECT_PANIC(__loam_str_at("t", s, -1), "index -1 out of range for length 5");
    CHECK(str_is(__loam_str_slice("t", s, 1, 3), "el") && str_is(__loam_str_slice("t", s, 0, 5), "hello") &&
              str_is(__loam_str_slice("t", s, 5, 5), "") && __loam_str_slice("t", s, 2, 4).ptr == s.ptr + 2,
          "slice");
    EXPECT_PANIC(__loam_str_slice("t:1:1", s, 2, 6), "t:1:1: panic: index 6 out of range for length 5");
    EXPECT_PANIC(__loam_str_slice("t", s, -1, 2), "index -1 out of range for length 5");
    EXPECT_PANIC(__loam_str_slice("t", s, 6, 6), "index 6 out of range for length 5");
    EXPECT_PANIC(__loam_str_slice("t", s, 3, 2), "slice starts at 3 but ends at 2");
    CHECK(__loam_str_len(s) == 5 && __loam_str_len(S("")) == 0, "len");
    loam_array *b = __loam_str_bytes(S("ab\xff"));
    CHECK(b->len == 3 && b->elem_size == 1 && b->data[0] == 'a' && b->data[2] == 0xff, "bytes");
    CHECK(__loam_str_bytes(S(""))->len == 0, "bytes of empty");
}

static void test_str_lines_words_split(void)
{
    strs_are(__loam_str_lines(S("a\nb\nc")), "a|b|c");
    strs_are(__loam_str_lines(S("a\nb\n")), "a|b");
    strs_are(__loam_str_lines(S("a\r\nb\r\n")), "a|b");
    strs_are(__loam_str_lines(S("a\n\nb")), "a|<>|b");
    strs_are(__loam_str_lines(S("a\n\n")), "a|<>");
    strs_are(__loam_str_lines(S("\n")), "<>");
    strs_are(__loam_str_lines(S("")), "");
    strs_are(__loam_str_lines(S("x\r")), "x\r");
    strs_are(__loam_str_lines(S("\r\n")), "<>");
    strs_are(__loam_str_lines(S("one line without newline, long enough for the fast scan")),
             "one line without newline, long enough for the fast scan");
    strs_are(__loam_str_words(S("  the quick\tbrown\n\nfox  ")), "the|quick|brown|fox");
    strs_are(__loam_str_words(S("")), "");
    strs_are(__loam_str_words(S(" \t\r\n\v\f")), "");
    strs_are(__loam_str_words(S("one")), "one");
    strs_are(__loam_str_split("t", S("a,b,,c"), S(",")), "a|b|<>|c");
    strs_are(__loam_str_split("t", S(",a,"), S(",")), "<>|a|<>");
    strs_are(__loam_str_split("t", S(""), S(",")), "<>");
    strs_are(__loam_str_split("t", S("abc"), S(",")), "abc");
    strs_are(__loam_str_split("t", S("a::b:::c"), S("::")), "a|b|:c");
    strs_are(__loam_str_split("t", S("aaaa"), S("aa")), "<>|<>|<>");
    EXPECT_PANIC(__loam_str_split("t:5:5", S("abc"), S("")), "t:5:5: panic: split: the separator is empty");
}

static int64_t naive_find(loam_str s, loam_str n)
{
    for (int64_t i = 0; i + n.len <= s.len; i++)
        if (memcmp(s.ptr + i, n.ptr, (size_t)n.len) == 0)
            return i;
    return -1;
}

/* str_eq word-wise and __loam_str_line_end sixteen bytes at a time, at
 * every length and offset that their fast paths split on, against memcmp
 * and a byte loop. */
static void test_str_eq_line_end(void)
{
    uint8_t a[80], b[80];
    for (int n = 0; n <= 70; n++) {
        for (int k = 0; k < n; k++)
            a[k] = b[k] = (uint8_t)('a' + rnd_below(26));
        CHECK(__loam_str_eq((loam_str){a, n}, (loam_str){b, n}), "eq at length %d", n);
        for (int at = 0; at < n; at++) {
            b[at] ^= 0x20;
            CHECK(!__loam_str_eq((loam_str){a, n}, (loam_str){b, n}), "differ at %d of %d", at, n);
            b[at] ^= 0x20;
        }
        for (int from = 0; from <= n; from++) {
            int nl = n ? (int)rnd_below((uint64_t)n + 1) : 0;   /* n means none */
            for (int k = 0; k < n; k++)
                a[k] = k == nl ? '\n' : (uint8_t)('a' + rnd_below(3));
            int64_t want = n;
            for (int k = from; k < n; k++)
                if (a[k] == '\n') { want = k; break; }
            CHECK(__loam_str_line_end((loam_str){a, n}, from) == want, "line_end(%d) of %d", from, n);
        }
    }
}

static void test_str_find(void)
{
    CHECK(__loam_str_find(S("hello"), S("ll")) == 2 && __loam_str_find(S("hello"), S("")) == 0 &&
              __loam_str_find(S(""), S("")) == 0 && __loam_str_find(S(""), S("a")) == -1 &&
              __loam_str_find(S("hello"), S("hello!")) == -1 && __loam_str_find(S("hello"), S("o")) == 4,
          "find cases");
    /* Random texts over a small alphabet, so that matches are frequent. */
    uint8_t text[300], pat[8];
    for (int i = 0; i < 200000; i++) {
        int n = (int)rnd_below(300), m = (int)rnd_below(8), alpha = 1 + (int)rnd_below(4);
        for (int k = 0; k < n; k++)
            text[k] = (uint8_t)('a' + rnd_below(alpha));
        for (int k = 0; k < m; k++)
            pat[k] = (uint8_t)('a' + rnd_below(alpha));
        loam_str s = {text, n}, p = {pat, m};
        int64_t want = naive_find(s, p);
        CHECK(__loam_str_find(s, p) == want, "find in %d bytes", n);
        if (m && want >= 0) {
            /* split pieces joined with the separator give the text back */
            loam_array *pieces = __loam_str_split("t", s, p);
            loam_str back = __loam_array_join(pieces, p);
            CHECK(__loam_str_eq(back, s), "split/join round trip");
        }
        if ((i & 0xfff) == 0)
            shim_reset();
    }
}

static void test_str_case_repeat(void)
{
    CHECK(str_is(__loam_str_lower(S("Hello, WORLD! \xc3\x89")), "hello, world! \xc3\x89"), "lower");
    CHECK(str_is(__loam_str_upper(S("Hello, world! az@[`{")), "HELLO, WORLD! AZ@[`{"), "upper");
    CHECK(str_is(__loam_str_repeat("t", S("ab"), 3), "ababab") && str_is(__loam_str_repeat("t", S("ab"), 0), "") &&
              str_is(__loam_str_repeat("t", S(""), 5), "") && str_is(__loam_str_repeat("t", S("x"), 1), "x"),
          "repeat");
    loam_str r = __loam_str_repeat("t", S("abc"), 1000);
    bool ok = r.len == 3000;
    for (int64_t i = 0; ok && i < r.len; i++)
        ok = r.ptr[i] == "abc"[i % 3];
    CHECK(ok, "repeat 1000");
    EXPECT_PANIC(__loam_str_repeat("t:7:1", S("ab"), -1), "t:7:1: panic: repeat: negative count -1");
    EXPECT_PANIC(__loam_str_repeat("t", S("ab"), INT64_MAX), "integer overflow");
}

/* ---- arrays ---- */

static void test_array_basics(void)
{
    loam_array *a = __loam_array_new(8, 0);
    int64_t ref[2000];
    int64_t n = 0;
    for (int i = 0; i < 20000; i++) {
        int op = (int)rnd_below(5);
        int64_t v = (int64_t)rnd_below(1000);
        if (op <= 1 || n == 0) {
            __loam_array_push(a, &v);
            ref[n++] = v;
        } else if (op == 2) {
            int64_t out;
            __loam_array_pop("t", a, &out);
            CHECK(out == ref[--n], "pop");
        } else if (op == 3 && n < 2000) {
            int64_t at = rnd_below(n + 1);
            __loam_array_insert("t", a, at, &v);
            memmove(ref + at + 1, ref + at, (size_t)(n - at) * 8);
            ref[at] = v;
            n++;
        } else {
            int64_t at = rnd_below(n), out;
            __loam_array_remove("t", a, at, &out);
            CHECK(out == ref[at], "remove");
            memmove(ref + at, ref + at + 1, (size_t)(n - at - 1) * 8);
            n--;
        }
        if (n > 1900) {
            int64_t out;
            while (n > 100) {
                __loam_array_pop("t", a, &out);
                n--;
            }
        }
        CHECK(__loam_array_len(a) == n && a->len <= a->cap, "len");
        if (i % 100 == 0)
            CHECK(memcmp(a->data, ref, (size_t)n * 8) == 0, "contents after %d ops", i);
    }
    loam_array *e = __loam_array_new(8, 0);
    int64_t out, one = 1;
    EXPECT_PANIC(__loam_array_pop("t:1:1", e, &out), "t:1:1: panic: pop: the array is empty");
    EXPECT_PANIC(__loam_array_remove("t", e, 0, &out), "index 0 out of range for length 0");
    EXPECT_PANIC(__loam_array_insert("t", e, 1, &one), "index 1 out of range for length 0");
    EXPECT_PANIC(__loam_array_insert("t", e, -1, &one), "index -1 out of range for length 0");
    __loam_array_insert("t", e, 0, &one);
    CHECK(e->len == 1 && *(int64_t *)__loam_array_at("t", e, 0) == 1, "insert at end");
    EXPECT_PANIC(__loam_array_at("t:2:2", e, 1), "t:2:2: panic: index 1 out of range for length 1");
    EXPECT_PANIC(__loam_array_at("t", e, -1), "index -1 out of range for length 1");

    int64_t lit[] = {1, 2, 3, 4, 5};
    loam_array *x = __loam_array_from(8, lit, 5);
    loam_array *sl = __loam_array_slice("t", x, 1, 4);
    CHECK(sl->len == 3 && ((int64_t *)(void *)sl->data)[0] == 2 && sl->data != x->data + 8, "slice copies");
    CHECK(__loam_array_slice("t", x, 5, 5)->len == 0, "empty slice");
    EXPECT_PANIC(__loam_array_slice("t", x, 0, 6), "index 6 out of range for length 5");
    EXPECT_PANIC(__loam_array_slice("t", x, 4, 3), "slice starts at 4 but ends at 3");
    __loam_array_reverse(x);
    CHECK(memcmp(x->data, (int64_t[]){5, 4, 3, 2, 1}, 40) == 0, "reverse odd");
    loam_array *y = __loam_array_from(8, lit, 4);
    __loam_array_reverse(y);
    CHECK(memcmp(y->data, (int64_t[]){4, 3, 2, 1}, 32) == 0, "reverse even");
    __loam_array_reverse(__loam_array_new(8, 0));

    /* elements bigger than a word (a struct of 3 words) */
    loam_array *w = __loam_array_new(24, 1);
    for (int64_t i = 0; i < 100; i++) {
        int64_t t[3] = {i, -i, i * i};
        __loam_array_push(w, t);
    }
    __loam_array_reverse(w);
    int64_t t[3];
    __loam_array_remove("t", w, 10, t);
    CHECK(w->len == 99 && t[0] == 89 && t[1] == -89 && t[2] == 89 * 89, "wide elements");
}

static void test_array_contains_eq_join(void)
{
    int64_t iv[] = {3, 1, 4};
    loam_array *ia = __loam_array_from(8, iv, 3);
    int64_t four = 4, five = 5;
    CHECK(__loam_array_contains(ia, &four, LOAM_K_INT) && !__loam_array_contains(ia, &five, LOAM_K_INT),
          "contains Int");
    double fv[] = {1.5, NAN, -0.0};
    loam_array *fa = __loam_array_from(8, fv, 3);
    double zero = 0.0, nan = NAN;
    CHECK(__loam_array_contains(fa, &zero, LOAM_K_FLOAT) && !__loam_array_contains(fa, &nan, LOAM_K_FLOAT),
          "contains Float: 0.0 == -0.0, NaN never");
    loam_str sv[] = {S("a"), S("bc")};
    loam_array *sa = __loam_array_from(16, sv, 2);
    loam_str bc = S("bc"), b = S("b");
    CHECK(__loam_array_contains(sa, &bc, LOAM_K_STR) && !__loam_array_contains(sa, &b, LOAM_K_STR),
          "contains Str");
    uint8_t bv[] = {1, 0};
    uint8_t t = 1;
    CHECK(__loam_array_contains(__loam_array_from(1, bv, 2), &t, LOAM_K_BOOL), "contains Bool");
    CHECK(__loam_array_eq(ia, __loam_array_from(8, iv, 3), LOAM_K_INT) &&
              !__loam_array_eq(ia, __loam_array_from(8, iv, 2), LOAM_K_INT) &&
              __loam_array_eq(sa, __loam_array_from(16, (loam_str[]){S("a"), S("bc")}, 2), LOAM_K_STR),
          "eq");
    CHECK(str_is(__loam_array_join(sa, S(", ")), "a, bc") && str_is(__loam_array_join(sa, S("")), "abc") &&
              str_is(__loam_array_join(__loam_array_new(16, 0), S(",")), "") &&
              str_is(__loam_array_join(__loam_array_from(16, sv, 1), S(",")), "a"),
          "join");
}

static bool eq_first_word(const void *x, const void *y) { return *(const int64_t *)x == *(const int64_t *)y; }

static void test_array_contains_by(void)
{
    int64_t v[] = {1, 2, 3, 4};
    loam_array *a = __loam_array_from(16, v, 2);
    int64_t k[2] = {3, 99};
    CHECK(__loam_array_contains_by(a, k, eq_first_word), "contains_by");
    k[0] = 2;
    CHECK(!__loam_array_contains_by(a, k, eq_first_word), "contains_by absent");
}

/* ---- sorting: against qsort on (value, original index), which is stable ---- */

typedef struct Tagged {
    union { int64_t i; double f; loam_str s; uint8_t b; } v;
    int64_t index;
} Tagged;

static loam_kind sort_kind;

static int ref_value_cmp(const Tagged *a, const Tagged *b)
{
    switch (sort_kind) {
    case LOAM_K_INT: return (a->v.i > b->v.i) - (a->v.i < b->v.i);
    case LOAM_K_FLOAT: {
        bool an = isnan(a->v.f), bn = isnan(b->v.f);
        if (an || bn)
            return an - bn;
        return (a->v.f > b->v.f) - (a->v.f < b->v.f);
    }
    case LOAM_K_STR: {
        size_t n = (size_t)(a->v.s.len < b->v.s.len ? a->v.s.len : b->v.s.len);
        int c = n ? memcmp(a->v.s.ptr, b->v.s.ptr, n) : 0;
        if (c)
            return c;
        return (a->v.s.len > b->v.s.len) - (a->v.s.len < b->v.s.len);
    }
    default: return (a->v.b > b->v.b) - (a->v.b < b->v.b);
    }
}

static int ref_cmp(const void *x, const void *y)
{
    const Tagged *a = x, *b = y;
    int c = ref_value_cmp(a, b);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

static void check_sort(loam_kind kind, int64_t size, int64_t n, bool sorted_copy)
{
    static Tagged tags[5000];
    static uint8_t strbytes[5000][4];
    loam_array *a = __loam_array_new(size, n);
    for (int64_t i = 0; i < n; i++) {
        Tagged *t = &tags[i];
        memset(t, 0, sizeof *t);
        t->index = i;
        switch (kind) {
        case LOAM_K_INT: t->v.i = (int64_t)(rnd() >> rnd_below(64)) * (rnd_below(2) ? 1 : -1); if (rnd_below(4) == 0) t->v.i = rnd_below(5); break;
        case LOAM_K_FLOAT: {
            static const double specials[] = {0.0, -0.0, NAN, INFINITY, -INFINITY, 1.0, -1.0, 5e-324};
            t->v.f = rnd_below(3) ? (double)(int64_t)rnd_below(100) / 4 - 10 : specials[rnd_below(8)];
            if (rnd_below(10) == 0)
                t->v.f = from_bits(rnd());
            break;
        }
        case LOAM_K_STR: {
            int len = (int)rnd_below(4);
            for (int k = 0; k < len; k++)
                strbytes[i][k] = (uint8_t)("ab\xff"[rnd_below(3)]);
            t->v.s = (loam_str){strbytes[i], len};   /* distinct pointers: stability is visible */
            break;
        }
        case LOAM_K_BYTE: t->v.b = (uint8_t)rnd(); break;
        case LOAM_K_BOOL: t->v.b = (uint8_t)rnd_below(2); break;
        }
        __loam_array_push(a, &t->v);
    }
    loam_array *r = a;
    if (sorted_copy) {
        loam_array *copy = __loam_array_from(size, a->data, a->len);
        r = __loam_array_sorted(a, kind);
        CHECK(n == 0 || memcmp(copy->data, a->data, (size_t)(n * size)) == 0, "sorted() changed its receiver");
    } else {
        __loam_array_sort(a, kind);
    }
    sort_kind = kind;
    qsort(tags, (size_t)n, sizeof tags[0], ref_cmp);
    for (int64_t i = 0; i < n; i++)
        if (memcmp(r->data + i * size, &tags[i].v, (size_t)size) != 0) {
            fail("kind %d, n %lld: element %lld differs", kind, (long long)n, (long long)i);
            break;
        }
    CHECK(r->len == n, "length");
}

static void test_sort(void)
{
    static const int64_t sizes[] = {0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000, 4999};
    static const struct { loam_kind kind; int64_t size; } kinds[] = {
        {LOAM_K_INT, 8}, {LOAM_K_FLOAT, 8}, {LOAM_K_STR, 16}, {LOAM_K_BYTE, 1}, {LOAM_K_BOOL, 1}};
    for (int round = 0; round < 4; round++)
        for (size_t k = 0; k < 5; k++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                check_sort(kinds[k].kind, kinds[k].size, sizes[s], round & 1);
    /* Already sorted and reversed inputs. */
    loam_array *a = __loam_array_new(8, 0);
    for (int64_t i = 0; i < 10000; i++)
        __loam_array_push(a, &i);
    __loam_array_sort(a, LOAM_K_INT);
    bool ok = true;
    for (int64_t i = 0; i < 10000; i++)
        ok = ok && ((int64_t *)(void *)a->data)[i] == i;
    __loam_array_reverse(a);
    __loam_array_sort(a, LOAM_K_INT);
    for (int64_t i = 0; i < 10000; i++)
        ok = ok && ((int64_t *)(void *)a->data)[i] == i;
    CHECK(ok, "sorted and reversed inputs");
}

/* ---- maps: against a linear-scan reference that keeps insertion order ---- */

typedef struct RefEntry {
    uint8_t key[16];
    int64_t value[3];
} RefEntry;

typedef struct RefMap {
    RefEntry e[600];
    int n;
} RefMap;

static loam_kind map_kind;
static int64_t map_key_size;

static bool ref_key_eq(const void *a, const void *b)
{
    if (map_kind == LOAM_K_STR)
        return __loam_str_eq(*(const loam_str *)a, *(const loam_str *)b);
    return memcmp(a, b, (size_t)map_key_size) == 0;
}

static int ref_find(RefMap *r, const void *key)
{
    for (int i = 0; i < r->n; i++)
        if (ref_key_eq(r->e[i].key, key))
            return i;
    return -1;
}

static char key_text[200][8];

static void random_key(void *key)
{
    memset(key, 0, 16);
    switch (map_kind) {
    case LOAM_K_INT: {
        int64_t v = rnd_below(3) ? rnd_below(300) - 150 : (int64_t)rnd_below(300) << 40;
        memcpy(key, &v, 8);
        break;
    }
    case LOAM_K_STR: {
        /* fresh copies each time, so equality is by content, not address */
        int which = (int)rnd_below(200);
        loam_str s = {__loam_alloc(8), (int64_t)strlen(key_text[which])};
        memcpy((void *)s.ptr, key_text[which], (size_t)s.len);
        memcpy(key, &s, sizeof s);
        break;
    }
    case LOAM_K_BYTE: *(uint8_t *)key = (uint8_t)rnd(); break;
    default: *(uint8_t *)key = (uint8_t)rnd_below(2); break;
    }
}

static int ref_key_cmp(const void *x, const void *y)
{
    const RefEntry *a = x, *b = y;
    switch (map_kind) {
    case LOAM_K_INT: {
        int64_t p, q;
        memcpy(&p, a->key, 8);
        memcpy(&q, b->key, 8);
        return (p > q) - (p < q);
    }
    case LOAM_K_STR: return __loam_str_cmp(*(const loam_str *)(const void *)a->key, *(const loam_str *)(const void *)b->key);
    default: return (a->key[0] > b->key[0]) - (a->key[0] < b->key[0]);
    }
}

static void check_map_matches(loam_map *m, RefMap *r, int64_t vsize, const char *what)
{
    CHECK(__loam_map_len(m) == r->n, "%s: len %lld, want %d", what, (long long)__loam_map_len(m), r->n);
    int k = 0;
    for (int64_t i = __loam_map_next(m, 0); i >= 0; i = __loam_map_next(m, i + 1), k++) {
        if (k >= r->n) {
            fail("%s: iteration gives more than %d entries", what, r->n);
            return;
        }
        if (!ref_key_eq(__loam_map_key_at(m, i), r->e[k].key) ||
            memcmp(__loam_map_value_at(m, i), r->e[k].value, (size_t)vsize) != 0) {
            fail("%s: entry %d differs in iteration", what, k);
            return;
        }
    }
    CHECK(k == r->n, "%s: iteration gave %d entries, want %d", what, k, r->n);
    loam_array *keys = __loam_map_keys(m), *values = __loam_map_values(m);
    CHECK(keys->len == r->n && values->len == r->n && keys->elem_size == map_key_size &&
              values->elem_size == vsize,
          "%s: keys/values sizes", what);
    for (int i = 0; i < r->n && i < keys->len; i++) {
        CHECK(ref_key_eq(keys->data + i * map_key_size, r->e[i].key), "%s: keys()[%d]", what, i);
        CHECK(memcmp(values->data + i * vsize, r->e[i].value, (size_t)vsize) == 0, "%s: values()[%d]", what, i);
    }
}

static void run_map(loam_kind kind, int64_t vsize, int ops)
{
    map_kind = kind;
    map_key_size = kind == LOAM_K_STR ? 16 : kind == LOAM_K_INT ? 8 : 1;
    static RefMap r;
    r.n = 0;
    loam_map *m = __loam_map_new(kind, vsize);
    uint8_t key[16];
    for (int op = 0; op < ops; op++) {
        random_key(key);
        int at = ref_find(&r, key);
        int64_t value[3] = {(int64_t)rnd(), op, -op};
        switch (rnd_below(op % 3000 < 1500 ? 8 : 12)) {  /* phases that grow, then shrink */
        case 0:
        case 1:
            __loam_map_set(m, key, value);
            if (at < 0) {
                at = r.n++;
                memcpy(r.e[at].key, key, 16);
            }
            memcpy(r.e[at].value, value, sizeof value);
            break;
        case 2:
        case 3: {                        /* m[k] += 1 on the first word */
            int64_t *v = __loam_map_slot(m, key);
            *v += 1;
            if (at < 0) {
                at = r.n++;
                memcpy(r.e[at].key, key, 16);
                memset(r.e[at].value, 0, sizeof r.e[at].value);
            }
            r.e[at].value[0] += 1;
            break;
        }
        case 4: {
            int64_t got[3], dflt[3] = {-1, -2, -3};
            __loam_map_get(m, key, dflt, got);
            CHECK(memcmp(got, at >= 0 ? r.e[at].value : dflt, (size_t)vsize) == 0, "get op %d", op);
            CHECK(__loam_map_has(m, key) == (at >= 0), "has op %d", op);
            break;
        }
        case 5: {
            void *v = __loam_map_find(m, key);
            CHECK((v != NULL) == (at >= 0) && (!v || memcmp(v, r.e[at].value, (size_t)vsize) == 0),
                  "find op %d", op);
            if (at >= 0)
                CHECK(__loam_map_at("t", m, key) == v, "at op %d", op);
            break;
        }
        default:
            __loam_map_remove(m, key);
            if (at >= 0) {
                memmove(&r.e[at], &r.e[at + 1], sizeof r.e[0] * (size_t)(r.n - at - 1));
                r.n--;
            }
            break;
        }
        if (op % 97 == 0)
            check_map_matches(m, &r, vsize, "random ops");
    }
    check_map_matches(m, &r, vsize, "after random ops");
    loam_map *sorted = __loam_map_sorted(m);
    qsort(r.e, (size_t)r.n, sizeof r.e[0], ref_key_cmp);
    check_map_matches(sorted, &r, vsize, "sorted()");
    /* Emptying the map and filling it again. */
    loam_array *keys = __loam_map_keys(m);
    for (int64_t i = 0; i < keys->len; i++)
        __loam_map_remove(m, keys->data + i * map_key_size);
    r.n = 0;
    check_map_matches(m, &r, vsize, "emptied");
    random_key(key);
    int64_t one[3] = {1, 2, 3};
    __loam_map_set(m, key, one);
    r.n = 1;
    memcpy(r.e[0].key, key, 16);
    memcpy(r.e[0].value, one, sizeof one);
    check_map_matches(m, &r, vsize, "refilled");
}

static void test_map_random(void)
{
    for (int i = 0; i < 200; i++)
        snprintf(key_text[i], sizeof key_text[i], "%s%d", i % 3 ? "k" : "", i * 7);
    strcpy(key_text[0], "");
    for (int round = 0; round < 3; round++) {
        run_map(LOAM_K_INT, 8, 30000);
        run_map(LOAM_K_INT, 24, 10000);
        run_map(LOAM_K_STR, 8, 30000);
        run_map(LOAM_K_STR, 0 + 16, 10000);
        run_map(LOAM_K_BYTE, 8, 10000);
        run_map(LOAM_K_BOOL, 8, 2000);
        shim_reset();
    }
}

static void test_map_cases(void)
{
    loam_map *m = __loam_map_new(LOAM_K_STR, 8);
    loam_str a = S("apple"), b = S("banana"), missing = S("cherry");
    int64_t one = 1, two = 2;
    CHECK(__loam_map_len(m) == 0 && !__loam_map_has(m, &a) && __loam_map_find(m, &a) == NULL &&
              __loam_map_next(m, 0) == -1,
          "empty map");
    __loam_map_remove(m, &a);            /* removing from an empty map is fine */
    __loam_map_set(m, &b, &two);
    __loam_map_set(m, &a, &one);
    __loam_map_set(m, &b, &one);         /* an existing key keeps its place */
    loam_array *keys = __loam_map_keys(m);
    CHECK(keys->len == 2 && __loam_str_eq(((loam_str *)(void *)keys->data)[0], b), "order of first insertion");
    EXPECT_PANIC(__loam_map_at("t:4:4", m, &missing), "t:4:4: panic: key 'cherry' is not in the map");
    loam_map *im = __loam_map_new(LOAM_K_INT, 8);
    int64_t k = -7;
    EXPECT_PANIC(__loam_map_at("t", im, &k), "key -7 is not in the map");
    loam_map *bm = __loam_map_new(LOAM_K_BOOL, 8);
    bool t = true;
    EXPECT_PANIC(__loam_map_at("t", bm, &t), "key true is not in the map");
    /* Str values: m[k] += "x" starts from "". */
    loam_map *sm = __loam_map_new(LOAM_K_INT, 16);
    for (int i = 0; i < 3; i++) {
        loam_str *v = __loam_map_slot(sm, &k);
        *v = __loam_str_add(*v, S("x"));
    }
    CHECK(str_is(*(loam_str *)__loam_map_find(sm, &k), "xxx"), "Str value accumulates");
    /* A big map: many growth steps; every key still found. */
    loam_map *big = __loam_map_new(LOAM_K_INT, 8);
    for (int64_t i = 0; i < 200000; i++) {
        int64_t key = i * 1000003;
        __loam_map_set(big, &key, &i);
    }
    bool ok = __loam_map_len(big) == 200000;
    for (int64_t i = 0; i < 200000; i += 7) {
        int64_t key = i * 1000003;
        int64_t *v = __loam_map_find(big, &key);
        ok = ok && v && *v == i;
    }
    CHECK(ok, "200000 keys");
}

static void test_hash(void)
{
    /* Distinct small inputs give distinct hashes, and low bits spread. */
    int buckets[64] = {0};
    for (int64_t i = 0; i < 64000; i++)
        buckets[__loam_hash_int(i) & 63]++;
    int lo = 1 << 30, hi = 0;
    for (int i = 0; i < 64; i++) {
        lo = buckets[i] < lo ? buckets[i] : lo;
        hi = buckets[i] > hi ? buckets[i] : hi;
    }
    CHECK(lo > 800 && hi < 1200, "hash_int spread %d..%d", lo, hi);
    memset(buckets, 0, sizeof buckets);
    for (int i = 0; i < 64000; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "key%d", i);
        buckets[__loam_hash_str((loam_str){(uint8_t *)buf, n}) & 63]++;
    }
    lo = 1 << 30;
    hi = 0;
    for (int i = 0; i < 64; i++) {
        lo = buckets[i] < lo ? buckets[i] : lo;
        hi = buckets[i] > hi ? buckets[i] : hi;
    }
    CHECK(lo > 800 && hi < 1200, "hash_str spread %d..%d", lo, hi);
    /* Every length 0..40 reads only its own bytes. */
    uint8_t buf[64];
    for (int n = 0; n <= 40; n++) {
        memset(buf, 'a', sizeof buf);
        uint64_t h1 = __loam_hash_str((loam_str){buf, n});
        buf[n] = 'b';
        uint64_t h2 = __loam_hash_str((loam_str){buf, n});
        CHECK(h1 == h2, "hash_str reads past length %d", n);
        if (n) {
            buf[n - 1] = 'b';
            CHECK(__loam_hash_str((loam_str){buf, n}) != h1, "hash_str ignores byte %d", n - 1);
        }
    }
}

int main(void)
{
    run("int_methods", test_int_methods);
    run("byte_bool_methods", test_byte_bool_methods);
    run("float_methods", test_float_methods);
    run("fmt_float_cases", test_fmt_float_cases);
    run("fmt_float_shortest_vs_libc", test_fmt_float_shortest);
    run("parse_float_vs_strtod", test_parse_float);
    run("parse_int", test_parse_int);
    run("float_text_round_trip", test_float_round_trip);
    run("str_compare_concat", test_str_compare_concat);
    run("str_index_slice", test_str_index_slice);
    run("str_lines_words_split", test_str_lines_words_split);
    run("str_eq_line_end_vs_bytes", test_str_eq_line_end);
    run("str_find_vs_naive", test_str_find);
    run("str_case_repeat", test_str_case_repeat);
    run("array_push_pop_insert_remove", test_array_basics);
    run("array_contains_eq_join", test_array_contains_eq_join);
    run("array_contains_by", test_array_contains_by);
    run("array_sort_vs_stable_qsort", test_sort);
    run("map_cases", test_map_cases);
    run("map_random_ops_vs_reference", test_map_random);
    run("hash_spread", test_hash);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

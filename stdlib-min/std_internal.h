/* std_internal.h — what the stdlib-min files share and nobody else sees:
 * the mem* functions runtime/mem.c provides, a message builder for panic
 * texts, and a fixed-size unsigned bignum (bignum.c) for exact float
 * formatting and parsing.
 */
#ifndef LOAM_STD_INTERNAL_H
#define LOAM_STD_INTERNAL_H

#include "loam_std.h"

/* Provided by runtime/mem.c (by libc in the hosted tests). */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static inline bool std_is_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* A Str of n fresh bytes the caller fills before returning it. */
/* Whether p[0..n) == q[0..n): eight bytes at a time, the tail with one
 * overlapping load; short strings (words, keys) with two loads each. */
static inline bool std_bytes_equal(const uint8_t *p, const uint8_t *q, int64_t n)
{
    uint64_t x, y;
    if (n >= 8) {
        for (int64_t i = 0; i + 8 <= n; i += 8) {
            __builtin_memcpy(&x, p + i, 8);
            __builtin_memcpy(&y, q + i, 8);
            if (x != y)
                return false;
        }
        __builtin_memcpy(&x, p + n - 8, 8);
        __builtin_memcpy(&y, q + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t a, b, c, d;
        __builtin_memcpy(&a, p, 4);
        __builtin_memcpy(&b, q, 4);
        __builtin_memcpy(&c, p + n - 4, 4);
        __builtin_memcpy(&d, q + n - 4, 4);
        return a == b && c == d;
    }
    /* 0..3 bytes: positions 0, n/2 and n-1 cover them all. */
    return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
}

static inline uint8_t *std_str_alloc(int64_t n, loam_str *out)
{
    uint8_t *p = __loam_alloc(n);
    out->ptr = p;
    out->len = n;
    return p;
}

/* ---- panic messages: a NUL-terminated text built in a fixed buffer,
 * copied to the arena by std_msg_done. */
typedef struct std_msg {
    char buf[160];
    int len;
} std_msg;

void std_msg_cstr(std_msg *m, const char *s);
void std_msg_int(std_msg *m, int64_t v);
/* s between quotes, cut to 40 bytes with "..." if longer. */
void std_msg_quoted(std_msg *m, loam_str s);
const char *std_msg_done(std_msg *m);

/* Str and array slicing (str.c): 0 <= lo <= hi <= len or a panic naming
 * the bad index and the length. */
void std_check_slice(const char *where, int64_t lo, int64_t hi, int64_t len);

/* Decimal digits of v into buf (no NUL); returns their count (<= 20). */
int std_u64_digits(uint64_t v, char buf[20]);

/* ---- bignum.c: unsigned integers up to STD_BIG_LIMBS × 32 bits.
 * Operations MUST NOT overflow that size (callers bound their inputs). */
enum { STD_BIG_LIMBS = 124 };            /* 3968 bits: parse.c needs 3795 */
typedef struct std_big {
    int n;                               /* limbs in use; limb[n-1] != 0, 0 for zero */
    uint32_t limb[STD_BIG_LIMBS];
} std_big;

void std_big_set_u64(std_big *a, uint64_t v);
void std_big_mul_small(std_big *a, uint32_t m);              /* a *= m */
void std_big_add_small(std_big *a, uint32_t v);              /* a += v */
void std_big_mul_pow10(std_big *a, int k);                   /* a *= 10^k, k >= 0 */
void std_big_shl(std_big *a, int bits);                      /* a <<= bits, bits >= 0 */
void std_big_shr1(std_big *a);                               /* a >>= 1 */
int std_big_cmp(const std_big *a, const std_big *b);         /* -1, 0, 1 */
void std_big_sub(std_big *a, const std_big *b);              /* a -= b; MUST: a >= b */
void std_big_add(std_big *r, const std_big *a, const std_big *b);  /* r = a + b; r MAY alias */
void std_big_mul_u64(std_big *r, const std_big *a, uint64_t m);  /* r = a × m; r MUST NOT alias a */
/* a -= b × m; MUST: a >= b × m. */
void std_big_submul_small(std_big *a, const std_big *b, uint32_t m);
/* a / b within a relative error of 2^-50 (both nonzero, ratio in double range). */
double std_big_ratio(const std_big *a, const std_big *b);
int std_big_bits(const std_big *a);                          /* bit length, 0 for zero */
bool std_big_is_zero(const std_big *a);

#endif

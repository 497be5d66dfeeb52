/* bignum.c — fixed-size unsigned big integers for the exact paths of float
 * formatting (float.c) and parsing (parse.c). Little-endian 32-bit limbs,
 * always normalised (no leading zero limbs). Sizes are bounded by the
 * callers, so nothing here allocates or checks for overflow.
 */
#include "std_internal.h"

static void trim(std_big *a)
{
    while (a->n > 0 && a->limb[a->n - 1] == 0)
        a->n--;
}

void std_big_set_u64(std_big *a, uint64_t v)
{
    a->limb[0] = (uint32_t)v;
    a->limb[1] = (uint32_t)(v >> 32);
    a->n = 2;
    trim(a);
}

void std_big_mul_small(std_big *a, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->limb[i] * m + carry;
        a->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        a->limb[a->n++] = (uint32_t)carry;
    trim(a);
}

void std_big_add_small(std_big *a, uint32_t v)
{
    uint64_t carry = v;
    for (int i = 0; carry && i < a->n; i++) {
        uint64_t t = (uint64_t)a->limb[i] + carry;
        a->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        a->limb[a->n++] = (uint32_t)carry;
}

void std_big_mul_pow10(std_big *a, int k)
{
    while (k >= 9) {
        std_big_mul_small(a, 1000000000u);
        k -= 9;
    }
    static const uint32_t pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000,
                                      10000000, 100000000};
    if (k > 0)
        std_big_mul_small(a, pow10[k]);
}

void std_big_shl(std_big *a, int bits)
{
    if (a->n == 0)
        return;
    int words = bits / 32, rest = bits % 32;
    if (rest) {
        a->limb[a->n] = 0;
        for (int i = a->n; i > 0; i--)
            a->limb[i] = (a->limb[i] << rest) | (a->limb[i - 1] >> (32 - rest));
        a->limb[0] <<= rest;
        a->n++;
    }
    if (words) {
        for (int i = a->n - 1; i >= 0; i--)
            a->limb[i + words] = a->limb[i];
        for (int i = 0; i < words; i++)
            a->limb[i] = 0;
        a->n += words;
    }
    trim(a);
}

void std_big_shr1(std_big *a)
{
    for (int i = 0; i < a->n; i++) {
        uint32_t next = i + 1 < a->n ? a->limb[i + 1] : 0;
        a->limb[i] = (a->limb[i] >> 1) | (next << 31);
    }
    trim(a);
}

int std_big_cmp(const std_big *a, const std_big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->limb[i] != b->limb[i])
            return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

void std_big_sub(std_big *a, const std_big *b)
{
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->limb[i] - (i < b->n ? b->limb[i] : 0) - borrow;
        borrow = t < 0;
        a->limb[i] = (uint32_t)(t + (borrow << 32));
    }
    trim(a);
}

void std_big_add(std_big *r, const std_big *a, const std_big *b)
{
    int n = a->n > b->n ? a->n : b->n;
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        uint64_t t = (uint64_t)(i < a->n ? a->limb[i] : 0) + (i < b->n ? b->limb[i] : 0) + carry;
        r->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    r->n = n;
    if (carry)
        r->limb[r->n++] = (uint32_t)carry;
}

int std_big_bits(const std_big *a)
{
    if (a->n == 0)
        return 0;
    return (a->n - 1) * 32 + (32 - __builtin_clz(a->limb[a->n - 1]));
}

bool std_big_is_zero(const std_big *a)
{
    return a->n == 0;
}

void std_big_mul_u64(std_big *r, const std_big *a, uint64_t m)
{
    __uint128_t carry = 0;
    int n = a->n;
    for (int i = 0; i < n; i++) {
        carry += (__uint128_t)a->limb[i] * m;
        r->limb[i] = (uint32_t)carry;
        carry >>= 32;
    }
    r->n = n;
    while (carry) {
        r->limb[r->n++] = (uint32_t)carry;
        carry >>= 32;
    }
    trim(r);
}

void std_big_submul_small(std_big *a, const std_big *b, uint32_t m)
{
    uint64_t carry = 0;                  /* what b × m still owes a */
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t p = (i < b->n ? (uint64_t)b->limb[i] * m : 0) + carry;
        carry = p >> 32;
        int64_t t = (int64_t)a->limb[i] - (int64_t)(uint32_t)p - borrow;
        borrow = t < 0;
        a->limb[i] = (uint32_t)(t + (borrow << 32));
    }
    trim(a);
}

/* The top three limbs as a double, and the limb index of the lowest one. */
static double top(const std_big *a, int *low)
{
    double v = 0;
    int from = a->n - 3 < 0 ? 0 : a->n - 3;
    for (int i = a->n - 1; i >= from; i--)
        v = v * 4294967296.0 + a->limb[i];
    *low = from;
    return v;
}

double std_big_ratio(const std_big *a, const std_big *b)
{
    int la, lb;
    double r = top(a, &la) / top(b, &lb);
    int e = 32 * (la - lb);
    for (; e > 0; e -= 32)
        r *= 4294967296.0;
    for (; e < 0; e += 32)
        r /= 4294967296.0;
    return r;
}

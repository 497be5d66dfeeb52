/* mem.c — memcpy, memmove, memset, memcmp: there is no libc, and clang
 * emits calls to these by itself (struct copies, zeroing), even in
 * freestanding code. `rep movsb`/`rep stosb` are fast on every x86-64 made
 * since Ivy Bridge (ERMSB) and keep clang from turning a C loop here back
 * into a call to the function itself.
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Up to 16 bytes with two overlapping loads and stores of the widest size
 * that fits: map keys and array elements are 8 or 16 bytes, where the
 * start-up cost of `rep movsb` would dominate. */
static inline void copy_small(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n >= 8) {
        uint64_t x, y;
        __builtin_memcpy(&x, s, 8);
        __builtin_memcpy(&y, s + n - 8, 8);
        __builtin_memcpy(d, &x, 8);
        __builtin_memcpy(d + n - 8, &y, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        __builtin_memcpy(&x, s, 4);
        __builtin_memcpy(&y, s + n - 4, 4);
        __builtin_memcpy(d, &x, 4);
        __builtin_memcpy(d + n - 4, &y, 4);
    } else if (n > 0) {
        uint8_t x = s[0], y = s[n / 2], z = s[n - 1];
        d[0] = x;
        d[n / 2] = y;
        d[n - 1] = z;
    }
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    if (n <= 16) {
        copy_small(dst, src, n);
        return dst;
    }
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d - s >= n) {           /* no overlap that a forward copy would break */
        void *dp = dst;
        __asm__ volatile("rep movsb" : "+D"(dp), "+S"(src), "+c"(n) : : "memory");
    } else {                    /* copy backwards, with the direction flag set */
        void *dp = (uint8_t *)dst + n - 1;
        const void *sp = (const uint8_t *)src + n - 1;
        __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

/* Eight bytes at a time; the first differing word decides, compared as
 * big-endian numbers so that its first differing byte decides. */
int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t u, v;
        __builtin_memcpy(&u, x + i, 8);
        __builtin_memcpy(&v, y + i, 8);
        if (u != v) {
            u = __builtin_bswap64(u);
            v = __builtin_bswap64(v);
            return u < v ? -1 : 1;
        }
    }
    for (; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

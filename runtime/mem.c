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

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
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

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

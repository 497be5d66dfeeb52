/* task.h — helpers for hand-written test tasks: what generated code would
 * do, spelled out in C (freestanding; only loam_rt.h). Each test image
 * defines __loam_tasks and __loam_root_task as the compiler would.
 */
#ifndef TEST_TASK_H
#define TEST_TASK_H

#include "loam_rt.h"

static inline int64_t cstr_len(const char *s)
{
    int64_t n = 0;
    while (s[n])
        n++;
    return n;
}

static inline loam_str cstr(const char *s) { return (loam_str){(const uint8_t *)s, cstr_len(s)}; }

/* Writes bytes to an output the way the compiler lowers a write. */
static inline void out_bytes(loam_do *out, const void *p, int64_t n)
{
    uint8_t *dst = __loam_request(out, n);
    for (int64_t i = 0; i < n; i++)
        dst[i] = ((const uint8_t *)p)[i];
    __loam_commit(out, dst, n);
}

static inline void out_str(loam_do *out, const char *s) { out_bytes(out, s, cstr_len(s)); }

static inline void out_int(loam_do *out, int64_t v)
{
    char d[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        d[sizeof d - 1 - n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        d[sizeof d - 1 - n++] = '-';
    out_bytes(out, d + sizeof d - n, n);
}

/* The yield point generated code has at loop back-edges. */
#define YIELD_POINT()                       \
    do {                                    \
        if (--__loam_budget < 0)            \
            __loam_yield();                 \
    } while (0)

#endif

/* array.c — [T]: growth, indexing, slicing and the methods of spec §7.
 *
 * Elements are stored inline, elem_size bytes each; functions that compare
 * elements take a loam_kind. Growth doubles the capacity into a new arena
 * block (the old one is simply abandoned: the arena frees it with the
 * task). Sorting is a stable bottom-up merge sort, O(n log n) in the worst
 * case, with one scratch block of n elements; Byte and Bool arrays are
 * counting-sorted in O(n).
 */
#include "std_internal.h"

loam_array *__loam_array_new(int64_t elem_size, int64_t cap)
{
    loam_array *a = __loam_alloc(sizeof *a);
    a->elem_size = elem_size;
    a->cap = cap;
    a->data = cap ? __loam_alloc(cap * elem_size) : 0;
    return a;
}

loam_array *__loam_array_from(int64_t elem_size, const void *data, int64_t len)
{
    loam_array *a = __loam_array_new(elem_size, len);
    if (len)
        memcpy(a->data, data, (size_t)(len * elem_size));
    a->len = len;
    return a;
}

int64_t __loam_array_len(const loam_array *a) { return a->len; }

void *__loam_array_at(const char *where, const loam_array *a, int64_t i)
{
    if ((uint64_t)i >= (uint64_t)a->len)
        __loam_panic_bounds(where, i, a->len);
    return a->data + i * a->elem_size;
}

loam_array *__loam_array_slice(const char *where, const loam_array *a, int64_t lo, int64_t hi)
{
    std_check_slice(where, lo, hi, a->len);
    return __loam_array_from(a->elem_size, lo ? a->data + lo * a->elem_size : a->data, hi - lo);
}

/* Room for at least one more element. */
static void reserve_one(loam_array *a)
{
    if (a->len < a->cap)
        return;
    int64_t cap = a->cap < 4 ? 4 : a->cap * 2;
    uint8_t *data = __loam_alloc(cap * a->elem_size);
    if (a->len)
        memcpy(data, a->data, (size_t)(a->len * a->elem_size));
    a->data = data;
    a->cap = cap;
}

void __loam_array_push(loam_array *a, const void *elem)
{
    reserve_one(a);
    memcpy(a->data + a->len * a->elem_size, elem, (size_t)a->elem_size);
    a->len++;
}

void __loam_array_pop(const char *where, loam_array *a, void *out)
{
    if (a->len == 0)
        __loam_panic(where, "pop: the array is empty");
    a->len--;
    memcpy(out, a->data + a->len * a->elem_size, (size_t)a->elem_size);
}

void __loam_array_insert(const char *where, loam_array *a, int64_t i, const void *elem)
{
    if (i < 0 || i > a->len)
        __loam_panic_bounds(where, i, a->len);
    reserve_one(a);
    int64_t size = a->elem_size;
    memmove(a->data + (i + 1) * size, a->data + i * size, (size_t)((a->len - i) * size));
    memcpy(a->data + i * size, elem, (size_t)size);
    a->len++;
}

void __loam_array_remove(const char *where, loam_array *a, int64_t i, void *out)
{
    if ((uint64_t)i >= (uint64_t)a->len)
        __loam_panic_bounds(where, i, a->len);
    int64_t size = a->elem_size;
    memcpy(out, a->data + i * size, (size_t)size);
    memmove(a->data + i * size, a->data + (i + 1) * size, (size_t)((a->len - i - 1) * size));
    a->len--;
}

void __loam_array_reverse(loam_array *a)
{
    int64_t size = a->elem_size;
    for (int64_t i = 0, j = a->len - 1; i < j; i++, j--) {
        uint8_t *x = a->data + i * size, *y = a->data + j * size;
        for (int64_t k = 0; k < size; k++) {
            uint8_t t = x[k];
            x[k] = y[k];
            y[k] = t;
        }
    }
}

/* ---- sorting ---- */

static bool less_int(int64_t a, int64_t b) { return a < b; }
/* NaN sorts after every number; NaNs are equal to each other. */
static bool less_float(double a, double b) { return a < b || (b != b && a == a); }
static bool less_str(loam_str a, loam_str b) { return __loam_str_cmp(a, b) < 0; }

/* A stable merge sort of v[0..n) for one element type: insertion sort on
 * runs of RUN, then merges of doubling width between v and tmp. */
enum { RUN = 16 };
#define DEFINE_MERGE_SORT(NAME, T, LESS)                                            \
    static void NAME(T *v, int64_t n)                                               \
    {                                                                               \
        for (int64_t lo = 0; lo < n; lo += RUN) {                                   \
            int64_t hi = lo + RUN < n ? lo + RUN : n;                               \
            for (int64_t i = lo + 1; i < hi; i++) {                                 \
                T x = v[i];                                                         \
                int64_t j = i;                                                      \
                for (; j > lo && LESS(x, v[j - 1]); j--)                            \
                    v[j] = v[j - 1];                                                \
                v[j] = x;                                                           \
            }                                                                       \
        }                                                                           \
        if (n <= RUN)                                                               \
            return;                                                                 \
        T *tmp = __loam_alloc(n * (int64_t)sizeof(T));                              \
        T *src = v, *dst = tmp;                                                     \
        for (int64_t width = RUN; width < n; width *= 2) {                          \
            for (int64_t lo = 0; lo < n; lo += 2 * width) {                         \
                int64_t mid = lo + width < n ? lo + width : n;                      \
                int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;               \
                int64_t i = lo, j = mid, k = lo;                                    \
                if (mid < hi && !LESS(src[mid], src[mid - 1])) {                    \
                    /* already in order: one copy */                                \
                    memcpy(dst + lo, src + lo, (size_t)(hi - lo) * sizeof(T));      \
                    continue;                                                       \
                }                                                                   \
                while (i < mid && j < hi)                                           \
                    dst[k++] = LESS(src[j], src[i]) ? src[j++] : src[i++];          \
                while (i < mid)                                                     \
                    dst[k++] = src[i++];                                            \
                while (j < hi)                                                      \
                    dst[k++] = src[j++];                                            \
            }                                                                       \
            T *t = src;                                                             \
            src = dst;                                                              \
            dst = t;                                                                \
        }                                                                           \
        if (src != v)                                                               \
            memcpy(v, src, (size_t)n * sizeof(T));                                  \
    }

DEFINE_MERGE_SORT(sort_int, int64_t, less_int)
DEFINE_MERGE_SORT(sort_float, double, less_float)
DEFINE_MERGE_SORT(sort_str, loam_str, less_str)

/* Equal Bytes (or Bools) are indistinguishable, so counting is stable. */
static void sort_bytes(uint8_t *v, int64_t n)
{
    int64_t count[256] = {0};
    for (int64_t i = 0; i < n; i++)
        count[v[i]]++;
    int64_t k = 0;
    for (int c = 0; c < 256; c++)
        for (int64_t i = 0; i < count[c]; i++)
            v[k++] = (uint8_t)c;
}

void __loam_array_sort(loam_array *a, loam_kind kind)
{
    switch (kind) {
    case LOAM_K_INT: sort_int((int64_t *)(void *)a->data, a->len); break;
    case LOAM_K_FLOAT: sort_float((double *)(void *)a->data, a->len); break;
    case LOAM_K_STR: sort_str((loam_str *)(void *)a->data, a->len); break;
    case LOAM_K_BYTE:
    case LOAM_K_BOOL: sort_bytes(a->data, a->len); break;
    }
}

loam_array *__loam_array_sorted(const loam_array *a, loam_kind kind)
{
    loam_array *b = __loam_array_from(a->elem_size, a->data, a->len);
    __loam_array_sort(b, kind);
    return b;
}

/* ---- equality ---- */

static bool elem_eq(const uint8_t *x, const uint8_t *y, loam_kind kind)
{
    switch (kind) {
    case LOAM_K_INT: {
        int64_t a, b;
        memcpy(&a, x, 8);
        memcpy(&b, y, 8);
        return a == b;
    }
    case LOAM_K_FLOAT: {
        double a, b;
        memcpy(&a, x, 8);
        memcpy(&b, y, 8);
        return a == b;
    }
    case LOAM_K_STR: {
        loam_str a, b;
        memcpy(&a, x, sizeof a);
        memcpy(&b, y, sizeof b);
        return __loam_str_eq(a, b);
    }
    case LOAM_K_BYTE:
    case LOAM_K_BOOL: return *x == *y;
    }
    return false;
}

bool __loam_array_contains(const loam_array *a, const void *elem, loam_kind kind)
{
    for (int64_t i = 0; i < a->len; i++)
        if (elem_eq(a->data + i * a->elem_size, elem, kind))
            return true;
    return false;
}

bool __loam_array_contains_by(const loam_array *a, const void *elem,
                              bool (*eq)(const void *x, const void *y))
{
    for (int64_t i = 0; i < a->len; i++)
        if (eq(a->data + i * a->elem_size, elem))
            return true;
    return false;
}

bool __loam_array_eq_by(const loam_array *a, const loam_array *b,
                        bool (*eq)(const void *x, const void *y))
{
    if (a->len != b->len)
        return false;
    for (int64_t i = 0; i < a->len; i++)
        if (!eq(a->data + i * a->elem_size, b->data + i * b->elem_size))
            return false;
    return true;
}

bool __loam_array_eq(const loam_array *a, const loam_array *b, loam_kind kind)
{
    if (a->len != b->len)
        return false;
    for (int64_t i = 0; i < a->len; i++)
        if (!elem_eq(a->data + i * a->elem_size, b->data + i * b->elem_size, kind))
            return false;
    return true;
}

loam_str __loam_array_join(const loam_array *a, loam_str sep)
{
    const loam_str *v = (const loam_str *)(const void *)a->data;
    if (a->len == 0)
        return (loam_str){0, 0};
    int64_t total = sep.len * (a->len - 1);
    for (int64_t i = 0; i < a->len; i++)
        total += v[i].len;
    loam_str r;
    uint8_t *p = std_str_alloc(total, &r);
    for (int64_t i = 0; i < a->len; i++) {
        if (i && sep.len) {
            memcpy(p, sep.ptr, (size_t)sep.len);
            p += sep.len;
        }
        if (v[i].len)
            memcpy(p, v[i].ptr, (size_t)v[i].len);
        p += v[i].len;
    }
    return r;
}

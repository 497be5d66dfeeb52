/* str.c — Str operators, indexing, slicing and methods (spec §3.2, §7),
 * and __loam_concat for interpolation (loam_rt.h §6).
 *
 * A Str is immutable, so results share the receiver's bytes wherever they
 * can (slices, trim, lines, words, split); only new text is allocated.
 */
#include "std_internal.h"

loam_str __loam_str_c(const char *s)
{
    int64_t n = 0;
    while (s[n])
        n++;
    return (loam_str){(const uint8_t *)s, n};
}

bool __loam_str_eq(loam_str a, loam_str b)
{
    return a.len == b.len && std_bytes_equal(a.ptr, b.ptr, a.len);
}

int __loam_str_cmp(loam_str a, loam_str b)
{
    int64_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, (size_t)n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len;
}

loam_str __loam_concat(const loam_str *parts, int64_t count)
{
    int64_t total = 0;
    for (int64_t i = 0; i < count; i++)
        total += parts[i].len;
    loam_str s;
    uint8_t *p = std_str_alloc(total, &s);
    for (int64_t i = 0; i < count; i++) {
        if (parts[i].len)
            memcpy(p, parts[i].ptr, (size_t)parts[i].len);
        p += parts[i].len;
    }
    return s;
}

loam_str __loam_str_add(loam_str a, loam_str b)
{
    if (a.len == 0)
        return b;
    if (b.len == 0)
        return a;
    loam_str parts[2] = {a, b};
    return __loam_concat(parts, 2);
}

uint8_t __loam_str_at(const char *where, loam_str s, int64_t i)
{
    if ((uint64_t)i >= (uint64_t)s.len)
        __loam_panic_bounds(where, i, s.len);
    return s.ptr[i];
}

void std_check_slice(const char *where, int64_t lo, int64_t hi, int64_t len)
{
    if (lo < 0 || lo > len)
        __loam_panic_bounds(where, lo, len);
    if (hi < 0 || hi > len)
        __loam_panic_bounds(where, hi, len);
    if (lo > hi) {
        std_msg m = {0};
        std_msg_cstr(&m, "slice starts at ");
        std_msg_int(&m, lo);
        std_msg_cstr(&m, " but ends at ");
        std_msg_int(&m, hi);
        __loam_panic(where, std_msg_done(&m));
    }
}

loam_str __loam_str_slice(const char *where, loam_str s, int64_t lo, int64_t hi)
{
    std_check_slice(where, lo, hi, s.len);
    return (loam_str){lo ? s.ptr + lo : s.ptr, hi - lo};   /* "" MAY have a NULL ptr */
}

int64_t __loam_str_len(loam_str s) { return s.len; }

loam_array *__loam_str_bytes(loam_str s)
{
    return __loam_array_from(1, s.ptr, s.len);
}

/* The first c in p[0..n), or -1: sixteen bytes at a time with SSE2 (every
 * x86-64 has it), which finds the end of a line about twice as fast as
 * eight-byte words did. */
typedef char std_v16 __attribute__((vector_size(16)));

static int64_t find_byte(const uint8_t *p, int64_t n, uint8_t c)
{
    std_v16 pattern = {0};
    pattern += (char)c;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        std_v16 block;
        __builtin_memcpy(&block, p + i, 16);
        int mask = __builtin_ia32_pmovmskb128((std_v16)(block == pattern));
        if (mask)
            return i + __builtin_ctz((unsigned)mask);
    }
    for (; i < n; i++)
        if (p[i] == c)
            return i;
    return -1;
}

/* First occurrence of needle in s at or after from, or -1. Candidate
 * positions come from a fast scan for the needle's first byte, checked by
 * its last byte before the full compare. */
static int64_t find_from(loam_str s, loam_str needle, int64_t from)
{
    if (needle.len == 0)
        return from <= s.len ? from : -1;
    uint8_t first = needle.ptr[0], last = needle.ptr[needle.len - 1];
    int64_t limit = s.len - needle.len;   /* last possible start */
    int64_t i = from;
    while (i <= limit) {
        int64_t j = find_byte(s.ptr + i, limit - i + 1, first);
        if (j < 0)
            return -1;
        i += j;
        if (s.ptr[i + needle.len - 1] == last &&
            memcmp(s.ptr + i, needle.ptr, (size_t)needle.len) == 0)
            return i;
        i++;
    }
    return -1;
}

int64_t __loam_str_find(loam_str s, loam_str needle) { return find_from(s, needle, 0); }

static loam_array *str_array(int64_t cap) { return __loam_array_new(sizeof(loam_str), cap); }

static void add(loam_array *a, const uint8_t *p, int64_t n)
{
    loam_str s = {p, n};
    __loam_array_push(a, &s);
}

loam_array *__loam_str_lines(loam_str s)
{
    int64_t count = 0;
    for (int64_t i = 0, j; i < s.len; i += j + 1) {
        j = find_byte(s.ptr + i, s.len - i, '\n');
        if (j < 0)
            j = s.len - i;
        count++;
    }
    loam_array *a = str_array(count);
    for (int64_t i = 0, j; i < s.len; i += j + 1) {
        j = find_byte(s.ptr + i, s.len - i, '\n');
        int64_t n = j;
        if (j < 0) {
            j = n = s.len - i;           /* the last line has no '\n' */
        } else if (n > 0 && s.ptr[i + n - 1] == '\r') {
            n--;
        }
        add(a, s.ptr + i, n);
    }
    return a;
}

int64_t __loam_str_line_end(loam_str s, int64_t from)
{
    int64_t j = find_byte(s.ptr + from, s.len - from, '\n');
    return j < 0 ? s.len : from + j;
}

loam_array *__loam_str_words(loam_str s)
{
    int64_t count = 0;
    for (int64_t i = 0; i < s.len; i++)
        if (!std_is_space(s.ptr[i]) && (i == 0 || std_is_space(s.ptr[i - 1])))
            count++;
    loam_array *a = str_array(count);
    int64_t i = 0;
    while (i < s.len) {
        while (i < s.len && std_is_space(s.ptr[i]))
            i++;
        int64_t start = i;
        while (i < s.len && !std_is_space(s.ptr[i]))
            i++;
        if (i > start)
            add(a, s.ptr + start, i - start);
    }
    return a;
}

loam_array *__loam_str_split(const char *where, loam_str s, loam_str sep)
{
    if (sep.len == 0)
        __loam_panic(where, "split: the separator is empty");
    int64_t count = 1;
    for (int64_t i = find_from(s, sep, 0); i >= 0; i = find_from(s, sep, i + sep.len))
        count++;
    loam_array *a = str_array(count);
    int64_t start = 0;
    for (int64_t i = find_from(s, sep, 0); i >= 0; i = find_from(s, sep, start)) {
        add(a, s.ptr + start, i - start);
        start = i + sep.len;
    }
    add(a, start ? s.ptr + start : s.ptr, s.len - start);
    return a;
}

static loam_str map_case(loam_str s, uint8_t from, uint8_t flip)
{
    loam_str r;
    uint8_t *p = std_str_alloc(s.len, &r);
    for (int64_t i = 0; i < s.len; i++) {
        uint8_t c = s.ptr[i];
        p[i] = (uint8_t)(c - from) < 26 ? c ^ flip : c;
    }
    return r;
}

loam_str __loam_str_lower(loam_str s) { return map_case(s, 'A', 0x20); }
loam_str __loam_str_upper(loam_str s) { return map_case(s, 'a', 0x20); }

loam_str __loam_str_repeat(const char *where, loam_str s, int64_t n)
{
    if (n < 0) {
        std_msg m = {0};
        std_msg_cstr(&m, "repeat: negative count ");
        std_msg_int(&m, n);
        __loam_panic(where, std_msg_done(&m));
    }
    int64_t total;
    if (__builtin_mul_overflow(s.len, n, &total))
        __loam_panic_overflow(where);
    loam_str r;
    uint8_t *p = std_str_alloc(total, &r);
    if (total == 0)
        return r;
    /* Doubling copies: log n memcpy calls. */
    memcpy(p, s.ptr, (size_t)s.len);
    int64_t done = s.len;
    while (done < total) {
        int64_t chunk = done <= total - done ? done : total - done;
        memcpy(p + done, p, (size_t)chunk);
        done += chunk;
    }
    return r;
}

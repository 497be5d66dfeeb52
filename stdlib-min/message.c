/* message.c — building the texts of panics ("cannot parse 'x' as an Int")
 * without libc, and decimal digits of integers.
 */
#include "std_internal.h"

int std_u64_digits(uint64_t v, char buf[20])
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

static void put(std_msg *m, char c)
{
    if (m->len < (int)sizeof m->buf - 1)
        m->buf[m->len++] = c;
}

void std_msg_cstr(std_msg *m, const char *s)
{
    while (*s)
        put(m, *s++);
}

void std_msg_int(std_msg *m, int64_t v)
{
    char d[20];
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        put(m, '-');
        u = 0 - u;
    }
    int n = std_u64_digits(u, d);
    for (int i = 0; i < n; i++)
        put(m, d[i]);
}

void std_msg_quoted(std_msg *m, loam_str s)
{
    put(m, '\'');
    int64_t n = s.len > 40 ? 40 : s.len;
    for (int64_t i = 0; i < n; i++)
        put(m, (char)s.ptr[i]);
    if (s.len > 40)
        std_msg_cstr(m, "...");
    put(m, '\'');
}

const char *std_msg_done(std_msg *m)
{
    char *p = __loam_alloc(m->len + 1);
    memcpy(p, m->buf, (size_t)m->len);
    return p;
}

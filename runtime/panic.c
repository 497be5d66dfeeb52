/* panic.c — panics (spec/abi.md §5): one line `where: panic: what` on
 * stderr, outputs discarded, exit status 101. The specialised entry points
 * keep the message text out of every call site.
 */
#include "lk.h"

typedef struct msg {
    char buf[512];
    int64_t len;
} msg;

static void put(msg *m, const char *s)
{
    while (*s && m->len < (int64_t)sizeof m->buf - 1)
        m->buf[m->len++] = *s++;
}

/* Decimal, INT64_MIN included. */
static void put_int(msg *m, int64_t v)
{
    char digits[21];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        digits[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        digits[n++] = '-';
    while (n > 0 && m->len < (int64_t)sizeof m->buf - 1)
        m->buf[m->len++] = digits[--n];
}

static _Noreturn void finish(msg *m)
{
    m->buf[m->len++] = '\n';    /* put() always leaves room for it */
    lk_panic_exit(m->buf, m->len);
}

static void begin(msg *m, const char *where)
{
    m->len = 0;
    put(m, where ? where : "?");
    put(m, ": panic: ");
}

_Noreturn void __loam_panic(const char *where, const char *what)
{
    msg m;
    begin(&m, where);
    put(&m, what ? what : "");
    finish(&m);
}

_Noreturn void __loam_panic_bounds(const char *where, int64_t index, int64_t len)
{
    msg m;
    begin(&m, where);
    put(&m, "index ");
    put_int(&m, index);
    put(&m, " out of range for length ");
    put_int(&m, len);
    finish(&m);
}

_Noreturn void __loam_panic_overflow(const char *where)
{
    __loam_panic(where, "integer overflow");
}

_Noreturn void __loam_panic_divide(const char *where)
{
    __loam_panic(where, "division by zero");
}

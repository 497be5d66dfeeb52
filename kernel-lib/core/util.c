/* util.c — the kernel's own bump allocator and the line builder used for
 * every message the kernel prints. Nothing here is ever freed: the kernel
 * allocates bindings at start-up, then one record per data object, task
 * record and failure (task records are recycled by sched.c).
 */
#include "kernel.h"

enum { KCHUNK = 1 << 16 };

static lk_spin kalloc_lock;

void *lk_kalloc(int64_t size)
{
    static uint8_t *next, *end;
    size = (size + 15) & ~(int64_t)15;
    lk_lock(&kalloc_lock);
    if (size > end - next) {
        int64_t bytes = size > KCHUNK ? size : KCHUNK;
        next = plat_map(bytes);
        if (!next) {
            static const char msg[] = "loam: error: the kernel is out of memory\n";
            plat_write(LK_STDERR, msg, sizeof msg - 1);
            plat_exit(LK_EXIT_IO);
        }
        end = next + bytes;
    }
    void *p = next;
    next += size;
    lk_unlock(&kalloc_lock);
    return p;
}

char *lk_kstrdup(const char *s, int64_t n)
{
    char *c = lk_kalloc(n + 1);
    memcpy(c, s, (size_t)n);
    return c;
}

void lk_say(const lk_line *l)
{
    lk_console_flush();
    plat_write(LK_STDERR, l->buf, l->len);
}

int64_t lk_strlen(const char *s)
{
    int64_t n = 0;
    while (s[n])
        n++;
    return n;
}

bool lk_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void lk_line_mem(lk_line *l, const void *p, int64_t n)
{
    int64_t room = (int64_t)sizeof l->buf - l->len;
    if (n > room)
        n = room;
    memcpy(l->buf + l->len, p, (size_t)n);
    l->len += n;
}

void lk_line_str(lk_line *l, const char *s) { lk_line_mem(l, s, lk_strlen(s)); }

void lk_line_int(lk_line *l, int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;   /* INT64_MIN too */
    do
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        digits[sizeof digits - 1 - n++] = '-';
    lk_line_mem(l, digits + sizeof digits - n, n);
}

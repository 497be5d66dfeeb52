/* console.c — the image's console (stdout when hosted), buffered so that
 * print() in a loop costs a copy, not a system call. Flushed when the
 * buffer fills and when the image ends (normally or by a panic).
 */
#include "kernel.h"

static uint8_t console_buf[1 << 13];
static int64_t console_used;
static lk_spin console_lock;

static void flush_locked(void)
{
    plat_write(LK_STDOUT, console_buf, console_used);
    console_used = 0;
}

void lk_console_flush(void)
{
    lk_lock(&console_lock);
    flush_locked();
    lk_unlock(&console_lock);
}

void lk_console_write(const void *p, int64_t n)
{
    lk_lock(&console_lock);
    if (n > (int64_t)sizeof console_buf - console_used) {
        flush_locked();
        if (n >= (int64_t)sizeof console_buf) {
            plat_write(LK_STDOUT, p, n);
            lk_unlock(&console_lock);
            return;
        }
    }
    memcpy(console_buf + console_used, p, (size_t)n);
    console_used += n;
    lk_unlock(&console_lock);
}

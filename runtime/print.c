/* print.c — __loam_print (spec/abi.md §6): a line on the console,
 * buffered by the kernel and flushed when the image ends. The line and its
 * newline go in one call, so lines printed on several cores never mix.
 */
#include "lk.h"

void __loam_print(loam_str s)
{
    uint8_t small[256];
    if (s.len < (int64_t)sizeof small) {
        for (int64_t i = 0; i < s.len; i++)
            small[i] = s.ptr[i];
        small[s.len] = '\n';
        lk_console_write(small, s.len + 1);
        return;
    }
    uint8_t *p = __loam_alloc(s.len + 1);
    for (int64_t i = 0; i < s.len; i++)
        p[i] = s.ptr[i];
    p[s.len] = '\n';
    lk_console_write(p, s.len + 1);
}

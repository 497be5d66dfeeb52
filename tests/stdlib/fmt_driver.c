/* fmt_driver.c — reads doubles as 16 hex digits of their bits, one per
 * line, and prints __loam_fmt_float of each: the library side of
 * repr_check.py, which compares the output with CPython's repr(). */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        uint64_t b = strtoull(line, NULL, 16);
        double v;
        memcpy(&v, &b, 8);
        loam_str s = __loam_fmt_float(v);
        fwrite(s.ptr, 1, (size_t)s.len, stdout);
        putchar('\n');
        shim_reset();
    }
    return 0;
}

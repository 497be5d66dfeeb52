/* print.c — __loam_print (spec/abi.md §6): a line on the console,
 * buffered by the kernel and flushed when the image ends.
 */
#include "lk.h"

void __loam_print(loam_str s)
{
    lk_console_write(s.ptr, s.len);
    lk_console_write("\n", 1);
}

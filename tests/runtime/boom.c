/* boom(copy: out Blob, mode: Str) — writes to its output, prints a line,
 * then panics the way mode says: "bounds", "overflow", "divide", "user".
 * Nothing may be committed; the printed line must still appear.
 */
#include "task.h"

static bool str_is(loam_str s, const char *c)
{
    int64_t n = cstr_len(c);
    if (s.len != n)
        return false;
    for (int64_t i = 0; i < n; i++)
        if (s.ptr[i] != (uint8_t)c[i])
            return false;
    return true;
}

static void task_boom(loam_value *args)
{
    for (int i = 0; i < 100000; i++)
        out_str(args[0].blob, "this must never be committed\n");
    __loam_print(cstr("before the panic"));
    loam_str mode = args[1].s;
    if (str_is(mode, "bounds"))
        __loam_panic_bounds("boom.loam:3:7", 10, 3);
    if (str_is(mode, "overflow"))
        __loam_panic_overflow("boom.loam:4:9");
    if (str_is(mode, "divide"))
        __loam_panic_divide("boom.loam:5:11");
    if (str_is(mode, "min"))
        __loam_panic_bounds("boom.loam:6:1", INT64_MIN, 0);
    __loam_panic("boom.loam:7:5", "the user said so");
}

static const loam_param boom_params[] = {
    {"copy", LOAM_P_OUT},
    {"mode", LOAM_P_STR},
};

const loam_task __loam_tasks[] = {
    {"boom", task_boom, 2, boom_params},
    {0},
};
const int64_t __loam_root_task = 0;

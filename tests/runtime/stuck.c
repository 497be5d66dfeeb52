/* stuck(copy: out Blob, how: Str) — writes to its output, then never ends
 * normally: how=spin loops forever (passing yield points) until a signal
 * ends the image; how=recurse recurses until the stack's guard page, which
 * must be the panic "stuck: panic: stack overflow". Either way the output
 * must not exist afterwards and no temporary may be left.
 */
#include "task.h"

static volatile int64_t depth_limit = INT64_MAX;

static int64_t recurse(int64_t depth)
{
    volatile uint8_t frame[1024];
    if (depth >= depth_limit)
        return 0;
    frame[depth % 1024] = (uint8_t)depth;
    YIELD_POINT();
    return recurse(depth + 1) + frame[(depth * 7) % 1024];
}

static void task_stuck(loam_value *args)
{
    for (int i = 0; i < 20000; i++)    /* beyond one buffer: a temporary exists */
        out_str(args[0].blob, "partial\n");
    __loam_print(cstr("stuck"));
    if (args[1].s.len > 0 && args[1].s.ptr[0] == 'r')
        recurse(0);
    for (;;)
        YIELD_POINT();
}

static const loam_param stuck_params[] = {
    {"copy", LOAM_P_OUT},
    {"how", LOAM_P_STR},
};

const loam_task __loam_tasks[] = {
    {"stuck", task_stuck, 2, stuck_params},
    {0},
};
const int64_t __loam_root_task = 0;

/* spin — two tasks: `spinner` loops until the root says stop, passing its
 * yield points; the root yields until it sees that the spinner ran, tells
 * it to stop, and ends; the image ends with both. On one core the root can
 * see the spinner run only if the spinner's yields give the core back; on
 * two the spinner may start late on the other core, so the root waits for
 * it (up to some ten seconds of yields) rather than for a fixed count.
 * expect: spinner ran, root finished
 * expect exit: 0
 */
#include "lk.h"
#include "task.h"

static volatile int64_t spins;
static volatile bool stop;

static void task_spinner(loam_value *args)
{
    while (!stop) {
        spins++;
        if (--__loam_budget < 0)
            __loam_yield();
    }
}

static void task_root(loam_value *args)
{
    if (!lk_spawn("spinner", task_spinner, NULL))
        __loam_panic("spin.c:28:9", "cannot spawn");
    for (int64_t i = 0; spins < LK_BUDGET; i++) {
        if (i == 100000 * (int64_t)LK_BUDGET)
            __loam_panic("spin.c:31:13", "the spinner never ran");
        YIELD_POINT();
    }
    stop = true;
    __loam_print(cstr("spinner ran, root finished"));
}

const loam_task __loam_tasks[] = {
    {"root", task_root, 0, NULL},
    {"spinner", task_spinner, 0, NULL},
    {0},
};
const int64_t __loam_root_task = 0;

/* spin — two tasks on one core: `spinner` loops until the root says stop,
 * passing its yield points; the root task works through its own loop
 * (which it could not finish if the spinner held the core), sees that the
 * spinner ran, tells it to stop, and ends; the image ends with both.
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
        __loam_panic("spin.c:25:9", "cannot spawn");
    for (int64_t i = 0; i < 10 * LK_BUDGET; i++)
        YIELD_POINT();
    if (spins < LK_BUDGET)
        __loam_panic("spin.c:29:9", "the spinner never ran");
    stop = true;
    __loam_print(cstr("spinner ran, root finished"));
}

const loam_task __loam_tasks[] = {
    {"root", task_root, 0, NULL},
    {"spinner", task_spinner, 0, NULL},
    {0},
};
const int64_t __loam_root_task = 0;

/* yield_pingpong(n: Int) — a Loam image: two tasks on one core (run with
 * --cores 1) that each call __loam_yield n times; every yield switches to
 * the other task. Time / (2n) is the cost of one yield. */
#include "../../tests/runtime/task.h"

static void task_partner(loam_value *args)
{
    for (int64_t i = 0; i < args[0].i; i++)
        __loam_yield();
}

static void task_main(loam_value *args)
{
    loam_value a[1] = {{.i = args[0].i}};
    __loam_spawn(1, a, NULL);
    for (int64_t i = 0; i < args[0].i; i++)
        __loam_yield();
}

static const loam_param n_param[] = {{"n", LOAM_P_INT}};

const loam_task __loam_tasks[] = {
    {"main", task_main, 1, n_param},
    {"partner", task_partner, 1, n_param},
    {0},
};
const int64_t __loam_root_task = 0;

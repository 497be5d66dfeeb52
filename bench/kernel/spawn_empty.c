/* spawn_empty(n: Int) — a Loam image (a hand-written task, as the compiler
 * would emit it) that spawns n empty tasks with __loam_spawn and ends when
 * they all have: spawn + run + finish of an empty task, n times. The root
 * passes a yield point per spawn, as generated code does in a loop. */
#include "../../tests/runtime/task.h"

static void task_empty(loam_value *args) {}

static void task_main(loam_value *args)
{
    for (int64_t i = 0; i < args[0].i; i++) {
        __loam_spawn(1, NULL, NULL);
        YIELD_POINT();
    }
}

static const loam_param main_params[] = {{"n", LOAM_P_INT}};

const loam_task __loam_tasks[] = {
    {"main", task_main, 1, main_params},
    {"empty", task_empty, 0, NULL},
    {0},
};
const int64_t __loam_root_task = 0;

/* spin — never ends (it still passes yield points): `loam run --vm
 * --timeout` must stop it. */
#include "task_vm.h"

static void task_spin(loam_value *args)
{
    for (;;)
        YIELD_POINT();
}

VM_MANIFEST("task spin root\n");
const loam_task __loam_tasks[] = {{"spin", task_spin, 0, NULL}, {0}};
const int64_t __loam_root_task = 0;

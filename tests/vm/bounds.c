/* bounds — an index out of range, as generated code reports it: prints a
 * line first (the console must be flushed before the panic line), then
 * panics; status 101, the output discarded. */
#include "task_vm.h"

static void task_bounds(loam_value *args)
{
    __loam_print(cstr("before the panic"));
    out_str(args[0].blob, "never committed");
    __loam_panic_bounds("bounds.loam:3:9", 7, 3);
}

static const loam_param params[] = {{"out", LOAM_P_OUT}};
VM_MANIFEST("task bounds root\nparam out out Blob\n");
const loam_task __loam_tasks[] = {{"bounds", task_bounds, 1, params}, {0}};
const int64_t __loam_root_task = 0;

/* hello — the Solo5-style boot test: one line on the console, status 0.
 * expect: hello from the μVM
 */
#include "task_vm.h"

static void task_hello(loam_value *args) { __loam_print(cstr("hello from the μVM")); }

VM_MANIFEST("task hello root\n");
const loam_task __loam_tasks[] = {{"hello", task_hello, 0, NULL}, {0}};
const int64_t __loam_root_task = 0;

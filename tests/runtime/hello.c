/* hello — the smallest image: one task, no parameters, one line; and a
 * manifest, which the image must keep without loading it.
 * expect: hello from loam
 * expect exit: 0
 */
#include "task.h"

static void task_hello(loam_value *args)
{
    __loam_print(cstr("hello from loam"));
}

__attribute__((used, section(".loam.manifest")))
static const char manifest[] = "loam-manifest v0\ntask hello()\n";

const loam_task __loam_tasks[] = {
    {"hello", task_hello, 0, NULL},
    {0},
};
const int64_t __loam_root_task = 0;

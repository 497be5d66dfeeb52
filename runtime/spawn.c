/* spawn.c — __loam_spawn (spec/abi.md §8): a thin call into the kernel's
 * scheduler (kernel-lib/core/sched.c), which checks the arguments against
 * the task table, copies what it keeps, names the child's outputs and
 * either queues the child or finds its outputs in the store.
 */
#include "lk.h"

loam_do *__loam_spawn(int64_t task, const loam_value *args, loam_do *delegated)
{
    return lk_spawn_task(task, args, delegated);
}

/* yield.c — the budget and the yield slow path (spec/abi.md §3).
 * Generated code decrements __loam_budget at every function entry and loop
 * back-edge and calls __loam_yield when it goes negative; the scheduler
 * refills it each time it resumes a task (kernel-lib/core/sched.c).
 * The initial value (in .tdata) covers code that runs before the first
 * scheduling, and checks that the TLS image is copied at start-up.
 */
#include "lk.h"

__thread int64_t __loam_budget = LK_BUDGET;

void __loam_yield(void)
{
    lk_yield();
}

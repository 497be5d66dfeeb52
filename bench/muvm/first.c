/* first.c — a μVM task whose first instruction reads the time stamp
 * counter and prints how many cycles have passed since pvh_entry read it
 * (kernel-lib/pvh/entry.c): the guest's time from entry to the task; then
 * the cycles from entry to lk_main (the PVH start-up's own share).
 * Under TCG the guest's counter is the host's, so run.sh converts cycles
 * to microseconds with the host's TSC rate.
 */
#include "task.h"

extern uint64_t pvh_entry_tsc, pvh_main_tsc;

static void print_u64(uint64_t v)
{
    char digits[32];
    int n = 0;
    do
        digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    __loam_print((loam_str){(const uint8_t *)digits + sizeof digits - n, n});
}

static void task_first(loam_value *args)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t now = (uint64_t)hi << 32 | lo;
    print_u64(now - pvh_entry_tsc);     /* entry to the task */
    print_u64(pvh_main_tsc - pvh_entry_tsc);   /* of which entry to lk_main */
}

__attribute__((used, section(".loam.manifest"))) static const char manifest[] =
    "loam-manifest 1\ncompiler loam bench\ntarget x86_64-unknown-none-elf muvm\ntask first root\n";
const loam_task __loam_tasks[] = {{"first", task_first, 0, NULL}, {0}};
const int64_t __loam_root_task = 0;

/* cpu_fault(what: Str) — the test hook for CPU exceptions: `what=ud2`
 * executes an invalid opcode, `what=null` reads address 0 (page 0 is
 * unmapped), `what=stack` recurses past the task's stack guard page. Each
 * must end the μVM with a panic line naming the exception, status 101. */
#include "task_vm.h"

static int64_t deep(int64_t n)
{
    volatile char frame[4000];
    frame[0] = (char)n;
    if (n < 0)
        return 0;               /* never: n only grows */
    return deep(n + 1) + frame[0];
}

static bool same(loam_str s, const char *c) { return s.len == cstr_len(c) && __builtin_memcmp(s.ptr, c, (size_t)s.len) == 0; }

static void task_fault(loam_value *args)
{
    loam_str what = args[0].s;
    if (same(what, "ud2"))
        __asm__ volatile("ud2");
    if (same(what, "null")) {
        uintptr_t address = 0;
        __asm__("" : "+r"(address));    /* hidden from the optimiser */
        if (*(volatile int64_t *)address == 12345)
            __loam_print(cstr("read address 0"));
    }
    if (same(what, "stack") && deep(0) == 12345)
        __loam_print(cstr("came back from the recursion"));
    __loam_print(cstr("no fault"));
}

static const loam_param params[] = {{"what", LOAM_P_STR}};
VM_MANIFEST("task fault root\nparam what Str\n");
const loam_task __loam_tasks[] = {{"fault", task_fault, 1, params}, {0}};
const int64_t __loam_root_task = 0;

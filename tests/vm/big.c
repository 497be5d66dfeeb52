/* big(mib: Int, out: out Blob) — writes `mib` MiB to its output through
 * 1 MiB requests: byte i of the output is (i / 4096 + i) mod 251, a
 * pattern the test recomputes independently. */
#include "task_vm.h"

static void task_big(loam_value *args)
{
    int64_t total = args[0].i << 20;
    for (int64_t at = 0; at < total; at += 1 << 20) {
        YIELD_POINT();
        uint8_t *p = __loam_request(args[1].blob, 1 << 20);
        for (int64_t i = 0; i < (1 << 20); i++)
            p[i] = (uint8_t)(((at + i) / 4096 + at + i) % 251);
        __loam_commit(args[1].blob, p, 1 << 20);
    }
}

static const loam_param params[] = {{"mib", LOAM_P_INT}, {"out", LOAM_P_OUT}};
VM_MANIFEST("task big root\nparam mib Int\nparam out out Blob\n");
const loam_task __loam_tasks[] = {{"big", task_big, 2, params}, {0}};
const int64_t __loam_root_task = 0;

/* echo(text: in Blob, copy: out Blob) — copies its input to its output in
 * pieces of varied sizes (1 byte up to well beyond the kernel's output
 * buffer), so that buffering, flushing and growing are all exercised.
 */
#include "task.h"

static void task_echo(loam_value *args)
{
    uint8_t *none = __loam_request(args[1].blob, 0);    /* a zero-size write */
    __loam_commit(args[1].blob, none, 0);
    loam_str in = __loam_blob_text(args[0].blob);
    if (__loam_blob_len(args[0].blob) != in.len)
        __loam_panic("echo.c:10:5", "blob_len differs from blob_text");
    int64_t sizes[] = {1, 7, 4096, 100000, 3, 65536, 300000, 65535, 2};
    int64_t done = 0;
    for (int k = 0; done < in.len; k = (k + 1) % 9) {
        YIELD_POINT();
        int64_t n = sizes[k] < in.len - done ? sizes[k] : in.len - done;
        uint8_t *p = __loam_request(args[1].blob, n + 5);  /* ask more, use n */
        for (int64_t i = 0; i < n; i++)
            p[i] = in.ptr[done + i];
        __loam_commit(args[1].blob, p, n);
        done += n;
    }
}

static const loam_param echo_params[] = {
    {"text", LOAM_P_IN},
    {"copy", LOAM_P_OUT},
};

const loam_task __loam_tasks[] = {
    {"echo", task_echo, 2, echo_params},
    {0},
};
const int64_t __loam_root_task = 0;

/* params(n: Int, x: Float, flag: Bool, who: Str, files: in [Blob],
 *        report: out Blob, log: out Blob) — one parameter of every kind;
 * writes what it was given to `report`, so that the runner can compare.
 */
#include "task.h"

static void task_params(loam_value *args)
{
    loam_do *r = args[5].blob;
    out_str(r, "n=");
    out_int(r, args[0].i);
    out_str(r, " x*1000=");
    out_int(r, (int64_t)(args[1].f * 1000.0));
    out_str(r, args[2].b ? " flag=true" : " flag=false");
    out_str(r, " who=");
    out_bytes(r, args[3].s.ptr, args[3].s.len);
    out_str(r, " files=");
    out_int(r, args[4].blobs->len);
    for (int64_t i = 0; i < args[4].blobs->len; i++) {
        out_str(r, i ? "," : ":");
        out_int(r, __loam_blob_len(args[4].blobs->items[i]));
    }
    out_str(r, "\n");
    out_str(args[6].blob, "log\n");
}

static const loam_param params_params[] = {
    {"n", LOAM_P_INT},      {"x", LOAM_P_FLOAT},       {"flag", LOAM_P_BOOL},
    {"who", LOAM_P_STR},    {"files", LOAM_P_IN_LIST}, {"report", LOAM_P_OUT},
    {"log", LOAM_P_OUT},
};

const loam_task __loam_tasks[] = {
    {"params", task_params, 7, params_params},
    {0},
};
const int64_t __loam_root_task = 0;

/* flood(mb: Int, data: out Blob, report: out Blob) — backpressure: the root
 * writes `mb` MiB as fast as it can, in 64 KiB requests, never passing a
 * yield point of its own (it keeps __loam_budget huge). A second task,
 * `ticker`, counts to 1000 through its yield points. On one core the
 * ticker can only run while the producer is suspended inside
 * __loam_request — which happens only when the buffer pool is exhausted.
 * A suspension shows as __loam_budget refilled to LK_BUDGET by the
 * scheduler. The report says how many times the producer was suspended,
 * whether the ticker finished before the producer did, and the most pool
 * memory in use at once (bounded by --pool however much is written).
 */
#include "lk.h"
#include "task.h"

static volatile bool ticker_done;

static void task_ticker(loam_value *args)
{
    for (int i = 0; i < 1000; i++)
        __loam_yield();
    ticker_done = true;
}

extern int64_t lk_pool_peak_units;

static void out_decimal(loam_do *out, int64_t v)
{
    char digits[24], *d = digits + sizeof digits;
    *--d = 0;
    do
        *--d = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    out_str(out, d);
}

static void task_flood(loam_value *args)
{
    loam_do *data = args[1].blob;
    if (!lk_spawn("ticker", task_ticker, NULL))
        __loam_panic("flood.c:27:9", "cannot spawn");
    int64_t chunks = args[0].i * 16, suspended = 0;
    bool ticker_first = false;
    /* Chunks are copied from a pattern, at memory speed: faster than the
     * I/O thread can write them, so the producer outruns it and the pool
     * runs dry. (Filling byte by byte was slower than the writes on a
     * quiet machine, and the test then saw no suspension.) */
    static uint8_t pattern[65536 + 26];
    for (int64_t i = 0; i < (int64_t)sizeof pattern; i++)
        pattern[i] = (uint8_t)('a' + i % 26);
    for (int64_t c = 0; c < chunks; c++) {
        __loam_budget = INT64_C(1) << 40;
        uint8_t *p = __loam_request(data, 65536);
        if (__loam_budget == LK_BUDGET)
            suspended++;
        __builtin_memcpy(p, pattern + c % 26, 65536);
        __loam_commit(data, p, 65536);
        if (ticker_done && !ticker_first && c + 1 < chunks)
            ticker_first = true;
    }
    out_str(args[2].blob, "suspended: ");
    out_decimal(args[2].blob, suspended);
    out_str(args[2].blob, ticker_first ? ", ticker finished first: yes" : ", ticker finished first: no");
    /* the kernel's own high-water mark of pool buffers (64 KiB each) */
    out_str(args[2].blob, ", peak pool: ");
    out_decimal(args[2].blob, lk_pool_peak_units * 64);
    out_str(args[2].blob, " KiB\n");
}

static const loam_param flood_params[] = {{"mb", LOAM_P_INT}, {"data", LOAM_P_OUT}, {"report", LOAM_P_OUT}};

const loam_task __loam_tasks[] = {
    {"flood", task_flood, 3, flood_params},
    {0},
};
const int64_t __loam_root_task = 0;

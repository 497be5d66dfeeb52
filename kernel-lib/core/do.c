/* do.c — data objects of the running image: inputs are read-only byte
 * ranges; outputs collect bytes in a buffer that is written to the output's
 * temporary file when full, and committed (or discarded) when the image
 * ends. v0 has one worker and no I/O core, so the worker writes itself.
 */
#include "kernel.h"

enum { OUT_BUFFER = 1 << 16 };

static loam_do *outputs;        /* every output of the image */

void lk_do_track_output(loam_do *o)
{
    o->next_out = outputs;
    outputs = o;
}

/* An output that cannot be written ends the image: status 1, nothing
 * committed that was not already. */
static _Noreturn void io_failure(loam_do *o, int err)
{
    lk_line l = {.len = 0};
    lk_line_str(&l, "loam: error: cannot write output '");
    lk_line_str(&l, o->param);
    lk_line_str(&l, "' to '");
    lk_line_str(&l, o->tmp_path ? o->tmp_path : o->path);
    lk_line_str(&l, "': ");
    lk_line_str(&l, plat_strerror(err));
    lk_line_str(&l, "\n");
    lk_console_flush();
    plat_write(LK_STDERR, l.buf, l.len);
    lk_do_discard_all();
    plat_exit(LK_EXIT_IO);
}

static void flush(loam_do *o)
{
    if (o->buf_used > 0) {
        int err = plat_output_write(o, o->buf, o->buf_used);
        if (err)
            io_failure(o, err);
    }
    o->buf_used = 0;
}

static _Noreturn void contract(const char *what)
{
    __loam_panic(lk_current_task_name(), what);
}

uint8_t *lk_out_reserve(loam_do *o, int64_t n)
{
    if (!o || o->mode != LK_DO_OUT)
        contract("internal error: request on a handle that is not an output");
    if (n < 0)
        contract("internal error: request of a negative size");
    if (!o->buf || n > o->buf_cap - o->buf_used) {
        flush(o);
        if (!o->buf || n > o->buf_cap) {
            int64_t cap = o->buf_cap ? o->buf_cap : OUT_BUFFER;
            while (cap < n) {
                if (cap > (INT64_C(1) << 40))
                    __loam_panic(lk_current_task_name(), "out of memory");
                cap *= 2;
            }
            uint8_t *buf = plat_map(cap);
            if (!buf)
                __loam_panic(lk_current_task_name(), "out of memory");
            if (o->buf)
                plat_unmap(o->buf, o->buf_cap);
            o->buf = buf;
            o->buf_cap = cap;
        }
    }
    o->reserved = o->buf + o->buf_used;
    o->reserved_n = n;
    return o->reserved;
}

void lk_out_append(loam_do *o, uint8_t *p, int64_t used)
{
    if (!o || o->mode != LK_DO_OUT || !o->reserved || p != o->reserved)
        contract("internal error: commit without a matching request");
    if (used < 0 || used > o->reserved_n)
        contract("internal error: commit of more bytes than requested");
    o->buf_used += used;
    o->reserved = NULL;
}

loam_str lk_in_text(loam_do *in)
{
    if (!in || in->mode != LK_DO_IN)
        contract("internal error: read of a handle that is not an input");
    return (loam_str){in->data, in->len};
}

void lk_do_commit_all(void)
{
    for (loam_do *o = outputs; o; o = o->next_out)
        flush(o);
    for (loam_do *o = outputs; o; o = o->next_out) {
        int err = plat_output_commit(o);
        if (err)
            io_failure(o, err);
    }
}

void lk_do_discard_all(void)
{
    for (loam_do *o = outputs; o; o = o->next_out)
        plat_output_discard(o);
}

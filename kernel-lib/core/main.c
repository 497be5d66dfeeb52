/* main.c — the life of an image (spec/kernel.md): bind the command line to
 * the root task's parameters, run every task to its end, then either put
 * the root's outputs at their bound paths (exit 0) or report every failure
 * nobody reported yet (exit 101). Objects committed on the way stay in the
 * store either way, for the next run.
 */
#include "kernel.h"

lk_options lk_opt = {.store = ".loam/store", .sandbox = true};
static lk_task *root_task;

/* Failures in the order they happened; each printed unless another task's
 * reason already includes it. */
static bool report_failures(void)
{
    lk_failure *rev = NULL;
    for (lk_failure *f = lk_failures, *next; f; f = next) {
        next = f->next;
        f->next = rev;
        rev = f;
    }
    bool any = false;
    for (lk_failure *f = rev; f; f = f->next) {
        any = true;
        if (f->observed)
            continue;
        lk_line l = {.len = 0};
        if (f->root_panic) {
            lk_line_str(&l, f->line);   /* the root's own panic, as in v0 */
        } else {
            lk_line_str(&l, "loam: task '");
            lk_line_str(&l, f->task);
            lk_line_str(&l, "' ");
            lk_line_str(&l, f->reason);
        }
        if (l.len == (int64_t)sizeof l.buf)
            l.len--;
        lk_line_str(&l, "\n");
        lk_say(&l);
    }
    return any;
}

_Noreturn void lk_main(int argc, char **argv)
{
    plat_image_id(lk_image_id);
    const loam_task *root = &__loam_tasks[__loam_root_task];
    loam_value *args = lk_kalloc((root->param_count + 1) * (int64_t)sizeof *args);
    lk_bind(root, argc, argv, args);
    lk_run_root(root, args);
    lk_progress_end();
    lk_console_flush();
    int err = lk_trace_end();
    if (err) {
        lk_line l = {.len = 0};
        lk_line_str(&l, "loam: warning: the trace '");
        lk_line_str(&l, lk_opt.trace);
        lk_line_str(&l, "' is incomplete: ");
        lk_line_str(&l, plat_strerror(err));
        lk_line_str(&l, "\n");
        lk_say(&l);
    }
    if (report_failures()) {
        lk_do_discard_all();
        plat_store_close();
        plat_exit(LK_EXIT_PANIC);
    }
    lk_do_materialise();
    int64_t reused = lk_tasks_reused;
    if (reused > 0) {
        lk_line l = {.len = 0};
        lk_line_str(&l, "loam: reused ");
        lk_line_int(&l, reused);
        lk_line_str(&l, reused == 1 ? " task's outputs" : " tasks' outputs");
        lk_line_str(&l, " from ");
        lk_line_str(&l, lk_opt.store);
        lk_line_str(&l, " (ran ");
        lk_line_int(&l, lk_tasks_run);
        lk_line_str(&l, "; --force runs everything)\n");
        lk_say(&l);
    }
    plat_store_close();
    plat_exit(LK_EXIT_OK);
}

void lk_set_root(lk_task *t) { root_task = t; }

_Noreturn void lk_panic_exit(const char *line, int64_t n)
{
    lk_task *t = lk_current();
    if (t) {
        while (n > 0 && line[n - 1] == '\n')
            n--;
        lk_failure *f = lk_kalloc(sizeof *f);
        f->line = lk_kstrdup(line, n);
        f->direct_panic = true;
        lk_line l = {.len = 0};
        lk_line_str(&l, "panicked: ");
        lk_line_mem(&l, line, n);
        f->reason = lk_kstrdup(l.buf, l.len);
        f->task = lk_current_task_name();
        if (t == root_task)
            f->root_panic = true;
        lk_failure_record(f);
        lk_task_fail(f);
    }
    lk_console_flush();
    plat_write(LK_STDERR, line, n);
    lk_do_discard_all();
    plat_exit(LK_EXIT_PANIC);
}

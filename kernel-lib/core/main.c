/* main.c — the life of an image (spec/kernel.md): bind the command line to
 * the root task's parameters, run the root task to its end, commit its
 * outputs, exit 0. A panic anywhere ends it with 101 and nothing committed.
 */
#include "kernel.h"

_Noreturn void lk_main(int argc, char **argv)
{
    const loam_task *root = &__loam_tasks[__loam_root_task];
    loam_value *args = lk_kalloc((root->param_count + 1) * (int64_t)sizeof *args);
    lk_bind(root, argc, argv, args);
    lk_task *t = lk_spawn(root->name, root->entry, args);
    if (!t) {
        static const char msg[] = "loam: error: no memory for the root task's stack\n";
        plat_write(LK_STDERR, msg, sizeof msg - 1);
        lk_do_discard_all();
        plat_exit(LK_EXIT_IO);
    }
    lk_run(t);
    lk_console_flush();
    lk_do_commit_all();
    plat_exit(LK_EXIT_OK);
}

_Noreturn void lk_panic_exit(const char *line, int64_t n)
{
    lk_console_flush();
    plat_write(LK_STDERR, line, n);
    lk_do_discard_all();
    plat_exit(LK_EXIT_PANIC);
}

/* escape(text: in Blob, how: Str, copy: out Blob) — a task that tries to
 * leave its sandbox (spec/kernel.md §8):
 *   how=open   opens a file with a raw system call: the filter refuses,
 *              the task panics "system call 257 is not allowed ...";
 *   how=write  writes into its input's bytes: the page is read-only, the
 *              task panics "write to a data object that is read-only ...";
 *   how=read   reads its own output as if it were an input: refused;
 *   how=none   copies the input, to show the same image works.
 */
#include "task.h"

static long raw_openat(const char *path)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(257L), "D"(-100L), "S"(path), "d"(0L)
                     : "rcx", "r11", "memory");
    return r;
}

static void task_escape(loam_value *args)
{
    loam_str text = __loam_blob_text(args[0].blob);
    loam_str how = args[1].s;
    if (how.len > 0 && how.ptr[0] == 'o') {
        long fd = raw_openat("/etc/hostname");
        out_str(args[2].blob, fd >= 0 ? "opened a file\n" : "open failed\n");
    } else if (how.len > 0 && how.ptr[0] == 'w') {
        ((volatile uint8_t *)text.ptr)[0] = 'X';
        out_str(args[2].blob, "wrote into the input\n");
    } else if (how.len > 0 && how.ptr[0] == 'r') {
        __loam_blob_text(args[2].blob);
        out_str(args[2].blob, "read its output\n");
    } else {
        out_bytes(args[2].blob, text.ptr, text.len);
    }
}

static const loam_param escape_params[] = {{"text", LOAM_P_IN}, {"how", LOAM_P_STR}, {"copy", LOAM_P_OUT}};

const loam_task __loam_tasks[] = {
    {"escape", task_escape, 3, escape_params},
    {0},
};
const int64_t __loam_root_task = 0;

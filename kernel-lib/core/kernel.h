/* kernel.h — what the parts of kernel-lib share and nobody else sees: the
 * data object handle, the kernel's own allocator, a line builder for
 * messages, and the platform interface that each target folder
 * (hosted/, later pvh/) implements.
 */
#ifndef LK_KERNEL_H
#define LK_KERNEL_H

#include "lk.h"

/* ---- data objects ---- */

enum lk_do_mode { LK_DO_IN, LK_DO_OUT };

struct loam_do {
    uint8_t mode;               /* enum lk_do_mode */
    const char *param;          /* the task parameter it is bound to */
    const char *path;           /* as given on the command line */
    /* inputs: the whole content, read-only */
    const uint8_t *data;
    int64_t len;
    /* outputs: bytes go to buf, then to the temporary file */
    int fd;                     /* temporary file, -1 when none */
    char *tmp_path;
    uint8_t *buf;
    int64_t buf_used, buf_cap;
    uint8_t *reserved;          /* last lk_out_reserve result */
    int64_t reserved_n;
    struct loam_do *next_out;   /* all outputs of the image */
};

/* Registers an output for commit/discard (core/do.c). */
void lk_do_track_output(loam_do *o);
/* Writes every output's buffers, then commits each (platform protocol).
 * On failure prints one line and exits 1 after discarding what is left. */
void lk_do_commit_all(void);
/* Deletes every temporary file; commits nothing. Never fails. */
void lk_do_discard_all(void);

/* ---- runtime/mem.c (clang may also call these on its own) ---- */

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---- the kernel's own memory: bump, never freed ---- */

void *lk_kalloc(int64_t size);  /* zeroed, 16-aligned; exits 1 when out of memory */

/* ---- one line of text for stderr/stdout ---- */

typedef struct lk_line {
    char buf[1024];
    int64_t len;                /* silently truncated at sizeof buf */
} lk_line;

void lk_line_str(lk_line *l, const char *s);
void lk_line_mem(lk_line *l, const void *p, int64_t n);
void lk_line_int(lk_line *l, int64_t v);
int64_t lk_strlen(const char *s);
bool lk_streq(const char *a, const char *b);

/* ---- start-up and binding ---- */

/* Called by the platform's entry point once the process can run C code with
 * TLS: binds argv to the root task, runs it, commits, exits. */
_Noreturn void lk_main(int argc, char **argv);
/* core/bind.c: fills args[0..param_count) from argv[1..argc) or prints one
 * line and exits 2 (nothing written). Exits 0 after usage on --help. */
void lk_bind(const loam_task *t, int argc, char **argv, loam_value *args);
/* core/sched.c: runs the scheduler until `root` has ended. */
void lk_run(lk_task *root);
/* core/sched.c: whether addr lies in the running task's stack guard page. */
bool lk_stack_guard_hit(uintptr_t addr);
/* hosted/signal.c: termination signals discard outputs; a stack overflow
 * panics. Called once at start-up, after TLS. */
void lk_hosted_signals_init(void);

/* ---- platform interface (hosted/platform.c) ---- */

enum { LK_STDOUT = 1, LK_STDERR = 2 };
enum { LK_EXIT_OK = 0, LK_EXIT_IO = 1, LK_EXIT_USAGE = 2, LK_EXIT_PANIC = 101 };

/* Errors are positive platform codes; plat_strerror names them. */
void plat_write(int stream, const void *p, int64_t n);      /* best effort */
_Noreturn void plat_exit(int status);
void *plat_map(int64_t bytes);          /* zeroed pages, NULL on failure */
void plat_unmap(void *p, int64_t bytes);
int plat_guard(void *p, int64_t bytes); /* make pages inaccessible */
const char *plat_strerror(int err);
/* Inputs: the whole content of path, read-only (mapped when it is a file). */
int plat_input_open(const char *path, const uint8_t **data, int64_t *len);
/* Outputs: 0 if path does not exist yet and its directory does, LK_EXISTS
 * if it exists, else an error code. */
enum { LK_EXISTS = -1 };
int plat_output_check(const char *path);
/* Creates o's temporary file next to o->path (sets fd and tmp_path). */
int plat_output_create(loam_do *o);
int plat_output_write(loam_do *o, const uint8_t *p, int64_t n);
/* fsync, close, rename to o->path (never replacing), fsync the directory. */
int plat_output_commit(loam_do *o);
/* Closes and deletes the temporary file, if any. */
void plat_output_discard(loam_do *o);

#endif

/* interp.c — `loam run --interp`: the life of an image, interpreted
 * (spec/interp.md, spec/kernel.md).
 *
 * Consumes: a checked Program and the command line's bindings. Does what an
 * image does: binds NAME=VALUE arguments to the root task's parameters with
 * the image's messages and exit status 2 (kernel.md §3), creates each
 * output's temporary file next to its path, runs the root task, and commits
 * every output atomically (write, fsync, rename without replacing, fsync of
 * the directory; kernel.md §5). A panic (interp_rt.c) deletes the
 * temporaries and exits 101.
 *
 * Spawn is sequential and lazy, in the kernel's order: `spawn t(args)`
 * queues the child at the front and returns its output as a Ref; the child
 * runs when a task reads an output not yet committed (the queue runs, front
 * first, until it is), else after the root task ends. A panic fails its
 * task alone; a task reading a failed output fails in turn; at the end each
 * failure no one reported is printed and the status is 101 (kernel.md §4).
 */
#define _GNU_SOURCE /* renameat2 */
#include "interp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_IO = 1, EXIT_USAGE = 2, EXIT_PANIC = 101 };

/* Stack of Values for frames, and the C stack the interpreter runs on:
 * both far larger than MAX_DEPTH (interp_stmt.c) needs, mapped lazily. */
enum { VALUE_STACK = 1 << 22 };
#define C_STACK ((size_t)1 << 30)

/* ---------------------------------------------------------------------------
 * Data objects
 */

static IDo *outputs;   /* the root task's outputs, committed at the end */
static IDo *all_dos;   /* every data object, to free their bytes at the end */

/* A data object in arena a; its bytes are malloc'd (they grow). */
static IDo *new_do(Arena *a, bool is_output, const char *param) {
    IDo *d = arena_alloc(a, sizeof *d);
    d->is_output = is_output;
    d->param = param;
    d->fd = -1;
    d->next_any = all_dos;
    all_dos = d;
    return d;
}

void do_write(IDo *d, const uint8_t *p, int64_t n) {
    if (n <= 0) return;
    if (d->len + n > d->cap) {
        int64_t cap = d->cap ? d->cap : 1 << 16;
        while (cap < d->len + n) cap *= 2;
        uint8_t *bigger = realloc(d->data, (size_t)cap);
        if (!bigger) __loam_panic(rt_task_name(), "out of memory");
        d->data = bigger;
        d->cap = cap;
    }
    memcpy(d->data + d->len, p, (size_t)n);
    d->len += n;
}

static void wait_for(Interp *I, IDo *d);

loam_str do_text(Interp *I, IDo *d) {
    if (d->is_output) wait_for(I, d);
    return (loam_str){d->data, d->len};
}

/* Deletes every temporary output (a panic, a signal, a failed commit). */
static void discard_outputs(void) {
    for (IDo *o = outputs; o; o = o->next_output) {
        if (o->fd >= 0) close(o->fd);
        o->fd = -1;
        if (o->tmp_path) unlink(o->tmp_path);
        o->tmp_path = NULL;
    }
}

static void on_signal(int sig) {
    discard_outputs();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The image's wording of an errno (kernel-lib/hosted/platform.c). */
static const char *error_text(int err) {
    switch (err) {
    case EPERM: return "operation not permitted";
    case ENOENT: return "no such file or directory";
    case EIO: return "input/output error";
    case ENOMEM: return "out of memory";
    case EACCES: return "permission denied";
    case EEXIST: return "file exists";
    case ENOTDIR: return "a component of the path is not a directory";
    case EISDIR: return "is a directory";
    case EINVAL: return "invalid argument";
    case EFBIG: return "file too large";
    case ENOSPC: return "no space left on device";
    case EROFS: return "read-only file system";
    case ENAMETOOLONG: return "file name too long";
    case ELOOP: return "too many symbolic links";
    case EDQUOT: return "disk quota exceeded";
    default: return "system error";
    }
}

/* Reads a whole input; returns 0 or an errno. */
static int read_input(const char *path, IDo *d) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return errno;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0) err = errno;
    else if (S_ISDIR(st.st_mode)) err = EISDIR;
    for (int64_t cap = 1 << 16; !err;) {
        if (!d->data || d->len == cap) {
            if (d->data) cap *= 2;
            uint8_t *bigger = realloc(d->data, (size_t)cap);
            if (!bigger) {
                err = ENOMEM;
                break;
            }
            d->data = bigger;
        }
        ssize_t n = read(fd, d->data + d->len, (size_t)(cap - d->len));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) err = errno;
        if (n <= 0) break;
        d->len += n;
    }
    close(fd);
    return err;
}

/* The directory of path ("." for a bare name), as platform.c's dir_of. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* 0 if an output may be created at path, EEXIST if something is there, or
 * the errno that prevents it. */
static int output_check(const char *path) {
    struct stat st;
    if (lstat(path, &st) == 0) return EEXIST;
    if (errno != ENOENT) return errno;
    char *dir = dir_of(path);
    int r = stat(dir, &st), err = r != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    free(dir);
    return err;
}

/* DIR/.NAME.tmp.PID, created exclusively. */
static int output_create(Arena *a, IDo *o) {
    const char *slash = strrchr(o->path, '/');
    size_t start = slash ? (size_t)(slash - o->path) + 1 : 0;
    size_t n = strlen(o->path) + 40;
    o->tmp_path = arena_alloc(a, n);
    snprintf(o->tmp_path, n, "%.*s.%s.tmp.%d", (int)start, o->path, o->path + start, (int)getpid());
    o->fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        o->tmp_path = NULL;
        return errno;
    }
    return 0;
}

static int output_commit(IDo *o) {
    for (int64_t done = 0; done < o->len;) {
        ssize_t n = write(o->fd, o->data + done, (size_t)(o->len - done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        done += n;
    }
    if (fsync(o->fd) != 0) return errno;
    close(o->fd);
    o->fd = -1;
    int r = renameat2(AT_FDCWD, o->tmp_path, AT_FDCWD, o->path, RENAME_NOREPLACE);
    if (r != 0 && (errno == EINVAL || errno == ENOSYS)) {
        int check = output_check(o->path);   /* cannot refuse to replace: check, then rename */
        if (check == 0) r = rename(o->tmp_path, o->path);
        else errno = check, r = -1;
    }
    if (r != 0) return errno;
    o->tmp_path = NULL;
    char *dir = dir_of(o->path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd < 0) return errno;
    r = fsync(dfd);
    int err = r != 0 && errno != EINVAL ? errno : 0;
    close(dfd);
    return err;
}

/* ---------------------------------------------------------------------------
 * Binding the command line (kernel.md §3, as kernel-lib/core/bind.c)
 */

enum ParamKind { P_INT_, P_FLOAT_, P_BOOL_, P_STR_, P_IN_, P_OUT_, P_IN_LIST_ };

static int param_kind(const Type *t) {
    switch (t->kind) {
    case TY_INT: return P_INT_;
    case TY_FLOAT: return P_FLOAT_;
    case TY_BOOL: return P_BOOL_;
    case TY_STR: return P_STR_;
    case TY_DO: return t->is_list ? P_IN_LIST_ : t->mode == MODE_OUT ? P_OUT_ : P_IN_;
    default: return -1;
    }
}

static const char *const kind_names[] = {"Int", "Float", "Bool", "Str", "in Blob", "out Blob", "in [Blob]"};
static const char *const placeholders[] = {"INT", "FLOAT", "true|false", "TEXT", "PATH", "PATH", "PATH[,PATH...]"};

typedef struct Binder {
    Arena *arena;
    const Item *task;
    int *kinds;
    const char *prog, *tool;
    char line[1024];
    size_t len;
} Binder;

static void put(Binder *b, const char *s, size_t n) {
    for (size_t i = 0; i < n && b->len < sizeof b->line; i++) b->line[b->len++] = s[i];
}
static void puts_(Binder *b, const char *s) { put(b, s, strlen(s)); }

static const char *param_name(const Binder *b, int i) { return ((Param *)b->task->params.items[i])->name; }

static void usage(Binder *b) {
    puts_(b, b->prog);
    for (uint32_t i = 0; i < b->task->params.len; i++) {
        puts_(b, " ");
        puts_(b, param_name(b, (int)i));
        puts_(b, "=");
        puts_(b, placeholders[b->kinds[i]]);
    }
}

static void begin(Binder *b) {
    b->len = 0;
    puts_(b, b->tool);
    puts_(b, ": error: ");
}

static void param_ref(Binder *b, int i) {
    puts_(b, "'");
    puts_(b, param_name(b, i));
    puts_(b, "' (");
    puts_(b, kind_names[b->kinds[i]]);
    puts_(b, ")");
}

static _Noreturn void fail(Binder *b, bool with_usage) {
    if (with_usage) {
        puts_(b, ": run as ");
        usage(b);
    }
    if (b->len == sizeof b->line) b->len--;
    b->line[b->len++] = '\n';
    fflush(stdout);
    discard_outputs();
    ssize_t ignored = write(STDERR_FILENO, b->line, b->len);
    (void)ignored;
    _exit(EXIT_USAGE);
}

/* Int: [+-]digits within 64 bits. */
static bool parse_int(const char *s, int64_t *out) {
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (!*s) return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool lower_eq(const char *s, const char *lower) {
    for (; *s && *lower; s++, lower++)
        if ((*s | 0x20) != *lower) return false;
    return *s == *lower;
}

/* Float, exactly as the image reads it (kernel-lib/core/bind.c): the same
 * grammar, and the same arithmetic so that both give the same double even
 * where that is not correctly rounded (kernel.md §3). */
static bool parse_float(const char *s, double *out) {
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (lower_eq(s, "inf") || lower_eq(s, "infinity")) {
        *out = neg ? -__builtin_inf() : __builtin_inf();
        return true;
    }
    if (lower_eq(s, "nan")) {
        *out = __builtin_nan("");
        return true;
    }
    uint64_t mant = 0;
    int64_t exp = 0, digits = 0;
    int significant = 0;
    bool dot = false;
    for (;; s++) {
        if (*s == '.' && !dot) dot = true;
        else if (*s >= '0' && *s <= '9') {
            digits++;
            if (significant < 19) {
                mant = mant * 10 + (uint64_t)(*s - '0');
                if (mant) significant++;
                if (dot) exp--;
            } else if (!dot) exp++;
        } else break;
    }
    if (digits == 0) return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = *s == '-';
        if (*s == '-' || *s == '+') s++;
        if (*s < '0' || *s > '9') return false;
        int64_t e = 0;
        for (; *s >= '0' && *s <= '9'; s++)
            if (e < 100000) e = e * 10 + (*s - '0');
        exp += eneg ? -e : e;
    }
    if (*s) return false;
    double v = (double)mant;
    if (mant == 0) {
    } else if (exp >= 0) {
        for (; exp > 22 && v < 1e308; exp -= 22) v *= 1e22;
        v *= exp <= 22 ? pow10[exp] : 1e22 * 1e22;
    } else {
        for (; exp < -22 && v > 1e-300; exp += 22) v /= 1e22;
        v = exp >= -22 ? v / pow10[-exp] : 0.0;
    }
    *out = neg ? -v : v;
    return true;
}

static IDo *bind_input(Binder *b, int p, const char *path, size_t n) {
    IDo *d = new_do(b->arena, false, param_name(b, p));
    d->path = arena_strndup(b->arena, path, n);
    int err = read_input(d->path, d);
    if (err) {
        begin(b);
        puts_(b, "cannot read input ");
        param_ref(b, p);
        puts_(b, " from '");
        puts_(b, d->path);
        puts_(b, "': ");
        puts_(b, error_text(err));
        fail(b, false);
    }
    return d;
}

static int find_param(const Binder *b, const char *name, size_t n) {
    for (uint32_t i = 0; i < b->task->params.len; i++) {
        const char *p = param_name(b, (int)i);
        if (strlen(p) == n && memcmp(p, name, n) == 0) return (int)i;
    }
    return -1;
}

static const char *last_component(const char *path) {
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/' && s[1]) base = s + 1;
    return base;
}

static void need_path(Binder *b, int p, const char *v) {
    if (*v) return;
    begin(b);
    param_ref(b, p);
    puts_(b, " needs a path, as in ");
    puts_(b, param_name(b, p));
    puts_(b, "=PATH");
    fail(b, false);
}

/* Whether argv[*i] is one of an image's kernel options (kernel.md §3:
 * --cores N, --store DIR, --force, --verify, --trace FILE, --pool BYTES,
 * --task-pool BYTES);
 * checks it as the image does and consumes its value. The interpreter has
 * one worker and no store, so it then ignores it. */
static bool kernel_option(Binder *b, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    if (a[0] != '-' || a[1] != '-') return false;
    static const char *const names[] = {"--cores", "--store", "--force", "--verify", "--trace", "--pool", "--task-pool"};
    size_t n = strcspn(a, "=");
    int which = -1;
    for (int k = 0; k < 7; k++)
        if (strlen(names[k]) == n && memcmp(names[k], a, n) == 0) which = k;
    begin(b);
    if (which < 0) {
        puts_(b, "unknown kernel option '");
        put(b, a, n);
        puts_(b, "' (see --kernel-help)");
        fail(b, false);
    }
    if (which == 2 || which == 3) {
        if (!a[n]) return true;
        puts_(b, "kernel option '");
        puts_(b, names[which]);
        puts_(b, "' takes no value");
        fail(b, false);
    }
    const char *v = NULL;
    if (a[n]) v = a + n + 1;
    else if (*i + 1 < argc) v = argv[++*i];
    else {
        puts_(b, "kernel option '");
        puts_(b, names[which]);
        puts_(b, "' needs a value");
        fail(b, false);
    }
    int64_t num = 0;
    if (which == 0 || which >= 5) {
        int64_t least = which == 0 ? 1 : which == 5 ? 1 << 20 : 1 << 16;
        if (!parse_int(v, &num) || num < least || (which == 0 && num > 256)) {
            puts_(b, which == 0   ? "'--cores' must be a whole number from 1 to 256, not '"
                     : which == 5 ? "'--pool' must be a number of bytes, at least 1048576, not '"
                                  : "'--task-pool' must be a number of bytes, at least 65536, not '");
            puts_(b, v);
            puts_(b, "'");
            fail(b, false);
        }
    } else if (!*v) {
        puts_(b, "kernel option '");
        puts_(b, names[which]);
        puts_(b, "' needs a path");
        fail(b, false);
    }
    return true;
}

/* Binds argv[0..argc) to task's parameters into args; exits 2 on the first
 * problem, with nothing created. */
static void bind(Binder *b, int argc, char **argv, Value *args) {
    int np = (int)b->task->params.len;
    int *owner = calloc((size_t)argc + 1, sizeof *owner), *count = calloc((size_t)np + 1, sizeof *count);
    const char **value = calloc((size_t)np + 1, sizeof *value);
    if (!owner || !count || !value) die("out of memory");
    for (int i = 0; i <= argc; i++) owner[i] = -1;   /* kernel options and their values */
    for (int i = 0; i < argc; i++) {   /* pass 1: every argument names a parameter */
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            b->len = 0;
            puts_(b, "usage: ");
            usage(b);
            printf("%.*s\n", (int)b->len, b->line);
            fflush(stdout);
            _exit(0);
        }
        owner[i] = -1;
        if (kernel_option(b, argc, argv, &i)) continue;
        size_t n = strcspn(a, "=");
        begin(b);
        if (!a[n]) {
            puts_(b, "argument '");
            puts_(b, a);
            puts_(b, "' is not a binding NAME=VALUE");
            fail(b, true);
        }
        int p = find_param(b, a, n);
        if (p < 0) {
            puts_(b, "task '");
            puts_(b, b->task->name);
            puts_(b, "' has no parameter '");
            put(b, a, n);
            puts_(b, "'");
            fail(b, true);
        }
        if (count[p] > 0 && b->kinds[p] != P_IN_LIST_) {
            param_ref(b, p);
            puts_(b, " is bound twice (only an 'in [Blob]' takes several)");
            fail(b, true);
        }
        owner[i] = p;
        count[p]++;
        value[p] = a + n + 1;
    }
    for (int p = 0; p < np; p++) {
        if (count[p]) continue;
        begin(b);
        puts_(b, "missing binding for ");
        param_ref(b, p);
        fail(b, true);
    }
    IDo **out_list = calloc((size_t)np + 1, sizeof *out_list);
    for (int p = 0; p < np; p++) {   /* pass 2: values parse, inputs read, outputs new */
        const char *v = value[p];
        begin(b);
        switch (b->kinds[p]) {
        case P_INT_:
            if (parse_int(v, &args[p].i)) break;
            param_ref(b, p);
            puts_(b, " must be a whole number from -9223372036854775808 to 9223372036854775807, not '");
            puts_(b, v);
            puts_(b, "'");
            fail(b, false);
        case P_FLOAT_:
            if (parse_float(v, &args[p].f)) break;
            param_ref(b, p);
            puts_(b, " must be a number like 2.5 or -1e-3, not '");
            puts_(b, v);
            puts_(b, "'");
            fail(b, false);
        case P_BOOL_:
            if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
                param_ref(b, p);
                puts_(b, " must be true or false, not '");
                puts_(b, v);
                puts_(b, "'");
                fail(b, false);
            }
            args[p].b = strcmp(v, "true") == 0;
            break;
        case P_STR_: args[p].s = (loam_str){(const uint8_t *)v, (int64_t)strlen(v)}; break;
        case P_IN_:
            need_path(b, p, v);
            args[p].p = bind_input(b, p, v, strlen(v));
            break;
        case P_IN_LIST_: {
            IDoList *list = arena_alloc(b->arena, sizeof *list);
            int64_t cap = 0;
            for (int i = 0; i < argc; i++) cap += owner[i] == p ? (int64_t)strlen(argv[i]) : 0;
            list->items = arena_alloc(b->arena, ((size_t)cap + 1) * sizeof *list->items);
            for (int i = 0; i < argc; i++) {
                if (owner[i] != p) continue;
                for (const char *s = argv[i] + strlen(param_name(b, p)) + 1; *s;) {
                    size_t n = strcspn(s, ",");
                    if (n > 0) list->items[list->len++] = bind_input(b, p, s, n);
                    s += n + (s[n] == ',');
                }
            }
            args[p].p = list;
            break;
        }
        case P_OUT_: {
            need_path(b, p, v);
            for (int q = 0; q < p; q++) {
                if (b->kinds[q] != P_OUT_ || strcmp(value[q], v) != 0) continue;
                puts_(b, "outputs '");
                puts_(b, param_name(b, q));
                puts_(b, "' and '");
                puts_(b, param_name(b, p));
                puts_(b, "' are both bound to '");
                puts_(b, v);
                puts_(b, "': give each output its own path");
                fail(b, false);
            }
            int err = output_check(v);
            if (err) {
                puts_(b, "output ");
                param_ref(b, p);
                if (err == EEXIST) {
                    puts_(b, " would overwrite '");
                    puts_(b, v);
                    puts_(b, "', which already exists: remove it or choose another path");
                } else {
                    puts_(b, " cannot be created at '");
                    puts_(b, v);
                    puts_(b, "': ");
                    puts_(b, error_text(err));
                }
                fail(b, false);
            }
            IDo *d = new_do(b->arena, true, param_name(b, p));
            d->path = v;
            args[p].p = out_list[p] = d;
            break;
        }
        }
    }
    for (int p = 0; p < np; p++) {   /* pass 3: the temporaries */
        IDo *d = out_list[p];
        if (!d) continue;
        int err = output_create(b->arena, d);
        if (err) {
            begin(b);
            puts_(b, "output ");
            param_ref(b, p);
            puts_(b, " cannot be created next to '");
            puts_(b, d->path);
            puts_(b, "': ");
            puts_(b, error_text(err));
            fail(b, false);
        }
        d->next_output = outputs;   /* newest first, as the kernel's list */
        outputs = d;
    }
    free(out_list);
    free(owner);
    free(count);
    free(value);
}

/* ---------------------------------------------------------------------------
 * Tasks
 */

/* A task of the run: the root, or a spawned child waiting in the queue. */
struct ITask {
    Item *item;
    Value *args;
    enum { TASK_QUEUED, TASK_RUNNING, TASK_DONE, TASK_FAILED } state;
    bool panicked;          /* failed by its own panic (message: the line) */
    char *message;          /* the panic line, or why it failed ("it waited for …") */
    bool reported;          /* a task that waited for it reported its failure */
    ITask *next;            /* in the queue, or in the list of failures */
    IDo *out;               /* the output a Ref names (not a delegated one) */
    ITask *next_spawned;    /* spawns with the same spawn_key, newest first */
};

static ITask *queue;                      /* runnable children, the front first */
static PtrMap spawned;                    /* spawn_key -> spawns whose Refs may be shared */
static ITask *failures, **failures_end = &failures;
static ITask *running;
static char wait_reason[4096];            /* why the running task fails, for its trap */

/* Persists what a child keeps of its arguments beyond its caller's arena,
 * as the kernel copies them at spawn (kernel.md §7): Str bytes and the
 * items of an `in [Blob]`. */
static Value keep_argument(Interp *I, Type *param, Type *arg, Value v) {
    if (param->kind == TY_STR) {
        char *copy = arena_alloc(&I->arena, (size_t)v.s.len + 1);
        if (v.s.len) memcpy(copy, v.s.ptr, (size_t)v.s.len);
        v.s.ptr = (const uint8_t *)copy;
    } else if (param->kind == TY_DO && param->is_list) {
        IDoList *list = arena_alloc(&I->arena, sizeof *list);
        if (arg->kind == TY_ARRAY) {   /* [Ref] */
            loam_array *refs = v.p;
            list->len = refs->len;
            list->items = arena_alloc(&I->arena, ((size_t)refs->len + 1) * sizeof *list->items);
            if (refs->len) memcpy(list->items, refs->data, (size_t)refs->len * sizeof *list->items);
        } else *list = *(IDoList *)v.p;
        v.p = list;
    }
    return v;
}

/* Whether two inputs have the same name (kernel.md §6): a file is named
 * by its content, a Ref by the spawn that makes it. */
static bool same_input(const IDo *a, const IDo *b) {
    if (a == b) return true;
    if (a->is_output || b->is_output) return false;
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, (size_t)a->len) == 0);
}

/* Whether t is a spawn of item with the same arguments as args: then its
 * output has the same name (kernel.md §6), and an image makes it once. */
static bool same_spawn(const ITask *t, const Item *item, const Value *args) {
    if (t->item != item) return false;
    for (uint32_t i = 0; i < item->params.len; i++) {
        Type *type = ((Param *)item->params.items[i])->sym->type;
        const Value a = t->args[i], b = args[i];
        switch (type->kind) {
        case TY_INT: if (a.i != b.i) return false; break;
        case TY_FLOAT: if (memcmp(&a.f, &b.f, sizeof a.f) != 0) return false; break;
        case TY_BOOL: if (a.b != b.b) return false; break;
        case TY_STR:
            if (a.s.len != b.s.len || (a.s.len && memcmp(a.s.ptr, b.s.ptr, (size_t)a.s.len) != 0)) return false;
            break;
        case TY_DO:
            if (type->mode == MODE_OUT) break;
            if (!type->is_list) {
                if (!same_input(a.p, b.p)) return false;
                break;
            }
            const IDoList *x = a.p, *y = b.p;
            if (x->len != y->len) return false;
            for (int64_t j = 0; j < x->len; j++)
                if (!same_input(x->items[j], y->items[j])) return false;
            break;
        default: return false;
        }
    }
    return true;
}

/* A hash of what same_spawn compares (a file input by its length only:
 * same_input compares the bytes); never 0, which PtrMap keeps for empty. */
static uintptr_t spawn_key(const Item *item, const Value *args) {
    uint64_t h = 1469598103934665603u;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211u)
    MIX((uintptr_t)item);
    for (uint32_t i = 0; i < item->params.len; i++) {
        Type *type = ((Param *)item->params.items[i])->sym->type;
        const Value v = args[i];
        if (type->kind == TY_STR) {
            MIX(v.s.len);
            for (int64_t j = 0; j < v.s.len; j++) MIX(v.s.ptr[j]);
        } else if (type->kind == TY_DO && type->mode != MODE_OUT) {
            const IDoList one = {1, (IDo **)&v.p}, *list = type->is_list ? v.p : &one;
            MIX(list->len);
            for (int64_t j = 0; j < list->len; j++)
                MIX(list->items[j]->is_output ? (uintptr_t)list->items[j] : (uintptr_t)list->items[j]->len);
        } else if (type->kind == TY_BOOL) {
            MIX(v.b);
        } else if (type->kind != TY_DO) {
            MIX(v.i);       /* an Int, or a Float's bits */
        }
    }
#undef MIX
    return (uintptr_t)(h | 1);
}

Value spawn_task(Interp *I, Expr *call, IDo *delegated_to) {
    Item *item = call->as.call.item;
    ITask *t = arena_alloc(&I->arena, sizeof *t);
    t->item = item;
    t->args = arena_alloc(&I->arena, (item->params.len + 1) * sizeof *t->args);
    IDo *out = NULL;
    for (uint32_t i = 0, next_arg = 0; i < item->params.len; i++) {
        Param *p = item->params.items[i];
        Type *type = p->sym->type;
        if (type->kind == TY_DO && type->mode == MODE_OUT) {
            out = delegated_to ? delegated_to : new_do(&I->arena, true, p->name);
            out->owner = t;
            t->args[i].p = out;
            continue;
        }
        Expr *arg = ((Arg *)call->as.call.args.items[next_arg++])->value;
        t->args[i] = keep_argument(I, type, arg->type, eval(I, arg));
    }
    /* A spawn that repeats one of this run shares its output, as in an
     * image (kernel.md §6), unless that one failed: then it runs itself.
     * (The record made above stays in the arena, unused.) */
    if (!delegated_to && out) {
        ITask **chain = (ITask **)ptrmap_slot(&I->arena, &spawned, spawn_key(item, t->args));
        for (ITask *e = *chain; e; e = e->next_spawned)
            if (e->state != TASK_FAILED && same_spawn(e, item, t->args)) return (Value){.p = e->out};
        t->out = out;
        t->next_spawned = *chain;
        *chain = t;
    }
    t->next = queue;   /* at the front: the next to run */
    queue = t;
    return (Value){.p = delegated_to ? NULL : out};
}

static void mark_outputs(ITask *t, bool failed) {
    for (IDo *d = all_dos; d; d = d->next_any) {
        if (!d->is_output || d->owner != t) continue;
        if (failed) d->failed = t;
        else d->done = true;
    }
}

/* Runs task t to its end. A panic in it, or a read of an output whose
 * task failed, fails t alone: its outputs are discarded, and the run goes
 * on (kernel.md §4). */
static void run_task(Interp *I, ITask *t) {
    jmp_buf env;
    char line[RT_LINE_MAX];
    jmp_buf *saved_trap = rt_trap();
    char *saved_line = rt_trap_line();
    ITask *saved_running = running;
    const char *saved_name = I->task_name;
    int64_t saved_top = I->stack_top, saved_base = I->frame_base;
    int saved_depth = I->depth;
    void *saved_arena = rt_arena_begin();
    running = t;
    t->state = TASK_RUNNING;
    I->task_name = t->item->name;
    rt_set_task_name(t->item->name);
    rt_set_trap(&env, line);
    int how = setjmp(env);
    if (how == 0) {
        run_task_body(I, t->item, t->args);
        t->state = TASK_DONE;
        mark_outputs(t, false);
    } else {
        I->stack_top = saved_top, I->frame_base = saved_base, I->depth = saved_depth;
        t->state = TASK_FAILED;
        t->panicked = how == 1;
        t->message = arena_strndup(&I->arena, how == 1 ? line : wait_reason, strlen(how == 1 ? line : wait_reason));
        mark_outputs(t, true);
        *failures_end = t;
        failures_end = &t->next;
    }
    rt_arena_end(saved_arena);
    rt_set_trap(saved_trap, saved_line);
    running = saved_running;
    I->task_name = saved_name;
    rt_set_task_name(saved_name);
}

static bool run_next(Interp *I) {
    ITask *t = queue;
    if (!t) return false;
    queue = t->next;
    t->next = NULL;
    run_task(I, t);
    return true;
}

/* Reading an output of a spawned task: runs the queue, front first, until
 * its task has ended (the kernel suspends the reader and its core runs the
 * front of its queue). If that task failed, the reader fails too. */
static void wait_for(Interp *I, IDo *d) {
    if (!d->done && !d->failed && d->owner && d->owner->state == TASK_RUNNING) {
        /* Its task is on the way here (this one, or one that waits for it):
         * a spawn shared with a task that waits for it, as an image says
         * once its tasks have all stopped (kernel.md §6). */
        fputs("loam: error: the tasks left all wait for one another: a task was spawned "
              "with the same arguments as a task that waits for it, so it waits for "
              "itself (spec/language.md §6)\n", stderr);
        discard_outputs();
        exit(EXIT_PANIC);
    }
    while (!d->done && !d->failed)
        if (!run_next(I)) __loam_panic(I->task_name, "internal error: read of an output nobody will commit");
    if (!d->failed) return;
    ITask *f = d->failed;
    f->reported = true;
    snprintf(wait_reason, sizeof wait_reason, "it waited for '%s' which %s: %s", f->item->name,
             f->panicked ? "panicked" : "failed", f->message);
    longjmp(*rt_trap(), 2);
}

typedef struct RootRun {
    Interp *I;
    ITask *root;
} RootRun;

/* The root task, then every task still queued, front first. */
static void *run_root(void *data) {
    RootRun *r = data;
    run_task(r->I, r->root);
    while (run_next(r->I)) {}
    return NULL;
}

/* After every task ended: each failure no other task reported, in the
 * order they happened (kernel.md §4). */
static void report_failures(const ITask *root) {
    for (ITask *f = failures; f; f = f->next) {
        if (f->reported) continue;
        if (f == root && f->panicked) fprintf(stderr, "%s\n", f->message);
        else fprintf(stderr, "loam: task '%s' %s: %s\n", f->item->name, f->panicked ? "panicked" : "failed", f->message);
    }
}

/* An extern fn must be one of stdlib-min's C functions (the only C code an
 * image links), declared with its C signature. */
static bool check_externs(const Program *program) {
    for (uint32_t i = 0; i < program->items.len; i++) {
        Item *item = program->items.items[i];
        if (item->kind != I_EXTERN_FN) continue;
        int id = std_lookup(item->name);
        Type *types[8];
        int n = (int)item->params.len;
        for (int k = 0; k < n && k < 8; k++) types[k] = ((Param *)item->params.items[k])->sym->type;
        if (id >= 0 && n <= 8 && std_signature_matches(id, item->result_type, n, types)) continue;
        if (id < 0)
            fprintf(stderr, "loam: error: extern fn '%s' is not a function of the standard library; "
                            "the interpreter can call only those (stdlib-min/loam_std.h)\n", item->name);
        else
            fprintf(stderr, "loam: error: extern fn '%s' is declared with other types than its C function has "
                            "(stdlib-min/loam_std.h)\n", item->name);
        return false;
    }
    return true;
}

int interp_run(const Program *program, int root_item, const char *prog, int argc, char **argv) {
    if (!check_externs(program)) return EXIT_IO;
    Item *task = program->items.items[root_item];
    Interp *I = calloc(1, sizeof *I);
    if (!I) die("out of memory");
    I->program = program;
    arena_init(&I->arena);
    I->task_name = task->name;
    rt_set_task_name(task->name);
    rt_on_panic(discard_outputs);

    Binder b = {.arena = &I->arena, .task = task, .prog = prog, .tool = last_component(prog)};
    b.kinds = calloc(task->params.len + 1, sizeof *b.kinds);
    for (uint32_t i = 0; i < task->params.len; i++) {
        b.kinds[i] = param_kind(((Param *)task->params.items[i])->sym->type);
        if (b.kinds[i] < 0) die("task parameter of a type the checker rejects");
    }
    Value *args = calloc(task->params.len + 1, sizeof *args);
    int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++) signal(signals[i], on_signal);
    bind(&b, argc, argv, args);

    I->stack_cap = VALUE_STACK;
    I->stack = calloc((size_t)I->stack_cap, sizeof *I->stack);
    if (!I->stack) die("out of memory");
    ITask *root = arena_alloc(&I->arena, sizeof *root);
    root->item = task;
    root->args = args;
    for (IDo *o = outputs; o; o = o->next_output) o->owner = root;
    RootRun run = {I, root};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, C_STACK);
    pthread_t thread;
    if (pthread_create(&thread, &attr, run_root, &run) != 0) run_root(&run);
    else pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
    if (failures) {   /* the run failed: nothing is committed */
        fflush(stdout);
        report_failures(root);
        discard_outputs();
        for (IDo *d = all_dos; d; d = d->next_any) free(d->data);
        all_dos = outputs = NULL;
        queue = failures = NULL;
        failures_end = &failures;
        free(args);
        free(b.kinds);
        free(I->stack);
        arena_free(&I->arena);
        free(I);
        return 101;
    }

    fflush(stdout);
    int status = 0;
    for (IDo *o = outputs; o; o = o->next_output) {
        int err = output_commit(o);
        if (!err) continue;
        fprintf(stderr, "loam: error: cannot write output '%s' to '%s': %s\n", o->param,
                o->tmp_path ? o->tmp_path : o->path, error_text(err));
        discard_outputs();
        status = EXIT_IO;
        break;
    }
    for (IDo *d = all_dos; d; d = d->next_any) free(d->data);
    all_dos = outputs = NULL;
    free(args);
    free(b.kinds);
    free(I->stack);
    arena_free(&I->arena);
    free(I);
    return status;
}

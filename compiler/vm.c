/* vm.c — the host side of a μVM run (spec/kernel.md, μVM §4–§5).
 *
 * Reads the root task's parameters from the image's manifest, packs the
 * arguments and every input DO into a control disk (the layout of
 * kernel-lib/pvh/control.h), gives every output DO a sparse disk created as
 * its temporary file `DIR/.NAME.tmp.PID` next to its path, boots QEMU's
 * microvm with them (KVM when /dev/kvm can be opened, TCG otherwise), relays
 * the two serial ports to stdout and stderr, and after the guest exits
 * turns each output the guest committed into its file: cut to length,
 * fsync, rename without replacing, fsync of the directory. Everything
 * else is deleted, so an output path holds the whole output or nothing.
 *
 * Exit status: the guest's own (isa-debug-exit: the guest writes status+1,
 * QEMU exits with 2 * (status + 1) + 1), 124 after --timeout, 1 when QEMU
 * cannot run or the guest stops without a status.
 */
#define _GNU_SOURCE /* renameat2 */
#include "vm.h"

#include "link.h"
#include "../kernel-lib/pvh/control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { SECTOR = 512, MAX_OUTPUTS = 20, MAX_ARGS = 256 };
/* Apparent size of an output disk: sparse, so only what is written uses
 * space; an output larger than this fails with "no space left on device". */
static const uint64_t OUTPUT_DISK_BYTES = 1ULL << 40;
enum { STATUS_TIMEOUT = 124, STATUS_FAILED = 1 };

typedef enum ParamKind { P_VALUE, P_IN, P_IN_LIST, P_OUT } ParamKind;

typedef struct VmParam {
    char name[128];
    ParamKind kind;
} VmParam;

typedef struct Input {
    const char *path;
    uint64_t offset, len;
    int error;
    unsigned char *data;
    char *owned;                /* path, when split from a list */
} Input;

typedef struct Output {
    const char *path;
    char tmp[4200];
    int check;                  /* as plat_output_check: 0, -1 exists, errno */
    bool has_disk;
} Output;

/* A growing byte buffer for the control disk's header. */
typedef struct Bytes {
    unsigned char *p;
    size_t len, cap;
} Bytes;

static size_t bytes_put(Bytes *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n) cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) {
            fprintf(stderr, "loam: error: out of memory\n");
            exit(STATUS_FAILED);
        }
        b->cap = cap;
    }
    size_t at = b->len;
    memcpy(b->p + at, p, n);
    b->len += n;
    return at;
}

static void bytes_align(Bytes *b, size_t align) {
    static const unsigned char zero[SECTOR];
    while (b->len % align) bytes_put(b, zero, 1);
}

bool vm_is_image(const char *path) {
    unsigned char magic[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = fread(magic, 1, 4, f);
    fclose(f);
    return n == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

/* The root task's parameters, from the manifest's `task NAME root` and
 * the `param NAME MODE TYPE` lines after it. */
static int root_params(const char *manifest, VmParam *params, int max, bool *is_muvm) {
    int n = 0;
    bool in_root = false;
    *is_muvm = false;
    for (const char *line = manifest; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char text[512];
        snprintf(text, sizeof text, "%.*s", (int)(len < sizeof text ? len : sizeof text - 1), line);
        if (strncmp(text, "target ", 7) == 0) *is_muvm = strstr(text, " muvm") != NULL;
        else if (strncmp(text, "task ", 5) == 0) in_root = strstr(text, " root") != NULL;
        else if (in_root && strncmp(text, "param ", 6) == 0 && n < max) {
            char name[128] = {0}, mode[64] = {0};
            if (sscanf(text + 6, "%127s %63s", name, mode) == 2) {
                snprintf(params[n].name, sizeof params[n].name, "%s", name);
                params[n].kind = strcmp(mode, "out") == 0                ? P_OUT
                                 : strcmp(mode, "in") != 0               ? P_VALUE
                                 : strstr(text + 6, "[Blob]") != NULL    ? P_IN_LIST
                                                                         : P_IN;
                n++;
            }
        }
        line += len + (end != NULL);
    }
    return n;
}

/* Reads a whole file (anything readable: files, pipes, /dev/stdin). */
static int read_input(Input *in) {
    int fd = open(in->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        return err;
    }
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, len = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            close(fd);
            return ENOMEM;
        }
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            continue;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return err;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    in->data = buf;
    in->len = len;
    return 0;
}

/* "dir/name" -> "dir" ("." for a bare name, "/" stays "/"). */
static void dir_of(const char *path, char *dir, size_t size) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, size, ".");
    else if (slash == path) snprintf(dir, size, "/");
    else snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* The hosted kernel's plat_output_check, on the host. */
static int output_check(const char *path) {
    struct stat st;
    if (lstat(path, &st) == 0) return -1;
    if (errno != ENOENT) return errno;
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* DIR/.NAME.tmp.PID, as the hosted kernel names its temporaries. */
static void temp_name(const char *path, char *tmp, size_t size) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    snprintf(tmp, size, "%.*s.%s.tmp.%d", (int)(base - path), path, base, (int)getpid());
}

/* QEMU splits option values at commas; a literal comma is doubled. */
static char *qemu_escape(const char *s) {
    size_t n = strlen(s), commas = 0;
    for (size_t i = 0; i < n; i++) commas += s[i] == ',';
    char *e = malloc(n + commas + 1), *p = e;
    if (!e) return NULL;
    for (size_t i = 0; i < n; i++) {
        *p++ = s[i];
        if (s[i] == ',') *p++ = ',';
    }
    *p = 0;
    return e;
}

static bool write_all(int fd, const void *p, size_t n) {
    const char *b = p;
    while (n > 0) {
        ssize_t r = write(fd, b, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        b += r;
        n -= (size_t)r;
    }
    return true;
}

static volatile sig_atomic_t stop_signal;
static void on_stop(int sig) { stop_signal = sig; }

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Relays QEMU's pipes until they close or the child ends; returns the wait
 * status, or -1 after the timeout (the child is then killed). */
static int supervise(pid_t pid, int out_fd, int err_fd, int qemu_fd, Bytes *qemu_says, double timeout, bool *timed_out) {
    struct pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {qemu_fd, POLLIN, 0}};
    int targets[3] = {STDOUT_FILENO, STDERR_FILENO, -1};
    int open_fds = 3, status = 0;
    bool exited = false;
    double deadline = timeout > 0 ? now_seconds() + timeout : 0;
    *timed_out = false;
    while (open_fds > 0 || !exited) {
        if (!exited) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid) exited = true;
        }
        if (stop_signal && !exited) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            exited = true;
        }
        int wait_ms = 50;
        if (deadline > 0 && !exited) {
            double left = deadline - now_seconds();
            if (left <= 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                exited = true;
                *timed_out = true;
            } else if (left * 1000 < wait_ms) wait_ms = (int)(left * 1000) + 1;
        }
        if (open_fds == 0) {
            if (!exited) poll(NULL, 0, wait_ms);
            continue;
        }
        int r = poll(fds, 3, exited ? 0 : wait_ms);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) {
            if (exited) break;  /* nothing more to read */
            continue;
        }
        for (int i = 0; i < 3; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            if (targets[i] >= 0) write_all(targets[i], buf, (size_t)n);
            else if (qemu_says->len < 4096) bytes_put(qemu_says, buf, (size_t)n);
        }
    }
    for (int i = 0; i < 3; i++)
        if (fds[i].fd >= 0) close(fds[i].fd);
    return *timed_out ? -1 : status;
}

static bool kvm_usable(void) {
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    close(fd);
    return true;
}

/* Puts a committed output at its path: cut the disk file to the length
 * the guest recorded, fsync, rename without replacing, fsync the dir. */
static int commit_output(Output *o, uint64_t length) {
    int fd = open(o->tmp, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = 0;
    if (ftruncate(fd, (off_t)length) != 0 || fsync(fd) != 0) err = errno;
    close(fd);
    if (err) return err;
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE) != 0) {
        if (errno != EINVAL && errno != ENOSYS) return errno;
        if (output_check(o->path) != 0) return EEXIST;
        if (rename(o->tmp, o->path) != 0) return errno;
    }
    o->has_disk = false;
    char dir[4096];
    dir_of(o->path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int vm_run(const VmRun *run) {
    char error[512];
    char *manifest = manifest_read(run->image, error, sizeof error);
    if (!manifest) {
        fprintf(stderr, "loam: error: %s\n", error);
        return STATUS_FAILED;
    }
    VmParam params[MAX_ARGS];
    bool is_muvm;
    int param_count = root_params(manifest, params, MAX_ARGS, &is_muvm);
    free(manifest);
    if (!is_muvm) {
        fprintf(stderr, "loam: error: '%s' is not a μVM image: build it with 'loam build --target muvm'\n", run->image);
        return STATUS_FAILED;
    }

    /* Which arguments name inputs and outputs; the guest checks the rest
     * (and reports binding errors exactly as a hosted image does). */
    int argc = run->argc;
    size_t max_inputs = (size_t)argc + 1;   /* one per argument, plus its commas */
    for (int i = 0; i < argc; i++)
        for (const char *c = run->argv[i]; *c; c++) max_inputs += *c == ',';
    Input *inputs = calloc(max_inputs, sizeof *inputs);
    Output *outputs = calloc((size_t)argc + 1, sizeof *outputs);
    int input_count = 0, output_count = 0, status = STATUS_FAILED;
    char tmpdir[] = "/tmp/loam-vm.XXXXXX";
    char control[sizeof tmpdir + 16] = "";
    bool have_tmpdir = false;
    char **qargv = NULL;
    Bytes head = {0};
    if (!inputs || !outputs) goto done;
    for (int i = 0; i < argc; i++) {
        const char *a = run->argv[i], *eq = strchr(a, '=');
        if (!eq) continue;
        const VmParam *p = NULL;
        for (int k = 0; k < param_count; k++)
            if (strlen(params[k].name) == (size_t)(eq - a) && strncmp(params[k].name, a, (size_t)(eq - a)) == 0) p = &params[k];
        if (!p || p->kind == P_VALUE) continue;
        const char *v = eq + 1;
        if (p->kind == P_OUT) {
            if (output_count >= MAX_OUTPUTS) {
                fprintf(stderr, "loam: error: a μVM takes at most %d outputs\n", MAX_OUTPUTS);
                goto done;
            }
            outputs[output_count++].path = v;
        } else if (p->kind == P_IN) {
            inputs[input_count++].path = v;
        } else {
            /* in [Blob]: comma-separated, empty items skipped */
            for (const char *s = v; *s;) {
                const char *c = strchr(s, ',');
                size_t n = c ? (size_t)(c - s) : strlen(s);
                if (n > 0) {
                    char *path = strndup(s, n);
                    if (!path) goto done;
                    inputs[input_count].owned = path;
                    inputs[input_count++].path = path;
                }
                s += n + (c != NULL);
            }
        }
    }
    for (int i = 0; i < input_count; i++) inputs[i].error = read_input(&inputs[i]);
    for (int i = 0; i < output_count; i++) {
        Output *o = &outputs[i];
        o->check = output_check(o->path);
        bool duplicate = false;
        for (int k = 0; k < i; k++) duplicate |= strcmp(outputs[k].path, o->path) == 0;
        if (o->check != 0 || duplicate) continue;
        temp_name(o->path, o->tmp, sizeof o->tmp);
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            o->check = errno;
            continue;
        }
        o->has_disk = true;
        /* Sparse; smaller where the file system caps a file's size. */
        uint64_t size = OUTPUT_DISK_BYTES;
        while (ftruncate(fd, (off_t)size) != 0 && (errno == EFBIG || errno == EINVAL) && size > (1u << 30)) size /= 4;
        if (ftruncate(fd, (off_t)size) != 0) o->check = errno;
        close(fd);
    }

    /* The control disk: header, tables, argv, strings; then the inputs. */
    loam_vm_header h = {0};
    memcpy(h.magic, LOAM_VM_MAGIC, 8);
    h.argc = (uint32_t)argc + 1;
    h.inputs = (uint32_t)input_count;
    h.outputs = (uint32_t)output_count;
    bytes_put(&head, &h, sizeof h);
    bytes_align(&head, 16);
    h.input_table = bytes_put(&head, inputs, 0);
    for (int i = 0; i < input_count; i++) bytes_put(&head, &(loam_vm_input){0}, sizeof(loam_vm_input));
    h.output_table = head.len;
    for (int i = 0; i < output_count; i++) bytes_put(&head, &(loam_vm_output){0}, sizeof(loam_vm_output));
    h.argv = head.len;
    for (int i = 0; i <= argc; i++) bytes_put(&head, &(uint32_t){0}, 4);
    uint32_t at = (uint32_t)bytes_put(&head, run->argv0, strlen(run->argv0) + 1);
    memcpy(head.p + h.argv, &at, 4);
    for (int i = 0; i < argc; i++) {
        at = (uint32_t)bytes_put(&head, run->argv[i], strlen(run->argv[i]) + 1);
        memcpy(head.p + h.argv + 4 * (size_t)(i + 1), &at, 4);
    }
    for (int i = 0; i < input_count; i++) {
        loam_vm_input e = {.error = inputs[i].error, .len = inputs[i].len};
        e.path = (uint32_t)bytes_put(&head, inputs[i].path, strlen(inputs[i].path) + 1);
        memcpy(head.p + h.input_table + i * sizeof e, &e, sizeof e);
    }
    for (int i = 0; i < output_count; i++) {
        loam_vm_output e = {.check = outputs[i].check};
        e.path = (uint32_t)bytes_put(&head, outputs[i].path, strlen(outputs[i].path) + 1);
        e.tmp_path = (uint32_t)bytes_put(&head, outputs[i].tmp, strlen(outputs[i].tmp) + 1);
        memcpy(head.p + h.output_table + i * sizeof e, &e, sizeof e);
    }
    bytes_align(&head, SECTOR);
    h.header_bytes = head.len;
    h.results_offset = head.len;
    uint64_t data_at = head.len + (uint64_t)output_count * SECTOR, total_input = 0;
    for (int i = 0; i < input_count; i++) {
        inputs[i].offset = data_at;
        data_at += (inputs[i].len + SECTOR - 1) / SECTOR * SECTOR;
        total_input += inputs[i].len;
        memcpy(head.p + h.input_table + i * sizeof(loam_vm_input), &inputs[i].offset, 8);
    }
    memcpy(head.p, &h, sizeof h);
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "loam: error: cannot create a temporary directory in /tmp: %s\n", strerror(errno));
        goto done;
    }
    have_tmpdir = true;
    snprintf(control, sizeof control, "%s/control", tmpdir);
    int cfd = open(control, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool written = cfd >= 0 && write_all(cfd, head.p, head.len);
    static const unsigned char zero[SECTOR];
    for (int i = 0; written && i < output_count; i++) written = write_all(cfd, zero, SECTOR);
    for (int i = 0; written && i < input_count; i++) {
        written = write_all(cfd, inputs[i].data, inputs[i].len);
        if (written && inputs[i].len % SECTOR) written = write_all(cfd, zero, SECTOR - inputs[i].len % SECTOR);
    }
    if (cfd >= 0) close(cfd);
    if (!written) {
        fprintf(stderr, "loam: error: cannot write the μVM's control disk '%s': %s\n", control, strerror(errno));
        goto done;
    }

    /* The QEMU command line. */
    int pipes[3][2];
    for (int i = 0; i < 3; i++)
        if (pipe(pipes[i]) != 0) {
            fprintf(stderr, "loam: error: cannot create a pipe: %s\n", strerror(errno));
            goto done;
        }
    for (int i = 0; i < 3; i++) fcntl(pipes[i][0], F_SETFD, FD_CLOEXEC);
    uint64_t mem_mib = 1024 + 2 * (total_input >> 20);
    if (mem_mib > 2816) mem_mib = 2816;       /* microvm keeps RAM below 4 GiB up to here */
    const char *qemu = getenv("LOAM_QEMU");
    if (!qemu || !*qemu) qemu = "qemu-system-x86_64";
    /* LOAM_QEMU_ACCEL=tcg forces the emulator (the tests measure what CI
     * machines without KVM run). */
    const char *accel = getenv("LOAM_QEMU_ACCEL");
    bool kvm = accel && *accel ? strcmp(accel, "kvm") == 0 : kvm_usable();
    size_t qcap = 64 + 4 * (size_t)output_count;
    qargv = calloc(qcap, sizeof *qargv);
    int qn = 0;
    char buf[8][4400];
#define ARG(s) (qargv[qn++] = strdup(s))
    ARG(qemu);
    ARG("-machine");
    ARG("microvm,acpi=off,pit=off,pic=off,rtc=off,isa-serial=on");
    ARG("-accel");
    ARG(kvm ? "kvm" : "tcg");
    if (kvm) {
        ARG("-cpu");
        ARG("host");
    }
    ARG("-m");
    snprintf(buf[0], sizeof buf[0], "%llu", (unsigned long long)mem_mib);
    ARG(buf[0]);
    ARG("-nodefaults");
    ARG("-no-user-config");
    ARG("-nographic");
    ARG("-no-reboot");
    ARG("-kernel");
    char *image = qemu_escape(run->image);
    ARG(image ? image : run->image);
    free(image);
    ARG("-device");
    ARG("isa-debug-exit,iobase=0xf4,iosize=4");
    ARG("-chardev");
    snprintf(buf[1], sizeof buf[1], "file,id=out,path=/proc/self/fd/%d", pipes[0][1]);
    ARG(buf[1]);
    ARG("-serial");
    ARG("chardev:out");
    ARG("-chardev");
    snprintf(buf[2], sizeof buf[2], "file,id=err,path=/proc/self/fd/%d", pipes[1][1]);
    ARG(buf[2]);
    ARG("-device");
    ARG("isa-serial,chardev=err,iobase=0x2f8,irq=3");
    ARG("-global");
    ARG("virtio-mmio.force-legacy=false");
    ARG("-drive");
    snprintf(buf[3], sizeof buf[3], "file=%s,format=raw,if=none,id=ctl", control);
    ARG(buf[3]);
    ARG("-device");
    ARG("virtio-blk-device,drive=ctl,serial=" LOAM_VM_CONTROL_ID);
    for (int i = 0; i < output_count; i++) {
        if (!outputs[i].has_disk || outputs[i].check != 0) continue;
        char *path = qemu_escape(outputs[i].tmp);
        if (!path) goto done;
        ARG("-drive");
        snprintf(buf[4], sizeof buf[4], "file=%s,format=raw,if=none,id=o%d,cache=unsafe", path, i);
        free(path);
        ARG(buf[4]);
        ARG("-device");
        snprintf(buf[5], sizeof buf[5], "virtio-blk-device,drive=o%d,serial=%s%d", i, LOAM_VM_OUTPUT_ID, i);
        ARG(buf[5]);
    }
#undef ARG
    if (run->verbose) {
        for (int i = 0; i < qn; i++) fprintf(stderr, "%s%s", i ? " " : "", qargv[i]);
        fputc('\n', stderr);
    }

    struct sigaction stop = {.sa_handler = on_stop}, old[3];
    sigemptyset(&stop.sa_mask);
    int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) sigaction(stop_signals[i], &stop, &old[i]);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "loam: error: cannot start QEMU: %s\n", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, STDIN_FILENO);
        dup2(pipes[2][1], STDERR_FILENO);
        dup2(pipes[2][1], STDOUT_FILENO);
        for (int i = 0; i < 3; i++) signal(stop_signals[i], SIG_DFL);
        execvp(qemu, qargv);
        fprintf(stderr, "cannot run '%s': %s (install Debian's qemu-system-x86; scripts/deps.sh does)\n", qemu, strerror(errno));
        _exit(1);               /* never a guest's status: those are odd and >= 3 */
    }
    for (int i = 0; i < 3; i++) close(pipes[i][1]);
    Bytes qemu_says = {0};
    bool timed_out;
    int wstatus = supervise(pid, pipes[0][0], pipes[1][0], pipes[2][0], &qemu_says, run->timeout, &timed_out);
    for (int i = 0; i < 3; i++) sigaction(stop_signals[i], &old[i], NULL);

    if (timed_out) {
        fprintf(stderr, "loam: error: the μVM did not exit within %g seconds; stopped it (--timeout)\n", run->timeout);
        status = STATUS_TIMEOUT;
    } else if (stop_signal) {
        status = 128 + stop_signal;
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) >= 3 && WEXITSTATUS(wstatus) % 2 == 1) {
        status = (WEXITSTATUS(wstatus) - 3) / 2;
    } else {
        if (qemu_says.len > 0) {
            size_t n = qemu_says.len;
            while (n > 0 && qemu_says.p[n - 1] == '\n') n--;
            fprintf(stderr, "loam: error: QEMU failed: %.*s\n", (int)n, qemu_says.p);
        } else if (WIFEXITED(wstatus)) {
            fprintf(stderr, "loam: error: the μVM stopped without an exit status (QEMU exited with %d)\n",
                    WEXITSTATUS(wstatus));
        } else {
            fprintf(stderr, "loam: error: QEMU was killed by signal %d\n", WTERMSIG(wstatus));
        }
        status = STATUS_FAILED;
    }
    free(qemu_says.p);

    /* Outputs: committed ones to their paths (a guest that ended with 0,
     * or with 1 after committing some), the rest deleted. */
    if (status == 0 || status == 1) {
        int rfd = open(control, O_RDONLY | O_CLOEXEC);
        for (int i = 0; rfd >= 0 && i < output_count; i++) {
            loam_vm_result r;
            if (!outputs[i].has_disk ||
                pread(rfd, &r, sizeof r, (off_t)(h.results_offset + (uint64_t)i * SECTOR)) != (ssize_t)sizeof r ||
                memcmp(r.magic, LOAM_VM_DONE, 8) != 0)
                continue;
            int err = commit_output(&outputs[i], r.length);
            if (err) {
                fprintf(stderr, "loam: error: cannot write output to '%s': %s\n", outputs[i].path, strerror(err));
                status = STATUS_FAILED;
                break;
            }
        }
        if (rfd >= 0) close(rfd);
    }
done:
    for (int i = 0; i < output_count; i++)
        if (outputs[i].has_disk) unlink(outputs[i].tmp);
    if (control[0]) unlink(control);
    if (have_tmpdir) rmdir(tmpdir);
    for (int i = 0; inputs && i < input_count; i++) {
        free(inputs[i].data);
        free(inputs[i].owned);
    }
    for (int i = 0; qargv && qargv[i]; i++) free(qargv[i]);
    free(qargv);
    free(head.p);
    free(inputs);
    free(outputs);
    if (stop_signal) {
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
    return status;
}

/* driver.c — the `loam` command: argument parsing and the pipeline.
 *
 * Each subcommand parses its own flags and calls the pipeline. The pipeline
 * is check_file(): load → parse → resolve → types → caps, with diagnostics
 * flushed after each file. Exit status: 0 clean, 1 the user's program has
 * errors (or the command line is wrong), 2 an internal error (die(), or a
 * crash caught by the fatal-signal handler).
 */
#define _XOPEN_SOURCE 700 /* sigaltstack */
#include "ast.h"
#include "check.h"
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_USER = 1, EXIT_INTERNAL = 2 };
enum { MAX_SOURCE_BYTES = 64u << 20 };

static const char *program_name = "loam";

static const char usage_text[] =
    "usage: loam <command> [options] [files]\n"
    "\n"
    "Loam compiles tasks — programs whose inputs and outputs are declared data\n"
    "objects — into small images that run without an operating system's help.\n"
    "\n"
    "commands:\n"
    "  check FILE...     parse and check programs: syntax, types, capabilities\n"
    "\n"
    "options:\n"
    "  -h, --help        show this help (also: loam COMMAND --help)\n"
    "  --version         show the version\n"
    "\n"
    "exit status: 0 success, 1 errors in the program or the command line,\n"
    "2 an internal error of loam itself.\n";

static const char check_usage_text[] =
    "usage: loam check [options] FILE...\n"
    "\n"
    "Check each FILE: syntax, names and types, and the capability rules for\n"
    "data objects (an input is never written, an output is never read and is\n"
    "committed once). Nothing is compiled or run.\n"
    "\n"
    "options:\n"
    "  --diagnostics=text|json  how to print problems (default text); json\n"
    "                           writes one JSON object per line on stderr\n"
    "  --color=auto|always|never  colour text diagnostics (default auto: only\n"
    "                           on a terminal, never when NO_COLOR is set)\n"
    "  --allow-extern           allow 'extern fn' outside the standard library\n"
    "  -h, --help               show this help\n"
    "\n"
    "exit status: 0 when every file is clean, 1 when any has an error,\n"
    "2 on an internal error.\n";

/* A usage error: one line on stderr, exit 1. */
static _Noreturn void usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "%s: error: ", program_name);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s: run '%s --help' for usage\n", program_name, program_name);
    exit(EXIT_USER);
}

/* Reads path into a SourceFile allocated in arena. On failure reports E0007
 * (or E0004 for an oversized file) and returns NULL. */
static SourceFile *load_source(Arena *arena, const char *path) {
    SourceFile *file = arena_alloc(arena, sizeof *file);
    file->path = arena_strndup(arena, path, strlen(path));
    Span whole = {.file = file};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        diag_error(E0007, whole, "cannot read '%s': %s", path, strerror(errno));
        if (errno == ENOENT) diag_help("check the spelling of the path, and the directory you run loam from");
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        diag_error(E0007, whole, "cannot read '%s': it is a directory, not a source file", path);
        diag_help("give the path of a .loam file, e.g. '%s/main.loam'", path);
        close(fd);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && st.st_size > (off_t)MAX_SOURCE_BYTES) {
        diag_error(E0004, whole, "'%s' is %lld bytes; a source file may hold at most 64 MiB", path,
                   (long long)st.st_size);
        diag_help("split the program into smaller files");
        close(fd);
        return NULL;
    }
    /* A regular file is read straight into the arena; anything else (a pipe,
     * a device) to EOF through a growing buffer, then copied. */
    bool regular = S_ISREG(st.st_mode);
    size_t cap = regular ? (size_t)st.st_size + 1 : 65536, len = 0;
    char *text = regular ? arena_alloc(arena, cap) : malloc(cap);
    if (!text) die("out of memory reading '%s'", path);
    for (;;) {
        if (len + 1 >= cap) {
            if (regular || cap > MAX_SOURCE_BYTES) break;   /* a regular file that grew: read what it had */
            cap *= 2;
            text = realloc(text, cap);
            if (!text) die("out of memory reading '%s'", path);
        }
        ssize_t n = read(fd, text + len, cap - len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            diag_error(E0007, whole, "cannot read '%s': %s", path, strerror(errno));
            if (!regular) free(text);
            close(fd);
            return NULL;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    if (len > MAX_SOURCE_BYTES) {
        diag_error(E0004, whole, "'%s' holds more than 64 MiB; a source file may hold at most that", path);
        if (!regular) free(text);
        return NULL;
    }
    if (!regular) {
        char *copy = arena_strndup(arena, text, len);
        free(text);
        text = copy;
    }
    text[len] = 0;
    file->text = text;
    file->len = (uint32_t)len;
    return file;
}

/* The front-end pipeline for one file. Returns true when it is clean. */
static bool check_file(const char *path, const CheckOptions *options) {
    Arena arena;
    arena_init(&arena);
    int errors_before = diag_error_count();
    SourceFile *file = load_source(&arena, path);
    if (file) {
        Program *program = parse_program(&arena, file);
        check_program(&arena, program, options);
    }
    diag_flush();
    arena_free(&arena);
    return diag_error_count() == errors_before;
}

static bool want_colour(const char *when) {
    if (strcmp(when, "always") == 0) return true;
    if (strcmp(when, "never") == 0) return false;
    const char *no_colour = getenv("NO_COLOR");
    if (no_colour && *no_colour) return false;
    return isatty(STDERR_FILENO);
}

static int command_check(int argc, char **argv) {
    CheckOptions options = {0};
    DiagFormat format = DIAG_TEXT;
    const char *colour = "auto";
    /* Options and files may come in any order; after "--" all are files. */
    char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) die("out of memory");
    int file_count = 0;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == 0) files[file_count++] = argv[i];
        else if (strcmp(a, "--") == 0) options_done = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(check_usage_text, stdout);
            free(files);
            return 0;
        } else if (strcmp(a, "--diagnostics=json") == 0) format = DIAG_JSON;
        else if (strcmp(a, "--diagnostics=text") == 0) format = DIAG_TEXT;
        else if (strncmp(a, "--color=", 8) == 0 || strncmp(a, "--colour=", 9) == 0) {
            colour = strchr(a, '=') + 1;
            if (strcmp(colour, "auto") && strcmp(colour, "always") && strcmp(colour, "never"))
                usage_error("'--color' takes auto, always or never, not '%s'", colour);
        } else if (strcmp(a, "--allow-extern") == 0) options.allow_extern = true;
        else usage_error("unknown option '%s' for 'loam check'", a);
    }
    if (file_count == 0) usage_error("%s", "'loam check' needs at least one file");
    diag_configure(format, want_colour(colour));
    bool clean = true;
    for (int i = 0; i < file_count; i++) clean &= check_file(files[i], &options);
    free(files);
    return clean ? 0 : EXIT_USER;
}

/* A crash is our bug: say so and exit 2 instead of dying by a signal.
 * Sanitizer builds keep their own, more informative handlers. */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
#define __has_feature(x) 0
#endif
#if !defined(__SANITIZE_ADDRESS__) && !__has_feature(address_sanitizer)
static void on_fatal_signal(int sig) {
    static const char msg[] = "loam: internal error: crashed (fatal signal); please report this with the input\n";
    (void)sig;
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(EXIT_INTERNAL);
}

static void install_crash_handler(void) {
    static char alt_stack[1 << 16];
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_handler = on_fatal_signal, .sa_flags = SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    int signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &sa, NULL);
}
#else
static void install_crash_handler(void) {}
#endif

int main(int argc, char **argv) {
    install_crash_handler();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USER;
    }
    const char *command = argv[1];
    if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(command, "--version") == 0 || strcmp(command, "version") == 0) {
        printf("loam %s\n", LOAM_VERSION);
        return 0;
    }
    if (strcmp(command, "check") == 0) return command_check(argc - 2, argv + 2);
    usage_error("unknown command '%s'", command);
}

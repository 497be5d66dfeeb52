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
#include "emit.h"
#include "link.h"
#include "interp.h"
#include "lower.h"
#include "vm.h"

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
    "  build FILE        compile a program into an image (a static executable)\n"
    "  run FILE ARGS...  build (cached) and run: loam run wc.loam text=in.txt counts=out.tsv\n"
    "  inspect IMAGE     print the manifest of an image: its tasks and parameters\n"
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

static const char build_usage_text[] =
    "usage: loam build [options] FILE.loam\n"
    "\n"
    "Compile FILE.loam into an image: a static executable with no libc that\n"
    "runs the root task (the task named 'main', else the only task). Run it\n"
    "with its data objects bound by name: ./wordcount text=book.txt counts=out.tsv\n"
    "\n"
    "options:\n"
    "  -o IMAGE          where to write the image (default: FILE without .loam)\n"
    "  -O0, -O1, -O2, -O3  optimisation level (default -O2)\n"
    "  --no-yield        leave out the yield points (to measure their cost)\n"
    "  -g                debug information (DWARF)\n"
    "  --emit=llvm|asm|obj  write LLVM IR, assembly or an object instead of an image\n"
    "  --task NAME       the root task, when the file has several and none is 'main'\n"
    "  --target hosted|muvm  a Linux executable (default), or a μVM image that\n"
    "                    boots under qemu-system-x86_64 -machine microvm (PVH)\n"
    "  --diagnostics=text|json, --color=WHEN, --allow-extern  as for 'loam check'\n"
    "  -v                print the linker command\n"
    "\n"
    "exit status: 0 built, 1 errors in the program or the command line, 2 internal error.\n";

static const char run_usage_text[] =
    "usage: loam run [build options] FILE.loam [NAME=VALUE...]\n"
    "\n"
    "Build FILE.loam (reusing the last image when neither the source nor the\n"
    "options changed; images are cached in .loam/cache) and run it with the\n"
    "bindings given: data objects by path (text=book.txt), values as text (n=10).\n"
    "The exit status is the image's: 0 success, 2 a binding error, 101 a panic.\n"
    "\n"
    "  --interp          interpret the program instead (no LLVM, no linker: the\n"
    "                    quickest edit-run loop; same output, files and panics)\n"
    "  --argv0=NAME      with --interp or --vm: the name binding messages use (default FILE)\n"
    "  --vm              build a μVM image (--target muvm) and boot it under QEMU's\n"
    "                    microvm; outputs, messages and exit status as hosted.\n"
    "                    FILE may also be an image built with --target muvm\n"
    "  --timeout SECONDS  with --vm: stop a guest still running after SECONDS\n"
    "                    (exit status 124)\n";

static const char inspect_usage_text[] =
    "usage: loam inspect [--json] IMAGE\n"
    "\n"
    "Print the manifest of an image built by 'loam build': the compiler version,\n"
    "the target, and each task with its parameters and their modes.\n";

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

/* ---- build ---- */

typedef struct BuildOptions {
    LowerOptions lower;
    CheckOptions check;
    DiagFormat format;
    const char *colour;
    const char *output;
    int emit;            /* -1: an image */
    bool verbose;
    bool muvm;           /* --target muvm: a μVM image (spec/kernel.md, μVM) */
} BuildOptions;

/* Where the runtime libraries and linker scripts live: <dir of loam>/../lib,
 * as the CMake build and an installation lay them out. */
static bool library_path(const char *file, char *buf, size_t size) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return false;
    *slash = 0;
    return snprintf(buf, size, "%s/../lib/%s", exe, file) < (int)size && access(buf, R_OK) == 0;
}

/* Parses one build option at argv[*i]; returns false if it is not one. */
static bool parse_build_option(BuildOptions *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    if (strcmp(a, "-o") == 0) {
        if (*i + 1 >= argc) usage_error("%s", "'-o' needs a file name");
        o->output = argv[++*i];
    } else if (strncmp(a, "-o", 2) == 0 && a[2]) o->output = a + 2;
    else if (strcmp(a, "-O0") == 0 || strcmp(a, "-O1") == 0 || strcmp(a, "-O2") == 0 || strcmp(a, "-O3") == 0)
        o->lower.opt_level = a[2] - '0';
    else if (strcmp(a, "--no-yield") == 0) o->lower.yields = false;
    else if (strcmp(a, "-g") == 0) o->lower.debug_info = true;
    else if (strcmp(a, "-v") == 0) o->verbose = true;
    else if (strcmp(a, "--emit=llvm") == 0) o->emit = EMIT_LLVM;
    else if (strcmp(a, "--emit=asm") == 0) o->emit = EMIT_ASM;
    else if (strcmp(a, "--emit=obj") == 0) o->emit = EMIT_OBJ;
    else if (strncmp(a, "--emit=", 7) == 0) usage_error("'--emit' takes llvm, asm or obj, not '%s'", a + 7);
    else if (strcmp(a, "--task") == 0) {
        if (*i + 1 >= argc) usage_error("%s", "'--task' needs a task name");
        o->lower.root_task = argv[++*i];
    } else if (strncmp(a, "--task=", 7) == 0) o->lower.root_task = a + 7;
    else if (strcmp(a, "--target") == 0 || strncmp(a, "--target=", 9) == 0) {
        const char *t = a[8] == '=' ? a + 9 : *i + 1 < argc ? argv[++*i] : "";
        if (strcmp(t, "hosted") == 0) o->muvm = false;
        else if (strcmp(t, "muvm") == 0) o->muvm = true;
        else usage_error("'--target' takes hosted or muvm, not '%s'", t);
        o->lower.target_triple = o->muvm ? LOAM_MUVM_TRIPLE : LOAM_HOSTED_TRIPLE;
    }
    else if (strcmp(a, "--diagnostics=json") == 0) o->format = DIAG_JSON;
    else if (strcmp(a, "--diagnostics=text") == 0) o->format = DIAG_TEXT;
    else if (strncmp(a, "--color=", 8) == 0 || strncmp(a, "--colour=", 9) == 0) o->colour = strchr(a, '=') + 1;
    else if (strcmp(a, "--allow-extern") == 0) o->check.allow_extern = true;
    else return false;
    return true;
}

static BuildOptions default_build_options(void) {
    return (BuildOptions){
        .lower = {.yields = true, .opt_level = 2, .target_triple = LOAM_HOSTED_TRIPLE},
        .format = DIAG_TEXT,
        .colour = "auto",
        .emit = -1,
    };
}

/* "dir/wordcount.loam" -> "dir/wordcount" (in buf). */
static const char *default_image_name(const char *source, char *buf, size_t size) {
    size_t n = strlen(source);
    if (n > 5 && strcmp(source + n - 5, ".loam") == 0) n -= 5;
    else {
        snprintf(buf, size, "%s.image", source);
        return buf;
    }
    snprintf(buf, size, "%.*s", (int)n, source);
    return buf;
}

/* Adds the manifest (linker/manifest.c) to the module as `.loam.manifest`. */
static void add_manifest(LLVMModuleRef m, const char *text) {
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    size_t len = strlen(text);
    LLVMValueRef init = LLVMConstStringInContext(ctx, text, (unsigned)len, true);
    LLVMValueRef g = LLVMAddGlobal(m, LLVMArrayType(LLVMInt8TypeInContext(ctx), (unsigned)len), "__loam_manifest");
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, true);
    LLVMSetSection(g, ".loam.manifest");
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetAlignment(g, 1);
    /* Keep it through --gc-sections: the linker script KEEPs the section. */
    LLVMValueRef used[1] = {g};
    LLVMValueRef array = LLVMConstArray(LLVMPointerTypeInContext(ctx, 0), used, 1);
    LLVMValueRef llvm_used = LLVMAddGlobal(m, LLVMTypeOf(array), "llvm.used");
    LLVMSetInitializer(llvm_used, array);
    LLVMSetLinkage(llvm_used, LLVMAppendingLinkage);
    LLVMSetSection(llvm_used, "llvm.metadata");
}

/* The pipeline of `loam build`: check, lower, emit, link. Returns the exit
 * status. */
static int build_program(const char *source, const BuildOptions *o, const char *image) {
    Arena arena;
    arena_init(&arena);
    int status = EXIT_USER;
    LLVMContextRef ctx = NULL;
    LLVMModuleRef module = NULL;
    SourceFile *file = load_source(&arena, source);
    if (!file) goto done;
    Program *program = parse_program(&arena, file);
    check_program(&arena, program, &o->check);
    if (diag_error_count() > 0) goto done;

    int root = lower_root_task(program, &o->lower);
    int root_item = -1, tasks = 0;
    for (uint32_t i = 0; i < program->items.len; i++) {
        Item *item = program->items.items[i];
        if (item->kind != I_TASK) continue;
        if (tasks++ == root) root_item = (int)i;
    }
    if (root < 0) {
        diag_flush();
        if (o->lower.root_task) fprintf(stderr, "%s: error: there is no task named '%s'\n", source, o->lower.root_task);
        else if (tasks == 0) fprintf(stderr, "%s: error: there is no task to run: declare one with 'task main(…) { … }'\n", source);
        else fprintf(stderr, "%s: error: %d tasks and none is named 'main': choose the one to run with '--task NAME'\n", source, tasks);
        goto done;
    }

    ctx = LLVMContextCreate();
    module = lower_program(ctx, program, &o->lower);
    if (!module) goto done;
    add_manifest(module, manifest_text(&arena, program, root_item, o->lower.target_triple, o->muvm ? "muvm" : "hosted"));

    char *error = NULL;
    if (o->emit >= 0) {
        const char *path = o->output ? o->output : "-";
        if (!emit_module(module, &o->lower, path, o->emit, &error)) {
            fprintf(stderr, "loam: error: cannot write '%s': %s\n", path, error ? error : "?");
            free(error);
            status = EXIT_INTERNAL;
        } else status = 0;
        goto done;
    }

    char runtime[4096], stdlib[4096], script[4096];
    if (!library_path(o->muvm ? "libloamrt-pvh.a" : "libloamrt.a", runtime, sizeof runtime) ||
        !library_path("libloamstd.a", stdlib, sizeof stdlib) ||
        !library_path(o->muvm ? "pvh.ld" : "hosted.ld", script, sizeof script)) {
        fprintf(stderr, "loam: internal error: the runtime libraries are missing next to the loam binary (../lib)\n");
        status = EXIT_INTERNAL;
        goto done;
    }
    const char *lld = link_find_lld();
    if (!lld) {
        fprintf(stderr, "loam: error: cannot find ld.lld; install Debian's lld-16 (scripts/deps.sh does)\n");
        status = EXIT_INTERNAL;
        goto done;
    }
    /* The object goes next to the image under a temporary name, and the
     * image is linked to a temporary name then renamed: a failed build
     * leaves no half-written image behind. */
    char object[4200], partial[4200];
    snprintf(object, sizeof object, "%s.%d.o", image, (int)getpid());
    snprintf(partial, sizeof partial, "%s.%d.tmp", image, (int)getpid());
    if (!emit_module(module, &o->lower, object, EMIT_OBJ, &error)) {
        fprintf(stderr, "loam: error: cannot write '%s': %s\n", object, error ? error : "?");
        free(error);
        status = EXIT_INTERNAL;
        goto done;
    }
    const char *inputs[] = {object, stdlib, runtime};
    LinkJob job = {.lld = lld, .script = script, .inputs = inputs, .input_count = 3, .output = partial,
                   .verbose = o->verbose, .keep_symbols = o->lower.debug_info};
    char link_error[256];
    bool linked = link_run(&job, link_error, sizeof link_error);
    unlink(object);
    if (!linked) {
        unlink(partial);
        fprintf(stderr, "loam: internal error: linking '%s' failed: %s\n", image, link_error);
        status = EXIT_INTERNAL;
        goto done;
    }
    if (rename(partial, image) != 0) {
        fprintf(stderr, "loam: error: cannot write '%s': %s\n", image, strerror(errno));
        unlink(partial);
        goto done;
    }
    status = 0;
done:
    diag_flush();
    if (module) LLVMDisposeModule(module);
    if (ctx) LLVMContextDispose(ctx);
    arena_free(&arena);
    return status;
}

static int command_build(int argc, char **argv) {
    BuildOptions o = default_build_options();
    const char *source = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(build_usage_text, stdout);
            return 0;
        }
        if (parse_build_option(&o, argc, argv, &i)) continue;
        if (argv[i][0] == '-' && argv[i][1]) usage_error("unknown option '%s' for 'loam build'", argv[i]);
        if (source) usage_error("'loam build' takes one source file; '%s' is a second one", argv[i]);
        source = argv[i];
    }
    if (!source) usage_error("%s", "'loam build' needs a source file");
    diag_configure(o.format, want_colour(o.colour));
    char name[4096];
    const char *image = o.output ? o.output : default_image_name(source, name, sizeof name);
    return build_program(source, &o, image);
}

/* ---- run ---- */

/* FNV-1a 64 over a file's bytes, continuing from h. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static bool hash_file(const char *path, uint64_t *h) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) *h = hash_bytes(*h, buf, (size_t)n);
    close(fd);
    return n == 0;
}

/* `loam run --interp`: check, then interpret the root task (interp.c);
 * no LLVM, no linker. `prog` names the program in binding messages. */
static int run_interpreted(const char *source, const BuildOptions *o, const char *prog, int argc, char **argv) {
    Arena arena;
    arena_init(&arena);
    int status = EXIT_USER;
    SourceFile *file = load_source(&arena, source);
    if (file) {
        Program *program = parse_program(&arena, file);
        check_program(&arena, program, &o->check);
        if (diag_error_count() == 0) {
            int root = lower_root_task(program, &o->lower), root_item = -1, tasks = 0;
            for (uint32_t i = 0; i < program->items.len; i++) {
                Item *item = program->items.items[i];
                if (item->kind == I_TASK && tasks++ == root) root_item = (int)i;
            }
            diag_flush();
            if (root_item >= 0) status = interp_run(program, root_item, prog, argc, argv);
            else if (o->lower.root_task) fprintf(stderr, "%s: error: there is no task named '%s'\n", source, o->lower.root_task);
            else if (tasks == 0) fprintf(stderr, "%s: error: there is no task to run: declare one with 'task main(…) { … }'\n", source);
            else fprintf(stderr, "%s: error: %d tasks and none is named 'main': choose the one to run with '--task NAME'\n", source, tasks);
        }
    }
    diag_flush();
    fflush(stdout);
    arena_free(&arena);
    return status;
}

static int command_run(int argc, char **argv) {
    BuildOptions o = default_build_options();
    const char *source = NULL, *argv0 = NULL;
    bool interp = false, vm = false;
    double timeout = 0;
    int first_binding = argc;
    for (int i = 0; i < argc; i++) {
        if (!source && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            fputs(run_usage_text, stdout);
            return 0;
        }
        if (!source && strcmp(argv[i], "--interp") == 0) {
            interp = true;
            continue;
        }
        if (!source && strncmp(argv[i], "--argv0=", 8) == 0) {
            argv0 = argv[i] + 8;
            continue;
        }
        if (!source && strcmp(argv[i], "--vm") == 0) {
            vm = true;
            o.muvm = true;
            o.lower.target_triple = LOAM_MUVM_TRIPLE;
            continue;
        }
        if (!source && (strcmp(argv[i], "--timeout") == 0 || strncmp(argv[i], "--timeout=", 10) == 0)) {
            const char *t = argv[i][9] == '=' ? argv[i] + 10 : i + 1 < argc ? argv[++i] : "";
            char *end;
            timeout = strtod(t, &end);
            if (!*t || *end || !(timeout > 0 && timeout < 1e7))
                usage_error("'--timeout' takes a number of seconds, like 30 or 2.5, not '%s'", t);
            continue;
        }
        if (!source && parse_build_option(&o, argc, argv, &i)) continue;
        if (!source && argv[i][0] == '-' && argv[i][1]) usage_error("unknown option '%s' for 'loam run'", argv[i]);
        if (!source) {
            source = argv[i];
            first_binding = i + 1;
            break;
        }
    }
    if (!source) usage_error("%s", "'loam run' needs a source file");
    if (o.emit >= 0) usage_error("%s", "'--emit' is for 'loam build'");
    diag_configure(o.format, want_colour(o.colour));
    if (interp) return run_interpreted(source, &o, argv0 ? argv0 : source, argc - first_binding, argv + first_binding);
    if (timeout > 0 && !vm) usage_error("%s", "'--timeout' is for 'loam run --vm'");
    if (vm && vm_is_image(source)) {
        VmRun r = {.image = source, .argv0 = argv0 ? argv0 : source, .argc = argc - first_binding,
                   .argv = argv + first_binding, .timeout = timeout, .verbose = o.verbose};
        return vm_run(&r);
    }
    if (argv0 && !vm) usage_error("%s", "'--argv0' is for 'loam run --interp' or 'loam run --vm'");

    /* The cache key: the source, the options that change the image, and the
     * compiler itself. */
    uint64_t h = 0xcbf29ce484222325u;
    if (!hash_file(source, &h)) {
        Arena arena;
        arena_init(&arena);
        load_source(&arena, source);   /* reports why it cannot be read */
        diag_flush();
        arena_free(&arena);
        return EXIT_USER;
    }
    char key[256];
    snprintf(key, sizeof key, "%s|O%d|y%d|g%d|%s|%s", LOAM_VERSION, o.lower.opt_level, o.lower.yields,
             o.lower.debug_info, o.lower.root_task ? o.lower.root_task : "", o.muvm ? "muvm" : "hosted");
    h = hash_bytes(h, key, strlen(key));
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        hash_file(exe, &h);
    }
    mkdir(".loam", 0777);
    mkdir(".loam/cache", 0777);
    char image[512];
    snprintf(image, sizeof image, ".loam/cache/%016llx", (unsigned long long)h);
    if (access(image, X_OK) != 0) {
        int status = build_program(source, &o, image);
        if (status != 0) return status;
    }
    if (vm) {
        VmRun r = {.image = image, .argv0 = argv0 ? argv0 : source, .argc = argc - first_binding,
                   .argv = argv + first_binding, .timeout = timeout, .verbose = o.verbose};
        return vm_run(&r);
    }
    char **args = calloc((size_t)(argc - first_binding) + 2, sizeof *args);
    if (!args) die("out of memory");
    /* The image names itself by argv[0] in its messages: show the source. */
    args[0] = (char *)source;
    for (int i = first_binding; i < argc; i++) args[i - first_binding + 1] = argv[i];
    fflush(NULL);
    execv(image, args);
    fprintf(stderr, "loam: error: cannot run '%s': %s\n", image, strerror(errno));
    return EXIT_INTERNAL;
}

/* ---- inspect ---- */

static int command_inspect(int argc, char **argv) {
    bool json = false;
    const char *image = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(inspect_usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (argv[i][0] == '-' && argv[i][1]) usage_error("unknown option '%s' for 'loam inspect'", argv[i]);
        else if (image) usage_error("'loam inspect' takes one image; '%s' is a second one", argv[i]);
        else image = argv[i];
    }
    if (!image) usage_error("%s", "'loam inspect' needs an image");
    char error[512];
    char *manifest = manifest_read(image, error, sizeof error);
    if (!manifest) {
        fprintf(stderr, "loam: error: %s\n", error);
        return EXIT_USER;
    }
    manifest_print(manifest, json, stdout);
    free(manifest);
    return 0;
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
    if (strcmp(command, "build") == 0) return command_build(argc - 2, argv + 2);
    if (strcmp(command, "run") == 0) return command_run(argc - 2, argv + 2);
    if (strcmp(command, "inspect") == 0) return command_inspect(argc - 2, argv + 2);
    usage_error("unknown command '%s'", command);
}

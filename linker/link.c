/* link.c — finds ld.lld and runs it with the image's argument list.
 * The whole command line is built in one function, link_arguments(), so that
 * what reaches the linker can be read in one place (and is printed by -v). */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool executable(const char *path) { return access(path, X_OK) == 0; }

/* The first `name` on $PATH, copied into buf. */
static bool search_path(const char *name, char *buf, size_t size) {
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0 && snprintf(buf, size, "%.*s/%s", (int)n, path, name) < (int)size && executable(buf)) return true;
        path += n + (colon != NULL);
    }
    return false;
}

const char *link_find_lld(void) {
    static char found[4096];
    const char *env = getenv("LOAM_LD");
    if (env && *env) return executable(env) ? env : NULL;
    if (search_path("ld.lld-16", found, sizeof found) || search_path("ld.lld", found, sizeof found)) return found;
    /* Debian keeps the unversioned name in LLVM's own bindir. */
    FILE *p = popen("llvm-config-16 --bindir 2>/dev/null", "r");
    if (p) {
        char dir[4000] = {0};
        bool ok = fgets(dir, sizeof dir, p) != NULL;
        pclose(p);
        dir[strcspn(dir, "\n")] = 0;
        if (ok && snprintf(found, sizeof found, "%s/ld.lld", dir) < (int)sizeof found && executable(found)) return found;
    }
    if (executable("/usr/lib/llvm-16/bin/ld.lld")) return "/usr/lib/llvm-16/bin/ld.lld";
    return NULL;
}

enum { MAX_ARGS = 64 };

/* The ld.lld command line: a static, non-PIE executable, no interpreter, no
 * dynamic section, unused sections dropped, no build id (images must be
 * byte-for-byte reproducible, and their hash is their name), symbols and
 * debug information only when asked for. */
static int link_arguments(const LinkJob *job, const char **argv) {
    int n = 0;
    argv[n++] = job->lld;
    argv[n++] = "-static";
    argv[n++] = "--no-pie";
    argv[n++] = "--gc-sections";
    argv[n++] = "--build-id=none";
    argv[n++] = "-z";
    argv[n++] = "noexecstack";
    if (!job->keep_symbols) argv[n++] = "--strip-all";   /* small images unless debugging */
    argv[n++] = "-T";
    argv[n++] = job->script;
    argv[n++] = "-o";
    argv[n++] = job->output;
    for (int i = 0; i < job->input_count && n < MAX_ARGS - 1; i++) argv[n++] = job->inputs[i];
    argv[n] = NULL;
    return n;
}

bool link_run(const LinkJob *job, char *error, size_t error_size) {
    const char *argv[MAX_ARGS];
    int argc = link_arguments(job, argv);
    if (job->verbose) {
        for (int i = 0; i < argc; i++) fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fputc('\n', stderr);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(error, error_size, "cannot start the linker: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "loam: cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(error, error_size, "lost the linker: %s", strerror(errno));
            return false;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    if (WIFEXITED(status)) snprintf(error, error_size, "ld.lld failed with exit status %d", WEXITSTATUS(status));
    else snprintf(error, error_size, "ld.lld was killed by signal %d", WTERMSIG(status));
    return false;
}

/* runner.c — golden-diagnostics tests for `loam check`.
 *
 *     check_runner LOAM_BINARY TESTDIR [NAME...]
 *
 * Runs `LOAM_BINARY check --diagnostics=json FILE` on every `*.loam` file of
 * TESTDIR, in name order (or only on the tests NAME..., given without
 * `.loam`), and compares the diagnostics with the expectations written in the
 * file itself. Prints `PASS name` or `FAIL name` with indented details for
 * each file, then `N passed, M failed`; exits 1 if any test failed.
 *
 * How to write a check test
 * -------------------------
 * One small file per rule or feature, named after it
 * (`caps_rule2_delegate_in_loop.loam`, `types_binary_int_float.loam`,
 * `ok_write_in_loop.loam` for a program that must be accepted). The first
 * line is a comment saying what the file checks and where the spec says so.
 * Expectations are comments, anywhere in the file, several per line if
 * needed:
 *
 *     x.write("a");   // error: E0301
 *         an error with code E0301 is reported on this line;
 *     x.write("a");   // error: E0301 cannot write to 'x'
 *         ... and its message contains the text after the code (the text
 *         runs to the end of the line or to the next `// error`);
 *     // error@12: E0003
 *         ... on line 12 instead of this one (for errors reported on a line
 *         that cannot hold a comment, or at the end of the file).
 *     // flags: --allow-extern
 *         a line of its own: extra options for `loam check` (space-separated).
 *
 * A test passes when
 *   - every expected error is reported, as many times as it is expected
 *     (write the comment twice for two errors of the same code on one line);
 *   - no other error is reported (warnings are ignored);
 *   - `loam check` exits with 1 if errors are expected, else 0 — never with 2
 *     (an internal error), never by a signal, and within TIMEOUT_SECONDS;
 *   - everything it writes on stderr is one JSON diagnostic per line.
 * A file without any `// error` comment is a program that must be accepted.
 *
 * Expectations come from the spec (spec/language.md, spec/diagnostics.md),
 * decided before running the checker: never paste the checker's output into
 * a test. Files with raw invalid bytes (E0001, E0002) are made with printf
 * and keep a readable first comment line.
 *
 * Not covered here, because a test file cannot show them:
 *   E0004 (source file too large) needs a file over 64 MiB;
 *   E0007 (cannot read source file) needs a missing or unreadable file.
 * Both are properties of the command line, tested with the driver
 * (tests/robust/).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { TIMEOUT_SECONDS = 20, MAX_FLAGS = 8 };

/* ---- small utilities ---- */

static void *xrealloc(void *p, size_t size) {
    p = realloc(p, size ? size : 1);
    if (!p) {
        fprintf(stderr, "check_runner: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrndup(const char *s, size_t n) {
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* A growable byte buffer, always NUL-terminated. */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Reads a whole file; NULL (with errno) on failure. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(b.data);
        errno = EIO;
        return NULL;
    }
    if (!b.data) buf_add(&b, "", 0);
    *len = b.len;
    return b.data;
}

/* ---- expectations written in the test file ---- */

typedef struct Expect {
    int line;          /* where the error must be reported */
    char code[6];      /* "E0301" */
    char *text;        /* the message must contain this; "" for any */
    int written_on;    /* the line holding the comment, for messages */
} Expect;

typedef struct Test {
    Expect *expects;
    int expect_count;
    char *flags[MAX_FLAGS];
    int flag_count;
    Buf problems;      /* malformed expectations: the test fails */
} Test;

static const char ERROR_MARK[] = "// error";

/* The next `// error:` or `// error@` in [p, end), or NULL. */
static const char *next_mark(const char *p, const char *end) {
    size_t mark = sizeof ERROR_MARK - 1;
    for (; p + mark < end; p++)
        if (memcmp(p, ERROR_MARK, mark) == 0 && (p[mark] == ':' || p[mark] == '@')) return p;
    return NULL;
}

/* Parses one `// error...` comment starting at p on line `line`. */
static void parse_expect(Test *t, const char *p, const char *end, int line) {
    const char *s = p + sizeof ERROR_MARK - 1;
    int at = line;
    if (*s == '@') {
        char *after;
        long n = strtol(s + 1, &after, 10);
        if (after == s + 1 || n <= 0 || n > 10000000) {
            buf_printf(&t->problems, "      line %d: '// error@' needs a line number\n", line);
            return;
        }
        at = (int)n;
        s = after;
    }
    if (s >= end || *s != ':') {
        buf_printf(&t->problems, "      line %d: expected ':' in '// error' comment\n", line);
        return;
    }
    s++;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    if (end - s < 5 || s[0] != 'E' || strspn(s + 1, "0123456789") < 4 ||
        (end - s > 5 && s[5] != ' ' && s[5] != '\t' && s[5] != '\r')) {
        buf_printf(&t->problems, "      line %d: '// error:' must be followed by a code like E0301\n", line);
        return;
    }
    Expect e = {.line = at, .written_on = line};
    memcpy(e.code, s, 5);
    s += 5;
    /* The text runs to the next expectation or the end of the line. */
    const char *text_end = next_mark(s, end);
    if (!text_end) text_end = end;
    while (s < text_end && (*s == ' ' || *s == '\t')) s++;
    while (text_end > s && (text_end[-1] == ' ' || text_end[-1] == '\t' || text_end[-1] == '\r'))
        text_end--;
    e.text = xstrndup(s, (size_t)(text_end - s));
    t->expects = xrealloc(t->expects, sizeof *t->expects * (size_t)(t->expect_count + 1));
    t->expects[t->expect_count++] = e;
}

/* `// flags: --a --b` on a line of its own. */
static void parse_flags(Test *t, const char *s, const char *end, int line) {
    while (s < end) {
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r')) s++;
        const char *w = s;
        while (s < end && *s != ' ' && *s != '\t' && *s != '\r') s++;
        if (s == w) break;
        if (t->flag_count == MAX_FLAGS) {
            buf_printf(&t->problems, "      line %d: too many flags\n", line);
            return;
        }
        t->flags[t->flag_count++] = xstrndup(w, (size_t)(s - w));
    }
}

/* Reads the expectations of a whole file. text may hold NUL bytes and invalid
 * UTF-8 (tests of E0001/E0002), so everything works on explicit lengths. */
static void parse_test(Test *t, const char *text, size_t len) {
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *s = p;
        while (s < eol && (*s == ' ' || *s == '\t')) s++;
        static const char FLAGS[] = "// flags:";
        if ((size_t)(eol - s) >= sizeof FLAGS - 1 && memcmp(s, FLAGS, sizeof FLAGS - 1) == 0)
            parse_flags(t, s + sizeof FLAGS - 1, eol, line);
        for (const char *m = next_mark(p, eol); m; m = next_mark(m + 1, eol))
            parse_expect(t, m, eol, line);
        p = eol + 1;
    }
}

/* ---- running loam check ---- */

typedef struct Run {
    int status;        /* wait status from waitpid */
    Buf err;           /* everything written on stderr */
} Run;

static bool run_check(const char *loam, const Test *t, const char *path, Run *run) {
    const char *argv[4 + MAX_FLAGS + 1];
    int argc = 0;
    argv[argc++] = loam;
    argv[argc++] = "check";
    argv[argc++] = "--diagnostics=json";
    for (int i = 0; i < t->flag_count; i++) argv[argc++] = t->flags[i];
    argv[argc++] = path;
    argv[argc] = NULL;

    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        /* The child: stderr into the pipe, stdout discarded. A pending alarm
         * survives execv, so a hanging checker dies of SIGALRM. */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        alarm(TIMEOUT_SECONDS);
        execv(loam, (char *const *)argv);
        fprintf(stderr, "check_runner: cannot run %s: %s\n", loam, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n > 0) buf_add(&run->err, chunk, (size_t)n);
        else if (n == 0 || errno != EINTR) break;
    }
    close(fds[0]);
    while (waitpid(pid, &run->status, 0) < 0)
        if (errno != EINTR) return false;
    if (!run->err.data) buf_add(&run->err, "", 0);
    return true;
}

/* ---- reading the JSON diagnostics ---- */

/* The fields of one diagnostic the runner needs. */
typedef struct Diag {
    char *file, *severity, *code, *message;
    int line;
    bool matched;
} Diag;

/* A scanner for one JSON object on one line: enough JSON to read the known
 * shape {"file":…,"line":…,…} and to skip the values it does not need. */
typedef struct Scan {
    const char *p, *end;
    bool bad;
} Scan;

static void skip_space(Scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r')) s->p++;
}

static bool expect_char(Scan *s, char c) {
    skip_space(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    s->bad = true;
    return false;
}

static void put_utf8(Buf *b, unsigned c) {
    char u[4];
    size_t n;
    if (c < 0x80) u[0] = (char)c, n = 1;
    else if (c < 0x800) u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f)), n = 2;
    else u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | (c >> 6 & 0x3f)),
         u[2] = (char)(0x80 | (c & 0x3f)), n = 3;
    buf_add(b, u, n);
}

/* A JSON string, decoded (a \u escape of a surrogate half is kept as is:
 * messages are only searched for ASCII text). Returns a malloc'd string. */
static char *scan_string(Scan *s) {
    Buf b = {0};
    buf_add(&b, "", 0);
    if (!expect_char(s, '"')) return b.data;
    while (s->p < s->end && *s->p != '"') {
        char c = *s->p++;
        if (c != '\\') {
            buf_add(&b, &c, 1);
            continue;
        }
        if (s->p >= s->end) break;
        c = *s->p++;
        switch (c) {
        case 'n': buf_add(&b, "\n", 1); break;
        case 't': buf_add(&b, "\t", 1); break;
        case 'r': buf_add(&b, "\r", 1); break;
        case 'b': buf_add(&b, "\b", 1); break;
        case 'f': buf_add(&b, "\f", 1); break;
        case 'u': {
            unsigned v = 0;
            for (int i = 0; i < 4; i++) {
                char h = s->p < s->end ? *s->p++ : 0;
                int d = h >= '0' && h <= '9' ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (d < 0) s->bad = true;
                v = v * 16 + (unsigned)(d < 0 ? 0 : d);
            }
            put_utf8(&b, v);
            break;
        }
        default: buf_add(&b, &c, 1); break;   /* \" \\ \/ */
        }
    }
    expect_char(s, '"');
    return b.data;
}

/* Skips any JSON value (string, number, literal, array, object). */
static void skip_value(Scan *s, int depth) {
    skip_space(s);
    if (s->p >= s->end || depth > 64) {
        s->bad = true;
        return;
    }
    char c = *s->p;
    if (c == '"') {
        free(scan_string(s));
    } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        s->p++;
        skip_space(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return;
        }
        while (!s->bad) {
            if (c == '{') {
                free(scan_string(s));
                expect_char(s, ':');
            }
            skip_value(s, depth + 1);
            skip_space(s);
            if (s->p < s->end && *s->p == ',') s->p++;
            else break;
        }
        expect_char(s, close);
    } else {
        const char *start = s->p;
        while (s->p < s->end && strchr(",]} \t\r", *s->p) == NULL) s->p++;
        if (s->p == start) s->bad = true;
    }
}

/* Parses one line of the JSON stream; false if it is not a diagnostic. */
static bool parse_diag(const char *line, size_t len, Diag *d) {
    Scan s = {line, line + len, false};
    *d = (Diag){0};
    d->line = -1;
    if (!expect_char(&s, '{')) return false;
    skip_space(&s);
    bool empty = s.p < s.end && *s.p == '}';
    while (!empty && !s.bad) {
        char *key = scan_string(&s);
        expect_char(&s, ':');
        skip_space(&s);
        char **field = strcmp(key, "file") == 0       ? &d->file
                     : strcmp(key, "severity") == 0   ? &d->severity
                     : strcmp(key, "code") == 0       ? &d->code
                     : strcmp(key, "message") == 0    ? &d->message
                     : NULL;
        if (field && !*field && s.p < s.end && *s.p == '"') {
            *field = scan_string(&s);
        } else if (strcmp(key, "line") == 0 && d->line < 0) {
            char *after;
            long n = strtol(s.p, &after, 10);
            if (after == s.p) s.bad = true;
            d->line = (int)n;
            s.p = after;
        } else {
            skip_value(&s, 0);
        }
        free(key);
        skip_space(&s);
        if (s.p < s.end && *s.p == ',') s.p++;
        else break;
    }
    expect_char(&s, '}');
    skip_space(&s);
    if (s.p != s.end) s.bad = true;
    return !s.bad && d->file && d->severity && d->code && d->message && d->line >= 0;
}

/* ---- comparing ---- */

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Can diagnostic d satisfy expectation e? */
static bool fits(const Expect *e, const Diag *d, const char *test_file) {
    return strcmp(d->severity, "error") == 0 && d->line == e->line &&
           strcmp(d->code, e->code) == 0 && strstr(d->message, e->text) != NULL &&
           strcmp(base_name(d->file), test_file) == 0;
}

/* Bipartite matching of expectations to diagnostics (Kuhn's augmenting
 * paths), so that an expectation with text never loses its only fitting
 * diagnostic to one without. owner[j] is the expectation matched to d[j]. */
static bool augment(int i, const Expect *e, const Diag *d, int nd, const char *file,
                    int *owner, bool *seen) {
    for (int j = 0; j < nd; j++) {
        if (seen[j] || !fits(&e[i], &d[j], file)) continue;
        seen[j] = true;
        if (owner[j] < 0 || augment(owner[j], e, d, nd, file, owner, seen)) {
            owner[j] = i;
            return true;
        }
    }
    return false;
}

static void describe_status(Buf *out, int status) {
    if (WIFEXITED(status)) buf_printf(out, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        buf_printf(out, "timed out after %d seconds", TIMEOUT_SECONDS);
    else if (WIFSIGNALED(status)) buf_printf(out, "killed by signal %d", WTERMSIG(status));
    else buf_printf(out, "wait status %#x", (unsigned)status);
}

/* Runs one test; returns true if it passed. Details go to `report`. */
static bool run_test(const char *loam, const char *dir, const char *file, Buf *report) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        buf_printf(report, "    cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    Test t = {0};
    parse_test(&t, text, len);
    free(text);
    bool ok = t.problems.len == 0;
    if (!ok) buf_printf(report, "    malformed test:\n%s", t.problems.data);

    Run run = {0};
    if (!run_check(loam, &t, path, &run)) {
        buf_printf(report, "    cannot run %s: %s\n", loam, strerror(errno));
        return false;
    }

    /* Split stderr into diagnostics and anything else. */
    Diag *diags = NULL;
    int nd = 0;
    Buf stray = {0};
    for (char *p = run.err.data, *end = p + run.err.len; p < end;) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if (eol > p) {
            Diag d;
            if (parse_diag(p, (size_t)(eol - p), &d)) {
                diags = xrealloc(diags, sizeof *diags * (size_t)(nd + 1));
                diags[nd++] = d;
            } else {
                free(d.file), free(d.severity), free(d.code), free(d.message);
                buf_printf(&stray, "      %.*s\n", (int)(eol - p > 300 ? 300 : eol - p), p);
            }
        }
        p = eol + 1;
    }

    int *owner = xrealloc(NULL, sizeof *owner * (size_t)(nd ? nd : 1));
    bool *seen = xrealloc(NULL, sizeof *seen * (size_t)(nd ? nd : 1));
    for (int j = 0; j < nd; j++) owner[j] = -1;
    bool *found = xrealloc(NULL, sizeof *found * (size_t)(t.expect_count ? t.expect_count : 1));
    for (int i = 0; i < t.expect_count; i++) {
        memset(seen, 0, sizeof *seen * (size_t)(nd ? nd : 1));
        found[i] = augment(i, t.expects, diags, nd, file, owner, seen);
    }

    for (int i = 0; i < t.expect_count; i++) {
        if (found[i]) continue;
        ok = false;
        const Expect *e = &t.expects[i];
        buf_printf(report, "    missing:    line %d: %s", e->line, e->code);
        if (e->text[0]) buf_printf(report, " containing \"%s\"", e->text);
        if (e->written_on != e->line) buf_printf(report, " (expected on line %d)", e->written_on);
        buf_printf(report, "\n");
    }
    for (int j = 0; j < nd; j++) {
        if (owner[j] >= 0 || strcmp(diags[j].severity, "error") != 0) continue;
        ok = false;
        bool here = strcmp(base_name(diags[j].file), file) == 0;
        buf_printf(report, "    unexpected: %s%sline %d: %s %s\n", here ? "" : diags[j].file,
                   here ? "" : ":", diags[j].line, diags[j].code, diags[j].message);
    }
    if (stray.len) {
        ok = false;
        buf_printf(report, "    not a JSON diagnostic on stderr:\n%s", stray.data);
    }
    int want = t.expect_count > 0 ? 1 : 0;
    if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != want) {
        ok = false;
        buf_printf(report, "    ");
        describe_status(report, run.status);
        buf_printf(report, ", expected exit status %d\n", want);
    }
    if (!ok) {
        buf_printf(report, "    command: %s check --diagnostics=json", loam);
        for (int i = 0; i < t.flag_count; i++) buf_printf(report, " %s", t.flags[i]);
        buf_printf(report, " %s\n", path);
    }

    for (int j = 0; j < nd; j++)
        free(diags[j].file), free(diags[j].severity), free(diags[j].code), free(diags[j].message);
    for (int i = 0; i < t.expect_count; i++) free(t.expects[i].text);
    for (int i = 0; i < t.flag_count; i++) free(t.flags[i]);
    free(diags), free(owner), free(seen), free(found), free(stray.data);
    free(t.expects), free(t.problems.data), free(run.err.data);
    return ok;
}

/* ---- the test list ---- */

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Is `file` selected by the NAME arguments (all files when there are none)? */
static bool selected(const char *file, int argc, char **argv) {
    if (argc <= 3) return true;
    size_t n = strlen(file) - strlen(".loam");
    for (int i = 3; i < argc; i++)
        if (strlen(argv[i]) == n && strncmp(argv[i], file, n) == 0) return true;
    return false;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: check_runner LOAM_BINARY TESTDIR [NAME...]\n");
        return 2;
    }
    const char *loam = argv[1], *dir = argv[2];
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "check_runner: cannot open %s: %s\n", dir, strerror(errno));
        return 2;
    }
    char **files = NULL;
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".loam")) continue;
        if (!selected(e->d_name, argc, argv)) continue;
        files = xrealloc(files, sizeof *files * (count + 1));
        files[count++] = xstrndup(e->d_name, strlen(e->d_name));
    }
    closedir(d);
    if (count > 0) qsort(files, count, sizeof *files, compare_names);

    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        Buf report = {0};
        bool ok = run_test(loam, dir, files[i], &report);
        printf("%s %.*s\n", ok ? "PASS" : "FAIL", (int)(strlen(files[i]) - strlen(".loam")), files[i]);
        if (report.len) fputs(report.data, stdout);
        fflush(stdout);
        ok ? passed++ : failed++;
        free(report.data);
        free(files[i]);
    }
    free(files);
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0 || count == 0 ? 1 : 0;
}

/* bind.c — binds the command line to the root task's parameters
 * (spec/kernel.md §3): `./image [--option ...] name=value ...`, one binding
 * per parameter, an `in [Blob]` taking a comma-separated list and/or
 * several bindings; arguments starting with `--` are kernel options.
 *
 * Everything is checked before anything is created: the first problem
 * prints one line on stderr and exits 2, and no file is written. Outputs
 * are only checked here (their paths must not exist); they are created in
 * the store while the tasks run and put at their paths at the end.
 */
#include "kernel.h"

typedef struct binder {
    const loam_task *task;
    const char *prog;           /* argv[0], for "run as" */
    const char *tool;           /* its last component, the message prefix */
} binder;

static const char *kind_name(uint8_t kind)
{
    static const char *const names[] = {
        [LOAM_P_INT] = "Int", [LOAM_P_FLOAT] = "Float", [LOAM_P_BOOL] = "Bool",
        [LOAM_P_STR] = "Str", [LOAM_P_IN] = "in Blob", [LOAM_P_OUT] = "out Blob",
        [LOAM_P_IN_LIST] = "in [Blob]",
    };
    return kind <= LOAM_P_IN_LIST ? names[kind] : "?";
}

static const char *placeholder(uint8_t kind)
{
    static const char *const names[] = {
        [LOAM_P_INT] = "INT", [LOAM_P_FLOAT] = "FLOAT", [LOAM_P_BOOL] = "true|false",
        [LOAM_P_STR] = "TEXT", [LOAM_P_IN] = "PATH", [LOAM_P_OUT] = "PATH",
        [LOAM_P_IN_LIST] = "PATH[,PATH...]",
    };
    return kind <= LOAM_P_IN_LIST ? names[kind] : "?";
}

static void usage(const binder *b, lk_line *l)
{
    lk_line_str(l, b->prog);
    for (int64_t i = 0; i < b->task->param_count; i++) {
        const loam_param *p = &b->task->params[i];
        lk_line_str(l, " ");
        lk_line_str(l, p->name);
        lk_line_str(l, "=");
        lk_line_str(l, placeholder(p->kind));
    }
}

/* Starts an error line: "TOOL: error: ". */
static void begin(const binder *b, lk_line *l)
{
    l->len = 0;
    lk_line_str(l, b->tool);
    lk_line_str(l, ": error: ");
}

/* Ends the line (with the usage when with_usage), prints it, exits 2. */
static _Noreturn void fail(const binder *b, lk_line *l, bool with_usage)
{
    if (with_usage) {
        lk_line_str(l, ": run as ");
        usage(b, l);
    }
    if (l->len == (int64_t)sizeof l->buf)
        l->len--;
    lk_line_str(l, "\n");
    plat_write(LK_STDERR, l->buf, l->len);
    plat_exit(LK_EXIT_USAGE);
}

/* "'name' (Kind)" */
static void param_ref(lk_line *l, const loam_param *p)
{
    lk_line_str(l, "'");
    lk_line_str(l, p->name);
    lk_line_str(l, "' (");
    lk_line_str(l, kind_name(p->kind));
    lk_line_str(l, ")");
}

/* Int: [+-]digits, in range of a 64-bit signed integer. */
static bool parse_int(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool lower_eq(const char *s, const char *lower)
{
    for (; *s && *lower; s++, lower++)
        if ((*s | 0x20) != *lower)
            return false;
    return *s == *lower;
}

/* Float: [+-](digits[.digits]|.digits)([eE][+-]digits), inf, infinity, nan.
 * Exact (correctly rounded) when the significant digits fit in 2^53 and the
 * decimal exponent is within ±22 — which covers the numbers people type;
 * otherwise within a few units in the last place.
 * TODO: use stdlib-min's correctly rounded parser once it exists. */
static bool parse_float(const char *s, double *out)
{
    static const double pow10[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
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
        if (*s == '.' && !dot) {
            dot = true;
        } else if (*s >= '0' && *s <= '9') {
            digits++;
            if (significant < 19) {
                mant = mant * 10 + (uint64_t)(*s - '0');
                if (mant)
                    significant++;
                if (dot)
                    exp--;
            } else if (!dot) {
                exp++;          /* digit dropped from the integer part */
            }
        } else {
            break;
        }
    }
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = *s == '-';
        if (*s == '-' || *s == '+')
            s++;
        if (*s < '0' || *s > '9')
            return false;
        int64_t e = 0;
        for (; *s >= '0' && *s <= '9'; s++)
            if (e < 100000)
                e = e * 10 + (*s - '0');
        exp += eneg ? -e : e;
    }
    if (*s)
        return false;
    double v = (double)mant;
    if (mant == 0) {
        /* zero, whatever the exponent */
    } else if (exp >= 0) {
        for (; exp > 22 && v < 1e308; exp -= 22)
            v *= 1e22;
        v *= exp <= 22 ? pow10[exp] : 1e22 * 1e22;  /* overflow: infinity */
    } else {
        for (; exp < -22 && v > 1e-300; exp += 22)
            v /= 1e22;
        v = exp >= -22 ? v / pow10[-exp] : 0.0;
    }
    *out = neg ? -v : v;
    return true;
}

static loam_do *input(const binder *b, const loam_param *p, const char *path, int64_t n)
{
    lk_line l;
    char *copy = lk_kalloc(n + 1);
    memcpy(copy, path, (size_t)n);
    loam_do *d = lk_kalloc(sizeof *d);
    d->mode = LK_DO_IN;
    d->param = p->name;
    d->path = copy;
    d->fd = -1;
    int err = plat_input_open(copy, &d->data, &d->len);
    if (!err) {
        d->state = LK_COMMITTED;
        lk_bytes_in += d->len;
        lk_do_name_input(d);
        lk_do_track_input(d);
    }
    if (err) {
        begin(b, &l);
        lk_line_str(&l, "cannot read input ");
        param_ref(&l, p);
        lk_line_str(&l, " from '");
        lk_line_str(&l, copy);
        lk_line_str(&l, "': ");
        lk_line_str(&l, plat_strerror(err));
        fail(b, &l, false);
    }
    return d;
}

/* in [Blob]: every binding of parameter pi, in command-line order, each a
 * comma-separated list; empty items are skipped (so `files=` is no file). */
static loam_dolist *input_list(const binder *b, int64_t pi, int argc, char **argv,
                               const int64_t *owner)
{
    const loam_param *p = &b->task->params[pi];
    int64_t count = 0;
    for (int i = 1; i < argc; i++)
        if (owner[i] == pi)
            for (const char *s = argv[i] + lk_strlen(p->name) + 1; *s; s++)
                if (*s != ',' && (s[1] == ',' || s[1] == 0))
                    count++;
    loam_dolist *list = lk_kalloc(sizeof *list);
    list->items = lk_kalloc((count + 1) * (int64_t)sizeof *list->items);
    for (int i = 1; i < argc; i++) {
        if (owner[i] != pi)
            continue;
        const char *s = argv[i] + lk_strlen(p->name) + 1;
        while (*s) {
            int64_t n = 0;
            while (s[n] && s[n] != ',')
                n++;
            if (n > 0)
                list->items[list->len++] = input(b, p, s, n);
            s += n + (s[n] == ',');
        }
    }
    return list;
}

static int64_t find_param(const loam_task *t, const char *name, int64_t n)
{
    for (int64_t i = 0; i < t->param_count; i++) {
        const char *p = t->params[i].name;
        if (lk_strlen(p) == n && memcmp(p, name, (size_t)n) == 0)
            return i;
    }
    return -1;
}

static const char *last_component(const char *path)
{
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/' && s[1])
            base = s + 1;
    return base;
}

static const char options_help[] =
    "kernel options (before or among the bindings):\n"
    "  --cores N     worker cores (default: every processor the image may use)\n"
    "  --store DIR   where committed data objects live (default: .loam/store)\n"
    "  --force       run every task, even those whose outputs are in the store\n"
    "  --verify      check the content hash of every object reused from the store\n"
    "  --trace FILE  write a Chrome trace-event JSON of the run to FILE\n"
    "  --pool BYTES  output buffer memory of the image (default: 64 MiB)\n"
    "  --task-pool BYTES  output buffers in flight per output (default: 256 KiB)\n";

/* Whether argv[*i] is a kernel option; consumes its value (the next
 * argument, or after '='). Fails with exit 2 on a bad one. */
static bool kernel_option(const binder *b, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (a[0] != '-' || a[1] != '-')
        return false;
    static const char *const names[] = {"--cores", "--store", "--force", "--verify",
                                        "--trace", "--pool", "--task-pool"};
    int64_t n = 0;
    while (a[n] && a[n] != '=')
        n++;
    int which = -1;
    for (int k = 0; k < 7; k++)
        if (lk_strlen(names[k]) == n && memcmp(names[k], a, (size_t)n) == 0)
            which = k;
    lk_line l;
    begin(b, &l);
    if (which < 0) {
        lk_line_str(&l, "unknown kernel option '");
        lk_line_mem(&l, a, n);
        lk_line_str(&l, "' (see --kernel-help)");
        fail(b, &l, false);
    }
    if (which == 2 || which == 3) {
        if (a[n]) {
            lk_line_str(&l, "kernel option '");
            lk_line_str(&l, names[which]);
            lk_line_str(&l, "' takes no value");
            fail(b, &l, false);
        }
        if (which == 2)
            lk_opt.force = true;
        else
            lk_opt.verify = true;
        return true;
    }
    const char *v;
    if (a[n]) {
        v = a + n + 1;
    } else if (*i + 1 < argc) {
        v = argv[++*i];
    } else {
        lk_line_str(&l, "kernel option '");
        lk_line_str(&l, names[which]);
        lk_line_str(&l, "' needs a value");
        fail(b, &l, false);
    }
    int64_t num = 0;
    if (which == 0 || which >= 5) {
        int64_t least = which == 0 ? 1 : which == 5 ? 1 << 20 : 1 << 16;
        if (!parse_int(v, &num) || num < least || (which == 0 && num > 256)) {
            lk_line_str(&l, which == 0   ? "'--cores' must be a whole number from 1 to 256, not '"
                            : which == 5 ? "'--pool' must be a number of bytes, at least 1048576, not '"
                                         : "'--task-pool' must be a number of bytes, at least 65536, not '");
            lk_line_str(&l, v);
            lk_line_str(&l, "'");
            fail(b, &l, false);
        }
    } else if (!*v) {
        lk_line_str(&l, "kernel option '");
        lk_line_str(&l, names[which]);
        lk_line_str(&l, "' needs a path");
        fail(b, &l, false);
    }
    switch (which) {
    case 0: lk_opt.cores = num; break;
    case 1: lk_opt.store = v; break;
    case 4: lk_opt.trace = v; break;
    case 5: lk_opt.pool_bytes = num; break;
    case 6: lk_opt.task_bytes = num; break;
    default: break;
    }
    return true;
}

void lk_bind(const loam_task *t, int argc, char **argv, loam_value *args)
{
    binder b = {.task = t, .prog = t->name, .tool = t->name};
    if (argc > 0 && argv[0] && argv[0][0]) {
        b.prog = argv[0];
        b.tool = last_component(argv[0]);
    }
    int64_t np = t->param_count;
    int64_t *owner = lk_kalloc((argc + 1) * (int64_t)sizeof *owner);
    for (int i = 0; i <= argc; i++)
        owner[i] = -1;          /* kernel options and their values */
    int64_t *count = lk_kalloc((np + 1) * (int64_t)sizeof *count);
    const char **value = lk_kalloc((np + 1) * (int64_t)sizeof *value);
    lk_line l;

    /* Pass 1: every argument names a parameter, at most once unless a list. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (lk_streq(a, "--help") || lk_streq(a, "-h") || lk_streq(a, "--kernel-help")) {
            l.len = 0;
            lk_line_str(&l, "usage: ");
            usage(&b, &l);
            lk_line_str(&l, "\n");
            plat_write(LK_STDOUT, l.buf, l.len);
            if (a[2] == 'k')    /* --help stays one line: scripts read it */
                plat_write(LK_STDOUT, options_help, sizeof options_help - 1);
            plat_exit(LK_EXIT_OK);
        }
        owner[i] = -1;
        if (kernel_option(&b, argc, argv, &i))
            continue;
        int64_t n = 0;
        while (a[n] && a[n] != '=')
            n++;
        begin(&b, &l);
        if (!a[n]) {
            lk_line_str(&l, "argument '");
            lk_line_str(&l, a);
            lk_line_str(&l, "' is not a binding NAME=VALUE");
            fail(&b, &l, true);
        }
        int64_t p = find_param(t, a, n);
        if (p < 0) {
            lk_line_str(&l, "task '");
            lk_line_str(&l, t->name);
            lk_line_str(&l, "' has no parameter '");
            lk_line_mem(&l, a, n);
            lk_line_str(&l, "'");
            fail(&b, &l, true);
        }
        if (count[p] > 0 && t->params[p].kind != LOAM_P_IN_LIST) {
            param_ref(&l, &t->params[p]);
            lk_line_str(&l, " is bound twice (only an 'in [Blob]' takes several)");
            fail(&b, &l, true);
        }
        owner[i] = p;
        count[p]++;
        value[p] = a + n + 1;
    }
    for (int64_t p = 0; p < np; p++) {
        if (count[p] == 0) {
            begin(&b, &l);
            lk_line_str(&l, "missing binding for ");
            param_ref(&l, &t->params[p]);
            fail(&b, &l, true);
        }
    }

    /* Pass 2: values parse, inputs are readable, outputs are new. */
    for (int64_t p = 0; p < np; p++) {
        const loam_param *par = &t->params[p];
        const char *v = value[p];
        begin(&b, &l);
        switch (par->kind) {
        case LOAM_P_INT:
            if (!parse_int(v, &args[p].i)) {
                param_ref(&l, par);
                lk_line_str(&l, " must be a whole number from -9223372036854775808 to "
                                "9223372036854775807, not '");
                lk_line_str(&l, v);
                lk_line_str(&l, "'");
                fail(&b, &l, false);
            }
            break;
        case LOAM_P_FLOAT:
            if (!parse_float(v, &args[p].f)) {
                param_ref(&l, par);
                lk_line_str(&l, " must be a number like 2.5 or -1e-3, not '");
                lk_line_str(&l, v);
                lk_line_str(&l, "'");
                fail(&b, &l, false);
            }
            break;
        case LOAM_P_BOOL:
            if (!lk_streq(v, "true") && !lk_streq(v, "false")) {
                param_ref(&l, par);
                lk_line_str(&l, " must be true or false, not '");
                lk_line_str(&l, v);
                lk_line_str(&l, "'");
                fail(&b, &l, false);
            }
            args[p].b = lk_streq(v, "true");
            break;
        case LOAM_P_STR:
            args[p].s = (loam_str){(const uint8_t *)v, lk_strlen(v)};
            break;
        case LOAM_P_IN:
            if (!*v) {
                param_ref(&l, par);
                lk_line_str(&l, " needs a path, as in ");
                lk_line_str(&l, par->name);
                lk_line_str(&l, "=PATH");
                fail(&b, &l, false);
            }
            args[p].blob = input(&b, par, v, lk_strlen(v));
            break;
        case LOAM_P_IN_LIST:
            args[p].blobs = input_list(&b, p, argc, argv, owner);
            break;
        case LOAM_P_OUT: {
            if (!*v) {
                param_ref(&l, par);
                lk_line_str(&l, " needs a path, as in ");
                lk_line_str(&l, par->name);
                lk_line_str(&l, "=PATH");
                fail(&b, &l, false);
            }
            for (int64_t q = 0; q < p; q++) {
                if (t->params[q].kind == LOAM_P_OUT && lk_streq(value[q], v)) {
                    lk_line_str(&l, "outputs '");
                    lk_line_str(&l, t->params[q].name);
                    lk_line_str(&l, "' and '");
                    lk_line_str(&l, par->name);
                    lk_line_str(&l, "' are both bound to '");
                    lk_line_str(&l, v);
                    lk_line_str(&l, "': give each output its own path");
                    fail(&b, &l, false);
                }
            }
            int err = plat_output_check(v);
            if (err) {
                lk_line_str(&l, "output ");
                param_ref(&l, par);
                if (err == LK_EXISTS) {
                    lk_line_str(&l, " would overwrite '");
                    lk_line_str(&l, v);
                    lk_line_str(&l, "', which already exists: remove it or choose another path");
                } else {
                    lk_line_str(&l, " cannot be created at '");
                    lk_line_str(&l, v);
                    lk_line_str(&l, "': ");
                    lk_line_str(&l, plat_strerror(err));
                }
                fail(&b, &l, false);
            }
            loam_do *d = lk_kalloc(sizeof *d);
            d->mode = LK_DO_OUT;
            d->param = par->name;
            d->path = v;
            d->fd = -1;
            lk_do_track_output(d);
            args[p].blob = d;
            break;
        }
        default:
            lk_line_str(&l, "internal error: parameter '");
            lk_line_str(&l, par->name);
            lk_line_str(&l, "' has an unknown kind");
            fail(&b, &l, false);
        }
    }
    /* Last: the trace file, the one thing created at binding time. */
    int err = lk_trace_begin();
    if (err) {
        begin(&b, &l);
        lk_line_str(&l, "cannot write the trace to '");
        lk_line_str(&l, lk_opt.trace);
        lk_line_str(&l, "': ");
        lk_line_str(&l, plat_strerror(err));
        fail(&b, &l, false);
    }
}

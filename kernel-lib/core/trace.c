/* trace.c — --trace FILE (spec/kernel.md §9): every thread of the kernel
 * records complete events (a task's run slice on a core, with how it
 * ended: yield, wait, pool, done, failed; the I/O thread's writes,
 * commits, discards and store look-ups) in its own buffer, without locks;
 * when the image ends, main.c writes them all as Chrome trace-event JSON
 * (loadable in Perfetto and chrome://tracing), one track per thread.
 *
 * Also the progress line: on a terminal, the I/O thread redraws one line
 * on stderr (tasks done/running/waiting, bytes out) while a run is long.
 */
#include "kernel.h"

enum { CHUNK_EVENTS = 4096, MAX_THREADS = 260 };

typedef struct trace_event {
    int64_t ts, dur;            /* nanoseconds since the start */
    const char *name;
    const char *what;           /* how a run ended, or an I/O kind */
    int64_t bytes;
} trace_event;

typedef struct trace_chunk {
    struct trace_chunk *next;
    int64_t used;
    trace_event ev[CHUNK_EVENTS];
} trace_chunk;

typedef struct trace_thread {
    const char *name;
    trace_chunk *first, *last;
} trace_thread;

static trace_thread threads[MAX_THREADS];
static int64_t nthreads;
static int64_t start_ns;
static __thread trace_thread *mine;
bool lk_tracing;

int lk_trace_begin(void)
{
    start_ns = plat_now_ns();
    if (!lk_opt.trace)
        return 0;
    int err = plat_trace_open(lk_opt.trace);
    if (!err)
        lk_tracing = true;
    return err;
}

void lk_trace_thread(const char *name)
{
    if (!lk_tracing)
        return;
    int64_t i = __atomic_fetch_add(&nthreads, 1, __ATOMIC_SEQ_CST);
    if (i >= MAX_THREADS)
        return;
    threads[i].name = name;
    mine = &threads[i];
}

int64_t lk_trace_now(void) { return lk_tracing ? plat_now_ns() : 0; }

static void record(const char *name, const char *what, int64_t t0, int64_t bytes)
{
    if (!mine)
        return;
    trace_chunk *c = mine->last;
    if (!c || c->used == CHUNK_EVENTS) {
        trace_chunk *n = plat_map(sizeof *n);
        if (!n)
            return;             /* the trace is best effort */
        if (c)
            c->next = n;
        else
            mine->first = n;
        mine->last = c = n;
    }
    int64_t now = plat_now_ns();
    c->ev[c->used++] = (trace_event){t0 - start_ns, now - t0, name, what, bytes};
}

void lk_trace_run(const char *task, const char *ended, int64_t t0)
{
    if (lk_tracing)
        record(task, ended, t0, -1);
}

void lk_trace_io(const char *what, loam_do *o, int64_t t0)
{
    if (lk_tracing)
        record(what, o ? o->param : "store", t0, o ? o->io_done : 0);
}

/* ---- writing the JSON ---- */

typedef struct out_buf {
    char b[1 << 16];
    int64_t n;
    int err;
} out_buf;

static void put(out_buf *o, const char *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (o->n == (int64_t)sizeof o->b) {
            if (!o->err)
                o->err = plat_trace_write(o->b, o->n);
            o->n = 0;
        }
        o->b[o->n++] = s[i];
    }
}

static void puts_(out_buf *o, const char *s) { put(o, s, lk_strlen(s)); }

static void put_json_str(out_buf *o, const char *s)
{
    put(o, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            put(o, "\\", 1);
        if ((unsigned char)*s >= 0x20)
            put(o, s, 1);
    }
    put(o, "\"", 1);
}

static void put_int(out_buf *o, int64_t v)
{
    lk_line l = {.len = 0};
    lk_line_int(&l, v);
    put(o, l.buf, l.len);
}

/* Microseconds with three decimals, from nanoseconds. */
static void put_us(out_buf *o, int64_t ns)
{
    put_int(o, ns / 1000);
    char frac[4] = {'.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10), (char)('0' + ns % 10)};
    put(o, frac, 4);
}

int lk_trace_end(void)
{
    if (!lk_tracing)
        return 0;
    out_buf *o = plat_map(sizeof *o);
    if (!o)
        return 12;
    puts_(o, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    bool first = true;
    int64_t n = nthreads < MAX_THREADS ? nthreads : MAX_THREADS;
    for (int64_t t = 0; t < n; t++) {
        puts_(o, first ? "" : ",\n");
        first = false;
        puts_(o, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":");
        put_int(o, t);
        puts_(o, ",\"args\":{\"name\":");
        put_json_str(o, threads[t].name);
        puts_(o, "}}");
        for (trace_chunk *c = threads[t].first; c; c = c->next) {
            for (int64_t i = 0; i < c->used; i++) {
                trace_event *e = &c->ev[i];
                puts_(o, ",\n{\"name\":");
                put_json_str(o, e->name);
                puts_(o, ",\"cat\":");
                put_json_str(o, e->bytes >= 0 ? "io" : "run");
                puts_(o, ",\"ph\":\"X\",\"pid\":1,\"tid\":");
                put_int(o, t);
                puts_(o, ",\"ts\":");
                put_us(o, e->ts);
                puts_(o, ",\"dur\":");
                put_us(o, e->dur);
                puts_(o, ",\"args\":{");
                puts_(o, e->bytes >= 0 ? "\"output\":" : "\"ended\":");
                put_json_str(o, e->what);
                if (e->bytes >= 0) {
                    puts_(o, ",\"bytes\":");
                    put_int(o, e->bytes);
                }
                puts_(o, "}}");
            }
        }
    }
    puts_(o, "\n]}\n");
    int err = o->err;
    if (!err && o->n > 0)
        err = plat_trace_write(o->b, o->n);
    int cerr = plat_trace_close();
    return err ? err : cerr;
}

/* sched.c — the cooperative scheduler of one core: tasks with their own
 * stacks (mapped, with a guard page below), a round-robin run queue, and a
 * user-space context switch. Nothing pre-empts a task: it runs until it
 * calls lk_yield (through __loam_yield, when its budget is spent) or ends.
 *
 * The scheduler loop runs on the boot stack; a yield is two switches (task
 * -> scheduler -> next task), which lets the scheduler unmap a finished
 * task's stack while it is not running on it.
 */
#include "kernel.h"

enum { STACK_SIZE = 8 << 20, GUARD_SIZE = 4096, CHUNK_HEADER = 16 };

enum task_state { TASK_RUNNABLE, TASK_DONE };

typedef struct lk_context {
    void *sp;                   /* saved stack pointer; the rest is on the stack */
} lk_context;

struct lk_chunk {
    lk_chunk *next;
    int64_t bytes;              /* whole mapping, header included */
};

struct lk_task {
    lk_context ctx;
    const char *name;
    void (*entry)(loam_value *args);
    loam_value *args;
    enum task_state state;
    uint8_t *stack;             /* mapping of STACK_SIZE, guard page first */
    lk_arena arena;
    lk_task *next;              /* run queue */
};

/* lk_switch(from, to): saves the callee-saved registers, the SSE control
 * word and the x87 control word (all preserved across calls by the SysV
 * ABI) on the current stack, stores the stack pointer in from->sp, and
 * resumes `to` from where it saved itself. A new task's stack is prepared
 * by task_stack_init to look like such a saved frame. */
void lk_switch(lk_context *from, lk_context *to);
__asm__(".text\n"
        ".globl lk_switch\n"
        ".type lk_switch, @function\n"
        "lk_switch:\n"
        "    push %rbp\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    sub $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    mov %rsp, (%rdi)\n"
        "    mov (%rsi), %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    add $8, %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size lk_switch, . - lk_switch\n");

static lk_context scheduler;    /* the boot stack, running lk_run */
static lk_task *current;        /* NULL outside task context */
static lk_task *queue_head, *queue_tail;
static lk_arena kernel_arena;

static void enqueue(lk_task *t)
{
    t->next = NULL;
    if (queue_tail)
        queue_tail->next = t;
    else
        queue_head = t;
    queue_tail = t;
}

static lk_task *dequeue(void)
{
    lk_task *t = queue_head;
    if (t) {
        queue_head = t->next;
        if (!queue_head)
            queue_tail = NULL;
    }
    return t;
}

/* Where a new task starts (reached by lk_switch's `ret`). */
static _Noreturn void task_main(void)
{
    current->entry(current->args);
    current->state = TASK_DONE;
    lk_switch(&current->ctx, &scheduler);
    __builtin_unreachable();
}

/* Lays out a frame that lk_switch pops: control words, six registers,
 * return address task_main; then a zero "return address" so that task_main
 * starts with the stack alignment of a called function (rsp % 16 == 8). */
static void task_stack_init(lk_task *t)
{
    uint64_t *top = (uint64_t *)(t->stack + STACK_SIZE);
    top[-1] = 0;
    top[-2] = (uint64_t)(uintptr_t)task_main;
    for (int i = 3; i <= 8; i++)
        top[-i] = 0;            /* rbp rbx r12 r13 r14 r15 */
    top[-9] = 0x1f80 | (uint64_t)0x037f << 32;  /* default MXCSR, x87 CW */
    t->ctx.sp = &top[-9];
}

lk_task *lk_spawn(const char *name, void (*entry)(loam_value *args), loam_value *args)
{
    lk_task *t = lk_kalloc(sizeof *t);
    t->stack = plat_map(STACK_SIZE);
    if (!t->stack || plat_guard(t->stack, GUARD_SIZE) != 0)
        return NULL;
    t->name = name;
    t->entry = entry;
    t->args = args;
    t->state = TASK_RUNNABLE;
    task_stack_init(t);
    enqueue(t);
    return t;
}

void lk_yield(void)
{
    lk_switch(&current->ctx, &scheduler);
}

bool lk_stack_guard_hit(uintptr_t addr)
{
    /* Reads two words of the task: safe from a signal handler. */
    return current && addr - (uintptr_t)current->stack < GUARD_SIZE;
}

lk_arena *lk_current_arena(void) { return current ? &current->arena : &kernel_arena; }

const char *lk_current_task_name(void) { return current ? current->name : "kernel"; }

uint8_t *lk_arena_chunk(lk_arena *a, int64_t bytes, bool bump)
{
    int64_t total = (bytes + CHUNK_HEADER + 4095) & ~(int64_t)4095;
    lk_chunk *c = plat_map(total);
    if (!c)
        return NULL;
    c->bytes = total;
    c->next = a->chunks;
    a->chunks = c;
    uint8_t *p = (uint8_t *)c + CHUNK_HEADER;
    if (bump) {
        a->next = p;
        a->end = (uint8_t *)c + total;
    }
    return p;
}

/* A finished task's memory goes back to the system. */
static void reap(lk_task *t)
{
    for (lk_chunk *c = t->arena.chunks, *next; c; c = next) {
        next = c->next;
        plat_unmap(c, c->bytes);
    }
    t->arena = (lk_arena){0};
    plat_unmap(t->stack, STACK_SIZE);
    t->stack = NULL;
}

void lk_run(lk_task *root)
{
    while (root->state != TASK_DONE) {
        lk_task *t = dequeue();
        if (!t)
            break;              /* cannot happen: root is runnable */
        current = t;
        __loam_budget = LK_BUDGET;
        lk_switch(&scheduler, &t->ctx);
        current = NULL;
        if (t->state == TASK_DONE)
            reap(t);
        else
            enqueue(t);
    }
    /* The image ends with its root task; tasks still runnable are
     * abandoned (v0 has no outputs but the root's). */
}

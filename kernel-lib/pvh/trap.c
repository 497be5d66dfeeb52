/* trap.c — CPU exceptions in the μVM. Nothing is ever interrupted on
 * purpose (interrupts stay disabled). Each of the 32 exception vectors
 * pushes its number and runs pvh_exception on a stack of its own (IST 1 of
 * the TSS: a fault on a task's guard page must not push onto that page).
 * The one exception that returns is a page fault on lazy memory that
 * mem.c backs with a page (the stub saves and restores the caller-saved
 * and SSE registers around the C handler, then `iretq`). Any other is a
 * bug or a stack overflow, and panics like a Loam panic — console flushed,
 * one line on stderr naming the vector, RIP and fault address, outputs
 * discarded, status 101.
 */
#include "pvh.h"

enum { EXCEPTION_STACK = 32 << 10, TSS_SELECTOR = 0x18, CODE_SELECTOR = 0x08 };

extern uint64_t pvh_gdt[5];

static struct __attribute__((packed)) {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} tss;

typedef struct __attribute__((packed)) gate {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
} gate;

static gate idt[32];
static __attribute__((aligned(16))) uint8_t exception_stack[EXCEPTION_STACK];

/* What the stubs leave on the exception stack. */
typedef struct trap_frame {
    uint64_t vector, error;     /* error is 0 for vectors without a code */
    uint64_t rip, cs, rflags, rsp, ss;
} trap_frame;

/* 32 stubs, 16 bytes apart: vectors 8, 10-14, 17, 21, 29 and 30 come with
 * an error code from the CPU, the others push a zero in its place. */
#define STUB(n) ".balign 16\npush $0\npush $" #n "\njmp pvh_trap_common\n"
#define STUB_E(n) ".balign 16\npush $" #n "\njmp pvh_trap_common\n"
__asm__(".text\n"
        ".balign 16\n"
        "pvh_trap_stubs:\n"
        STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7)
        STUB_E(8) STUB(9) STUB_E(10) STUB_E(11) STUB_E(12) STUB_E(13) STUB_E(14) STUB(15)
        STUB(16) STUB_E(17) STUB(18) STUB(19) STUB(20) STUB_E(21) STUB(22) STUB(23)
        STUB(24) STUB(25) STUB(26) STUB(27) STUB(28) STUB_E(29) STUB_E(30) STUB(31)
        "pvh_trap_common:\n"
        "    push %rbp\n"
        "    mov %rsp, %rbp\n"
        "    push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
        "    push %r8\n push %r9\n push %r10\n push %r11\n"
        "    sub $512, %rsp\n"
        "    and $-16, %rsp\n"
        "    fxsave (%rsp)\n"
        "    lea 8(%rbp), %rdi\n"                   /* the trap_frame */
        "    call pvh_exception\n"                  /* returns only if handled */
        "    fxrstor (%rsp)\n"
        "    lea -72(%rbp), %rsp\n"
        "    pop %r11\n pop %r10\n pop %r9\n pop %r8\n"
        "    pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
        "    pop %rbp\n"
        "    add $16, %rsp\n"                       /* vector, error code */
        "    iretq\n");
extern const uint8_t pvh_trap_stubs[];

static const char *const names[32] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
    "bound range exceeded", "invalid opcode", "device not available", "double fault",
    "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection fault", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
    "virtualization exception", "control protection", "reserved", "reserved", "reserved",
    "reserved", "reserved", "reserved", "hypervisor injection", "VMM communication",
    "security exception", "reserved",
};

static void put_hex(lk_line *l, uint64_t v)
{
    char digits[18] = "0x";
    int n = 0;
    char tmp[16];
    do
        tmp[n++] = "0123456789abcdef"[v & 15];
    while ((v >>= 4) != 0);
    for (int i = 0; i < n; i++)
        digits[2 + i] = tmp[n - 1 - i];
    lk_line_mem(l, digits, 2 + n);
}

/* Returns only when the fault is resolved (lazy memory backed). */
void pvh_exception(const trap_frame *f);
void pvh_exception(const trap_frame *f)
{
    static bool handling;
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    if (f->vector == 14 && !handling && pvh_mem_fault(cr2))
        return;
    if (handling) {
        static const char msg[] = "loam: internal error: CPU exception while handling one\n";
        pvh_serial_write(LK_STDERR, msg, sizeof msg - 1);
        pvh_exit(LK_EXIT_PANIC);
    }
    handling = true;
    if (f->vector == 14 && lk_stack_guard_hit(cr2))
        __loam_panic(lk_current_task_name(), "stack overflow");
    if (f->vector == 14 && pvh_mem_out_of_pages(cr2))
        __loam_panic(lk_current_task_name(), "out of memory");
    lk_line l = {.len = 0};
    lk_line_str(&l, "CPU exception ");
    lk_line_int(&l, (int64_t)f->vector);
    lk_line_str(&l, " (");
    lk_line_str(&l, names[f->vector & 31]);
    lk_line_str(&l, ") at rip ");
    put_hex(&l, f->rip);
    if (f->vector == 14) {
        lk_line_str(&l, ", fault address ");
        put_hex(&l, cr2);
    }
    if (f->error) {
        lk_line_str(&l, ", error code ");
        put_hex(&l, f->error);
    }
    l.buf[l.len < (int64_t)sizeof l.buf ? l.len : (int64_t)sizeof l.buf - 1] = 0;
    __loam_panic(lk_current_task_name(), l.buf);
}

void pvh_traps_init(void)
{
    tss.ist[0] = (uint64_t)(uintptr_t)(exception_stack + EXCEPTION_STACK);
    tss.iomap_base = sizeof tss;
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    pvh_gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | (uint64_t)0x89 << 40 |
                 ((base >> 24) & 0xff) << 56;
    pvh_gdt[4] = base >> 32;
    __asm__ volatile("ltr %w0" ::"r"(TSS_SELECTOR));
    for (int i = 0; i < 32; i++) {
        uint64_t at = (uint64_t)(uintptr_t)(pvh_trap_stubs + 16 * i);
        idt[i] = (gate){
            .offset_low = (uint16_t)at, .selector = CODE_SELECTOR, .ist = 1, .type = 0x8e,
            .offset_mid = (uint16_t)(at >> 16), .offset_high = (uint32_t)(at >> 32),
        };
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } pointer = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(pointer));
}

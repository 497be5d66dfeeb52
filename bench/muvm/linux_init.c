/* linux_init.c — /init of the Linux guest in bench/muvm: the same job as
 * the hello μVM (one line on the serial console, then exit through
 * isa-debug-exit with status 0, which QEMU reports as 3). Static, no libc:
 * raw system calls. Build: clang-16 -static -nostdlib -O2 -o init linux_init.c
 */
static long syscall3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

void _start(void)
{
    static const char line[] = "hello from linux\n";
    syscall3(1, 1, (long)line, sizeof line - 1);        /* write(1, …) */
    syscall3(173, 0xf4, 4, 1);                          /* ioperm(0xf4, 4, on) */
    __asm__ volatile("outl %0, %1" ::"a"(1), "Nd"((unsigned short)0xf4));
    for (;;)
        syscall3(60, 0, 0, 0);                          /* exit: never reached */
}

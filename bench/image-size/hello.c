/* hello.c — the C counterpart of hello.loam, linked with gcc -static. */
#include <stdio.h>

int main(void) {
    printf("hello from loam\n");
    return 0;
}

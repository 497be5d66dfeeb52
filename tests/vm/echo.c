/* echo(text: in Blob, copy: out Blob) — tests/runtime's echo as a μVM: an
 * input in, the same bytes out, through every buffer size. */
#include "task_vm.h"
#include "../runtime/echo.c"

VM_MANIFEST("task echo root\nparam text in Blob\nparam copy out Blob\n");

/* state.c - the one writable global of the VM server: every mutable byte of VM
 * lives in this struct, so the harness can snapshot and restore it with memcpy. */
#include "vm.h"

struct vm_state vm;

/* vm_exec.h - what VM_EXEC_NEWMEM reads from its caller (PM) and answers: the sizes of
 * the new image, and the reply's flag bits.  Fixed-width, VM's own layout (MINIX 3.1
 * passed a struct exec_newmem of its own). */
#ifndef VMFUZZ_VM_EXEC_H
#define VMFUZZ_VM_EXEC_H

#include <stdint.h>

/* At args in the caller, args_len == sizeof(struct vm_exec_newmem) bytes. */
struct vm_exec_newmem {
	uint32_t text_bytes;  /* text at TEXT_VADDR (0: none) */
	uint32_t data_bytes;  /* initialised data, right above the text */
	uint32_t bss_bytes;   /* zeroed data after it (data + bss > 0: the heap brk grows) */
	uint32_t stack_bytes; /* the stack below STACK_TOP (> 0) */
	uint32_t args_bytes;  /* what the caller will copy below stack_top (<= stack_bytes) */
};
_Static_assert(sizeof(struct vm_exec_newmem) == 20, "vm_exec_newmem layout");

/* Reply flags (u.exec_newmem.flags). */
#define VMEN_LOAD_TEXT 0x1 /* the caller loads the text: VM never shares it */

#endif

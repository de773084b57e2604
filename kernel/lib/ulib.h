/* ulib.h - the user-side library of ring-3 programs: IPC and kernel-call traps,
 * console output, and VM client calls.  Every int function returns VM_OK or a
 * negative errno. */
#ifndef KERNEL_ULIB_H
#define KERNEL_ULIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include "ipc.h"
#include "abi.h"

/* ---- ipc.c: IPC primitives ---- */
int ipc_send(endpoint_t dst, message *m);
int ipc_sendnb(endpoint_t dst, message *m);
/* Receive from src or ANY; *status (may be NULL) gets IPC_FLG_* bits. */
int ipc_receive(endpoint_t src, message *m, uint32_t *status);
/* Send m to dst and wait for dst's reply in m. */
int ipc_sendrec(endpoint_t dst, message *m);
int ipc_notify(endpoint_t dst);
/* Raw kernel call: eax = nr, five arguments; *out (may be NULL) gets edx. */
int kcall(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t *out);
__attribute__((noreturn)) void sys_shutdown(int status);

/* ---- print.c: console ---- */
void uputs(const char *s);
/* Formatted as format.c does (%d %u %x %s %c, widths, l and ll). */
void uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- format.c: the formatter ---- */
/* Format fmt with ap, one character at a time through put(arg, c): %d %u %x %s %c %%,
 * a width (zero-padded when it starts with 0), the l and ll modifiers. */
void vformat(void (*put)(void *arg, char c), void *arg, const char *fmt, va_list ap);
/* C's snprintf and vsnprintf over that subset: the length the whole output takes;
 * buf gets what fits, always NUL-terminated when size > 0. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- vmclient.c: VM calls (sendrec to VM; the reply's m_type is the result) ---- */
int vm_call(int type, message *m);
int vm_brk(uint32_t addr);

#endif

/* stdio.h - what the shared harness files (harness/input.h, runner.c, findings.c, the
 * oracles) take from stdio in the agent's freestanding build: the FILE type, so
 * input.h's printer prototypes parse (the agent never prints through FILE), and
 * snprintf / vsnprintf over the subset oracle.h promises, from kernel/lib/format.c. */
#ifndef GUEST_STDIO_H
#define GUEST_STDIO_H

#include <stdarg.h>
#include <stddef.h>

typedef struct guest_no_file FILE;

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif

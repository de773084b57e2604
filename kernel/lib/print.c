/* print.c - console output of ring-3 programs through the print kernel call; the
 * formatting is format.c's. */
#include <stdarg.h>
#include "ulib.h"

struct pbuf { char b[160]; uint32_t n; };

static void flush(struct pbuf *p)
{
	if (p->n)
		kcall(KC_PRINT, (uint32_t)p->b, p->n, 0, 0, 0, NULL);
	p->n = 0;
}

/* vformat's sink: one character into the line buffer, flushed when full. */
static void put(void *arg, char c)
{
	struct pbuf *p = arg;

	if (p->n == sizeof(p->b))
		flush(p);
	p->b[p->n++] = c;
}

void uprintf(const char *fmt, ...)
{
	struct pbuf p;
	va_list ap;

	p.n = 0;
	va_start(ap, fmt);
	vformat(put, &p, fmt, ap);
	va_end(ap);
	flush(&p);
}

void uputs(const char *s)
{
	uprintf("%s", s);
}

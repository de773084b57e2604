/* print.c - console output of ring-3 programs through the print kernel call. */
#include <stdarg.h>
#include "ulib.h"

struct pbuf { char b[160]; uint32_t n; };

static void flush(struct pbuf *p)
{
	if (p->n)
		kcall(KC_PRINT, (uint32_t)p->b, p->n, 0, 0, 0, NULL);
	p->n = 0;
}

static void put(struct pbuf *p, char c)
{
	if (p->n == sizeof(p->b))
		flush(p);
	p->b[p->n++] = c;
}

/* v in base, at least width digits (zero-padded). */
static void put_num(struct pbuf *p, uint32_t v, uint32_t base, int width)
{
	char t[12];
	int n = 0;

	do {
		t[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width && n < 12)
		t[n++] = '0';
	while (n)
		put(p, t[--n]);
}

void uprintf(const char *fmt, ...)
{
	struct pbuf p;
	va_list ap;

	p.n = 0;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0;
		if (*fmt != '%' || !fmt[1]) {
			put(&p, *fmt);
			continue;
		}
		while (fmt[1] >= '0' && fmt[1] <= '9') /* "%08x": a zero-padded width */
			width = width * 10 + (*++fmt - '0');
		switch (*++fmt) {
		case 'd': {
			int32_t v = va_arg(ap, int32_t);
			if (v < 0)
				put(&p, '-');
			put_num(&p, v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10, width);
			break;
		}
		case 'u': put_num(&p, va_arg(ap, uint32_t), 10, width); break;
		case 'x': put_num(&p, va_arg(ap, uint32_t), 16, width); break;
		case 'c': put(&p, (char)va_arg(ap, int)); break;
		case 's':
			for (const char *s = va_arg(ap, const char *); *s; s++)
				put(&p, *s);
			break;
		default: put(&p, *fmt); break;
		}
	}
	va_end(ap);
	flush(&p);
}

void uputs(const char *s)
{
	uprintf("%s", s);
}

/* format.c - the one printf-style formatter of ring-3 programs, behind uprintf
 * (print.c) and snprintf / vsnprintf (the guest agent's harness code).
 *
 * Conversions: %d %u %x %s %c and %%; an optional width of digits, zero-padded when
 * it starts with 0 ("%08x"), space-padded otherwise; the l and ll modifiers (%lu,
 * %llx, %lld: long is 32 bits here, long long 64).  Anything else is copied as is. */
#include <stdarg.h>
#include "ulib.h"

struct spec {
	int width;
	char pad;  /* '0' or ' ' */
	int longs; /* number of 'l' modifiers */
};

/* *v /= base (at most 16), returning the remainder: long division 16 bits at a time,
 * so no 64-bit division helper (__udivdi3) is needed in programs without the
 * compiler's runtime library. */
static uint32_t divmod(uint64_t *v, uint32_t base)
{
	uint64_t q = 0;
	uint32_t r = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t cur = (r << 16) | (uint32_t)((*v >> shift) & 0xFFFF);
		q = (q << 16) | (cur / base);
		r = cur % base;
	}
	*v = q;
	return r;
}

/* Emit v in base (10 or 16) after a minus sign when neg, padded to the spec's width. */
static void emit_num(void (*put)(void *, char), void *arg, uint64_t v, uint32_t base, int neg,
		     const struct spec *sp)
{
	char t[24];
	int n = 0, len;

	do
		t[n++] = "0123456789abcdef"[divmod(&v, base)];
	while (v);
	len = n + neg;
	if (neg && sp->pad == '0')
		put(arg, '-');
	for (; len < sp->width; len++)
		put(arg, sp->pad);
	if (neg && sp->pad != '0')
		put(arg, '-');
	while (n)
		put(arg, t[--n]);
}

/* Read the flags, width and length modifiers after '%'; returns the conversion. */
static const char *parse_spec(const char *f, struct spec *sp)
{
	sp->width = 0;
	sp->pad = ' ';
	sp->longs = 0;
	if (*f == '0')
		sp->pad = '0';
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	while (*f == 'l' && sp->longs < 2)
		f++, sp->longs++;
	return f;
}

/* One conversion c with its argument from ap. */
static void emit_conv(void (*put)(void *, char), void *arg, char c, const struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'd': {
		int64_t v = sp->longs == 2 ? va_arg(*ap, long long) : sp->longs ? va_arg(*ap, long) : va_arg(*ap, int);
		emit_num(put, arg, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, sp);
		break;
	}
	case 'u':
	case 'x': {
		uint64_t v = sp->longs == 2 ? va_arg(*ap, unsigned long long)
			   : sp->longs ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
		emit_num(put, arg, v, c == 'x' ? 16 : 10, 0, sp);
		break;
	}
	case 'c':
		put(arg, (char)va_arg(*ap, int));
		break;
	case 's':
		for (const char *s = va_arg(*ap, const char *); s && *s; s++)
			put(arg, *s);
		break;
	default:
		put(arg, c);
		break;
	}
}

void vformat(void (*put)(void *, char), void *arg, const char *fmt, va_list ap)
{
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			put(arg, *fmt);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		emit_conv(put, arg, *fmt, &sp, &aq);
	}
	va_end(aq);
}

/* ---- snprintf: into a buffer, cut to fit, always terminated when size > 0 ---- */
struct sink {
	char *buf;
	size_t size, n; /* n: characters the whole output takes */
};

static void sink_put(void *arg, char c)
{
	struct sink *s = arg;

	if (s->n + 1 < s->size)
		s->buf[s->n] = c;
	s->n++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { buf, size, 0 };

	vformat(sink_put, &s, fmt, ap);
	if (size)
		buf[s.n < size ? s.n : size - 1] = '\0';
	return (int)s.n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* util.c - console output without libc. */
#include <stdarg.h>
#include "vm.h"

/* Append the decimal or hexadecimal text of v to buf at *pos (bounded by cap). */
static void put_num(char *buf, uint32_t *pos, uint32_t cap, uint32_t v, int base, int neg)
{
	char tmp[12];
	int n = 0;

	if (neg && *pos < cap)
		buf[(*pos)++] = '-';
	do {
		tmp[n++] = "0123456789abcdef"[v % (uint32_t)base];
		v /= (uint32_t)base;
	} while (v);
	while (n && *pos < cap)
		buf[(*pos)++] = tmp[--n];
}

/* Format fmt (%d %u %x %s %%) into a line and hand it to the console. */
void vm_log(const char *fmt, ...)
{
	char buf[160];
	uint32_t pos = 0, cap = sizeof(buf) - 1;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt && pos < cap; fmt++) {
		if (*fmt != '%') {
			buf[pos++] = *fmt;
			continue;
		}
		switch (*++fmt) {
		case 'd': {
			int32_t v = va_arg(ap, int32_t);
			put_num(buf, &pos, cap, v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10, v < 0);
			break;
		}
		case 'u': put_num(buf, &pos, cap, va_arg(ap, uint32_t), 10, 0); break;
		case 'x': put_num(buf, &pos, cap, va_arg(ap, uint32_t), 16, 0); break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (s && *s && pos < cap)
				buf[pos++] = *s++;
			break;
		}
		case '\0': fmt--; break;
		default: buf[pos++] = *fmt; break;
		}
	}
	va_end(ap);
	buf[pos] = '\0';
	seam_puts(buf);
}

/* serial.c - the COM1 console (115200 8N1, polled) and a tiny formatter. */
#include <stdarg.h>
#include "kernel.h"

#define COM1 0x3F8

/* Program COM1: 115200 baud, 8 data bits, no parity, one stop bit, FIFO on. */
void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* divisor 1 = 115200 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xC7); /* FIFO */
	outb(COM1 + 4, 0x03);
}

static void serial_putc(char c)
{
	while ((inb(COM1 + 5) & 0x20) == 0)
		;
	outb(COM1, (uint8_t)c);
}

void kputn(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void kputs(const char *s)
{
	while (*s)
		kputn(s++, 1);
}

/* Print v in base (10 or 16), at least width digits padded with pad. */
static void put_num(uint32_t v, uint32_t base, int width, char pad)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width && n < 12)
		buf[n++] = pad;
	while (n)
		kputn(&buf[--n], 1);
}

static void kvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			kputn(fmt, 1);
			continue;
		}
		char pad = ' ';
		int width = 0;
		if (*++fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 'd': {
			int32_t v = va_arg(ap, int32_t);
			if (v < 0) {
				kputn("-", 1);
				put_num(0u - (uint32_t)v, 10, width, pad);
			} else {
				put_num((uint32_t)v, 10, width, pad);
			}
			break;
		}
		case 'u': put_num(va_arg(ap, uint32_t), 10, width, pad); break;
		case 'x': put_num(va_arg(ap, uint32_t), 16, width, pad); break;
		case 's': kputs(va_arg(ap, const char *)); break;
		case 'c': { char c = (char)va_arg(ap, int); kputn(&c, 1); break; }
		case '\0': return;
		default: kputn(fmt, 1); break;
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

/* Print "KERNEL PANIC: <message>" and shut down with failure. */
void kpanic(const char *fmt, ...)
{
	va_list ap;

	cli();
	kputs("\nKERNEL PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	shutdown(1);
}

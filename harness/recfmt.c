/* recfmt.c - the canonical text line of one record (the printer half of the text
 * form, harness/text.c), apart from text.c because it needs no FILE and no parser: the
 * runner traces with it in the hosted harness and in the guest agent alike, so it is
 * freestanding (string.h and the snprintf subset of oracle.h). */
#include <stdarg.h>
#include <stdio.h>
#include "input.h"

const char *const sel_kind_word[4] = { "live", "stale", "fresh", "task" };
const char *const sel_special_word[3] = { "any", "none", "self" };

/* A cursor into the caller's buffer: appends are cut to fit and stay terminated. */
struct sb {
	char *p;
	size_t left;
};

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p, b->left, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->left)
		n = b->left ? (int)b->left - 1 : 0;
	b->p += n;
	b->left -= (size_t)n;
}

static void sb_unsigned(struct sb *b, uint64_t v)
{
	if (v < 10)
		sb_add(b, "%llu", (unsigned long long)v);
	else
		sb_add(b, "0x%llx", (unsigned long long)v);
}

static void sb_ep(struct sb *b, const struct ep_sel *e)
{
	if (e->kind == EPS_RAW)
		sb_add(b, "%d", e->raw);
	else if (e->kind == EPS_SPECIAL)
		sb_add(b, "%s", sel_special_word[e->arg % 3]);
	else
		sb_add(b, "%s:%u", sel_kind_word[e->kind], e->arg);
}

static void sb_addr(struct sb *b, const struct addr_sel *a)
{
	if (a->kind == ADS_RAW) {
		sb_unsigned(b, a->value);
		return;
	}
	sb_add(b, "region:%u.%u", a->proc, a->region);
	int32_t off = (int32_t)a->value;
	if (off > 0) {
		sb_add(b, "+");
		sb_unsigned(b, (uint32_t)off);
	} else if (off < 0) {
		sb_add(b, "-");
		sb_unsigned(b, -(int64_t)off);
	}
}

static void sb_field(struct sb *b, const struct field_desc *fd, const struct field_val *v)
{
	sb_add(b, " %s=", fd->name);
	switch (fd->kind) {
	case FK_ENDPOINT:
	case FK_SLOT:
		sb_ep(b, &v->ep);
		break;
	case FK_ADDR:
		sb_addr(b, &v->ad);
		break;
	case FK_INT:
	case FK_SUBCODE:
		sb_add(b, "%d", (int32_t)v->raw);
		break;
	default:
		sb_unsigned(b, v->raw);
	}
}

static void sb_msg(struct sb *b, const struct rec *r)
{
	sb_add(b, "msg from=");
	sb_ep(b, &r->ep);
	if (r->call < 0) {
		sb_add(b, " type=0x%x", r->raw_type);
	} else {
		const struct call_desc *cd = &call_table[r->call];
		sb_add(b, " %s", cd->name);
		for (int i = 0; i < cd->nfields; i++)
			if (field_is_in(&cd->fields[i]))
				sb_field(b, &cd->fields[i], &r->f[i]);
	}
	if (r->expect != EXP_UNCHECKED)
		sb_add(b, " => %s", expect_name(r->expect));
}

void rec_format(const struct conv *c, const struct rec *r, char *buf, size_t len)
{
	struct sb b = { buf, len };
	(void)c;
	buf[0] = 0;
	switch (r->kind) {
	case REC_MSG:
		sb_msg(&b, r);
		break;
	case REC_FAULT:
		sb_add(&b, "fault %s nth=%u %s", fault_site_name[r->site], r->nth,
		       r->mode == FM_ONCE ? "once" : "from");
		break;
	case REC_ACCESS:
		sb_add(&b, "%s proc=", r->write ? "write" : "read");
		sb_ep(&b, &r->ep);
		sb_add(&b, " addr=");
		sb_addr(&b, &r->addr);
		if (r->write) {
			sb_add(&b, " value=");
			sb_unsigned(&b, r->value);
		}
		break;
	case REC_NOTIFY:
		sb_add(&b, "notify from=");
		sb_ep(&b, &r->ep);
		break;
	case REC_KPF:
		sb_add(&b, "kpf proc=");
		sb_ep(&b, &r->ep);
		sb_add(&b, " addr=");
		sb_addr(&b, &r->addr);
		sb_add(&b, " flags=");
		sb_unsigned(&b, r->value);
		if (r->forged)
			sb_add(&b, " forged");
		break;
	}
}

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

const char *conv_name(const struct conv *c, uint32_t i, char *buf, size_t len)
{
	if (c && i < NAMES_MAX && c->names[i][0])
		snprintf(buf, len, "%s", c->names[i]);
	else
		snprintf(buf, len, "v%u", i);
	return buf;
}

static void sb_name(struct sb *b, const struct conv *c, uint32_t i)
{
	char n[NAME_LEN + 8];
	sb_add(b, "@%s", conv_name(c, i, n, sizeof n));
}

static void sb_ep(struct sb *b, const struct conv *c, const struct ep_sel *e)
{
	if (e->kind == EPS_NAMED)
		sb_name(b, c, e->arg);
	else if (e->kind == EPS_FREE)
		sb_add(b, "free:%u", e->arg);
	else if (e->kind == EPS_RAW)
		sb_add(b, "%d", e->raw);
	else if (e->kind == EPS_SPECIAL)
		sb_add(b, "%s", sel_special_word[e->arg % 3]);
	else
		sb_add(b, "%s:%u", sel_kind_word[e->kind], e->arg);
}

static void sb_addr(struct sb *b, const struct conv *c, const struct addr_sel *a)
{
	if (a->kind == ADS_RAW) {
		sb_unsigned(b, a->value);
		return;
	}
	if (a->kind == ADS_NAMED)
		sb_name(b, c, a->name);
	else
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

static void sb_field(struct sb *b, const struct conv *c, const struct field_desc *fd, const struct field_val *v)
{
	sb_add(b, " %s=", fd->name);
	switch (fd->kind) {
	case FK_ENDPOINT:
	case FK_SLOT:
		sb_ep(b, c, &v->ep);
		break;
	case FK_ADDR:
		sb_addr(b, c, &v->ad);
		break;
	case FK_INT:
	case FK_SUBCODE:
		sb_add(b, "%d", (int32_t)v->raw);
		break;
	default:
		sb_unsigned(b, v->raw);
	}
}

/* A MSG's " => CODE|CODE field=V field=@name" (nothing when it checks nothing). */
static void sb_msg_expect(struct sb *b, const struct conv *c, const struct rec *r)
{
	const char *sep = " ";
	if (!r->expect && !r->noc)
		return;
	sb_add(b, " =>");
	for (int e = 0; e < EXP_COUNT; e++)
		if (r->expect & EXP_BIT(e)) {
			sb_add(b, "%s%s", sep, expect_name(e));
			sep = "|";
		}
	for (uint32_t i = 0; i < r->noc && r->call >= 0; i++) {
		const struct out_check *oc = &r->oc[i];
		sb_add(b, " %s=", call_table[r->call].fields[oc->field].name);
		if (oc->op == OX_BIND)
			sb_name(b, c, oc->name);
		else
			sb_unsigned(b, oc->value);
	}
}

static void sb_msg(struct sb *b, const struct conv *c, const struct rec *r)
{
	sb_add(b, "msg from=");
	sb_ep(b, c, &r->ep);
	if (r->call < 0) {
		sb_add(b, " type=0x%x", r->raw_type);
	} else {
		const struct call_desc *cd = &call_table[r->call];
		sb_add(b, " %s", cd->name);
		for (int i = 0; i < cd->nfields; i++)
			if (field_is_in(&cd->fields[i]))
				sb_field(b, c, &cd->fields[i], &r->f[i]);
	}
	sb_msg_expect(b, c, r);
}

/* An ACCESS's " => 0x11", " => OK", " => FAULT", " => KILLED". */
static void sb_access_expect(struct sb *b, const struct rec *r)
{
	static const char *const word[AX_KINDS] = { "", "OK", "", "FAULT", "KILLED" };
	if (r->aexp == AX_VALUE)
		sb_add(b, " => 0x%x", r->aval);
	else if (r->aexp != AX_NONE && r->aexp < AX_KINDS)
		sb_add(b, " => %s", word[r->aexp]);
}

void rec_format_repeat(const struct rec *r, char *buf, size_t len)
{
	struct sb b = { buf, len };
	buf[0] = 0;
	sb_add(&b, "repeat %u", r->count);
	if (r->step) {
		sb_add(&b, " step=");
		sb_unsigned(&b, r->step);
	}
	if (r->sel)
		sb_add(&b, " sel=%u", r->sel);
	sb_add(&b, " {");
}

void rec_format(const struct conv *c, const struct rec *r, char *buf, size_t len)
{
	struct sb b = { buf, len };
	buf[0] = 0;
	switch (r->kind) {
	case REC_MSG:
		sb_msg(&b, c, r);
		break;
	case REC_CHECK:
		sb_add(&b, "check %s=", r->check < CHK_KINDS ? check_name[r->check] : "?");
		if (r->check == CHK_ALIVE || r->check == CHK_DEAD)
			sb_ep(&b, c, &r->ep);
		else
			sb_add(&b, "baseline");
		break;
	case REC_REPEAT:
		sb_add(&b, "}");
		break;
	case REC_FAULT:
		sb_add(&b, "fault %s nth=%u %s", fault_site_name[r->site], r->nth,
		       r->mode == FM_ONCE ? "once" : "from");
		break;
	case REC_ACCESS:
		sb_add(&b, "%s proc=", r->write ? "write" : "read");
		sb_ep(&b, c, &r->ep);
		sb_add(&b, " addr=");
		sb_addr(&b, c, &r->addr);
		if (r->write) {
			sb_add(&b, " value=");
			sb_unsigned(&b, r->value);
		}
		sb_access_expect(&b, r);
		break;
	case REC_VFS:
		sb_add(&b, "vfs result=");
		if (code_name(r->vres))
			sb_add(&b, "%s", code_name(r->vres));
		else
			sb_add(&b, "%d", r->vres);
		sb_add(&b, " size=");
		sb_unsigned(&b, r->vsize);
		sb_add(&b, " dev=");
		sb_unsigned(&b, r->vdev);
		sb_add(&b, " ino=");
		sb_unsigned(&b, r->vino);
		sb_add(&b, " fd=");
		sb_unsigned(&b, r->vfd);
		break;
	case REC_NOTIFY:
		sb_add(&b, "notify from=");
		sb_ep(&b, c, &r->ep);
		break;
	case REC_KPF:
		sb_add(&b, "kpf proc=");
		sb_ep(&b, c, &r->ep);
		sb_add(&b, " addr=");
		sb_addr(&b, c, &r->addr);
		sb_add(&b, " flags=");
		sb_unsigned(&b, r->value);
		if (r->forged)
			sb_add(&b, " forged");
		break;
	}
}

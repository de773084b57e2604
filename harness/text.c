/* text.c - the text form of a conversation: one record per line, '#' starts a comment.
 *
 *   header sanity=3 flags=failsends
 *   msg from=live:3 VM_MMAP offset=0 addr=0 len=0x2000 prot=3 flags=0x1002 fd=-1 forwhom=self => OK
 *   msg from=live:0 type=0xc04 => ENOSYS
 *   fault pt_page nth=2 once
 *   read proc=live:4 addr=region:4.0+0x10
 *   write proc=live:4 addr=region:4.0+0x10 value=0x1234
 *   notify from=task:1
 *   kpf proc=live:4 addr=0x8049000 flags=0x6 [forged]
 *
 * Endpoints: live:K stale:K fresh:K task:K (K < 32), any, none, self, or an integer.
 * Addresses: region:P.J[+-OFF] (P < 8, J < 16) or an integer.  Numbers: C syntax or a
 * protocol constant (MAP_ANON), joined with '|'.  The printer is canonical: every IN
 * field in table order, small numbers in decimal, others in hex. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input.h"

/* ---- Printing (one record's line: recfmt.c) ---- */
void conv_print(const struct conv *c, uint32_t upto, FILE *out)
{
	char line[1024];
	if (c->sanity || c->flags) {
		fprintf(out, "header sanity=%u flags=%s\n", c->sanity,
			c->flags & HF_FAIL_SENDS ? "failsends" : "0");
	}
	for (uint32_t i = 0; i < c->n && i < upto; i++) {
		rec_format(c, &c->r[i], line, sizeof line);
		fprintf(out, "%s\n", line);
	}
}

/* ---- Parsing ---- */
#define MAX_TOKENS 32
struct line {
	char *tok[MAX_TOKENS];
	int n;
	char *err;
	size_t errlen;
	int lineno;
};

static int fail(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(l->err, l->errlen, "%d: ", l->lineno);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < l->errlen)
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A single number: C integer syntax or a protocol constant name. */
static int parse_atom(const char *s, int64_t *v)
{
	char *end;
	if (const_by_name(s, v))
		return 0;
	if (!*s)
		return -1;
	if (*s == '-')
		*v = strtoll(s, &end, 0);
	else
		*v = (int64_t)strtoull(s, &end, 0);
	return *end ? -1 : 0;
}

/* A number, possibly several atoms joined by '|'. */
static int parse_num(const char *s, int64_t *v)
{
	char buf[128];
	*v = 0;
	while (*s) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);
		int64_t a;
		if (n >= sizeof buf)
			return -1;
		memcpy(buf, s, n);
		buf[n] = 0;
		if (parse_atom(buf, &a))
			return -1;
		*v |= a;
		s += n + (bar ? 1 : 0);
		if (bar && !*s)
			return -1;
	}
	return 0;
}

/* A 32-bit value: signed or unsigned range accepted, stored as its bit pattern. */
static int parse_u32(const char *s, uint32_t *v)
{
	int64_t x;
	if (parse_num(s, &x) || x < INT32_MIN || x > (int64_t)UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int parse_arg(const char *s, uint8_t *arg)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < 0 || v > 31)
		return -1;
	*arg = (uint8_t)v;
	return 0;
}

static int parse_ep(const char *s, struct ep_sel *e)
{
	memset(e, 0, sizeof *e);
	for (int k = 0; k < 4; k++) {
		size_t n = strlen(sel_kind_word[k]);
		if (strncmp(s, sel_kind_word[k], n) == 0 && s[n] == ':') {
			e->kind = (uint8_t)k;
			return parse_arg(s + n + 1, &e->arg);
		}
	}
	for (int k = 0; k < 3; k++)
		if (strcmp(s, sel_special_word[k]) == 0) {
			e->kind = EPS_SPECIAL;
			e->arg = (uint8_t)k;
			return 0;
		}
	uint32_t v;
	if (parse_u32(s, &v))
		return -1;
	e->kind = EPS_RAW;
	e->raw = (int32_t)v;
	return 0;
}

/* region:P.J, region:P.J+OFF, region:P.J-OFF, or a raw number. */
static int parse_addr(const char *s, struct addr_sel *a)
{
	memset(a, 0, sizeof *a);
	if (strncmp(s, "region:", 7) != 0)
		return parse_u32(s, &a->value);
	char *end;
	long p = strtol(s + 7, &end, 10);
	if (end == s + 7 || *end != '.' || p < 0 || p > 7)
		return -1;
	const char *js = end + 1;
	long j = strtol(js, &end, 10);
	if (end == js || j < 0 || j > 15)
		return -1;
	a->kind = ADS_REGION;
	a->proc = (uint8_t)p;
	a->region = (uint8_t)j;
	if (!*end)
		return 0;
	if (*end != '+' && *end != '-')
		return -1;
	int64_t off, max = *end == '-' ? 0x80000000ll : 0x7FFFFFFFll;
	if (parse_num(end + 1, &off) || off < 0 || off > max)
		return -1;
	a->value = (uint32_t)(*end == '-' ? -off : off);
	return 0;
}

/* The value of key=value token t when its key is k, else NULL. */
static const char *kv(const char *t, const char *k)
{
	size_t n = strlen(k);
	return strncmp(t, k, n) == 0 && t[n] == '=' ? t + n + 1 : NULL;
}

static int parse_field(struct line *l, const struct call_desc *cd, struct rec *r, const char *t,
		       uint32_t *seen)
{
	const char *eq = strchr(t, '=');
	if (!eq)
		return fail(l, "expected field=value, got '%s'", t);
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (strlen(fd->name) != (size_t)(eq - t) || strncmp(fd->name, t, (size_t)(eq - t)))
			continue;
		if (!field_is_in(fd))
			return fail(l, "%s.%s is a reply field", cd->name, fd->name);
		if (*seen & (1u << i))
			return fail(l, "field %s given twice", fd->name);
		*seen |= 1u << i;
		const char *v = eq + 1;
		int bad;
		int64_t x;
		if (fd->kind == FK_ENDPOINT || fd->kind == FK_SLOT)
			bad = parse_ep(v, &r->f[i].ep);
		else if (fd->kind == FK_ADDR)
			bad = parse_addr(v, &r->f[i].ad);
		else if (fd->size == 8)
			bad = parse_num(v, &x), r->f[i].raw = (uint64_t)x;
		else {
			uint32_t u = 0;
			bad = parse_u32(v, &u);
			r->f[i].raw = u;
		}
		return bad ? fail(l, "bad value for %s: '%s'", fd->name, v) : 0;
	}
	return fail(l, "%s has no field '%.*s'", cd->name, (int)(eq - t), t);
}

static int parse_expect(struct line *l, int i, struct rec *r)
{
	if (i + 2 != l->n)
		return fail(l, "'=>' must be followed by exactly one reply code");
	const char *s = l->tok[i + 1];
	for (int e = 0; e < EXP_COUNT; e++)
		if (strcmp(expect_name(e), s) == 0) {
			r->expect = (int16_t)e;
			return 0;
		}
	return fail(l, "unknown reply code '%s'", s);
}

static int parse_msg(struct line *l, struct rec *r)
{
	const char *v;
	if (l->n < 3 || !(v = kv(l->tok[1], "from")))
		return fail(l, "usage: msg from=EP VM_CALL field=value... [=> CODE]");
	r->kind = REC_MSG;
	if (parse_ep(v, &r->ep))
		return fail(l, "bad endpoint '%s'", v);
	if ((v = kv(l->tok[2], "type"))) {
		r->call = -1;
		if (parse_u32(v, &r->raw_type))
			return fail(l, "bad type '%s'", v);
	} else if ((r->call = (int16_t)call_by_name(l->tok[2])) < 0) {
		return fail(l, "unknown call '%s'", l->tok[2]);
	}
	uint32_t seen = 0;
	for (int i = 3; i < l->n; i++) {
		if (strcmp(l->tok[i], "=>") == 0)
			return parse_expect(l, i, r);
		if (r->call < 0)
			return fail(l, "a raw type takes no fields");
		if (parse_field(l, &call_table[r->call], r, l->tok[i], &seen))
			return -1;
	}
	return 0;
}

static int parse_fault(struct line *l, struct rec *r)
{
	const char *v;
	int64_t nth;
	if (l->n != 4 || !(v = kv(l->tok[2], "nth")))
		return fail(l, "usage: fault SITE nth=N once|from");
	r->kind = REC_FAULT;
	for (r->site = 0; r->site < FS_COUNT; r->site++)
		if (strcmp(fault_site_name[r->site], l->tok[1]) == 0)
			break;
	if (r->site == FS_COUNT)
		return fail(l, "unknown fault site '%s'", l->tok[1]);
	if (parse_num(v, &nth) || nth < 1 || nth > 65536)
		return fail(l, "nth must be 1..65536");
	r->nth = (uint32_t)nth;
	if (strcmp(l->tok[3], "once") && strcmp(l->tok[3], "from"))
		return fail(l, "mode must be 'once' or 'from'");
	r->mode = strcmp(l->tok[3], "once") ? FM_FROM : FM_ONCE;
	return 0;
}

/* read/write/kpf: proc=EP addr=ADDR, then value=/flags= and 'forged'. */
static int parse_access(struct line *l, struct rec *r, int kind)
{
	const char *v, *w;
	const char *usage = kind == REC_KPF ? "usage: kpf proc=EP addr=ADDR flags=N [forged]"
					    : r->write ? "usage: write proc=EP addr=ADDR value=N"
						       : "usage: read proc=EP addr=ADDR";
	int want = kind == REC_KPF ? 4 : r->write ? 4 : 3;
	if (kind == REC_KPF && l->n == 5 && strcmp(l->tok[4], "forged") == 0)
		r->forged = 1;
	else if (l->n != want)
		return fail(l, "%s", usage);
	if (!(v = kv(l->tok[1], "proc")) || !(w = kv(l->tok[2], "addr")))
		return fail(l, "%s", usage);
	r->kind = (uint8_t)kind;
	if (parse_ep(v, &r->ep))
		return fail(l, "bad endpoint '%s'", v);
	if (parse_addr(w, &r->addr))
		return fail(l, "bad address '%s'", w);
	if (want == 4) {
		const char *key = kind == REC_KPF ? "flags" : "value";
		if (!(v = kv(l->tok[3], key)) || parse_u32(v, &r->value))
			return fail(l, "%s", usage);
	}
	return 0;
}

static int parse_header(struct line *l, struct conv *c)
{
	const char *v;
	int64_t x;
	for (int i = 1; i < l->n; i++) {
		if ((v = kv(l->tok[i], "sanity"))) {
			if (parse_num(v, &x) || x < 0 || x > 3)
				return fail(l, "sanity must be 0..3");
			c->sanity = (uint8_t)x;
		} else if ((v = kv(l->tok[i], "flags"))) {
			if (strcmp(v, "failsends") == 0)
				x = HF_FAIL_SENDS;
			else if (parse_num(v, &x) || x < 0 || (x & ~(int64_t)HF_KNOWN))
				return fail(l, "unknown flags '%s'", v);
			c->flags = (uint8_t)x;
		} else {
			return fail(l, "usage: header sanity=N flags=failsends|0");
		}
	}
	return 0;
}

/* Split one line (modified in place) into tokens; '#' ends it. */
static int tokenize(struct line *l, char *s)
{
	l->n = 0;
	char *hash = strchr(s, '#');
	if (hash)
		*hash = 0;
	for (char *t = strtok(s, " \t\r"); t; t = strtok(NULL, " \t\r")) {
		if (l->n == MAX_TOKENS)
			return fail(l, "too many tokens");
		l->tok[l->n++] = t;
	}
	return 0;
}

static int parse_line(struct line *l, struct conv *c)
{
	const char *w = l->tok[0];
	if (strcmp(w, "header") == 0)
		return parse_header(l, c);
	if (c->n == CONV_MAX_RECORDS)
		return fail(l, "more than %d records", CONV_MAX_RECORDS);
	struct rec *r = &c->r[c->n];
	memset(r, 0, sizeof *r);
	r->expect = EXP_UNCHECKED;
	int rc;
	if (strcmp(w, "msg") == 0)
		rc = parse_msg(l, r);
	else if (strcmp(w, "fault") == 0)
		rc = parse_fault(l, r);
	else if (strcmp(w, "read") == 0 || strcmp(w, "write") == 0)
		r->write = (w[0] == 'w'), rc = parse_access(l, r, REC_ACCESS);
	else if (strcmp(w, "kpf") == 0)
		rc = parse_access(l, r, REC_KPF);
	else if (strcmp(w, "notify") == 0) {
		const char *v = l->n == 2 ? kv(l->tok[1], "from") : NULL;
		r->kind = REC_NOTIFY;
		rc = !v ? fail(l, "usage: notify from=EP")
			: parse_ep(v, &r->ep) ? fail(l, "bad endpoint '%s'", v) : 0;
	} else
		rc = fail(l, "unknown record '%s'", w);
	if (rc == 0)
		c->n++;
	return rc;
}

int conv_parse(const char *text, struct conv *c, char *err, size_t errlen)
{
	return conv_parse_lines(text, c, err, errlen, NULL);
}

int conv_parse_lines(const char *text, struct conv *c, char *err, size_t errlen, int *line)
{
	struct line l = { .err = err, .errlen = errlen };
	char buf[4096];
	memset(c, 0, sizeof *c);
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		l.lineno++;
		if (n >= sizeof buf)
			return fail(&l, "line too long");
		memcpy(buf, text, n);
		buf[n] = 0;
		text += n + (nl ? 1 : 0);
		for (char *p = buf; *p; p++)
			if (!isprint((unsigned char)*p) && *p != '\t' && *p != '\r')
				return fail(&l, "non-text byte 0x%02x", (unsigned char)*p);
		if (tokenize(&l, buf))
			return -1;
		if (line && l.n && strcmp(l.tok[0], "header") && c->n < CONV_MAX_RECORDS)
			line[c->n] = l.lineno;
		if (l.n && parse_line(&l, c))
			return -1;
	}
	return 0;
}

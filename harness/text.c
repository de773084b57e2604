/* text.c - the text form of a conversation: one record per line, '#' starts a comment.
 *
 *   header sanity=3 budget=8192 flags=failsends
 *   msg from=live:3 VM_MMAP offset=0 addr=0 len=0x2000 prot=3 flags=0x1002 fd=-1 forwhom=self => OK
 *   msg from=live:0 type=0xc06 => ENOSYS
 *   fault pt_page nth=2 once
 *   read proc=live:4 addr=region:4.0+0x10
 *   write proc=live:4 addr=region:4.0+0x10 value=0x1234
 *   notify from=task:1
 *   kpf proc=live:4 addr=0x8049000 flags=0x6 [forged]
 *   msg from=live:0 VM_FORK parent=live:4 slot=fresh:0 => OK child=@c1   (binds @c1)
 *   msg from=live:4 VM_MUNMAP addr=0x1001 len=0 => EFAULT|EINVAL          (a set)
 *   read proc=@c1 addr=region:4.1 => 0x11111111    (or => OK, FAULT, KILLED)
 *   check alive=@c1     check dead=@c1     check free_pages=baseline
 *   vfs result=OK size=2 dev=5 ino=77 fd=9          (VFS answers VM's last request)
 *   repeat 1000 step=0x1000 sel=1 {
 *   	...records...
 *   }
 *
 * Endpoints: live:K stale:K fresh:K free:K task:K (K < 32), any, none, self, @NAME (also
 * live:@NAME), or an integer.  Addresses: region:P.J[+-OFF] (P < 8, J < 16),
 * @NAME[+-OFF], or an integer.  Numbers: C syntax or a protocol constant (MAP_ANON),
 * joined with '|'.  A name is bound by "FIELD=@NAME" after a MSG's "=>" to that reply
 * field (names are numbered in order of first appearance).  The printer is canonical:
 * every IN field in table order, small numbers in decimal, others in hex, a REPEAT
 * body indented by a tab. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input.h"

/* ---- Printing (one record's line: recfmt.c) ---- */
/* The REPEAT record whose body holds record i, or c->n. */
static uint32_t repeat_of(const struct conv *c, uint32_t i)
{
	for (uint32_t k = i; k < c->n; k++)
		if (c->r[k].kind == REC_REPEAT)
			return repeat_start(c, k) <= i ? k : c->n;
	return c->n;
}

void conv_print(const struct conv *c, uint32_t upto, FILE *out)
{
	char line[1024];
	uint32_t end = upto > c->n ? c->n : upto, open = c->n;
	if (c->sanity || c->flags || c->budget) {
		fprintf(out, "header sanity=%u", c->sanity);
		if (c->budget)
			fprintf(out, " budget=%u", conv_repeat_budget(c));
		fprintf(out, " flags=%s\n", c->flags & HF_FAIL_SENDS ? "failsends" : "0");
	}
	if (end > 0 && (open = repeat_of(c, end - 1)) < c->n)
		end = open + 1;
	open = c->n;
	for (uint32_t i = 0; i < end; i++) {
		uint32_t k = repeat_of(c, i);
		if (k < c->n && k != i && k != open) {
			rec_format_repeat(&c->r[k], line, sizeof line);
			fprintf(out, "%s\n", line);
			open = k;
		}
		rec_format(c, &c->r[i], line, sizeof line);
		fprintf(out, "%s%s\n", k < c->n && k != i ? "\t" : "", line);
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
	struct conv *c;     /* the conversation being parsed (names) */
	uint32_t vnames;    /* names used unspelled (@vN) */
	int in_repeat;      /* a "repeat N {" is open */
	uint32_t rep_start; /* its first record */
	struct rec rep;     /* its REPEAT record, written at "}" */
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

/* The index of name s (after '@'), given the next free one on first use; -1 when
 * it is no valid name or every index is taken. */
static int name_index(struct line *l, const char *s)
{
	char *end;
	if (s[0] == 'v' && s[1] >= '0' && s[1] <= '9') { /* vN: name N, unspelled */
		long i = strtol(s + 1, &end, 10);
		if (*end || i >= NAMES_MAX || l->c->names[i][0])
			return -1;
		l->vnames |= 1u << i;
		return (int)i;
	}
	if (strlen(s) > NAME_LEN || !name_valid(s))
		return -1;
	for (int i = 0; i < NAMES_MAX; i++)
		if (!strcmp(l->c->names[i], s))
			return i;
	for (int i = 0; i < NAMES_MAX; i++)
		if (!l->c->names[i][0] && !(l->vnames & (1u << i))) {
			snprintf(l->c->names[i], sizeof l->c->names[i], "%s", s);
			return i;
		}
	return -1;
}

/* A name with an optional +OFF or -OFF ("@buf+0x10"): its index and the offset. */
static int parse_named(struct line *l, const char *s, uint8_t *idx, uint32_t *off)
{
	char buf[64];
	size_t n = strcspn(s, "+-");
	int64_t x = 0;
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	int i = name_index(l, buf);
	if (i < 0)
		return -1;
	*idx = (uint8_t)i;
	*off = 0;
	if (!s[n])
		return 0;
	if (parse_num(s + n + 1, &x) || x < 0 || x > (s[n] == '-' ? 0x80000000ll : 0x7FFFFFFFll))
		return -1;
	*off = (uint32_t)(s[n] == '-' ? -x : x);
	return 0;
}

static int parse_ep(struct line *l, const char *s, struct ep_sel *e)
{
	memset(e, 0, sizeof *e);
	if (!strncmp(s, "live:@", 6))
		s += 5;
	if (*s == '@') {
		int i = strchr(s, '+') || strchr(s, '-') ? -1 : name_index(l, s + 1);
		e->kind = EPS_NAMED;
		e->arg = (uint8_t)i;
		return i < 0 ? -1 : 0;
	}
	if (!strncmp(s, "free:", 5)) {
		e->kind = EPS_FREE;
		return parse_arg(s + 5, &e->arg);
	}
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

/* region:P.J, region:P.J+OFF, region:P.J-OFF, @NAME[+-OFF], or a raw number. */
static int parse_addr(struct line *l, const char *s, struct addr_sel *a)
{
	memset(a, 0, sizeof *a);
	if (*s == '@') {
		a->kind = ADS_NAMED;
		return parse_named(l, s + 1, &a->name, &a->value);
	}
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
			bad = parse_ep(l, v, &r->f[i].ep);
		else if (fd->kind == FK_ADDR)
			bad = parse_addr(l, v, &r->f[i].ad);
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

/* One reply code set "OK|EINVAL" into r->expect. */
static int parse_codes(struct line *l, const char *s, struct rec *r)
{
	char buf[64];
	while (*s) {
		size_t n = strcspn(s, "|");
		int e = 0;
		if (n >= sizeof buf)
			return fail(l, "unknown reply code '%s'", s);
		memcpy(buf, s, n);
		buf[n] = 0;
		while (e < EXP_COUNT && strcmp(expect_name(e), buf))
			e++;
		if (e == EXP_COUNT)
			return fail(l, "unknown reply code '%s'", buf);
		r->expect |= EXP_BIT(e);
		s += n + (s[n] == '|');
	}
	return 0;
}

/* A reply field check "field=V" or bind "field=@NAME" of MSG r. */
static int parse_out_check(struct line *l, const char *t, struct rec *r)
{
	const char *eq = strchr(t, '=');
	const struct call_desc *cd = r->call >= 0 ? &call_table[r->call] : NULL;
	int f = 0;
	if (!eq || !cd)
		return fail(l, "after '=>': CODE[|CODE...] then field=VALUE or field=@NAME");
	while (f < cd->nfields && (strlen(cd->fields[f].name) != (size_t)(eq - t) ||
				   strncmp(cd->fields[f].name, t, (size_t)(eq - t))))
		f++;
	if (f == cd->nfields)
		return fail(l, "%s has no field '%.*s'", cd->name, (int)(eq - t), t);
	if (r->noc == OUT_CHECKS_MAX)
		return fail(l, "more than %d field checks", OUT_CHECKS_MAX);
	struct out_check *oc = &r->oc[r->noc];
	memset(oc, 0, sizeof *oc);
	oc->field = (uint8_t)f;
	if (eq[1] == '@') {
		int i = name_index(l, eq + 2);
		if (i < 0)
			return fail(l, "bad name '%s' (a letter, then letters, digits or '_'; at most %d)", eq + 1,
				    NAMES_MAX);
		oc->op = OX_BIND;
		oc->name = (uint8_t)i;
	} else {
		int64_t x;
		uint64_t mask = cd->fields[f].size == 8 ? ~0ull : 0xffffffffull;
		if (parse_num(eq + 1, &x) || (mask != ~0ull && (x < INT32_MIN || x > (int64_t)UINT32_MAX)))
			return fail(l, "bad value for %s: '%s'", cd->fields[f].name, eq + 1);
		oc->op = OX_EQ;
		oc->value = (uint64_t)x & mask;
	}
	r->noc++;
	return 0;
}

/* "=> CODES field=V..." of a MSG: the tokens from i on. */
static int parse_expect(struct line *l, int i, struct rec *r)
{
	if (i + 1 >= l->n)
		return fail(l, "'=>' must be followed by reply codes or field checks");
	i++;
	if (!strchr(l->tok[i], '=') && parse_codes(l, l->tok[i++], r))
		return -1;
	for (; i < l->n; i++)
		if (parse_out_check(l, l->tok[i], r))
			return -1;
	return 0;
}

/* "=> 0xV", "=> OK", "=> FAULT", "=> KILLED" of an ACCESS. */
static int parse_access_expect(struct line *l, int i, struct rec *r)
{
	static const char *const word[AX_KINDS] = { "", "OK", "", "FAULT", "KILLED" };
	if (i + 2 != l->n)
		return fail(l, "'=>' after an access takes one of: a value, OK, FAULT, KILLED");
	for (int k = 1; k < AX_KINDS; k++)
		if (word[k][0] && !strcmp(l->tok[i + 1], word[k])) {
			r->aexp = (uint8_t)k;
			return 0;
		}
	if (r->write || parse_u32(l->tok[i + 1], &r->aval))
		return fail(l, "'=>' after %s takes %s, not '%s'", r->write ? "a write" : "a read",
			    r->write ? "OK, FAULT or KILLED" : "a value, OK, FAULT or KILLED", l->tok[i + 1]);
	r->aexp = AX_VALUE;
	return 0;
}

static int parse_msg(struct line *l, struct rec *r)
{
	const char *v;
	if (l->n < 3 || !(v = kv(l->tok[1], "from")))
		return fail(l, "usage: msg from=EP VM_CALL field=value... [=> CODE]");
	r->kind = REC_MSG;
	if (parse_ep(l, v, &r->ep))
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
	if (kind == REC_ACCESS && l->n > want && !strcmp(l->tok[want], "=>")) {
		if (parse_access_expect(l, want, r))
			return -1;
		l->n = want;
	}
	if (kind == REC_KPF && l->n == 5 && strcmp(l->tok[4], "forged") == 0)
		r->forged = 1;
	else if (l->n != want)
		return fail(l, "%s", usage);
	if (!(v = kv(l->tok[1], "proc")) || !(w = kv(l->tok[2], "addr")))
		return fail(l, "%s", usage);
	r->kind = (uint8_t)kind;
	if (parse_ep(l, v, &r->ep))
		return fail(l, "bad endpoint '%s'", v);
	if (parse_addr(l, w, &r->addr))
		return fail(l, "bad address '%s'", w);
	if (want == 4) {
		const char *key = kind == REC_KPF ? "flags" : "value";
		if (!(v = kv(l->tok[3], key)) || parse_u32(v, &r->value))
			return fail(l, "%s", usage);
	}
	return 0;
}

/* check alive=EP | dead=EP | free_pages=baseline | slab_objects=baseline | procs=baseline */
static int parse_check(struct line *l, struct rec *r)
{
	const char *usage = "usage: check alive=EP | dead=EP | free_pages=baseline | slab_objects=baseline | procs=baseline";
	const char *eq = l->n == 2 ? strchr(l->tok[1], '=') : NULL;
	if (!eq)
		return fail(l, "%s", usage);
	r->kind = REC_CHECK;
	for (int k = 0; k < CHK_KINDS; k++) {
		if (strlen(check_name[k]) != (size_t)(eq - l->tok[1]) || strncmp(check_name[k], l->tok[1], (size_t)(eq - l->tok[1])))
			continue;
		r->check = (uint8_t)k;
		if (k == CHK_ALIVE || k == CHK_DEAD)
			return parse_ep(l, eq + 1, &r->ep) ? fail(l, "bad endpoint '%s'", eq + 1) : 0;
		return strcmp(eq + 1, "baseline") ? fail(l, "%s", usage) : 0;
	}
	return fail(l, "%s", usage);
}

/* vfs [result=CODE] [size=N] [dev=N] [ino=N] [fd=N]: VFS answers VM's last request
 * (CODE: OK, an errno name or a number; omitted fields are 0). */
static int parse_vfs(struct line *l, struct rec *r)
{
	const char *usage = "usage: vfs result=OK|ERRNO|N size=N dev=N ino=N fd=N";
	r->kind = REC_VFS;
	for (int i = 1; i < l->n; i++) {
		const char *v;
		int64_t x;
		if ((v = kv(l->tok[i], "result"))) {
			int e = -1;
			for (int k = 1; k < EXP_COUNT; k++)
				if (!strcmp(expect_name(k), v))
					e = k;
			if (e >= 0)
				r->vres = expect_code(e);
			else if (parse_num(v, &x) || x < INT32_MIN || x > INT32_MAX)
				return fail(l, "bad result '%s'", v);
			else
				r->vres = (int32_t)x;
			continue;
		}
		struct { const char *key; uint32_t *val; } u32s[] = {
			{ "size", &r->vsize }, { "dev", &r->vdev }, { "ino", &r->vino }, { "fd", &r->vfd },
		};
		int k = 0;
		while (k < 4 && (!(v = kv(l->tok[i], u32s[k].key)) || parse_u32(v, u32s[k].val)))
			k++;
		if (k == 4)
			return fail(l, "%s", usage);
	}
	return 0;
}

/* "repeat N [step=S] [sel=K] {": open a body (closed by "}"). */
static int parse_repeat(struct line *l, struct conv *c)
{
	const char *usage = "usage: repeat N [step=S] [sel=K] {   (N 1..65536, K 0..31, no nesting)";
	int64_t x;
	if (l->in_repeat)
		return fail(l, "a repeat inside a repeat is not supported");
	if (l->n < 3 || strcmp(l->tok[l->n - 1], "{") || parse_num(l->tok[1], &x) || x < 1 || x > 65536)
		return fail(l, "%s", usage);
	memset(&l->rep, 0, sizeof l->rep);
	l->rep.kind = REC_REPEAT;
	l->rep.count = (uint32_t)x;
	for (int i = 2; i < l->n - 1; i++) {
		const char *v;
		if ((v = kv(l->tok[i], "step")) && !parse_u32(v, &l->rep.step))
			continue;
		if ((v = kv(l->tok[i], "sel")) && !parse_num(v, &x) && x >= 0 && x <= 31) {
			l->rep.sel = (uint8_t)x;
			continue;
		}
		return fail(l, "%s", usage);
	}
	l->in_repeat = 1;
	l->rep_start = c->n;
	return 0;
}

/* "}": the REPEAT record of the open body. */
static int close_repeat(struct line *l, struct conv *c)
{
	if (!l->in_repeat || l->n != 1)
		return fail(l, "'}' without an open repeat");
	if (c->n == l->rep_start)
		return fail(l, "an empty repeat");
	if (c->n == CONV_MAX_RECORDS)
		return fail(l, "more than %d records", CONV_MAX_RECORDS);
	l->in_repeat = 0;
	l->rep.body = (uint8_t)(c->n - l->rep_start);
	c->r[c->n++] = l->rep;
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
		} else if ((v = kv(l->tok[i], "budget"))) {
			for (c->budget = 0; c->budget < 4; c->budget++)
				if (parse_num(v, &x) == 0 && x == (int64_t)REPEAT_BUDGET_MIN << (2 * c->budget))
					break;
			if (c->budget == 4)
				return fail(l, "budget must be 128, 512, 2048 or 8192");
		} else if ((v = kv(l->tok[i], "flags"))) {
			if (strcmp(v, "failsends") == 0)
				x = HF_FAIL_SENDS;
			else if (parse_num(v, &x) || x < 0 || (x & ~(int64_t)HF_KNOWN))
				return fail(l, "unknown flags '%s'", v);
			c->flags = (uint8_t)x;
		} else {
			return fail(l, "usage: header sanity=N budget=128|512|2048|8192 flags=failsends|0");
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
	if (strcmp(w, "repeat") == 0)
		return parse_repeat(l, c);
	if (strcmp(w, "}") == 0)
		return close_repeat(l, c);
	if (c->n == CONV_MAX_RECORDS)
		return fail(l, "more than %d records", CONV_MAX_RECORDS);
	struct rec *r = &c->r[c->n];
	memset(r, 0, sizeof *r);
	int rc;
	if (strcmp(w, "msg") == 0)
		rc = parse_msg(l, r);
	else if (strcmp(w, "fault") == 0)
		rc = parse_fault(l, r);
	else if (strcmp(w, "read") == 0 || strcmp(w, "write") == 0)
		r->write = (w[0] == 'w'), rc = parse_access(l, r, REC_ACCESS);
	else if (strcmp(w, "kpf") == 0)
		rc = parse_access(l, r, REC_KPF);
	else if (strcmp(w, "check") == 0)
		rc = parse_check(l, r);
	else if (strcmp(w, "vfs") == 0)
		rc = parse_vfs(l, r);
	else if (strcmp(w, "notify") == 0) {
		const char *v = l->n == 2 ? kv(l->tok[1], "from") : NULL;
		r->kind = REC_NOTIFY;
		rc = !v ? fail(l, "usage: notify from=EP")
			: parse_ep(l, v, &r->ep) ? fail(l, "bad endpoint '%s'", v) : 0;
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
	struct line l = { .err = err, .errlen = errlen, .c = c };
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
	if (l.in_repeat)
		return fail(&l, "the repeat opened is never closed with '}'");
	return 0;
}

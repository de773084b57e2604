/* oracle_expect.c - what a text input says it expects (RUN_EXPECT): the reply codes a
 * MSG accepts ("=> EFAULT|EINVAL"), its reply fields ("retc=2"), an access's result
 * ("=> 0x11111111", OK, FAULT, KILLED) and CHECK records (a process alive or dead, a
 * counter back at its value from the start of the conversation).
 *
 * A mismatch is a finding kind=expect.  Under RUN_KEEP_GOING each mismatch is printed
 * ("mismatch: ...", the first MISMATCH_SHOWN of them) and the run goes on; the
 * finding, made at the end, is the first mismatch's, with the count. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "oracle.h"

#define MISMATCH_SHOWN 50

static struct {
	uint32_t base[CHK_KINDS];
	int have[CHK_KINDS];
	uint32_t mismatches;
	int32_t first_rec;
	char first_call[32], first_key[160], first_at[32], first_detail[400];
} ex;

/* The name of code c ("OK", "none", "EINVAL", or the number) in buf. */
static const char *code_str(int32_t c, char *buf, uint32_t len)
{
	int e = expect_of_code(c);
	if (e == EXP_UNCHECKED)
		snprintf(buf, len, "%d", c);
	else
		snprintf(buf, len, "%s", expect_name(e));
	return buf;
}

/* A mismatch at x's record: a finding now, or (RUN_KEEP_GOING) a printed line and a
 * finding at the end. */
static void mismatch(const struct run_ctx *x, const char *key, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void mismatch(const struct run_ctx *x, const char *key, const char *at, const char *fmt, ...)
{
	char detail[400], line[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (!(x->flags & RUN_KEEP_GOING)) {
		finding_set("expect", key, NULL, at, "%s", detail);
		return;
	}
	if (ex.mismatches++ == 0) {
		ex.first_rec = x->rec;
		snprintf(ex.first_call, sizeof ex.first_call, "%s", finding_call());
		snprintf(ex.first_key, sizeof ex.first_key, "%s", key);
		snprintf(ex.first_at, sizeof ex.first_at, "%s", at);
		snprintf(ex.first_detail, sizeof ex.first_detail, "%s", detail);
	}
	if (x->plat->print && ex.mismatches <= MISMATCH_SHOWN) {
		if (x->iter)
			snprintf(line, sizeof line, "mismatch: record %d (run %u of its repeat): %s", x->rec, x->iter + 1,
				 detail);
		else
			snprintf(line, sizeof line, "mismatch: record %d: %s", x->rec, detail);
		x->plat->print(line);
	}
}

static void expect_begin(const struct run_ctx *x)
{
	memset(&ex, 0, sizeof ex);
	for (int k = CHK_FREE_PAGES; k < CHK_KINDS && x->plat->counter && (x->flags & RUN_EXPECT); k++)
		ex.have[k] = x->plat->counter(k, &ex.base[k]) == 0;
}

/* The reply code is in the accepted set. */
static void check_code(const struct run_ctx *x, const struct msg_seen *s)
{
	const struct rec *r = s->r;
	int got = expect_of_code(s->code);
	char want[256] = "", gn[24], key[160];
	uint32_t n = 0;
	if (!r->expect || (got != EXP_UNCHECKED && (r->expect & EXP_BIT(got))))
		return;
	for (int e = 0; e < EXP_COUNT && n < sizeof want; e++)
		if (r->expect & EXP_BIT(e))
			n += (uint32_t)snprintf(want + n, sizeof want - n, "%s%s", n ? "|" : "", expect_name(e));
	code_str(s->code, gn, sizeof gn);
	snprintf(key, sizeof key, "expect:%s:%s:%s", finding_call(), want, gn);
	mismatch(x, key, "expected-reply", "expected %s, got %s (%d)", want, gn, s->code);
}

/* Every "field=V" of the MSG holds in the reply to its sender. */
static void check_fields(const struct run_ctx *x, const struct msg_seen *s)
{
	const struct rec *r = s->r;
	char key[160];
	for (uint32_t i = 0; i < r->noc && r->call >= 0; i++) {
		const struct out_check *oc = &r->oc[i];
		const struct field_desc *fd = &call_table[r->call].fields[oc->field];
		if (oc->op != OX_EQ)
			continue;
		snprintf(key, sizeof key, "expect:%s:field:%s", finding_call(), fd->name);
		if (!s->rep) {
			mismatch(x, key, "expected-field", "expected %s=0x%llx, but no reply came", fd->name,
				 (unsigned long long)oc->value);
			return;
		}
		uint64_t got = field_read(s->rep, fd);
		if (got != oc->value) {
			mismatch(x, key, "expected-field", "expected %s=0x%llx, got 0x%llx", fd->name,
				 (unsigned long long)oc->value, (unsigned long long)got);
			return;
		}
	}
}

static void expect_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	if (!(x->flags & RUN_EXPECT) || !s->r || s->r->kind != REC_MSG)
		return;
	check_code(x, s);
	if (!finding_get())
		check_fields(x, s);
}

/* The access gave the result its record expects. */
static void expect_access(const struct run_ctx *x, const struct access_seen *a)
{
	static const char *const word[AX_KINDS] = { "?", "OK", "a value", "FAULT", "KILLED" };
	const struct rec *r = a->r;
	const struct rec_result *res = runner_result((uint32_t)x->rec);
	char key[160], want[24], got[24];
	if (!(x->flags & RUN_EXPECT) || !r || !r->aexp || r->aexp >= AX_KINDS || !res)
		return;
	int ax = runner_access_result(res, a->write);
	if (r->aexp == AX_VALUE && ax == AX_VALUE && a->value == r->aval)
		return;
	if (r->aexp != AX_VALUE && (ax == r->aexp || (r->aexp == AX_OK && ax == AX_VALUE)))
		return;
	if (ax == AX_VALUE && r->aexp == AX_VALUE) {
		snprintf(key, sizeof key, "expect:%s:value", a->write ? "write" : "read");
		mismatch(x, key, "expected-access", "%s of 0x%x by %d: expected 0x%x, got 0x%x", a->write ? "write" : "read",
			 a->addr, a->ep, r->aval, a->value);
		return;
	}
	snprintf(want, sizeof want, "%s", word[r->aexp]);
	snprintf(got, sizeof got, "%s", ax == AX_VALUE ? "OK" : word[ax]);
	snprintf(key, sizeof key, "expect:%s:%s:%s", a->write ? "write" : "read", want, got);
	mismatch(x, key, "expected-access", "%s of 0x%x by %d: expected %s, got %s (rc %d)", a->write ? "write" : "read",
		 a->addr, a->ep, want, got, a->rc);
}

/* A CHECK record holds now. */
static void expect_check(const struct run_ctx *x, const struct rec *r)
{
	char key[96], at[32];
	if (!(x->flags & RUN_EXPECT) || r->check >= CHK_KINDS)
		return;
	snprintf(key, sizeof key, "expect:check:%s", check_name[r->check]);
	snprintf(at, sizeof at, "check-%s", check_name[r->check]);
	if (r->check == CHK_ALIVE || r->check == CHK_DEAD) {
		endpoint_t ep = selcore_endpoint(x->plat->procs, &r->ep);
		int live = plat_is_live(x->plat, ep);
		if (live != (r->check == CHK_ALIVE))
			mismatch(x, key, at, "expected %d to be %s, it is %s", ep, check_name[r->check],
				 live ? "alive" : "not alive");
		return;
	}
	uint32_t now;
	if (!ex.have[r->check] || x->plat->counter(r->check, &now)) {
		if ((x->flags & RUN_TRACE) && x->plat->print)
			x->plat->print("    (not checked: this platform cannot count it)");
		return;
	}
	if (now != ex.base[r->check])
		mismatch(x, key, at, "expected %s=%u (its value at the start), got %u (%s%d)", check_name[r->check],
			 ex.base[r->check], now, now > ex.base[r->check] ? "+" : "", (int)(now - ex.base[r->check]));
}

/* RUN_KEEP_GOING: the first mismatch becomes the finding, with the count. */
static void expect_end(const struct run_ctx *x)
{
	char line[80];
	if (!(x->flags & RUN_KEEP_GOING) || !ex.mismatches)
		return;
	if (ex.mismatches > MISMATCH_SHOWN && x->plat->print) {
		snprintf(line, sizeof line, "mismatch: %u more not shown", ex.mismatches - MISMATCH_SHOWN);
		x->plat->print(line);
	}
	finding_context(ex.first_rec, ex.first_call);
	finding_set("expect", ex.first_key, NULL, ex.first_at, "%u mismatch(es); the first: %s", ex.mismatches,
		    ex.first_detail);
}

const struct oracle expect_oracle = {
	.name = "expect",
	.begin = expect_begin,
	.after_msg = expect_after_msg,
	.access = expect_access,
	.check = expect_check,
	.end = expect_end,
};

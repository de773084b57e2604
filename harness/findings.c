/* findings.c - the finding of a run: kind, signature, call, place and detail.  The
 * first finding of a run wins; a front end that learns more about it afterwards (the
 * hosted runner attributing a leak to a record) may put a saved one back and re-sign
 * it.  Shared by the hosted harness and the guest agent (no libc beyond string.h and
 * the snprintf subset of oracle.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "oracle.h"

static struct {
	struct finding cur;
	int32_t rec;
	const char *call; /* the caller's string, valid while its record runs */
} fs = { .rec = -1, .call = "none" };

uint32_t sig_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

void finding_context(int32_t rec, const char *call)
{
	fs.rec = rec;
	fs.call = call ? call : "none";
}

const char *finding_call(void)
{
	return fs.call;
}

void finding_set(const char *kind, const char *sigkey, const char *call, const char *at,
		 const char *fmt, ...)
{
	struct finding *f = &fs.cur;
	va_list ap;
	if (f->set)
		return;
	f->set = 1;
	finding_current = f;
	f->rec = fs.rec;
	snprintf(f->kind, sizeof f->kind, "%s", kind);
	f->sig = sig_hash(sigkey);
	snprintf(f->call, sizeof f->call, "%s", call ? call : fs.call);
	snprintf(f->at, sizeof f->at, "%s", at);
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof f->detail, fmt, ap);
	va_end(ap);
}

const struct finding *finding_current;

void finding_put(const struct finding *f)
{
	fs.cur = *f;
	finding_current = fs.cur.set ? &fs.cur : NULL;
}

void finding_resign(const char *sigkey, const char *call, const char *more)
{
	struct finding *f = &fs.cur;
	size_t n = strlen(f->detail);
	if (!f->set)
		return;
	f->sig = sig_hash(sigkey);
	if (call)
		snprintf(f->call, sizeof f->call, "%s", call);
	if (more && n + 1 < sizeof f->detail)
		snprintf(f->detail + n, sizeof f->detail - n, "%s", more);
}

void finding_clear(void)
{
	memset(&fs.cur, 0, sizeof fs.cur);
	fs.cur.rec = -1;
	finding_current = NULL;
}

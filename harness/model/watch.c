/* watch.c - the model of the exit and signal watch (VM_WATCH_EXIT, VM_NOTIFY_SIG,
 * VM_QUERY_EXIT), as the protocol and this VM's documented semantics describe it
 * (docs/model.md WATCH-*; README, "documented deviations").  Written from the
 * protocol, never from vm/: one bounded table of rows (kind, watcher, target) in
 * registration order.  A watch whose target has exited (no live process has its
 * endpoint) is that watcher's exit event; a watcher that has exited has no rows.
 * Both follow from the process table, so the model applies them lazily, before
 * every rule of this file. */
#include <string.h>
#include "model.h"

/* WATCH-06: rows of exited watchers go; watches of exited targets become events. */
static void mwatch_settle(void)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < mdl.nwatch; i++) {
		struct mwatch w = mdl.watch[i];
		if (!mproc_of(w.watcher))
			continue;
		if (w.kind == MW_WATCH && !mproc_of(w.target))
			w.kind = MW_EXITED;
		mdl.watch[k++] = w;
	}
	mdl.nwatch = k;
}

/* The row of that kind, watcher and target, or -1. */
static int mwatch_find(int kind, endpoint_t watcher, endpoint_t target)
{
	for (uint32_t i = 0; i < mdl.nwatch; i++)
		if (mdl.watch[i].kind == kind && mdl.watch[i].watcher == watcher && mdl.watch[i].target == target)
			return (int)i;
	return -1;
}

/* Append a row (the table has room: the rule predicted OK). */
static void mwatch_add(int kind, endpoint_t watcher, endpoint_t target)
{
	if (mdl.nwatch >= VM_WATCH_MAX)
		return;
	mdl.watch[mdl.nwatch].kind = kind;
	mdl.watch[mdl.nwatch].watcher = watcher;
	mdl.watch[mdl.nwatch++].target = target;
}

/* WATCH-01 target, WATCH-02 oneself, WATCH-03 duplicate, WATCH-04 table full,
 * WATCH-05 registered.  p->u[0]: a new row is due. */
static void rule_watch_01_05(const message *m, uint32_t st, struct mpred *p)
{
	int r = mep_check(m->u.watch_exit.endpt, m->m_source, 0, &p->tgt);
	(void)st;
	mwatch_settle();
	if (r != MEP_OK) {
		mpred_set(p, "WATCH-01", VM_ESRCH);
		return;
	}
	if (p->tgt == p->src) {
		mpred_set(p, "WATCH-02", VM_EINVAL);
		return;
	}
	if (mwatch_find(MW_WATCH, m->m_source, p->tgt->endpt) >= 0) {
		mpred_set(p, "WATCH-03", VM_OK);
		return;
	}
	if (mdl.nwatch >= VM_WATCH_MAX) {
		mpred_set(p, "WATCH-04", VM_ENOSPC);
		return;
	}
	mpred_set(p, "WATCH-05", VM_OK);
	p->u[0] = 1;
}

static void commit_watch_05(const struct msg_seen *s, const struct mpred *p)
{
	if (p->got == VM_OK && p->u[0])
		mwatch_add(MW_WATCH, s->m.m_source, s->m.u.watch_exit.endpt);
}

/* WATCH-08: VM_NOTIFY_SIG: endpt must be live (ESRCH), ipc_endpt live and not endpt
 * (EINVAL), checked in that order; a queued duplicate is OK without a row; a full
 * table ENOSPC; else OK and a signal event for ipc_endpt.  p->u[0]: a new row. */
static void rule_watch_08_sig(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_notify_sig *q = &m->u.notify_sig;
	(void)st;
	mwatch_settle();
	if (mep_check(q->endpt, m->m_source, 0, &p->tgt) != MEP_OK) {
		mpred_set(p, "WATCH-08", VM_ESRCH);
		return;
	}
	if (mep_check(q->ipc_endpt, m->m_source, 0, &p->tgt2) != MEP_OK || p->tgt2 == p->tgt) {
		mpred_set(p, "WATCH-08", VM_EINVAL);
		return;
	}
	if (mwatch_find(MW_SIGNAL, q->ipc_endpt, q->endpt) >= 0) {
		mpred_set(p, "WATCH-08", VM_OK);
		return;
	}
	mpred_set(p, "WATCH-08", mdl.nwatch >= VM_WATCH_MAX ? VM_ENOSPC : VM_OK);
	p->u[0] = 1;
}

static void commit_watch_08(const struct msg_seen *s, const struct mpred *p)
{
	if (p->got == VM_OK && p->u[0])
		mwatch_add(MW_SIGNAL, s->m.u.notify_sig.ipc_endpt, s->m.u.notify_sig.endpt);
}

/* WATCH-07: VM_QUERY_EXIT answers the caller's oldest event (endpt, is_more: another
 * event waits for the caller) and drops it; ESRCH when none.  p->u[0]: its index + 1,
 * p->u[1]: is_more. */
static void rule_watch_07_query(const message *m, uint32_t st, struct mpred *p)
{
	(void)st;
	mwatch_settle();
	for (uint32_t i = 0; i < mdl.nwatch; i++) {
		if (mdl.watch[i].watcher != m->m_source || mdl.watch[i].kind == MW_WATCH)
			continue;
		if (!p->u[0])
			p->u[0] = i + 1;
		else
			p->u[1] = 1;
	}
	mpred_set(p, "WATCH-07", p->u[0] ? VM_OK : VM_ESRCH);
}

static void commit_watch_07(const struct msg_seen *s, const struct mpred *p)
{
	uint32_t i = p->u[0] - 1;
	const struct mwatch *w;
	(void)s;
	if (p->got != VM_OK || !p->u[0] || i >= mdl.nwatch)
		return;
	w = &mdl.watch[i];
	if (p->rep && (p->rep->u.query_exit.endpt != w->target || p->rep->u.query_exit.is_more != (int32_t)p->u[1]))
		mfind("WATCH-07", "fields", "predicted endpt=%d is_more=%u, VM answered %d %d", w->target, p->u[1],
		      p->rep->u.query_exit.endpt, p->rep->u.query_exit.is_more);
	memmove(&mdl.watch[i], &mdl.watch[i + 1], (mdl.nwatch - i - 1) * sizeof mdl.watch[0]);
	mdl.nwatch--;
}

const struct mcall watch_calls[] = {
	{ VM_WATCH_EXIT, rule_watch_01_05, commit_watch_05 },
	{ VM_NOTIFY_SIG, rule_watch_08_sig, commit_watch_08 },
	{ VM_QUERY_EXIT, rule_watch_07_query, commit_watch_07 },
};
const int watch_ncalls = (int)(sizeof watch_calls / sizeof watch_calls[0]);

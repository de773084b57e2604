/* watch.c - VM_WATCH_EXIT, VM_NOTIFY_SIG, VM_QUERY_EXIT: servers told about other
 * processes' exits and signals (the 2010/2012 MINIX VM calls, with this VM's hardened
 * semantics; README, "documented deviations").
 *
 * One bounded table (vm.watch) holds, in registration order, rows of three kinds:
 * a watch (the watcher waits for target's exit), an exit event (that watch after the
 * target exited: converted in place, so an exit never needs a free row) and a signal
 * event (VM_NOTIFY_SIG queued target's signal for the watcher).  Events are queued
 * for their watcher, who is notified and drains them one at a time with
 * VM_QUERY_EXIT.  Rows name processes by endpoint, generation included, so a later
 * occupant of a slot is a different process; a watcher's rows end with it.  Rows
 * hold no memory: the table is part of the state struct. */
#include "vm.h"

/* True when row r is an event waiting for VM_QUERY_EXIT. */
static int watch_is_event(const struct watch_row *r)
{
	return r->kind == WATCH_EXITED || r->kind == WATCH_SIGNAL;
}

/* Index of the row of that kind, watcher and target, or -1. */
static int watch_find(uint32_t kind, endpoint_t watcher, endpoint_t target)
{
	for (uint32_t i = 0; i < vm.watch.n; i++)
		if (vm.watch.row[i].kind == kind && vm.watch.row[i].watcher == watcher &&
		    vm.watch.row[i].target == target)
			return (int)i;
	return -1;
}

/* Append a row; VM_ENOSPC when the table is full. */
static int watch_add(uint32_t kind, endpoint_t watcher, endpoint_t target)
{
	struct watch_row *r;

	if (vm.watch.n >= WATCH_MAX)
		return VM_ENOSPC;
	r = &vm.watch.row[vm.watch.n++];
	r->kind = kind;
	r->watcher = watcher;
	r->target = target;
	MUTATED();
	return VM_OK;
}

/* Remove row i, keeping the others in registration order. */
static void watch_remove(uint32_t i)
{
	for (uint32_t k = i; k + 1 < vm.watch.n; k++)
		vm.watch.row[k] = vm.watch.row[k + 1];
	vm.watch.n--;
	vm_memset(&vm.watch.row[vm.watch.n], 0, sizeof vm.watch.row[0]);
	MUTATED();
}

void watch_proc_exits(const struct vmproc *vmp)
{
	endpoint_t ep = vmp->endpt;

	for (uint32_t i = 0; i < vm.watch.n;) {
		if (vm.watch.row[i].watcher == ep) { /* the watcher's watches and events go */
			watch_remove(i);
			continue;
		}
		if (vm.watch.row[i].kind == WATCH_LIVE && vm.watch.row[i].target == ep) {
			vm.watch.row[i].kind = WATCH_EXITED;
			MUTATED();
			seam_notify(vm.watch.row[i].watcher); /* a busy watcher still finds it queued */
		}
		i++;
	}
}

/* VM_WATCH_EXIT: the caller is to be told when endpt exits.  VM_ESRCH when endpt is
 * not a live process (a stale generation, a free slot, garbage: it has exited or
 * never was) or is VM; VM_EINVAL for the caller itself (its rows end with it); OK
 * without a new row when the caller already watches endpt; VM_ENOSPC when the table
 * is full. */
int do_watch_exit(message *m)
{
	struct vmproc *t = proc_target(m->u.watch_exit.endpt);

	if (!t)
		return VM_ESRCH;
	if (t->endpt == m->m_source)
		return VM_EINVAL;
	if (watch_find(WATCH_LIVE, m->m_source, t->endpt) >= 0)
		return VM_OK;
	return watch_add(WATCH_LIVE, m->m_source, t->endpt);
}

/* VM_NOTIFY_SIG (from PM): endpt has a signal pending; queue it for ipc_endpt and
 * notify ipc_endpt.  VM_ESRCH when endpt is not a live process other than VM;
 * VM_EINVAL when ipc_endpt is not one, or is endpt itself; OK without a new row when
 * that signal event is already queued (ipc_endpt is notified again); VM_ENOSPC when
 * the table is full. */
int do_notify_sig(message *m)
{
	struct vmproc *t = proc_target(m->u.notify_sig.endpt);
	struct vmproc *w = proc_target(m->u.notify_sig.ipc_endpt);
	int err = VM_OK;

	if (!t)
		return VM_ESRCH;
	if (!w || w == t)
		return VM_EINVAL;
	if (watch_find(WATCH_SIGNAL, w->endpt, t->endpt) < 0)
		err = watch_add(WATCH_SIGNAL, w->endpt, t->endpt);
	if (err == VM_OK)
		seam_notify(w->endpt);
	return err;
}

/* VM_QUERY_EXIT: take the caller's oldest queued event and answer its endpoint
 * (endpt) and whether more events wait for the caller (is_more 1 or 0).  VM_ESRCH
 * when none waits (the fields are then 0). */
int do_query_exit(message *m)
{
	struct vm_pl_query_exit *q = &m->u.query_exit;
	int first = -1, more = 0;

	for (uint32_t i = 0; i < vm.watch.n; i++) {
		if (vm.watch.row[i].watcher != m->m_source || !watch_is_event(&vm.watch.row[i]))
			continue;
		if (first < 0)
			first = (int)i;
		else
			more = 1;
	}
	q->endpt = 0;
	q->is_more = 0;
	if (first < 0)
		return VM_ESRCH;
	q->endpt = vm.watch.row[first].target;
	q->is_more = more;
	watch_remove((uint32_t)first);
	return VM_OK;
}

uint32_t watch_rows(void)
{
	return vm.watch.n;
}

/* Row i's own invariants: a known kind; a live watcher other than VM; a target
 * other than the watcher; a watch's target live, an exit event's not. */
static int watch_row_ok(const struct watch_row *r)
{
	const struct vmproc *w = proc_get(r->watcher), *t = proc_get(r->target);
	int target_live = t != NULL;

	if (r->kind != WATCH_LIVE && r->kind != WATCH_EXITED && r->kind != WATCH_SIGNAL)
		return 0;
	if (!w || r->watcher == vm.self || r->target == r->watcher)
		return 0;
	if (r->kind == WATCH_LIVE && !target_live)
		return 0;
	return r->kind != WATCH_EXITED || !target_live;
}

/* Every used row passes watch_row_ok; no two rows have the same kind, watcher and
 * target; the rows past n are zero.  0 or SAN_WATCH. */
int watch_check(void)
{
	if (vm.watch.n > WATCH_MAX)
		return SAN_WATCH;
	for (uint32_t i = 0; i < WATCH_MAX; i++) {
		const struct watch_row *r = &vm.watch.row[i];

		if (i >= vm.watch.n) {
			if (r->kind || r->watcher || r->target)
				return SAN_WATCH;
			continue;
		}
		if (!watch_row_ok(r))
			return SAN_WATCH;
		for (uint32_t k = 0; k < i; k++)
			if (vm.watch.row[k].kind == r->kind && vm.watch.row[k].watcher == r->watcher &&
			    vm.watch.row[k].target == r->target)
				return SAN_WATCH;
	}
	return 0;
}

/* select.c - resolve selectors against live state.  The kernel model (kmodel) says
 * which processes exist, in slot order; VM's own table (vm.proc) gives their regions,
 * in address order.  A selector over an empty set falls back to its raw value. */
#include "harness.h"
#include "hosted.h"
#include "vm.h"

int sel_is_live(endpoint_t ep)
{
	int32_t s = ep_slot(ep);
	if (s < 0 || s >= NR_PROCS)
		return 0;
	const struct kproc *kp = &kmodel.proc[s];
	return (kp->flags & KP_INUSE) && kp->endpt == ep;
}

/* The n-th slot (modulo the set's size) for which pred holds, or -1 when none does. */
static int32_t nth_slot(unsigned n, int (*pred)(const struct kproc *))
{
	int32_t count = 0;
	for (int32_t s = 0; s < NR_PROCS; s++)
		count += pred(&kmodel.proc[s]) != 0;
	if (count == 0)
		return -1;
	n %= (unsigned)count;
	for (int32_t s = 0; s < NR_PROCS; s++)
		if (pred(&kmodel.proc[s]) && n-- == 0)
			return s;
	return -1;
}

static int is_live(const struct kproc *kp) { return kp->flags & KP_INUSE; }
static int is_used(const struct kproc *kp) { return (kp->flags & KP_INUSE) || kp->ever_used; }
static int is_fresh(const struct kproc *kp) { return !is_used(kp); }

/* A dead endpoint of slot s: its last occupant when free, else the generation
 * before the current one (or after it, for generation 0). */
static endpoint_t stale_of(int32_t s)
{
	const struct kproc *kp = &kmodel.proc[s];
	int32_t g = kp->generation;
	if (!(kp->flags & KP_INUSE))
		return ep_make(g, s);
	return ep_make(g > 0 ? g - 1 : g + 1, s);
}

endpoint_t sel_endpoint(const struct ep_sel *e)
{
	static const endpoint_t special[3] = { ANY, NONE, SELF };
	int32_t s;
	switch (e->kind) {
	case EPS_LIVE:
		s = nth_slot(e->arg, is_live);
		return s < 0 ? e->arg : kmodel.proc[s].endpt;
	case EPS_STALE:
		s = nth_slot(e->arg, is_used);
		return s < 0 ? e->arg : stale_of(s);
	case EPS_FRESH:
		s = nth_slot(e->arg, is_fresh);
		return s < 0 ? e->arg : ep_make(0, s);
	case EPS_TASK:
		return -1 - (endpoint_t)(e->arg % NR_TASKS);
	case EPS_SPECIAL:
		return special[e->arg % 3];
	default:
		return e->raw;
	}
}

int32_t sel_slot(const struct ep_sel *e)
{
	if (e->kind == EPS_RAW)
		return e->raw;
	return ep_slot(sel_endpoint(e));
}

uint32_t sel_addr(const struct addr_sel *a)
{
	if (a->kind == ADS_RAW)
		return a->value;
	int32_t s = nth_slot(a->proc, is_live);
	if (s < 0 || !(vm.proc[s].flags & VMF_INUSE))
		return a->value;
	struct vmproc *vmp = &vm.proc[s];
	uint32_t n = region_count(vmp);
	if (n == 0)
		return a->value;
	uint32_t j = a->region % n;
	struct vir_region *r = region_first(vmp);
	while (j-- && r)
		r = region_next(vmp, r);
	return r ? r->vaddr + a->value : a->value;
}

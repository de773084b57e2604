/* select.c - selectors in the fuzz image, rule for rule those of harness/select.c:
 * "live" = the slot is in use (killed processes included), "used" = in use or ever
 * used, "fresh" = never used; the k-th of a set is taken modulo its size in slot
 * order, and an empty set falls back to the raw value.  The process table comes from
 * the kernel (FZ_PROCS), regions from VM's own table through a control request. */
#include "guest.h"

static struct fz_proc tab[NR_PROCS];
static struct fz_outcome ctl_out;

void gsel_refresh(void)
{
	gk_procs(tab);
}

static int is_live(const struct fz_proc *p) { return (p->flags & FZP_INUSE) != 0; }
static int is_used(const struct fz_proc *p) { return (p->flags & FZP_INUSE) || p->ever_used; }
static int is_fresh(const struct fz_proc *p) { return !is_used(p); }

int gsel_is_live(endpoint_t ep)
{
	int32_t s = ep_slot(ep);

	return s >= 0 && s < NR_PROCS && is_live(&tab[s]) && tab[s].endpt == ep;
}

uint32_t gsel_flags(endpoint_t ep)
{
	return gsel_is_live(ep) ? tab[ep_slot(ep)].flags : 0;
}

/* The n-th slot (modulo the set's size) for which pred holds, or -1. */
static int32_t nth_slot(unsigned n, int (*pred)(const struct fz_proc *))
{
	int32_t count = 0;

	for (int32_t s = 0; s < NR_PROCS; s++)
		count += pred(&tab[s]) != 0;
	if (count == 0)
		return -1;
	n %= (unsigned)count;
	for (int32_t s = 0; s < NR_PROCS; s++)
		if (pred(&tab[s]) && n-- == 0)
			return s;
	return -1;
}

/* A dead endpoint of slot s: its last occupant when free, else the generation
 * before the current one (or after it, for generation 0). */
static endpoint_t stale_of(int32_t s)
{
	int32_t g = tab[s].generation;

	if (!is_live(&tab[s]))
		return ep_make(g, s);
	return ep_make(g > 0 ? g - 1 : g + 1, s);
}

endpoint_t gsel_endpoint(const struct ep_sel *e)
{
	static const endpoint_t special[3] = { ANY, NONE, SELF };
	int32_t s;

	switch (e->kind) {
	case EPS_LIVE:
		s = nth_slot(e->arg, is_live);
		return s < 0 ? e->arg : tab[s].endpt;
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

int32_t gsel_slot(const struct ep_sel *e)
{
	if (e->kind == EPS_RAW)
		return e->raw;
	return ep_slot(gsel_endpoint(e));
}

/* Region j (modulo the count, address order) of live:proc plus the offset; the
 * offset alone when the process or its regions are missing. */
uint32_t gsel_addr(const struct addr_sel *a)
{
	if (a->kind == ADS_RAW)
		return a->value;
	int32_t s = nth_slot(a->proc, is_live);
	if (s < 0 || gk_ctl(FZC_REGIONS, (uint32_t)s, &ctl_out) != VM_OK || ctl_out.ctl.result <= 0)
		return a->value;
	uint32_t j = a->region % (uint32_t)ctl_out.ctl.result;
	if (j >= FZ_CTL_REGIONS)
		return a->value;
	return ctl_out.ctl.vaddr[j] + a->value;
}

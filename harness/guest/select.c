/* select.c - selectors in the fuzz image: the rules are harness/selcore.c's, shared
 * with the hosted harness; the process table comes from the kernel (FZ_PROCS), regions
 * from VM's own table through a control request. */
#include "guest.h"
#include "selcore.h"

static struct fz_proc tab[NR_PROCS];
static struct fz_outcome ctl_out;

void gsel_refresh(void)
{
	gk_procs(tab);
}

static int fz_live(int32_t s) { return (tab[s].flags & FZP_INUSE) != 0; }
static int fz_used(int32_t s) { return fz_live(s) || tab[s].ever_used; }
static endpoint_t fz_endpt(int32_t s) { return tab[s].endpt; }
static int32_t fz_generation(int32_t s) { return tab[s].generation; }

static const struct sel_table fz_table = { fz_live, fz_used, fz_endpt, fz_generation };

int gsel_is_live(endpoint_t ep)
{
	int32_t s = ep_slot(ep);

	return s >= 0 && s < NR_PROCS && fz_live(s) && tab[s].endpt == ep;
}

uint32_t gsel_flags(endpoint_t ep)
{
	return gsel_is_live(ep) ? tab[ep_slot(ep)].flags : 0;
}

endpoint_t gsel_endpoint(const struct ep_sel *e)
{
	return selcore_endpoint(&fz_table, e);
}

int32_t gsel_slot(const struct ep_sel *e)
{
	return selcore_slot(&fz_table, e);
}

/* Region j (modulo the count, address order) of live:proc plus the offset; the
 * offset alone when the process or its regions are missing. */
uint32_t gsel_addr(const struct addr_sel *a)
{
	if (a->kind == ADS_RAW)
		return a->value;
	int32_t s = selcore_nth(&fz_table, a->proc, SEL_LIVE);
	if (s < 0 || gk_ctl(FZC_REGIONS, (uint32_t)s, &ctl_out) != VM_OK || ctl_out.ctl.result <= 0)
		return a->value;
	uint32_t j = a->region % (uint32_t)ctl_out.ctl.result;
	if (j >= FZ_CTL_REGIONS)
		return a->value;
	return ctl_out.ctl.vaddr[j] + a->value;
}

/* Build the request of MSG record r against the image's live state. */
void gsel_build_msg(const struct rec *r, message *m)
{
	selcore_build_msg(&fz_table, gsel_addr, r, m);
}

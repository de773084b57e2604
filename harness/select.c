/* select.c - resolve selectors against live state.  The kernel model (kmodel) says
 * which processes exist, in slot order (the rules are harness/selcore.c's, shared with
 * the guest agent); VM's own table (vm.proc) gives their regions, in address order.
 * A selector over an empty set falls back to its raw value. */
#include "harness.h"
#include "hosted.h"
#include "selcore.h"
#include "vm.h"

static int km_live(int32_t s) { return (kmodel.proc[s].flags & KP_INUSE) != 0; }
static int km_used(int32_t s) { return km_live(s) || kmodel.proc[s].ever_used; }
static endpoint_t km_endpt(int32_t s) { return kmodel.proc[s].endpt; }
static int32_t km_generation(int32_t s) { return kmodel.proc[s].generation; }

static const struct sel_table kmodel_table = { km_live, km_used, km_endpt, km_generation };

int sel_is_live(endpoint_t ep)
{
	int32_t s = ep_slot(ep);

	return s >= 0 && s < NR_PROCS && km_live(s) && kmodel.proc[s].endpt == ep;
}

endpoint_t sel_endpoint(const struct ep_sel *e)
{
	return selcore_endpoint(&kmodel_table, e);
}

int32_t sel_slot(const struct ep_sel *e)
{
	return selcore_slot(&kmodel_table, e);
}

/* Region j (modulo the count, address order) of live:proc plus the offset; the
 * offset alone when the process or its regions are missing. */
uint32_t sel_addr(const struct addr_sel *a)
{
	if (a->kind == ADS_RAW)
		return a->value;
	int32_t s = selcore_nth(&kmodel_table, a->proc, SEL_LIVE);
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

/* Build the request of MSG record r against live state. */
void sel_build_msg(const struct rec *r, message *m)
{
	selcore_build_msg(&kmodel_table, sel_addr, r, m);
}

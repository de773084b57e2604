/* selcore.h - the endpoint-selector rules, one copy for the runner (harness/runner.c)
 * in the hosted harness (over the kernel model, harness/host.c) and in the guest agent
 * (over the kernel's table, harness/guest/plat.c): "live" = the slot is in use,
 * "used" = in use or ever used, "fresh" = never used; the k-th of a set is taken
 * modulo its size in slot order, and an empty set falls back to the raw value.  A
 * named selector takes the value bound to the name (live:arg while it is unbound). */
#ifndef VMFUZZ_SELCORE_H
#define VMFUZZ_SELCORE_H

#include "input.h"

/* A view of the process table by slot. */
struct sel_table {
	int (*live)(int32_t slot);
	int (*used)(int32_t slot);
	endpoint_t (*endpt)(int32_t slot);      /* of a live slot */
	int32_t (*generation)(int32_t slot);    /* of the current or last occupant */
	/* Optional (NULL: live and used are asked slot by slot): the live and the used
	 * slots as bitmaps of NR_PROCS bits, in one pass over the table. */
	void (*sets)(uint32_t live[NR_PROCS / 32], uint32_t used[NR_PROCS / 32]);
};

enum sel_set { SEL_LIVE, SEL_USED, SEL_FRESH, SEL_FREE };
/* The n-th slot (modulo the set's size) of the set, or -1 when it is empty. */
int32_t selcore_nth(const struct sel_table *t, unsigned n, enum sel_set set);
/* The endpoint an endpoint selector names. */
endpoint_t selcore_endpoint(const struct sel_table *t, const struct ep_sel *e);
/* The slot a SLOT field selector names (raw values pass through). */
int32_t selcore_slot(const struct sel_table *t, const struct ep_sel *e);
/* Names bound by the running conversation (one table, reset by the runner). */
void selcore_names_clear(void);
void selcore_bind(uint32_t name, uint32_t value);
void selcore_unbind(uint32_t name);
/* 1 and *value when name is bound. */
int selcore_name(uint32_t name, uint32_t *value);
/* Build the request of MSG record r: selectors resolved through t, addresses through
 * addr (region selectors need each build's view of VM's regions). */
void selcore_build_msg(const struct sel_table *t, uint32_t (*addr)(const struct addr_sel *a),
		       const struct rec *r, message *m);

#endif

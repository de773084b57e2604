/* vmseam_fuzz.c - the parts of VM's seam that differ in the fuzz image: fault hits,
 * trace events and panics go to the kernel (kernel/fuzz.c), which reports them to the
 * guest agent; a sanity failure goes with its invariant's name and statement, so the
 * agent's FINDING line is the hosted one.  The receive loop reports vm.mutations and
 * the free page count before each wait and answers the kernel's control requests
 * (sanity level, sanity check, a process's regions) outside the message loop, so
 * they touch no handler, fault site or state. */
#include "vm.h"
#include "ulib.h"
#include "fuzz_abi.h"

static const char *const sanity_name[SAN_COUNT] = {
#define SAN_NAME(id, text) #id,
	SANITY_INVARIANTS(SAN_NAME)
#undef SAN_NAME
};

/* The first regions of the process in slot, in address order (harness/host.c reads
 * the same list from vm.proc in the hosted build). */
static void ctl_regions(int32_t slot, struct fz_ctl *c)
{
	struct vmproc *vmp;
	uint32_t i = 0;

	c->result = 0;
	if (slot < 0 || slot >= NR_PROCS || !(vm.proc[slot].flags & VMF_INUSE))
		return;
	vmp = &vm.proc[slot];
	c->result = (int32_t)region_count(vmp);
	for (struct vir_region *r = region_first(vmp); r && i < FZ_CTL_REGIONS; r = region_next(vmp, r))
		c->vaddr[i++] = r->vaddr;
}

/* Answer one control request of the kernel. */
static void control(const message *m)
{
	struct fz_ctl c;

	vm_memset(&c, 0, sizeof(c));
	switch (m->u.word[0]) {
	case FZC_LEVEL:
		vm.sanity_level = (int32_t)m->u.word[1];
		break;
	case FZC_SANITY: /* a failure is announced as the checker's own panics do */
		c.result = sanity_check();
		if (c.result != SAN_OK)
			seam_trace(TR_SANITY_FAIL, c.result, vm.sanity_obj);
		break;
	case FZC_REGIONS:
		ctl_regions((int32_t)m->u.word[1], &c);
		break;
	default:
		c.result = VM_EINVAL;
		break;
	}
	kcall(KC_FZ_CTLDONE, (uint32_t)&c, 0, 0, 0, 0, NULL);
}

int seam_receive(message *m, uint32_t *status)
{
	for (;;) {
		kcall(KC_FZ_IDLE, vm.mutations, mem_free_count(), 0, 0, 0, NULL);
		if (ipc_receive(ANY, m, status) != VM_OK)
			continue;
		if (!(*status & IPC_FLG_FZ_CTL))
			return VM_OK;
		control(m);
	}
}

void seam_panic(const char *file, int line, const char *why)
{
	kcall(KC_FZ_PANIC, (uint32_t)file, (uint32_t)line, (uint32_t)why, 0, 0, NULL);
	for (;;) /* the kernel never runs VM again */
		;
}

/* A trace event for the kernel; a sanity failure (a = invariant id, b = the object
 * kind) also passes the invariant's name and statement. */
void seam_trace(enum trace_ev ev, int32_t a, int32_t b)
{
	const char *name = "", *text = "";

	if (ev == TR_SANITY_FAIL && a > SAN_OK && a < SAN_COUNT) {
		name = sanity_name[a];
		text = sanity_text[a];
	}
	kcall(KC_FZ_TRACE, (uint32_t)ev, (uint32_t)a, (uint32_t)b, (uint32_t)name, (uint32_t)text, NULL);
}

int seam_fault(enum fault_site site)
{
	uint32_t fail = 0;

	kcall(KC_FZ_HIT, (uint32_t)site, 0, 0, 0, 0, &fail);
	return fail != 0;
}

/* fork.c - VM_FORK (from PM): a copy-on-write child in the slot PM chose. */
#include "vm.h"

/* Check the request: a live parent other than VM that holds no DMA range (as the
 * 2010 MINIX fork.c: EINVAL), and a free child slot. */
static int fork_check(const message *m, struct vmproc **parent, int32_t *slot)
{
	*parent = proc_target(m->u.fork.parent);
	*slot = m->u.fork.slot;
	if (!*parent || dma_held(*parent))
		return VM_EINVAL;
	if (*slot < 0 || *slot >= NR_PROCS)
		return VM_EINVAL;
	if (vm.proc[*slot].flags & VMF_INUSE)
		return VM_EBUSY;
	return VM_OK;
}

/* Undo a child that never ran: its regions, page table and slot. */
static void fork_rollback(struct vmproc *child)
{
	map_free_proc(child);
	pt_free(&child->pt);
	proc_clear(child);
}

/* VM_FORK: replies u.fork.child with the child's endpoint. */
int do_fork(message *m)
{
	struct vmproc *parent, *child;
	int32_t slot;
	endpoint_t cep;
	int err = fork_check(m, &parent, &slot);

	if (err != VM_OK)
		return err;
	child = &vm.proc[slot];
	proc_clear(child);
	child->flags = VMF_INUSE; /* under construction: endpt stays NONE, so no message reaches it */
	if ((err = pt_new(&child->pt)) != VM_OK)
		goto fail;
	if ((err = map_copy_proc(child, parent)) != VM_OK)
		goto fail;
	kc_flush_tlb(parent->endpt);
	if (FAULT_POINT(KC_FORK)) {
		err = VM_ENOMEM;
		goto fail;
	}
	if ((err = kc_fork(parent->endpt, slot, &cep)) != VM_OK)
		goto fail;
	VM_ASSERT(ep_slot(cep) == slot);
	child->endpt = cep;
	child->flags = VMF_INUSE;
	sanity_changed(slot);
	child->heap_base = parent->heap_base;
	acl_fork(child, parent);
	if (FAULT_POINT(KC_ADDRSPACE) || (err = pt_bind(&child->pt, cep)) != VM_OK) {
		err = err ? err : VM_ENOMEM;
		kc_fork_abort(cep);
		goto fail;
	}
	m->u.fork.child = cep;
	return VM_OK;
fail:
	fork_rollback(child);
	return err;
}

/* dma.c - VM_ADDDMA, VM_DELDMA, VM_GETDMA: DMA ranges a driver registers for a
 * process (the 2010 MINIX VM calls, with this VM's hardened semantics).
 *
 * A row names its owner by endpoint and a page-aligned range [start, start+size) of
 * the owner's user address range.  Rows are bookkeeping only: they hold no pages (the
 * owner's memory goes at its exit as always).  A row outlives its owner's exit
 * (DMAF_EXITED) until VM_DELDMA releases it; VM_GETDMA reports each exited owner's
 * row once, so a driver learns which ranges to stop using.  A process holding a row
 * may not fork (fork.c).  The call mask is the only privilege: RS grants these
 * calls to drivers with VM_RS_SET_PRIV. */
#include "vm.h"

/* VM_OK when [start, start+size) is a valid range: size > 0, both page-aligned, the
 * range inside the user range [USER_BASE, USER_TOP) (so it cannot wrap); VM_EINVAL
 * otherwise. */
static int dma_range_ok(uint32_t start, uint32_t size)
{
	uint32_t end;

	if (size == 0 || !page_aligned(start) || !page_aligned(size) || add_wraps(start, size, &end) ||
	    start < USER_BASE || end > USER_TOP)
		return VM_EINVAL;
	return VM_OK;
}

/* True when [a, a+as) and [b, b+bs) (valid ranges) share a byte. */
static int dma_overlaps(uint32_t a, uint32_t as, uint32_t b, uint32_t bs)
{
	return a < b + bs && b < a + as;
}

/* Index of the row of owner ep holding exactly [start, start+size), or -1. */
static int dma_find(endpoint_t ep, uint32_t start, uint32_t size)
{
	for (uint32_t i = 0; i < vm.dma.n; i++)
		if (vm.dma.row[i].owner == ep && vm.dma.row[i].start == start && vm.dma.row[i].size == size)
			return (int)i;
	return -1;
}

int dma_held(const struct vmproc *vmp)
{
	for (uint32_t i = 0; i < vm.dma.n; i++)
		if (vm.dma.row[i].owner == vmp->endpt && !(vm.dma.row[i].flags & DMAF_EXITED))
			return 1;
	return 0;
}

void dma_owner_exits(const struct vmproc *vmp)
{
	for (uint32_t i = 0; i < vm.dma.n; i++)
		if (vm.dma.row[i].owner == vmp->endpt && !(vm.dma.row[i].flags & DMAF_EXITED)) {
			vm.dma.row[i].flags |= DMAF_EXITED;
			MUTATED();
		}
}

/* VM_ADDDMA: register [start, start+size) for the live process endpt.  VM_EINVAL for
 * a bad, stale or free endpoint, an exiting owner, or a bad range (dma_range_ok);
 * VM_EPERM for VM itself; VM_EBUSY when the owner already holds a range that overlaps
 * it; VM_ENOSPC when the table is full (exited owners' rows count until released). */
int do_adddma(message *m)
{
	const struct vm_pl_adddma *a = &m->u.adddma;
	struct vmproc *vmp = proc_target(a->endpt);
	struct dma_range *r;

	if (!vmp)
		return a->endpt == vm.self ? VM_EPERM : VM_EINVAL;
	if ((vmp->flags & VMF_EXITING) || dma_range_ok(a->start, a->size) != VM_OK)
		return VM_EINVAL;
	for (uint32_t i = 0; i < vm.dma.n; i++)
		if (vm.dma.row[i].owner == vmp->endpt && dma_overlaps(a->start, a->size, vm.dma.row[i].start, vm.dma.row[i].size))
			return VM_EBUSY;
	if (vm.dma.n >= DMA_MAX)
		return VM_ENOSPC;
	r = &vm.dma.row[vm.dma.n++];
	r->owner = vmp->endpt;
	r->start = a->start;
	r->size = a->size;
	r->flags = 0;
	MUTATED();
	return VM_OK;
}

/* VM_DELDMA: release the row of endpt holding exactly [start, start+size); endpt
 * need not be live (an exited owner's row is released by its old endpoint).
 * VM_EINVAL for a bad range, VM_ESRCH when no row matches. */
int do_deldma(message *m)
{
	const struct vm_pl_deldma *d = &m->u.deldma;
	int i;

	if (dma_range_ok(d->start, d->size) != VM_OK)
		return VM_EINVAL;
	if ((i = dma_find(d->endpt, d->start, d->size)) < 0)
		return VM_ESRCH;
	for (uint32_t k = (uint32_t)i; k + 1 < vm.dma.n; k++)
		vm.dma.row[k] = vm.dma.row[k + 1];
	vm.dma.n--;
	vm_memset(&vm.dma.row[vm.dma.n], 0, sizeof vm.dma.row[0]);
	MUTATED();
	return VM_OK;
}

/* VM_GETDMA: report the earliest registered row whose owner has exited and that no
 * VM_GETDMA reported yet (endpt, base, size); it stays until VM_DELDMA.  VM_ESRCH
 * when there is none. */
int do_getdma(message *m)
{
	struct vm_pl_getdma *g = &m->u.getdma;

	for (uint32_t i = 0; i < vm.dma.n; i++) {
		struct dma_range *r = &vm.dma.row[i];

		if ((r->flags & (DMAF_EXITED | DMAF_REPORTED)) != DMAF_EXITED)
			continue;
		r->flags |= DMAF_REPORTED;
		MUTATED();
		g->endpt = r->owner;
		g->base = r->start;
		g->size = r->size;
		return VM_OK;
	}
	return VM_ESRCH;
}

/* Every used row is a valid range with only known flags; no two rows of one owner
 * overlap; a row without DMAF_EXITED has a live owner, a row with it none (the
 * endpoint is not live); DMAF_REPORTED only with DMAF_EXITED; the rows past n are
 * zero.  0 or SAN_DMA. */
int dma_check(void)
{
	if (vm.dma.n > DMA_MAX)
		return SAN_DMA;
	for (uint32_t i = 0; i < DMA_MAX; i++) {
		const struct dma_range *r = &vm.dma.row[i];
		const struct vmproc *vmp = proc_get(r->owner);
		int live = vmp && vmp->endpt == r->owner;

		if (i >= vm.dma.n) {
			if (r->owner || r->start || r->size || r->flags)
				return SAN_DMA;
			continue;
		}
		if (dma_range_ok(r->start, r->size) != VM_OK || (r->flags & ~(DMAF_EXITED | DMAF_REPORTED)) ||
		    ((r->flags & DMAF_REPORTED) && !(r->flags & DMAF_EXITED)) || live == !!(r->flags & DMAF_EXITED))
			return SAN_DMA;
		for (uint32_t k = 0; k < i; k++)
			if (vm.dma.row[k].owner == r->owner &&
			    dma_overlaps(r->start, r->size, vm.dma.row[k].start, vm.dma.row[k].size))
				return SAN_DMA;
	}
	return 0;
}

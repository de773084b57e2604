/* dma.c - the model of the DMA calls (VM_ADDDMA, VM_DELDMA, VM_GETDMA): a table of
 * ranges drivers register for processes, as the protocol and this VM's documented
 * semantics describe it (docs/model.md DMA-*; README, "documented deviations").
 * Written from the protocol, never from vm/: a row is (owner endpoint, start, size);
 * it outlives its owner, which has exited when no live process has its endpoint. */
#include <string.h>
#include "model.h"
#include "layout.h"

/* DMA-03: a range is valid when its size is not 0, start and size are page-aligned
 * and it lies in the user range [USER_BASE, USER_TOP). */
static int mdma_range_ok(uint32_t start, uint32_t size)
{
	return size != 0 && (start & 0xfff) == 0 && (size & 0xfff) == 0 && start >= USER_BASE &&
	       (uint64_t)start + size <= USER_TOP;
}

/* Has the owner of row d exited (no live process has its endpoint)? */
static int mdma_exited(const struct mdma *d)
{
	return mproc_of(d->owner) == NULL;
}

int mdma_held(endpoint_t ep)
{
	for (uint32_t i = 0; i < mdl.ndma; i++)
		if (mdl.dma[i].owner == ep && !mdma_exited(&mdl.dma[i]))
			return 1;
	return 0;
}

/* DMA-01 owner, DMA-02 exiting owner, DMA-03 range, DMA-04 overlap, DMA-05 table full,
 * DMA-06 registered. */
static void rule_dma_01_06_add(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_adddma *a = &m->u.adddma;
	int r = mep_check(a->endpt, m->m_source, 0, &p->tgt);
	(void)st;
	if (r != MEP_OK) {
		mpred_ep(p, "DMA-01", r, VM_EINVAL);
		return;
	}
	if (p->tgt->exiting) {
		mpred_set(p, "DMA-02", VM_EINVAL);
		return;
	}
	if (!mdma_range_ok(a->start, a->size)) {
		mpred_set(p, "DMA-03", VM_EINVAL);
		return;
	}
	for (uint32_t i = 0; i < mdl.ndma; i++) {
		const struct mdma *d = &mdl.dma[i];
		if (d->owner == a->endpt && (uint64_t)a->start < (uint64_t)d->start + d->size &&
		    (uint64_t)d->start < (uint64_t)a->start + a->size) {
			mpred_set(p, "DMA-04", VM_EBUSY);
			return;
		}
	}
	if (mdl.ndma >= VM_DMA_MAX) {
		mpred_set(p, "DMA-05", VM_ENOSPC);
		return;
	}
	mpred_set(p, "DMA-06", VM_OK);
}

static void commit_dma_06(const struct msg_seen *s, const struct mpred *p)
{
	struct mdma *d;
	if (p->got != VM_OK || mdl.ndma >= VM_DMA_MAX)
		return;
	d = &mdl.dma[mdl.ndma++];
	d->owner = s->m.u.adddma.endpt;
	d->start = s->m.u.adddma.start;
	d->size = s->m.u.adddma.size;
	d->reported = 0;
}

/* The row of ep holding exactly [start, start+size), or -1. */
static int mdma_find(endpoint_t ep, uint32_t start, uint32_t size)
{
	for (uint32_t i = 0; i < mdl.ndma; i++)
		if (mdl.dma[i].owner == ep && mdl.dma[i].start == start && mdl.dma[i].size == size)
			return (int)i;
	return -1;
}

/* DMA-03 range, DMA-07: VM_DELDMA releases the row that matches exactly (the
 * endpoint need not be live), else ESRCH. */
static void rule_dma_07_del(const message *m, uint32_t st, struct mpred *p)
{
	const struct vm_pl_deldma *d = &m->u.deldma;
	(void)st;
	if (!mdma_range_ok(d->start, d->size))
		mpred_set(p, "DMA-03", VM_EINVAL);
	else
		mpred_set(p, "DMA-07", mdma_find(d->endpt, d->start, d->size) < 0 ? VM_ESRCH : VM_OK);
}

static void commit_dma_07(const struct msg_seen *s, const struct mpred *p)
{
	int i = mdma_find(s->m.u.deldma.endpt, s->m.u.deldma.start, s->m.u.deldma.size);
	if (p->got != VM_OK || i < 0)
		return;
	memmove(&mdl.dma[i], &mdl.dma[i + 1], (mdl.ndma - (uint32_t)i - 1) * sizeof mdl.dma[0]);
	mdl.ndma--;
}

/* The first row, in registration order, whose owner exited and that VM_GETDMA did not
 * report yet, or -1. */
static int mdma_next_exited(void)
{
	for (uint32_t i = 0; i < mdl.ndma; i++)
		if (!mdl.dma[i].reported && mdma_exited(&mdl.dma[i]))
			return (int)i;
	return -1;
}

/* DMA-08: VM_GETDMA reports that row once (endpt, base, size), or ESRCH. */
static void rule_dma_08_get(const message *m, uint32_t st, struct mpred *p)
{
	(void)m;
	(void)st;
	p->u[0] = (uint32_t)mdma_next_exited();
	mpred_set(p, "DMA-08", (int32_t)p->u[0] < 0 ? VM_ESRCH : VM_OK);
}

static void commit_dma_08(const struct msg_seen *s, const struct mpred *p)
{
	int i = (int32_t)p->u[0];
	struct mdma *d;
	(void)s;
	if (p->got != VM_OK || i < 0)
		return;
	d = &mdl.dma[i];
	if (p->rep && (p->rep->u.getdma.endpt != d->owner || p->rep->u.getdma.base != d->start ||
		       p->rep->u.getdma.size != d->size))
		mfind("DMA-08", "fields", "predicted endpt=%d base=0x%x size=0x%x, VM answered %d 0x%x 0x%x", d->owner,
		      d->start, d->size, p->rep->u.getdma.endpt, p->rep->u.getdma.base, p->rep->u.getdma.size);
	d->reported = 1;
}

const struct mcall dma_calls[] = {
	{ VM_ADDDMA, rule_dma_01_06_add, commit_dma_06 },
	{ VM_DELDMA, rule_dma_07_del, commit_dma_07 },
	{ VM_GETDMA, rule_dma_08_get, commit_dma_08 },
};
const int dma_ncalls = (int)(sizeof dma_calls / sizeof dma_calls[0]);

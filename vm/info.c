/* info.c - VM_INFO: statistics, a process's usage, and its list of regions, copied
 * into the caller's buffer through the kernel. */
#include "vm.h"
#include "vm_info.h"

/* The process an info request names: the caller for SELF, else a live endpoint. */
static struct vmproc *info_target(const message *m, int *err)
{
	struct vmproc *vmp = proc_target(m->u.info.endpt == SELF ? m->m_source : m->u.info.endpt);

	*err = vmp ? VM_OK : VM_EINVAL;
	return vmp;
}

/* VMIW_STATS: the allocator's counts, copied to ptr in the caller. */
static int info_stats(message *m)
{
	struct vm_stats_info si = {
		.pagesize = PAGE_SIZE,
		.total = mem_managed_count(),
		.free = mem_free_count(),
		.largest = mem_largest_free_run(),
		.cached = 0,
	};

	return copy_to_proc(m->m_source, m->u.info.ptr, &si, sizeof(si));
}

/* Sum up vmp's regions and pages. */
static void usage_of(struct vmproc *vmp, struct vm_usage_info *ui)
{
	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r)) {
		ui->vtotal += r->length;
		if (r->vaddr >= MMAP_BASE && r->vaddr < MMAP_TOP)
			ui->mvirtual += r->length;
		for (REGION_EACH_PAGE(r, i)) {
			ui->total += PAGE_SIZE;
			if (region_page(r, i)->ph->refcount > 1)
				ui->common += PAGE_SIZE;
		}
	}
	ui->maxrss = ui->total / PAGE_SIZE;
	ui->minflt = vmp->minflt;
	ui->majflt = vmp->majflt;
}

/* Count a cached block that no region shares any more (the cache alone holds it). */
static void count_cache_only(struct phys_block *pb, void *arg)
{
	if (!pb->first)
		(*(uint32_t *)arg)++;
}

/* Pages of VM's pool that back memory: every block a live process's region or the
 * cache holds, each once; device pages are not VM's and do not count. */
static uint32_t block_pages(void)
{
	uint32_t n = 0;

	for (int32_t s = 0; s < NR_PROCS; s++) {
		struct vmproc *vmp = &vm.proc[s];

		if (!(vmp->flags & VMF_INUSE))
			continue;
		for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r)) {
			for (REGION_EACH_PAGE(r, i)) {
				struct phys_region *pr = region_page(r, i);
				n += pr->ph->first == pr && !(pr->ph->flags & PBF_DEVICE); /* at its list head */
			}
		}
	}
	cache_for_each(count_cache_only, &n);
	return n;
}

/* The kernel's usage (what MINIX answers for a negative endpoint).  A kernel task has
 * no regions: its usage is the memory the system keeps outside every process's and
 * the cache's memory, VM's pages in use that back none of it: page directories and
 * page tables (which the kernel's MMU walks), slab pages and large page maps.  As in
 * MINIX all of it counts as mapped: total = vtotal = mvirtual; maxrss is total in
 * pages; nothing is shared and no fault is counted. */
static void usage_of_kernel(struct vm_usage_info *ui)
{
	uint32_t pages = mem_managed_count() - mem_free_count() - block_pages();

	ui->total = ui->vtotal = ui->mvirtual = pages * PAGE_SIZE;
	ui->maxrss = pages;
}

/* VMIW_USAGE: the target's usage (SELF: the caller; a negative endpoint, a kernel
 * task: the kernel's), copied to ptr in the caller. */
static int info_usage(message *m)
{
	struct vm_usage_info ui = { 0 };
	struct vmproc *vmp;
	int err;

	if (m->u.info.endpt < 0) {
		usage_of_kernel(&ui);
	} else {
		if (!(vmp = info_target(m, &err)))
			return err;
		usage_of(vmp, &ui);
	}
	return copy_to_proc(m->m_source, m->u.info.ptr, &ui, sizeof(ui));
}

/* Up to count regions of the target starting at address next; replies the number
 * copied in count and, in next, where the following request should resume. */
static int info_region(message *m)
{
	struct vm_region_info ri[MAX_VRI_COUNT];
	uint32_t n = 0, max = (uint32_t)m->u.info.count, next = m->u.info.next;
	struct vir_region *r;
	struct vmproc *vmp;
	int err;

	if (!(vmp = info_target(m, &err)))
		return err;
	if (m->u.info.count < 0)
		return VM_EINVAL;
	if (max > MAX_VRI_COUNT)
		max = MAX_VRI_COUNT;
	for (r = region_find_ge(vmp, next); r && n < max; r = region_next(vmp, r)) {
		if (r->vaddr < next) /* the region holding `next` was reported already */
			continue;
		ri[n].addr = r->vaddr;
		ri[n].length = r->length;
		ri[n].prot = PROT_READ | ((r->flags & VR_WRITABLE) ? PROT_WRITE : 0);
		ri[n].flags = r->flags;
		next = r->vaddr + r->length;
		n++;
	}
	if ((err = copy_to_proc(m->m_source, m->u.info.ptr, ri, n * (uint32_t)sizeof(ri[0]))) != VM_OK)
		return err;
	m->u.info.count = (int32_t)n;
	m->u.info.next = next;
	return VM_OK;
}

/* VM_INFO: what = VMIW_STATS, VMIW_USAGE or VMIW_REGION; anything else VM_EINVAL. */
int do_info(message *m)
{
	switch (m->u.info.what) {
	case VMIW_STATS: return info_stats(m);
	case VMIW_USAGE: return info_usage(m);
	case VMIW_REGION: return info_region(m);
	default: return VM_EINVAL;
	}
}

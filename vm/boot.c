/* boot.c - VM's start: take the boot description from the kernel and build every
 * boot process's regions and page tables. */
#include "vm.h"

/* Map one boot segment: a region over its pages, which VM adopts from the pool. */
static int boot_segment(struct vmproc *vmp, const struct boot_seg *s)
{
	uint32_t len, npages;
	struct vir_region *r;
	int err;

	if (!page_aligned(s->phys) || !page_aligned(s->vaddr) || s->memsz == 0 || page_roundup(s->memsz, &len))
		return VM_EINVAL;
	npages = len >> PAGE_SHIFT;
	r = map_new_region(vmp, s->vaddr, len, VR_ANON | ((s->flags & SEG_W) ? VR_WRITABLE : VR_TEXT),
			   &mem_type_anon, 1, &err);
	if (!r)
		return err;
	if (s->flags & SEG_W)
		vmp->heap_base = r->vaddr; /* brk grows the (last) writable segment */
	for (uint32_t i = 0; i < npages; i++) {
		struct phys_block *pb = pb_new(s->phys + (i << PAGE_SHIFT));

		if (!pb || pb_reference(r, i, pb) != VM_OK)
			return VM_ENOMEM;
		if ((err = map_map_page(vmp, r, i)) != VM_OK)
			return err;
	}
	return VM_OK;
}

/* Build one boot process: page table, ACL, segments, an empty stack, then bind. */
static int boot_proc(const struct boot_proc *bp)
{
	struct vmproc *vmp;
	struct vir_region *stack;
	int err;

	if (bp->slot < 0 || bp->slot >= NR_PROCS || bp->endpt != ep_make(0, bp->slot) ||
	    (vm.proc[bp->slot].flags & VMF_INUSE) || bp->nsegs > BOOT_MAX_SEGS)
		return VM_EINVAL;
	vmp = &vm.proc[bp->slot];
	vmp->flags = VMF_INUSE;
	vmp->endpt = bp->endpt;
	vmp->powers = proc_boot_powers(bp->slot); /* this endpoint's, not the slot's */
	if ((err = pt_new(&vmp->pt)) != VM_OK || (err = acl_set(vmp, bp->mask, bp->is_sys)) != VM_OK)
		return err;
	for (uint32_t i = 0; i < bp->nsegs; i++)
		if ((err = boot_segment(vmp, &bp->seg[i])) != VM_OK)
			return err;
	if (bp->stack_size) {
		stack = map_new_region(vmp, bp->stack_top - bp->stack_size, bp->stack_size,
				       VR_ANON | VR_WRITABLE | VR_STACK, &mem_type_anon, 1, &err);
		if (!stack)
			return err;
	}
	return pt_bind(&vmp->pt, vmp->endpt);
}

/* Take every boot segment's pages out of the free pool, before anything allocates. */
static int boot_reserve(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->nprocs; i++) {
		const struct boot_proc *bp = &bi->proc[i];

		for (uint32_t j = 0; j < bp->nsegs && j < BOOT_MAX_SEGS; j++) {
			uint32_t len;
			int err;

			if (page_roundup(bp->seg[j].memsz, &len))
				return VM_EINVAL;
			if ((err = mem_reserve(bp->seg[j].phys, len >> PAGE_SHIFT)) != VM_OK)
				return err;
		}
	}
	return VM_OK;
}

/* Boot VM: every global to its boot state, then the boot processes.  Returns VM_OK
 * or the errno of the first step that failed. */
int vm_boot(void)
{
	struct boot_info bi;
	int err;

	vm_memset(&vm, 0, sizeof(vm));
	for (int32_t s = 0; s < NR_PROCS; s++) {
		vm.proc[s].slot = s;
		proc_clear(&vm.proc[s]);
	}
	if ((err = kc_bootinfo(&bi)) != VM_OK)
		return err;
	if (bi.nprocs > BOOT_MAX_PROCS || bi.vm_endpt != ep_make(0, VM_PROC_NR))
		return VM_EINVAL;
	vm_memcpy(vm.kern_pde, bi.kern_pde, sizeof(vm.kern_pde));
	vm.sanity_level = bi.sanity_level < SCL_NONE ? SCL_NONE : bi.sanity_level > SCL_DETAIL ? SCL_DETAIL : bi.sanity_level;
	vm.self = bi.vm_endpt;
	vm.proc[VM_PROC_NR].flags = VMF_INUSE;
	vm.proc[VM_PROC_NR].endpt = vm.self;
	mem_init(&bi);
	acl_init();
	if ((err = boot_reserve(&bi)) != VM_OK)
		return err;
	for (uint32_t i = 0; i < bi.nprocs; i++) {
		if ((err = boot_proc(&bi.proc[i])) != VM_OK) {
			vm_log("VM: boot of slot %d failed: %d", bi.proc[i].slot, err);
			return err;
		}
	}
	vm.booted = 1;
	sanity_all_changed(); /* no process nor slab class has been checked yet */
	slab_all_changed();
	SANITYCHECK(SCL_TOP);
	return VM_OK;
}

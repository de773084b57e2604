/* break.c - VM_BRK: grow the caller's heap region up to the new break. */
#include "vm.h"

/* VM_BRK for the caller itself: grow the heap region (the one that starts at the
 * process's heap base) up to the new break.  Growing never shrinks; a break below the
 * current one is VM_OK and changes nothing.  VM_ENOMEM when the heap region is gone
 * (unmapped) or would collide with the region above it. */
int do_brk(message *m)
{
	struct vmproc *vmp = proc_get(m->m_source);
	struct vir_region *heap;

	heap = region_find(vmp, vmp->heap_base);
	if (!heap || heap->vaddr != vmp->heap_base)
		return VM_ENOMEM;
	return map_extend_upto(vmp, heap, m->u.brk.addr);
}

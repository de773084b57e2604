/* pb.c - physical blocks (one page, shared and refcounted) and the per-page
 * references (phys_regions) that link region pages to them. */
#include "vm.h"

/* A new block for page phys with no references, or NULL when the slab is exhausted. */
struct phys_block *pb_new(uint32_t phys)
{
	struct phys_block *pb = slab_alloc(sizeof(*pb));

	if (!pb)
		return NULL;
	pb->phys = phys;
	pb->refcount = 0;
	pb->first = NULL;
	MUTATED();
	return pb;
}

/* Link page idx of r to pb.  VM_ENOMEM (nothing changed) when no phys_region can be
 * allocated. */
int pb_reference(struct vir_region *r, uint32_t idx, struct phys_block *pb)
{
	struct phys_region *pr;

	VM_ASSERT(idx < region_npages(r) && !r->pages[idx]);
	pr = slab_alloc(sizeof(*pr));
	if (!pr)
		return VM_ENOMEM;
	pr->ph = pb;
	pr->parent = r;
	pr->offset = idx << PAGE_SHIFT;
	pr->next_sharer = pb->first;
	pb->first = pr;
	pb->refcount++;
	r->pages[idx] = pr;
	MUTATED();
	return VM_OK;
}

/* Unlink pr from its block's sharer list and drop the block's count. */
static void unlink_sharer(struct phys_region *pr)
{
	struct phys_block *pb = pr->ph;
	struct phys_region **pp = &pb->first;

	while (*pp && *pp != pr)
		pp = &(*pp)->next_sharer;
	if (!*pp)
		PANIC("phys_region missing from its block's sharer list");
	*pp = pr->next_sharer;
	pr->next_sharer = NULL;
	pb->refcount--;
}

/* Drop page idx of r.  The last reference releases the page through the region's
 * memory type and frees the block. */
void pb_unreference(struct vir_region *r, uint32_t idx)
{
	struct phys_region *pr = r->pages[idx];
	struct phys_block *pb;

	VM_ASSERT(pr);
	pb = pr->ph;
	unlink_sharer(pr);
	if (pb->refcount == 0) {
		r->type->ev_unreference(pb);
		slab_free(pb, sizeof(*pb));
	}
	slab_free(pr, sizeof(*pr));
	r->pages[idx] = NULL;
	MUTATED();
}

/* Move page idx of r onto pb, leaving its old (shared) block with one sharer less. */
void pb_relink(struct vir_region *r, uint32_t idx, struct phys_block *pb)
{
	struct phys_region *pr = r->pages[idx];

	VM_ASSERT(pr && pr->ph->refcount > 1);
	unlink_sharer(pr);
	pr->ph = pb;
	pr->next_sharer = pb->first;
	pb->first = pr;
	pb->refcount++;
	MUTATED();
}

/* Give r a zeroed array of npages page pointers. */
int pagearray_alloc(struct vir_region *r, uint32_t npages)
{
	uint32_t bytes, pages, phys;

	if (FAULT_POINT(REGION_PAGES) || npages == 0 || npages > (USER_TOP >> PAGE_SHIFT))
		return VM_ENOMEM;
	bytes = npages * (uint32_t)sizeof(struct phys_region *);
	if (bytes <= SLAB_MAX) {
		r->pages = slab_alloc(bytes);
		if (!r->pages)
			return VM_ENOMEM;
		r->pages_phys = PHYS_NONE;
	} else {
		pages = (bytes + PAGE_MASK) >> PAGE_SHIFT;
		phys = mem_alloc(pages, MEMF_CLEAR);
		if (phys == PHYS_NONE)
			return VM_ENOMEM;
		r->pages = phys_ptr(phys, pages << PAGE_SHIFT);
		r->pages_phys = phys;
	}
	r->pages_cap = npages;
	return VM_OK;
}

/* Number of backing pages of a large page array of cap entries. */
static uint32_t pagearray_pages(uint32_t cap)
{
	return (cap * (uint32_t)sizeof(struct phys_region *) + PAGE_MASK) >> PAGE_SHIFT;
}

void pagearray_free(struct vir_region *r)
{
	if (!r->pages)
		return;
	if (r->pages_phys == PHYS_NONE)
		slab_free(r->pages, r->pages_cap * (uint32_t)sizeof(struct phys_region *));
	else
		mem_free(r->pages_phys, pagearray_pages(r->pages_cap));
	r->pages = NULL;
	r->pages_cap = 0;
	r->pages_phys = PHYS_NONE;
}

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
	pb->flags = 0;
	pb->refcount = 0;
	pb->first = NULL;
	MUTATED();
	return pb;
}

/* A new block with no references holding a copy of pb's page (fault site page_alloc,
 * then the slab), or NULL when no page or block can be had. */
struct phys_block *pb_copy(const struct phys_block *pb)
{
	struct phys_block *c;
	uint32_t phys;

	if (FAULT_POINT(PAGE_ALLOC) || (phys = mem_alloc(1, 0)) == PHYS_NONE)
		return NULL;
	if (!(c = pb_new(phys))) {
		mem_free(phys, 1);
		return NULL;
	}
	vm_memcpy(phys_ptr(phys, PAGE_SIZE), phys_ptr(pb->phys, PAGE_SIZE), PAGE_SIZE);
	return c;
}

/* Add pr to its block's sharer list and count: behind the head, so the head (whose
 * process's check counts the block) stays, and only the joiner, which its caller marks
 * changed, is checked again (its check walks the list); an empty list's new head is
 * marked as the head. */
static void link_sharer(struct phys_region *pr)
{
	struct phys_block *pb = pr->ph;

	if (pb->first) {
		pr->next_sharer = pb->first->next_sharer;
		pb->first->next_sharer = pr;
	} else {
		pr->next_sharer = NULL;
		pb->first = pr;
		sanity_block_changed(pb);
	}
	pb->refcount++;
}

/* Link page idx of r to pb.  VM_ENOMEM when its map leaf or the phys_region cannot be
 * allocated (no reference is made; an allocated leaf stays for later use). */
int pb_reference(struct vir_region *r, uint32_t idx, struct phys_block *pb)
{
	struct phys_region *pr;

	VM_ASSERT(idx < region_npages(r) && !region_page(r, idx));
	if (pagemap_reserve(r, idx) != VM_OK)
		return VM_ENOMEM;
	pr = slab_alloc(sizeof(*pr));
	if (!pr)
		return VM_ENOMEM;
	pr->ph = pb;
	pr->parent = r;
	pr->offset = idx << PAGE_SHIFT;
	link_sharer(pr);
	pagemap_set(r, idx, pr); /* marks r's process, the joiner */
	return VM_OK;
}

/* Unlink pr from its block's sharer list and drop the block's count.  When pr was the
 * head, the new head (whose process now counts the block) is marked; else only the
 * count changed, and the next check walks the list without re-deriving the head. */
static void unlink_sharer(struct phys_region *pr)
{
	struct phys_block *pb = pr->ph;
	struct phys_region **pp = &pb->first;
	int was_head = pb->first == pr;

	while (*pp && *pp != pr)
		pp = &(*pp)->next_sharer;
	if (!*pp)
		PANIC("phys_region missing from its block's sharer list");
	*pp = pr->next_sharer;
	pr->next_sharer = NULL;
	pb->refcount--;
	if (was_head)
		sanity_block_changed(pb);
	else
		sanity_count_changed(pb);
	sanity_changed(pr->parent ? pr->parent->slot : -1);
}

/* Drop page idx of r.  The last reference frees the block and, unless it stands for
 * device memory, its page. */
void pb_unreference(struct vir_region *r, uint32_t idx)
{
	struct phys_region *pr = region_page(r, idx);
	struct phys_block *pb;

	VM_ASSERT(pr);
	pb = pr->ph;
	unlink_sharer(pr);
	if (pb->refcount == 0) {
		if (!(pb->flags & PBF_DEVICE) && pb->phys != PHYS_NONE)
			mem_free(pb->phys, 1);
		pb_free(pb);
	}
	slab_free(pr, sizeof(*pr));
	pagemap_set(r, idx, NULL);
}

/* Move page idx of r onto pb, leaving its old (shared) block with one sharer less. */
void pb_relink(struct vir_region *r, uint32_t idx, struct phys_block *pb)
{
	struct phys_region *pr = region_page(r, idx);

	VM_ASSERT(pr && pr->ph->refcount > 1);
	unlink_sharer(pr); /* marks pr's process, the joiner */
	pr->ph = pb;
	link_sharer(pr);
	MUTATED();
}

void pb_free(struct phys_block *pb)
{
	sanity_block_gone(pb);
	slab_free(pb, sizeof(*pb));
}

/* Sharers of pb whose region is not shared memory (private copy-on-write sharers). */
uint32_t pb_private_sharers(const struct phys_block *pb)
{
	uint32_t n = 0;

	for (const struct phys_region *s = pb->first; s; s = s->next_sharer)
		n += !(s->parent->flags & VR_SHARED);
	return n;
}

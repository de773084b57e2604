/* pagemap.c - each region's page references, kept sparse.
 *
 * A region of n pages has a top table of ceil(n / PAGEMAP_LEAF) leaf pointers; a leaf
 * (a slab object) holds PAGEMAP_LEAF phys_region pointers and exists only once a page
 * in its range is referenced.  So a huge, mostly empty mapping costs a small top
 * table, and walking a region's pages costs its leaves, not its length.  Top tables
 * and leaves are the "region page array" fault site. */
#include "vm.h"

#define LEAF_BYTES ((uint32_t)sizeof(struct pagemap_leaf))
#define PTR_BYTES  ((uint32_t)sizeof(struct pagemap_leaf *))

static uint32_t leaves_for(uint32_t npages)
{
	return (npages + PAGEMAP_LEAF - 1) / PAGEMAP_LEAF;
}

/* Pages backing a top table of n entries allocated from the page pool. */
static uint32_t top_pages(uint32_t n)
{
	return (n * PTR_BYTES + PAGE_MASK) >> PAGE_SHIFT;
}

/* A zeroed top table of n entries: from the slab when small, else contiguous pages
 * (*phys gets their address, PHYS_NONE for a slab table).  NULL on failure. */
static struct pagemap_leaf **top_alloc(uint32_t n, uint32_t *phys)
{
	struct pagemap_leaf **t;

	if (FAULT_POINT(REGION_PAGES))
		return NULL;
	*phys = PHYS_NONE;
	if (n * PTR_BYTES <= SLAB_MAX)
		return slab_alloc(n * PTR_BYTES);
	*phys = mem_alloc(top_pages(n), MEMF_CLEAR);
	if (*phys == PHYS_NONE)
		return NULL;
	t = phys_ptr(*phys, top_pages(n) << PAGE_SHIFT);
	return t;
}

static void top_free(struct pagemap_leaf **t, uint32_t n, uint32_t phys)
{
	if (phys == PHYS_NONE)
		slab_free(t, n * PTR_BYTES);
	else
		mem_free(phys, top_pages(n));
}

/* Give r an empty page map for npages pages.  VM_ENOMEM (r unchanged) on failure. */
int pagemap_init(struct vir_region *r, uint32_t npages)
{
	uint32_t n = leaves_for(npages), phys;
	struct pagemap_leaf **t;

	if (npages == 0 || npages > (USER_TOP >> PAGE_SHIFT))
		return VM_ENOMEM;
	t = top_alloc(n, &phys);
	if (!t)
		return VM_ENOMEM;
	r->leaves = t;
	r->nleaves = n;
	r->leaves_phys = phys;
	return VM_OK;
}

/* Let r's map cover npages pages (brk).  VM_ENOMEM with r unchanged on failure. */
int pagemap_grow(struct vir_region *r, uint32_t npages)
{
	uint32_t n = leaves_for(npages), phys;
	struct pagemap_leaf **t;

	if (n <= r->nleaves)
		return VM_OK;
	if (npages > (USER_TOP >> PAGE_SHIFT) || !(t = top_alloc(n, &phys)))
		return VM_ENOMEM;
	vm_memcpy(t, r->leaves, r->nleaves * PTR_BYTES);
	top_free(r->leaves, r->nleaves, r->leaves_phys);
	r->leaves = t;
	r->nleaves = n;
	r->leaves_phys = phys;
	MUTATED();
	sanity_changed(r->slot);
	return VM_OK;
}

/* Free r's map.  Every page must already be dropped or moved. */
void pagemap_free(struct vir_region *r)
{
	if (!r->leaves)
		return;
	for (uint32_t i = 0; i < r->nleaves; i++) {
		struct pagemap_leaf *l = r->leaves[i];

		if (!l)
			continue;
		for (uint32_t j = 0; j < PAGEMAP_LEAF; j++)
			VM_ASSERT(!l->pr[j]);
		slab_free(l, LEAF_BYTES);
	}
	top_free(r->leaves, r->nleaves, r->leaves_phys);
	r->leaves = NULL;
	r->nleaves = 0;
	r->leaves_phys = PHYS_NONE;
	sanity_changed(r->slot);
}

/* The reference of page idx of r, or NULL. */
struct phys_region *region_page(const struct vir_region *r, uint32_t idx)
{
	const struct pagemap_leaf *l;

	if (idx / PAGEMAP_LEAF >= r->nleaves)
		return NULL;
	l = r->leaves[idx / PAGEMAP_LEAF];
	return l ? l->pr[idx % PAGEMAP_LEAF] : NULL;
}

/* Make sure page idx of r has a slot (allocating its leaf).  VM_ENOMEM on failure. */
int pagemap_reserve(struct vir_region *r, uint32_t idx)
{
	struct pagemap_leaf **slot;

	VM_ASSERT(idx / PAGEMAP_LEAF < r->nleaves);
	slot = &r->leaves[idx / PAGEMAP_LEAF];
	if (*slot)
		return VM_OK;
	if (FAULT_POINT(REGION_PAGES) || !(*slot = slab_alloc(LEAF_BYTES)))
		return VM_ENOMEM;
	sanity_changed(r->slot);
	return VM_OK;
}

/* Set page idx of r (its slot must be reserved). */
void pagemap_set(struct vir_region *r, uint32_t idx, struct phys_region *pr)
{
	struct pagemap_leaf *l;

	VM_ASSERT(idx / PAGEMAP_LEAF < r->nleaves);
	l = r->leaves[idx / PAGEMAP_LEAF];
	VM_ASSERT(l);
	l->pr[idx % PAGEMAP_LEAF] = pr;
	MUTATED();
	sanity_changed(r->slot);
}

/* The first slot >= j of leaf l that holds a page, or PAGEMAP_LEAF.  Leaves are
 * mostly empty, so empty slots are skipped four at a time. */
static uint32_t leaf_next(const struct pagemap_leaf *l, uint32_t j)
{
	while (j < PAGEMAP_LEAF && (j & 3))
		if (l->pr[j++])
			return j - 1;
	for (; j < PAGEMAP_LEAF; j += 4) {
		if (!l->pr[j] && !l->pr[j + 1] && !l->pr[j + 2] && !l->pr[j + 3])
			continue;
		while (!l->pr[j])
			j++;
		return j;
	}
	return PAGEMAP_LEAF;
}

/* The first page index >= from of r that has a page, or r's map capacity when none
 * (callers walking a region stop at region_npages). */
uint32_t pagemap_next(const struct vir_region *r, uint32_t from)
{
	for (uint32_t i = from / PAGEMAP_LEAF; i < r->nleaves; i++) {
		uint32_t j;

		if (!r->leaves[i])
			continue;
		j = leaf_next(r->leaves[i], i == from / PAGEMAP_LEAF ? from % PAGEMAP_LEAF : 0);
		if (j < PAGEMAP_LEAF)
			return i * PAGEMAP_LEAF + j;
	}
	return pagemap_capacity(r);
}

/* Number of page slots r's map covers. */
uint32_t pagemap_capacity(const struct vir_region *r)
{
	return r->nleaves * PAGEMAP_LEAF;
}

/* Number of leaves r's map holds (each one slab object). */
uint32_t pagemap_leaf_count(const struct vir_region *r)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->nleaves; i++)
		n += r->leaves[i] != NULL;
	return n;
}
